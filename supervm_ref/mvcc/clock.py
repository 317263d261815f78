"""The logical clock of the MVCC store (spec/mvcc.md, MVCC-CLOCK-1).

Timestamps are a counter, never the host's clock: the store starts at 0, and each commit that
installs versions takes the next integer. A transaction's snapshot is the last commit timestamp
at the time it begins.
"""

from __future__ import annotations


class LogicalClock:
    """The last commit timestamp of a store (MVCC-CLOCK-1)."""

    def __init__(self, start: int = 0) -> None:
        self._last = start  # a store opened from a database starts at its flush point

    def now(self) -> int:
        """MVCC-CLOCK-1: the last commit timestamp (0 before any commit); a snapshot taken now
        sees exactly the commits with a timestamp up to this value."""
        return self._last

    def advance(self) -> int:
        """MVCC-CLOCK-1, MVCC-COMMIT-4: take the next commit timestamp, ``now() + 1``.

        Called only while the store lock is held, so timestamps are unique and increasing in
        the order commits happen."""
        self._last += 1
        return self._last
