"""Metrics (spec/metrics.md, METRIC-*): the seed's ``MetricsCollector`` and
``export_prometheus``, Prometheus exposition on prometheus-client, the mixed-path bench's
``BenchMetrics`` and an HTTP endpoint (``MetricsServer``: ``/metrics``, ``/summary``).

Metrics are observational (METRIC-OBS-1): nothing recorded here ever changes an outcome of the
store, the scheduler or the VM.
"""

from .collector import MetricsCollector, export_prometheus
from .errors import InvalidMetricInput, MetricsError, MetricsNameClash, MetricsServerError
from .prometheus import MetricsSource, combined_registry, exposition, samples
from .window import LatencyWindow, nearest_rank

__all__ = [
    "InvalidMetricInput",
    "LatencyWindow",
    "MetricsCollector",
    "MetricsError",
    "MetricsNameClash",
    "MetricsServerError",
    "MetricsSource",
    "combined_registry",
    "export_prometheus",
    "exposition",
    "nearest_rank",
    "samples",
]
