"""The on-disk encoding of the MVCC layout (spec/persistence.md, PERSIST-DB-4).

Three column families: ``default`` holds the user keys and their latest values exactly as a
`Storage` would; ``mvcc_meta`` holds the format version, the flush point and the pruning
marks; ``mvcc_history`` holds every flushed version. Integers are big-endian, so the unsigned
byte order of the keys is the numeric order.
"""

from __future__ import annotations

import struct

DEFAULT_CF = "default"
META_CF = "mvcc_meta"
HISTORY_CF = "mvcc_history"
COLUMN_FAMILIES = (DEFAULT_CF, META_CF, HISTORY_CF)

FORMAT_VERSION = 1
FORMAT_VERSION_KEY = b"format_version"
FLUSH_POINT_KEY = b"flush_point"
HISTORY_FLOOR_KEY = b"history_floor"
PRUNED_PREFIX = b"pruned/"

TAG_TOMBSTONE = 0x00
TAG_VALUE = 0x01

_U32 = struct.Struct(">I")
_U64 = struct.Struct(">Q")


def encode_u32(n: int) -> bytes:
    """PERSIST-DB-4: a u32, big-endian."""
    return _U32.pack(n)


def encode_u64(n: int) -> bytes:
    """PERSIST-DB-4: a u64, big-endian (timestamps, the flush point)."""
    return _U64.pack(n)


def decode_u64(data: bytes) -> int | None:
    """PERSIST-DB-4: a u64 big-endian, None when ``data`` is not 8 bytes."""
    return _U64.unpack(data)[0] if len(data) == 8 else None


def decode_u32(data: bytes) -> int | None:
    """PERSIST-DB-4: a u32 big-endian, None when ``data`` is not 4 bytes."""
    return _U32.unpack(data)[0] if len(data) == 4 else None


def history_prefix(key: bytes) -> bytes:
    """PERSIST-DB-4: the prefix of every history key of ``key``: u32 BE length, then key."""
    return _U32.pack(len(key)) + key


def history_key(key: bytes, commit_ts: int) -> bytes:
    """PERSIST-DB-4: the history key of ``key``'s version at ``commit_ts``; history keys sort
    by (length of the user key, user key, commit_ts)."""
    return history_prefix(key) + _U64.pack(commit_ts)


def decode_history_key(data: bytes) -> tuple[bytes, int] | None:
    """PERSIST-DB-4: (user key, commit_ts) of a history key, None when malformed."""
    if len(data) < 12:
        return None
    n = _U32.unpack(data[:4])[0]
    if len(data) != 4 + n + 8:
        return None
    return data[4:4 + n], _U64.unpack(data[4 + n:])[0]


def history_value(value: bytes | None) -> bytes:
    """PERSIST-DB-4: 0x01 then the value, or the single byte 0x00 for a deletion."""
    return bytes([TAG_TOMBSTONE]) if value is None else bytes([TAG_VALUE]) + value


def decode_history_value(data: bytes) -> tuple[bool, bytes | None]:
    """PERSIST-DB-4: (well formed, value or None for a tombstone)."""
    if data == bytes([TAG_TOMBSTONE]):
        return True, None
    if data[:1] == bytes([TAG_VALUE]):
        return True, data[1:]
    return False, None


def pruned_key(key: bytes) -> bytes:
    """PERSIST-DB-4: the meta key marking that pruning removed versions of ``key``; its value
    is the u64 BE commit_ts of the newest version removed."""
    return PRUNED_PREFIX + key
