"""Checking the arguments of the public API (spec/mvcc.md, MVCC-KEY-1)."""

from __future__ import annotations

from .errors import InvalidInput


def as_bytes(value: object, argument: str) -> bytes:
    """MVCC-KEY-1: keys, values and prefixes are byte strings (``bytes`` or ``bytearray``,
    copied); anything else — text included — is `InvalidInput`."""
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    raise InvalidInput(argument, "bytes", value)


def as_limit(value: object) -> int:
    """MVCC-KEY-1: a scan limit is an integer (not a bool); one of 0 or less returns nothing
    (as RT-STORAGE-2)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput("limit", "an integer", value)
    return value
