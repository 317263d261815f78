"""Typed errors of the MVCC store (spec/mvcc.md, MVCC-ERR-1).

Every failure of the public API of `supervm_ref.mvcc` is one of these classes; each carries the
facts a caller needs (the conflict kind and key, the transaction's state, the bad argument) and
a message saying what was expected and what was found.
"""

from __future__ import annotations

from enum import StrEnum

from ..errors import SuperVMError, shown


class MvccError(SuperVMError):
    """The base of every error raised by the MVCC store (MVCC-ERR-1)."""


class ConflictKind(StrEnum):
    """Why validation aborted a commit (MVCC-COMMIT-3), in the order the checks run."""

    WRITE_WRITE = "WRITE_WRITE"
    """A key in the write set has a version committed after the txn's snapshot."""
    READ_WRITE = "READ_WRITE"
    """A key in the read set (found or absent) has a version committed after the snapshot."""
    PREDICATE = "PREDICATE"
    """A key matching a scanned prefix has a version committed after the snapshot."""


class TxnConflict(MvccError):
    """MVCC-COMMIT-3: the commit must abort because of a concurrent committed write.

    ``kind`` is the failed check, ``key`` the first conflicting key (in check order),
    ``prefix`` the scanned prefix for a PREDICATE conflict, ``start_ts`` the txn's snapshot and
    ``conflicting_ts`` the commit timestamp of the first version found after it.
    """

    def __init__(self, kind: ConflictKind, key: bytes, start_ts: int, conflicting_ts: int,
                 prefix: bytes | None = None) -> None:
        self.kind = kind
        self.key = key
        self.prefix = prefix
        self.start_ts = start_ts
        self.conflicting_ts = conflicting_ts
        where = (f"key {shown(key)}" if prefix is None
                 else f"key {shown(key)} matching prefix {shown(prefix)}")
        super().__init__(
            f"{kind.value} conflict on {where}: expected no version committed after the "
            f"snapshot {start_ts}, found one committed at {conflicting_ts}")


class TxnFinished(MvccError):
    """MVCC-TXN-2: an operation on a transaction that has already committed or aborted."""

    def __init__(self, txn_id: int, state: str, operation: str) -> None:
        self.txn_id = txn_id
        self.state = state
        self.operation = operation
        super().__init__(
            f"cannot {operation} transaction {txn_id}: expected an active transaction, "
            f"found one that is {state}")


class InvalidInput(MvccError):
    """MVCC-KEY-1: an argument of the wrong type or value (a key that is not bytes, ...)."""

    def __init__(self, argument: str, expected: str, found: object) -> None:
        self.argument = argument
        self.expected = expected
        shown = repr(found)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        super().__init__(f"{argument}: expected {expected}, found {type(found).__name__} {shown}")


class InvalidGcConfig(MvccError):
    """MVCC-GC-6: a `GcConfig` field out of range."""

    def __init__(self, field: str, expected: str, found: object) -> None:
        self.field = field
        super().__init__(f"GcConfig.{field}: expected {expected}, found {shown(found)}")


class InvalidScript(MvccError):
    """MVCC-ISO-1: an isolation step script that does not follow the fixture format."""

    def __init__(self, where: str, problem: str) -> None:
        self.where = where
        super().__init__(f"{where}: {problem}")


class FlushFailed(MvccError):
    """MVCC-FLUSH-2: the target storage raised during `MvccStore.flush_to`; nothing was
    flushed and the storage is as before, unless ``partial`` (putting back the keys already
    written failed too). ``cause`` is the storage's exception."""

    def __init__(self, cause: Exception, partial: bool = False) -> None:
        self.cause = cause
        self.partial = partial
        state = ("the storage may be partly written" if partial
                 else "nothing was flushed; the storage is as before")
        super().__init__(f"flush failed: {type(cause).__name__}: {cause} ({state})")


class StoreInvariantBroken(MvccError):
    """An internal invariant of the store does not hold (a bug in the store, never a caller's
    mistake): for example a version installed out of timestamp order, or a key lock found held
    while commits are serialized (MVCC-THREAD-1)."""
