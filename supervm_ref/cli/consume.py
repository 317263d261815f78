"""``supervm consume``: check a backend against conformance fixtures (spec/conformance.md,
CONF-CONSUME-*).

``--backend NAME`` runs a registered backend in process (``supervm_ref.backends``); any other
value is a command line (split like a shell would) of an external program speaking the JSON
protocol of CONF-PROTO-1, e.g. ``--backend "python -m supervm_ref.cli.t8n"``. The targets are
fixture files, folders, release archives (``supervm fixtures pack``) or ``-`` (standard input).
``--storage rocksdb`` runs the call and batch fixtures on a RocksDB storage.
``--rule``, ``-k``, ``--area`` and ``--format`` select fixtures; ``-j N`` checks them in N
processes; ``-x`` stops at the first failure. Prints one line per file, every difference of
every failed fixture, the counts per rule and per format, and a summary (``--json``: one JSON
object). The report is the same, byte for byte, whatever ``-j``.

Exit status: 0 if every fixture passed, 1 if any failed (mismatch, unreadable, bad hash or
schema, an archive that does not match its index), 2 if nothing could be checked (unknown
backend, no schema, no fixture file, nothing selected).
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import sys
from pathlib import Path
from typing import Any

from ..backends import BackendError, backend_status, is_registered, load_backend
from ..conformance.consume import (
    STDIN,
    FileOutcome,
    FixtureSource,
    Runner,
    Selection,
    command_runner,
    consume,
    format_summary,
    python_runner,
    rule_summary,
)
from ..conformance.formats import FORMATS, build_schema
from ..conformance.paths import RootNotFound, find_root
from ..conformance.schema import SchemaError, load_schema
from ..conformance.storage import STORAGES
from .options import MAX_SECONDS, bounded_float, bounded_int
from .progress import CommandProgress

#: The most processes ``-j`` starts.
MAX_JOBS = 256
_RULE_GLOB = re.compile(r"[A-Z0-9*?!\[\]-]+")
_AREA = re.compile(r"[A-Za-z0-9_.-]+")


def _rule_glob(text: str) -> str:
    """An argparse type: a rule id or an ``fnmatch`` glob over rule ids."""
    if _RULE_GLOB.fullmatch(text) is None:
        raise argparse.ArgumentTypeError(
            f"expected a rule id or a glob over rule ids such as 'HOST-STORAGE-*' (capitals, "
            f"digits, '-', '*', '?', '[...]'), got {text[:40]!r}")
    return text


def _substring(text: str) -> str:
    """An argparse type: a non-empty piece of a fixture name (printable ASCII)."""
    if not text or not text.isprintable() or not text.isascii():
        raise argparse.ArgumentTypeError(
            f"expected part of a fixture name (printable ASCII, not empty), got {text[:40]!r}")
    return text


def _area(text: str) -> str:
    """An argparse type: a fixture file's name without ``.json``."""
    if _AREA.fullmatch(text) is None:
        raise argparse.ArgumentTypeError(
            f"expected a fixture file's name without .json (letters, digits, '_', '-', '.'), "
            f"got {text[:40]!r}")
    return text


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _where(o: FileOutcome) -> str:
    """How the report names a file: its path, ``ARCHIVE:MEMBER`` inside an archive,
    ``<stdin>`` for standard input."""
    if o.archive is not None:
        inside = "<stdin>" if o.archive == STDIN else _shown(o.archive)
        return f"{inside}:{o.path.as_posix()}"
    return "<stdin>" if o.path == STDIN else _shown(o.path)


def _runner(spec: str, timeout: float, storage: str = STORAGES[0]) -> Runner:
    if is_registered(spec):
        return python_runner(load_backend(spec), storage)
    if storage != STORAGES[0]:
        raise BackendError(spec, f"--storage {storage} needs a registered backend (the "
                                 "storage is built in process)")
    try:
        argv = shlex.split(spec)
    except ValueError as e:  # an unbalanced quote or a trailing backslash
        raise BackendError(spec, f"not a registered backend, and not a command line: {e}"
                           ) from None
    if not argv:
        raise BackendError(spec, "empty command")
    return command_runner(argv, timeout)


def _schema(args: argparse.Namespace) -> dict[str, Any]:
    """CONF-CONSUME-1: ``--schema``, else the schema of ``--root`` or of the repository
    around the current directory, else the registry's own (CONF-FORMAT-5)."""
    if args.schema:
        return load_schema(path=args.schema)
    if args.root:
        return load_schema(args.root)
    try:
        return load_schema(find_root())
    except RootNotFound:
        return build_schema()


def _summary(outcomes: list[FileOutcome]) -> dict[str, int]:
    fixtures = sum(len(o.fixtures) for o in outcomes)
    failed = sum(o.failed_count for o in outcomes)
    return {"files": len(outcomes), "files_failed": sum(not o.passed for o in outcomes),
            "fixtures": fixtures, "passed": fixtures - failed, "failed": failed}


def _print_counts(title: str, counts: dict[str, dict[str, int]]) -> None:
    """CONF-CONSUME-5: one line per rule (or format) with its passed and failed counts."""
    print(f"{title} ({len(counts)}):")
    width = max((len(key) for key in counts), default=0)
    for key, c in counts.items():
        print(f"  {key:<{width}}  passed {c['passed']}, failed {c['failed']}")


def _print_text(outcomes: list[FileOutcome], backend: str, stopped: bool) -> None:
    for o in outcomes:
        if o.error is not None:
            print(f"FAIL  {_where(o)}: {o.error}")
            continue
        if o.passed:
            print(f"PASS  {_where(o)}  ({len(o.fixtures)} fixtures)")
            continue
        print(f"FAIL  {_where(o)}  ({o.failed_count} of {len(o.fixtures)} failed)")
        for f in o.fixtures:
            if not f.passed:
                print(f"      {f.name}")
                for problem in f.problems:
                    print(f"        {problem}")
    _print_counts("rules", rule_summary(outcomes))
    _print_counts("formats", format_summary(outcomes))
    if stopped:
        print("stopped at the first failure (--exitfirst)")
    s = _summary(outcomes)
    print(f"consumed {s['fixtures']} fixture(s) in {s['files']} file(s) with backend "
          f"{backend!r}: {s['passed']} passed, {s['failed']} failed"
          + (f", {s['files_failed']} file(s) failed" if s["files_failed"] else ""))


def _as_json(outcomes: list[FileOutcome], args: argparse.Namespace,
             stopped: bool) -> dict[str, Any]:
    return {
        "backend": args.backend,
        "ok": all(o.passed for o in outcomes),
        "summary": _summary(outcomes),
        "selection": {"rules": args.rule, "name": args.k, "areas": args.area,
                      "formats": args.format},
        "stopped_at_first_failure": stopped,
        "rules": rule_summary(outcomes),
        "formats": format_summary(outcomes),
        "files": [{"path": _where(o), "passed": o.passed, "error": o.error,
                   "fixtures": len(o.fixtures),
                   "failures": [{"name": f.name, "problems": f.problems}
                                for f in o.fixtures if not f.passed]} for o in outcomes],
    }


def _targets(args: argparse.Namespace) -> list[Path | FixtureSource]:
    """The targets, standard input read for ``-``; `ValueError` for an unusable list."""
    if args.targets.count(STDIN) > 1:
        raise ValueError("'-' (standard input) may be given once")
    targets: list[Path | FixtureSource] = []
    for target in args.targets:
        if target == STDIN:
            targets.append(FixtureSource(STDIN, sys.stdin.buffer.read()))
        elif not target.exists():
            raise ValueError(f"{target} does not exist")
        else:
            targets.append(target)
    return targets


def run_consume(args: argparse.Namespace) -> int:
    """CONF-CONSUME-2: run the fixtures and report; see the module docstring for the exit
    status."""
    if args.list_backends:
        for name, reason in backend_status().items():
            print(f"{name}: {'available' if reason is None else reason}")
        return 0
    if not args.targets:
        print("supervm consume: give a fixture file or folder (or a release archive, or - "
              "for standard input)", file=sys.stderr)
        return 2
    try:
        schema = _schema(args)
        runner = _runner(args.backend, args.timeout, args.storage)
        targets = _targets(args)
    except (SchemaError, BackendError, ValueError) as e:
        print(f"supervm consume: {e}", file=sys.stderr)
        return 2
    selection = Selection(tuple(args.rule), args.k, tuple(args.area), tuple(args.format))
    try:
        with CommandProgress("consume") as progress:
            outcomes = consume(targets, schema, runner, progress.update, selection=selection,
                               jobs=args.jobs, exitfirst=args.exitfirst)
    except SchemaError as e:  # a --schema using keywords the validator does not know
        print(f"supervm consume: {e}", file=sys.stderr)
        return 2
    if not outcomes:
        what = ("no fixture matches the selection" if selection != Selection()
                else f"no *.json fixture file in {' '.join(map(str, args.targets))}")
        print(f"supervm consume: {what}", file=sys.stderr)
        return 2
    ok = all(o.passed for o in outcomes)
    stopped = args.exitfirst and not ok
    if args.json:
        print(json.dumps(_as_json(outcomes, args, stopped), indent=2, sort_keys=True))
    else:
        _print_text(outcomes, args.backend, stopped)
    return 0 if ok else 1


def register(sub: Any) -> None:
    """Add the ``consume`` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "consume", help="check a backend against conformance fixtures",
        description="Run every fixture of files, folders or release archives on a backend "
                    "and compare with what it expects (spec/conformance.md).")
    p.add_argument("targets", nargs="*", type=Path, metavar="TARGET",
                   help="a fixture file, a folder searched for *.json, a release archive "
                        "(supervm fixtures pack), or - to read one of these from standard "
                        "input")
    p.add_argument("--backend", default="reference", metavar="NAME|COMMAND",
                   help="a registered backend (see --list-backends; 'wasmtime' needs pip "
                        "install 'supervm-ref[wasmtime]') or the command line of an external "
                        "program speaking the t8n protocol (default reference)")
    p.add_argument("--storage", choices=STORAGES, default=STORAGES[0],
                   help="the storage the call and batch fixtures run on with a registered "
                        "backend: memory (default) or rocksdb, a RocksDBStorage in a "
                        "temporary directory per fixture (spec/persistence.md)")
    p.add_argument("--json", action="store_true", help="print one JSON report")
    p.add_argument("--schema", type=Path, default=None, metavar="PATH",
                   help="the fixture schema (default spec/conformance.schema.json of the "
                        "repository, or the built-in one outside a repository)")
    p.add_argument("--root", type=Path, default=None, metavar="DIR",
                   help="the repository root where spec/ is (default: found from the current "
                        "directory, then beside the package)")
    p.add_argument("--timeout", type=bounded_float(0.0, MAX_SECONDS, low_open=True),
                   default=120.0, metavar="SECONDS",
                   help=f"per fixture, for an external program: more than 0, at most "
                        f"{MAX_SECONDS:g} (default 120)")
    p.add_argument("--rule", action="append", type=_rule_glob, default=[], metavar="GLOB",
                   help="only fixtures listing a rule id that matches GLOB in _info.rules, "
                        "e.g. 'HOST-STORAGE-*' (repeatable: any of them)")
    p.add_argument("-k", type=_substring, default=None, metavar="SUBSTRING",
                   help="only fixtures whose name contains SUBSTRING")
    p.add_argument("--area", action="append", type=_area, default=[], metavar="NAME",
                   help="only the fixture files NAME.json, e.g. storage_api or g0 "
                        "(repeatable)")
    p.add_argument("--format", action="append", default=[],
                   choices=[fmt.name for fmt in FORMATS], metavar="NAME",
                   help="only fixtures of this format: "
                        + ", ".join(fmt.name for fmt in FORMATS) + " (repeatable)")
    p.add_argument("-j", "--jobs", type=bounded_int(1, MAX_JOBS), default=1, metavar="N",
                   help=f"check fixtures in N processes, 1 to {MAX_JOBS} (default 1); the "
                        "report is the same as with 1")
    p.add_argument("-x", "--exitfirst", action="store_true",
                   help="stop at the first failing fixture (exit status 1)")
    p.add_argument("--list-backends", action="store_true",
                   help="list the registered backends, whether they load and, when one does "
                        "not, how to install what it needs; then exit")
    p.set_defaults(func=run_consume)
