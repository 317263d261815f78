"""RocksDBStorage (spec/persistence.md PERSIST-DB-*): the Storage protocol on RocksDB, its
column families and its typed errors."""

from __future__ import annotations

import glob
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supervm_ref import BlockContext, Runtime
from supervm_ref.demos.contracts import EVENTS_WASM
from supervm_ref.errors import SuperVMError
from supervm_ref.persistence import (
    COLUMN_FAMILIES,
    DatabaseClosed,
    DatabaseCorrupt,
    DatabaseLocked,
    DatabaseMissing,
    DatabaseReadOnly,
    DatabaseUnwritable,
    PersistenceArgumentError,
    PersistenceError,
    PersistenceErrorKind,
    RocksDBStorage,
    StorageFailed,
)
from supervm_ref.persistence.rocksdb import classify
from supervm_ref.runtime.errors import StorageInputError
from supervm_ref.runtime.storage import MemoryStorage, Storage, apply_writes

from ..runtime.test_storage import NOT_BYTES


def test_rocksdb_storage_is_a_storage(db: RocksDBStorage) -> None:
    """PERSIST-DB-1: a RocksDBStorage is a Storage (RT-STORAGE-1): get/set/delete/scan in
    unsigned byte order, apply_batch; the path and read_only are kept."""
    assert isinstance(db, Storage) and not db.read_only and db.path.name == "db"
    assert db.get(b"a") is None
    db.set(b"a", b"1")
    db.set(b"a", b"2")
    db.set(b"\xff", b"x")
    db.set(b"a\x00", b"y")
    db.set(b"b", b"")
    assert db.get(b"a") == b"2" and db.get(b"b") == b""
    assert db.scan(b"", 10) == [(b"a", b"2"), (b"a\x00", b"y"), (b"b", b""), (b"\xff", b"x")]
    assert db.scan(b"a", 10) == [(b"a", b"2"), (b"a\x00", b"y")]
    assert db.scan(b"", 2) == [(b"a", b"2"), (b"a\x00", b"y")]
    assert db.scan(b"", 0) == [] and db.scan(b"", -1) == []
    assert db.scan(b"\xff", 5) == [(b"\xff", b"x")]
    db.delete(b"a")
    db.delete(b"missing")
    db.apply_batch({b"c": b"3", b"b": None})
    assert db.items() == [(b"a\x00", b"y"), (b"c", b"3"), (b"\xff", b"x")]
    assert "open" in repr(db)


OPS = st.lists(st.one_of(
    st.tuples(st.just("set"), st.binary(max_size=3), st.binary(max_size=3)),
    st.tuples(st.just("delete"), st.binary(max_size=3), st.none()),
    st.tuples(st.just("batch"), st.dictionaries(st.binary(max_size=3),
                                                st.one_of(st.none(), st.binary(max_size=2)),
                                                max_size=4), st.none()),
    st.tuples(st.just("scan"), st.binary(max_size=2), st.integers(-1, 6)),
), max_size=25)


@settings(max_examples=60, deadline=None)
@given(OPS)
def test_rocksdb_storage_matches_memory_storage(tmp_path_factory: pytest.TempPathFactory,
                                                ops: list[tuple[str, object, object]]) -> None:
    """PERSIST-DB-1: on any sequence of operations a RocksDBStorage answers exactly as a
    MemoryStorage does (RT-STORAGE-1/2, RT-ATOMIC-3)."""
    path = tmp_path_factory.mktemp("db")
    memory = MemoryStorage()
    with RocksDBStorage(path / "db") as db:
        for op, a, b in ops:
            if op == "set":
                db.set(a, b)  # type: ignore[arg-type]
                memory.set(a, b)  # type: ignore[arg-type]
            elif op == "delete":
                db.delete(a)  # type: ignore[arg-type]
                memory.delete(a)  # type: ignore[arg-type]
            elif op == "batch":
                apply_writes(db, a)  # type: ignore[arg-type]
                apply_writes(memory, a)  # type: ignore[arg-type]
            else:
                assert db.scan(a, b) == memory.scan(a, b)  # type: ignore[arg-type]
        assert db.items() == memory.items()
    with RocksDBStorage(path / "db", read_only=True) as again:  # it is on disk
        assert again.items() == memory.items()


@pytest.mark.parametrize("bad", NOT_BYTES)
def test_rocksdb_storage_rejects_what_is_not_bytes(db: RocksDBStorage, bad: object) -> None:
    """PERSIST-DB-1, RT-STORAGE-3: the same input checks as MemoryStorage: StorageInputError,
    nothing read or written."""
    db.set(b"a", b"1")
    actions = [lambda: db.get(bad), lambda: db.set(bad, b"x"), lambda: db.set(b"k", bad),
               lambda: db.delete(bad), lambda: db.scan(bad, 5)]
    if bad is not None:
        actions.append(lambda: db.apply_batch({b"ok": bad}))  # type: ignore[dict-item]
    try:
        hash(bad)
        actions.append(lambda: db.apply_batch({b"ok": b"1", bad: b"x"}))  # type: ignore
    except TypeError:
        pass
    for action in actions:
        with pytest.raises(StorageInputError):
            action()  # type: ignore[no-untyped-call]
    assert db.items() == [(b"a", b"1")]
    for bad_limit in ("1", 1.0, None, True):
        with pytest.raises(StorageInputError):
            db.scan(b"", bad_limit)  # type: ignore[arg-type]


def test_column_families_and_format_version(db: RocksDBStorage) -> None:
    """PERSIST-DB-4/5: three column families; a new database carries its format version in
    mvcc_meta; the default column family holds only the user's keys."""
    db.set(b"k", b"v")
    assert COLUMN_FAMILIES == ("default", "mvcc_meta", "mvcc_history")
    assert db.column_family_items("default") == [(b"k", b"v")]
    assert db.column_family_items("mvcc_meta") == [(b"format_version", b"\x00\x00\x00\x01")]
    assert db.column_family_items("mvcc_history") == []
    with pytest.raises(PersistenceArgumentError):
        db.column_family_items("other")


def test_runtime_runs_on_rocksdb(tmp_path: Path) -> None:
    """PERSIST-DB-1: the Runtime uses a RocksDBStorage like any Storage; its writes persist."""
    with RocksDBStorage(tmp_path / "db") as db:
        runtime = Runtime(db)
        call = runtime.call(EVENTS_WASM, "process_block", context=BlockContext(12345, 1))
        assert call.error is None and call.writes
        stored = db.items()
        assert stored
    with RocksDBStorage(tmp_path / "db", read_only=True) as again:
        assert again.items() == stored


def test_read_only_and_closed_handles(tmp_path: Path) -> None:
    """PERSIST-DB-2/3: read-only on a missing database is DatabaseMissing; writes through a
    read-only handle are DatabaseReadOnly; any call after close() is DatabaseClosed; close is
    idempotent; a context manager closes."""
    path = tmp_path / "db"
    with pytest.raises(DatabaseMissing) as missing:
        RocksDBStorage(path, read_only=True)
    assert missing.value.kind is PersistenceErrorKind.DATABASE_MISSING
    with RocksDBStorage(path) as db:
        db.set(b"a", b"1")
    assert db.closed and "closed" in repr(db)
    db.close()
    for action in (lambda: db.get(b"a"), lambda: db.set(b"a", b"2"), lambda: db.scan(b"", 1),
                   lambda: db.apply_batch({b"a": None}), lambda: db.delete(b"a"),
                   lambda: db.column_family_items("mvcc_meta")):
        with pytest.raises(DatabaseClosed):
            action()  # type: ignore[no-untyped-call]
    with RocksDBStorage(path, read_only=True) as ro:
        assert ro.read_only and "read-only" in repr(ro)
        for action in (lambda: ro.set(b"a", b"2"), lambda: ro.delete(b"a"),
                       lambda: ro.apply_batch({b"b": b"1"})):
            with pytest.raises(DatabaseReadOnly) as info:
                action()  # type: ignore[no-untyped-call]
            assert info.value.kind == "DATABASE_READ_ONLY"
        assert ro.items() == [(b"a", b"1")]
        with RocksDBStorage(path, read_only=True) as second:  # many readers
            assert second.get(b"a") == b"1"


def test_bad_constructor_arguments(tmp_path: Path) -> None:
    """PERSIST-DB-1, PERSIST-ERR-1: a path is a str or PathLike, read_only a bool."""
    for bad in (None, 3, b"db", ""):
        with pytest.raises(PersistenceArgumentError):
            RocksDBStorage(bad)  # type: ignore[arg-type]
    with pytest.raises(PersistenceArgumentError):
        RocksDBStorage(tmp_path / "db", read_only=1)  # type: ignore[arg-type]


def test_sync_writes_and_forgotten_handles(tmp_path: Path) -> None:
    """PERSIST-DB-6: sync=True (a bool) syncs each batch and reads back the same; a handle
    collected without close() releases the database (PERSIST-CKPT-3: no longer open here)."""
    import gc

    from supervm_ref.persistence.rocksdb import is_open_here

    with RocksDBStorage(tmp_path / "db", sync=True) as db:
        assert db.sync
        db.apply_batch({b"a": b"1", b"b": None})
        assert db.items() == [(b"a", b"1")]
    assert not RocksDBStorage(tmp_path / "other").sync
    gc.collect()
    assert not is_open_here(tmp_path / "other")
    with RocksDBStorage(tmp_path / "other") as again:  # the LOCK was released too
        assert again.items() == []
    with pytest.raises(PersistenceArgumentError):
        RocksDBStorage(tmp_path / "x", sync=1)  # type: ignore[arg-type]


def test_locked_by_this_process(tmp_path: Path) -> None:
    """PERSIST-DB-2: a second writable handle in the same process is DatabaseLocked."""
    with RocksDBStorage(tmp_path / "db"), pytest.raises(DatabaseLocked):
        RocksDBStorage(tmp_path / "db")


def test_locked_by_another_process(tmp_path: Path) -> None:
    """PERSIST-DB-2: a database held open by another PROCESS (RocksDB's LOCK file) is
    DatabaseLocked; a read-only handle still opens; after the other process exits it
    opens."""
    path = tmp_path / "db"
    RocksDBStorage(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys\nfrom supervm_ref.persistence import RocksDBStorage\n"
         f"db = RocksDBStorage({str(path)!r})\nprint('ready', flush=True)\nsys.stdin.read()\n"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(DatabaseLocked) as info:
            RocksDBStorage(path)
        assert info.value.kind is PersistenceErrorKind.DATABASE_LOCKED
        with RocksDBStorage(path, read_only=True) as ro:
            assert ro.items() == []
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
    RocksDBStorage(path).close()


def _filled(path: Path) -> None:
    with RocksDBStorage(path) as db:
        db.apply_batch({b"k%04d" % i: b"v" * 50 for i in range(500)})
        db._db.flush()  # a table file on disk


@pytest.mark.parametrize("target,damage", [
    ("CURRENT", "truncate"), ("MANIFEST-*", "garble"), ("MANIFEST-*", "empty"),
    ("MANIFEST-*", "delete"), ("*.sst", "truncate"), ("MANIFEST-*", "truncate"),
])
def test_corrupt_database(tmp_path: Path, target: str, damage: str) -> None:
    """PERSIST-DB-2/5: a damaged CURRENT, MANIFEST or table file is DatabaseCorrupt, for a
    writable and a read-only open alike. RocksDB itself reports "Corruption: ..."; after a
    MANIFEST truncated to half, a read-only open misses the column families, and a writable
    one either replays RocksDB's logs and recovers every write or recovers an earlier state
    without the format version, which PERSIST-DB-5 catches."""
    path = tmp_path / "db"
    _filled(path)
    files = glob.glob(str(path / target))
    assert files
    for name in files:
        data = Path(name).read_bytes()
        if damage == "delete":
            os.remove(name)
        elif damage == "empty":
            Path(name).write_bytes(b"")
        elif damage == "garble":
            Path(name).write_bytes(data[:20] + bytes(b ^ 0x5A for b in data[20:60]) + data[60:])
        else:
            Path(name).write_bytes(data[:len(data) // 2])
    with pytest.raises(DatabaseCorrupt) as info:
        RocksDBStorage(path, read_only=True)
    assert isinstance(info.value, PersistenceError) and isinstance(info.value, SuperVMError)
    if (target, damage) == ("MANIFEST-*", "truncate"):
        # A writable open may replay RocksDB's logs and recover every write: then nothing is
        # lost; it must never open a partial state silently.
        try:
            with RocksDBStorage(path) as db:
                assert len(db.items()) == 500
        except DatabaseCorrupt:
            pass
        return
    with pytest.raises(DatabaseCorrupt):
        RocksDBStorage(path)


def test_unwritable_directory(tmp_path: Path) -> None:
    """PERSIST-DB-2: a database that cannot be created (its path is a file, or lies under
    one; for a user other than root, a directory without write permission) is
    DatabaseUnwritable."""
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    for path in (blocker, blocker / "db"):
        with pytest.raises(DatabaseUnwritable) as info:
            RocksDBStorage(path)
        assert info.value.kind == "DATABASE_UNWRITABLE"
    if os.geteuid() != 0:  # permissions bind only a user other than root
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        try:
            with pytest.raises(DatabaseUnwritable):
                RocksDBStorage(locked / "db")
        finally:
            locked.chmod(0o700)


def test_other_rocksdb_errors_are_storage_failed(tmp_path: Path) -> None:
    """PERSIST-DB-3: a RocksDB failure of no other kind is StorageFailed with its cause."""
    error = classify("write", Exception("IO error: Input/output error"), tmp_path)
    assert isinstance(error, StorageFailed) and error.operation == "write"
    assert error.kind is PersistenceErrorKind.STORAGE_FAILED
    full = classify("write", Exception("IO error: No space left on device"), tmp_path)
    assert full.kind is PersistenceErrorKind.DATABASE_FULL
    # RocksDB's own words for the cases a test cannot provoke as root
    denied = Exception("IO error: While open a file for lock: /x/LOCK: Permission denied")
    assert isinstance(classify("open", denied, tmp_path), DatabaseUnwritable)
    mkdir = Exception("IO error: While mkdir if missing: /x/db: Permission denied")
    assert isinstance(classify("open", mkdir, tmp_path), DatabaseUnwritable)
    rofs = Exception("IO error: While open a file for appending: /x/LOG: Read-only file system")
    assert isinstance(classify("open", rofs, tmp_path), DatabaseUnwritable)
