"""Routing and ZK verification metrics of a `SuperVM` (spec/metrics.md, METRIC-ROUTE-1,
METRIC-ZK-*): the seed's ``vm_routing_*`` and ``vm_privacy_zk_verify_*`` names, read from the
VM's live state at scrape time.

Each Groth16 verification of the privacy path is timed on the VM's injectable clock and kept in
a `ZkLatencyRecorder` (a sliding window of the last ``SUPERVM_ZK_LAT_WIN`` latencies, 64 by
default). Latencies are observational: no receipt, state or routing decision reads them
(METRIC-OBS-1).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Any, Protocol

from prometheus_client.core import Metric
from prometheus_client.registry import Collector

from .errors import MetricsConfigError
from .prometheus import counter, gauge
from .window import MAX_WINDOW, LatencyWindow, check_latency, check_window

#: METRIC-ZK-3: the variable holding the ZK latency window size, and its default.
ZK_WINDOW_VARIABLE = "SUPERVM_ZK_LAT_WIN"
DEFAULT_ZK_WINDOW = 64

P50, P95 = Fraction(1, 2), Fraction(95, 100)


def zk_window_from_env(env: Mapping[str, str] | None = None) -> int:
    """METRIC-ZK-3: the window size from ``SUPERVM_ZK_LAT_WIN`` (``os.environ`` when ``env``
    is None): unset or blank -> 64 (as `supervm bench zk-latency` reads it); else a decimal
    integer in [1, 1,000,000] (surrounding blanks allowed); anything else is
    `MetricsConfigError` naming the variable."""
    source = os.environ if env is None else env
    text = source.get(ZK_WINDOW_VARIABLE)
    if text is None or not text.strip():
        return DEFAULT_ZK_WINDOW
    stripped = text.strip()
    if not stripped.isascii() or not stripped.isdigit() or len(stripped) > 7 \
            or not 1 <= int(stripped) <= MAX_WINDOW:
        raise MetricsConfigError(ZK_WINDOW_VARIABLE,
                                 f"a decimal integer in [1, {MAX_WINDOW}]", text)
    return int(stripped)


@dataclass(frozen=True)
class ZkLatencyStats:
    """METRIC-ZK-2: the ZK verification latencies: ``count`` verifications ever timed,
    ``avg_ms`` (sum / count over all of them), ``last_ms``, ``p50_ms`` and ``p95_ms``
    (nearest-rank over the window) and ``window_size`` (samples in the window)."""

    count: int
    avg_ms: float
    last_ms: float
    p50_ms: float
    p95_ms: float
    window_size: int

    def as_dict(self) -> dict[str, Any]:
        """The ``zk`` section of ``/summary`` (METRIC-HTTP-2)."""
        return asdict(self)


class ZkLatencyRecorder:
    """METRIC-ZK-1/2: the sliding window of ZK verification latencies (thread-safe)."""

    def __init__(self, window: int = DEFAULT_ZK_WINDOW) -> None:
        self._window = LatencyWindow(check_window(window, "zk_latency_window"))
        self._lock = threading.Lock()

    @property
    def window(self) -> int:
        """The window's capacity."""
        return self._window.size

    def record(self, latency_ms: float) -> None:
        """METRIC-ZK-1: one verification's latency in milliseconds (finite, >= 0)."""
        value = check_latency(latency_ms)
        with self._lock:
            self._window.record(value)

    def stats(self) -> ZkLatencyStats | None:
        """METRIC-ZK-2: the statistics, or None before the first verification."""
        with self._lock:
            w = self._window
            if w.count == 0:
                return None
            return ZkLatencyStats(w.count, w.average(), w.last, w.quantile(P50),
                                  w.quantile(P95), len(w.samples()))

    def prometheus_collector(self) -> ZkPrometheusCollector:
        """METRIC-ZK-2, METRIC-PROM-4: the ``vm_privacy_zk_verify_*`` families of this window
        alone (none before the first verification), read at scrape time."""
        return ZkPrometheusCollector(self)

    def summary_sections(self) -> dict[str, Any]:
        """METRIC-HTTP-2: ``{"zk": ...}`` once a verification was recorded."""
        stats = self.stats()
        return {} if stats is None else {"zk": stats.as_dict()}


class ZkPrometheusCollector(Collector):
    """METRIC-ZK-2: a `ZkLatencyRecorder`'s families, read at scrape time."""

    def __init__(self, recorder: ZkLatencyRecorder) -> None:
        self.recorder = recorder

    def collect(self) -> Iterator[Metric]:
        """METRIC-ZK-2: `zk_families` of the recorder's statistics, if any."""
        stats = self.recorder.stats()
        if stats is not None:
            yield from zk_families(stats)


class RoutingSource(Protocol):
    """What `RoutingPrometheusCollector` reads: a `SuperVM`."""

    def routing_stats(self) -> Any:
        """ROUTE-STATS-1: a `RoutingStats`."""
        ...

    def zk_latency_stats(self) -> ZkLatencyStats | None:
        """METRIC-ZK-2."""
        ...


def routing_families(stats: Any, zk: ZkLatencyStats | None) -> Iterator[Metric]:
    """METRIC-ROUTE-1, METRIC-ZK-2: the seed's routing families from a `RoutingStats` (or any
    object with its fields), then the ZK families when ``zk`` is not None."""
    yield counter("vm_routing_fast_total", "Transactions routed to the fast path", stats.fast)
    yield counter("vm_routing_consensus_total", "Transactions routed to the consensus path",
                  stats.consensus)
    yield counter("vm_routing_privacy_total", "Transactions routed to the privacy path",
                  stats.privacy)
    yield counter("vm_routing_total", "Transactions routed on every path", stats.total)
    yield gauge("vm_routing_fast_ratio", "Share of the fast path (0-1)", stats.fast_ratio)
    yield gauge("vm_routing_consensus_ratio", "Share of the consensus path (0-1)",
                stats.consensus_ratio)
    yield gauge("vm_routing_privacy_ratio", "Share of the privacy path (0-1)",
                stats.privacy_ratio)
    yield gauge("vm_routing_target_fast_ratio", "The adaptive router's target fast share",
                stats.target_fast_ratio)
    yield counter("vm_routing_adaptive_adjustments_total", "Times the adaptive target moved",
                  stats.adjustments)
    if zk is not None:
        yield from zk_families(zk)


def zk_families(zk: ZkLatencyStats) -> Iterator[Metric]:
    """METRIC-ZK-2: the seed's ``vm_privacy_zk_verify_*`` families from ``zk``."""
    yield counter("vm_privacy_zk_verify_count_total", "ZK proof verifications timed", zk.count)
    yield gauge("vm_privacy_zk_verify_avg_latency_ms",
                "Average ZK verification latency in milliseconds, over every verification",
                zk.avg_ms)
    yield gauge("vm_privacy_zk_verify_last_latency_ms",
                "Latest ZK verification latency in milliseconds", zk.last_ms)
    yield gauge("vm_privacy_zk_verify_p50_latency_ms",
                "Nearest-rank median ZK verification latency over the window, milliseconds",
                zk.p50_ms)
    yield gauge("vm_privacy_zk_verify_p95_latency_ms",
                "Nearest-rank 0.95 quantile ZK verification latency over the window, "
                "milliseconds", zk.p95_ms)
    yield gauge("vm_privacy_zk_verify_window_size", "Samples in the ZK latency window",
                zk.window_size)


class RoutingPrometheusCollector(Collector):
    """METRIC-ROUTE-1: a `SuperVM`'s routing and ZK metrics, read at scrape time."""

    def __init__(self, source: RoutingSource) -> None:
        self.source = source

    def collect(self) -> Iterator[Metric]:
        """METRIC-ROUTE-1, METRIC-ZK-2: the families of `routing_families`."""
        yield from routing_families(self.source.routing_stats(), self.source.zk_latency_stats())


#: A clock: seconds on a monotonic scale.
Clock = Callable[[], float]

__all__ = [
    "DEFAULT_ZK_WINDOW", "ZK_WINDOW_VARIABLE", "Clock", "RoutingPrometheusCollector",
    "ZkLatencyRecorder", "ZkLatencyStats", "ZkPrometheusCollector", "routing_families",
    "zk_families", "zk_window_from_env",
]
