"""``supervm demo``: the seed node's demos (seed README, "运行演示").

``supervm demo --once`` runs every demo once and exits with status 0 (the seed's ``--once``
flag for CI); without ``--once`` it runs them and then repeats every ``--interval`` seconds
until interrupted, as the seed node did.
"""

from __future__ import annotations

import argparse
import sys
import time
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
)

DEMOS = (demo1_add, demo2_context, demo3_hashes, demo4_eth_address, demo5_parallel,
         demo6_snapshot, demo7_work_stealing)


def _log(line: str) -> None:
    print(f"INFO supervm: {line}", flush=True)


def run_demos(args: argparse.Namespace) -> int:
    """Run the demos (once, or repeatedly until Ctrl-C)."""
    try:
        config = load_config(args.config)
    except ConfigError as e:
        print(f"supervm demo: {e}", file=sys.stderr)
        return 2
    _log(f"Starting node (reference) with config: {config.source or 'defaults'}")
    while True:
        for demo in DEMOS:
            demo.run(_log, config)
        if args.once:
            return 0
        try:
            time.sleep(args.interval)
        except KeyboardInterrupt:
            return 0


def register(sub: Any) -> None:
    """Add the ``demo`` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "demo", help="run the seed demos (add; events + storage + context; ...)",
        description="Run the seed node's demos through the reference engine.")
    p.add_argument("--once", action="store_true", help="run every demo once and exit")
    p.add_argument("--config", metavar="PATH", default=None,
                   help="configuration file (default: supervm.toml or config.toml in the "
                        "working directory if present, else built-in defaults)")
    p.add_argument("--interval", type=float, default=5.0,
                   help="seconds between rounds without --once (default 5)")
    p.set_defaults(func=run_demos)
