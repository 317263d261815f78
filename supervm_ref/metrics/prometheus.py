"""Prometheus exposition on prometheus-client (spec/metrics.md, METRIC-PROM-*).

Each source of metrics has a custom collector (a prometheus-client ``Collector`` whose
``collect()`` yields metric families built at scrape time from the source's live state) and its
own ``CollectorRegistry``; the text is prometheus-client's ``generate_latest``, never written by
hand. `combined_registry` puts several sources in one registry, for one endpoint.

prometheus-client names a counter family without ``_total`` and appends it to the sample; the
families below are declared under the seed's names minus ``_total`` so that the samples carry
exactly the seed's names (METRIC-PROM-2).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

from prometheus_client import generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from ..errors import shown
from .errors import InvalidMetricInput, MetricsNameClash

if TYPE_CHECKING:
    from .collector import MetricsCollector


class MetricsSource(Protocol):
    """METRIC-PROM-4: anything that can be exported: a `MetricsCollector`, a `SuperVM`, a
    `BenchMetrics`."""

    def prometheus_collector(self) -> Collector:
        """A collector reading the source's live state at scrape time."""
        ...


def counter(name: str, documentation: str, value: float) -> CounterMetricFamily:
    """METRIC-PROM-2: a counter whose one sample is called ``name`` (which ends in
    ``_total``)."""
    assert name.endswith("_total"), name
    return CounterMetricFamily(name[:-len("_total")], documentation, value=value)


def gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    """METRIC-PROM-2: a gauge with one sample."""
    return GaugeMetricFamily(name, documentation, value=value)


class MvccPrometheusCollector(Collector):
    """METRIC-PROM-2: the seed's ``mvcc_*`` metrics of one `MetricsCollector`, read at scrape
    time (one snapshot, so the values are consistent with each other)."""

    def __init__(self, source: MetricsCollector) -> None:
        self.source = source

    def collect(self) -> Iterator[Metric]:
        """METRIC-PROM-2: every ``mvcc_*`` family, in the seed's order."""
        snap = self.source.snapshot()
        yield gauge("mvcc_tps", "Transactions committed per second over the TPS window",
                    snap["tps"])
        yield gauge("mvcc_success_rate", "Transaction success rate in percent: committed / "
                    "(committed + aborted) * 100", snap["success_rate"])
        yield counter("mvcc_txn_started_total", "Transactions begun", snap["txn_started"])
        yield counter("mvcc_txn_committed_total", "Transactions committed",
                      snap["txn_committed"])
        yield counter("mvcc_txn_aborted_total", "Transactions aborted", snap["txn_aborted"])
        latency = GaugeMetricFamily(
            "mvcc_txn_latency_ms", "Transaction latency in milliseconds, nearest-rank "
            "quantiles over the latency window", labels=["quantile"])
        for q, key in (("0.5", "p50"), ("0.9", "p90"), ("0.99", "p99")):
            latency.add_metric([q], snap["latency_ms"][key])
        yield latency
        yield counter("mvcc_gc_runs_total", "Garbage collection runs", snap["gc_runs"])
        yield counter("mvcc_gc_versions_cleaned_total", "Versions removed by garbage collection",
                      snap["gc_versions_cleaned"])
        yield counter("mvcc_flush_count_total", "Flushes to storage", snap["flush_count"])
        yield counter("mvcc_flush_keys_total", "Keys flushed to storage", snap["flush_keys"])
        yield counter("mvcc_flush_bytes_total", "Bytes flushed to storage (keys and values)",
                      snap["flush_bytes"])


class _RegistryCollector(Collector):
    """A whole registry seen as one collector (to combine registries)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self) -> Iterator[Metric]:
        yield from self.registry.collect()


def _collector_of(source: object, where: str) -> Collector:
    if isinstance(source, CollectorRegistry):
        return _RegistryCollector(source)
    make = getattr(source, "prometheus_collector", None)
    if not callable(make):
        raise InvalidMetricInput(where, "a MetricsCollector, a SuperVM, a BenchMetrics, "
                                        "a CollectorRegistry or any object with "
                                        "prometheus_collector()", source)
    collector: Collector = make()
    return collector


class _Combined(Collector):
    """METRIC-PROM-4: the families of several collectors, in the order given; a family name
    exported twice is `MetricsNameClash` at scrape time too (the sources are live)."""

    def __init__(self, collectors: list[Collector]) -> None:
        self.collectors = collectors

    def collect(self) -> Iterator[Metric]:
        seen: set[str] = set()
        for collector in self.collectors:
            for family in collector.collect():
                if family.name in seen:
                    raise MetricsNameClash(f"the metric {shown(family.name)} is exported by "
                                           f"two sources of one exposition")
                seen.add(family.name)
                yield family


def combined_registry(*sources: Any) -> CollectorRegistry:
    """METRIC-PROM-4: a new registry exporting every source (a `MetricsCollector`, a `SuperVM`,
    a `BenchMetrics`, a ``CollectorRegistry``, ...) in one exposition, in the order given.
    Sources whose metric names overlap are `MetricsNameClash` (checked now and at every
    scrape)."""
    collectors = [_collector_of(s, f"sources[{i}]") for i, s in enumerate(sources)]
    combined = _Combined(collectors)
    list(combined.collect())  # METRIC-PROM-4: a clash is an error now, not at the first scrape
    registry = CollectorRegistry(auto_describe=False)
    registry.register(combined)
    return registry


def exposition(*sources: Any) -> str:
    """METRIC-PROM-4: the text exposition of `combined_registry(*sources)`."""
    return generate_latest(combined_registry(*sources)).decode()


def samples(*sources: Any) -> list[dict[str, Any]]:
    """METRIC-PROM-4, CONF-METRIC-2: every sample the sources export now, in exposition order,
    as ``{"name", "labels", "value"}`` (labels a name -> text object; the value the float
    exported). prometheus-client's ``_created`` samples are not part of the seed's names and
    are left out."""
    out: list[dict[str, Any]] = []
    for family in combined_registry(*sources).collect():
        for sample in family.samples:
            if sample.name.endswith("_created"):
                continue
            out.append({"name": sample.name, "labels": dict(sample.labels),
                        "value": float(sample.value)})
    return out
