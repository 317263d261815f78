"""A `Storage` over an `MvccStore`: how the node keeps a `SuperVM`'s objects in the MVCC store
that it persists (spec/node.md, NODE-STATE-1).

Reads see the latest committed state. Every write — a single ``set``/``delete`` or a whole
``apply_batch`` (a `SuperVM` commits each block with one, ROUTE-BLOCK-1) — is one MVCC
transaction, so a block's writes reach the store, and therefore a flush, all or nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..mvcc import MvccStore
from ..runtime.storage import as_bytes, as_limit, as_writes


class MvccStorage:
    """NODE-STATE-1: the `Storage` protocol over ``store``'s latest committed state."""

    def __init__(self, store: MvccStore) -> None:
        self.store = store

    def get(self, key: bytes) -> bytes | None:
        """RT-STORAGE-1: the latest committed value of ``key``."""
        return self.store.read_latest(as_bytes(key, "key"))

    def scan(self, prefix: bytes, limit: int) -> list[tuple[bytes, bytes]]:
        """RT-STORAGE-2: the first ``limit`` live entries under ``prefix``, in key order."""
        return self.store.scan_latest(as_bytes(prefix, "prefix"), as_limit(limit))

    def set(self, key: bytes, value: bytes) -> None:
        """NODE-STATE-1: one transaction writing ``key``."""
        self.apply_batch({key: value})

    def delete(self, key: bytes) -> None:
        """NODE-STATE-1: one transaction deleting ``key``."""
        self.apply_batch({key: None})

    def apply_batch(self, writes: Mapping[bytes, bytes | None]) -> None:
        """NODE-STATE-1, RT-ATOMIC-3: every write in one MVCC transaction (all or nothing)."""
        checked = as_writes(writes)
        txn = self.store.begin()
        try:
            for key, value in sorted(checked.items()):
                if value is None:
                    txn.delete(key)
                else:
                    txn.write(key, value)
        except BaseException:
            txn.abort()
            raise
        txn.commit()
