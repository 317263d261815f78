"""Latency samples: a sliding window and its nearest-rank quantiles (spec/metrics.md,
METRIC-QUANT-1, METRIC-ZK-2).

A `LatencyWindow` keeps the last ``size`` samples (milliseconds, finite, >= 0) plus, over every
sample ever recorded, their count, their sum (ordinary float addition in recording order) and
the last one. Quantiles are computed over the window by the nearest-rank method with exact
integer arithmetic on the rank, so the value is always one of the recorded samples.

`LatencyWindow` is the ZK recorder's (METRIC-ZK-2 needs the count, sum and last). A
`MetricsCollector` exports only quantiles, so its hooks append the raw samples to a deque with
``maxlen`` and `nearest_rank` windows them when they are read (METRIC-QUANT-1).
"""

from __future__ import annotations

import math
from collections import deque
from fractions import Fraction

from .errors import InvalidMetricInput

#: METRIC-QUANT-1: the largest window a collector accepts.
MAX_WINDOW = 1_000_000


def check_window(value: object, argument: str) -> int:
    """METRIC-ERR-1: a window size is an int (not a bool) in [1, MAX_WINDOW]."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_WINDOW:
        raise InvalidMetricInput(argument, f"an integer in [1, {MAX_WINDOW}]", value)
    return value


def check_latency(value: object, argument: str = "latency_ms") -> float:
    """METRIC-ERR-1: a latency is an int or a float (not a bool), finite and >= 0."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidMetricInput(argument, "a finite number >= 0 (int or float)", value)
    try:
        number = float(value)
    except OverflowError:  # an int too large for a float
        raise InvalidMetricInput(argument, "a finite number >= 0 (int or float)",
                                 value) from None
    if not math.isfinite(number) or number < 0:
        raise InvalidMetricInput(argument, "a finite number >= 0 (int or float)", value)
    return number


def nearest_rank(samples: list[float], q: Fraction) -> float:
    """METRIC-QUANT-1: the nearest-rank ``q`` quantile of ``samples``: sort them ascending,
    rank = ceil(q * n) (at least 1), the value at that rank; 0.0 with no samples."""
    n = len(samples)
    if n == 0:
        return 0.0
    rank = max(1, -((-q.numerator * n) // q.denominator))  # ceil(q * n) in integers
    return sorted(samples)[rank - 1]


class LatencyWindow:
    """METRIC-QUANT-1: the last ``size`` latencies and running totals. Not thread-safe by
    itself: its owner holds a lock."""

    __slots__ = ("_window", "count", "last", "size", "total")

    def __init__(self, size: int) -> None:
        self.size = check_window(size, "size")
        self._window: deque[float] = deque(maxlen=self.size)
        self.count = 0
        self.total = 0.0
        self.last = 0.0

    def record(self, latency_ms: float) -> None:
        """Add one sample (already checked by `check_latency`)."""
        self._window.append(latency_ms)
        self.count += 1
        self.total += latency_ms
        self.last = latency_ms

    def samples(self) -> list[float]:
        """The samples in the window, oldest first."""
        return list(self._window)

    def quantile(self, q: Fraction) -> float:
        """METRIC-QUANT-1: the nearest-rank quantile over the window."""
        return nearest_rank(list(self._window), q)

    def average(self) -> float:
        """METRIC-ZK-2: total / count over every sample ever recorded; 0.0 with none."""
        return self.total / self.count if self.count else 0.0

    def clear(self) -> None:
        """Forget every sample."""
        self._window.clear()
        self.count = 0
        self.total = 0.0
        self.last = 0.0
