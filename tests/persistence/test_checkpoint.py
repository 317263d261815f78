"""Checkpoints (spec/persistence.md PERSIST-CKPT-*)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from supervm_ref.mvcc import MvccStore
from supervm_ref.persistence import (
    CheckpointInvalid,
    DatabaseClosed,
    DatabaseInUse,
    PersistenceArgumentError,
    PersistenceErrorKind,
    RocksDBStorage,
    checkpoint_path,
    create_checkpoint,
    create_checkpoint_at,
    list_checkpoints,
    restore_checkpoint,
)

from .test_store import commit


def test_checkpoints_hold_a_flush_point(tmp_path: Path) -> None:
    """PERSIST-CKPT-1/2: a checkpoint named by its flush point opens read-only (and as a store)
    at that flush point while the database moves on; list_checkpoints lists them in order;
    an existing directory is CheckpointInvalid, a closed database DatabaseClosed."""
    root = tmp_path / "checkpoints"
    assert list_checkpoints(root) == []
    store = MvccStore()
    with RocksDBStorage(tmp_path / "db") as db:
        commit(store, {b"a": b"1"})
        store.flush_to_storage(db)
        first = create_checkpoint_at(db, root)
        assert first == checkpoint_path(root, 1) == root / "checkpoint-00000000000000000001"
        commit(store, {b"a": b"2", b"b": b"3"})
        store.flush_to_storage(db)
        second = create_checkpoint_at(db, root)
        (root / "not-a-checkpoint").mkdir()
        assert list_checkpoints(root) == [(1, first), (2, second)]
        with RocksDBStorage(first, read_only=True) as old:
            opened = MvccStore.open(old)
            assert opened.snapshot_items() == [(b"a", b"1")] and opened.flush_point() == 1
        assert db.items() == [(b"a", b"2"), (b"b", b"3")]
        with pytest.raises(CheckpointInvalid):
            create_checkpoint(db, first)  # exists
    with pytest.raises(DatabaseClosed):
        create_checkpoint(db, tmp_path / "later")
    with pytest.raises(PersistenceArgumentError):
        create_checkpoint("db", tmp_path / "x")  # type: ignore[arg-type]


def test_restore_replaces_the_database(tmp_path: Path) -> None:
    """PERSIST-CKPT-3: restore replaces the database with the checkpoint's state; the
    temporary directories are gone; an open target is DatabaseInUse; a non-checkpoint is
    CheckpointInvalid and the old database is as it was."""
    path = tmp_path / "db"
    store = MvccStore()
    db = RocksDBStorage(path)
    commit(store, {b"a": b"1"})
    store.flush_to_storage(db)
    checkpoint = create_checkpoint(db, tmp_path / "ck")
    commit(store, {b"a": b"2"})
    store.flush_to_storage(db)
    with pytest.raises(DatabaseInUse) as info:
        restore_checkpoint(checkpoint, path)
    assert info.value.kind is PersistenceErrorKind.DATABASE_IN_USE
    db.close()
    empty = tmp_path / "empty"
    empty.mkdir()
    for bad in (empty, tmp_path / "missing"):
        with pytest.raises(CheckpointInvalid):
            restore_checkpoint(bad, path)
    with RocksDBStorage(path, read_only=True) as untouched:
        assert untouched.items() == [(b"a", b"2")]
    restore_checkpoint(checkpoint, path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ck", "db", "empty"]
    with RocksDBStorage(path) as restored:
        again = MvccStore.open(restored)
        assert again.snapshot_items() == [(b"a", b"1")] and again.flush_point() == 1
        commit(again, {b"c": b"3"})
        again.flush_to_storage(restored)
    restore_checkpoint(checkpoint, tmp_path / "fresh")  # a target that does not exist yet
    with RocksDBStorage(tmp_path / "fresh", read_only=True) as fresh:
        assert fresh.items() == [(b"a", b"1")]


def test_restore_refuses_a_target_open_in_another_process(tmp_path: Path) -> None:
    """PERSIST-CKPT-3: a target another process holds open (its LOCK) is DatabaseInUse."""
    path = tmp_path / "db"
    with RocksDBStorage(path) as db:
        checkpoint = create_checkpoint(db, tmp_path / "ck")
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys\nfrom supervm_ref.persistence import RocksDBStorage\n"
         f"db = RocksDBStorage({str(path)!r})\nprint('ready', flush=True)\nsys.stdin.read()\n"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(DatabaseInUse):
            restore_checkpoint(checkpoint, path)
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
