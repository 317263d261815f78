"""Crash safety for real (spec/persistence.md PERSIST-DB-6, PERSIST-FLUSH-2): a writer process
committing token transfers and flushing continuously is killed with SIGKILL at seeded random
moments; after every kill the database reopens in exactly the state of some complete flush,
with every token conserved and a flush point that never went back, and the checkpoints taken
during the run open read-only and are consistent themselves. (A flush written as two batches
fails this test: the reopen finds history after the flush point, PERSIST-OPEN-1.)"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from supervm_ref.mvcc import MvccStore
from supervm_ref.persistence import RocksDBStorage, list_checkpoints

from . import crash_writer as writer

pytestmark = pytest.mark.slow

KILLS = 20
SEED = 20261205


def _reopen(path: Path) -> tuple[int, dict[bytes, bytes]]:
    """(flush point, state) of the database at ``path``, opened read-only."""
    with RocksDBStorage(str(path), read_only=True) as db:
        store = MvccStore.open(db)
        return store.flush_point(), dict(store.snapshot_items())


def test_sigkill_at_random_moments_never_loses_a_complete_flush(tmp_path: Path) -> None:
    """PERSIST-DB-6, PERSIST-FLUSH-2, PERSIST-OPEN-1, PERSIST-CKPT-1: 20 kills at varied moments."""
    db, checkpoints = tmp_path / "db", tmp_path / "checkpoints"
    checkpoints.mkdir()
    rng = random.Random(SEED)
    points: list[int] = []
    reopened: list[dict[bytes, bytes]] = []
    for _ in range(KILLS):
        proc = subprocess.Popen([sys.executable, writer.__file__, str(db), str(checkpoints),
                                 str(SEED)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        try:
            assert proc.stdout is not None
            ready = proc.stdout.readline()
            assert ready.startswith("ready"), (ready, proc.stderr.read() if proc.stderr else "")
            time.sleep(rng.uniform(0.0, 0.3))  # the moment of the kill
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        assert proc.returncode == -signal.SIGKILL
        point, state = _reopen(db)
        total = sum(int.from_bytes(v, "big") for v in state.values())
        assert total == writer.ACCOUNTS * writer.BALANCE
        assert not points or point >= points[-1], "the flush point went back"
        points.append(point)
        reopened.append(state)
    assert len(set(points)) >= KILLS // 2, f"the writer made too little progress: {points}"

    found = list_checkpoints(checkpoints)
    assert found, "no checkpoint was taken during the run"
    expected = writer.states_at(SEED, points + [p for p, _ in found])
    for point, state in zip(points, reopened):
        assert state == expected[point], f"not the state of a complete flush at {point}"
    for flush_point, path in found:
        point, state = _reopen(path)
        assert point == flush_point
        assert state == expected[point], f"checkpoint {path} is not consistent"
