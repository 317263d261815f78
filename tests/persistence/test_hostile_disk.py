"""A read-only directory and a full disk, for real (spec/persistence.md PERSIST-DB-2/3): each
is a typed error in a separate process, and the database then reopens exactly as its last
complete flush left it -- nothing flushed is lost."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from supervm_ref.mvcc import MvccStore
from supervm_ref.persistence import DatabaseUnwritable, RocksDBStorage

from ..support import REPO

#: Run in a child process: open the database at argv[1] writable, commit ever larger values
#: and flush after each (a file size limit of argv[2] bytes when given), and print what
#: happened as JSON: the flush points that succeeded and the error that ended the run.
CHILD = r"""
import json, os, resource, signal, sys
from supervm_ref.errors import SuperVMError
from supervm_ref.mvcc import MvccStore
from supervm_ref.persistence import DatabaseUnwritable, RocksDBStorage
if len(sys.argv) > 2:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
points, error = [], None
try:
    db = RocksDBStorage(sys.argv[1])
    store = MvccStore.open(db)
    if len(sys.argv) > 2:
        limit = int(sys.argv[2])
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    for i in range(400):
        txn = store.begin()
        txn.write(b"big/%04d" % i, bytes([i % 251]) * (4096 * (i + 1)))
        txn.commit()
        store.flush_to_storage(db)
        points.append(store.flush_point())
except SuperVMError as e:
    error = getattr(e, "kind", type(e).__name__)
print(json.dumps({"points": points, "error": error}))
"""


def _child(path: Path, *argv: str) -> dict[str, object]:
    proc = subprocess.run([sys.executable, "-c", CHILD, str(path), *argv],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    result: dict[str, object] = json.loads(proc.stdout)
    return result


def _flushed(path: Path, read_only: bool = True) -> tuple[int, list[tuple[bytes, bytes]]]:
    with RocksDBStorage(path, read_only=read_only) as db:
        store = MvccStore.open(db)
        return store.flush_point(), store.snapshot_items()


def _seeded(path: Path) -> tuple[int, list[tuple[bytes, bytes]]]:
    """A database with three flushes; its (flush point, state)."""
    with RocksDBStorage(path) as db:
        store = MvccStore.open(db)
        for i in range(3):
            txn = store.begin()
            txn.write(b"k%d" % i, b"v%d" % i)
            txn.commit()
            store.flush_to_storage(db)
    return _flushed(path)


@contextmanager
def _read_only(directory: Path) -> Iterator[None]:
    """``directory`` read-only for this process: a read-only bind mount when the tests run as
    root (permissions do not bind root), file modes otherwise."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [directory, *directory.iterdir()]}
        for p in modes:
            p.chmod(0o555 if p.is_dir() else 0o444)
        try:
            yield
        finally:
            for p, mode in modes.items():
                p.chmod(mode)
        return
    bind = subprocess.run(["mount", "--bind", str(directory), str(directory)],
                          capture_output=True, text=True)
    if bind.returncode != 0:
        pytest.skip(f"a read-only bind mount needs mount rights: {bind.stderr.strip()}")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(directory)], check=True)
        yield
    finally:
        subprocess.run(["umount", str(directory)], check=True)


def test_a_read_only_directory(tmp_path: Path) -> None:
    """PERSIST-DB-2: a database on a read-only file system (or in a directory the user may
    not write) is DatabaseUnwritable, opened for writing and -- rocksdict writes its
    configuration file at every open -- read-only too; writable again, it holds exactly its
    last flush: nothing is lost."""
    path = tmp_path / "db"
    before = _seeded(path)
    with _read_only(path):
        assert _child(path) == {"points": [], "error": "DATABASE_UNWRITABLE"}
        with pytest.raises(DatabaseUnwritable):
            _flushed(path)
    assert _flushed(path, read_only=False) == before


def test_a_file_that_cannot_grow(tmp_path: Path) -> None:
    """PERSIST-DB-3: a write past the process's file size limit (EFBIG, what a full disk does
    to one file) is DatabaseFull; the flushes before it are all there after a reopen."""
    path = tmp_path / "db"
    _seeded(path)
    result = _child(path, str(256 * 1024))
    points = result["points"]
    assert result["error"] == "DATABASE_FULL" and isinstance(points, list) and points
    point, state = _flushed(path, read_only=False)
    assert point == points[-1]
    assert len(state) == 3 + len(points)


def test_a_full_disk(tmp_path: Path) -> None:
    """PERSIST-DB-3: a tmpfs of 1 MiB fills up (ENOSPC): DatabaseFull; the database opens
    read-only at its last complete flush, and after the disk is given room it opens for
    writing with nothing lost. Mounting needs root: the test says so rather than pass."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"mounting a tmpfs needs root (CI runs as root): {made.stderr.strip()}")
    try:
        path = mount / "db"
        _seeded(path)
        result = _child(path)
        points = result["points"]
        assert result["error"] == "DATABASE_FULL" and isinstance(points, list) and points
        point, state = _flushed(path)
        assert point == points[-1] and len(state) == 3 + len(points)
        shutil.copytree(path, tmp_path / "roomy")
    finally:
        subprocess.run(["umount", str(mount)], check=True)
    assert _flushed(tmp_path / "roomy", read_only=False) == (point, state)
