"""``supervm t8n``: the reference implementation of the external backend protocol
(spec/conformance.md, CONF-PROTO-1).

Reads one JSON object on stdin -- the input of a fixture, whose ``fixture_format`` names its
format (a call input may leave it out) -- runs it the way its format says (the registry,
`supervm_ref.conformance.formats`) on a registered backend (default the reference) and writes
the format's output (a call's ``post``: ``{results, storage}``; an isolation script's outcome)
as one line of canonical JSON on stdout. Exit status 0 on success, 2 if the input is not a
valid input of a registered format, 1 if the backend fails.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..backends import BackendError, load_backend
from ..conformance.encoding import EncodingError, canonical_json
from ..conformance.execute import BackendFailure
from ..conformance.formats import FormatError, format_for_input
from ..conformance.schema import parse_json


def run_t8n(args: argparse.Namespace) -> int:
    """CONF-PROTO-1: stdin -> the format's output on stdout."""
    try:
        raw = sys.stdin.buffer.read()
        if not raw.strip():
            raise ValueError("stdin is empty: expected one JSON object, the input of a "
                             "fixture (e.g. {env, pre, transactions})")
        test = parse_json(raw)
        fmt = format_for_input(test)
        decoded = fmt.decode_input(test)
    except (ValueError, EncodingError, FormatError) as e:
        print(f"supervm t8n: bad input: {e}", file=sys.stderr)
        return 2
    try:
        output = fmt.execute(load_backend(args.backend), decoded)
    except (BackendError, BackendFailure) as e:
        print(f"supervm t8n: {e}", file=sys.stderr)
        return 1
    sys.stdout.buffer.write(canonical_json(output) + b"\n")
    sys.stdout.flush()
    return 0


def register(sub: Any) -> None:
    """Add the ``t8n`` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "t8n", help="run one fixture input from stdin, write its post state to stdout",
        description="The external backend protocol of spec/conformance.md (CONF-PROTO-1): "
                    "read a fixture's input as JSON on stdin (its fixture_format names its "
                    "format; a call's {env, pre, transactions} may leave it out) and write "
                    "the format's output as JSON on stdout (a call's {results, storage}).")
    p.add_argument("--backend", default="reference", metavar="NAME",
                   help="a registered backend (default reference; 'wasmtime' needs pip "
                        "install 'supervm-ref[wasmtime]')")
    p.set_defaults(func=run_t8n)


def main(argv: list[str] | None = None) -> int:
    """Run ``t8n`` alone (``python -m supervm_ref.cli.t8n``), without the full command line
    (errors and Ctrl-C are handled as by ``supervm``)."""
    from . import main as supervm_main

    return supervm_main(["t8n", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
