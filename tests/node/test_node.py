"""The running node (spec/node.md) as a user runs it: a subprocess serving metrics, stopped by
SIGTERM or Ctrl-C after a final flush, restarted on the same data directory."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from supervm_ref.mvcc import MvccStore
from supervm_ref.node.workload import ACCOUNTS, GENESIS_BALANCE, rounds_done, token_total
from supervm_ref.persistence import RocksDBStorage

from .support import STOPPED, NodeProcess

pytestmark = pytest.mark.slow

FAST = ("--interval", "0.02", "--flush-interval", "0.5", "--flush-blocks", "3")
SUPPLY = ACCOUNTS * GENESIS_BALANCE


def _stored(data: Path) -> tuple[int, int, int]:
    """(rounds, flush point, token total) of the database, opened read-only."""
    with RocksDBStorage(str(data), read_only=True) as db:
        store = MvccStore.open(db)
        return rounds_done(store), store.flush_point(), token_total(store)


def test_sigterm_stops_after_a_final_flush_and_a_restart_resumes(tmp_path: Path) -> None:
    """NODE-RUN-1, NODE-STOP-1, NODE-RESUME-1, NODE-HTTP-1, NODE-WORK-2: the node serves
    /metrics and /summary while it runs; SIGTERM ends it with status 0 after flushing every
    commit; a second node on the same directory starts at that round and flush point."""
    data = tmp_path / "db"
    node = NodeProcess(data, *FAST)
    try:
        node.wait_for(r"genesis created")
        node.wait_for(r"round 3:")
        status, kind, text = node.get("/metrics")
        assert status == 200 and kind.startswith("text/plain")
        for name in ("mvcc_txn_committed_total", "mvcc_flush_count_total",
                     "vm_routing_fast_total", "vm_privacy_zk_verify_count_total"):
            assert f"\n{name} " in text, name
        summary = node.summary()
        assert summary["node"]["token_total"] == SUPPLY and summary["node"]["rounds"] >= 3
        node.proc.send_signal(signal.SIGTERM)
        status, err = node.finish()
    finally:
        node.kill()
    assert status == 0, err
    rounds_run, rounds, point, tokens = map(int, node.wait_for(STOPPED).groups())
    assert rounds_run == rounds >= 3 and tokens == SUPPLY
    assert _stored(data) == (rounds, point, SUPPLY)  # nothing was left unflushed

    again = NodeProcess(data, *FAST, "--rounds", "2")
    try:
        again.wait_for(rf"resumed .* at round {rounds}, flush point {point}$")
        status, err = again.finish()
    finally:
        again.kill()
    assert status == 0, err
    assert again.wait_for(STOPPED).groups()[:2] == ("2", str(rounds + 2))
    assert _stored(data)[0] == rounds + 2 and _stored(data)[2] == SUPPLY


def test_ctrl_c_exits_130_after_a_final_flush(tmp_path: Path) -> None:
    """NODE-STOP-1: Ctrl-C (SIGINT) ends the round in progress, flushes, exits 130."""
    data = tmp_path / "db"
    node = NodeProcess(data, *FAST)
    try:
        node.wait_for(r"round 2:")
        node.proc.send_signal(signal.SIGINT)
        status, err = node.finish()
    finally:
        node.kill()
    assert status == 130, err
    assert "Traceback" not in err
    _, rounds, point, tokens = map(int, node.wait_for(STOPPED).groups())
    assert _stored(data) == (rounds, point, tokens) and tokens == SUPPLY


def test_a_data_directory_in_use_is_one_line_and_status_2(tmp_path: Path) -> None:
    """NODE-RUN-1: a second node on a directory the first holds open exits 2 with one line
    naming the directory, and the first node goes on unharmed."""
    data = tmp_path / "db"
    first = NodeProcess(data, *FAST)
    try:
        first.wait_for(r"round 1:")
        second = NodeProcess(data, *FAST)
        status, err = second.finish()
        assert status == 2
        assert len(err.strip().splitlines()) == 1 and str(data) in err, err
        assert "Traceback" not in err
        first.wait_for(r"round 3:")
        first.proc.send_signal(signal.SIGTERM)
        assert first.finish()[0] == 0
    finally:
        first.kill()


def test_demo_without_once_runs_the_demos_then_the_node(tmp_path: Path) -> None:
    """NODE-RUN-1: ``supervm demo`` without ``--once`` is the demos, then the node."""
    node = NodeProcess(tmp_path / "db", *FAST, "--rounds", "2", command="demo")
    try:
        status, err = node.finish(timeout=120)
    finally:
        node.kill()
    assert status == 0, err
    text = "\n".join(node.lines)
    assert text.index("Demo 1") < text.index("genesis created") < text.index("round 2:")
    assert node.wait_for(STOPPED).group(1) == "2"
