"""The node under failures and signals at awkward times (spec/node.md NODE-RUN-1,
NODE-STOP-1, NODE-RESUME-1): a failed background flush, a flush due in the middle of a round,
a signal during startup, an empty --data, a port in use, a foreign database. In-process: the
node's parts, and the command through ``supervm_ref.cli.main``."""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from rocksdict import Options, Rdict

from supervm_ref.cli import main
from supervm_ref.mvcc import MvccStore
from supervm_ref.node import Node, NodeConfig, WorkloadConfig, workload
from supervm_ref.node import node as node_module
from supervm_ref.node.workload import rounds_done
from supervm_ref.persistence import (
    AutoFlushConfig,
    AutoFlushFailed,
    RocksDBStorage,
    StorageFailed,
)
from supervm_ref.persistence.layout import flush_point

LIGHT = WorkloadConfig(privacy_every=0)


def _config(data: Path, rounds: int, auto_flush: AutoFlushConfig) -> NodeConfig:
    return NodeConfig(data_dir=data, port=0, interval_seconds=0, rounds=rounds,
                      auto_flush=auto_flush, workload=LIGHT)


def _flaky(monkeypatch: pytest.MonkeyPatch, *, failures: set[int] | None) -> None:
    """The auto-flush thread's writes fail: the n-th in ``failures``, or every write
    everywhere when None."""
    original = RocksDBStorage._write_cf
    calls = [0]

    def write(self: RocksDBStorage, writes: Any) -> None:
        if failures is None:
            raise StorageFailed("write", OSError("the disk is away"))
        if threading.current_thread().name == "supervm-auto-flush":
            calls[0] += 1
            if calls[0] in failures:
                raise StorageFailed("write", OSError("for a moment"))
        original(self, writes)

    monkeypatch.setattr(RocksDBStorage, "_write_cf", write)


def test_a_failed_background_flush_is_flushed_in_the_foreground(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """NODE-RESUME-1, PERSIST-AUTO-4: after a background flush failed, the node flushes in the
    foreground at the end of the round and restarts the auto-flush: no completed round is
    lost."""
    lines: list[str] = []
    config = NodeConfig(data_dir=tmp_path / "d", port=0, interval_seconds=0.2, rounds=8,
                        auto_flush=AutoFlushConfig(True, 3600, 1), workload=LIGHT)
    node = Node(config, log=lines.append)
    with monkeypatch.context() as patch:
        _flaky(patch, failures={2})
        report = node.run()
    assert report.rounds_run == 8
    assert any("flushing in the foreground" in line for line in lines)
    with RocksDBStorage(tmp_path / "d") as db:
        assert rounds_done(MvccStore.open(db)) == 8


def test_a_foreground_flush_that_fails_stops_the_node(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """NODE-RESUME-1: when the flush in the foreground fails too, run raises AutoFlushFailed
    carrying both errors (the command's status 1) and closes the database."""
    config = NodeConfig(data_dir=tmp_path / "d", port=0, interval_seconds=0.05, rounds=50,
                        auto_flush=AutoFlushConfig(True, 3600, 1), workload=LIGHT)
    node = Node(config, log=lambda s: None)
    assert node.db is not None
    with monkeypatch.context() as patch:
        _flaky(patch, failures=None)
        with pytest.raises(AutoFlushFailed) as info:
            node.run()
    assert info.value.final_error is not None
    assert node.db.closed and node.rounds_run < 50


def test_no_background_flush_lands_inside_a_round(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """NODE-RESUME-1, PERSIST-AUTO-5: a flush due (timer and block trigger) while a round
    runs waits for the round's end: a flush holds a round's transactions all or none."""
    node = Node(_config(tmp_path / "d", 2, AutoFlushConfig(True, 0.01, 1)), log=lambda s: None)
    assert node.db is not None
    db = node.db
    original = workload.transfer_tokens
    seen: list[tuple[int, int]] = []

    def transfers(store: MvccStore, config: WorkloadConfig, rng: Any) -> Any:
        before = flush_point(db)
        store.notify_block()
        time.sleep(0.3)  # both triggers are due now
        seen.append((before, flush_point(db)))
        return original(store, config, rng)

    monkeypatch.setattr(workload, "transfer_tokens", transfers)
    node.run()
    assert len(seen) == 2 and all(before == after for before, after in seen)


def test_stop_before_startup_opens_nothing(tmp_path: Path) -> None:
    """NODE-STOP-1: a node whose stop event is set before it is built opens no database and
    runs no round."""
    stop = threading.Event()
    stop.set()
    node = Node(_config(tmp_path / "d", 3, AutoFlushConfig()), log=lambda s: None, stop=stop)
    assert node.run().rounds_run == 0
    assert not (tmp_path / "d").exists()


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, 0), (signal.SIGINT, 130)])
def test_a_signal_during_startup_stops_cleanly(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        signum: int, status: int) -> None:
    """NODE-STOP-1: the handlers are installed before the node is built: a signal while the
    genesis is created ends the node after it, with no round, a final flush and the status of
    that signal."""
    original = node_module.create_genesis

    def genesis(*args: Any) -> None:
        original(*args)
        os.kill(os.getpid(), signum)

    monkeypatch.setattr(node_module, "create_genesis", genesis)
    assert main(["node", "--data", str(tmp_path / "d"), "--port", "0"]) == status
    out = capsys.readouterr()
    assert "stopped after 0 rounds" in out.out and "Traceback" not in out.err
    with RocksDBStorage(tmp_path / "d") as db:
        assert rounds_done(MvccStore.open(db)) == 0


@pytest.mark.parametrize("command", ["node", "demo"])
def test_an_empty_data_directory_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        command: str) -> None:
    """NODE-RUN-1: ``--data ''`` is one line and status 2; nothing is written."""
    monkeypatch.chdir(tmp_path)
    args = ["node", "--data", "", "--port", "0", "--rounds", "1"]
    if command == "demo":
        monkeypatch.setattr("supervm_ref.cli.demo.DEMOS", ())
        args[0] = "demo"
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"supervm {command}: --data")
    assert list(tmp_path.iterdir()) == []


def test_a_port_in_use_is_status_2_before_the_database(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """NODE-RUN-1: the metrics port is bound before the database is opened: a port in use is
    one line naming the command, status 2, and no data directory is created."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["node", "--data", str(tmp_path / "d"), "--port", str(port),
                     "--rounds", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("supervm node: ") and "in use" in err[0]
    assert not (tmp_path / "d").exists()


def test_a_foreign_database_is_refused_unchanged(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """NODE-RUN-1, PERSIST-DB-5: another program's RocksDB database is status 2, one line
    naming the command, and nothing in it is changed."""
    path = tmp_path / "foreign"
    d = Rdict(str(path), options=Options(raw_mode=True))
    d[b"app"] = b"data"
    d.close()
    assert main(["node", "--data", str(path), "--port", "0", "--rounds", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("supervm node: cannot open the data directory")
    assert Rdict.list_cf(str(path)) == ["default"]


def test_a_round_cut_short_is_never_flushed(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """NODE-RESUME-1: a round that fails in the middle (after its block) is not flushed, not
    by the auto-flush and not by the final flush: the database stays at the last whole
    round."""
    node = Node(_config(tmp_path / "d", 3, AutoFlushConfig(True, 0.01, 1)), log=lambda s: None)
    node.run()
    with RocksDBStorage(tmp_path / "d") as db:
        before = db.items(), flush_point(db)
    node = Node(_config(tmp_path / "d", 1, AutoFlushConfig(True, 0.01, 1)), log=lambda s: None)

    def transfers(store: MvccStore, config: WorkloadConfig, rng: Any) -> Any:
        store.notify_block()
        time.sleep(0.2)
        raise StorageFailed("transfers", OSError("a bug in the middle of a round"))

    monkeypatch.setattr(workload, "transfer_tokens", transfers)
    with pytest.raises(StorageFailed):
        node.run()
    assert node.db is not None and node.db.closed
    with RocksDBStorage(tmp_path / "d") as db:
        assert rounds_done(MvccStore.open(db)) == 3
        assert (db.items(), flush_point(db)) == before


def test_back_to_back_rounds_leave_room_for_background_flushes(tmp_path: Path) -> None:
    """NODE-RESUME-1: with no pause between rounds (``--interval 0``) the round lock is
    released for a moment after each round, so the background flushes due are not starved."""
    node = Node(_config(tmp_path / "d", 20, AutoFlushConfig(True, 3600, 1)), log=lambda s: None)
    counts: list[int] = []

    def count(result: Any) -> None:
        status = node.store.auto_flush_status()
        assert status is not None
        counts.append(status.flushes)

    node.run(on_round=count)
    assert counts[-1] >= 5, counts
