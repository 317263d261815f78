"""``supervm bench``: placeholder until implemented."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add the ``bench`` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser("bench", help="(not yet implemented)")
    p.set_defaults(func=lambda args: 2)
