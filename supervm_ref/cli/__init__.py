"""The ``supervm`` command line (README.md lists the commands).

Each subcommand lives in its own module of this package and exposes ``register(subparsers)``,
which adds its parser and sets ``func`` to a callable taking the parsed arguments and returning
the exit status.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import bench, consume, demo, fill, spectest, t8n

SUBCOMMANDS = (demo, spectest, fill, consume, t8n, bench)


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="supervm",
        description="SuperVM reference interpreter: run the demos, the WebAssembly spec suite, "
                    "the conformance fixtures (fill / consume / t8n) and benchmarks.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in SUBCOMMANDS:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``supervm`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    status: int = args.func(args)
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
