"""The ``supervm`` command line (README.md lists the commands).

Each subcommand lives in its own module of this package and exposes ``register(subparsers)``,
which adds its parser and sets ``func`` to a callable taking the parsed arguments and returning
the exit status. Numeric options are parsed by the shared types of `options`; long commands show
progress through `progress`.

`main` is where a run ends, whatever happens: a usage error or bad input is one line on stderr
and exit status 2 (1 for a check that failed), Ctrl-C is one line ``supervm: interrupted`` and
exit status 130, and a closed standard output (``supervm ... | head``) ends the run quietly.
No Python traceback is shown for any of these.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import threading
from collections.abc import Sequence

from ..config import ConfigError
from . import bench, call, consume, demo, fill, fixtures, mutate, spectest, t8n, wat2wasm, zk

SUBCOMMANDS = (demo, spectest, fill, consume, t8n, fixtures, zk, bench, mutate, call, wat2wasm)

#: The exit status after Ctrl-C (128 + SIGINT, as a shell reports it).
EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="supervm",
        description="SuperVM reference interpreter: run the demos, the WebAssembly spec suite, "
                    "the conformance fixtures (fill / consume / t8n / fixtures pack) and "
                    "benchmarks.",
        epilog="Exit status: 0 success, 1 a check failed, 2 usage error or unusable input, "
               "130 interrupted (Ctrl-C). Long commands show progress on stderr when it is a "
               "terminal (SUPERVM_PROGRESS=0 turns it off, 1 on).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in SUBCOMMANDS:
        module.register(sub)
    return parser


def _silence_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so that flushing it at exit is quiet."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _other_threads_running() -> bool:
    """Whether threads that the interpreter would wait for at exit are still running (the
    worker threads of a Block-STM run in ``mode="threads"`` finish their block first)."""
    return any(t.is_alive() and not t.daemon and t is not threading.main_thread()
               for t in threading.enumerate())


def _exit_now(status: int) -> None:  # pragma: no cover - ends the process
    """End the process at once, without waiting for other threads: every file a command
    writes is replaced atomically, so there is nothing to finish."""
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.flush()
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    os._exit(status)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``supervm`` console script; returns the exit status. Called without
    ``argv`` (as the program itself), Ctrl-C ends the process at once even when worker threads
    are still running."""
    parser = build_parser()
    try:
        args = parser.parse_args(bench.expand_colon_forms(sys.argv[1:] if argv is None
                                                          else argv))
        if not getattr(args, "func", None):
            parser.print_help()
            return 2
        status: int = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
        return status
    except KeyboardInterrupt:
        print("supervm: interrupted", file=sys.stderr, flush=True)
        if argv is None and _other_threads_running():
            _exit_now(EXIT_INTERRUPTED)
        return EXIT_INTERRUPTED
    except ConfigError as e:  # a configuration file read by any command
        print(f"supervm: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader of stdout went away (e.g. ``| head``)
        _silence_stdout()
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
