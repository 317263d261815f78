"""``supervm demo``: the seed node's demos (seed README, "运行演示").

``supervm demo --once`` runs every demo once and exits with status 0 (the seed's ``--once``
flag for CI); without ``--once`` it runs them and then repeats every ``--interval`` seconds
until interrupted (Ctrl-C: exit status 130), as the seed node did. A demo that fails under the
configuration's limits (a gas limit or host limit too small for it) is reported in one line
with exit status 1; a configuration that cannot be loaded is exit status 2.
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
    demo8_objects,
    demo9_routing,
    demo10_privacy,
)
from ..errors import SuperVMError
from .options import MAX_SECONDS, bounded_float

DEMOS = (demo1_add, demo2_context, demo3_hashes, demo4_eth_address, demo5_parallel,
         demo6_snapshot, demo7_work_stealing, demo8_objects, demo9_routing, demo10_privacy)


def _log(line: str) -> None:
    print(f"INFO supervm: {line}", flush=True)


def run_demos(args: argparse.Namespace) -> int:
    """Run the demos (once, or repeatedly until Ctrl-C)."""
    try:
        config = load_config(args.config)
    except ConfigError as e:
        print(f"supervm demo: {e}", file=sys.stderr)
        return 2
    source = config.source or "defaults"
    _log(f"Starting node (reference) with config: {source}")
    while True:
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
        time.sleep(args.interval)


def register(sub: Any) -> None:
    """Add the ``demo`` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "demo", help="run the demos (add; events + storage + context; ...; objects, routing, "
                     "privacy)",
        description="Run the seed node's demos through the reference engine; without --once, "
                    "repeat them until Ctrl-C (exit status 130).")
    p.add_argument("--once", action="store_true", help="run every demo once and exit")
    p.add_argument("--config", metavar="PATH", default=None,
                   help="configuration file (default: supervm.toml or config.toml in the "
                        "working directory if present, else built-in defaults)")
    p.add_argument("--interval", type=bounded_float(0.0, MAX_SECONDS), default=5.0,
                   metavar="SECONDS",
                   help=f"seconds between rounds without --once, 0 to {MAX_SECONDS:g} "
                        "(default 5)")
    p.set_defaults(func=run_demos)
