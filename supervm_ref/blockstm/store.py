"""The store a batch runs against (spec/scheduling.md, SCHED-API-1, SCHED-RESULT-2): a
`supervm_ref.runtime.storage.Storage` or anything with ``get``, ``set`` and ``delete``
(RT-STORAGE-1), and ``scan`` for transactions that scan. It is only read while the block
executes; the final write set is applied once the block is done, all or nothing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

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
    """SCHED-RESULT-2: apply the final write set (None deletes) all or nothing. A store with
    ``apply_batch`` (RT-ATOMIC-3) receives it in one call; any other store is written key by
    key in key order, after reading the values it is about to replace, and if it raises
    part-way the keys already written are put back. Either way a failure is `StoreFailed` and
    the store is as before (unless putting back fails too, which the error says)."""
    writes = dict(write_set)
    apply_batch = getattr(store, "apply_batch", None)
    if callable(apply_batch):
        try:
            apply_batch(writes)
        except Exception as e:
            raise StoreFailed("apply_batch", e) from e
        return
    try:
        previous = {key: store.get(key) for key in writes}
    except Exception as e:
        raise StoreFailed("get (before writing the block)", e) from e
    done: list[Key] = []
    try:
        for key, value in writes.items():
            _put(store, key, value)
            done.append(key)
    except Exception as e:
        failure = StoreFailed("writing the block", e)
        try:
            for key in reversed(done):
                _put(store, key, previous[key])
        except Exception as undo:
            raise StoreFailed("writing the block; putting back the keys already written "
                              "failed too, so the store may be partly written",
                              undo) from e
        raise failure from e


def _put(store: BatchStore, key: Key, value: MaybeValue) -> None:
    if value is None:
        store.delete(key)
    else:
        store.set(key, value)
