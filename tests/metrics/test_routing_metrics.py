"""SuperVM's routing and ZK verification metrics (spec/metrics.md section 5, METRIC-ROUTE-1,
METRIC-ZK-*, METRIC-OBS-1)."""

from __future__ import annotations

import pytest

from supervm_ref import InvalidArgumentError, Privacy, SuperVM, Value
from supervm_ref.errors import ConfigError
from supervm_ref.metrics import (
    MetricsConfigError,
    ZkLatencyRecorder,
    samples,
    zk_window_from_env,
)
from supervm_ref.routing.supervm import RoutingError

from ..objects.world import ALICE, call, coin, cubic_proof, inp, registry_with_cubic, shared, tx
from .test_collector import ManualClock


def stepping(step: float) -> ManualClock:
    """A clock advancing by ``step`` at each reading."""
    clock = ManualClock()

    class Stepping(ManualClock):
        def __call__(self) -> float:
            clock.now += step
            return clock.now

    return Stepping()


def values(vm: SuperVM) -> dict[str, float]:
    return {s["name"]: s["value"] for s in samples(vm)}


def privacy_block(vm: SuperVM) -> list[object]:
    mint = call("mint", Value.i32(0), Value.i64(5))
    vm.objects.insert(coin(1))
    vm.objects.insert(shared(2))
    return vm.execute_block([
        (tx(ALICE, inp(coin(1)), call=mint, proof=cubic_proof()), Privacy.Private),
        (tx(ALICE, inp(coin(1)), call=mint, proof=cubic_proof("public_tampered.json")),
         Privacy.Private),
        tx(ALICE, inp(shared(2))),
        tx(ALICE)])


def test_groth16_verifications_are_timed_and_never_change_receipts() -> None:
    """METRIC-ZK-1/2, METRIC-ROUTE-1, METRIC-OBS-1: real Groth16 verifications (a valid and a
    tampered proof) are timed on the injected clock; two clocks give identical receipts and
    state; the routing counters and ratios follow routing_stats."""
    slow = SuperVM(registry=registry_with_cubic(), clock=stepping(0.004))
    fast = SuperVM(registry=registry_with_cubic(), clock=stepping(0.25))
    assert slow.zk_latency_stats() is None and "vm_privacy" not in slow.export_routing_prometheus()
    a, b = privacy_block(slow), privacy_block(fast)
    assert a == b
    assert slow.storage.items() == fast.storage.items()  # type: ignore[attr-defined]
    got = values(slow)
    assert got["vm_routing_privacy_total"] == 2 and got["vm_routing_total"] == 4
    assert got["vm_routing_fast_ratio"] == 1 / 4
    assert got["vm_routing_consensus_ratio"] == 1 / 4
    assert got["vm_routing_privacy_ratio"] == 2 / 4
    assert got["vm_routing_target_fast_ratio"] == slow.routing_stats().target_fast_ratio
    stats = slow.zk_latency_stats()
    assert stats is not None and stats.count == 2 and stats.window_size == 2
    assert stats.last_ms == (0.008 - 0.004) * 1000
    assert got["vm_privacy_zk_verify_count_total"] == 2
    assert fast.zk_latency_stats() is not None
    assert fast.summary_sections()["zk"]["p95_ms"] == 250.0


def test_window_statistics() -> None:
    """METRIC-ZK-2: average over every sample, quantiles and size over the window."""
    r = ZkLatencyRecorder(4)
    assert r.stats() is None
    for v in (1, 2, 3, 4, 5, 6):
        r.record(v)
    s = r.stats()
    assert s is not None
    assert (s.count, s.avg_ms, s.last_ms, s.p50_ms, s.p95_ms, s.window_size) == (
        6, 21 / 6, 6.0, 4.0, 6.0, 4)


def test_zk_window_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """METRIC-ZK-3: SUPERVM_ZK_LAT_WIN: unset 64, a decimal in [1, 10**6], else a typed
    configuration error naming the variable; SuperVM reads it when built."""
    assert zk_window_from_env({}) == 64
    assert zk_window_from_env({"SUPERVM_ZK_LAT_WIN": " 3 "}) == 3
    assert zk_window_from_env({"SUPERVM_ZK_LAT_WIN": "  "}) == 64
    for bad in ("0", "-1", "abc", "1.5", "1000001", "٣", "99999999999"):
        with pytest.raises(MetricsConfigError) as e:
            zk_window_from_env({"SUPERVM_ZK_LAT_WIN": bad})
        assert e.value.variable == "SUPERVM_ZK_LAT_WIN" and isinstance(e.value, ConfigError)
        assert "SUPERVM_ZK_LAT_WIN" in str(e.value)
    monkeypatch.setenv("SUPERVM_ZK_LAT_WIN", "2")
    vm = SuperVM(verifier=lambda p: None, clock=stepping(0.001))
    assert vm._zk_latencies.window == 2
    monkeypatch.setenv("SUPERVM_ZK_LAT_WIN", "x")
    with pytest.raises(MetricsConfigError):
        SuperVM()
    assert SuperVM(zk_latency_window=5)._zk_latencies.window == 5
    for bad_arg in (0, True, "5"):
        with pytest.raises(InvalidArgumentError):
            SuperVM(zk_latency_window=bad_arg)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError):
        SuperVM(clock=5)  # type: ignore[arg-type]


def test_a_failed_block_records_no_latency_and_a_bad_clock_fails_nothing() -> None:
    """METRIC-ZK-1: a block that breaks down records nothing; a clock that raises or returns
    no number is ignored."""
    def broken_verifier(proof: object) -> None:
        raise RuntimeError("bug")

    vm = SuperVM(verifier=broken_verifier, clock=stepping(0.001))
    with pytest.raises(RoutingError):
        vm.execute_block([(tx(ALICE, proof=cubic_proof()), Privacy.Private)])
    assert vm.zk_latency_stats() is None

    def bad_clock() -> float:
        raise OSError("no clock")

    for clock in (bad_clock, lambda: "x", stepping(-1.0)):
        vm = SuperVM(verifier=lambda p: None, clock=clock)  # type: ignore[arg-type]
        [r] = vm.execute_block([(tx(ALICE, proof=cubic_proof()), Privacy.Private)])
        assert r.status == "success" and vm.zk_latency_stats() is None


def test_a_clock_reading_that_is_no_finite_double_fails_nothing() -> None:
    """METRIC-ZK-1, METRIC-OBS-1: an int reading too large for a double, an infinite or NaN
    reading, or an int whose conversion fails, is no reading: the block succeeds and
    nothing is recorded."""

    class BadInt(int):
        def __float__(self) -> float:
            raise ValueError("no float")

    for reading in (10**400, -(10**400), float("inf"), float("nan"), BadInt(1)):
        vm = SuperVM(verifier=lambda p: None, clock=lambda r=reading: r)  # type: ignore[misc]
        [r] = vm.execute_block([(tx(ALICE, proof=cubic_proof()), Privacy.Private)])
        assert r.status == "success" and vm.zk_latency_stats() is None


def test_a_replay_times_its_verifications_but_counts_no_route() -> None:
    """METRIC-ZK-1, ROUTE-STATS-1: execute_sequentially verifies and times proofs; the route
    counters do not count replays."""
    vm = SuperVM(verifier=lambda p: None, clock=stepping(0.001))
    [r] = vm.execute_sequentially([(tx(ALICE, proof=cubic_proof()), Privacy.Private)])
    stats = vm.zk_latency_stats()
    assert r.proof_verified and stats is not None and stats.count == 1
    assert values(vm)["vm_routing_total"] == 0
