"""``supervm demo``: the seed node's demos (seed README, "运行演示").

``supervm demo --once`` runs every demo once and exits with status 0 (the seed's ``--once``
flag for CI); without ``--once`` it runs them and then keeps running as the seed's node
(spec/node.md): a steady workload persisted to ``--data`` (RocksDB, auto-flush), metrics
served on ``--port``, until SIGTERM (exit 0) or Ctrl-C (exit 130), each after a final flush.
A demo that fails under the configuration's limits (a gas limit or host limit too small for
it) is reported in one line with exit status 1; a configuration that cannot be loaded, or a
data directory that cannot be opened, is exit status 2.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from ..config import ConfigError, load_config
from ..demos import (
    demo1_add,
    demo2_context,
    demo3_hashes,
    demo4_eth_address,
    demo5_parallel,
    demo6_snapshot,
    demo7_work_stealing,
    demo8_objects,
    demo9_routing,
    demo10_privacy,
)
from ..errors import SuperVMError
from ..metrics import MetricsServerError
from ..node import Node, NodeConfig, WorkloadConfig
from ..persistence import AutoFlushConfig
from .options import MAX_SECONDS, bounded_float, bounded_int

DEMOS = (demo1_add, demo2_context, demo3_hashes, demo4_eth_address, demo5_parallel,
         demo6_snapshot, demo7_work_stealing, demo8_objects, demo9_routing, demo10_privacy)


def _log(line: str) -> None:
    print(f"INFO supervm: {line}", flush=True)


#: The exit status after Ctrl-C (as every command, supervm_ref/cli/__init__.py).
EXIT_INTERRUPTED = 130


def run_demos(args: argparse.Namespace) -> int:
    """NODE-RUN-1: run the demos once, then (without ``--once``) the node."""
    try:
        config = load_config(args.config)
    except ConfigError as e:
        print(f"supervm demo: {e}", file=sys.stderr)
        return 2
    source = config.source or "defaults"
    _log(f"Starting node (reference) with config: {source}")
    for demo in DEMOS:
        try:
            demo.run(_log, config)
        except SuperVMError as e:  # the configured limits do not let the demo's calls finish
            name = demo.__name__.rsplit(".", 1)[-1]
            print(f"supervm demo: {name} failed with the configuration {source}: {e}",
                  file=sys.stderr)
            return 1
    if args.once:
        return 0
    return run_node(args)


def run_node(args: argparse.Namespace) -> int:
    """NODE-RUN-1, NODE-STOP-1: the node until SIGTERM (0), Ctrl-C (130) or ``--rounds``. The
    signal handlers are installed before the node is built, so a signal during startup (the
    database, the genesis) ends it cleanly too."""
    command = f"supervm {getattr(args, 'command', None) or 'node'}"
    if not args.data:
        print(f"{command}: --data: expected a directory, found an empty path", file=sys.stderr)
        return 2
    config = NodeConfig(
        data_dir=Path(args.data), port=args.port, interval_seconds=args.interval,
        rounds=args.rounds,
        auto_flush=AutoFlushConfig(enable=True, interval_seconds=args.flush_interval,
                                   block_trigger_threshold=args.flush_blocks),
        workload=WorkloadConfig(seed=args.seed))
    received: list[int] = []
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        return _serve(command, config, stop, received)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _serve(command: str, config: NodeConfig, stop: threading.Event,
           received: list[int]) -> int:
    """NODE-RUN-1, NODE-STOP-1: build and run the node; one line and a status for each
    failure."""
    try:
        node = Node(config, log=_log, stop=stop)
    except MetricsServerError as e:
        print(f"{command}: {e}", file=sys.stderr)
        return 2
    except SuperVMError as e:
        print(f"{command}: cannot open the data directory {config.data_dir}: {e}",
              file=sys.stderr)
        return 2
    try:
        report = node.run(on_round=lambda r: _log(
            f"round {r.round}: block {r.block_ok} ok {r.block_failed} failed, transfers "
            f"{r.transfers_committed} committed {r.transfers_aborted} aborted"))
    except SuperVMError as e:
        print(f"{command}: the node stopped: {e}", file=sys.stderr)
        return 1
    _log(f"stopped after {report.rounds_run} rounds (round {report.rounds_total}, flush point "
         f"{report.flush_point}, tokens {report.token_total})")
    return EXIT_INTERRUPTED if signal.SIGINT in received else 0


def node_options(p: argparse.ArgumentParser) -> None:
    """The node's options (NODE-RUN-1), shared by ``demo`` and ``node``."""
    p.add_argument("--data", metavar="DIR", default="supervm-data",
                   help="the node's RocksDB data directory, created when missing; a node "
                        "restarted on it resumes (default supervm-data)")
    p.add_argument("--port", type=bounded_int(0, 65535), default=8080, metavar="N",
                   help="serve /metrics and /summary on 127.0.0.1:N, 0 for a free port "
                        "(default 8080)")
    p.add_argument("--interval", type=bounded_float(0.0, MAX_SECONDS), default=1.0,
                   metavar="SECONDS",
                   help=f"seconds between the node's rounds, 0 to {MAX_SECONDS:g} (default 1)")
    p.add_argument("--rounds", type=bounded_int(1, 10**9), default=None, metavar="N",
                   help="stop the node after N rounds (default: run until SIGTERM or Ctrl-C)")
    p.add_argument("--flush-interval", type=bounded_float(0.001, MAX_SECONDS), default=5.0,
                   metavar="SECONDS", help="auto-flush every SECONDS (default 5)")
    p.add_argument("--flush-blocks", type=bounded_int(1, 10**9), default=10, metavar="N",
                   help="auto-flush after every N blocks (default 10)")
    p.add_argument("--seed", type=bounded_int(0, 2**32 - 1), default=0, metavar="N",
                   help="seed of the node's workload (default 0)")


def register(sub: Any) -> None:
    """Add the ``demo`` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "demo", help="run the demos (add; events + storage + context; ...; objects, routing, "
                     "privacy)",
        description="Run the seed node's demos through the reference engine; without --once, "
                    "then run as a node: rounds of fast, consensus and private transactions "
                    "and token transfers, persisted to --data (RocksDB, auto-flush), metrics "
                    "on http://127.0.0.1:PORT/metrics and /summary; SIGTERM (exit 0) or "
                    "Ctrl-C (exit 130) stops it after a final flush, and a restart on the same "
                    "--data resumes (spec/node.md).")
    p.add_argument("--once", action="store_true", help="run every demo once and exit")
    p.add_argument("--config", metavar="PATH", default=None,
                   help="configuration file (default: supervm.toml or config.toml in the "
                        "working directory if present, else built-in defaults)")
    node_options(p)
    p.set_defaults(func=run_demos)

    n: argparse.ArgumentParser = sub.add_parser(
        "node", help="run the node alone (what demo does after the demos without --once)",
        description="Run the node without the demos (spec/node.md): rounds of fast, consensus "
                    "and private transactions and token transfers, persisted to --data "
                    "(RocksDB, auto-flush), metrics on http://127.0.0.1:PORT/metrics and "
                    "/summary; SIGTERM (exit 0) or Ctrl-C (exit 130) stops it after a final "
                    "flush, and a restart on the same --data resumes.")
    node_options(n)
    n.set_defaults(func=run_node)
