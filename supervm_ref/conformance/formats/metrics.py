"""Metrics as timed event scripts, ``supervm_metrics_test`` (spec/conformance.md section 18,
CONF-METRIC-*; spec/metrics.md, METRIC-*).

A metrics fixture is a configuration (window sizes) and events, each at a clock reading: the
transaction, latency, GC and flush records of a `MetricsCollector`, synthetic routing counts
and router state, ZK verification latencies, and ``export`` steps whose expected samples are
recorded (CONF-METRIC-2):

- a backend is given ``{fixture_format, config, events}`` and answers ``{"results": [...]}``,
  one answer per event: ``{}`` for a record, ``{"error", "argument"}`` for a refused one,
  ``{"samples": [...]}`` for an export;
- the fixture passes when every answer equals the recorded one, floats compared exactly;
- in process the events run on the reference collector whatever the execution backend: the
  metrics do not use the WebAssembly engine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ...backends import BackendFactory
from ...errors import shown
from ...metrics.collector import MetricsCollector
from ...metrics.errors import InvalidMetricInput
from ...metrics.prometheus import samples
from ...metrics.routing import RoutingPrometheusCollector, ZkLatencyRecorder, ZkLatencyStats
from ...mvcc.gc import GcStats
from ...routing.supervm import RoutingStats
from ..compare import diff
from ..encoding import EncodingError
from ..filler import FillerError
from .base import FixtureFormat

#: CONF-METRIC-1: the members of a metrics fixture besides ``_info``.
MEMBERS = ("config", "events", "post")
#: CONF-METRIC-1: the configuration's members and their defaults.
CONFIG = {"latency_window": 1024, "tps_window_seconds": 10.0, "zk_latency_window": 64}
#: CONF-METRIC-2: each event's op and its members besides ``op`` and ``at``.
EVENTS: dict[str, tuple[str, ...]] = {
    "txn_start": (),
    "txn_commit": (),
    "txn_abort": (),
    "txn_latency": ("ms",),
    "gc": ("runs", "versions_cleaned"),
    "flush": ("flush_count", "keys_flushed", "bytes_flushed"),
    "route": ("fast", "consensus", "privacy"),
    "router": ("target_fast_ratio", "adjustments"),
    "zk_verify": ("ms",),
    "export": (),
}


class InvalidMetricsScript(EncodingError):
    """CONF-METRIC-2: a configuration or events that are not a metrics script."""


@dataclass(frozen=True)
class _FlushRun:
    flush_count: Any
    keys_flushed: Any
    bytes_flushed: Any


@dataclass(frozen=True)
class MetricsCase:
    """CONF-METRIC-1: a filler case of this format: ``config`` (window sizes, defaults for
    what is missing) and ``events``, whose answers `fill` records."""

    name: str
    description: str
    rules: list[str]
    events: list[dict[str, Any]] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)
    kind: str = "metrics"


def _number(value: Any) -> bool:
    """CONF-METRIC-2: a finite double: an int or float (not a bool) whose double is finite --
    an integer too large for a double (JSON allows any) is not one, and never an
    ``OverflowError``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def check_script(config: Any, events: Any) -> None:
    """CONF-METRIC-2: ``config`` has only the members of `CONFIG`; ``events`` is a list of
    objects, each with a known ``op``, a finite number ``at`` and exactly that op's members
    (their values may be any JSON: a wrong one is an observed error, not a bad script)."""
    if not isinstance(config, dict) or not set(config) <= set(CONFIG):
        raise InvalidMetricsScript(f"config must be an object with members among "
                                   f"{sorted(CONFIG)}, got {shown(config)}")
    if not isinstance(events, list):
        raise InvalidMetricsScript(f"events must be a list, got {shown(events)}")
    for i, event in enumerate(events):
        if not isinstance(event, dict) or event.get("op") not in EVENTS:
            raise InvalidMetricsScript(f"events[{i}]: expected an object whose op is one of "
                                       f"{', '.join(EVENTS)}, got {shown(event)}")
        members = {"op", "at", *EVENTS[event["op"]]}
        if set(event) != members:
            raise InvalidMetricsScript(f"events[{i}] ({event['op']}): expected the members "
                                       f"{sorted(members)}, got {sorted(event)}")
        if not _number(event["at"]):
            raise InvalidMetricsScript(f"events[{i}]: at must be a finite number, got "
                                       f"{shown(event['at'])}")


class _Counts:
    """CONF-METRIC-2: the synthetic routing state of a script."""

    def __init__(self) -> None:
        self.paths = [0, 0, 0]
        self.target = 0.0
        self.adjustments = 0

    def stats(self) -> RoutingStats:
        fast, consensus, privacy = self.paths
        return RoutingStats(fast, consensus, privacy, conflicts=0,
                            target_fast_ratio=self.target, adjustments=self.adjustments)


def _count(value: Any, argument: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**64:
        raise InvalidMetricInput(argument, "an integer in [0, 2**64 - 1]", value)
    return value


def _event(event: dict[str, Any], collector: MetricsCollector, counts: _Counts,
           zk: ZkLatencyRecorder) -> dict[str, Any]:
    """CONF-METRIC-2: one event's answer."""
    op = event["op"]
    if op == "txn_start":
        collector.record_txn_start()
    elif op == "txn_commit":
        collector.record_txn_commit()
    elif op == "txn_abort":
        collector.record_txn_abort()
    elif op == "txn_latency":
        collector.record_txn_latency(event["ms"])
    elif op == "gc":
        runs = _count(event["runs"], "runs")
        cleaned = _count(event["versions_cleaned"], "versions_cleaned")
        collector.record_gc(GcStats(runs, cleaned))
    elif op == "flush":
        collector.record_flush(_FlushRun(event["flush_count"], event["keys_flushed"],
                                         event["bytes_flushed"]))
    elif op == "route":
        new = [_count(event[p], p) for p in ("fast", "consensus", "privacy")]
        counts.paths = [a + b for a, b in zip(counts.paths, new)]
    elif op == "router":
        target = event["target_fast_ratio"]
        if not _number(target) or not 0 <= target <= 1:
            raise InvalidMetricInput("target_fast_ratio", "a number in [0, 1]", target)
        counts.adjustments = _count(event["adjustments"], "adjustments")
        counts.target = float(target)
    elif op == "zk_verify":
        zk.record(event["ms"])
    else:
        return {"samples": samples(collector, _RoutingView(counts, zk))}
    return {}


class _RoutingView:
    """The synthetic routing state as a metrics source (METRIC-ROUTE-1, METRIC-ZK-2)."""

    def __init__(self, counts: _Counts, zk: ZkLatencyRecorder) -> None:
        self.counts = counts
        self.zk = zk

    def routing_stats(self) -> RoutingStats:
        """ROUTE-STATS-1: the synthetic counts."""
        return self.counts.stats()

    def zk_latency_stats(self) -> ZkLatencyStats | None:
        """METRIC-ZK-2: the synthetic ZK window."""
        return self.zk.stats()

    def prometheus_collector(self) -> RoutingPrometheusCollector:
        """METRIC-ROUTE-1: the same collector a `SuperVM` has."""
        return RoutingPrometheusCollector(self)


def run_metrics_script(config: dict[str, Any], events: list[dict[str, Any]]
                       ) -> dict[str, Any]:
    """CONF-METRIC-2: the output for a script: ``{"results": [...]}``, or
    ``{"config_error": {"argument"}}`` when a window size is not usable (METRIC-ERR-1)."""
    check_script(config, events)
    settings = {**CONFIG, **config}
    clock = [0.0]
    try:
        collector = MetricsCollector(clock=lambda: clock[0],
                                     latency_window=settings["latency_window"],
                                     tps_window_seconds=settings["tps_window_seconds"])
        zk = ZkLatencyRecorder(settings["zk_latency_window"])
    except InvalidMetricInput as e:
        return {"config_error": {"argument": e.argument}}
    counts = _Counts()
    results: list[dict[str, Any]] = []
    for event in events:
        clock[0] = float(event["at"])
        try:
            results.append(_event(event, collector, counts, zk))
        except InvalidMetricInput as e:  # METRIC-ERR-1: nothing recorded
            results.append({"error": e.kind, "argument": e.argument})
    return {"results": results}


def _normal(answer: Any) -> Any:
    """CONF-METRIC-3: an answer whose sample values are JSON numbers compared as numbers (an
    integer value equals the same float: ``2`` is ``2.0``)."""
    if not isinstance(answer, dict) or not isinstance(answer.get("samples"), list):
        return answer
    out = []
    for sample in answer["samples"]:
        if isinstance(sample, dict) and _number(sample.get("value")):
            sample = {**sample, "value": float(sample["value"])}
        out.append(sample)
    return {**answer, "samples": out}


class MetricsFormat(FixtureFormat):
    """CONF-METRIC-*: timed metric events and the samples exported after them."""

    name: ClassVar[str] = "supervm_metrics_test"
    uses_execution_backend: ClassVar[bool] = False
    description: ClassVar[str] = ("the Prometheus samples (names, labels, exact values) a "
                                  "metrics collector, synthetic routing counts and ZK "
                                  "latencies export after timed events, and the refused "
                                  "events; every answer must be equal")
    spec_section: ClassVar[str] = ("spec/conformance.md section 18 (CONF-METRIC-*), "
                                   "spec/metrics.md METRIC-*")
    input_definition: ClassVar[str] = "metrics_input"
    output_definition: ClassVar[str] = "metrics_output"
    output_name: ClassVar[str] = "a list of answers"
    case_kind: ClassVar[str | None] = "metrics"
    case_type: ClassVar[type | None] = MetricsCase

    def schema_defs(self) -> dict[str, Any]:
        """CONF-METRIC-1/2: a fixture, an input and an output."""
        config = {"type": "object", "additionalProperties": False,
                  "properties": {k: {"type": "number"} for k in CONFIG}}
        events = {"type": "array", "items": {
            "type": "object", "required": ["op", "at"],
            "properties": {"op": {"enum": list(EVENTS)}, "at": {"type": "number"}}}}
        sample = {"type": "object", "required": ["name", "labels", "value"],
                  "additionalProperties": False,
                  "properties": {"name": {"type": "string"},
                                 "labels": {"type": "object",
                                            "additionalProperties": {"type": "string"}},
                                 "value": {"type": "number"}}}
        answer = {"type": "object", "properties": {
            "samples": {"type": "array", "items": sample},
            "error": {"type": "string"}, "argument": {"type": "string"}}}
        output = {
            "description": "CONF-METRIC-2: one answer per event, or the configuration's "
                           "error, never both.",
            "type": "object",
            "if": {"required": ["config_error"]},
            "then": {"required": ["config_error"], "additionalProperties": False,
                     "properties": {"config_error": {
                         "type": "object", "required": ["argument"],
                         "properties": {"argument": {"type": "string"}}}}},
            "else": {"required": ["results"], "additionalProperties": False,
                     "properties": {"results": {"type": "array", "items": answer}}},
        }
        return {
            self.name: {
                "description": "CONF-METRIC-1: a configuration, timed events and every "
                               "answer.",
                "type": "object",
                "required": ["_info", *MEMBERS],
                "additionalProperties": False,
                "properties": {"_info": {"$ref": "#/$defs/info"}, "config": config,
                               "events": events,
                               "post": {"$ref": f"#/$defs/{self.output_definition}"}},
            },
            self.input_definition: {
                "description": "CONF-METRIC-2: what a backend is given.",
                "type": "object", "required": ["fixture_format", "config", "events"],
                "additionalProperties": False,
                "properties": {"fixture_format": {"const": self.name}, "config": config,
                               "events": events},
            },
            self.output_definition: output,
        }

    # --- Filling ------------------------------------------------------------------------------

    def check_case(self, case: MetricsCase) -> None:
        """CONF-FILL-2, CONF-METRIC-2: the configuration and events are a script."""
        try:
            check_script(case.config, case.events)
        except InvalidMetricsScript as e:
            raise FillerError(f"case {shown(case.name)}: {e}") from e

    def fill(self, case: MetricsCase) -> dict[str, Any]:
        """CONF-METRIC-1: the script and the reference's answers."""
        return {"config": dict(case.config), "events": list(case.events),
                "post": run_metrics_script(case.config, case.events)}

    # --- Checking -----------------------------------------------------------------------------

    def invalid(self, fixture: dict[str, Any]) -> list[str]:
        """CONF-METRIC-2: a fixture whose configuration or events are not a script is not
        run."""
        try:
            check_script(fixture["config"], fixture["events"])
        except InvalidMetricsScript as e:
            return [f"script: {e}"]
        return []

    def backend_input(self, fixture: dict[str, Any]) -> dict[str, Any]:
        """CONF-METRIC-2: ``{fixture_format, config, events}``."""
        return {"fixture_format": self.name, "config": fixture["config"],
                "events": fixture["events"]}

    def compare(self, fixture: dict[str, Any], got: Any) -> list[str]:
        """CONF-METRIC-3: the configuration error, or event by event every difference; values
        are compared as exact numbers."""
        expected: dict[str, Any] = fixture["post"]
        if not isinstance(got, dict) or set(expected) != set(got):
            return [f"expected {sorted(expected)}, got {shown(got, 200)}"]
        if "config_error" in expected:
            return diff("config_error", expected["config_error"], got["config_error"])
        wanted, observed = expected["results"], got["results"]
        problems: list[str] = []
        if len(wanted) != len(observed):
            problems.append(f"results: expected {len(wanted)} answer(s), got {len(observed)}")
        for i, (e, g) in enumerate(zip(wanted, observed)):
            problems += diff(f"events[{i}] ({fixture['events'][i]['op']})", _normal(e),
                             _normal(g))
        return problems

    # --- Running ------------------------------------------------------------------------------

    def decode_input(self, test: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
        """CONF-METRIC-2: ``config`` and ``events``; `EncodingError` for anything else."""
        extra = sorted(set(test) - {"fixture_format", "config", "events"})
        if extra:
            raise EncodingError(f"input: unexpected members {extra}")
        config, events = test.get("config"), test.get("events")
        try:
            check_script(config, events)
        except InvalidMetricsScript as e:
            raise EncodingError(f"input: {e}") from e
        return config, events  # type: ignore[return-value]

    def execute(self, factory: BackendFactory, decoded: tuple[dict[str, Any], list[Any]]
                ) -> dict[str, Any]:
        """CONF-METRIC-2: the events on a fresh reference collector (``factory``, an execution
        backend, plays no part: metrics do not use the WebAssembly engine)."""
        config, events = decoded
        return run_metrics_script(config, events)
