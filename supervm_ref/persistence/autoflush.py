"""Auto-flush: flushing an MVCC store in the background (spec/persistence.md,
PERSIST-AUTO-*).

A thread flushes the store to its database when an interval has passed on a `Clock`, or as soon
as enough blocks were announced (`MvccStore.notify_block`). The clock is injectable: only
``clock.now()`` decides whether the interval has passed, so a test driving a `ManualClock`
gets the same flushes every run. Errors are kept, reported and raised by ``stop``; the thread
never dies silently.
"""

from __future__ import annotations

import math
import sys
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from .errors import (
    AutoFlushFailed,
    AutoFlushStateError,
    PersistenceArgumentError,
    PersistenceError,
)

if TYPE_CHECKING:
    from ..mvcc.store import MvccStore
    from .rocksdb import RocksDBStorage


@runtime_checkable
class Clock(Protocol):
    """PERSIST-AUTO-2: the time the auto-flush thread sees."""

    def now(self) -> float:
        """PERSIST-AUTO-2: seconds on a monotonic scale."""
        ...

    def wait(self, seconds: float, wake: threading.Event) -> None:
        """PERSIST-AUTO-2: return after ``seconds`` on this clock, or earlier once ``wake`` is
        set."""
        ...


class MonotonicClock:
    """PERSIST-AUTO-2: the default clock, ``time.monotonic`` and ``Event.wait``."""

    def now(self) -> float:
        """PERSIST-AUTO-2: ``time.monotonic()``."""
        return time.monotonic()

    def wait(self, seconds: float, wake: threading.Event) -> None:
        """PERSIST-AUTO-2: ``wake.wait(seconds)``, the wait clamped to
        ``threading.TIMEOUT_MAX`` (the caller waits again when it returns early)."""
        wake.wait(min(max(seconds, 0.0), threading.TIMEOUT_MAX))


#: PERSIST-AUTO-1: a finite interval is one a float can hold.
_FLOAT_MAX = sys.float_info.max


def _seconds(argument: str, value: object, *, negative: bool) -> float:
    """PERSIST-AUTO-2: a finite int or float (not a bool), >= 0 unless ``negative``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PersistenceArgumentError(argument, "a finite number of seconds", value)
    try:
        seconds = float(value)
    except OverflowError:
        seconds = math.inf
    if not math.isfinite(seconds) or (seconds < 0 and not negative):
        raise PersistenceArgumentError(
            argument, "a finite number of seconds" + ("" if negative else " >= 0"), value)
    return seconds


class ManualClock:
    """PERSIST-AUTO-2: a clock that moves only when ``advance`` is called (for tests and
    fixtures): waiting returns once the clock has reached the deadline or ``wake`` is set."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = _seconds("ManualClock.start", start, negative=True)
        self._changed = threading.Condition()

    def now(self) -> float:
        """PERSIST-AUTO-2: the time set by ``advance``."""
        with self._changed:
            return self._now

    def advance(self, seconds: float) -> None:
        """PERSIST-AUTO-2: move the clock forward by ``seconds`` (a finite number >= 0) and wake
        the waiters."""
        seconds = _seconds("ManualClock.advance", seconds, negative=False)
        with self._changed:
            self._now += seconds
            self._changed.notify_all()

    def wait(self, seconds: float, wake: threading.Event) -> None:
        """PERSIST-AUTO-2: block until ``now() >= start + seconds`` or ``wake`` is set."""
        with self._changed:
            deadline = self._now + seconds
            while self._now < deadline and not wake.is_set():
                self._changed.wait(0.01)  # wake is an Event: look at it now and then


@dataclass(frozen=True)
class AutoFlushConfig:
    """PERSIST-AUTO-1: the seed's ``AutoFlushConfig``."""

    enable: bool = True
    interval_seconds: float | int = 10
    block_trigger_threshold: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.enable, bool):
            raise PersistenceArgumentError("AutoFlushConfig.enable", "a bool", self.enable)
        interval = self.interval_seconds
        if isinstance(interval, bool) or not isinstance(interval, int | float) \
                or not 0 < interval < _FLOAT_MAX:
            raise PersistenceArgumentError("AutoFlushConfig.interval_seconds",
                                           "a finite number of seconds > 0", interval)
        blocks = self.block_trigger_threshold
        if isinstance(blocks, bool) or not isinstance(blocks, int) or blocks < 0:
            raise PersistenceArgumentError("AutoFlushConfig.block_trigger_threshold",
                                           "an integer >= 0", blocks)


@dataclass(frozen=True)
class AutoFlushStatus:
    """PERSIST-AUTO-3/4: what the auto-flush is doing: whether its thread runs, the flushes
    it made, the blocks counted since its last flush and the error that stopped it."""

    running: bool
    flushes: int
    blocks_pending: int
    error: BaseException | None


class AutoFlusher:
    """PERSIST-AUTO-2..4: the background flusher of one store and database."""

    def __init__(self, store: MvccStore, db: RocksDBStorage, config: AutoFlushConfig,
                 clock: Clock, guard: threading.Lock | None = None) -> None:
        self._store = store
        self._guard = guard
        self._db = db
        self._config = config
        self._clock = clock
        self._state = threading.Lock()
        self._wake = threading.Event()
        self._stopping = False
        self._blocks = 0
        self._flushes = 0
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if config.enable:
            self._thread = threading.Thread(target=self._run, name="supervm-auto-flush",
                                            daemon=True)
            self._thread.start()

    def notify_block(self) -> None:
        """PERSIST-AUTO-3: count one block; wake the thread when the threshold is reached."""
        with self._state:
            self._blocks += 1
            due = 0 < self._config.block_trigger_threshold <= self._blocks
        if due:
            self._wake.set()

    def status(self) -> AutoFlushStatus:
        """PERSIST-AUTO-3: the current status."""
        with self._state:
            running = self._thread is not None and self._thread.is_alive() \
                and self._error is None
            return AutoFlushStatus(running, self._flushes, self._blocks, self._error)

    def _run(self) -> None:
        """PERSIST-AUTO-2/4: flush when due; keep any error and stop."""
        try:
            last = self._clock.now()
            threshold = self._config.block_trigger_threshold
            interval = self._config.interval_seconds
            while True:
                self._wake.clear()
                with self._state:
                    if self._stopping:
                        return
                    blocks_due = 0 < threshold <= self._blocks
                elapsed = self._clock.now() - last
                if blocks_due or elapsed >= interval:
                    if self._guard is None:
                        self._store.flush_to_storage(self._db)
                    else:  # PERSIST-AUTO-5: never inside the guard holder's group
                        if not self._acquire_guard(self._guard):
                            return  # stopped while waiting for the guard
                        try:
                            self._store.flush_to_storage(self._db)
                        finally:
                            self._guard.release()
                    last = self._clock.now()
                    with self._state:
                        self._flushes += 1
                        self._blocks = 0
                    continue
                self._clock.wait(interval - elapsed, self._wake)
        except BaseException as e:  # kept and raised by stop(); never a silent death
            with self._state:
                self._error = e

    def _acquire_guard(self, guard: threading.Lock) -> bool:
        """PERSIST-AUTO-5: wait for the guard; False once stop was asked (a stopper may hold
        the guard)."""
        while not guard.acquire(timeout=0.05):
            with self._state:
                if self._stopping:
                    return False
        return True

    def stop(self, final_flush: bool = True) -> None:
        """PERSIST-AUTO-3/4/5: stop the thread and (unless ``final_flush`` is False) flush once
        more when commits are pending -- also after a background flush failed; then raise
        `AutoFlushFailed` if one did, carrying the final flush's error too when that one
        failed."""
        with self._state:
            self._stopping = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
        final: PersistenceError | None = None
        if final_flush and self._store.last_commit_ts() != self._store.flush_point():
            try:
                self._store.flush_to_storage(self._db)
            except PersistenceError as e:
                if self._error is None:
                    raise
                final = e
        if self._error is not None:
            raise AutoFlushFailed(self._error, final) from self._error


def as_clock(clock: object) -> Clock:
    """PERSIST-AUTO-2: None is the default `MonotonicClock`; anything else must be a
    `Clock`."""
    if clock is None:
        return MonotonicClock()
    if not isinstance(clock, Clock):
        raise PersistenceArgumentError("clock", "a Clock (now() and wait(seconds, event))",
                                       clock)
    return clock


def as_config(config: object) -> AutoFlushConfig:
    """PERSIST-AUTO-1: the configuration must be an `AutoFlushConfig`."""
    if not isinstance(config, AutoFlushConfig):
        raise PersistenceArgumentError("config", "an AutoFlushConfig", config)
    return config


__all__ = ["AutoFlushConfig", "AutoFlushStateError", "AutoFlushStatus", "AutoFlusher", "Clock",
           "ManualClock", "MonotonicClock", "as_clock", "as_config"]
