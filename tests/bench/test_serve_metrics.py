"""``--serve-metrics[:PORT]`` on the benches (spec/metrics.md METRIC-HTTP-5, METRIC-BENCH-1):
a bench run as a user runs it, scraped over HTTP while it works."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from typing import Any

import pytest

from supervm_ref.bench import mixed_path
from supervm_ref.cli.bench import zk_bench_port
from supervm_ref.config import ConfigError
from supervm_ref.metrics import BenchMetrics

from ..support import REPO

SERVING = re.compile(r"serving metrics on http://127\.0\.0\.1:(\d+)/metrics and /summary")


def _start(*argv: str, **env: str) -> tuple[subprocess.Popen[str], int]:
    """The bench in a subprocess, and the port from its 'serving metrics' line."""
    proc = subprocess.Popen([sys.executable, "-m", "supervm_ref", "bench", *argv],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
                            env={**os.environ, "TERM": "dumb", **env})
    assert proc.stderr is not None
    line = proc.stderr.readline()
    match = SERVING.search(line)
    if match is None:
        proc.kill()
        raise AssertionError(f"no serving line: {line!r} {proc.communicate()}")
    return proc, int(match.group(1))


def _get(port: int, path: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as r:
        text: str = r.read().decode()
        return text


def _value(text: str, name: str) -> float:
    (line,) = [x for x in text.splitlines() if x.startswith(f"{name} ")]
    return float(line.split()[1])


def _metrics_when(port: int, ready: Any, timeout: float = 60.0) -> str:
    """/metrics once ``ready(text)`` holds."""
    deadline = time.monotonic() + timeout
    while not ready(text := _get(port, "/metrics")):
        assert time.monotonic() < deadline, f"timed out; last /metrics: {text[-500:]}"
        time.sleep(0.1)
    return text


@pytest.mark.slow
def test_mixed_path_serves_bench_and_routing_metrics_while_it_runs() -> None:
    """METRIC-HTTP-5, METRIC-BENCH-1: the seed's ``--serve-metrics:PORT`` spelling; while the
    bench runs, /metrics has the seed's bench_* and vm_routing_* names and /summary the bench
    and routing sections."""
    proc, port = _start("mixed-path", "--txs", "200", "--privacy-ratio:0.05",
                        "--privacy-latency-ms", "150", "--serve-metrics:0", "--json")
    try:
        text = _metrics_when(port, lambda t: _value(t, "vm_routing_total") > 0)
        for name in ("bench_fastpath_executed_total", "bench_privacy_avg_latency_ns",
                     "bench_consensus_success_rate", "vm_routing_fast_ratio",
                     "vm_routing_target_fast_ratio"):
            assert f"\n{name} " in text, name
        summary = json.loads(_get(port, "/summary"))
        assert {"bench", "routing"} <= set(summary)
        out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    report = json.loads(out)
    assert report["metrics"]["vm_routing_total"] == 200


@pytest.mark.slow
def test_zk_latency_serves_the_verification_window() -> None:
    """METRIC-HTTP-5, METRIC-ZK-2: ``bench zk-latency --serve-metrics`` on the port of
    ``SUPERVM_ZK_BENCH_PORT`` serves vm_privacy_zk_verify_* once a verification was timed."""
    proc, port = _start("zk-latency", "--count", "2", "--serve-metrics",
                        SUPERVM_ZK_BENCH_PORT="0", SUPERVM_ZK_LAT_WIN="8")
    try:
        text = _metrics_when(port, lambda t: "vm_privacy_zk_verify_count_total" in t)
        assert _value(text, "vm_privacy_zk_verify_window_size") >= 1
        assert _value(text, "vm_privacy_zk_verify_last_latency_ms") > 0
        assert json.loads(_get(port, "/summary"))["zk"]["count"] >= 1
        _, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 0, err


def test_a_port_in_use_is_one_line_and_status_2() -> None:
    """METRIC-HTTP-5: the port is taken: exit status 2, one line, no traceback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        proc = subprocess.run([sys.executable, "-m", "supervm_ref", "bench", "mixed-path",
                               "--txs", "5", f"--serve-metrics={port}"],
                              capture_output=True, text=True, cwd=REPO, timeout=120)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and str(port) in proc.stderr
    assert "Traceback" not in proc.stderr


def test_zk_bench_port_variable() -> None:
    """METRIC-HTTP-5: SUPERVM_ZK_BENCH_PORT: unset or blank 8083, else 0..65535."""
    assert zk_bench_port({}) == 8083
    assert zk_bench_port({"SUPERVM_ZK_BENCH_PORT": " "}) == 8083
    assert zk_bench_port({"SUPERVM_ZK_BENCH_PORT": "9000"}) == 9000
    for bad in ("-1", "65536", "80.5", "x"):
        with pytest.raises(ConfigError, match="SUPERVM_ZK_BENCH_PORT"):
            zk_bench_port({"SUPERVM_ZK_BENCH_PORT": bad})


def test_zk_bench_port_wants_ascii_digits() -> None:
    """METRIC-HTTP-5: SUPERVM_ZK_BENCH_PORT is ASCII decimal digits: a superscript or
    fullwidth digit, or a digit string too long for int(), is a ConfigError naming the
    variable; from the CLI, exit status 2 and one line, no traceback."""
    for bad in ("\u00b2", "\uff18\uff10\uff18\uff13", "\u0668\u0660", "1" * 5000, "000080835"):
        with pytest.raises(ConfigError, match="SUPERVM_ZK_BENCH_PORT"):
            zk_bench_port({"SUPERVM_ZK_BENCH_PORT": bad})
    assert zk_bench_port({"SUPERVM_ZK_BENCH_PORT": " 08083 "}) == 8083
    proc = subprocess.run([sys.executable, "-m", "supervm_ref", "bench", "zk-latency", "--count",
                           "1", "--serve-metrics"], capture_output=True, text=True, cwd=REPO,
                          env={**os.environ, "SUPERVM_ZK_BENCH_PORT": "\u00b2"}, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "SUPERVM_ZK_BENCH_PORT" in proc.stderr


def test_bench_metrics_agree_with_the_report() -> None:
    """METRIC-BENCH-1: the BenchMetrics a run fills count what its report counts."""
    metrics = BenchMetrics()
    report = mixed_path.run(txs=60, owned_ratio=0.5, privacy_ratio=0.0, block_size=20,
                            metrics=metrics)
    snap = metrics.snapshot()
    assert snap["fastpath"]["executed"] == report.paths["fast"].executed == 30
    assert snap["consensus"]["transactions"] == report.paths["consensus"].total == 30
    assert snap["consensus"]["conflicts"] == report.consensus_conflicts
    assert snap["privacy"]["executed"] == 0
