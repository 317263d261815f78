"""MetricsServer over real HTTP (spec/metrics.md section 7, METRIC-HTTP-*)."""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from typing import Any

import pytest
from prometheus_client import CONTENT_TYPE_LATEST

from supervm_ref import SuperVM
from supervm_ref.metrics import (
    BenchMetrics,
    InvalidMetricInput,
    MetricsCollector,
    MetricsNameClash,
    MetricsServer,
    MetricsServerError,
    summary_of,
)

from ..support import REPO
from .test_collector import ManualClock


def get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.headers["Content-Type"], r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers["Content-Type"], e.read()


def test_metrics_summary_and_404(capfd: pytest.CaptureFixture[str]) -> None:
    """METRIC-HTTP-1/2/4: /metrics is the combined exposition with prometheus-client's content
    type; /summary the documented JSON; anything else 404; nothing on stderr."""
    m = MetricsCollector(clock=ManualClock())
    m.record_txn_start()
    m.record_txn_commit()
    vm, bench = SuperVM(), BenchMetrics()
    with MetricsServer(port=0, registries=[m, vm, bench]) as server:
        assert server.port != 0 and server.host == "127.0.0.1"
        status, ctype, body = get(server.url + "/metrics")
        assert (status, ctype) == (200, CONTENT_TYPE_LATEST)
        text = body.decode()
        assert "mvcc_txn_committed_total 1.0" in text and "vm_routing_total 0.0" in text
        assert "bench_consensus_success_rate" in text
        status, ctype, body = get(server.url + "/summary?x=1")
        assert (status, ctype) == (200, "application/json")
        summary = json.loads(body)
        assert sorted(summary) == ["bench", "mvcc", "routing"]
        assert sorted(summary["mvcc"]) == sorted([
            "tps", "success_rate", "latency_ms", "txn_started", "txn_committed", "txn_aborted",
            "gc_runs", "gc_versions_cleaned", "flush_count", "flush_keys", "flush_bytes"])
        assert summary["mvcc"]["txn_committed"] == 1
        assert summary["mvcc"]["success_rate"] == 100.0
        assert sorted(summary["routing"]) == sorted([
            "fast", "consensus", "privacy", "total", "conflicts", "fast_ratio",
            "consensus_ratio", "privacy_ratio", "target_fast_ratio", "adjustments"])
        for path in ("/", "/metricsx", "/summary/", "/../etc/passwd"):
            assert get(server.url + path)[0] == 404
    assert capfd.readouterr().err == ""


def test_port_in_use_stop_and_restart() -> None:
    """METRIC-HTTP-3: a port in use is MetricsServerError naming it; stop is idempotent; a
    stopped server frees its port; default host and port."""
    default = MetricsServer(registries=[MetricsCollector()])
    assert (default.host, default.port) == ("127.0.0.1", 8080) and not default.running
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(MetricsServerError) as e:
            MetricsServer(port=port, registries=[MetricsCollector()]).start()
        assert e.value.port == port and str(port) in str(e.value)
        assert e.value.kind == "metrics_server"
    server = MetricsServer(port=0, registries=[MetricsCollector()]).start()
    assert server.start() is server
    port = server.port
    server.stop()
    server.stop()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5)


def test_a_failing_source_is_a_500_without_traceback(capfd: pytest.CaptureFixture[str]
                                                     ) -> None:
    """METRIC-HTTP-4: a summary that raises is a 500; the server goes on; no traceback."""
    def broken() -> Any:
        raise RuntimeError("boom")

    with MetricsServer(port=0, registries=[MetricsCollector()], summary=broken) as server:
        assert get(server.url + "/summary")[0] == 500
        assert get(server.url + "/metrics")[0] == 200
        with socket.create_connection(("127.0.0.1", server.port)) as raw:
            raw.sendall(b"NONSENSE\r\n\r\n")
            raw.recv(100)
        assert get(server.url + "/metrics")[0] == 200
    err = capfd.readouterr().err
    assert "Traceback" not in err and err == ""


def test_a_500_prints_nothing_without_a_logging_configuration(
        caplog: pytest.LogCaptureFixture) -> None:
    """METRIC-HTTP-4: the 500's warning goes to the supervm_ref.metrics logger, which has a
    handler of its own: in a process that configured no logging, nothing reaches stderr
    (logging's last-resort handler would print it); an application's handlers still get
    it."""
    child = (
        "import urllib.request, urllib.error\n"
        "from supervm_ref.metrics import MetricsServer, ZkLatencyRecorder\n"
        "a, b = ZkLatencyRecorder(), ZkLatencyRecorder()\n"
        "with MetricsServer(port=0, registries=[a, b], summary=lambda: 1 / 0) as srv:\n"
        "    a.record(1.0); b.record(2.0)\n"
        "    for path in ('/metrics', '/summary'):\n"
        "        try:\n"
        "            urllib.request.urlopen(srv.url + path, timeout=10)\n"
        "        except urllib.error.HTTPError as e:\n"
        "            print(e.code)\n")
    proc = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True,
                          cwd=REPO, timeout=60)
    assert proc.stdout.split() == ["500", "500"] and proc.stderr == ""
    with caplog.at_level(logging.WARNING, logger="supervm_ref.metrics"), \
            MetricsServer(port=0, registries=[], summary=lambda: 1 / 0) as server:
        assert get(server.url + "/summary")[0] == 500
    assert any(r.levelno == logging.WARNING and "/summary" in r.getMessage()
               for r in caplog.records)


def test_summary_is_always_json() -> None:
    """METRIC-HTTP-2: /summary is strict JSON: a value that is not finite (a bench average
    or estimated TPS that overflowed, a NaN from a summary callable) is null."""
    def strict(token: str) -> Any:
        raise ValueError(f"not JSON: {token}")

    bench = BenchMetrics()
    bench.record_fastpath(5e-324)  # estimated TPS 1e9 / 5e-324 = inf
    bench.record_privacy(1e308)
    bench.record_privacy(1e308)  # average (1e308 + 1e308) / 2 = inf
    with MetricsServer(port=0, registries=[bench]) as server:
        status, _, body = get(server.url + "/summary")
        summary = json.loads(body, parse_constant=strict)
    assert status == 200
    assert summary["bench"]["fastpath"]["estimated_tps"] is None
    assert summary["bench"]["privacy"]["avg_latency_ns"] is None
    assert summary["bench"]["privacy"]["estimated_tps"] == 0.0
    custom = {"a": [float("nan"), (1.5, float("-inf"))], "b": {"c": float("inf"), "d": 2}}
    with MetricsServer(port=0, registries=[], summary=lambda: custom) as server:
        body = get(server.url + "/summary")[2]
    assert json.loads(body, parse_constant=strict) == {"a": [None, [1.5, None]],
                                                       "b": {"c": None, "d": 2}}


def test_custom_summary_and_bad_arguments() -> None:
    """METRIC-HTTP-1/2: a summary callable; bad arguments and two sources of one section are
    typed errors."""
    with MetricsServer(port=0, registries=[], summary=lambda: {"ok": 1}) as server:
        assert json.loads(get(server.url + "/summary")[2]) == {"ok": 1}
        assert get(server.url + "/metrics")[0] == 200
    for kwargs in ({"port": -1}, {"port": 70000}, {"port": True}, {"host": ""},
                   {"registries": "x"}, {"summary": 3}):
        with pytest.raises(Exception) as e:
            MetricsServer(**kwargs)  # type: ignore[arg-type]
        assert e.value.__class__.__name__ in ("InvalidArgumentError", "InvalidMetricInput")
    with pytest.raises(InvalidMetricInput):
        summary_of([SuperVM(), SuperVM()])
    with pytest.raises(MetricsNameClash):
        MetricsServer(registries=[SuperVM(), SuperVM()])


def test_a_prometheus_registry_is_a_source() -> None:
    """METRIC-HTTP-1, METRIC-PROM-4: a prometheus-client registry is served beside the
    collectors; it has no /summary section."""
    from prometheus_client import CollectorRegistry, Counter

    registry = CollectorRegistry()
    Counter("node_blocks", "Blocks produced", registry=registry).inc(3)
    with MetricsServer(port=0, registries=[MetricsCollector(), registry]) as server:
        text = get(server.url + "/metrics")[2].decode()
        assert "node_blocks_total 3.0" in text and "mvcc_tps" in text
        assert sorted(json.loads(get(server.url + "/summary")[2])) == ["mvcc"]
