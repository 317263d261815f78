"""FALLBACK ONLY: a fixed-ratio router used when `supervm_ref.routing.adaptive` is absent
(spec/routing.md, ROUTE-BLOCK-3).

The real router is `supervm_ref.routing.adaptive.AdaptiveRouter`; `default_router` returns it
whenever that module can be imported. This stand-in implements the same interface with the
adaptive router's initial target (0.70) and never adjusts it.
"""

from __future__ import annotations

from ..errors import require_int

#: ROUTE-BLOCK-3: ratios are integers in millionths.
MILLION = 1_000_000


def fast_slots_of(target_millionths: int, capacity: int) -> int:
    """ROUTE-BLOCK-3: ``round_half_even(target * capacity)`` in integers."""
    q, r = divmod(target_millionths * capacity, MILLION)
    if 2 * r > MILLION or (2 * r == MILLION and q % 2 == 1):
        q += 1
    return q


class FixedRatioRouter:
    """FALLBACK ONLY (ROUTE-BLOCK-3): the router interface with a constant target."""

    def __init__(self, target_millionths: int = 700_000) -> None:
        self._target = require_int(target_millionths, "target_millionths", 0, MILLION)

    def target_fast_ratio(self) -> float:
        """The target fast ratio (constant)."""
        return self._target / MILLION

    def adjustments(self) -> int:
        """How many times the target moved: never."""
        return 0

    def observe(self, *, transactions: int, successes: int, conflicts: int) -> bool:
        """Outcomes are ignored; the target never moves."""
        return False

    def fast_slots(self, capacity: int) -> int:
        """ROUTE-BLOCK-3: the fast queue's share of ``capacity`` slots."""
        return fast_slots_of(self._target, require_int(capacity, "capacity", 0, 1 << 32))


__all__ = ["FixedRatioRouter", "fast_slots_of"]
