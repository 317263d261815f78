"""``supervm spectest``: run the official WebAssembly test suite, from its ``.wast`` sources or
from ``wast2json`` output (told apart by content, WASM-TEXT-SCRIPT-4).

Runs every ``NAME.wast`` of the directory, or else every subfolder ``NAME`` that holds
``NAME.json`` (sorted by name),
prints a per-file table of passed and failed commands in the *execution* and *validation*
groups (see `supervm_ref.wasm.script.report`) with totals and pass percentages, and exits with
status 1 when a group's pass percentage is below its threshold, 2 for a usage error or when
nothing could be checked (no such directory, no script in it, or no command any script ran).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .options import percentage
from .progress import CommandProgress

DEFAULT_MIN_EXECUTION = 99.5
DEFAULT_MIN_VALIDATION = 99.0

_EPILOG = f"""\
groups:
  execution   module, register, action, assert_return, assert_trap, assert_exhaustion,
              assert_uninstantiable
  validation  assert_malformed, assert_invalid, assert_unlinkable (binary modules)
  n/a         in wast2json output, commands on modules in the text format (.wat), which
              are not run and count neither as passed nor as failed; a folder of .wast
              scripts is run from the sources and has none

The exit status is 1 when a group's pass percentage is below its threshold:
  --min-pass-exec   execution  (default {DEFAULT_MIN_EXECUTION})
  --min-pass-valid  validation (default {DEFAULT_MIN_VALIDATION})
--min-pass sets both. The status is 2 for a usage error: no such directory, no script
(NAME.wast, or subfolder NAME holding NAME.json) in it, no script of that --file name,
or scripts in which no command could be run (a wrong directory must not pass as 0/0).
"""


def register(sub: Any) -> None:
    """Add the ``spectest`` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "spectest",
        help="run the WebAssembly spec test suite (.wast files or wast2json output)",
        description="Run the official WebAssembly test suite, from a folder of .wast scripts "
                    "or its conversion to JSON by wabt's wast2json, and report passed and "
                    "failed commands per file.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("directory", metavar="DIR", type=Path,
                   help="suite directory: NAME.wast scripts, or one subfolder NAME per "
                        "script holding NAME.json and its .wasm modules")
    p.add_argument("--min-pass", metavar="PCT", type=percentage, default=None,
                   help="minimum pass percentage of both groups, 0 to 100 (sets the two "
                        "options below)")
    p.add_argument("--min-pass-exec", metavar="PCT", type=percentage, default=None,
                   help=f"minimum execution pass percentage (default {DEFAULT_MIN_EXECUTION})")
    p.add_argument("--min-pass-valid", metavar="PCT", type=percentage, default=None,
                   help=f"minimum validation pass percentage (default "
                        f"{DEFAULT_MIN_VALIDATION})")
    p.add_argument("--json", action="store_true",
                   help="print the report as JSON (per-file, per-kind counts and failures)")
    p.add_argument("--verbose", "-v", action="store_true",
                   help="also list every failure, the failures by cause and the trap-text "
                        "notes; name each script on stderr as it starts")
    p.add_argument("--file", metavar="NAME", nargs="+", action="extend", dest="files",
                   default=None, help="run only these scripts (.wast stems or subfolder names)")
    p.set_defaults(func=run)


def thresholds(args: argparse.Namespace) -> tuple[float, float]:
    """The (execution, validation) minimum pass percentages from the options: the specific
    option, else --min-pass, else the default."""
    common = args.min_pass
    execution = args.min_pass_exec if args.min_pass_exec is not None else common
    validation = args.min_pass_valid if args.min_pass_valid is not None else common
    return (DEFAULT_MIN_EXECUTION if execution is None else execution,
            DEFAULT_MIN_VALIDATION if validation is None else validation)


def run(args: argparse.Namespace) -> int:
    """Run the suite as the options say; returns the exit status."""
    from ..wasm.script.report import format_table, threshold_failures, to_json, total
    from ..wasm.script.runner import find_scripts, run_script

    directory: Path = args.directory
    if not directory.is_dir():
        print(f"supervm spectest: no such directory: {directory}", file=sys.stderr)
        return 2
    names = sorted(set(args.files)) if args.files else None
    try:
        scripts = find_scripts(directory, names)
    except OSError as e:
        print(f"supervm spectest: cannot list {directory}: {e.strerror or e}", file=sys.stderr)
        return 2
    missing = sorted(set(names or ()) - {name for name, _ in scripts})
    if missing:
        print(f"supervm spectest: no script {', '.join(missing)} in {directory}",
              file=sys.stderr)
        return 2
    if not scripts:
        print(f"supervm spectest: no script in {directory}: expected NAME.wast files or "
              "subfolders NAME holding NAME.json (the output of wabt's wast2json)",
              file=sys.stderr)
        return 2
    results = []
    with CommandProgress("spectest") as progress:
        for done, (name, path) in enumerate(scripts):
            if args.verbose:
                progress.log(f"running {name}")

            def within(k: int, n: int, done: int = done, name: str = name) -> None:
                progress.update(done, len(scripts), f"{name} {k}/{n}")

            results.append(run_script(path, name,
                                      progress=within if progress.enabled else None))
    min_exec, min_valid = thresholds(args)
    summary = total(results)
    problems = threshold_failures(summary, min_exec, min_valid)
    if args.json:
        data = to_json(results)
        data["thresholds"] = {"execution": min_exec, "validation": min_valid}
        data["ok"] = not problems
        print(json.dumps(data, indent=1, sort_keys=True))
    else:
        print(format_table(results, verbose=args.verbose))
        for problem in problems:
            print(f"FAIL: {problem}")
    if summary.execution.total + summary.validation.total == 0:
        print(f"supervm spectest: no command of the {len(scripts)} script(s) in {directory} "
              "could be run (text-format modules are not applicable)", file=sys.stderr)
        return 2
    return 1 if problems else 0
