"""Argument types shared by every ``supervm`` subcommand.

A numeric option is parsed by `bounded_int` or `bounded_float`: the value must be a number
(a float must be finite: ``nan`` and ``inf`` are refused) inside the option's range, or
argparse prints ``argument --NAME: expected ..., got '...'`` and exits with status 2. Every
numeric option of every subcommand is declared through these, so no out-of-range value reaches
the code that uses it.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable


def _show(value: float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, int) or value.is_integer():
        return f"{int(value):,}"
    return f"{value:g}"


def _range_text(low: float | None, high: float | None, low_open: bool) -> str:
    if low is not None and high is not None:
        if low_open:
            return f"greater than {_show(low)} and at most {_show(high)}"
        return f"from {_show(low)} to {_show(high)}"
    if low is not None:
        return f"{'greater than' if low_open else 'at least'} {_show(low)}"
    if high is not None:
        return f"at most {_show(high)}"
    return "of any value"


def _got(text: str) -> str:
    """The value given, cut short when long."""
    return repr(text) if len(text) <= 40 else repr(text[:37]) + "..."


def bounded_int(low: int | None = None, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a decimal integer with ``low <= value <= high`` (None: unbounded)."""
    wanted = f"an integer {_range_text(low, high, False)}"

    def parse(text: str) -> int:
        try:
            value = int(text, 10)
        except ValueError:  # not an integer, or more digits than int() accepts
            raise argparse.ArgumentTypeError(f"expected {wanted}, got {_got(text)}") from None
        if (low is not None and value < low) or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"expected {wanted}, got {_got(text)}")
        return value

    parse.__name__ = "integer"
    return parse


def bounded_float(low: float | None = None, high: float | None = None, *,
                  low_open: bool = False) -> Callable[[str], float]:
    """An argparse type: a finite number with ``low <= value <= high`` (``low < value`` when
    ``low_open``; None: unbounded on that side). ``nan``, ``inf`` and ``-inf`` are refused."""
    wanted = f"a finite number {_range_text(low, high, low_open)}"

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {wanted}, got {_got(text)}") from None
        too_low = low is not None and (value <= low if low_open else value < low)
        too_high = high is not None and value > high
        if not math.isfinite(value) or too_low or too_high:
            raise argparse.ArgumentTypeError(f"expected {wanted}, got {_got(text)}")
        return value

    parse.__name__ = "number"
    return parse


#: At least 1 (a count of runs, transfers, transactions).
positive_int = bounded_int(1)
#: A percentage, 0 to 100.
percentage = bounded_float(0.0, 100.0)
#: The largest number of seconds any option accepts (one day): beyond it the platform's
#: timers overflow, and no command needs more.
MAX_SECONDS = 86_400.0
