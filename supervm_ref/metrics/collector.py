"""`MetricsCollector`: transaction counters, TPS, success rate, latency quantiles, GC and flush
totals of an MVCC store (spec/metrics.md, METRIC-COLL-*, METRIC-TPS-1, METRIC-QUANT-1).

Everything is observational (METRIC-OBS-1): a collector only counts what it is told; nothing in
the store or the VM ever reads it back to decide anything. Every method takes one lock, so a
collector may be shared by threads (METRIC-COLL-2). Time comes from an injectable clock, a
callable returning seconds (``time.monotonic`` by default), so tests are deterministic.

The store's hooks (METRIC-HOOK-1) run at every begin and every end of a transaction, so they
do the least work that keeps every value exact (`MetricsCollector._bind_hooks`): closures
holding the lock's bound ``acquire``/``release``, the clock (``time.monotonic`` unchecked, as it
always returns a finite float; an injected clock through a checking wrapper) and the deques'
bound ``append``; raw samples in, windowing left to the readers -- `tps` drops the commit
stamps that left the TPS window before counting (a hook trims them only every ``_TRIM_EVERY``
commits, to bound memory), and the quantiles sort the latency deque (``maxlen`` = the latency
window) when read.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from .errors import InvalidMetricInput
from .window import check_latency, check_window, nearest_rank

if TYPE_CHECKING:
    from prometheus_client.registry import CollectorRegistry

    from ..mvcc.gc import GcStats
    from .prometheus import MvccPrometheusCollector

#: A clock: seconds on a monotonic scale.
Clock = Callable[[], float]

#: METRIC-QUANT-1: the quantiles the collector exports, as exact fractions.
P50, P90, P99 = Fraction(1, 2), Fraction(9, 10), Fraction(99, 100)

#: METRIC-COLL-1: the defaults.
DEFAULT_LATENCY_WINDOW = 1024
DEFAULT_TPS_WINDOW_SECONDS = 10.0
#: METRIC-TPS-1: the longest TPS window accepted (one day).
MAX_TPS_WINDOW_SECONDS = 86_400.0

_INF = math.inf

#: A counter's largest value: a uint64, as the seed's counters.
_U64 = 2**64 - 1

#: METRIC-TPS-1: the commit hooks drop the stamps that left the TPS window every this many
#: commits (a power of two). Only memory depends on it: every reader drops them first.
_TRIM_EVERY = 1024
_TRIM_MASK = _TRIM_EVERY - 1


def _check_tps_window(value: object) -> float:
    """METRIC-ERR-1: the TPS window is a finite number of seconds in (0, one day]."""
    expected = f"a number of seconds in (0, {MAX_TPS_WINDOW_SECONDS:g}]"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidMetricInput("tps_window_seconds", expected, value)
    try:
        seconds = float(value)
    except OverflowError:
        raise InvalidMetricInput("tps_window_seconds", expected, value) from None
    if not math.isfinite(seconds) or not 0 < seconds <= MAX_TPS_WINDOW_SECONDS:
        raise InvalidMetricInput("tps_window_seconds", expected, value)
    return seconds


def _check_time(value: object, argument: str) -> float:
    """METRIC-ERR-1: a clock time is a finite int or float (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidMetricInput(argument, "a finite number of seconds", value)
    try:
        seconds = float(value)
    except Exception:  # an int too large for a double; a subclass whose __float__ fails
        raise InvalidMetricInput(argument, "a finite number of seconds", value) from None
    if not math.isfinite(seconds):
        raise InvalidMetricInput(argument, "a finite number of seconds", value)
    return seconds


def _checked_clock(clock: Clock) -> Clock:
    """METRIC-TPS-2: ``clock`` with each reading checked: a clock that raises (any
    ``Exception``), or a reading that is not a finite int or float, is `InvalidMetricInput`
    (``argument`` ``clock()``); an int reading is its float."""

    def read() -> float:
        try:
            now = clock()
        except Exception as e:  # METRIC-TPS-2, METRIC-HOOK-2: a failing clock is a typed error
            raise InvalidMetricInput("clock()", "a finite number of seconds", e) from e
        if type(now) is float and -_INF < now < _INF:  # the common case, fast
            return now
        return _check_time(now, "clock()")

    return read


def _check_count(value: object, argument: str) -> int:
    """METRIC-ERR-1: a statistics field is an int (not a bool) in [0, 2**64 - 1]."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _U64:
        raise InvalidMetricInput(argument, "an integer in [0, 2**64 - 1]", value)
    return value


class MetricsCollector:
    """METRIC-COLL-1: the seed's ``MetricsCollector``.

    ``clock``: a callable returning seconds (monotonic; ``time.monotonic`` when None).
    ``latency_window``: how many of the last latencies the quantiles cover (METRIC-QUANT-1).
    ``tps_window_seconds``: the TPS window (METRIC-TPS-1).
    """

    def __init__(self, *, clock: Clock | None = None,
                 latency_window: int = DEFAULT_LATENCY_WINDOW,
                 tps_window_seconds: float = DEFAULT_TPS_WINDOW_SECONDS) -> None:
        if clock is not None and not callable(clock):
            raise InvalidMetricInput("clock", "a callable returning seconds, or None", clock)
        self._clock: Clock = time.monotonic if clock is None else clock
        # METRIC-TPS-2: the checked reading every method takes. ``time.monotonic`` always
        # returns a finite float, so the default clock is read as it is; an injected clock's
        # readings are checked.
        self._read: Clock = time.monotonic if clock is None else _checked_clock(clock)
        self._latency_window = check_window(latency_window, "latency_window")
        self._tps_window = _check_tps_window(tps_window_seconds)
        self._lock = threading.Lock()
        self._registry: CollectorRegistry | None = None
        self._registry_lock = threading.Lock()
        # METRIC-QUANT-1: the raw latencies, the last ``latency_window`` of them; quantiles
        # are computed when read.
        self._latencies: deque[float] = deque(maxlen=self._latency_window)
        # METRIC-TPS-1: the commit stamps, oldest first (non-decreasing: METRIC-TPS-2); those
        # at or before now - W are dropped when read (and every _TRIM_EVERY commits).
        self._commit_times: deque[float] = deque()
        self._reset_locked()
        self._bind_hooks()

    def _reset_locked(self) -> None:
        self._started = 0
        self._committed = 0
        self._aborted = 0
        # Cleared, never replaced: the hooks hold their bound ``append`` (`_bind_hooks`).
        self._latencies.clear()
        self._commit_times.clear()
        self._first_time: float | None = None
        # METRIC-TPS-2: the latest reading; -inf before any, so no reading is earlier.
        self._last_time = -_INF
        self._gc_runs = 0
        self._gc_versions_cleaned = 0
        self._flush_count = 0
        self._flush_keys = 0
        self._flush_bytes = 0

    # --- The process-wide instance -------------------------------------------------------------

    @staticmethod
    def global_() -> MetricsCollector:
        """METRIC-COLL-3: the process-wide collector (the seed's ``MetricsCollector::global()``;
        ``global`` is a Python keyword, hence the trailing underscore), created on first use
        with the defaults."""
        return _global_collector()

    # --- Time ------------------------------------------------------------------------------------

    def now(self) -> float:
        """METRIC-TPS-2: the collector's clock, read once; a reading earlier than an earlier
        one counts as that earlier one, so time never goes backwards. A clock that returns no
        finite number is `InvalidMetricInput`."""
        with self._lock:
            return self._now_locked()

    def _now_locked(self) -> float:
        """METRIC-TPS-2: one reading, checked and never earlier than the last (the hooks
        inline the same lines)."""
        now = self._read()
        if now < self._last_time:
            return self._last_time
        self._last_time = now
        return now

    def _touch_locked(self) -> float:
        now = self._now_locked()
        if self._first_time is None:
            self._first_time = now
        return now

    # --- Recording (METRIC-COLL-1) -------------------------------------------------------------

    def record_txn_start(self) -> None:
        """METRIC-COLL-1: a transaction began (``mvcc_txn_started_total``); starts the TPS
        clock (METRIC-TPS-1) if nothing was recorded yet."""
        with self._lock:
            self._touch_locked()
            self._started += 1

    def record_txn_commit(self) -> None:
        """METRIC-COLL-1, METRIC-TPS-1: a transaction committed, at the clock's time now."""
        with self._lock:
            now = self._touch_locked()
            self._committed += 1
            self._commit_times.append(now)
            self._expire_locked(now)

    def record_txn_abort(self) -> None:
        """METRIC-COLL-1: a transaction aborted (explicitly or by a conflict)."""
        with self._lock:
            self._touch_locked()
            self._aborted += 1

    def record_txn_latency(self, latency_ms: float) -> None:
        """METRIC-COLL-1, METRIC-QUANT-1: one transaction's latency in milliseconds (finite,
        >= 0, an int or a float, not a bool; anything else is `InvalidMetricInput` and nothing
        is recorded)."""
        value = check_latency(latency_ms)
        with self._lock:
            self._latencies.append(value)

    def record_gc(self, run: GcStats) -> None:
        """METRIC-COLL-4: one GC run's `GcStats` (MVCC-GC-5): ``runs`` and
        ``versions_cleaned`` are added to the totals."""
        from ..mvcc.gc import GcStats  # here: the store imports this module
        if not isinstance(run, GcStats):
            raise InvalidMetricInput("run", "a GcStats", run)
        runs = _check_count(run.runs, "run.runs")
        cleaned = _check_count(run.versions_cleaned, "run.versions_cleaned")
        with self._lock:
            self._gc_runs += runs
            self._gc_versions_cleaned += cleaned

    def record_flush(self, run: Any) -> None:
        """METRIC-COLL-4: one flush's statistics (a ``FlushStats``: ``flush_count``,
        ``keys_flushed``, ``bytes_flushed``, each an int >= 0) added to the totals."""
        fields = []
        for name in ("flush_count", "keys_flushed", "bytes_flushed"):
            if not hasattr(run, name):
                raise InvalidMetricInput("run", "a FlushStats (flush_count, keys_flushed, "
                                                "bytes_flushed)", run)
            fields.append(_check_count(getattr(run, name), f"run.{name}"))
        with self._lock:
            self._flush_count += fields[0]
            self._flush_keys += fields[1]
            self._flush_bytes += fields[2]

    # --- The store's hooks (METRIC-HOOK-1): the same records, one lock and one reading each --

    def hook_begin(self) -> float:
        """METRIC-HOOK-1: `record_txn_start` and the begin time, under one lock and one clock
        reading (what `MvccStore.begin` calls, as the bound ``_hook_begin``)."""
        return self._hook_begin()

    def hook_end(self, committed: bool, begun: float | None) -> None:
        """METRIC-HOOK-1: `record_txn_commit` (``committed``) or `record_txn_abort`, then, when
        ``begun`` is a time of `hook_begin`, `record_txn_latency((now - begun) * 1000)` --
        one lock, one clock reading (what the store does when a transaction ends, through
        ``_hook_commit`` / ``_hook_abort``). ``committed`` is a bool, ``begun`` None or a
        finite number (`InvalidMetricInput` otherwise, nothing recorded)."""
        if committed is not True and committed is not False:
            raise InvalidMetricInput("committed", "a bool", committed)
        if begun is not None and not (type(begun) is float and -_INF < begun < _INF):
            begun = _check_time(begun, "begun")
        if committed:
            self._hook_commit(begun)
        else:
            self._hook_abort(begun)

    def _bind_hooks(self) -> None:
        """METRIC-HOOK-1: build the store's hooks once, as closures over the lock's bound
        ``acquire``/``release``, the clock's checked reading (`_read`) and the deques' bound
        ``append`` (the deques live as long as the collector: `reset` clears them), so that a
        hook looks up nothing but the state it changes. Each inlines `_now_locked` and the
        records it stands for, so the values are exactly those of `record_txn_start`,
        `record_txn_commit` / `record_txn_abort` and `record_txn_latency` (METRIC-COLL-1,
        METRIC-TPS-1/2, METRIC-QUANT-1); each holds the lock throughout (METRIC-COLL-2) and
        records nothing when the clock's reading is refused (METRIC-ERR-1).

        ``_hook_begin()`` is `hook_begin`. ``_hook_commit(begun)`` and ``_hook_abort(begun)``
        are `hook_end(True, begun)` and `hook_end(False, begun)` without the argument checks:
        the store's ``begun`` is None or a reading ``_hook_begin`` returned (a finite
        float)."""
        acquire, release, read = self._lock.acquire, self._lock.release, self._read
        add_stamp, add_latency = self._commit_times.append, self._latencies.append
        expire = self._expire_locked

        def hook_begin() -> float:
            acquire()
            try:
                now = read()  # METRIC-TPS-2: never earlier than the last reading
                if now < self._last_time:
                    now = self._last_time
                else:
                    self._last_time = now
                if self._first_time is None:
                    self._first_time = now
                self._started += 1
                return now
            finally:
                release()

        def hook_commit(begun: float | None) -> None:
            acquire()
            try:
                now = read()
                if now < self._last_time:
                    now = self._last_time
                else:
                    self._last_time = now
                if self._first_time is None:  # a begun transaction has set it already
                    self._first_time = now
                self._committed = committed = self._committed + 1
                add_stamp(now)  # METRIC-TPS-1: the commit's stamp
                if not committed & _TRIM_MASK:  # memory only: readers drop old stamps first
                    expire(now)
                if begun is not None:
                    add_latency((now - begun) * 1000)
            finally:
                release()

        def hook_abort(begun: float | None) -> None:
            acquire()
            try:
                now = read()
                if now < self._last_time:
                    now = self._last_time
                else:
                    self._last_time = now
                if self._first_time is None:
                    self._first_time = now
                self._aborted += 1
                if begun is not None:
                    add_latency((now - begun) * 1000)
            finally:
                release()

        self._hook_begin: Callable[[], float] = hook_begin
        self._hook_commit: Callable[[float | None], None] = hook_commit
        self._hook_abort: Callable[[float | None], None] = hook_abort

    def reset(self) -> None:
        """METRIC-COLL-1: forget everything recorded (counters, latencies, the TPS clock)."""
        with self._lock:
            self._reset_locked()

    # --- Reading ---------------------------------------------------------------------------------

    def _expire_locked(self, now: float) -> None:
        """METRIC-TPS-1: drop the commit stamps at or before ``now - W`` (outside the
        window), the horizon ``now - W`` computed once in double: a stamp ``t`` is outside
        exactly when ``t <= now - W`` (not ``now - t >= W``, not on exact values)."""
        horizon = now - self._tps_window
        times = self._commit_times
        while times and times[0] <= horizon:
            times.popleft()

    def tps(self) -> float:
        """METRIC-TPS-1: commits in the window (now - W, now] divided by
        min(W, now - first), where ``first`` is the clock time of the first record since the
        collector was created or reset; 0.0 when that divisor is 0 (nothing recorded yet, or
        everything at one instant)."""
        with self._lock:
            return self._tps_locked()

    def _tps_locked(self) -> float:
        now = self._now_locked()
        self._expire_locked(now)
        if self._first_time is None:
            return 0.0
        span = min(self._tps_window, now - self._first_time)
        if span <= 0:
            return 0.0
        return len(self._commit_times) / span

    def success_rate(self) -> float:
        """METRIC-COLL-5: committed / (committed + aborted) * 100, in percent (the seed's);
        0.0 before any transaction ended."""
        with self._lock:
            return self._success_locked()

    def _success_locked(self) -> float:
        ended = self._committed + self._aborted
        return self._committed / ended * 100 if ended else 0.0

    def latency_p50(self) -> float:
        """METRIC-QUANT-1: the nearest-rank median of the last ``latency_window`` latencies
        (ms); 0.0 with none."""
        with self._lock:
            return nearest_rank(list(self._latencies), P50)

    def latency_p90(self) -> float:
        """METRIC-QUANT-1: the nearest-rank 0.9 quantile (ms); 0.0 with none."""
        with self._lock:
            return nearest_rank(list(self._latencies), P90)

    def latency_p99(self) -> float:
        """METRIC-QUANT-1: the nearest-rank 0.99 quantile (ms); 0.0 with none."""
        with self._lock:
            return nearest_rank(list(self._latencies), P99)

    def txn_started(self) -> int:
        """METRIC-COLL-1: transactions begun."""
        with self._lock:
            return self._started

    def txn_committed(self) -> int:
        """METRIC-COLL-1: transactions committed."""
        with self._lock:
            return self._committed

    def txn_aborted(self) -> int:
        """METRIC-COLL-1: transactions aborted."""
        with self._lock:
            return self._aborted

    def gc_totals(self) -> tuple[int, int]:
        """METRIC-COLL-4: (GC runs, versions cleaned) recorded."""
        with self._lock:
            return self._gc_runs, self._gc_versions_cleaned

    def flush_totals(self) -> tuple[int, int, int]:
        """METRIC-COLL-4: (flushes, keys flushed, bytes flushed) recorded."""
        with self._lock:
            return self._flush_count, self._flush_keys, self._flush_bytes

    def snapshot(self) -> dict[str, Any]:
        """METRIC-HTTP-2: every value at one instant (one lock, one clock reading): the
        ``mvcc`` section of ``/summary``."""
        with self._lock:
            window = list(self._latencies)
            return {
                "tps": self._tps_locked(),
                "success_rate": self._success_locked(),
                "latency_ms": {"p50": nearest_rank(window, P50),
                               "p90": nearest_rank(window, P90),
                               "p99": nearest_rank(window, P99)},
                "txn_started": self._started,
                "txn_committed": self._committed,
                "txn_aborted": self._aborted,
                "gc_runs": self._gc_runs,
                "gc_versions_cleaned": self._gc_versions_cleaned,
                "flush_count": self._flush_count,
                "flush_keys": self._flush_keys,
                "flush_bytes": self._flush_bytes,
            }

    def summary_sections(self) -> dict[str, Any]:
        """METRIC-HTTP-2: this collector's part of ``/summary``: ``{"mvcc": snapshot()}``."""
        return {"mvcc": self.snapshot()}

    # --- Prometheus (METRIC-PROM-*) -------------------------------------------------------------

    def prometheus_collector(self) -> MvccPrometheusCollector:
        """METRIC-PROM-1: a prometheus-client collector reading this collector at scrape
        time."""
        from .prometheus import MvccPrometheusCollector
        return MvccPrometheusCollector(self)

    @property
    def registry(self) -> CollectorRegistry:
        """METRIC-PROM-1: this collector's own ``CollectorRegistry`` (created on first use,
        holding only this collector)."""
        with self._registry_lock:
            if self._registry is None:
                from prometheus_client.registry import CollectorRegistry
                registry = CollectorRegistry(auto_describe=False)
                registry.register(self.prometheus_collector())
                self._registry = registry
            return self._registry

    def export_prometheus(self) -> str:
        """METRIC-PROM-1/2: the Prometheus text exposition of this collector."""
        from prometheus_client import generate_latest
        return generate_latest(self.registry).decode()


_GLOBAL: MetricsCollector | None = None
_GLOBAL_LOCK = threading.Lock()


def _global_collector() -> MetricsCollector:
    global _GLOBAL
    with _GLOBAL_LOCK:
        if _GLOBAL is None:
            _GLOBAL = MetricsCollector()
        return _GLOBAL


def export_prometheus() -> str:
    """METRIC-PROM-1, METRIC-COLL-3: the text exposition of the process-wide collector (the
    seed's ``vm_runtime::export_prometheus``)."""
    return MetricsCollector.global_().export_prometheus()
