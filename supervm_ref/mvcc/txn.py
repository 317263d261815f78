"""Transactions (spec/mvcc.md, MVCC-TXN-*, MVCC-READ-*, MVCC-WRITE-1, MVCC-SCAN-*).

A `Txn` reads a snapshot of the store — the committed state at its start timestamp — through
its own buffered writes, and keeps what commit validation needs: the keys it read from the
snapshot (the *read set*, absent keys included), the prefixes it scanned (its *predicates*) and
its writes (the *write set*). Nothing it writes is visible to anyone else before it commits.

A `Txn` is used by one thread at a time; the store it belongs to is thread-safe
(MVCC-THREAD-1). It also implements the runtime's `Storage` protocol (``get``/``set``/
``delete``/``scan``), so a contract call can run inside a transaction (MVCC-TXN-3).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from sortedcontainers import SortedDict

from ..runtime.storage import prefix_end
from .errors import TxnConflict, TxnFinished
from .history import CommittedTxn, Op, ReadOp, ScanOp, WriteOp
from .inputs import as_bytes, as_limit

if TYPE_CHECKING:
    from .store import MvccStore


class TxnState(StrEnum):
    """The life of a transaction (MVCC-TXN-2): ACTIVE until it commits or aborts."""

    ACTIVE = "active"
    COMMITTED = "committed"
    ABORTED = "aborted"


class Txn:
    """A transaction handle, created by `MvccStore.begin` (MVCC-TXN-1)."""

    #: METRIC-HOOK-1: the begin time on the store's metrics clock, set by `MvccStore.begin`
    #: when a collector is attached (this class default, None, otherwise: no latency).
    _metrics_begun: float | None = None

    def __init__(self, store: MvccStore, txn_id: int, start_ts: int) -> None:
        self._store = store
        self.txn_id = txn_id
        self.start_ts = start_ts
        self.state = TxnState.ACTIVE
        self.commit_ts: int | None = None
        self.conflict: TxnConflict | None = None  # why commit aborted, if it did
        self._writes: SortedDict = SortedDict()  # key -> bytes | None (a deletion)
        self._read_keys: set[bytes] = set()
        self._prefixes: set[bytes] = set()
        self._ops: list[Op] = []

    def __repr__(self) -> str:
        return f"Txn(id={self.txn_id}, start_ts={self.start_ts}, state={self.state.value})"

    # -----------------------------------------------------------------------------------------
    # Reads

    def read(self, key: bytes) -> bytes | None:
        """MVCC-READ-1: the transaction's own latest write of ``key`` (None if it deleted it),
        otherwise the value at its snapshot (MVCC-VERSION-2); a snapshot read puts ``key`` in
        the read set, found or not."""
        key = as_bytes(key, "key")
        self._require_active("read")
        if key in self._writes:
            value: bytes | None = self._writes[key]
        else:
            value = self._store._value_at(key, self.start_ts)
            self._read_keys.add(key)
        self._ops.append(ReadOp(key, value))
        return value

    def scan(self, prefix: bytes, limit: int) -> list[tuple[bytes, bytes]]:
        """MVCC-SCAN-1: up to ``limit`` live entries whose key starts with ``prefix``, in
        ascending key order, from the snapshot merged with the transaction's own writes (its
        writes replace, its deletions hide). MVCC-SCAN-2: the whole prefix becomes a predicate
        of the transaction, whatever the limit and the result."""
        prefix = as_bytes(prefix, "prefix")
        limit = as_limit(limit)
        self._require_active("scan")
        self._prefixes.add(prefix)
        own = {k: self._writes[k] for k in self._writes.irange(
            minimum=prefix, maximum=prefix_end(prefix), inclusive=(True, False))}
        items: list[tuple[bytes, bytes]] = []
        if limit > 0:
            # Each own write can hide at most one snapshot entry, so the first
            # ``limit + len(own)`` snapshot entries are enough.
            merged: dict[bytes, bytes | None] = dict(
                self._store._scan_at(prefix, self.start_ts, limit + len(own)))
            merged.update(own)
            live = sorted((k, v) for k, v in merged.items() if v is not None)
            items = live[:limit]
        self._ops.append(ScanOp(prefix, limit, tuple(items)))
        return items

    # -----------------------------------------------------------------------------------------
    # Writes

    def write(self, key: bytes, value: bytes) -> None:
        """MVCC-WRITE-1: buffer ``value`` for ``key``; the last write or delete of a key is
        the one its commit installs."""
        key = as_bytes(key, "key")
        value = as_bytes(value, "value")
        self._require_active("write")
        self._writes[key] = value
        self._ops.append(WriteOp(key, value))

    def delete(self, key: bytes) -> None:
        """MVCC-WRITE-1: buffer a deletion of ``key`` (a tombstone at commit, even if the key
        is absent)."""
        key = as_bytes(key, "key")
        self._require_active("delete")
        self._writes[key] = None
        self._ops.append(WriteOp(key, None))

    # -----------------------------------------------------------------------------------------
    # Ending

    def commit(self) -> int:
        """MVCC-COMMIT-1..5: commit and return the commit timestamp (the start timestamp for a
        read-only transaction); raise `TxnConflict` — the transaction is then aborted — when
        validation fails."""
        self._require_active("commit")
        return self._store._commit(self)

    def abort(self) -> None:
        """MVCC-ABORT-1: end the transaction and discard its writes."""
        self._require_active("abort")
        self._store._abort(self)

    # -----------------------------------------------------------------------------------------
    # The runtime's Storage protocol (MVCC-TXN-3)

    def get(self, key: bytes) -> bytes | None:
        """MVCC-TXN-3: ``Storage.get`` is `read`."""
        return self.read(key)

    def set(self, key: bytes, value: bytes) -> None:
        """MVCC-TXN-3: ``Storage.set`` is `write`."""
        self.write(key, value)

    # -----------------------------------------------------------------------------------------
    # What the store asks of a transaction

    @property
    def is_active(self) -> bool:
        """MVCC-TXN-2: not yet committed or aborted."""
        return self.state is TxnState.ACTIVE

    @property
    def is_read_only(self) -> bool:
        """MVCC-COMMIT-5: nothing written or deleted."""
        return not self._writes

    def write_set(self) -> list[tuple[bytes, bytes | None]]:
        """The buffered writes in key order (None: a deletion)."""
        return list(self._writes.items())

    def read_set(self) -> list[bytes]:
        """MVCC-READ-1: the keys read from the snapshot, ascending."""
        return sorted(self._read_keys)

    def predicates(self) -> list[bytes]:
        """MVCC-SCAN-2: the scanned prefixes, ascending."""
        return sorted(self._prefixes)

    def recorded(self) -> CommittedTxn:
        """MVCC-HIST-1: this (committed) transaction as the history records it."""
        installed_at = None if self.is_read_only else self.commit_ts
        return CommittedTxn(self.txn_id, self.start_ts, installed_at, tuple(self._ops))

    def _require_active(self, operation: str) -> None:
        """MVCC-TXN-2: using a finished transaction is `TxnFinished`."""
        if self.state is not TxnState.ACTIVE:
            raise TxnFinished(self.txn_id, self.state.value, operation)

    def _finish(self, state: TxnState, commit_ts: int | None = None,
                conflict: TxnConflict | None = None) -> None:
        """Called by the store (under its lock) when the transaction ends."""
        self.state = state
        self.commit_ts = commit_ts
        self.conflict = conflict
