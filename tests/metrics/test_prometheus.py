"""Prometheus exposition: the seed's names, one registry per collector, combined expositions,
and promtool's verdict (spec/metrics.md section 4, METRIC-PROM-*, METRIC-BENCH-1)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from prometheus_client.parser import text_string_to_metric_families

from supervm_ref import GcStats, PrivateProof, SuperVM
from supervm_ref.metrics import (
    BenchMetrics,
    MetricsCollector,
    MetricsNameClash,
    combined_registry,
    exposition,
    samples,
)

from .test_collector import ManualClock, StandInFlushStats

MVCC_NAMES = ["mvcc_tps", "mvcc_success_rate", "mvcc_txn_started_total",
              "mvcc_txn_committed_total", "mvcc_txn_aborted_total", "mvcc_txn_latency_ms",
              "mvcc_txn_latency_ms", "mvcc_txn_latency_ms", "mvcc_gc_runs_total",
              "mvcc_gc_versions_cleaned_total", "mvcc_flush_count_total",
              "mvcc_flush_keys_total", "mvcc_flush_bytes_total"]
ROUTING_NAMES = ["vm_routing_fast_total", "vm_routing_consensus_total",
                 "vm_routing_privacy_total", "vm_routing_total", "vm_routing_fast_ratio",
                 "vm_routing_consensus_ratio", "vm_routing_privacy_ratio",
                 "vm_routing_target_fast_ratio", "vm_routing_adaptive_adjustments_total"]
ZK_NAMES = ["vm_privacy_zk_verify_count_total", "vm_privacy_zk_verify_avg_latency_ms",
            "vm_privacy_zk_verify_last_latency_ms", "vm_privacy_zk_verify_p50_latency_ms",
            "vm_privacy_zk_verify_p95_latency_ms", "vm_privacy_zk_verify_window_size"]
BENCH_NAMES = [f"bench_{p}_{n}" for p in ("fastpath", "privacy")
               for n in ("executed_total", "failed_total", "avg_latency_ns", "estimated_tps")
               ] + ["bench_consensus_success_rate", "bench_consensus_conflict_rate"]

#: METRIC-PROM-3: the promtool findings kept on purpose, and only these.
KEPT_FINDINGS = sorted(
    [f"{n} metric names should not contain abbreviated units" for n in (
        "mvcc_txn_latency_ms", "vm_privacy_zk_verify_avg_latency_ms",
        "vm_privacy_zk_verify_last_latency_ms", "vm_privacy_zk_verify_p50_latency_ms",
        "vm_privacy_zk_verify_p95_latency_ms", "bench_fastpath_avg_latency_ns",
        "bench_privacy_avg_latency_ns")]
    + ['mvcc_txn_latency_ms non-summary metrics should not have "quantile" label'] * 3)


def busy_collector() -> MetricsCollector:
    clock = ManualClock()
    m = MetricsCollector(clock=clock)
    for i in range(5):
        m.record_txn_start()
        clock.now += 0.5
        m.record_txn_commit() if i % 2 == 0 else m.record_txn_abort()
        m.record_txn_latency(i * 1.5)
    m.record_gc(GcStats(1, 4, 1))
    m.record_flush(StandInFlushStats(1, 3, 90))
    return m


def vm_with_zk() -> SuperVM:
    """A SuperVM after a few timed verifications (a custom verifier: no pairing needed)."""
    clock = ManualClock()

    def tick() -> float:
        clock.now += 0.002
        return clock.now

    vm = SuperVM(verifier=lambda proof: None, clock=tick)
    from supervm_ref import Privacy, VmTransaction
    vm.execute_block([(VmTransaction(b"\xa1" * 32, proof=PrivateProof("k", {}, [])),
                       Privacy.Private)])
    return vm


def test_seed_names_exactly() -> None:
    """METRIC-PROM-2, METRIC-ROUTE-1, METRIC-ZK-2, METRIC-BENCH-1: the samples carry the seed's
    names exactly, in order; ZK only after a verification."""
    m = busy_collector()
    assert [s["name"] for s in samples(m)] == MVCC_NAMES
    assert [s["labels"] for s in samples(m)][5:8] == [
        {"quantile": "0.5"}, {"quantile": "0.9"}, {"quantile": "0.99"}]
    assert [s["name"] for s in samples(SuperVM())] == ROUTING_NAMES
    assert [s["name"] for s in samples(vm_with_zk())] == ROUTING_NAMES + ZK_NAMES
    assert [s["name"] for s in samples(BenchMetrics())] == BENCH_NAMES
    text = m.export_prometheus()
    parsed = {s.name: s.value for f in text_string_to_metric_families(text) for s in f.samples
              if not s.labels}
    assert parsed["mvcc_txn_started_total"] == 5 and parsed["mvcc_flush_bytes_total"] == 90
    assert parsed["mvcc_success_rate"] == 3 / 5 * 100


def test_registries_are_separate() -> None:
    """METRIC-PROM-1: each collector has its own registry."""
    a, b = MetricsCollector(), MetricsCollector()
    a.record_txn_start()
    assert a.registry is not b.registry and a.registry is a.registry
    assert "mvcc_txn_started_total 1.0" in a.export_prometheus()
    assert "mvcc_txn_started_total 0.0" in b.export_prometheus()


def test_combined_exposition_and_clash() -> None:
    """METRIC-PROM-4: one exposition of an MVCC collector and a SuperVM; a clash is typed."""
    m, vm = busy_collector(), SuperVM()
    text = exposition(m, vm)
    assert "mvcc_tps" in text and "vm_routing_total 0.0" in text
    registry = combined_registry(m, vm)
    assert [s["name"] for s in samples(registry)] == MVCC_NAMES + ROUTING_NAMES
    with pytest.raises(MetricsNameClash):
        combined_registry(m, MetricsCollector())
    with pytest.raises(Exception) as e:
        combined_registry(object())
    assert type(e.value).__name__ == "InvalidMetricInput"


def promtool_findings(text: str) -> list[str]:
    """promtool's lint findings on ``text`` (it must be installed: CI installs it)."""
    promtool = shutil.which("promtool")
    assert promtool, ("promtool is not installed: the METRIC-PROM-3 check needs it (install "
                      "the prometheus package, e.g. `apt-get install prometheus`)")
    done = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True,
                          text=True, timeout=60)
    lines = [x.strip() for x in (done.stdout + done.stderr).splitlines() if x.strip()]
    assert done.returncode in (0, 3), f"promtool failed ({done.returncode}): {lines}"
    return sorted(lines)


def test_promtool_finds_only_the_documented_findings() -> None:
    """METRIC-PROM-3: the only promtool findings on the full exposition (MVCC, routing, ZK,
    bench) are the ones spec/metrics.md lists."""
    bench = BenchMetrics()
    bench.record_fastpath(1000)
    text = exposition(busy_collector(), vm_with_zk(), bench)
    assert promtool_findings(text) == KEPT_FINDINGS
