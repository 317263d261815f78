"""``supervm spectest``: placeholder until implemented."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add the ``spectest`` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser("spectest", help="(not yet implemented)")
    p.set_defaults(func=lambda args: 2)
