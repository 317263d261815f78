"""The MVCC store on RocksDB (spec/persistence.md PERSIST-FLUSH-*, PERSIST-OPEN-1,
PERSIST-PRUNE-*, PERSIST-HIST-1): incremental flushes, reopening, pruning, history reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supervm_ref.mvcc import FlushStats, MvccStore
from supervm_ref.persistence import (
    DatabaseClosed,
    DatabaseCorrupt,
    DatabaseReadOnly,
    FlushPointMismatch,
    HistoryUnavailable,
    PersistenceArgumentError,
    PersistenceErrorKind,
    RocksDBStorage,
    key_history,
    read_history_at,
)
from supervm_ref.runtime.errors import StorageInputError
from supervm_ref.runtime.storage import MemoryStorage


def commit(store: MvccStore, writes: dict[bytes, bytes | None]) -> int:
    txn = store.begin()
    for key, value in writes.items():
        if value is None:
            txn.delete(key)
        else:
            txn.write(key, value)
    return txn.commit()


def hexed(db: RocksDBStorage, cf: str) -> list[tuple[str, str]]:
    return [(k.hex(), v.hex()) for k, v in db.column_family_items(cf)]


def test_incremental_flush_layout(db: RocksDBStorage) -> None:
    """PERSIST-FLUSH-1/2, PERSIST-DB-4: the first flush writes every version, the next only
    what was committed since; latest values in default, versions in mvcc_history (u32 BE
    length + key + u64 BE commit_ts -> 0x01 value | 0x00), the flush point in mvcc_meta; run
    stats (MVCC-FLUSH-3) and totals."""
    store = MvccStore()
    commit(store, {b"a": b"1", b"b": b"22"})
    assert store.flush_to_storage(db) == FlushStats(1, 2, 5)
    commit(store, {b"a": None})
    commit(store, {b"b": b"3"})
    run = store.flush_to_storage(db)
    assert run == FlushStats(1, 2, 1 + 2)
    assert store.flush_stats() == FlushStats(2, 4, 8) and store.flush_point() == 3
    assert db.items() == [(b"b", b"3")]
    assert hexed(db, "mvcc_history") == [
        ("00000001610000000000000001", "0131"), ("00000001610000000000000002", "00"),
        ("00000001620000000000000001", "013232"), ("00000001620000000000000003", "0133")]
    assert hexed(db, "mvcc_meta") == [(b"flush_point".hex(), "0000000000000003"),
                                      (b"format_version".hex(), "00000001")]
    assert store.flush_to_storage(db) == FlushStats(1, 0, 0)  # an empty flush is a flush
    assert store.flush_stats().flush_count == 3


def test_flush_keeps_versions_gc_dropped(db: RocksDBStorage) -> None:
    """PERSIST-FLUSH-1: after the first flush, every version committed since the last flush
    reaches the history even if GC dropped it from memory; a key whose tombstone GC removed
    is still deleted in the database."""
    store = MvccStore()
    commit(store, {b"k": b"1"})
    store.flush_to_storage(db)
    commit(store, {b"k": b"2"})
    commit(store, {b"k": None})
    store.gc_now()
    assert store.versions(b"k") == []
    assert store.flush_to_storage(db) == FlushStats(1, 1, 1)
    assert db.items() == []
    assert [(v.commit_ts, v.value) for v in key_history(db, b"k")] == [
        (1, b"1"), (2, b"2"), (3, None)]


def test_gc_before_the_first_flush_sets_the_history_floor(db: RocksDBStorage) -> None:
    """PERSIST-FLUSH-1, PERSIST-HIST-1: versions GC removed before a store's first flush
    cannot reach the history; the flush records history_floor (the GC horizon) and reads
    before it are HistoryUnavailable; without GC nothing is recorded."""
    store = MvccStore()
    commit(store, {b"k": b"1"})
    commit(store, {b"k": b"2", b"gone": b"x"})
    commit(store, {b"gone": None, b"j": b"3"})
    store.gc_now()  # horizon 3: k@1 and both versions of gone are collected
    store.flush_to_storage(db)
    assert (b"history_floor", (3).to_bytes(8, "big")) in db.column_family_items("mvcc_meta")
    assert read_history_at(db, b"k", 3) == b"2" and read_history_at(db, b"gone", 3) is None
    for ts in range(3):
        with pytest.raises(HistoryUnavailable):
            read_history_at(db, b"k", ts)
    other = MvccStore()
    commit(other, {b"k": b"1"})
    with RocksDBStorage(db.path.parent / "plain") as fresh:
        other.flush_to_storage(fresh)
        assert [k for k, _ in fresh.column_family_items("mvcc_meta")] == [
            b"flush_point", b"format_version"]


def test_flush_never_holds_half_a_transaction(db: RocksDBStorage) -> None:
    """PERSIST-FLUSH-2: the flush point is a commit timestamp taken under the store lock; an
    open transaction's buffered writes are not flushed."""
    store = MvccStore()
    commit(store, {b"a": b"1"})
    txn = store.begin()
    txn.write(b"b", b"2")
    store.flush_to_storage(db)
    assert db.items() == [(b"a", b"1")]
    txn.commit()
    store.flush_to_storage(db)
    assert db.items() == [(b"a", b"1"), (b"b", b"2")] and store.flush_point() == 2


def test_open_rebuilds_and_continues(tmp_path: Path) -> None:
    """PERSIST-OPEN-1: a store opened from the database has the flushed state at the flush
    point (each key's latest version at its commit_ts), and its next flush is incremental."""
    path = tmp_path / "db"
    store = MvccStore()
    commit(store, {b"a": b"1", b"b": b"2"})
    commit(store, {b"a": b"3", b"b": None})
    with RocksDBStorage(path) as db:
        store.flush_to_storage(db)
    commit(store, {b"c": b"lost"})  # never flushed
    with RocksDBStorage(path) as db:
        again = MvccStore.open(db)
        assert again.snapshot_items() == [(b"a", b"3")]
        assert again.last_commit_ts() == again.flush_point() == 2
        assert [(v.commit_ts, v.value) for v in again.versions(b"a")] == [(2, b"3")]
        assert commit(again, {b"d": b"4"}) == 3
        assert again.flush_to_storage(db) == FlushStats(1, 1, 2)
        assert db.items() == [(b"a", b"3"), (b"d", b"4")]
        with pytest.raises(FlushPointMismatch) as info:
            store.flush_to_storage(db)  # the original store is at flush point 2, db at 3
        assert info.value.kind is PersistenceErrorKind.FLUSH_POINT_MISMATCH
        assert (info.value.store_point, info.value.database_point) == (2, 3)


def test_mismatched_flush_point_writes_nothing(db: RocksDBStorage) -> None:
    """PERSIST-FLUSH-3: a store not opened from the database (flush points disagree), or a
    database at flush point 0 holding entries, is FlushPointMismatch and nothing is
    written; prune_old_versions checks the same."""
    first = MvccStore()
    commit(first, {b"a": b"1"})
    first.flush_to_storage(db)
    other = MvccStore()
    commit(other, {b"x": b"9"})
    before = [db.column_family_items(cf) for cf in ("default", "mvcc_meta", "mvcc_history")]
    with pytest.raises(FlushPointMismatch):
        other.flush_to_storage(db)
    with pytest.raises(FlushPointMismatch):
        other.prune_old_versions(db, 1)
    assert before == [db.column_family_items(cf)
                      for cf in ("default", "mvcc_meta", "mvcc_history")]
    db2_path = db.path.parent / "plain"
    with RocksDBStorage(db2_path) as plain:
        plain.set(b"user", b"data")  # used as a plain Storage
        with pytest.raises(FlushPointMismatch):
            MvccStore().flush_to_storage(plain)
        with pytest.raises(DatabaseCorrupt):
            MvccStore.open(plain)


def test_prune_keeps_n_and_what_snapshots_read(db: RocksDBStorage) -> None:
    """PERSIST-PRUNE-1/2: keep the newest N versions per key, but never the version visible
    at the store's gc_horizon or a newer one; (pruned_versions, pruned_keys); a mark per
    pruned key; one batch; keep_versions >= 1."""
    store = MvccStore()
    for i in range(1, 6):
        commit(store, {b"k": b"%d" % i, b"j": b"%d" % i} if i <= 2 else {b"k": b"%d" % i})
    snapshot = store.begin()  # start_ts 5
    store.flush_to_storage(db)
    assert store.prune_old_versions(db, 1) == (5, 2)  # k@1..4 and j@1
    assert [v.commit_ts for v in key_history(db, b"k")] == [5]
    snapshot.abort()
    store2 = MvccStore()
    path2 = db.path.parent / "second"
    with RocksDBStorage(path2) as db2:
        for i in range(1, 6):
            commit(store2, {b"k": b"%d" % i})
        old = store2.begin()  # start_ts 5 ... then more commits
        commit(store2, {b"k": b"6"})
        old_reader = old
        store2.flush_to_storage(db2)
        assert store2.gc_horizon() == 5
        assert store2.prune_old_versions(db2, 1) == (4, 1)  # k@5 stays: the snapshot reads it
        assert [v.commit_ts for v in key_history(db2, b"k")] == [5, 6]
        assert db2.column_family_items("mvcc_meta")[2] == (b"pruned/k", (4).to_bytes(8, "big"))
        assert store2.prune_old_versions(db2, 1) == (0, 0)
        old_reader.abort()
        assert store2.prune_old_versions(db2, 1) == (1, 1)
        assert store2.prune_old_versions(db2, 5) == (0, 0)
        for bad in (0, -1, True, 1.5, "2", None):
            with pytest.raises(PersistenceArgumentError):
                store2.prune_old_versions(db2, bad)  # type: ignore[arg-type]


def test_history_reads(db: RocksDBStorage) -> None:
    """PERSIST-HIST-1: read_history_at answers MVCC-VERSION-2 from the history for every ts
    up to the flush point, and after pruning from the oldest kept version on; other
    timestamps are HistoryUnavailable."""
    store = MvccStore()
    commit(store, {b"k": b"1"})           # 1
    commit(store, {b"other": b"x"})       # 2
    commit(store, {b"k": None})           # 3
    commit(store, {b"k": b"4"})           # 4
    store.flush_to_storage(db)
    assert [read_history_at(db, b"k", ts) for ts in range(5)] == [None, b"1", b"1", None, b"4"]
    assert read_history_at(db, b"never", 4) is None
    with pytest.raises(HistoryUnavailable):
        read_history_at(db, b"k", 5)
    store.prune_old_versions(db, 1)
    assert read_history_at(db, b"k", 4) == b"4"
    for ts in range(4):
        with pytest.raises(HistoryUnavailable):
            read_history_at(db, b"k", ts)
    assert read_history_at(db, b"other", 0) is None  # never pruned: answerable
    for bad in (-1, True, "1", None):
        with pytest.raises(PersistenceArgumentError):
            read_history_at(db, b"k", bad)  # type: ignore[arg-type]
    with pytest.raises(StorageInputError):
        read_history_at(db, "k", 1)  # type: ignore[arg-type]


def test_bad_databases(tmp_path: Path) -> None:
    """PERSIST-ERR-1: a non-RocksDBStorage is PersistenceArgumentError; a closed handle is
    DatabaseClosed; a read-only one opens a store but refuses a flush (DatabaseReadOnly)."""
    store = MvccStore()
    for bad in (MemoryStorage(), None, "db"):
        with pytest.raises(PersistenceArgumentError):
            store.flush_to_storage(bad)  # type: ignore[arg-type]
        with pytest.raises(PersistenceArgumentError):
            MvccStore.open(bad)  # type: ignore[arg-type]
        with pytest.raises(PersistenceArgumentError):
            store.prune_old_versions(bad, 1)  # type: ignore[arg-type]
        with pytest.raises(PersistenceArgumentError):
            read_history_at(bad, b"k", 0)  # type: ignore[arg-type]
    path = tmp_path / "db"
    commit(store, {b"a": b"1"})
    with RocksDBStorage(path) as db:
        store.flush_to_storage(db)
    with pytest.raises(DatabaseClosed):
        store.flush_to_storage(db)
    with RocksDBStorage(path, read_only=True) as ro:
        assert MvccStore.open(ro).snapshot_items() == [(b"a", b"1")]
        commit(store, {b"b": b"2"})
        with pytest.raises(DatabaseReadOnly):
            store.flush_to_storage(ro)
        assert store.flush_stats().flush_count == 1


# --- property: random commit / flush / reopen / prune sequences -----------------------------

STEP = st.one_of(
    st.tuples(st.just("commit"), st.dictionaries(st.sampled_from([b"a", b"b", b"c", b"d"]),
                                                 st.one_of(st.none(), st.binary(max_size=2)),
                                                 min_size=1, max_size=3)),
    st.tuples(st.just("flush"), st.none()),
    st.tuples(st.just("reopen"), st.none()),
    st.tuples(st.just("prune"), st.integers(1, 3)),
    st.tuples(st.just("snapshot"), st.none()),
    st.tuples(st.just("gc"), st.none()),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(STEP, max_size=20))
def test_reopen_and_history_agree_with_memory(tmp_path_factory: pytest.TempPathFactory,
                                              steps: list[tuple[str, object]]) -> None:
    """PERSIST-OPEN-1, PERSIST-HIST-1, PERSIST-PRUNE-2: after any sequence, a store reopened
    from the database holds the original's state at the flush point, and every timestamp the
    history still answers agrees with a never-collected in-memory reference."""
    path = tmp_path_factory.mktemp("p") / "db"
    reference = MvccStore()  # every version, never collected
    store = MvccStore()
    db = RocksDBStorage(path)
    snapshots = []
    try:
        for op, arg in steps:
            if op == "commit":
                commit(store, arg)  # type: ignore[arg-type]
                commit(reference, arg)  # type: ignore[arg-type]
            elif op == "flush":
                store.flush_to_storage(db)
            elif op == "reopen":
                store.flush_to_storage(db)
                for snap in snapshots:
                    snap.abort()
                snapshots = []
                db.close()
                db = RocksDBStorage(path)
                store = MvccStore.open(db)
            elif op == "prune":
                store.prune_old_versions(db, arg)  # type: ignore[arg-type]
            elif op == "snapshot":
                snapshots.append(store.begin())
            else:
                store.gc_now()
        point = store.flush_to_storage(db) and store.flush_point()
        assert point == reference.last_commit_ts()
        for snap in snapshots:  # open snapshots read the same from the database's history
            for key in (b"a", b"b", b"c", b"d"):
                assert read_history_at(db, key, snap.start_ts) == snap.read(key)
        for key in (b"a", b"b", b"c", b"d"):
            for ts in range(point + 1):
                try:
                    got = read_history_at(db, key, ts)
                except HistoryUnavailable:
                    continue
                assert got == reference._value_at(key, ts)
        db.close()
        with RocksDBStorage(path, read_only=True) as ro:
            reopened = MvccStore.open(ro)
            assert reopened.snapshot_items() == reference.snapshot_items() == ro.items()
            assert reopened.last_commit_ts() == point
    finally:
        db.close()
