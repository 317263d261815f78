"""``supervm bench metrics`` (spec/metrics.md METRIC-BENCH-2): a smoke run with tiny sizes
(structure only, never timing)."""

from __future__ import annotations

import json

import pytest

from supervm_ref.bench import metrics
from supervm_ref.cli import main


def test_bench_metrics_tiny(capsys: pytest.CaptureFixture[str]) -> None:
    """METRIC-BENCH-2: interleaved rounds on both sides, the overhead from the best rounds,
    the collector counting every commit of its rounds; table and JSON."""
    report = metrics.run(50, 3)
    assert len(report.off_seconds) == len(report.on_seconds) == 3
    assert report.ok and report.counted == 150
    off, on = report.off_commits_per_second, report.on_commits_per_second
    assert report.overhead_percent == (off - on) / off * 100
    assert "overhead:" in metrics.format_table(report)
    assert main(["bench", "metrics", "--txns", "20", "--rounds", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["benchmark"] == "metrics" and out["ok"] and out["txns"] == 20
    assert out["target_overhead_percent"] == 10.0
    assert main(["bench", "metrics", "--txns", "20", "--rounds", "1"]) == 0
    assert "commits/s" in capsys.readouterr().out
