"""Per-key commit locks (spec/mvcc.md, MVCC-COMMIT-2).

Phase 1 of a commit locks every key of the write set, in ascending key order, and phase 3 (or
an abort in phase 2) releases them. The table records which transaction holds which key, so the
protocol is explicit and can be inspected.

In this reference every commit runs under the store lock (MVCC-THREAD-1), so commits never
overlap and a key is never found locked by another transaction: finding one is a broken
invariant, reported as `StoreInvariantBroken`. A store that lets commits of disjoint write sets
run in parallel would *wait* there instead; taking the locks in one global order (key order)
is what makes such waiting deadlock-free.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import shown
from .errors import StoreInvariantBroken


class KeyLocks:
    """Which committing transaction holds each key lock (MVCC-COMMIT-2)."""

    def __init__(self) -> None:
        self._holders: dict[bytes, int] = {}

    def acquire_in_key_order(self, txn_id: int, keys: Iterable[bytes]) -> list[bytes]:
        """MVCC-COMMIT-2: lock ``keys`` for ``txn_id`` in ascending key order; return them in
        the order they were locked."""
        locked: list[bytes] = []
        for key in sorted(keys):
            holder = self._holders.get(key)
            if holder is not None and holder != txn_id:
                self.release(txn_id, locked)
                raise StoreInvariantBroken(
                    f"key {shown(key)} is locked by transaction {holder} while transaction "
                    f"{txn_id} commits; commits are serialized, so no lock can be held")
            self._holders[key] = txn_id
            locked.append(key)
        return locked

    def release(self, txn_id: int, keys: Iterable[bytes]) -> None:
        """MVCC-COMMIT-2: release the locks ``txn_id`` holds on ``keys``."""
        for key in keys:
            if self._holders.get(key) == txn_id:
                del self._holders[key]

    def holder(self, key: bytes) -> int | None:
        """The transaction holding the lock on ``key`` (None if unlocked)."""
        return self._holders.get(key)

    def held(self) -> list[tuple[bytes, int]]:
        """Every held lock as (key, txn id), in key order."""
        return sorted(self._holders.items())
