"""Metrics (spec/metrics.md, METRIC-*): the seed's ``MetricsCollector`` and
``export_prometheus``, Prometheus exposition on prometheus-client, the mixed-path bench's
``BenchMetrics`` and an HTTP endpoint (``MetricsServer``: ``/metrics``, ``/summary``).

Metrics are observational (METRIC-OBS-1): nothing recorded here ever changes an outcome of the
store, the scheduler or the VM.

One endpoint for an MVCC store and a SuperVM, as the seed's ``metrics_http_demo``
(METRIC-PROM-4, METRIC-HTTP-1)::

    collector = MetricsCollector()
    store = MvccStore(metrics=collector)
    vm = SuperVM()
    with MetricsServer(port=8080, registries=[collector, vm]):
        ...  # GET /metrics: mvcc_* then vm_routing_* (and vm_privacy_zk_*); GET /summary

or, without HTTP, ``exposition(collector, vm)`` (the text) and ``combined_registry(collector,
vm)`` (a prometheus-client registry to serve any other way).
"""

from pathlib import Path

from .bench import BenchMetrics
from .collector import MetricsCollector, export_prometheus
from .errors import (
    InvalidMetricInput,
    MetricsConfigError,
    MetricsError,
    MetricsNameClash,
    MetricsServerError,
)
from .http import MetricsServer, summary_of
from .prometheus import MetricsSource, combined_registry, exposition, samples
from .routing import (
    DEFAULT_ZK_WINDOW,
    ZK_WINDOW_VARIABLE,
    ZkLatencyRecorder,
    ZkLatencyStats,
    zk_window_from_env,
)
from .window import LatencyWindow, nearest_rank

#: NODE-DASH-1: the Grafana dashboard of the node's metrics (package data).
DASHBOARD = Path(__file__).resolve().parent / "grafana-dashboard.json"

__all__ = [
    "DASHBOARD",
    "DEFAULT_ZK_WINDOW",
    "ZK_WINDOW_VARIABLE",
    "BenchMetrics",
    "InvalidMetricInput",
    "LatencyWindow",
    "MetricsCollector",
    "MetricsConfigError",
    "MetricsError",
    "MetricsNameClash",
    "MetricsServer",
    "MetricsServerError",
    "MetricsSource",
    "ZkLatencyRecorder",
    "ZkLatencyStats",
    "combined_registry",
    "export_prometheus",
    "exposition",
    "nearest_rank",
    "samples",
    "summary_of",
    "zk_window_from_env",
]
