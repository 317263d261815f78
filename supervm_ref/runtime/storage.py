"""The storage interface and the in-memory store (spec/runtime.md, rules RT-STORAGE-*).

A storage maps byte-string keys to byte-string values. `scan` returns entries in ascending
key order (unsigned lexicographic byte order), so every backend iterates identically.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from sortedcontainers import SortedDict


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


class MemoryStorage:
    """An in-memory `Storage` on a sorted dictionary (RT-STORAGE-1, RT-STORAGE-2)."""

    def __init__(self, items: dict[bytes, bytes] | None = None) -> None:
        self._data: SortedDict = SortedDict()
        for k, v in (items or {}).items():
            self.set(k, v)

    def get(self, key: bytes) -> bytes | None:
        """RT-STORAGE-1 ``get``."""
        value: bytes | None = self._data.get(bytes(key))
        return value

    def set(self, key: bytes, value: bytes) -> None:
        """RT-STORAGE-1 ``set``."""
        self._data[bytes(key)] = bytes(value)

    def delete(self, key: bytes) -> None:
        """RT-STORAGE-1 ``delete``."""
        self._data.pop(bytes(key), None)

    def scan(self, prefix: bytes, limit: int) -> list[tuple[bytes, bytes]]:
        """RT-STORAGE-2: entries with ``prefix`` in ascending key order, at most ``limit``."""
        if limit <= 0:
            return []
        end = prefix_end(prefix)
        out: list[tuple[bytes, bytes]] = []
        for key in self._data.irange(minimum=bytes(prefix), maximum=end,
                                     inclusive=(True, False)):
            out.append((key, self._data[key]))
            if len(out) == limit:
                break
        return out

    def apply_batch(self, writes: dict[bytes, bytes | None]) -> None:
        """RT-ATOMIC-3: apply a whole commit (None = delete) atomically: every key and value is
        checked first, so nothing is written unless everything can be."""
        batch = [(bytes(k), None if v is None else bytes(v)) for k, v in writes.items()]
        for key, value in batch:
            if value is None:
                self._data.pop(key, None)
            else:
                self._data[key] = value

    def items(self) -> list[tuple[bytes, bytes]]:
        """Every entry in key order (for fixtures and tests)."""
        return list(self._data.items())

    def __len__(self) -> int:
        return len(self._data)
