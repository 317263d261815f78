"""BenchMetrics (spec/metrics.md, METRIC-BENCH-1)."""

from __future__ import annotations

import pytest

from supervm_ref.metrics import BenchMetrics, InvalidMetricInput, samples


def test_values() -> None:
    """METRIC-BENCH-1: counts, average latency over every execution, 1e9 / average, rates."""
    b = BenchMetrics()
    assert {s["name"]: s["value"] for s in samples(b)}["bench_fastpath_estimated_tps"] == 0.0
    b.record_fastpath(1000)
    b.record_fastpath(3000, success=False)
    b.record_privacy(500)
    b.record_consensus(10, 8, 2)
    b.record_consensus(10, 10, 0)
    got = {s["name"]: s["value"] for s in samples(b)}
    assert got["bench_fastpath_executed_total"] == 1
    assert got["bench_fastpath_failed_total"] == 1
    assert got["bench_fastpath_avg_latency_ns"] == 2000.0
    assert got["bench_fastpath_estimated_tps"] == 1e9 / 2000.0
    assert got["bench_privacy_estimated_tps"] == 1e9 / 500
    assert got["bench_consensus_success_rate"] == 18 / 20
    assert got["bench_consensus_conflict_rate"] == 2 / 20
    assert b.summary_sections()["bench"]["consensus"]["transactions"] == 20
    assert "bench_privacy_executed_total 1.0" in b.export_prometheus()


@pytest.mark.parametrize("call", [
    lambda b: b.record_fastpath(-1), lambda b: b.record_privacy(float("nan")),
    lambda b: b.record_fastpath(1, success=1), lambda b: b.record_consensus(1, 2, 0),
    lambda b: b.record_consensus(1, 0, 2), lambda b: b.record_consensus(True, 0, 0),
    lambda b: b.record_consensus(-1, 0, 0)])
def test_bad_inputs(call: object) -> None:
    """METRIC-BENCH-1, METRIC-ERR-1: bad values are typed and record nothing."""
    b = BenchMetrics()
    with pytest.raises(InvalidMetricInput):
        call(b)  # type: ignore[operator]
    assert all(s["value"] == 0 for s in samples(b))
