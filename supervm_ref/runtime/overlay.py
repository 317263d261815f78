"""The write buffer that makes a call atomic (spec/runtime.md, RT-ATOMIC-*).

A call reads and writes through a `StorageOverlay`: reads see the call's own earlier writes
first (RT-ATOMIC-2); nothing reaches the underlying storage until `commit` (RT-ATOMIC-1), and
`discard` forgets everything. The overlay is also the call's storage boundary (RT-CALL-5): an
``Exception`` raised by the storage underneath becomes a `StorageFailure` (HOST_ERROR), while
any other ``BaseException`` (an embedder's control signal) passes through unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sortedcontainers import SortedDict

from .errors import StorageFailure
from .storage import Storage, as_bytes, as_limit, prefix_end

T = TypeVar("T")


def _guarded(operation: str, action: Callable[[], T]) -> T:
    """RT-CALL-5: run one operation of the base storage; its ``Exception`` is a
    `StorageFailure`."""
    try:
        return action()
    except StorageFailure:
        raise
    except Exception as e:
        raise StorageFailure(operation, e) from e


class StorageOverlay:
    """Buffered writes over a `Storage`; a deletion is a buffered None."""

    def __init__(self, base: Storage) -> None:
        self.base = base
        self.writes: SortedDict = SortedDict()  # key -> bytes | None

    def get(self, key: bytes) -> bytes | None:
        """RT-ATOMIC-2: the call's own write, else the base value."""
        key = as_bytes(key, "key")
        if key in self.writes:
            value: bytes | None = self.writes[key]
            return value
        return _guarded("get", lambda: self.base.get(key))

    def set(self, key: bytes, value: bytes) -> None:
        """Buffer a write."""
        key = as_bytes(key, "key")
        self.writes[key] = as_bytes(value, "value")

    def delete(self, key: bytes) -> None:
        """Buffer a deletion."""
        self.writes[as_bytes(key, "key")] = None

    def scan(self, prefix: bytes, limit: int) -> list[tuple[bytes, bytes]]:
        """RT-STORAGE-2 over the merged view: base entries overridden by buffered writes, in
        ascending key order. Each buffered key can hide at most one base entry, so asking the
        base for ``limit`` plus that many entries is enough. A limit of 0 or less still hands
        the prefix to the base (with limit 0), so a base that refuses a prefix (e.g. an
        object-scoped storage, OBJ-STORE-2) refuses it whatever the limit."""
        prefix = as_bytes(prefix, "prefix")
        if as_limit(limit) <= 0:
            _guarded("scan", lambda: self.base.scan(prefix, 0))
            return []
        end = prefix_end(prefix)
        buffered = {k: self.writes[k] for k in self.writes.irange(
            minimum=prefix, maximum=end, inclusive=(True, False))}
        merged = dict(_guarded("scan", lambda: self.base.scan(prefix, limit + len(buffered))))
        merged.update(buffered)
        live = sorted((k, v) for k, v in merged.items() if v is not None)
        return live[:limit]

    def commit(self) -> None:
        """RT-ATOMIC-1: apply every buffered write to the base, in key order. RT-ATOMIC-3: a
        base that offers ``apply_batch`` receives the whole commit at once (atomically, by its
        contract); any other base is written key by key. If the base raises, the exception
        propagates and the buffer is kept. The commit never reads the base, so a storage that
        records reads sees only the call's own reads."""
        writes = dict(self.writes.items())
        apply_batch = getattr(self.base, "apply_batch", None)
        if apply_batch is not None:
            apply_batch(writes)
        else:
            for key, value in writes.items():
                if value is None:
                    self.base.delete(key)
                else:
                    self.base.set(key, value)
        self.writes.clear()

    def discard(self) -> None:
        """RT-ATOMIC-1: forget every buffered write."""
        self.writes.clear()

    def diff(self) -> dict[bytes, bytes | None]:
        """The buffered writes (None = deleted), in key order."""
        return dict(self.writes.items())
