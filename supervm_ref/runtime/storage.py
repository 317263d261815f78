"""The storage interface and the in-memory store (spec/runtime.md, rules RT-STORAGE-*).

A storage maps byte-string keys to byte-string values. `scan` returns entries in ascending
key order (unsigned lexicographic byte order), so every backend iterates identically. Keys,
values and prefixes are checked at every public entry point (RT-STORAGE-3): nothing is ever
coerced into bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol, runtime_checkable

from sortedcontainers import SortedDict

from .errors import StorageInputError, StorageWriteError


@runtime_checkable
class Storage(Protocol):
    """The storage protocol of the seed's ``Storage`` trait (RT-STORAGE-1)."""

    def get(self, key: bytes) -> bytes | None:
        """The value stored under ``key``, or None."""
        ...

    def set(self, key: bytes, value: bytes) -> None:
        """Store ``value`` under ``key`` (replacing any value)."""
        ...

    def delete(self, key: bytes) -> None:
        """Remove ``key`` (no effect if absent)."""
        ...

    def scan(self, prefix: bytes, limit: int) -> list[tuple[bytes, bytes]]:
        """Up to ``limit`` entries whose key starts with ``prefix``, in ascending key order
        (RT-STORAGE-2)."""
        ...


def as_bytes(value: object, argument: str) -> bytes:
    """RT-STORAGE-3: a key, value or prefix is ``bytes``; a ``bytearray`` or ``memoryview`` is
    copied to ``bytes``; anything else (``str``, ``int``, None, ...) is `StorageInputError`."""
    if type(value) is bytes:
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        try:
            return bytes(value)
        except ValueError:  # a released memoryview
            raise StorageInputError(argument, "bytes", "a released memoryview") from None
    raise StorageInputError(argument, "bytes", value)


def as_limit(value: object) -> int:
    """RT-STORAGE-3: a scan limit is an ``int`` (not a ``bool``); 0 or less returns nothing
    (RT-STORAGE-2)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise StorageInputError("limit", "an integer", value)
    return value


def as_entries(items: object, argument: str) -> list[tuple[bytes, bytes]]:
    """RT-STORAGE-3: initial contents or a batch of writes: a mapping of bytes to bytes, or an
    iterable of (key, value) pairs; every key and value is checked before anything is used."""
    pairs = items.items() if isinstance(items, Mapping) else items
    if isinstance(pairs, str | bytes | bytearray | memoryview) or not isinstance(pairs, Iterable):
        raise StorageInputError(argument, "a mapping of bytes to bytes", items)
    out: list[tuple[bytes, bytes]] = []
    for pair in pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise StorageInputError(f"{argument} entry", "a (key, value) pair", pair)
        out.append((as_bytes(pair[0], f"{argument} key"), as_bytes(pair[1], f"{argument} value")))
    return out


def as_writes(writes: object) -> dict[bytes, bytes | None]:
    """RT-STORAGE-3 for ``apply_batch``: a mapping of keys to values or None (delete), every
    entry checked before anything is written."""
    if not isinstance(writes, Mapping):
        raise StorageInputError("writes", "a mapping of bytes to bytes or None", writes)
    out: dict[bytes, bytes | None] = {}
    for key, value in writes.items():
        out[as_bytes(key, "writes key")] = None if value is None else as_bytes(value,
                                                                               "writes value")
    return out


def prefix_end(prefix: bytes) -> bytes | None:
    """The smallest key greater than every key starting with ``prefix`` (None if unbounded:
    the prefix is empty or all 0xFF)."""
    p = bytearray(prefix)
    while p and p[-1] == 0xFF:
        p.pop()
    if not p:
        return None
    p[-1] += 1
    return bytes(p)


class WritableStorage(Protocol):
    """What `apply_writes` needs of a storage: RT-STORAGE-1's ``get``, ``set`` and ``delete``
    (and ``apply_batch`` when it has one)."""

    def get(self, key: bytes) -> bytes | None:
        """The value under ``key``, or None."""
        ...

    def set(self, key: bytes, value: bytes) -> None:
        """Store ``value`` under ``key``."""
        ...

    def delete(self, key: bytes) -> None:
        """Remove ``key``."""
        ...


def apply_writes(storage: WritableStorage, writes: Mapping[bytes, bytes | None]) -> None:
    """RT-STORAGE-4: apply ``writes`` (None deletes) to ``storage`` all or nothing. A storage
    with ``apply_batch`` (RT-ATOMIC-3) receives them in one call; any other is written key by
    key in key order, after reading the values about to be replaced, and if it raises part-way
    -- or the writing is interrupted (a ``BaseException``, which then passes on) -- the keys
    already written are put back. A failure is `StorageWriteError`."""
    ordered = dict(sorted(as_writes(writes).items()))
    apply_batch = getattr(storage, "apply_batch", None)
    if callable(apply_batch):
        try:
            apply_batch(ordered)
        except Exception as e:
            raise StorageWriteError(e) from e
        return
    try:
        previous = {key: storage.get(key) for key in ordered}
    except Exception as e:
        raise StorageWriteError(e) from e
    done: list[bytes] = []
    try:
        for key, value in ordered.items():
            _put(storage, key, value)
            done.append(key)
    except BaseException as e:  # an interrupt (Ctrl-C) too: put back, then pass it on
        try:
            for key in reversed(done):
                _put(storage, key, previous[key])
        except Exception as undo:
            raise StorageWriteError(undo, partial=True) from e
        if not isinstance(e, Exception):
            raise
        raise StorageWriteError(e) from e


def _put(storage: WritableStorage, key: bytes, value: bytes | None) -> None:
    if value is None:
        storage.delete(key)
    else:
        storage.set(key, value)


class MemoryStorage:
    """An in-memory `Storage` on a sorted dictionary (RT-STORAGE-1..3). ``items``: the initial
    contents, a mapping of bytes to bytes (or an iterable of pairs)."""

    def __init__(self, items: Mapping[bytes, bytes] | Iterable[tuple[bytes, bytes]] | None = None
                 ) -> None:
        self._data: SortedDict = SortedDict(as_entries({} if items is None else items, "items"))

    def get(self, key: bytes) -> bytes | None:
        """RT-STORAGE-1 ``get``."""
        value: bytes | None = self._data.get(as_bytes(key, "key"))
        return value

    def set(self, key: bytes, value: bytes) -> None:
        """RT-STORAGE-1 ``set``."""
        key = as_bytes(key, "key")
        self._data[key] = as_bytes(value, "value")

    def delete(self, key: bytes) -> None:
        """RT-STORAGE-1 ``delete``."""
        self._data.pop(as_bytes(key, "key"), None)

    def scan(self, prefix: bytes, limit: int) -> list[tuple[bytes, bytes]]:
        """RT-STORAGE-2: entries with ``prefix`` in ascending key order, at most ``limit``."""
        prefix = as_bytes(prefix, "prefix")
        if as_limit(limit) <= 0:
            return []
        end = prefix_end(prefix)
        out: list[tuple[bytes, bytes]] = []
        for key in self._data.irange(minimum=prefix, maximum=end, inclusive=(True, False)):
            out.append((key, self._data[key]))
            if len(out) == limit:
                break
        return out

    def apply_batch(self, writes: Mapping[bytes, bytes | None]) -> None:
        """RT-ATOMIC-3: apply a whole commit (None = delete) atomically: every key and value is
        checked first (RT-STORAGE-3), so nothing is written unless everything can be."""
        batch = as_writes(writes)
        for key, value in batch.items():
            if value is None:
                self._data.pop(key, None)
            else:
                self._data[key] = value

    def items(self) -> list[tuple[bytes, bytes]]:
        """Every entry in key order (for fixtures and tests)."""
        return list(self._data.items())

    def __len__(self) -> int:
        return len(self._data)
