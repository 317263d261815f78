"""The ``supervm`` command line: every subcommand is registered and documented in --help."""

from __future__ import annotations

import json

import pytest

from supervm_ref.cli import build_parser, main


def test_help_lists_every_subcommand(capsys: object) -> None:
    """README's command table and ``supervm --help`` agree."""
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--help"])
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    for command in ("demo", "spectest", "fill", "consume", "t8n", "bench"):
        assert command in out


def test_bench_parallel_quick(capsys: object) -> None:
    """SCHED-BENCH-1 through the CLI: a small table whose every cell reproduced the sequential
    result (exit status 0), as JSON."""
    assert main(["bench", "parallel", "--quick", "--block-size", "60", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)  # type: ignore[attr-defined]
    assert report["cells"] and all(cell["ok"] for cell in report["cells"])
    assert {cell["workers"] for cell in report["cells"]} == {1, 2, 4, 8, 16, 32}


def test_bench_without_benchmark_prints_usage(capsys: object) -> None:
    """``supervm bench`` alone prints its usage and exits 2."""
    assert main(["bench"]) == 2
    assert "engine" in capsys.readouterr().out  # type: ignore[attr-defined]
