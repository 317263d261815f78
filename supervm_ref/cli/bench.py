"""``supervm bench``: benchmarks, one sub-subcommand each.

``supervm bench engine [--quick] [--json] [--repeat N] [--no-pywasm]`` times the WebAssembly
engine on four workloads and, when pywasm is installed, the same work on pywasm
(`supervm_ref.bench.engine`).

``supervm bench runtime [--quick] [--json] [--transfers N]`` measures token transfers per second
on the reference runtime and on the wasmtime backend, and their ratio
(`supervm_ref.bench.runtime`). Further benchmarks (``parallel``) register here the same way as
they land.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any


def _progress(args: argparse.Namespace) -> Callable[[str], None] | None:
    """Progress lines on stderr, unless the report is JSON."""
    if args.json:
        return None
    return lambda line: print(f"running {line}", file=sys.stderr, flush=True)


def _report(module: Any, report: Any, args: argparse.Namespace) -> int:
    """Print a benchmark report (table or JSON); exit status 0 when its results were right."""
    print(module.to_json(report) if args.json else module.format_table(report))
    return 0 if report.ok else 1


def run_engine(args: argparse.Namespace) -> int:
    """Run ``bench engine``; exit status 0 when every workload computed the expected value."""
    from ..bench import engine

    return _report(engine, engine.run(quick=args.quick, repeat=args.repeat,
                                      use_pywasm=not args.no_pywasm,
                                      progress=_progress(args)), args)


def run_runtime(args: argparse.Namespace) -> int:
    """Run ``bench runtime``; exit status 0 when every transfer succeeded on every available
    backend and the backends agree."""
    from ..bench import runtime

    return _report(runtime, runtime.run(quick=args.quick, transfers=args.transfers,
                                        progress=_progress(args)), args)


def run_parallel(args: argparse.Namespace) -> int:
    """Run ``bench parallel``; exit status 0 when every parallel run reproduced the sequential
    result (SCHED-RESULT-1)."""
    from ..bench import parallel

    return _report(parallel, parallel.run(quick=args.quick, block_size=args.block_size,
                                          seed=args.seed, progress=_progress(args)), args)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def register(sub: Any) -> None:
    """Add the ``bench`` subcommand and its benchmarks."""
    p: argparse.ArgumentParser = sub.add_parser(
        "bench", help="run a benchmark (engine, runtime, parallel)",
        description="Run a benchmark. Benchmarks: engine, runtime, parallel.")
    benches = p.add_subparsers(dest="benchmark", metavar="BENCHMARK")

    e = benches.add_parser(
        "engine", help="time the engine (and pywasm, when installed) on four workloads",
        description="Time fib(25), a 10^6-iteration loop, 10^4 calls through func_invoke and "
                    "1000 instantiations on supervm-ref and, when pywasm is installed, on "
                    "pywasm; print the times and their ratio.")
    e.add_argument("--quick", action="store_true", help="small sizes (a smoke test for CI)")
    e.add_argument("--json", action="store_true", help="print the report as JSON")
    e.add_argument("--repeat", type=_positive, default=1,
                   help="run each workload N times and keep the best (default 1)")
    e.add_argument("--no-pywasm", action="store_true", help="do not run pywasm")
    e.set_defaults(func=run_engine)

    r = benches.add_parser(
        "runtime", help="token transfers per second on the reference and on wasmtime",
        description="Time token transfers (conformance/contracts/token.wasm) through "
                    "Runtime.call on the reference runtime and on the wasmtime backend (when "
                    "the wasmtime package is installed); print transfers per second, their "
                    "ratio, and whether both backends agree on storage and gas.")
    r.add_argument("--quick", action="store_true", help="few transfers (a smoke test for CI)")
    r.add_argument("--json", action="store_true", help="print the report as JSON")
    r.add_argument("--transfers", type=_positive, default=None,
                   help="number of timed transfers (default 2000, 50 with --quick)")
    r.set_defaults(func=run_runtime)

    q = benches.add_parser(
        "parallel", help="Block-STM on the p2p workload in the deterministic simulator",
        description="Block-STM's p2p workload: transfers between 2, 10, 100, 1,000 and 10,000 "
                    "accounts on 1, 2, 4, 8, 16 and 32 virtual workers in the simulator (each "
                    "execution costs the gas it used); prints speedup over sequential, the "
                    "critical-path bound and executions per transaction, then real-thread "
                    "wall-clock times for 1 and 2 workers. Every run is checked against "
                    "sequential execution. The full table takes several minutes.")
    q.add_argument("--quick", action="store_true", help="small blocks (a smoke test for CI)")
    q.add_argument("--json", action="store_true", help="print the report as JSON")
    q.add_argument("--block-size", type=_positive, default=None,
                   help="transactions per block (default 10000, 500 with --quick)")
    q.add_argument("--seed", type=int, default=0, help="seed of the workload and schedule")
    q.set_defaults(func=run_parallel)

    def usage(args: argparse.Namespace) -> int:
        p.print_help()
        return 2

    p.set_defaults(func=usage)
