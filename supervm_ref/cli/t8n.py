"""``supervm t8n``: the reference implementation of the external backend protocol
(spec/conformance.md, CONF-PROTO-1).

Reads one JSON object ``{env, pre, transactions}`` (a fixture's encoding) on stdin, runs the
transactions on a registered backend (default the reference) and writes ``post`` — ``{results,
storage}`` — as one line of canonical JSON on stdout. Exit status 0 on success, 2 if the input
is not a valid object, 1 if the backend fails.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..backends import BackendError, load_backend
from ..conformance.encoding import EncodingError, canonical_json
from ..conformance.execute import BackendFailure, decode_input, execute
from ..conformance.schema import parse_json


def run_t8n(args: argparse.Namespace) -> int:
    """CONF-PROTO-1: stdin -> post on stdout."""
    try:
        raw = sys.stdin.buffer.read()
        if not raw.strip():
            raise ValueError("stdin is empty: expected one JSON object {env, pre, "
                             "transactions}")
        test = decode_input(parse_json(raw))
    except (ValueError, EncodingError) as e:
        print(f"supervm t8n: bad input: {e}", file=sys.stderr)
        return 2
    try:
        post = execute(load_backend(args.backend), test)
    except (BackendError, BackendFailure) as e:
        print(f"supervm t8n: {e}", file=sys.stderr)
        return 1
    sys.stdout.buffer.write(canonical_json(post) + b"\n")
    sys.stdout.flush()
    return 0


def register(sub: Any) -> None:
    """Add the ``t8n`` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "t8n", help="run one fixture input from stdin, write its post state to stdout",
        description="The external backend protocol of spec/conformance.md (CONF-PROTO-1): "
                    "read {env, pre, transactions} as JSON on stdin, write {results, storage} "
                    "as JSON on stdout.")
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
