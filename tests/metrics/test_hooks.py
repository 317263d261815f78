"""MvccStore(metrics=...): the hooks, and metrics never changing an outcome (spec/metrics.md
METRIC-HOOK-1/2, METRIC-OBS-1)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supervm_ref import GcConfig, MvccStore, SuperVMError
from supervm_ref.metrics import MetricsCollector
from supervm_ref.mvcc import InvalidInput

from .test_collector import ManualClock


def test_hooks_count_transactions_latency_and_gc() -> None:
    """METRIC-HOOK-1: begin -> start; commit (read-only too) -> commit; explicit abort and a
    conflict -> abort; latency on the collector's clock; gc_now -> record_gc."""
    clock = ManualClock(10.0)
    m = MetricsCollector(clock=clock)
    store = MvccStore(metrics=m)
    a = store.begin()
    a.write(b"k", b"1")
    clock.now = 10.25
    a.commit()
    b, c = store.begin(), store.begin()
    b.write(b"k", b"2")
    c.write(b"k", b"3")
    clock.now = 10.5
    b.commit()
    with pytest.raises(SuperVMError):
        c.commit()  # a conflict is an abort
    d = store.begin()
    clock.now = 11.0
    d.abort()
    e = store.begin()
    e.read(b"k")
    e.commit()  # read-only commit
    run = store.gc_now()
    assert (m.txn_started(), m.txn_committed(), m.txn_aborted()) == (5, 3, 2)
    assert m.success_rate() == 3 / 5 * 100
    # latencies: 250, 250, 250, 500, 0 ms
    assert (m.latency_p50(), m.latency_p90(), m.latency_p99()) == (250.0, 500.0, 500.0)
    assert m.gc_totals() == (1, run.versions_cleaned) and run.versions_cleaned >= 1
    store.enable_auto_gc(GcConfig(every_n_commits=1))
    f = store.begin()
    f.write(b"k", b"4")
    f.commit()
    assert m.gc_totals()[0] == 2  # automatic runs too (MVCC-GC-6)


def test_store_checks_the_metrics_argument() -> None:
    """METRIC-HOOK-1: metrics is a MetricsCollector or None."""
    with pytest.raises(InvalidInput):
        MvccStore(metrics=object())  # type: ignore[arg-type]


def test_a_broken_clock_never_fails_the_store() -> None:
    """METRIC-HOOK-2: a refused observation is counted in metrics_errors, never raised."""
    readings: list[Any] = [0.0, "broken"]
    m = MetricsCollector(clock=lambda: readings[0])
    store = MvccStore(metrics=m)
    t = store.begin()
    t.write(b"a", b"1")
    readings[0] = float("nan")
    assert t.commit() == 1
    assert store.metrics_errors >= 1
    assert store.read_latest(b"a") == b"1"


def test_a_clock_that_raises_never_fails_the_store() -> None:
    """METRIC-HOOK-2, METRIC-OBS-1: a collector clock that raises is counted in metrics_errors;
    begin and commit complete as without metrics, and a commit that happened never reports a
    failure."""
    fail = [False]

    def clock() -> float:
        if fail[0]:
            raise RuntimeError("clock source unavailable")
        return 1.0

    store = MvccStore(metrics=MetricsCollector(clock=clock))
    t = store.begin()
    t.write(b"k", b"v")
    fail[0] = True
    assert t.commit() == 1
    assert store.read_latest(b"k") == b"v" and store.metrics_errors == 1
    u = store.begin()
    u.write(b"k", b"w")
    u.abort()
    assert store.metrics_errors == 3 and store.read_latest(b"k") == b"v"
    store.gc_now()
    assert store.metrics_errors == 3  # record_gc reads no clock


OPS = st.lists(st.tuples(st.sampled_from(["begin", "read", "write", "delete", "commit",
                                          "abort", "gc"]),
                         st.integers(0, 3), st.sampled_from([b"a", b"b", b"c"])),
               max_size=40)


def _run(ops: list[tuple[str, int, bytes]], metrics: MetricsCollector | None) -> list[Any]:
    """Run a script of operations on up to four transaction slots; record every answer."""
    store = MvccStore(metrics=metrics)
    slots: dict[int, Any] = {}
    out: list[Any] = []
    for n, (op, slot, key) in enumerate(ops):
        try:
            if op == "begin":
                slots[slot] = store.begin()
                out.append(slots[slot].start_ts)
            elif op == "gc":
                out.append(store.gc_now())
            elif slot not in slots:
                out.append(None)
            elif op == "read":
                out.append(slots[slot].read(key))
            elif op == "write":
                out.append(slots[slot].write(key, b"%d" % n))
            elif op == "delete":
                out.append(slots[slot].delete(key))
            elif op == "commit":
                out.append(slots[slot].commit())
            else:
                out.append(slots[slot].abort())
        except SuperVMError as e:
            out.append((type(e).__name__, str(e)))
    out.append(store.snapshot_items())
    out.append([store.versions(k) for k in (b"a", b"b", b"c")])
    return out


@settings(max_examples=150, deadline=None)
@given(OPS, st.lists(st.floats(0, 1e6), min_size=1, max_size=5))
def test_metrics_never_change_an_outcome(ops: list[tuple[str, int, bytes]],
                                         readings: list[float]) -> None:
    """METRIC-OBS-1: the same script with and without a collector (on any clock) gives the
    same answers, state and versions."""
    ticks = iter(readings * 1000)
    clock = ManualClock()

    def moving() -> float:
        clock.now += next(ticks, 0.0)
        return clock.now

    assert _run(ops, None) == _run(ops, MetricsCollector(clock=moving))


def test_hook_methods_check_their_arguments() -> None:
    """METRIC-HOOK-1, METRIC-ERR-1: hook_begin/hook_end are the records of the store; bad
    arguments are typed and record nothing."""
    clock = ManualClock(5.0)
    m = MetricsCollector(clock=clock)
    begun = m.hook_begin()
    clock.now = 5.5
    m.hook_end(True, begun)
    m.hook_end(False, None)
    m.hook_end(False, 5)
    assert (m.txn_started(), m.txn_committed(), m.txn_aborted()) == (1, 1, 2)
    assert m.latency_p99() == 500.0
    for committed, start in ((1, None), (True, "x"), (True, float("inf")), (True, True),
                             (True, 10**400)):
        with pytest.raises(SuperVMError):
            m.hook_end(committed, start)  # type: ignore[arg-type]
    assert (m.txn_committed(), m.txn_aborted()) == (1, 2)


def test_store_hooks_are_hook_end_without_the_checks() -> None:
    """METRIC-HOOK-1: the store's bound halves record exactly what hook_end records; reset
    keeps them recording (into the emptied windows); attaching a collector later binds them."""
    clocks = [ManualClock(1.0), ManualClock(1.0)]
    via_store, via_hooks = (MetricsCollector(clock=c, latency_window=4) for c in clocks)
    store = MvccStore(metrics=via_store)
    for n, step in enumerate([0.5, 0.25, 0.0, 2.0, 0.125, 3.0]):
        txn = store.begin()
        begun = via_hooks.hook_begin()
        txn.write(b"k", b"%d" % n)
        for clock in clocks:
            clock.now += step
        if n % 3 == 2:
            txn.abort()
            via_hooks.hook_end(False, begun)
        else:
            txn.commit()
            via_hooks.hook_end(True, begun)
        if n == 3:
            via_store.reset()
            via_hooks.reset()
        assert via_store.snapshot() == via_hooks.snapshot()
    assert via_store.txn_started() == 2 and via_store.latency_p99() == 3000.0
    later = MvccStore()
    early = later.begin()  # begun without a collector: no latency when it ends
    later.metrics = MetricsCollector(clock=ManualClock())
    early.commit()
    later.begin().abort()
    assert later.metrics.snapshot()["txn_committed"] == 1
    assert later.metrics.latency_p50() == 0.0 and later.metrics.txn_started() == 1
    with pytest.raises(InvalidInput):
        later.metrics = object()  # type: ignore[assignment]


def test_commit_stamps_are_trimmed_but_tps_is_exact() -> None:
    """METRIC-TPS-1, METRIC-HOOK-1: the commit hook drops stamps older than the window only
    now and then (memory stays bounded); tps counts exactly the window's commits."""
    clock = ManualClock(0.0)
    m = MetricsCollector(clock=clock, tps_window_seconds=10.0)
    store = MvccStore(metrics=m)
    for n in range(5000):
        clock.now = n * 0.01  # 100 commits a second
        txn = store.begin()
        txn.write(b"k", b"v")
        txn.commit()
        assert len(m._commit_times) <= 1000 + 1024
    now = clock.now
    inside = sum(now - 10.0 < n * 0.01 <= now for n in range(5000))  # the rule, directly
    assert 990 <= inside <= 1010 and m.tps() == inside / 10.0
    assert len(m._commit_times) == inside


def test_the_default_clock_needs_no_check() -> None:
    """METRIC-TPS-2, METRIC-HOOK-1: with the default clock (time.monotonic) the store's
    hooks record every transaction and its latency."""
    m = MetricsCollector()
    store = MvccStore(metrics=m)
    for _ in range(3):
        txn = store.begin()
        txn.write(b"k", b"v")
        txn.commit()
    store.begin().abort()
    assert (m.txn_started(), m.txn_committed(), m.txn_aborted()) == (4, 3, 1)
    assert m.latency_p99() >= 0.0 and store.metrics_errors == 0
