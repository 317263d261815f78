"""``supervm consume``: check a backend against conformance fixtures (spec/conformance.md,
CONF-CONSUME-*).

``--backend NAME`` runs a registered backend in process (``supervm_ref.backends``); any other
value is a command line (split like a shell would) of an external program speaking the JSON
protocol of CONF-PROTO-1, e.g. ``--backend "python -m supervm_ref t8n"``. Prints one line per
file, every difference of every failed fixture, and a summary (``--json``: one JSON object).
Exit status: 0 if every fixture passed, 1 if any failed (mismatch, unreadable, bad hash or
schema), 2 if nothing could be checked (unknown backend, no schema, no fixture file).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path
from typing import Any

from ..backends import BackendError, backend_status, is_registered, load_backend
from ..conformance.consume import FileOutcome, Runner, command_runner, consume, python_runner
from ..conformance.paths import RootNotFound, find_root
from ..conformance.schema import SchemaError, load_schema
from .options import MAX_SECONDS, bounded_float
from .progress import CommandProgress


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _runner(spec: str, schema: dict[str, Any], timeout: float) -> Runner:
    if is_registered(spec):
        return python_runner(load_backend(spec))
    try:
        argv = shlex.split(spec)
    except ValueError as e:  # an unbalanced quote or a trailing backslash
        raise BackendError(spec, f"not a registered backend, and not a command line: {e}"
                           ) from None
    if not argv:
        raise BackendError(spec, "empty command")
    return command_runner(argv, schema, timeout)


def _summary(outcomes: list[FileOutcome]) -> dict[str, int]:
    fixtures = sum(len(o.fixtures) for o in outcomes)
    failed = sum(o.failed_count for o in outcomes)
    return {"files": len(outcomes), "files_failed": sum(not o.passed for o in outcomes),
            "fixtures": fixtures, "passed": fixtures - failed, "failed": failed}


def _print_text(outcomes: list[FileOutcome], backend: str) -> None:
    for o in outcomes:
        if o.error is not None:
            print(f"FAIL  {_shown(o.path)}: {o.error}")
            continue
        if o.passed:
            print(f"PASS  {_shown(o.path)}  ({len(o.fixtures)} fixtures)")
            continue
        print(f"FAIL  {_shown(o.path)}  ({o.failed_count} of {len(o.fixtures)} failed)")
        for f in o.fixtures:
            if not f.passed:
                print(f"      {f.name}")
                for problem in f.problems:
                    print(f"        {problem}")
    s = _summary(outcomes)
    print(f"consumed {s['fixtures']} fixture(s) in {s['files']} file(s) with backend "
          f"{backend!r}: {s['passed']} passed, {s['failed']} failed"
          + (f", {s['files_failed']} file(s) failed" if s["files_failed"] else ""))


def _as_json(outcomes: list[FileOutcome], backend: str) -> dict[str, Any]:
    return {
        "backend": backend,
        "ok": all(o.passed for o in outcomes),
        "summary": _summary(outcomes),
        "files": [{"path": _shown(o.path), "passed": o.passed, "error": o.error,
                   "fixtures": len(o.fixtures),
                   "failures": [{"name": f.name, "problems": f.problems}
                                for f in o.fixtures if not f.passed]} for o in outcomes],
    }


def run_consume(args: argparse.Namespace) -> int:
    """CONF-CONSUME-2: run the fixtures and report; see the module docstring for the exit
    status."""
    if args.list_backends:
        for name, reason in backend_status().items():
            print(f"{name}: {'available' if reason is None else reason}")
        return 0
    if args.target is None:
        print("supervm consume: give a fixture file or folder", file=sys.stderr)
        return 2
    try:
        schema = load_schema(path=args.schema) if args.schema else load_schema(
            args.root or find_root())
        runner = _runner(args.backend, schema, args.timeout)
    except (RootNotFound, SchemaError, BackendError) as e:
        print(f"supervm consume: {e}", file=sys.stderr)
        return 2
    if not args.target.exists():
        print(f"supervm consume: {args.target} does not exist", file=sys.stderr)
        return 2
    try:
        with CommandProgress("consume") as progress:
            outcomes = consume(args.target, schema, runner, progress.update)
    except SchemaError as e:  # a --schema using keywords the validator does not know
        print(f"supervm consume: {e}", file=sys.stderr)
        return 2
    if not outcomes:
        print(f"supervm consume: no *.json fixture file in {args.target}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(_as_json(outcomes, args.backend), indent=2, sort_keys=True))
    else:
        _print_text(outcomes, args.backend)
    return 0 if all(o.passed for o in outcomes) else 1


def register(sub: Any) -> None:
    """Add the ``consume`` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "consume", help="check a backend against conformance fixtures",
        description="Run every fixture of a file or folder on a backend and compare with its "
                    "post state (spec/conformance.md).")
    p.add_argument("target", nargs="?", type=Path, metavar="DIR_OR_FILE",
                   help="a fixture file, or a folder searched for *.json")
    p.add_argument("--backend", default="reference", metavar="NAME|COMMAND",
                   help="a registered backend (see --list-backends; 'wasmtime' needs pip "
                        "install 'supervm-ref[wasmtime]') or the command line of an external "
                        "program speaking the t8n protocol (default reference)")
    p.add_argument("--json", action="store_true", help="print one JSON report")
    p.add_argument("--schema", type=Path, default=None, metavar="PATH",
                   help="the fixture schema (default spec/conformance.schema.json of the "
                        "repository)")
    p.add_argument("--root", type=Path, default=None, metavar="DIR",
                   help="the repository root where spec/ is (default: found from the current "
                        "directory, then beside the package)")
    p.add_argument("--timeout", type=bounded_float(0.0, MAX_SECONDS, low_open=True),
                   default=120.0, metavar="SECONDS",
                   help=f"per fixture, for an external program: more than 0, at most "
                        f"{MAX_SECONDS:g} (default 120)")
    p.add_argument("--list-backends", action="store_true",
                   help="list the registered backends, whether they load and, when one does "
                        "not, how to install what it needs; then exit")
    p.set_defaults(func=run_consume)
