"""The metrics fixture format (spec/conformance.md CONF-METRIC-*): the committed vectors of
conformance/fixtures/metrics.json, the script checks and the verdicts, on both backends."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from supervm_ref.backends import load_backend
from supervm_ref.conformance.consume import consume_file, python_runner
from supervm_ref.conformance.encoding import EncodingError, fixture_hash
from supervm_ref.conformance.filler import FillerError
from supervm_ref.conformance.formats import format_named
from supervm_ref.conformance.formats.metrics import EVENTS, MetricsCase, run_metrics_script
from supervm_ref.conformance.schema import load_schema
from supervm_ref.metrics.collector import MetricsCollector
from supervm_ref.metrics.window import LatencyWindow

from ..support import REPO

FIXTURES = REPO / "conformance" / "fixtures" / "metrics.json"
FORMAT = format_named("supervm_metrics_test")
SCHEMA = load_schema(REPO)


def _fixtures() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURES.read_text())
    return data


def test_committed_vectors_are_the_reference_answers() -> None:
    """CONF-METRIC-1/2: every committed vector's post is what the reference answers; they use
    every event op and cover the TPS window, quantiles, success rate, counters, routing, ZK
    and bad inputs."""
    ops: set[str] = set()
    rules: set[str] = set()
    for name, fixture in _fixtures().items():
        assert fixture["_info"]["fixture_format"] == "supervm_metrics_test", name
        assert fixture["post"] == run_metrics_script(fixture["config"], fixture["events"])
        ops |= {e["op"] for e in fixture["events"]}
        rules |= set(fixture["_info"]["rules"])
    assert ops == set(EVENTS)
    assert {"METRIC-TPS-1", "METRIC-TPS-2", "METRIC-QUANT-1", "METRIC-COLL-4",
            "METRIC-COLL-5", "METRIC-ROUTE-1", "METRIC-ZK-2", "METRIC-ERR-1",
            "CONF-METRIC-1", "CONF-METRIC-2"} <= rules
    rate = _fixtures()["metrics/success_rate_formula"]["post"]["results"][-1]["samples"]
    assert {s["name"]: s["value"] for s in rate}["mvcc_success_rate"] == 3 / 9 * 100


def _one(tmp_path: Path, fixture: dict[str, Any]) -> Path:
    fixture = copy.deepcopy(fixture)
    fixture["_info"]["hash"] = fixture_hash(fixture)
    path = tmp_path / "metrics.json"
    path.write_text(json.dumps({"metrics/x": fixture}))
    return path


def _problems(tmp_path: Path, fixture: dict[str, Any], backend: type[Any]) -> list[str]:
    (outcome,) = consume_file(_one(tmp_path, fixture), SCHEMA, python_runner(backend)).fixtures
    return outcome.problems


@pytest.mark.parametrize("backend", ["reference", "wasmtime"])
def test_every_vector_passes_and_tampering_is_reported(tmp_path: Path, backend: str) -> None:
    """CONF-METRIC-3: every committed vector passes on both backends (the metrics do not use
    the engine); a value off by one ulp, a changed error and a swapped answer are reported."""
    factory = load_backend(backend)
    report = consume_file(FIXTURES, SCHEMA, python_runner(factory))
    assert report.fixtures and all(not o.problems for o in report.fixtures)
    good = _fixtures()["metrics/tps_window_edges"]
    bad = copy.deepcopy(good)
    sample = bad["post"]["results"][-5]["samples"][0]
    assert sample["name"] == "mvcc_tps"
    sample["value"] = sample["value"] + 1e-16
    assert any(p.startswith("events[") for p in _problems(tmp_path, bad, factory))
    error = copy.deepcopy(_fixtures()["metrics/bad_inputs_record_nothing"])
    error["post"]["results"][0]["argument"] = "ms"
    assert _problems(tmp_path, error, factory)
    swapped = copy.deepcopy(good)
    swapped["post"] = {"config_error": {"argument": "latency_window"}}
    assert _problems(tmp_path, swapped, factory)


def _first_from_commits_only(self: MetricsCollector, record: str) -> None:
    """A misreading of METRIC-TPS-1: starts and aborts do not start the TPS clock."""
    with self._lock:
        self._now_locked()
        if record == "start":
            self._started += 1
        else:
            self._aborted += 1


def _running_mean(self: LatencyWindow, latency_ms: float) -> None:
    """A misreading of METRIC-ZK-2: the average kept as a running mean in ``total``."""
    self._window.append(latency_ms)
    self.count += 1
    self.total += (latency_ms - self.total) / self.count
    self.last = latency_ms


def _exact_total(self: LatencyWindow, latency_ms: float) -> None:
    """A misreading of METRIC-ZK-2: the sum kept exactly (a Fraction), rounded once."""
    self._window.append(latency_ms)
    self.count += 1
    self.total = Fraction(self.total) + Fraction(latency_ms)  # type: ignore[assignment]
    self.last = latency_ms


def _expire_by_difference(self: MetricsCollector, now: float) -> None:
    """A misreading of METRIC-TPS-1: a stamp t is outside when now - t >= W."""
    while self._commit_times and now - self._commit_times[0] >= self._tps_window:
        self._commit_times.popleft()


def _expire_exactly(self: MetricsCollector, now: float) -> None:
    """A misreading of METRIC-TPS-1: membership on the exact values of the doubles."""
    while self._commit_times and (Fraction(now) - Fraction(self._commit_times[0])
                                  >= Fraction(self._tps_window)):
        self._commit_times.popleft()


MISREADINGS: dict[str, list[tuple[type, str, Any]]] = {
    "tps-first-from-commits": [
        (MetricsCollector, "record_txn_start",
         lambda self: _first_from_commits_only(self, "start")),
        (MetricsCollector, "record_txn_abort",
         lambda self: _first_from_commits_only(self, "abort"))],
    "zk-running-mean": [(LatencyWindow, "record", _running_mean),
                        (LatencyWindow, "average",
                         lambda self: self.total if self.count else 0.0)],
    "zk-exact-sum": [(LatencyWindow, "record", _exact_total),
                     (LatencyWindow, "average",
                      lambda self: float(self.total / self.count) if self.count else 0.0)],
    "tps-window-by-difference": [(MetricsCollector, "_expire_locked", _expire_by_difference)],
    "tps-window-exact": [(MetricsCollector, "_expire_locked", _expire_exactly)],
}


@pytest.mark.parametrize("name", sorted(MISREADINGS))
def test_vectors_catch_plausible_misreadings(monkeypatch: pytest.MonkeyPatch,
                                             name: str) -> None:
    """CONF-METRIC-3, METRIC-TPS-1, METRIC-ZK-2: another implementation that reads a rule
    plausibly but wrongly fails a committed vector: ``first`` from the first commit only
    (a start or an abort comes first), the ZK average as a running mean or as an exact sum
    rounded once (latencies 0.1, 0.2, 0.3), TPS window membership as now - t >= W or on exact values
    (window 7.9 s, a commit at 39.32, an export at 47.22; METRIC-TPS-1 states the comparison
    t <= now - W in double)."""
    for owner, attribute, replacement in MISREADINGS[name]:
        monkeypatch.setattr(owner, attribute, replacement)
    failing = [n for n, fixture in _fixtures().items()
               if FORMAT.compare(fixture, run_metrics_script(fixture["config"],
                                                             fixture["events"]))]
    assert failing, f"{name}: every committed vector passes"


def test_integer_values_equal_floats() -> None:
    """CONF-METRIC-3: a backend writing 2 for 2.0 passes; 3 for 2.0 does not."""
    fixture = _fixtures()["metrics/gc_and_flush_counters"]
    got = copy.deepcopy(fixture["post"])
    for answer in got["results"]:
        for s in answer.get("samples", []):
            if s["value"] == int(s["value"]):
                s["value"] = int(s["value"])
    assert FORMAT.compare(fixture, got) == []
    got["results"][-1]["samples"][2]["value"] += 1
    assert FORMAT.compare(fixture, got)


@pytest.mark.parametrize(("config", "events"), [
    ({"window": 3}, []), ([], []), ({}, {}), ({}, [{"op": "nope", "at": 0}]),
    ({}, [{"op": "export"}]), ({}, [{"op": "export", "at": "0"}]),
    ({}, [{"op": "txn_latency", "at": 0}]), ({}, [{"op": "export", "at": 0, "x": 1}]),
    ({}, ["export"]), ({}, [{"op": "export", "at": True}]),
    ({}, [{"op": "export", "at": 10**400}]), ({}, [{"op": "txn_start", "at": -(10**400)}]),
])
def test_malformed_scripts_are_rejected(config: Any, events: Any) -> None:
    """CONF-METRIC-2: a bad config or event is not a script: FillerError when filling,
    EncodingError when decoding an input."""
    with pytest.raises(FillerError):
        FORMAT.check_case(MetricsCase("metrics/x", "d", ["CONF-METRIC-1"], events, config))
    with pytest.raises(EncodingError):
        FORMAT.decode_input({"fixture_format": FORMAT.name, "config": config,
                             "events": events})
    assert FORMAT.invalid({"config": config, "events": events})


def test_integers_too_large_for_a_double_are_typed_answers(tmp_path: Path) -> None:
    """CONF-METRIC-2/3, METRIC-ERR-1: a JSON integer too large for a double (10**400) is
    never an OverflowError: as an event's ``at``, the input is not a script (supervm t8n:
    bad input, no traceback; consume: the fixture is reported); as a router's value or a
    latency, a refused event; as a backend's sample value, a difference."""
    huge = 10**400
    runs = {
        "at": [{"op": "export", "at": huge}],
        "target": [{"op": "router", "at": 0, "target_fast_ratio": huge, "adjustments": 0}],
        "adjustments": [{"op": "router", "at": 0, "target_fast_ratio": 0.5,
                         "adjustments": huge}],
        "zk": [{"op": "zk_verify", "at": 0, "ms": huge}],
    }
    answers = {}
    for what, events in runs.items():
        text = json.dumps({"fixture_format": FORMAT.name, "config": {}, "events": events})
        done = subprocess.run([sys.executable, "-m", "supervm_ref", "t8n"], input=text,
                              capture_output=True, text=True, cwd=REPO, timeout=120)
        assert "Traceback" not in done.stderr, (what, done.stderr)
        answers[what] = (done.returncode, done.stdout, done.stderr)
    code, _, err = answers["at"]
    assert code != 0 and "at must be a finite number" in err and len(err.splitlines()) == 1
    for what, argument in (("target", "target_fast_ratio"), ("adjustments", "adjustments"),
                           ("zk", "latency_ms")):
        code, out, _ = answers[what]
        assert code == 0 and json.loads(out) == {"results": [
            {"error": "metrics_invalid_input", "argument": argument}]}
    fixture = copy.deepcopy(_fixtures()["metrics/routing_ratios"])
    fixture["events"][0]["at"] = huge
    factory = load_backend("reference")
    assert any("at must be a finite number" in p
               for p in _problems(tmp_path, fixture, factory))
    fixture = _fixtures()["metrics/routing_ratios"]
    got = copy.deepcopy(fixture["post"])
    got["results"][-1]["samples"][0]["value"] = huge
    assert FORMAT.compare(fixture, got)


def test_input_and_output_shapes() -> None:
    """CONF-METRIC-2: the input carries no expectation; extra members are rejected."""
    fixture = _fixtures()["metrics/routing_ratios"]
    given = FORMAT.backend_input(fixture)
    assert set(given) == {"fixture_format", "config", "events"}
    with pytest.raises(EncodingError):
        FORMAT.decode_input({**given, "post": {}})
    out = FORMAT.execute(None, FORMAT.decode_input(given))  # type: ignore[arg-type]
    assert out == fixture["post"] and set(out) == {"results"}
