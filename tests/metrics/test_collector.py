"""MetricsCollector: counters, TPS, success rate, quantiles, GC and flush totals, bad inputs
(spec/metrics.md sections 1-3, 8)."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supervm_ref import GcStats, InvalidArgumentError, SuperVMError
from supervm_ref.metrics import (
    InvalidMetricInput,
    LatencyWindow,
    MetricsCollector,
    MetricsError,
    export_prometheus,
    nearest_rank,
)


class ManualClock:
    """A clock tests move by hand."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@dataclass(frozen=True)
class StandInFlushStats:
    """The persistence chapter's FlushStats fields."""

    flush_count: int
    keys_flushed: int
    bytes_flushed: int


def test_counters_and_success_rate() -> None:
    """METRIC-COLL-1/5: counts of the calls; success rate in percent, 0.0 with nothing ended;
    reset forgets everything."""
    m = MetricsCollector(clock=ManualClock())
    assert (m.txn_started(), m.txn_committed(), m.txn_aborted(), m.success_rate()) == (
        0, 0, 0, 0.0)
    for _ in range(4):
        m.record_txn_start()
    for _ in range(3):
        m.record_txn_commit()
    m.record_txn_abort()
    assert (m.txn_started(), m.txn_committed(), m.txn_aborted()) == (4, 3, 1)
    assert m.success_rate() == 3 / 4 * 100 == 75.0
    m.record_txn_abort()
    m.record_txn_abort()
    assert m.success_rate() == 3 / 6 * 100
    m.reset()
    assert (m.txn_started(), m.success_rate(), m.tps(), m.latency_p99()) == (0, 0.0, 0.0, 0.0)


def test_tps_window() -> None:
    """METRIC-TPS-1: commits in (now - W, now] over min(W, now - first); 0.0 before anything
    or at one instant; a commit exactly W old is outside."""
    clock = ManualClock(100.0)
    m = MetricsCollector(clock=clock, tps_window_seconds=4)
    assert m.tps() == 0.0
    m.record_txn_start()
    m.record_txn_commit()
    assert m.tps() == 0.0  # d = 0
    clock.now = 102.0
    m.record_txn_commit()
    assert m.tps() == 2 / 2  # a short run divides by its length
    clock.now = 103.0
    assert m.tps() == 2 / 3
    clock.now = 104.0
    assert m.tps() == 1 / 4  # the commit at 100 is exactly W old at 104: outside
    clock.now = 106.0
    assert m.tps() == 0 / 4
    clock.now = 50.0  # METRIC-TPS-2: the clock going back counts as the last reading
    assert m.now() == 106.0


def test_quantiles_nearest_rank() -> None:
    """METRIC-QUANT-1: nearest rank over the last latency_window samples; 0.0 with none."""
    m = MetricsCollector(clock=ManualClock(), latency_window=10)
    assert (m.latency_p50(), m.latency_p90(), m.latency_p99()) == (0.0, 0.0, 0.0)
    for v in [5, 1, 4, 2, 3]:
        m.record_txn_latency(v)
    assert (m.latency_p50(), m.latency_p90(), m.latency_p99()) == (3.0, 5.0, 5.0)
    for v in range(100, 110):  # overflow: only 100..109 remain
        m.record_txn_latency(v)
    assert (m.latency_p50(), m.latency_p90(), m.latency_p99()) == (104.0, 108.0, 109.0)
    assert nearest_rank([], Fraction(1, 2)) == 0.0
    assert nearest_rank([7.0], Fraction(99, 100)) == 7.0


@given(st.lists(st.floats(min_value=0, max_value=1e6), min_size=1, max_size=60),
       st.integers(1, 40))
def test_quantile_is_a_sample_of_the_window(values: list[float], size: int) -> None:
    """METRIC-QUANT-1: every quantile is a sample of the window, at least as many samples are
    at or below it as ceil(q n), and the window keeps the last `size` samples."""
    w = LatencyWindow(size)
    for v in values:
        w.record(v)
    window = values[-size:]
    assert w.samples() == window
    for q in (Fraction(1, 2), Fraction(9, 10), Fraction(99, 100), Fraction(95, 100)):
        x = w.quantile(q)
        assert x in window
        assert sum(v <= x for v in window) >= math.ceil(q * len(window))
        assert sum(v < x for v in window) < math.ceil(q * len(window))
    assert w.count == len(values) and w.last == values[-1]


def test_gc_and_flush_totals() -> None:
    """METRIC-COLL-4: GC runs and versions cleaned; flush count, keys and bytes."""
    m = MetricsCollector(clock=ManualClock())
    m.record_gc(GcStats(runs=1, versions_cleaned=3, keys_removed=1))
    m.record_gc(GcStats(runs=1, versions_cleaned=0, keys_removed=0))
    m.record_flush(StandInFlushStats(1, 10, 300))
    m.record_flush(StandInFlushStats(1, 0, 0))
    assert m.gc_totals() == (2, 3)
    assert m.flush_totals() == (2, 10, 300)


BAD_LATENCIES: list[object] = [-1, -0.5, float("nan"), float("inf"), True, False, "1", None,
                               b"1", [1], 2**2000]


@pytest.mark.parametrize("bad", BAD_LATENCIES)
def test_bad_latency_is_typed(bad: object) -> None:
    """METRIC-ERR-1: a bad latency is InvalidMetricInput (a MetricsError, an
    InvalidArgumentError) and nothing is recorded."""
    m = MetricsCollector(clock=ManualClock())
    with pytest.raises(InvalidMetricInput) as e:
        m.record_txn_latency(bad)  # type: ignore[arg-type]
    assert isinstance(e.value, MetricsError) and isinstance(e.value, InvalidArgumentError)
    assert e.value.kind == "metrics_invalid_input"
    assert m.latency_p50() == 0.0


@pytest.mark.parametrize("kwargs", [
    {"latency_window": 0}, {"latency_window": True}, {"latency_window": 1.5},
    {"latency_window": 10**7}, {"tps_window_seconds": 0}, {"tps_window_seconds": -1},
    {"tps_window_seconds": float("nan")}, {"tps_window_seconds": True},
    {"tps_window_seconds": "1"}, {"tps_window_seconds": 10**400}, {"clock": 3}])
def test_bad_constructor_arguments(kwargs: dict[str, object]) -> None:
    """METRIC-ERR-1: bad window sizes and clocks are typed errors."""
    with pytest.raises(InvalidMetricInput):
        MetricsCollector(**kwargs)  # type: ignore[arg-type]


def test_bad_statistics_and_clock() -> None:
    """METRIC-ERR-1, METRIC-TPS-2: record_gc wants a GcStats, record_flush a FlushStats with
    integer fields; a clock returning no finite number is a typed error."""
    m = MetricsCollector(clock=ManualClock())
    for bad in (None, (1, 2), StandInFlushStats(1, 2, 3)):
        with pytest.raises(InvalidMetricInput):
            m.record_gc(bad)  # type: ignore[arg-type]
    for bad_flush in (None, GcStats(), StandInFlushStats(-1, 0, 0),
                      StandInFlushStats(1, True, 0), StandInFlushStats(1, 0, 2**64)):
        with pytest.raises(InvalidMetricInput):
            m.record_flush(bad_flush)
    assert m.flush_totals() == (0, 0, 0) and m.gc_totals() == (0, 0)
    for reading in (float("nan"), "now", None, True):
        broken = MetricsCollector(clock=lambda r=reading: r)  # type: ignore[misc]
        with pytest.raises(InvalidMetricInput) as e:
            broken.record_txn_start()
        assert e.value.argument == "clock()" and isinstance(e.value, SuperVMError)
        assert broken.txn_started() == 0


def test_a_clock_that_raises_is_a_typed_error() -> None:
    """METRIC-TPS-2, METRIC-ERR-1: a clock that raises (any Exception), or whose int reading
    cannot be a double, is InvalidMetricInput (argument clock()); nothing is recorded."""

    def raising() -> float:
        raise RuntimeError("clock source unavailable")

    class BadInt(int):
        def __float__(self) -> float:
            raise ValueError("no float")

    for clock in (raising, lambda: 10**400, lambda: BadInt(3)):
        m = MetricsCollector(clock=clock)
        for call in (m.record_txn_start, m.record_txn_commit, m.record_txn_abort, m.now,
                     m.tps, m.snapshot, m.hook_begin, lambda m=m: m.hook_end(True, None)):
            with pytest.raises(InvalidMetricInput) as e:
                call()
            assert e.value.argument == "clock()"
        assert (m.txn_started(), m.txn_committed(), m.txn_aborted()) == (0, 0, 0)


def test_global_instance() -> None:
    """METRIC-COLL-3: global_() is one process-wide collector; export_prometheus() is its
    text."""
    g = MetricsCollector.global_()
    assert MetricsCollector.global_() is g
    before = g.txn_started()
    g.record_txn_start()
    assert f"mvcc_txn_started_total {before + 1}.0" in export_prometheus()


def test_threads_count_every_call() -> None:
    """METRIC-COLL-2: calls from many threads are all counted."""
    m = MetricsCollector()

    def work() -> None:
        for _ in range(500):
            m.record_txn_start()
            m.record_txn_commit()
            m.record_txn_latency(1.0)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (m.txn_started(), m.txn_committed(), m.success_rate()) == (2000, 2000, 100.0)


@given(st.lists(st.tuples(st.sampled_from(["start", "commit", "abort", "read"]),
                          st.integers(0, 40)), max_size=60),
       st.integers(1, 12))
def test_tps_equals_the_formula(events: list[tuple[str, int]], window: int) -> None:
    """METRIC-TPS-1/2: after any sequence of records at non-decreasing (quarter-second) times,
    tps() is the spec's formula computed from scratch."""
    clock = ManualClock()
    m = MetricsCollector(clock=clock, tps_window_seconds=window)
    now = 0.0
    first: float | None = None
    commits: list[float] = []
    for op, step in events:
        now += step / 4
        clock.now = now
        if op == "read":
            c = [t for t in commits if now - window < t <= now]
            span = 0.0 if first is None else min(window, now - first)
            assert m.tps() == (len(c) / span if span > 0 else 0.0)
            continue
        first = now if first is None else first
        {"start": m.record_txn_start, "commit": m.record_txn_commit,
         "abort": m.record_txn_abort}[op]()
        if op == "commit":
            commits.append(now)
