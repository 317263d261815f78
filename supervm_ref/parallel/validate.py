"""Argument checks shared by the parallel engine (spec/scheduling.md, PAR-ERR-1).

Each check raises `InvalidInput` naming what was expected and what was found, so no Python
exception (TypeError, KeyError, ...) escapes the public API on bad input.
"""

from __future__ import annotations

from ..errors import shown
from .errors import InvalidInput, ParallelErrorKind

#: The seed's ``TxId`` is a u64.
TX_ID_MAX = 2**64 - 1


def require_bytes(value: object, what: str) -> bytes:
    """A byte string (bytes or bytearray, copied to bytes); anything else is INVALID_ARGUMENT
    (a str is rejected: keys and values are bytes, never text)."""
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    raise InvalidInput(ParallelErrorKind.INVALID_ARGUMENT,
                       f"{what} must be bytes, got {type(value).__name__} {shown(value, 60)}")


def require_int(value: object, what: str, lo: int, hi: int | None,
                kind: ParallelErrorKind = ParallelErrorKind.INVALID_ARGUMENT) -> int:
    """An int (not a bool) with ``lo <= value <= hi`` (no upper bound when ``hi`` is None)."""
    if type(value) is not int or value < lo or (hi is not None and value > hi):
        bound = f"{lo}..{hi}" if hi is not None else f">= {lo}"
        raise InvalidInput(kind, f"{what} must be an integer {bound}, got {shown(value, 60)}")
    return value


def require_tx_id(value: object, what: str = "transaction id") -> int:
    """PAR-ERR-1: a transaction id is an integer 0..2**64-1 (the seed's ``TxId = u64``)."""
    return require_int(value, what, 0, TX_ID_MAX, ParallelErrorKind.INVALID_TX_ID)


def require_callable(value: object, what: str) -> None:
    """A function to call."""
    if not callable(value):
        raise InvalidInput(ParallelErrorKind.INVALID_ARGUMENT,
                           f"{what} must be callable, got {type(value).__name__}")
