"""Typed errors of persistence (spec/persistence.md, PERSIST-ERR-1).

Every failure of `supervm_ref.persistence` -- and of the MVCC store's persistence methods -- is a
`PersistenceError` with a stable ``kind`` (a `PersistenceErrorKind`) naming what went wrong;
messages say what was expected and what was found. Bad keys, values and limits given to a
`RocksDBStorage` are the storage protocol's `StorageInputError` (RT-STORAGE-3), as for every
storage.
"""

from __future__ import annotations

from enum import StrEnum

from ..errors import SuperVMError


class PersistenceErrorKind(StrEnum):
    """Why a persistence operation failed (PERSIST-ERR-1)."""

    DATABASE_MISSING = "DATABASE_MISSING"            # no database where one must exist
    DATABASE_LOCKED = "DATABASE_LOCKED"              # another handle holds RocksDB's LOCK
    DATABASE_CORRUPT = "DATABASE_CORRUPT"            # RocksDB or our layout found corruption
    DATABASE_UNWRITABLE = "DATABASE_UNWRITABLE"      # the directory cannot be created/written
    DATABASE_READ_ONLY = "DATABASE_READ_ONLY"        # a write through a read-only handle
    DATABASE_CLOSED = "DATABASE_CLOSED"              # a call on a closed handle
    DATABASE_FULL = "DATABASE_FULL"                  # no space left (or a file size limit)
    STORAGE_FAILED = "STORAGE_FAILED"                # any other RocksDB failure
    FLUSH_POINT_MISMATCH = "FLUSH_POINT_MISMATCH"    # the store and the database disagree
    HISTORY_UNAVAILABLE = "HISTORY_UNAVAILABLE"      # a timestamp the history cannot answer
    INVALID_ARGUMENT = "INVALID_ARGUMENT"            # a bad argument (keep_versions, config...)
    CHECKPOINT_INVALID = "CHECKPOINT_INVALID"        # a missing or unusable checkpoint
    DATABASE_IN_USE = "DATABASE_IN_USE"              # a restore target that is open
    AUTO_FLUSH_STATE = "AUTO_FLUSH_STATE"            # start twice, notify when stopped...
    AUTO_FLUSH_FAILED = "AUTO_FLUSH_FAILED"          # a background flush failed


class PersistenceError(SuperVMError):
    """PERSIST-ERR-1: the base class; ``kind`` is the canonical reason, ``detail`` the
    message without the kind."""

    kind: PersistenceErrorKind = PersistenceErrorKind.STORAGE_FAILED

    def __init__(self, message: str) -> None:
        super().__init__(f"{self.kind.value}: {message}")
        self.detail = message


class DatabaseMissing(PersistenceError):
    """PERSIST-DB-2: a database opened read-only (or a checkpoint source) does not exist."""

    kind = PersistenceErrorKind.DATABASE_MISSING


class DatabaseLocked(PersistenceError):
    """PERSIST-DB-2: another handle -- in this process or another one -- holds the
    database's LOCK file."""

    kind = PersistenceErrorKind.DATABASE_LOCKED


class DatabaseCorrupt(PersistenceError):
    """PERSIST-DB-2, PERSIST-DB-5: RocksDB reports corruption (a damaged MANIFEST, CURRENT or
    table file), or the database does not follow the layout of PERSIST-DB-4."""

    kind = PersistenceErrorKind.DATABASE_CORRUPT


class DatabaseUnwritable(PersistenceError):
    """PERSIST-DB-2: the database directory cannot be created or written."""

    kind = PersistenceErrorKind.DATABASE_UNWRITABLE


class DatabaseReadOnly(PersistenceError):
    """PERSIST-DB-3: a write through a handle opened with ``read_only=True``."""

    kind = PersistenceErrorKind.DATABASE_READ_ONLY


class DatabaseClosed(PersistenceError):
    """PERSIST-DB-3: a call on a handle after ``close()``."""

    kind = PersistenceErrorKind.DATABASE_CLOSED


class DatabaseFull(PersistenceError):
    """PERSIST-DB-3: a write found no space left on the device (or the process's file size
    limit); nothing of that write was kept, everything written before is."""

    kind = PersistenceErrorKind.DATABASE_FULL


class StorageFailed(PersistenceError):
    """PERSIST-DB-3: any other failure RocksDB reports; ``cause`` is its exception."""

    kind = PersistenceErrorKind.STORAGE_FAILED

    def __init__(self, operation: str, cause: BaseException) -> None:
        super().__init__(f"{operation} failed: {type(cause).__name__}: {cause}")
        self.operation = operation
        self.cause = cause


class FlushPointMismatch(PersistenceError):
    """PERSIST-FLUSH-3: the database's flush point is not the store's, so the store was not
    opened from this database (or flushed elsewhere since); nothing was written."""

    kind = PersistenceErrorKind.FLUSH_POINT_MISMATCH

    def __init__(self, store_point: int, database_point: int, detail: str = "") -> None:
        super().__init__(
            f"expected the database at the store's flush point {store_point}, found "
            f"{database_point}{detail}")
        self.store_point = store_point
        self.database_point = database_point


class HistoryUnavailable(PersistenceError):
    """PERSIST-HIST-1: the history cannot answer a read at this timestamp (after the flush
    point, or before the oldest version pruning kept)."""

    kind = PersistenceErrorKind.HISTORY_UNAVAILABLE


class PersistenceArgumentError(PersistenceError):
    """PERSIST-ERR-1: an argument of the wrong type or out of range. ``argument`` names it."""

    kind = PersistenceErrorKind.INVALID_ARGUMENT

    def __init__(self, argument: str, expected: str, found: object) -> None:
        from ..errors import describe
        super().__init__(f"{argument}: expected {expected}, found {describe(found)}")
        self.argument = argument
        self.expected = expected


class CheckpointInvalid(PersistenceError):
    """PERSIST-CKPT-2: a checkpoint directory that is missing or is not a checkpoint."""

    kind = PersistenceErrorKind.CHECKPOINT_INVALID


class DatabaseInUse(PersistenceError):
    """PERSIST-CKPT-3: a restore whose target database is open."""

    kind = PersistenceErrorKind.DATABASE_IN_USE


class AutoFlushStateError(PersistenceError):
    """PERSIST-AUTO-3: auto-flush started twice, or used while it is not running."""

    kind = PersistenceErrorKind.AUTO_FLUSH_STATE


class AutoFlushFailed(PersistenceError):
    """PERSIST-AUTO-4: a background flush failed; ``cause`` is the flush's error. ``stop``
    attempts the final flush all the same: ``final_error`` is its error, None when it
    succeeded (every commit is then flushed) or there was nothing to flush."""

    kind = PersistenceErrorKind.AUTO_FLUSH_FAILED

    def __init__(self, cause: BaseException, final_error: BaseException | None = None) -> None:
        message = f"a background flush failed: {type(cause).__name__}: {cause}"
        if final_error is not None:
            message += (f"; the final flush failed too: {type(final_error).__name__}: "
                        f"{final_error}")
        super().__init__(message)
        self.cause = cause
        self.final_error = final_error
