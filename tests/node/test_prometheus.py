"""The dashboard the way it is used (spec/node.md NODE-DASH-1, NODE-HTTP-1): a real Prometheus
(Debian's ``prometheus``; .ci/run installs it) scrapes a running node on loopback, and every
query of every panel of the Grafana dashboard runs through Prometheus's HTTP API."""

from __future__ import annotations

import json
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from supervm_ref.metrics import DASHBOARD

from .support import NodeProcess

pytestmark = pytest.mark.slow

SCRAPE_SECONDS = 0.5


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _api(port: int, path: str, **params: str) -> dict[str, Any]:
    url = f"http://127.0.0.1:{port}/api/v1/{path}?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=10) as r:
        data: dict[str, Any] = json.loads(r.read())
    return data


def _until(what: str, check: Any, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = check()
        except OSError:
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def _queries() -> list[tuple[str, str]]:
    """(panel title, expression) of every target of every panel."""
    dashboard = json.loads(DASHBOARD.read_text())
    return [(p["title"], t["expr"]) for p in dashboard["panels"] for t in p["targets"]]


def test_dashboard_panels_and_their_metrics_are_the_specs() -> None:
    """NODE-DASH-1: the seed's panels, and every metric a query names is one of
    spec/metrics.md's."""
    dashboard = json.loads(DASHBOARD.read_text())
    titles = " | ".join(p["title"] for p in dashboard["panels"])
    for words in ("TPS", "Success Rate", "Latency Percentiles", "Transaction Rates",
                  "Garbage Collection", "Flush Statistics", "Flush Bytes", "Routing Path Ratios",
                  "Routing Path Counts", "Pie", "Target vs Actual", "Adjustments",
                  "ZK Verify Latency", "ZK Verify Count"):
        assert words in titles, words
    spec = (Path(__file__).resolve().parents[2] / "spec" / "metrics.md").read_text()
    for _, expr in _queries():
        for name in re.findall(r"\b((?:mvcc|vm)_[a-z0-9_]+)", expr):
            assert f"`{name}" in spec, name


def test_prometheus_scrapes_the_node_and_runs_every_dashboard_query(tmp_path: Path) -> None:
    """NODE-DASH-1, NODE-HTTP-1: Prometheus scrapes the node (target up), every dashboard
    query succeeds and returns data, and the counters move while the workload runs."""
    prometheus = shutil.which("prometheus")
    assert prometheus, "Prometheus is missing: apt-get install prometheus (.ci/run does)"
    node = NodeProcess(tmp_path / "db", "--interval", "0.05", "--flush-interval", "0.5",
                       "--flush-blocks", "2")
    prom: subprocess.Popen[bytes] | None = None
    try:
        target = node.serving_port()
        port = _free_port()
        config = tmp_path / "prometheus.yml"
        config.write_text(
            f"global:\n  scrape_interval: {int(SCRAPE_SECONDS * 1000)}ms\n"
            "scrape_configs:\n  - job_name: supervm\n    metrics_path: /metrics\n"
            f"    static_configs:\n      - targets: ['127.0.0.1:{target}']\n")
        prom = subprocess.Popen(
            [prometheus, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{port}", "--log.level=error"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

        def up() -> bool:
            targets = _api(port, "targets")["data"]["activeTargets"]
            return bool(targets) and all(t["health"] == "up" for t in targets)

        _until("the scrape target to be up", up)
        # rate() over the dashboard's window needs two samples; wait for three.
        _until("three scrapes", lambda: _api(port, "query",
                                             query="count_over_time(up[1m])")["data"]["result"]
               and float(_api(port, "query", query="count_over_time(up[1m])")
                         ["data"]["result"][0]["value"][1]) >= 3)
        assert _api(port, "query", query='up{job="supervm"}')["data"]["result"][0]["value"][1] \
            == "1"
        empty = []
        for title, expr in _queries():
            answer = _api(port, "query", query=expr)
            assert answer["status"] == "success", (title, expr, answer)
            if not answer["data"]["result"]:
                empty.append((title, expr))
        assert not empty, f"queries without data: {empty}"
        moved = _api(port, "query", query="increase(mvcc_txn_committed_total[1m]) > 0")
        assert moved["data"]["result"], "the committed counter did not move"
        routed = _api(port, "query", query="delta(vm_routing_total[1m]) > 0")
        assert routed["data"]["result"], "the routing total did not move"
    finally:
        if prom is not None:
            prom.terminate()
            prom.wait(timeout=30)
        node.proc.send_signal(signal.SIGTERM)
        try:
            node.finish()
        finally:
            node.kill()
