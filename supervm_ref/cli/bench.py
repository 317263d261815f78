"""``supervm bench``: benchmarks, one sub-subcommand each.

``supervm bench engine [--quick] [--json] [--repeat N] [--no-pywasm]`` times the WebAssembly
engine on four workloads and, when pywasm is installed, the same work on pywasm
(`supervm_ref.bench.engine`).

``supervm bench runtime [--quick] [--json] [--transfers N]`` measures token transfers per second
on the reference runtime and on the wasmtime backend (when ``supervm-ref[wasmtime]`` is
installed), and their ratio (`supervm_ref.bench.runtime`).

``supervm bench parallel [--quick] [--json] [--block-size N] [--seed N] [--plot FILE.png]`` runs
Block-STM's p2p workload in the deterministic simulator (`supervm_ref.bench.parallel`).

``supervm bench zk-latency [--count N] [--json] [--serve-metrics[:PORT]]`` times Groth16
verification on the reference and the fast verifier (`supervm_ref.bench.zk`, spec/privacy.md
ZK-BENCH-1).

``supervm bench mixed-path [--txs N] [--owned-ratio R] [--privacy-ratio P]
[--privacy-latency-ms L] [--block-size N] [--seed N] [--zk-backend NAME] [--json]
[--serve-metrics[:PORT]]`` is the
seed's ``mixed_path_bench``: a seeded mix of fast, consensus and privacy transactions through a
SuperVM, with the seed's ``bench_*`` and ``vm_routing_*`` figures (`supervm_ref.bench.mixed_path`,
spec/routing.md ROUTE-BENCH-1). Its options also take the seed's ``--name:VALUE`` spelling
(`expand_colon_forms`), and ``PRIVACY_RATIO`` / ``PRIVACY_LATENCY_MS`` stand in for the options
not given, as in the seed.

``supervm bench persistence [--quick] [--json] [--keys N] [--commits N] [--interval S]`` times
the MVCC store on RocksDB: one flush of 10^5 keys, reopening, and commits with auto-flush off
and on side by side (`supervm_ref.bench.persistence`, spec/persistence.md).

``supervm bench metrics [--txns N] [--rounds N] [--json] [--plot FILE.png]`` measures MVCC
commit throughput with a `MetricsCollector` attached and without, in interleaved rounds, and the
overhead (`supervm_ref.bench.metrics`, spec/metrics.md METRIC-BENCH-2).

``--serve-metrics[:PORT]`` (zk-latency, mixed-path) serves the run's metrics on
http://127.0.0.1:PORT/metrics and /summary while it runs, as the seed's benches do
(spec/metrics.md METRIC-HTTP-5: ports 8082 and 8083, ``SUPERVM_ZK_BENCH_PORT``).

``--plot FILE.png`` (parallel, metrics: the benches whose results are series) also draws
them (`supervm_ref.bench.plot`); matplotlib is the extra ``plot``, and without it the command
names the extra and exits 2 before running.

Progress is shown on stderr when it is a terminal (`supervm_ref.cli.progress`), redrawn only
between timed runs.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..config import ConfigError
from .options import bounded_float, bounded_int
from .progress import CommandProgress

#: Upper bounds of the size options: far beyond the defaults, below sizes that exhaust memory.
MAX_REPEAT = 1_000
MAX_TRANSFERS = 10_000_000
MAX_BLOCK_SIZE = 1_000_000
MAX_SEED = 2**64 - 1
MAX_ZK_COUNT = 100_000
MAX_LATENCY_MS = 60_000.0
MAX_ROUNDS = 1_000

#: The options of ``bench mixed-path`` that also take the seed's ``--name:VALUE`` form.
COLON_OPTIONS = ("--txs", "--owned-ratio", "--privacy-ratio", "--privacy-latency-ms",
                 "--block-size", "--seed", "--zk-backend", "--serve-metrics")
#: METRIC-HTTP-5: the seed's ports of ``--serve-metrics`` without one: mixed_path_bench's, and
#: zk_latency_bench's (``SUPERVM_ZK_BENCH_PORT`` when set).
MIXED_PATH_PORT, ZK_BENCH_PORT = 8082, 8083
ZK_PORT_ENV = "SUPERVM_ZK_BENCH_PORT"
#: ``--serve-metrics`` given without a port.
DEFAULT_PORT = -1
#: The seed's environment variables of ``mixed_path_bench``: (variable, option, upper bound).
MIXED_PATH_ENV = (("PRIVACY_RATIO", "privacy_ratio", 1.0),
                  ("PRIVACY_LATENCY_MS", "privacy_latency_ms", MAX_LATENCY_MS))


def expand_colon_forms(argv: Sequence[str]) -> list[str]:
    """The seed's ``--privacy-ratio:0.15`` spelling of ``bench mixed-path``'s options, rewritten
    as ``--privacy-ratio=0.15`` for argparse (which then checks the value); other arguments,
    and everything after ``--``, are left as they are."""
    out = list(argv)
    if out[:2] not in (["bench", "mixed-path"], ["bench", "zk-latency"]):
        return out
    for i in range(2, len(out)):
        if out[i] == "--":
            break
        name, colon, value = out[i].partition(":")
        if colon and name in COLON_OPTIONS:
            out[i] = f"{name}={value}"
    return out


def mixed_path_env(args: argparse.Namespace, env: Mapping[str, str] | None = None) -> None:
    """ROUTE-BENCH-1: fill the options not given from the seed's variables (`MIXED_PATH_ENV`);
    the command line wins. A malformed value is a `ConfigError` naming the variable."""
    env = os.environ if env is None else env
    for variable, option, high in MIXED_PATH_ENV:
        if getattr(args, option) is not None or variable not in env:
            continue
        text = env[variable].strip()
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or not 0 <= value <= high:
            raise ConfigError(f"{variable}: expected a number from 0 to {high:g}, found "
                              f"{text[:40]!r}")
        setattr(args, option, value)


def zk_bench_port(env: Mapping[str, str] | None = None) -> int:
    """METRIC-HTTP-5: ``SUPERVM_ZK_BENCH_PORT`` (an integer from 0 to 65535, in ASCII decimal
    digits) or 8083; a malformed value (other digits such as ``'²'`` or fullwidth ones
    included) is a `ConfigError` naming the variable."""
    env = os.environ if env is None else env
    text = env.get(ZK_PORT_ENV, "").strip()
    if not text:
        return ZK_BENCH_PORT
    if not (text.isascii() and text.isdigit() and len(text) <= 5 and int(text) <= 65535):
        raise ConfigError(f"{ZK_PORT_ENV}: expected a port from 0 to 65535, found {text[:40]!r}")
    return int(text)


@contextlib.contextmanager
def serving(command: str, port: int | None, *sources: Any) -> Iterator[None]:
    """METRIC-HTTP-5: serve ``sources`` on 127.0.0.1:``port`` while the block runs (nothing
    when ``port`` is None), saying where on stderr; a port in use is `MetricsServerError`."""
    if port is None:
        yield
        return
    from ..metrics import MetricsServer

    with MetricsServer(port=port, registries=list(sources)) as server:
        print(f"{command}: serving metrics on {server.url}/metrics and /summary",
              file=sys.stderr, flush=True)
        yield


def _report(module: Any, report: Any, args: argparse.Namespace) -> int:
    """Print a benchmark report (table or JSON) and draw its chart when ``--plot`` asks;
    exit status 0 when its results were right, 2 when the chart cannot be written."""
    print(module.to_json(report) if args.json else module.format_table(report))
    if getattr(args, "plot", None) is not None:
        from ..bench.plot import PLOTS

        sys.stdout.flush()
        try:
            PLOTS[args.benchmark](report, args.plot)
        except OSError as e:
            print(f"supervm bench {args.benchmark}: cannot write {args.plot}: "
                  f"{e.strerror or e}", file=sys.stderr)
            return 2
        print(f"supervm bench {args.benchmark}: chart written to {args.plot}", file=sys.stderr)
    return 0 if report.ok else 1


def plot_usable(args: argparse.Namespace) -> bool:
    """Before a bench with ``--plot FILE`` runs: matplotlib is installed (the extra ``plot``)
    and FILE's folder exists; else one line on stderr and False (exit status 2), so a long run
    never ends without its chart."""
    if getattr(args, "plot", None) is None:
        return True
    from ..bench.plot import PlotUnavailable, require_matplotlib

    command = f"supervm bench {args.benchmark}"
    try:
        require_matplotlib()
    except PlotUnavailable as e:
        print(f"{command}: {e}", file=sys.stderr)
        return False
    folder = args.plot.parent
    if not folder.is_dir() or args.plot.is_dir():
        print(f"{command}: cannot write {args.plot}: "
              + ("it is a directory" if args.plot.is_dir() else f"no such directory {folder}"),
              file=sys.stderr)
        return False
    return True


def run_engine(args: argparse.Namespace) -> int:
    """Run ``bench engine``; exit status 0 when every workload computed the expected value."""
    from ..bench import engine

    with CommandProgress("bench engine", total_steps=len(engine.WORKLOADS),
                         timing=True) as progress:
        report = engine.run(quick=args.quick, repeat=args.repeat,
                            use_pywasm=not args.no_pywasm, progress=progress.step)
    return _report(engine, report, args)


def run_runtime(args: argparse.Namespace) -> int:
    """Run ``bench runtime``; exit status 0 when every transfer succeeded on every available
    backend and the backends agree."""
    from ..bench import runtime

    with CommandProgress("bench runtime", timing=True) as progress:
        report = runtime.run(quick=args.quick, transfers=args.transfers,
                             progress=progress.update)
    return _report(runtime, report, args)


def run_parallel(args: argparse.Namespace) -> int:
    """Run ``bench parallel``; exit status 0 when every parallel run reproduced the sequential
    result (SCHED-RESULT-1)."""
    from ..bench import parallel

    if not plot_usable(args):
        return 2
    with CommandProgress("bench parallel", timing=True) as progress:
        report = parallel.run(quick=args.quick, block_size=args.block_size, seed=args.seed,
                              progress=progress.update)
    return _report(parallel, report, args)


def run_zk_latency(args: argparse.Namespace) -> int:
    """Run ``bench zk-latency`` (ZK-BENCH-1); exit status 0 when every verification found the
    proof valid and the two evaluations of the equation agree, 2 for a bad environment
    variable or a missing workload (`ConfigError`, reported by `main`)."""
    from ..bench import zk
    from ..metrics import MetricsServerError, ZkLatencyRecorder

    port = zk_bench_port() if args.serve_metrics == DEFAULT_PORT else args.serve_metrics
    recorder = ZkLatencyRecorder(zk.settings_from_env()[1])
    try:
        with serving("bench zk-latency", port, recorder), \
                CommandProgress("bench zk-latency", timing=True) as progress:
            report = zk.run(args.count, progress=progress.update, recorder=recorder)
    except MetricsServerError as e:
        print(f"supervm bench zk-latency: {e}", file=sys.stderr)
        return 2
    return _report(zk, report, args)


def run_metrics(args: argparse.Namespace) -> int:
    """Run ``bench metrics`` (METRIC-BENCH-2); exit status 0 when the collector counted every
    commit of its rounds."""
    from ..bench import metrics

    if not plot_usable(args):
        return 2
    with CommandProgress("bench metrics", timing=True) as progress:
        report = metrics.run(args.txns, args.rounds, progress=progress.update)
    return _report(metrics, report, args)


def run_text(args: argparse.Namespace) -> int:
    """Run ``bench text`` (WASM-TEXT-BENCH-1); exit status 0 when parsing stayed under a third
    of the JSON suite run and both runs passed every command, 2 when there is no suite."""
    from ..bench import text
    from ..conformance.filler import FillerError
    from ..conformance.paths import RootNotFound, find_root

    try:
        root = find_root()
    except RootNotFound:
        root = Path.cwd()
    try:
        with CommandProgress("bench text", timing=True) as progress:
            report = text.run(root, args.file or None, progress=progress.update)
    except FillerError as e:
        print(f"supervm bench text: {e}", file=sys.stderr)
        return 2
    return _report(text, report, args)


def run_mixed_path(args: argparse.Namespace) -> int:
    """Run ``bench mixed-path`` (ROUTE-BENCH-1); exit status 0 when every transaction ran and
    succeeded, 2 for ratios summing over 1, a bad variable or a verifier backend that is not
    installed, 130 after Ctrl-C (the figures of what was done are printed first)."""
    from ..bench import mixed_path
    from ..config import load_config
    from ..metrics import BenchMetrics, MetricsServerError
    from ..privacy import zk_backend_status
    from ..routing import SuperVM

    mixed_path_env(args)
    owned = 0.7 if args.owned_ratio is None else args.owned_ratio
    privacy = 0.0 if args.privacy_ratio is None else args.privacy_ratio
    if owned + privacy > 1 + 1e-9:
        print(f"supervm bench mixed-path: the owned ratio {owned:g} and the privacy ratio "
              f"{privacy:g} sum to {owned + privacy:g}, more than 1", file=sys.stderr)
        return 2
    if args.zk_backend is not None and zk_backend_status()[args.zk_backend] is not None:
        print(f"supervm bench mixed-path: {zk_backend_status()[args.zk_backend]}",
              file=sys.stderr)
        return 2
    config = load_config(None)
    port = MIXED_PATH_PORT if args.serve_metrics == DEFAULT_PORT else args.serve_metrics
    bench_metrics = BenchMetrics()
    with contextlib.ExitStack() as stack:

        def serve(vm: SuperVM) -> None:  # METRIC-HTTP-5: once the SuperVM exists
            stack.enter_context(serving("bench mixed-path", port, vm, bench_metrics))

        try:
            with CommandProgress("bench mixed-path", timing=True) as progress:
                report = mixed_path.run(
                    txs=args.txs, owned_ratio=owned, privacy_ratio=privacy,
                    privacy_latency_ms=args.privacy_latency_ms or 0.0,
                    block_size=args.block_size, seed=args.seed, zk_backend=args.zk_backend,
                    router_config=config.routing, progress=progress.update,
                    metrics=bench_metrics, on_start=serve)
        except MetricsServerError as e:
            print(f"supervm bench mixed-path: {e}", file=sys.stderr)
            return 2
    status = _report(mixed_path, report, args)
    if report.interrupted:
        sys.stdout.flush()
        print("supervm: interrupted", file=sys.stderr, flush=True)
        return 130
    return status


def run_persistence(args: argparse.Namespace) -> int:
    """Run ``bench persistence``; exit status 0 when every part ran and every check held
    (every key flushed and reopened, the database equal to the store after auto-flush)."""
    from ..bench import persistence

    with CommandProgress("bench persistence", timing=True) as progress:
        report = persistence.run(quick=args.quick, keys=args.keys, commits=args.commits,
                                 interval_seconds=args.interval, progress=progress.update)
    return _report(persistence, report, args)


def register(sub: Any) -> None:
    """Add the ``bench`` subcommand and its benchmarks."""
    p: argparse.ArgumentParser = sub.add_parser(
        "bench", help="run a benchmark (engine, runtime, parallel, zk-latency, mixed-path, "
                      "persistence, metrics, text)",
        description="Run a benchmark. Benchmarks: engine, runtime, parallel, zk-latency, "
                    "mixed-path, persistence, metrics, text.")
    benches = p.add_subparsers(dest="benchmark", metavar="BENCHMARK")

    e = benches.add_parser(
        "engine", help="time the engine (and pywasm, when installed) on four workloads",
        description="Time fib(25), a 10^6-iteration loop, 10^4 calls through func_invoke and "
                    "1000 instantiations on supervm-ref and, when pywasm is installed, on "
                    "pywasm; print the times and their ratio.")
    e.add_argument("--quick", action="store_true", help="small sizes (a smoke test for CI)")
    e.add_argument("--json", action="store_true", help="print the report as JSON")
    e.add_argument("--repeat", type=bounded_int(1, MAX_REPEAT), default=1, metavar="N",
                   help=f"run each workload N times and keep the best, 1 to {MAX_REPEAT:,} "
                        "(default 1)")
    e.add_argument("--no-pywasm", action="store_true", help="do not run pywasm")
    e.set_defaults(func=run_engine)

    r = benches.add_parser(
        "runtime", help="token transfers per second on the reference and on wasmtime",
        description="Time token transfers (conformance/contracts/token.wasm, shipped with "
                    "the package) through Runtime.call on the reference runtime and on the "
                    "wasmtime backend (when installed: pip install 'supervm-ref[wasmtime]'; "
                    "without it that part is skipped and says so); print transfers per "
                    "second, their ratio, and whether both backends agree on storage and gas.")
    r.add_argument("--quick", action="store_true", help="few transfers (a smoke test for CI)")
    r.add_argument("--json", action="store_true", help="print the report as JSON")
    r.add_argument("--transfers", type=bounded_int(1, MAX_TRANSFERS), default=None,
                   metavar="N",
                   help=f"number of timed transfers, 1 to {MAX_TRANSFERS:,} (default 2000, "
                        "50 with --quick)")
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
    q.add_argument("--block-size", type=bounded_int(1, MAX_BLOCK_SIZE), default=None,
                   metavar="N",
                   help=f"transactions per block, 1 to {MAX_BLOCK_SIZE:,} (default 10000, "
                        "500 with --quick)")
    q.add_argument("--seed", type=bounded_int(0, MAX_SEED), default=0, metavar="N",
                   help="seed of the workload and schedule, 0 to 2**64 - 1 (default 0)")
    q.add_argument("--plot", type=Path, default=None, metavar="FILE.png",
                   help="also draw speedup against workers, a line per account count with its "
                        "critical-path bound dashed, as a PNG (needs matplotlib: "
                        "pip install 'supervm-ref[plot]')")
    q.set_defaults(func=run_parallel)

    z = benches.add_parser(
        "zk-latency", help="Groth16 verification latency, reference and fast verifier",
        description="Verify snarkjs's proof of $SUPERVM_EXTERNAL/snarkjs-groth16 N times on "
                    "the reference verifier (py_ecc) and on the fast one (zksnake, extra "
                    "fast-zk; 'not installed' without it); print p50, p95, average and last "
                    "latency over a sliding window, and four py_ecc pairing() calls against "
                    "the reference's one final exponentiation. Environment: "
                    "SUPERVM_ZK_BENCH_QPS (verifications per second, 0 = as fast as possible, "
                    "the default), SUPERVM_ZK_LAT_WIN (window size, default 64).")
    z.add_argument("--count", type=bounded_int(1, MAX_ZK_COUNT), default=20, metavar="N",
                   help=f"verifications per backend, 1 to {MAX_ZK_COUNT:,} (default 20)")
    z.add_argument("--json", action="store_true", help="print the report as JSON")
    z.add_argument("--serve-metrics", nargs="?", type=bounded_int(0, 65535), default=None,
                   const=DEFAULT_PORT, metavar="PORT",
                   help="serve vm_privacy_zk_verify_* on http://127.0.0.1:PORT/metrics and "
                        "/summary while it runs (default port $SUPERVM_ZK_BENCH_PORT or 8083; "
                        "also --serve-metrics:PORT)")
    z.set_defaults(func=run_zk_latency)

    m = benches.add_parser(
        "mixed-path", help="the seed's mixed_path_bench: fast, consensus and privacy paths",
        description="The seed's mixed_path_bench: a seeded workload of fast payments with owned "
                    "coins, consensus increments of shared counters and private payments "
                    "carrying a real snarkjs Groth16 proof, run through a SuperVM in blocks; "
                    "prints the seed's figures as 'name value' lines: bench_fastpath_*, "
                    "bench_consensus_*, bench_privacy_* (executed, failed, average latency in "
                    "ns, estimated TPS = 1e9 / latency) and vm_routing_* totals and ratios. "
                    "Counts and ratios are exact for a seed; latencies are measured. Options "
                    "also take the seed's --name:VALUE form (--privacy-ratio:0.15). "
                    "Environment, used when the option is not given: PRIVACY_RATIO, "
                    "PRIVACY_LATENCY_MS. Ctrl-C prints the figures so far (exit status 130).")
    m.add_argument("--txs", type=bounded_int(1, MAX_TRANSFERS), default=2000, metavar="N",
                   help=f"transactions, 1 to {MAX_TRANSFERS:,} (default 2000)")
    m.add_argument("--owned-ratio", type=bounded_float(0.0, 1.0), default=None, metavar="R",
                   help="share of fast (owned-object) transactions, 0 to 1 (default 0.7)")
    m.add_argument("--privacy-ratio", type=bounded_float(0.0, 1.0), default=None, metavar="P",
                   help="share of private transactions, 0 to 1 (default $PRIVACY_RATIO or 0); "
                        "the rest are consensus transactions")
    m.add_argument("--privacy-latency-ms", type=bounded_float(0.0, MAX_LATENCY_MS),
                   default=None, metavar="L",
                   help="milliseconds slept per private transaction on the privacy path, as "
                        "the seed's injected latency (default $PRIVACY_LATENCY_MS or 0)")
    m.add_argument("--block-size", type=bounded_int(1, MAX_BLOCK_SIZE), default=100,
                   metavar="N",
                   help=f"transactions per block, 1 to {MAX_BLOCK_SIZE:,} (default 100)")
    m.add_argument("--seed", type=bounded_int(0, MAX_SEED), default=0, metavar="N",
                   help="seed of the workload, 0 to 2**64 - 1 (default 0)")
    m.add_argument("--zk-backend", choices=("reference", "fast"), default=None,
                   help="Groth16 verifier of the private transactions (default fast when "
                        "installed: pip install 'supervm-ref[fast-zk]', else reference)")
    m.add_argument("--json", action="store_true", help="print the report as JSON")
    m.add_argument("--serve-metrics", nargs="?", type=bounded_int(0, 65535), default=None,
                   const=DEFAULT_PORT, metavar="PORT",
                   help="serve bench_* and vm_routing_* (and vm_privacy_zk_verify_*) on "
                        "http://127.0.0.1:PORT/metrics and /summary while it runs (default "
                        "port 8082; also the seed's --serve-metrics:PORT)")
    m.set_defaults(func=run_mixed_path)

    s = benches.add_parser(
        "persistence", help="the MVCC store on RocksDB: flush, reopen, auto-flush on and off",
        description="Time one flush_to_storage of 10^5 keys into a fresh RocksDB database "
                    "(keys/s, MB/s), reopening it (RocksDBStorage + MvccStore.open), and "
                    "one-key commits with auto-flush off and on side by side in alternating "
                    "rounds; checks that every key was flushed and reopened and that the "
                    "database equals the store after stop_auto_flush. Runs in a temporary "
                    "directory.")
    s.add_argument("--quick", action="store_true", help="small sizes (a smoke test for CI)")
    s.add_argument("--json", action="store_true", help="print the report as JSON")
    s.add_argument("--keys", type=bounded_int(1, MAX_TRANSFERS), default=None, metavar="N",
                   help=f"keys in the timed flush, 1 to {MAX_TRANSFERS:,} (default 100,000, "
                        "2,000 with --quick)")
    s.add_argument("--commits", type=bounded_int(4, MAX_TRANSFERS), default=None, metavar="N",
                   help=f"timed commits per store, 4 to {MAX_TRANSFERS:,} (default 20,000, "
                        "400 with --quick)")
    s.add_argument("--interval", type=bounded_float(0.0, 3600.0, low_open=True), default=0.05,
                   metavar="SECONDS",
                   help="auto-flush interval of the 'on' store, more than 0, at most 3600 "
                        "(default 0.05)")
    s.set_defaults(func=run_persistence)
    mt = benches.add_parser(
        "metrics", help="MVCC commit throughput with metrics recording on and off",
        description="Commit N transactions on a fresh MvccStore per round, with a "
                    "MetricsCollector attached and without, in interleaved rounds (the order "
                    "alternates); print commits per second of each side's best round and the "
                    "overhead of recording metrics in percent (target: below 10%).")
    mt.add_argument("--txns", type=bounded_int(1, MAX_TRANSFERS), default=20_000, metavar="N",
                    help=f"commits per round, 1 to {MAX_TRANSFERS:,} (default 20,000)")
    mt.add_argument("--rounds", type=bounded_int(1, MAX_ROUNDS), default=5, metavar="N",
                    help=f"rounds per side, 1 to {MAX_ROUNDS:,} (default 5)")
    mt.add_argument("--json", action="store_true", help="print the report as JSON")
    mt.add_argument("--plot", type=Path, default=None, metavar="FILE.png",
                    help="also draw commits per second of every round, recording off and on, "
                         "as a PNG (needs matplotlib: pip install 'supervm-ref[plot]')")
    mt.set_defaults(func=run_metrics)

    tx = benches.add_parser(
        "text", help="the text format: parsing the .wast suite against running it",
        description="Time reading every .wast script of the official suite and parsing every "
                    "text module in it, running the suite from the wast2json output, and "
                    "running it from the .wast sources; the target is parsing under a third "
                    "of the JSON run (spec/wasm-text.md WASM-TEXT-BENCH-1). The suite is "
                    "$SUPERVM_EXTERNAL/wasm-testsuite, else shared/external beside the "
                    "checkout.")
    tx.add_argument("--file", nargs="+", metavar="NAME", default=None,
                    help="only these scripts (names without .wast)")
    tx.add_argument("--json", action="store_true", help="print the report as JSON")
    tx.set_defaults(func=run_text)

    def usage(args: argparse.Namespace) -> int:
        p.print_help()
        return 2

    p.set_defaults(func=usage)
