"""Persistence on RocksDB (spec/persistence.md, rules PERSIST-*).

`RocksDBStorage` is a `Storage` on a RocksDB database whose ``default`` column family holds the
user's keys; the MVCC store flushes to it incrementally (`MvccStore.flush_to_storage`), is
rebuilt from it (`MvccStore.open`), prunes its history (`MvccStore.prune_old_versions`) and
flushes it in the background (`MvccStore.start_auto_flush`). Checkpoints copy a database at a
flush point. Every error is a `PersistenceError` with a ``kind``.
"""

from __future__ import annotations

from .autoflush import AutoFlushConfig, AutoFlushStatus, Clock, ManualClock, MonotonicClock
from .checkpoint import (
    checkpoint_path,
    create_checkpoint,
    create_checkpoint_at,
    list_checkpoints,
    restore_checkpoint,
)
from .encoding import COLUMN_FAMILIES, FORMAT_VERSION, HISTORY_CF, META_CF
from .errors import (
    AutoFlushFailed,
    AutoFlushStateError,
    CheckpointInvalid,
    DatabaseClosed,
    DatabaseCorrupt,
    DatabaseFull,
    DatabaseInUse,
    DatabaseLocked,
    DatabaseMissing,
    DatabaseReadOnly,
    DatabaseUnwritable,
    FlushPointMismatch,
    HistoryUnavailable,
    PersistenceArgumentError,
    PersistenceError,
    PersistenceErrorKind,
    StorageFailed,
)
from .layout import HistoryVersion, key_history, read_history_at
from .rocksdb import RocksDBStorage

__all__ = [
    "COLUMN_FAMILIES",
    "FORMAT_VERSION",
    "HISTORY_CF",
    "META_CF",
    "AutoFlushConfig",
    "AutoFlushFailed",
    "AutoFlushStateError",
    "AutoFlushStatus",
    "CheckpointInvalid",
    "Clock",
    "DatabaseClosed",
    "DatabaseCorrupt",
    "DatabaseFull",
    "DatabaseInUse",
    "DatabaseLocked",
    "DatabaseMissing",
    "DatabaseReadOnly",
    "DatabaseUnwritable",
    "FlushPointMismatch",
    "HistoryUnavailable",
    "HistoryVersion",
    "ManualClock",
    "MonotonicClock",
    "PersistenceArgumentError",
    "PersistenceError",
    "PersistenceErrorKind",
    "RocksDBStorage",
    "StorageFailed",
    "checkpoint_path",
    "create_checkpoint",
    "create_checkpoint_at",
    "key_history",
    "list_checkpoints",
    "read_history_at",
    "restore_checkpoint",
]
