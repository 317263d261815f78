"""Fixtures shared by every test package (each package has its own conftest beside it)."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from supervm_ref.cli import main
from supervm_ref.conformance.formats import FORMATS

from .support import REPO, external_dir

#: Every committed fixture of every format: the folders of the registry's formats
#: (conformance/fixtures, conformance/isolation, ...).
CONFORMANCE_TARGETS = tuple(REPO / folder for folder in sorted({f.folder for f in FORMATS}))


@pytest.fixture
def suite_dir() -> Path:
    """The official WebAssembly suite's wast2json folder; fails (never skips) when missing."""
    path = external_dir() / "wasm-testsuite" / "json"
    assert path.is_dir(), f"external suite missing at {path} (set SUPERVM_EXTERNAL)"
    return path


@dataclass(frozen=True)
class ConsumeRun:
    """What ``supervm consume --json --backend NAME`` printed for every committed fixture
    (`CONFORMANCE_TARGETS`), and its exit status."""

    backend: str
    status: int
    stdout: str

    @property
    def report(self) -> dict[str, Any]:
        """The JSON report (spec/conformance.md, CONF-CONSUME-2)."""
        report: dict[str, Any] = json.loads(self.stdout)
        return report

    def file(self, name: str) -> dict[str, Any]:
        """The report's entry of the one fixture file called ``name``."""
        (entry,) = [f for f in self.report["files"] if Path(f["path"]).name == name]
        return entry


@pytest.fixture(scope="session")
def consumed() -> Callable[[str], ConsumeRun]:
    """``consumed(backend)``: every committed fixture of every kind consumed once per backend
    and test session, through the command line as a user runs it (``supervm consume --json
    -j 2 --backend NAME conformance/fixtures conformance/isolation ...``, in process; two worker
    processes, whose report is that of one, CONF-CONSUME-4). Tests assert on the shared report
    instead of consuming again. On a backend other than the reference only the formats that
    use the execution backend are consumed (``--format`` each): the others run the same Python
    code whatever the backend (CONF-FORMAT-3 e, checked in tests/conformance/test_formats.py),
    and the reference's run covers them."""
    runs: dict[str, ConsumeRun] = {}

    def run(backend: str) -> ConsumeRun:
        if backend not in runs:
            out = io.StringIO()
            formats = [] if backend == "reference" else [
                a for f in FORMATS if f.uses_execution_backend for a in ("--format", f.name)]
            with contextlib.redirect_stdout(out):
                status = main(["consume", "--json", "-j", "2", "--backend", backend, *formats,
                               *map(str, CONFORMANCE_TARGETS)])
            runs[backend] = ConsumeRun(backend, status, out.getvalue())
        return runs[backend]

    return run


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """README's test command runs the tests in two processes (pytest-xdist, ``-n 2 --dist
    loadgroup`` in pyproject.toml): each file is one group, so its fixtures are built in one
    process, and every test of the session's consume (`consumed`) is one group, so each
    backend's fixtures are consumed once in all. A worker may interleave the files of its
    groups, which tears module-scoped fixtures down between them: the expensive ones are
    session-scoped instead."""
    for item in items:
        uses_consume = "consumed" in getattr(item, "fixturenames", ())
        group = "consumed" if uses_consume else item.nodeid.split("::", 1)[0]
        item.add_marker(pytest.mark.xdist_group(group))
