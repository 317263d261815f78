"""The store a batch runs against (spec/scheduling.md, SCHED-API-1, SCHED-RESULT-2): a
`supervm_ref.runtime.storage.Storage` or anything with ``get``, ``set`` and ``delete``
(RT-STORAGE-1), and ``scan`` for transactions that scan. It is only read while the block
executes; the final write set is applied once the block is done, all or nothing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ..runtime.errors import StorageWriteError
from ..runtime.storage import apply_writes
from .errors import InvalidArgument, StoreFailed
from .transaction import Key, MaybeValue


class BatchStore(Protocol):
    """What `execute_batch` needs of a store (RT-STORAGE-1 ``get``/``set``/``delete``)."""

    def get(self, key: bytes) -> bytes | None:
        """The value under ``key``, or None."""
        ...

    def set(self, key: bytes, value: bytes) -> None:
        """Store ``value`` under ``key``."""
        ...

    def delete(self, key: bytes) -> None:
        """Remove ``key``."""
        ...


def check_store(store: object) -> None:
    """SCHED-API-3: ``store`` has callable ``get``, ``set`` and ``delete``."""
    missing = [m for m in ("get", "set", "delete") if not callable(getattr(store, m, None))]
    if missing:
        raise InvalidArgument(f"the store must have get, set and delete; "
                              f"{type(store).__name__} lacks {', '.join(missing)}")


def apply_write_set(store: BatchStore, write_set: Sequence[tuple[Key, MaybeValue]]) -> None:
    """SCHED-RESULT-2: apply the final write set (None deletes) all or nothing, as RT-STORAGE-4
    says; a failure is `StoreFailed` and the store is as before (unless putting back failed
    too, which the error says)."""
    try:
        apply_writes(store, dict(write_set))
    except StorageWriteError as e:
        raise StoreFailed("writing the block" + (" (the store may be partly written)"
                                                 if e.partial else ""), e.cause) from e
