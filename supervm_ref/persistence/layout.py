"""Reading the MVCC layout of a database (spec/persistence.md, PERSIST-DB-4, PERSIST-HIST-1).

The flush point, the history of each key and reads at an old timestamp, decoded from the column
families of a `RocksDBStorage` and checked: anything that does not follow PERSIST-DB-4 is
`DatabaseCorrupt`.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from ..runtime.storage import as_bytes
from .encoding import (
    FLUSH_POINT_KEY,
    HISTORY_CF,
    HISTORY_FLOOR_KEY,
    META_CF,
    decode_history_key,
    decode_history_value,
    decode_u64,
    history_prefix,
    pruned_key,
)
from .errors import DatabaseCorrupt, HistoryUnavailable, PersistenceArgumentError
from .rocksdb import RocksDBStorage


@dataclass(frozen=True)
class HistoryVersion:
    """PERSIST-DB-4: one flushed version of a key: ``value`` None is a deletion."""

    commit_ts: int
    value: bytes | None


def check_db(db: object, argument: str = "db") -> RocksDBStorage:
    """PERSIST-ERR-1: ``db`` must be a `RocksDBStorage`."""
    if not isinstance(db, RocksDBStorage):
        raise PersistenceArgumentError(argument, "a RocksDBStorage", db)
    return db


def flush_point(db: RocksDBStorage) -> int:
    """PERSIST-FLUSH-1: the database's flush point (0 when it was never flushed)."""
    raw = db._cf_get(META_CF, FLUSH_POINT_KEY)
    if raw is None:
        return 0
    point = decode_u64(raw)
    if point is None:
        raise DatabaseCorrupt(f"flush_point: expected 8 bytes, found {raw.hex()}")
    return point


def history_floor(db: RocksDBStorage) -> int:
    """PERSIST-HIST-1: the timestamp from which the history answers every key (0 when the
    meta entry is absent: from the beginning)."""
    raw = db._cf_get(META_CF, HISTORY_FLOOR_KEY)
    if raw is None:
        return 0
    floor = decode_u64(raw)
    if floor is None:
        raise DatabaseCorrupt(f"history_floor: expected 8 bytes, found {raw.hex()}")
    return floor


def _decode_entry(raw_key: bytes, raw_value: bytes) -> tuple[bytes, HistoryVersion]:
    decoded = decode_history_key(raw_key)
    ok, value = decode_history_value(raw_value)
    if decoded is None or not ok:
        raise DatabaseCorrupt(f"{HISTORY_CF}: malformed entry {raw_key.hex()} -> "
                              f"{raw_value.hex()}")
    return decoded[0], HistoryVersion(decoded[1], value)


def history(db: RocksDBStorage) -> dict[bytes, list[HistoryVersion]]:
    """PERSIST-DB-4: every flushed version, per user key, oldest first."""
    out: dict[bytes, list[HistoryVersion]] = {}
    for raw_key, raw_value in db._cf_scan(HISTORY_CF, b"", None):
        key, version = _decode_entry(raw_key, raw_value)
        out.setdefault(key, []).append(version)
    return out


def key_history(db: RocksDBStorage, key: bytes) -> list[HistoryVersion]:
    """PERSIST-HIST-1: the flushed versions of ``key`` the database holds, oldest first."""
    db = check_db(db)
    key = as_bytes(key, "key")
    out: list[HistoryVersion] = []
    for raw_key, raw_value in db._cf_scan(HISTORY_CF, history_prefix(key), None):
        k, version = _decode_entry(raw_key, raw_value)
        if k == key:  # a longer key cannot share the length prefix, but stay exact
            out.append(version)
    return out


def pruned_mark(db: RocksDBStorage, key: bytes) -> int | None:
    """PERSIST-PRUNE-2: the commit_ts of the newest version of ``key`` pruning removed, None
    when pruning never removed one."""
    raw = db._cf_get(META_CF, pruned_key(key))
    if raw is None:
        return None
    ts = decode_u64(raw)
    if ts is None:
        raise DatabaseCorrupt(f"{META_CF}: pruned mark of {key.hex()} is not 8 bytes")
    return ts


def read_history_at(db: RocksDBStorage, key: bytes, ts: int) -> bytes | None:
    """PERSIST-HIST-1: the value of ``key`` at snapshot ``ts`` from the database's history
    (MVCC-VERSION-2: the newest flushed version with ``commit_ts <= ts``; None when there is
    none or it is a deletion). Answerable for ``history_floor <= ts <= flush point`` when
    pruning never removed a version of the key, else for ``max(history_floor, oldest kept
    commit_ts) <= ts <= flush point``; any other ``ts`` is `HistoryUnavailable`."""
    db = check_db(db)
    key = as_bytes(key, "key")
    if isinstance(ts, bool) or not isinstance(ts, int) or ts < 0:
        raise PersistenceArgumentError("ts", "an integer >= 0", ts)
    point = flush_point(db)
    if ts > point:
        raise HistoryUnavailable(f"ts {ts}: expected at most the flush point {point}")
    floor = history_floor(db)
    if ts < floor:
        raise HistoryUnavailable(f"ts {ts}: the history starts at {floor} (versions older "
                                 "were collected before the first flush)")
    versions = key_history(db, key)
    mark = pruned_mark(db, key)
    if mark is not None and (not versions or ts < versions[0].commit_ts):
        oldest = versions[0].commit_ts if versions else None
        raise HistoryUnavailable(
            f"ts {ts} of key {key.hex()}: versions up to {mark} were pruned; expected ts at "
            f"least the oldest kept version {oldest}")
    i = bisect_right([v.commit_ts for v in versions], ts)
    return versions[i - 1].value if i else None
