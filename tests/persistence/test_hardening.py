"""Hostile inputs and races of persistence (spec/persistence.md): a failed background flush,
huge intervals, bad clock values, restores over what is not a database, checkpoints inside
the database, a flush racing a named checkpoint, foreign and never-written databases, prunes
through read-only handles."""

from __future__ import annotations

import math
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from rocksdict import Options, Rdict

import supervm_ref.persistence.checkpoint as checkpoint_module
from supervm_ref.mvcc import MvccStore
from supervm_ref.persistence import (
    AutoFlushConfig,
    AutoFlushFailed,
    CheckpointInvalid,
    DatabaseCorrupt,
    DatabaseReadOnly,
    ManualClock,
    PersistenceArgumentError,
    RocksDBStorage,
    StorageFailed,
    checkpoint_path,
    create_checkpoint,
    create_checkpoint_at,
    list_checkpoints,
    restore_checkpoint,
)
from supervm_ref.persistence.layout import flush_point

from .test_store import commit

THREAD = "supervm-auto-flush"


def _until(condition: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the auto-flush thread did not act"
        time.sleep(0.005)


def _fail_in_thread(monkeypatch: pytest.MonkeyPatch, *, everywhere: bool) -> None:
    """Make the auto-flush thread's writes fail (and every write when ``everywhere``)."""
    original = RocksDBStorage._write_cf

    def write(self: RocksDBStorage, writes: Any) -> None:
        if everywhere or threading.current_thread().name == THREAD:
            raise StorageFailed("write", OSError("the disk is away"))
        original(self, writes)

    monkeypatch.setattr(RocksDBStorage, "_write_cf", write)


def test_stop_flushes_after_a_background_failure(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """PERSIST-AUTO-4: after a background flush failed, stop still attempts the final flush;
    when it succeeds every commit is in the database and AutoFlushFailed has no
    final_error."""
    with RocksDBStorage(tmp_path / "db") as db:
        store = MvccStore()
        commit(store, {b"a": b"1"})
        with monkeypatch.context() as patch:
            _fail_in_thread(patch, everywhere=False)
            store.start_auto_flush(db, AutoFlushConfig(True, 3600, 1))
            store.notify_block()
            _until(lambda: (s := store.auto_flush_status()) is not None
                   and s.error is not None)
            with pytest.raises(AutoFlushFailed) as info:
                store.stop_auto_flush()
        assert info.value.final_error is None
        assert isinstance(info.value.cause, StorageFailed)
        assert flush_point(db) == store.last_commit_ts() == store.flush_point()


def test_stop_carries_both_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """PERSIST-AUTO-4: a final flush that fails too is carried by AutoFlushFailed, and nothing
    was written."""
    with RocksDBStorage(tmp_path / "db") as db:
        store = MvccStore()
        commit(store, {b"a": b"1"})
        with monkeypatch.context() as patch:
            _fail_in_thread(patch, everywhere=True)
            store.start_auto_flush(db, AutoFlushConfig(True, 3600, 1))
            store.notify_block()
            _until(lambda: (s := store.auto_flush_status()) is not None
                   and s.error is not None)
            with pytest.raises(AutoFlushFailed) as info:
                store.stop_auto_flush()
        assert isinstance(info.value.final_error, StorageFailed)
        assert "final flush failed too" in str(info.value)
        assert flush_point(db) == 0 and store.flush_point() == 0


def test_huge_interval_on_the_monotonic_clock(tmp_path: Path) -> None:
    """PERSIST-AUTO-1/2: any interval a float holds is accepted and waited for (the wait is
    clamped to what the platform can wait); the block trigger still flushes."""
    with RocksDBStorage(tmp_path / "db") as db:
        store = MvccStore()
        store.start_auto_flush(db, AutoFlushConfig(True, 1e300, 1))
        time.sleep(0.1)
        status = store.auto_flush_status()
        assert status is not None and status.error is None and status.running
        commit(store, {b"a": b"1"})
        store.notify_block()
        _until(lambda: store.flush_point() == store.last_commit_ts())
        store.stop_auto_flush()


@pytest.mark.parametrize("call", [
    lambda: AutoFlushConfig(True, 10**400, 0),
    lambda: checkpoint_path("/r", "x"),  # type: ignore[arg-type]
    lambda: checkpoint_path("/r", 1.5),  # type: ignore[arg-type]
    lambda: checkpoint_path("/r", -1),
    lambda: checkpoint_path("/r", True),
    lambda: ManualClock("abc"),  # type: ignore[arg-type]
    lambda: ManualClock(math.inf),
    lambda: ManualClock().advance("x"),  # type: ignore[arg-type]
    lambda: ManualClock().advance(math.nan),
    lambda: ManualClock().advance(-5),
    lambda: ManualClock().advance(10**400),
])
def test_bad_arguments_are_typed(call: Any) -> None:
    """PERSIST-AUTO-1/2, PERSIST-CKPT-1, PERSIST-ERR-1: bad intervals, flush points and clock
    values are PersistenceArgumentError, never a Python exception or a wrong name."""
    with pytest.raises(PersistenceArgumentError):
        call()


def test_guard_keeps_a_group_out_of_background_flushes(tmp_path: Path) -> None:
    """PERSIST-AUTO-5: while the caller holds the guard no background flush runs; it runs
    once the guard is released, and flushes the whole group."""
    guard = threading.Lock()
    clock = ManualClock()
    with RocksDBStorage(tmp_path / "db") as db:
        store = MvccStore()
        store.start_auto_flush(db, AutoFlushConfig(True, 1, 1), clock=clock, guard=guard)
        with guard:
            commit(store, {b"a": b"1"})
            store.notify_block()
            clock.advance(5)
            time.sleep(0.3)
            assert flush_point(db) == 0
            commit(store, {b"b": b"2"})
        _until(lambda: flush_point(db) == 2)
        store.stop_auto_flush()
        with pytest.raises(PersistenceArgumentError):
            store.start_auto_flush(db, AutoFlushConfig(), guard=object())  # type: ignore[arg-type]


def _database_with_a_checkpoint(tmp: Path) -> Path:
    with RocksDBStorage(tmp / "db") as db:
        store = MvccStore()
        commit(store, {b"k": b"v"})
        store.flush_to_storage(db)
        return create_checkpoint(db, tmp / "ckpt")


def test_restore_never_replaces_what_is_not_a_database(tmp_path: Path) -> None:
    """PERSIST-CKPT-3: a db_path that exists and is neither a database nor an empty directory
    (a directory of files, a file) is refused and left as it was; an empty directory is
    replaced."""
    ckpt = _database_with_a_checkpoint(tmp_path)
    victim = tmp_path / "documents"
    victim.mkdir()
    (victim / "thesis.txt").write_text("years of work")
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    for target in (victim, a_file):
        with pytest.raises(PersistenceArgumentError) as info:
            restore_checkpoint(ckpt, target)
        assert info.value.argument == "db_path"
    assert (victim / "thesis.txt").read_text() == "years of work"
    assert a_file.read_text() == "x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "ckpt", "db", "documents"]
    empty = tmp_path / "empty"
    empty.mkdir()
    restore_checkpoint(ckpt, empty)
    with RocksDBStorage(empty, read_only=True) as restored:
        assert restored.get(b"k") == b"v"


def test_checkpoints_inside_the_database_are_refused(tmp_path: Path) -> None:
    """PERSIST-CKPT-1/3: a checkpoint directory inside the database directory is refused by
    create_checkpoint, create_checkpoint_at and restore_checkpoint; nothing is written."""
    ckpt = _database_with_a_checkpoint(tmp_path)
    path = tmp_path / "db"
    with RocksDBStorage(path) as db:
        with pytest.raises(CheckpointInvalid):
            create_checkpoint_at(db, path / "checkpoints")
        with pytest.raises(CheckpointInvalid):
            create_checkpoint(db, path / "x" / "y")
    assert not (path / "checkpoints").exists() and not (path / "x").exists()
    inside = path / "kept"
    inside.mkdir()
    with pytest.raises(CheckpointInvalid):
        restore_checkpoint(inside, path)
    with pytest.raises(CheckpointInvalid):
        restore_checkpoint(ckpt, ckpt / "db")  # nor a database inside the checkpoint
    assert not (ckpt / "db").exists()
    restore_checkpoint(ckpt, path)  # a checkpoint beside it is fine


def test_checkpoint_at_is_named_by_the_flush_point_it_holds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """PERSIST-CKPT-1: a flush racing create_checkpoint_at lands before or after the
    checkpoint, never between reading the flush point and taking it."""
    db = RocksDBStorage(tmp_path / "db")
    store = MvccStore()

    def commit_and_flush() -> None:
        commit(store, {b"k": b"%d" % store.last_commit_ts()})
        store.flush_to_storage(db)

    commit_and_flush()
    racing: list[threading.Thread] = []
    real = checkpoint_module.flush_point

    def racing_flush_point(d: RocksDBStorage) -> int:
        point = real(d)
        thread = threading.Thread(target=commit_and_flush)
        thread.start()
        thread.join(0.3)  # the other flush runs now, or waits for the database
        racing.append(thread)
        return point

    monkeypatch.setattr(checkpoint_module, "flush_point", racing_flush_point)
    path = create_checkpoint_at(db, tmp_path / "ckpts")
    monkeypatch.setattr(checkpoint_module, "flush_point", real)
    for thread in racing:
        thread.join()
    [(named, _)] = list_checkpoints(tmp_path / "ckpts")
    with RocksDBStorage(path, read_only=True) as held:
        assert flush_point(held) == named == 1
    assert flush_point(db) == 2
    db.close()


def test_a_foreign_database_is_refused_unchanged(tmp_path: Path) -> None:
    """PERSIST-DB-5: a RocksDB database without the column families of PERSIST-DB-4 is
    DatabaseCorrupt, and opening it writable added nothing to it."""
    path = tmp_path / "foreign"
    d = Rdict(str(path), options=Options(raw_mode=True))
    d[b"app"] = b"data"
    d.close()
    with pytest.raises(DatabaseCorrupt):
        RocksDBStorage(path)
    with pytest.raises(DatabaseCorrupt):
        RocksDBStorage(path, read_only=True)
    assert Rdict.list_cf(str(path)) == ["default"]


def test_a_never_written_database_opens_as_new(tmp_path: Path) -> None:
    """PERSIST-DB-5: a database created with its column families by a process that stopped
    before writing format_version (it holds no entry at all) opens as a new database."""
    path = tmp_path / "data"
    options = Options(raw_mode=True)
    options.create_if_missing(True)
    options.create_missing_column_families(True)
    Rdict(str(path), options=options,
          column_families={n: Options(raw_mode=True) for n in ("mvcc_meta", "mvcc_history")}
          ).close()
    with RocksDBStorage(path, read_only=True) as ro:
        assert flush_point(ro) == 0 and ro.items() == []
    with RocksDBStorage(path) as db:
        store = MvccStore.open(db)
        commit(store, {b"a": b"1"})
        store.flush_to_storage(db)
    with RocksDBStorage(path) as db:
        assert MvccStore.open(db).read_latest(b"a") == b"1"


def test_prune_through_a_read_only_handle(tmp_path: Path) -> None:
    """PERSIST-DB-3: a prune through a read-only handle is DatabaseReadOnly, whatever the
    history holds (here: nothing to prune)."""
    with RocksDBStorage(tmp_path / "db") as db:
        store = MvccStore()
        commit(store, {b"k": b"v"})
        store.flush_to_storage(db)
    with RocksDBStorage(tmp_path / "db", read_only=True) as ro, pytest.raises(DatabaseReadOnly):
        MvccStore.open(ro).prune_old_versions(ro, 1)


def test_stop_without_the_final_flush_while_holding_the_guard(tmp_path: Path) -> None:
    """PERSIST-AUTO-5: a caller holding the guard may stop (a thread waiting for the guard
    gives up); final_flush=False leaves the cut group out of the database."""
    guard = threading.Lock()
    with RocksDBStorage(tmp_path / "db") as db:
        store = MvccStore()
        store.start_auto_flush(db, AutoFlushConfig(True, 3600, 1), guard=guard)
        with guard:
            commit(store, {b"a": b"1"})
            store.notify_block()
            time.sleep(0.2)  # the thread waits for the guard
            store.stop_auto_flush(final_flush=False)
        assert flush_point(db) == 0 and store.flush_point() == 0
        with pytest.raises(PersistenceArgumentError):
            store.stop_auto_flush(final_flush=1)  # type: ignore[arg-type]
