"""``supervm demo`` (README's first command) and the demo contracts."""

from __future__ import annotations

import subprocess
import sys

from supervm_ref.cli import main
from supervm_ref.demos import contracts
from supervm_ref.demos.demo1_add import add

from .conftest import wat


def test_demo_binaries_match_their_text() -> None:
    """The committed bytes are what wat2wasm makes of the WAT shown beside them."""
    assert wat(contracts.ADD_WAT) == contracts.ADD_WASM


def test_add_through_engine() -> None:
    """Demo 1 computes with the engine (signed i32 semantics, wrapping)."""
    assert add(7, 8) == 15
    assert add(-3, 1) == -2
    assert add(2**31 - 1, 1) == -(2**31)


def test_demo_once_prints_seed_line(capsys: object) -> None:
    """``supervm demo --once`` prints the seed node's demo 1 line and exits 0."""
    assert main(["demo", "--once"]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "Demo 1: add(7,8) => 15" in out


def test_console_entry_point() -> None:
    """``python -m supervm_ref --help`` works and lists the subcommands."""
    r = subprocess.run([sys.executable, "-m", "supervm_ref", "--help"], capture_output=True,
                       text=True, check=True)
    for command in ("demo", "spectest", "bench"):
        assert command in r.stdout
