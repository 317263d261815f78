"""``supervm mutate``: measure how many catalogued bugs the conformance fixtures alone detect
(spec/mutation.md, MUT-*).

Runs the unmutated code on every fixture target first (it must pass), then each mutant of the
catalogue (`supervm_ref.mutation`) in subprocesses: ``consume`` of every fixture target on
every backend, stopping at the first that fails. Prints a table (``--json``: one object), the
detection rate, and exits 0 when the rate reaches ``--min-detection`` and every survivor is
explained in the catalogue, 1 otherwise, 2 for a usage error or when the baseline fails,
130 on Ctrl-C. ``--list`` prints the catalogue instead.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from ..backends import backend_status, is_registered
from ..conformance.paths import RootNotFound, find_root
from ..mutation import AREAS, CATALOGUE, Mutant, MutationError
from ..mutation.runner import DEFAULT_BACKENDS, MutantResult, MutationReport, measure
from .options import MAX_SECONDS, bounded_float, bounded_int, percentage
from .progress import CommandProgress


def select(patterns: list[str], areas: list[str]) -> list[Mutant]:
    """The mutants whose id matches one of ``patterns`` (exact or a glob; none: all) and whose
    area is one of ``areas`` (none: all), in catalogue order; `MutationError` for a pattern
    or area that selects nothing."""
    for area in areas:
        if area not in AREAS:
            raise MutationError(f"unknown area {area!r} (areas: {', '.join(AREAS)})")
    for p in patterns:
        if not any(fnmatch.fnmatchcase(m.mutant_id, p) for m in CATALOGUE):
            raise MutationError(f"no mutant matches {p!r} (supervm mutate --list shows them)")
    return [m for m in CATALOGUE
            if (not patterns or any(fnmatch.fnmatchcase(m.mutant_id, p) for p in patterns))
            and (not areas or m.area in areas)]


def _why(r: MutantResult) -> str:
    if r.verdict == "detected" and r.by is not None:
        return r.by.describe()
    if r.verdict == "error":
        return f"ERROR: {r.note}"
    if r.mutant.survives is None:
        return "UNEXPLAINED: no fixture detects it and the catalogue says nothing"
    s = r.mutant.survives
    return f"[{s.reason.value}] {s.explanation}"


def _print_text(report: MutationReport) -> None:
    width = max(len(r.mutant.mutant_id) for r in report.results)
    print(f"{'MUTANT':<{width}}  {'RESULT':<8}  {'SECONDS':>7}  DETECTED BY / WHY IT SURVIVES")
    for r in report.results:
        verdict = {"detected": "detected", "survived": "SURVIVED", "error": "ERROR"}[r.verdict]
        print(f"{r.mutant.mutant_id:<{width}}  {verdict:<8}  {r.seconds:>7.1f}  {_why(r)}")
    stale = [r.mutant.mutant_id for r in report.results if r.stale_explanation]
    if stale:
        print(f"note: detected although the catalogue says they survive: {', '.join(stale)}")
    print()
    by_area: dict[str, Counter[str]] = {}
    for r in report.results:
        by_area.setdefault(r.mutant.area, Counter())[r.verdict] += 1
    for area in AREAS:
        if area in by_area:
            c = by_area[area]
            total = sum(c.values())
            print(f"  {area:<10} {c['detected']:>3} of {total:>3} detected")
    survived = [r for r in report.results if r.verdict == "survived"]
    unexplained = sum(r.unexplained for r in survived)
    errors = sum(r.verdict == "error" for r in report.results)
    print(f"detected {report.detected} of {len(report.results)} mutant(s) by the fixtures alone:"
          f" {report.rate:.1f}% (threshold {report.min_detection:g}%); {len(survived)} "
          f"survived ({len(survived) - unexplained} explained, {unexplained} unexplained)"
          + (f", {errors} could not be installed" if errors else "")
          + f"; {report.seconds:.0f} s")


def _as_json(report: MutationReport) -> dict[str, Any]:
    def mutant(r: MutantResult) -> dict[str, Any]:
        by = r.by
        s = r.mutant.survives
        return {
            "id": r.mutant.mutant_id, "area": r.mutant.area,
            "description": r.mutant.description, "target": r.mutant.target,
            "result": r.verdict, "seconds": round(r.seconds, 2), "steps_run": len(r.steps),
            "detected_by": None if by is None else {
                "target": by.step.name, "backend": by.step.backend,
                "exit_status": by.status, "fixtures": by.failures, "detail": by.detail},
            "survival": None if s is None else {"reason": s.reason.value,
                                                 "explanation": s.explanation},
            "unexplained": r.unexplained, "note": r.note,
        }

    survived = [r for r in report.results if r.verdict == "survived"]
    return {
        "ok": report.ok,
        "min_detection": report.min_detection,
        "rate": round(report.rate, 2),
        "seconds": round(report.seconds, 1),
        "summary": {"mutants": len(report.results), "detected": report.detected,
                    "survived": len(survived),
                    "unexplained": sum(r.unexplained for r in survived),
                    "errors": sum(r.verdict == "error" for r in report.results)},
        "baseline": [{"step": b.step.label, "seconds": round(b.seconds, 2)}
                     for b in report.baseline],
        "mutants": [mutant(r) for r in report.results],
    }


def _print_list(mutants: list[Mutant], as_json: bool) -> None:
    if as_json:
        print(json.dumps([{"id": m.mutant_id, "area": m.area, "description": m.description,
                           "target": m.target, "hint": m.hint,
                           "survives": None if m.survives is None else m.survives.reason.value}
                          for m in mutants], indent=2))
        return
    for m in mutants:
        tag = f"  [survives: {m.survives.reason.value}]" if m.survives else ""
        print(f"{m.mutant_id}  ({m.target}){tag}\n    {m.description}")
    print(f"{len(mutants)} mutant(s)")


def run_mutate(args: argparse.Namespace) -> int:
    """MUT-RUN-*: see the module docstring for the exit status."""
    try:
        mutants = select(args.mutants, args.area or [])
    except MutationError as e:
        print(f"supervm mutate: {e}", file=sys.stderr)
        return 2
    if args.list:
        _print_list(mutants, args.json)
        return 0
    backends = args.backend or list(DEFAULT_BACKENDS)
    status = backend_status()
    for b in backends:
        if not is_registered(b):
            print(f"supervm mutate: unknown backend {b!r}", file=sys.stderr)
            return 2
        if status.get(b) is not None:
            print(f"supervm mutate: backend {b!r} is unavailable: {status[b]}", file=sys.stderr)
            return 2
    try:
        root = (args.root or find_root()).resolve()
    except RootNotFound as e:
        print(f"supervm mutate: {e}", file=sys.stderr)
        return 2
    targets = [t.resolve() for t in args.target] if args.target else None
    for t in targets or []:
        if not t.exists():
            print(f"supervm mutate: {t} does not exist", file=sys.stderr)
            return 2
    try:
        with CommandProgress("mutate") as progress:
            report = measure(root, mutants, targets=targets, backends=backends, jobs=args.jobs,
                             timeout=args.timeout, min_detection=args.min_detection,
                             progress=progress.update)
    except MutationError as e:
        print(f"supervm mutate: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(_as_json(report), indent=2, sort_keys=True))
    else:
        _print_text(report)
    return 0 if report.ok else 1


def register(sub: Any) -> None:
    """Add the ``mutate`` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "mutate", help="measure how many catalogued bugs the fixtures alone detect",
        description="Run every conformance fixture on every backend under each mutant of the "
                    "catalogue (spec/mutation.md) and report which mutants the fixtures "
                    "detect.")
    p.add_argument("mutants", nargs="*", metavar="MUTANT",
                   help="mutant ids or globs (e.g. 'gas/*'; default: the whole catalogue)")
    p.add_argument("--area", action="append", choices=AREAS, metavar="AREA",
                   help=f"only mutants of this area (repeatable): {', '.join(AREAS)}")
    p.add_argument("--backend", action="append", metavar="NAME",
                   help="a registered backend to consume on (repeatable; default "
                        f"{' and '.join(DEFAULT_BACKENDS)})")
    p.add_argument("--target", action="append", type=Path, metavar="PATH",
                   help="a fixture file or folder to consume (repeatable; default every file "
                        "of conformance/fixtures and every other fixture folder of "
                        "conformance/)")
    p.add_argument("-j", "--jobs", type=bounded_int(1, 64), default=2, metavar="N",
                   help="mutants run at the same time, 1 to 64 (default 2)")
    p.add_argument("--timeout", type=bounded_float(0.0, MAX_SECONDS, low_open=True),
                   default=None, metavar="SECONDS",
                   help="per consume (default: 10 times its baseline duration plus 30 s)")
    p.add_argument("--min-detection", type=percentage, default=95.0,
                   metavar="PCT", help="the detection rate below which the exit status is 1 "
                                       "(default 95)")
    p.add_argument("--json", action="store_true", help="print one JSON report")
    p.add_argument("--list", action="store_true", help="list the selected mutants and exit")
    p.add_argument("--root", type=Path, default=None, metavar="DIR",
                   help="the repository root (default: found from the current directory)")
    p.set_defaults(func=run_mutate)
