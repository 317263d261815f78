"""``supervm fill``: write the conformance fixtures from the fillers (spec/conformance.md,
CONF-FILL-3/4).

``supervm fill`` runs every filler of ``conformance/fillers/`` on the reference runtime, each
case filled by the fixture format its kind names (`supervm_ref.conformance.formats`), and
writes ``conformance/fixtures/<area>.json`` and the schema the registry of formats generates
(``spec/conformance.schema.json``, CONF-FORMAT-5); ``--check`` writes nothing and exits 1 if a
committed file differs from what filling produces (CI runs this through a test).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..conformance.fill import fill
from ..conformance.filler import FillerError
from ..conformance.paths import RootNotFound, find_root
from ..conformance.schema import SchemaError
from .consume import MAX_JOBS
from .options import bounded_int
from .progress import CommandProgress


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def run_fill(args: argparse.Namespace) -> int:
    """Fill (or check) the fixtures; 0 when done/up to date, 1 when ``--check`` finds a
    difference, 2 when a filler or the repository cannot be used or a file cannot be
    written."""
    try:
        root = args.root.resolve() if args.root else find_root()
        with CommandProgress("fill --check" if args.check else "fill") as progress:
            report = fill(root, args.output, args.areas or None, args.check,
                          progress.update, jobs=args.jobs)
    except (RootNotFound, FillerError, SchemaError) as e:
        print(f"supervm fill: {e}", file=sys.stderr)
        return 2
    except OSError as e:  # the output folder cannot be created or written
        print(f"supervm fill: cannot write {e.filename or args.output}: "
              f"{e.strerror or e}", file=sys.stderr)
        return 2
    total = sum(report.counts.values())
    for area, count in report.counts.items():
        print(f"{area}: {count} fixture(s)")
    for path in report.written:
        print(f"wrote {_shown(path)}")
    for path in report.outdated:
        print(f"outdated: {_shown(path)} differs from what filling produces")
    for path in report.stale:
        print(f"stale: {_shown(path)} has no filler (delete it or restore its filler)")
    verb = "checked" if args.check else "filled"
    print(f"{verb} {total} fixture(s) in {len(report.counts)} area(s)"
          + ("" if report.ok else f"; {len(report.outdated) + len(report.stale)} file(s) "
             "out of date (run 'supervm fill')"))
    return 0 if report.ok else 1


def register(sub: Any) -> None:
    """Add the ``fill`` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "fill", help="write conformance fixtures from the fillers (reference runtime)",
        description="Run conformance/fillers/*.py on the reference runtime and write "
                    "conformance/fixtures/<area>.json and, without --output, "
                    "spec/conformance.schema.json (spec/conformance.md).")
    p.add_argument("areas", nargs="*", metavar="AREA",
                   help="only these fillers (file names without .py); default all")
    p.add_argument("--output", type=Path, default=None, metavar="DIR",
                   help="where to write the fixtures (default conformance/fixtures/)")
    p.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 if a fixture file differs from a fresh fill")
    p.add_argument("--root", type=Path, default=None, metavar="DIR",
                   help="the repository root (default: found from the current directory, "
                        "then beside the package)")
    p.add_argument("-j", "--jobs", type=bounded_int(1, MAX_JOBS), default=1, metavar="N",
                   help=f"fill areas in N processes, 1 to {MAX_JOBS} (default 1); the files "
                        "are the same as with 1")
    p.set_defaults(func=run_fill)
