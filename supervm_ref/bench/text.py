"""``supervm bench text``: how long the text format takes beside the suite it serves
(spec/wasm-text.md WASM-TEXT-BENCH-1).

Three timings of the official suite (``$SUPERVM_EXTERNAL/wasm-testsuite``, or ``shared/external``
beside the checkout): reading every ``.wast`` script and parsing every text module in it
(``parse``; quoted modules included, binary ones only read); running the whole suite from the
wast2json output (``run json``); running it from the ``.wast`` sources (``run wast``). The
target is ``parse`` under one third of ``run json``. The runs also report their passed and
failed command counts, so a fast run that fails is seen as such.
"""

from __future__ import annotations

import contextlib
import json
import platform
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..conformance.suite import find_suite
from ..wasm import WasmError, module_decode
from ..wasm.script.runner import FAILED, PASSED, find_scripts, run_script
from ..wasm.text.script import ScriptModule, read_script
from . import package_version

#: WASM-TEXT-BENCH-1: parsing may take at most this share of the JSON suite run.
TARGET_SHARE = 1 / 3


@dataclass
class TextBenchReport:
    """WASM-TEXT-BENCH-1: the three timings (seconds), what they covered, and whether the
    parse stayed under the target share (``ok`` also needs both runs to pass every
    command)."""

    suite: str
    scripts: int
    modules: int
    parse_seconds: float = 0.0
    json_seconds: float = 0.0
    wast_seconds: float = 0.0
    json_passed: int = 0
    json_failed: int = 0
    wast_passed: int = 0
    wast_failed: int = 0
    python: str = field(default_factory=platform.python_version)
    version: str = field(default_factory=lambda: package_version("supervm-ref"))

    @property
    def share(self) -> float:
        """``parse`` as a share of ``run json``."""
        return self.parse_seconds / self.json_seconds if self.json_seconds > 0 else 0.0

    @property
    def ok(self) -> bool:
        """Under the target, and no failed command in either run."""
        return self.share < TARGET_SHARE and not self.json_failed and not self.wast_failed


def _run(folder: Path, names: list[str] | None,
         tick: Callable[[str], None]) -> tuple[float, int, int]:
    """Seconds, passed and failed commands of every script of ``folder`` (commands not
    applicable count in neither)."""
    passed = failed = 0
    start = time.perf_counter()
    for name, path in find_scripts(folder, names):
        tick(name)
        for command in run_script(path, name).commands:
            passed += command.outcome == PASSED
            failed += command.outcome == FAILED
    return time.perf_counter() - start, passed, failed


def run(root: Path, names: list[str] | None = None, *,
        progress: Callable[[int, int, str], None] | None = None) -> TextBenchReport:
    """WASM-TEXT-BENCH-1: the three timings over the suite found from ``root`` (only the
    scripts ``names`` when given); `FillerError` when there is no suite."""
    suite = find_suite(root)
    wast = suite / "wast"
    scripts = [p for p in sorted(wast.glob("*.wast")) if names is None or p.stem in names]
    report = TextBenchReport(str(suite), len(scripts), 0)
    total = 3 * len(scripts)
    done = [0]

    def tick(label: str) -> None:
        if progress is not None:
            progress(done[0], total, label)
        done[0] += 1

    start = time.perf_counter()
    for path in scripts:
        tick(f"parse {path.stem}")
        for command in read_script(path):
            module = command.get("module")
            if isinstance(module, ScriptModule) and module.form != "binary":
                with contextlib.suppress(WasmError):  # malformed on purpose, many of them
                    module.load(module_decode)
                report.modules += 1
    report.parse_seconds = time.perf_counter() - start
    stems = [p.stem for p in scripts]
    report.json_seconds, report.json_passed, report.json_failed = _run(
        suite / "json", stems, lambda n: tick(f"run json {n}"))
    report.wast_seconds, report.wast_passed, report.wast_failed = _run(
        wast, stems, lambda n: tick(f"run wast {n}"))
    if progress is not None:
        progress(total, total, "")
    return report


def format_table(report: TextBenchReport) -> str:
    """The report as a table."""
    rows = [("step", "seconds", "commands passed / failed"),
            ("parse", f"{report.parse_seconds:.2f}", f"{report.modules:,} text modules"),
            ("run json", f"{report.json_seconds:.2f}",
             f"{report.json_passed:,} / {report.json_failed:,}"),
            ("run wast", f"{report.wast_seconds:.2f}",
             f"{report.wast_passed:,} / {report.wast_failed:,}")]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = ["  ".join(c.ljust(widths[i]) for i, c in enumerate(r)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    verdict = "within" if report.share < TARGET_SHARE else "ABOVE"
    lines += ["", f"parse / run json: {report.share:.1%} ({verdict} the 1/3 target)",
              f"{report.scripts} scripts of {report.suite}; Python {report.python}."]
    return "\n".join(lines)


def to_json(report: TextBenchReport) -> str:
    """The report as JSON."""
    data = asdict(report)
    data.update(benchmark="text", share=report.share, ok=report.ok)
    return json.dumps(data, indent=2, sort_keys=True)
