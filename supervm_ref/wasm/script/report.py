"""Reports of a test-suite run: the per-file table, the totals and their JSON form.

Commands are counted in three groups (`runner.GROUPS`): *execution* (``module``, ``register``,
``action``, ``assert_return``, ``assert_trap``, ``assert_exhaustion``,
``assert_uninstantiable``), *validation* (binary ``assert_malformed``, ``assert_invalid``,
``assert_unlinkable``) and *n/a* (modules in the text format, which this engine cannot read).
The pass percentage of a group is passed / (passed + failed), 100 when the group is empty.
Everything is sorted, so the same run always prints the same report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .runner import EXECUTION, FAILED, NOT_APPLICABLE, PASSED, VALIDATION, FileResult


@dataclass(frozen=True, slots=True)
class GroupCount:
    """Passed and failed commands of one group."""

    passed: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        """Commands counted (passed + failed)."""
        return self.passed + self.failed

    @property
    def percent(self) -> float:
        """The pass percentage (100.0 when nothing was counted)."""
        return 100.0 if self.total == 0 else 100.0 * self.passed / self.total

    def __add__(self, other: GroupCount) -> GroupCount:
        return GroupCount(self.passed + other.passed, self.failed + other.failed)


@dataclass(frozen=True, slots=True)
class Summary:
    """Counts of one file or of a whole run: the two groups and the not-applicable commands."""

    execution: GroupCount = GroupCount()
    validation: GroupCount = GroupCount()
    not_applicable: int = 0

    def __add__(self, other: Summary) -> Summary:
        return Summary(self.execution + other.execution, self.validation + other.validation,
                       self.not_applicable + other.not_applicable)


def summarize(result: FileResult) -> Summary:
    """The group counts of one file."""
    counts = {EXECUTION: [0, 0], VALIDATION: [0, 0]}
    na = 0
    for c in result.commands:
        if c.outcome == NOT_APPLICABLE or c.group not in counts:
            na += 1
        else:
            counts[c.group][0 if c.outcome == PASSED else 1] += 1
    return Summary(GroupCount(*counts[EXECUTION]), GroupCount(*counts[VALIDATION]), na)


def total(results: Sequence[FileResult]) -> Summary:
    """The group counts of a whole run."""
    s = Summary()
    for r in results:
        s = s + summarize(r)
    return s


def kind_counts(results: Sequence[FileResult]) -> dict[str, dict[str, int]]:
    """Per command kind: how many passed, failed and were not applicable (keys sorted)."""
    counts: dict[str, dict[str, int]] = {}
    for r in results:
        for c in r.commands:
            slot = counts.setdefault(c.kind, {PASSED: 0, FAILED: 0, NOT_APPLICABLE: 0})
            slot[c.outcome if c.outcome in slot else FAILED] += 1
    return {k: counts[k] for k in sorted(counts)}


def failure_causes(results: Sequence[FileResult]) -> list[tuple[str, str, int, list[str]]]:
    """Failures grouped by (command kind, cause): (kind, cause, count, files), most frequent
    first, then by kind and cause."""
    groups: dict[tuple[str, str], tuple[int, set[str]]] = {}
    for r in results:
        for c in r.commands:
            if c.outcome == FAILED:
                n, files = groups.get((c.kind, c.cause), (0, set()))
                files.add(r.name)
                groups[(c.kind, c.cause)] = (n + 1, files)
    rows = [(k, cause, n, sorted(files)) for (k, cause), (n, files) in groups.items()]
    return sorted(rows, key=lambda row: (-row[2], row[0], row[1]))


def threshold_failures(summary: Summary, min_execution: float,
                       min_validation: float) -> list[str]:
    """The groups whose pass percentage is below its threshold, as messages (empty: all
    thresholds met)."""
    problems = []
    for name, group, minimum in ((EXECUTION, summary.execution, min_execution),
                                 (VALIDATION, summary.validation, min_validation)):
        if group.percent < minimum:
            problems.append(f"{name} pass rate {group.percent:.2f}% is below {minimum:g}%")
    return problems


def _pct(g: GroupCount) -> str:
    return f"{g.percent:.2f}%"


def format_table(results: Sequence[FileResult], verbose: bool = False) -> str:
    """The per-file table and the totals; with ``verbose`` also every failure, the failures
    grouped by cause and the notes (trap texts that differ from the expected ones)."""
    ordered = sorted(results, key=lambda r: r.name)
    width = max([len("file"), len("TOTAL")] + [len(r.name) for r in ordered])
    header = (f"{'file':<{width}}  {'exec ok':>8} {'failed':>6}  "
              f"{'valid ok':>8} {'failed':>6}  {'n/a':>5}")
    lines = [header, "-" * len(header)]

    def row(name: str, s: Summary) -> str:
        return (f"{name:<{width}}  {s.execution.passed:>8} {s.execution.failed:>6}  "
                f"{s.validation.passed:>8} {s.validation.failed:>6}  {s.not_applicable:>5}")

    for r in ordered:
        lines.append(row(r.name, summarize(r)))
    t = total(ordered)
    lines += ["-" * len(header), row("TOTAL", t), ""]
    lines.append(f"execution:  {t.execution.passed}/{t.execution.total} passed "
                 f"({_pct(t.execution)})")
    lines.append(f"validation: {t.validation.passed}/{t.validation.total} passed "
                 f"({_pct(t.validation)})")
    lines.append(f"not applicable (text format): {t.not_applicable}")
    if verbose:
        failures = [(r.name, c) for r in ordered for c in r.commands if c.outcome == FAILED]
        if failures:
            lines += ["", "failures:"]
            lines += [f"  {name}:{c.line}: {c.kind}: {c.cause}: {c.detail}"
                      for name, c in failures]
            lines += ["", "failures by cause:"]
            lines += [f"  {n:>6}  {kind}: {cause}  ({', '.join(files)})"
                      for kind, cause, n, files in failure_causes(ordered)]
        notes = [(r.name, c) for r in ordered for c in r.commands if c.note]
        if notes:
            lines += ["", "notes (passed):"]
            lines += [f"  {name}:{c.line}: {c.kind}: {c.note}" for name, c in notes]
    return "\n".join(lines)


def _group_json(g: GroupCount) -> dict[str, Any]:
    return {"passed": g.passed, "failed": g.failed, "percent": round(g.percent, 4)}


def _summary_json(s: Summary) -> dict[str, Any]:
    return {EXECUTION: _group_json(s.execution), VALIDATION: _group_json(s.validation),
            NOT_APPLICABLE: s.not_applicable}


def to_json(results: Sequence[FileResult]) -> dict[str, Any]:
    """The report as JSON-ready data: per file the group and per-kind counts, the totals, the
    failures (file, line, kind, cause, detail), the failures grouped by cause, and the notes."""
    ordered = sorted(results, key=lambda r: r.name)
    files = {r.name: {"groups": _summary_json(summarize(r)), "kinds": kind_counts([r])}
             for r in ordered}
    t = total(ordered)
    return {
        "files": files,
        "totals": {"groups": _summary_json(t), "kinds": kind_counts(ordered),
                   "files": len(ordered)},
        "failures": [{"file": r.name, "line": c.line, "kind": c.kind, "cause": c.cause,
                      "detail": c.detail}
                     for r in ordered for c in r.commands if c.outcome == FAILED],
        "causes": [{"kind": k, "cause": cause, "count": n, "files": fs}
                   for k, cause, n, fs in failure_causes(ordered)],
        "notes": [{"file": r.name, "line": c.line, "kind": c.kind, "note": c.note}
                  for r in ordered for c in r.commands if c.note],
    }
