"""Auto-flush (spec/persistence.md PERSIST-AUTO-*), driven by a manual clock: only the clock
decides when a flush is due; the tests wait (with a generous bound) for the thread to act."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from supervm_ref.mvcc import MvccStore
from supervm_ref.persistence import (
    AutoFlushConfig,
    AutoFlushFailed,
    AutoFlushStateError,
    Clock,
    ManualClock,
    MonotonicClock,
    PersistenceArgumentError,
    RocksDBStorage,
)

from .test_store import commit


def until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    """Wait for the background thread; the bound only turns a hang into a failure."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the auto-flush thread did not act"
        time.sleep(0.005)


def flushes(store: MvccStore) -> int:
    status = store.auto_flush_status()
    assert status is not None
    return status.flushes


def test_config_is_validated() -> None:
    """PERSIST-AUTO-1: enable a bool, interval > 0 finite, threshold an int >= 0."""
    AutoFlushConfig(True, 0.5, 0)
    AutoFlushConfig(False, 3, 10)
    for kwargs in ({"enable": 1}, {"interval_seconds": 0}, {"interval_seconds": -1},
                   {"interval_seconds": float("inf")}, {"interval_seconds": float("nan")},
                   {"interval_seconds": True}, {"interval_seconds": "1"},
                   {"block_trigger_threshold": -1}, {"block_trigger_threshold": 1.0},
                   {"block_trigger_threshold": True}):
        with pytest.raises(PersistenceArgumentError) as info:
            AutoFlushConfig(**kwargs)  # type: ignore[arg-type]
        assert info.value.argument.startswith("AutoFlushConfig.")


def test_interval_on_a_manual_clock(db: RocksDBStorage) -> None:
    """PERSIST-AUTO-2: nothing is flushed before the interval has passed on the clock; once
    the clock has moved past it, the thread flushes; stop flushes what is pending."""
    clock = ManualClock()
    store = MvccStore()
    store.start_auto_flush(db, AutoFlushConfig(True, 10, 0), clock=clock)
    commit(store, {b"a": b"1"})
    clock.advance(9.5)
    time.sleep(0.05)  # the thread had time; the clock says not yet
    assert flushes(store) == 0 and db.items() == []
    clock.advance(0.5)
    until(lambda: flushes(store) == 1)
    assert db.items() == [(b"a", b"1")] and store.flush_point() == 1
    commit(store, {b"b": b"2"})
    store.stop_auto_flush()
    assert db.items() == [(b"a", b"1"), (b"b", b"2")]
    assert store.auto_flush_status() is None
    store.stop_auto_flush()  # idempotent
    assert store.flush_stats().flush_count == 2


def test_block_trigger(db: RocksDBStorage) -> None:
    """PERSIST-AUTO-2/3: after block_trigger_threshold notify_block() calls the thread flushes
    at once, whatever the clock; blocks pending are counted in the status."""
    clock = ManualClock()
    store = MvccStore()
    store.start_auto_flush(db, AutoFlushConfig(True, 1000, 3), clock=clock)
    commit(store, {b"a": b"1"})
    store.notify_block()
    store.notify_block()
    status = store.auto_flush_status()
    assert status is not None and status.blocks_pending == 2 and status.running
    assert db.items() == []
    store.notify_block()
    until(lambda: flushes(store) == 1)
    assert db.items() == [(b"a", b"1")]
    store.stop_auto_flush()


def test_state_errors_and_disabled(db: RocksDBStorage) -> None:
    """PERSIST-AUTO-3: start twice and notify_block without auto-flush are
    AutoFlushStateError; enable=False starts no thread but stop still flushes; bad
    arguments are PersistenceArgumentError."""
    store = MvccStore()
    with pytest.raises(AutoFlushStateError):
        store.notify_block()
    store.start_auto_flush(db, AutoFlushConfig(False, 1, 1))
    with pytest.raises(AutoFlushStateError):
        store.start_auto_flush(db, AutoFlushConfig(False, 1, 1))
    commit(store, {b"a": b"1"})
    store.notify_block()
    status = store.auto_flush_status()
    assert status is not None and not status.running and status.flushes == 0
    store.stop_auto_flush()
    assert db.items() == [(b"a", b"1")]
    for args in (("db", AutoFlushConfig()), (db, {"enable": True})):
        with pytest.raises(PersistenceArgumentError):
            store.start_auto_flush(*args)  # type: ignore[arg-type]
    with pytest.raises(PersistenceArgumentError):
        store.start_auto_flush(db, AutoFlushConfig(), clock=object())  # type: ignore[arg-type]
    assert store.auto_flush_status() is None


def test_background_failure_is_kept_and_raised(tmp_path: Path) -> None:
    """PERSIST-AUTO-4: a background flush that fails (here: the database was flushed by
    another store) stops the thread, shows in the status and is raised by stop as
    AutoFlushFailed with the cause; a second stop does nothing."""
    clock = ManualClock()
    with RocksDBStorage(tmp_path / "db") as db:
        other = MvccStore()
        commit(other, {b"x": b"1"})
        other.flush_to_storage(db)
        store = MvccStore()
        store.start_auto_flush(db, AutoFlushConfig(True, 1, 0), clock=clock)
        clock.advance(1)
        until(lambda: (s := store.auto_flush_status()) is not None and s.error is not None)
        status = store.auto_flush_status()
        assert status is not None and not status.running
        with pytest.raises(AutoFlushFailed) as info:
            store.stop_auto_flush()
        assert info.value.cause is status.error
        store.stop_auto_flush()


def test_flushes_never_split_a_transaction(db: RocksDBStorage) -> None:
    """PERSIST-AUTO-2, PERSIST-FLUSH-2: with the thread flushing as often as it can while
    transactions commit pairs of keys, every flush point holds both keys of each pair."""
    store = MvccStore()
    store.start_auto_flush(db, AutoFlushConfig(True, 1e-9, 0), clock=MonotonicClock())
    for i in range(200):
        commit(store, {b"x": b"%d" % i, b"y": b"%d" % i})
        state = dict(db.items())
        assert state.get(b"x") == state.get(b"y")
    store.stop_auto_flush()
    assert dict(db.items()) == {b"x": b"199", b"y": b"199"}
    assert isinstance(ManualClock(), Clock) and isinstance(MonotonicClock(), Clock)
    assert threading.active_count() >= 1
