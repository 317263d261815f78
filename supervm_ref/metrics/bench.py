"""`BenchMetrics`: the mixed-path bench's metrics, under the seed's ``bench_*`` names
(spec/metrics.md, METRIC-BENCH-1).

The bench records each fast-path and privacy-path execution (its latency in nanoseconds and
whether it succeeded) and each consensus batch (transactions, successes, conflicts); the values
exported are computed at scrape time.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from prometheus_client.core import Metric
from prometheus_client.registry import Collector

from .errors import InvalidMetricInput
from .prometheus import counter, exposition, gauge
from .window import check_latency

_PATHS = ("fastpath", "privacy")


def _count(value: object, argument: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**64:
        raise InvalidMetricInput(argument, "an integer in [0, 2**64 - 1]", value)
    return value


class _PathTotals:
    def __init__(self) -> None:
        self.executed = 0
        self.failed = 0
        self.latency_ns = 0.0

    def avg_ns(self) -> float:
        n = self.executed + self.failed
        return self.latency_ns / n if n else 0.0

    def tps(self) -> float:
        avg = self.avg_ns()
        return 1e9 / avg if avg > 0 else 0.0


class BenchMetrics:
    """METRIC-BENCH-1: counters and derived values of the mixed-path bench (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._paths = {p: _PathTotals() for p in _PATHS}
        self._consensus = [0, 0, 0]  # transactions, successes, conflicts

    def _record(self, path: str, latency_ns: float, success: bool) -> None:
        value = check_latency(latency_ns, "latency_ns")
        if not isinstance(success, bool):
            raise InvalidMetricInput("success", "a bool", success)
        with self._lock:
            totals = self._paths[path]
            if success:
                totals.executed += 1
            else:
                totals.failed += 1
            totals.latency_ns += value

    def record_fastpath(self, latency_ns: float, success: bool = True) -> None:
        """METRIC-BENCH-1: one fast-path execution (``bench_fastpath_*``)."""
        self._record("fastpath", latency_ns, success)

    def record_privacy(self, latency_ns: float, success: bool = True) -> None:
        """METRIC-BENCH-1: one privacy-path execution (``bench_privacy_*``)."""
        self._record("privacy", latency_ns, success)

    def record_consensus(self, transactions: int, successes: int, conflicts: int) -> None:
        """METRIC-BENCH-1: one consensus batch: its transactions, how many succeeded and how
        many conflicted (each at most ``transactions``)."""
        n = _count(transactions, "transactions")
        ok = _count(successes, "successes")
        bad = _count(conflicts, "conflicts")
        if ok > n:
            raise InvalidMetricInput("successes", f"at most transactions ({n})", successes)
        if bad > n:
            raise InvalidMetricInput("conflicts", f"at most transactions ({n})", conflicts)
        with self._lock:
            self._consensus[0] += n
            self._consensus[1] += ok
            self._consensus[2] += bad

    def snapshot(self) -> dict[str, Any]:
        """METRIC-BENCH-1, METRIC-HTTP-2: the values at one instant (the ``bench`` section of
        ``/summary``)."""
        with self._lock:
            out: dict[str, Any] = {}
            for path, t in self._paths.items():
                out[path] = {"executed": t.executed, "failed": t.failed,
                             "avg_latency_ns": t.avg_ns(), "estimated_tps": t.tps()}
            n, ok, bad = self._consensus
            out["consensus"] = {"transactions": n, "successes": ok, "conflicts": bad,
                                "success_rate": ok / n if n else 0.0,
                                "conflict_rate": bad / n if n else 0.0}
            return out

    def summary_sections(self) -> dict[str, Any]:
        """METRIC-HTTP-2: ``{"bench": snapshot()}``."""
        return {"bench": self.snapshot()}

    def prometheus_collector(self) -> BenchPrometheusCollector:
        """METRIC-BENCH-1: a collector reading this object at scrape time."""
        return BenchPrometheusCollector(self)

    def export_prometheus(self) -> str:
        """METRIC-BENCH-1: the text exposition of the ``bench_*`` metrics."""
        return exposition(self)


class BenchPrometheusCollector(Collector):
    """METRIC-BENCH-1: the seed's ``bench_*`` families."""

    def __init__(self, source: BenchMetrics) -> None:
        self.source = source

    def collect(self) -> Iterator[Metric]:
        """METRIC-BENCH-1: per path executed, failed, average latency (ns) and estimated TPS
        (1e9 / average); the consensus success and conflict rates (0-1)."""
        snap = self.source.snapshot()
        for path, name in (("fastpath", "fast path"), ("privacy", "privacy path")):
            s = snap[path]
            yield counter(f"bench_{path}_executed_total", f"Successful {name} executions",
                          s["executed"])
            yield counter(f"bench_{path}_failed_total", f"Failed {name} executions",
                          s["failed"])
            yield gauge(f"bench_{path}_avg_latency_ns",
                        f"Average {name} latency in nanoseconds", s["avg_latency_ns"])
            yield gauge(f"bench_{path}_estimated_tps",
                        f"Estimated {name} TPS: 1e9 / average latency in nanoseconds",
                        s["estimated_tps"])
        c = snap["consensus"]
        yield gauge("bench_consensus_success_rate", "Consensus success rate (0-1)",
                    c["success_rate"])
        yield gauge("bench_consensus_conflict_rate", "Consensus conflict rate (0-1)",
                    c["conflict_rate"])
