"""A `Storage` on RocksDB (spec/persistence.md, PERSIST-DB-*): `RocksDBStorage`.

The database is a RocksDB directory opened through ``rocksdict`` in raw mode (keys and values
are bytes, never pickled) with three column families (encoding.py): the ``default`` one holds
exactly the user's keys and values, so a `RocksDBStorage` is a plain `Storage` to the Runtime,
and the MVCC layout lives in ``mvcc_meta`` and ``mvcc_history``. A write batch spanning several
column families is atomic in RocksDB, which is what makes a flush all or nothing.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from rocksdict import AccessType, DbClosedError, Options, Rdict, WriteBatch, WriteOptions

from ..runtime.storage import as_bytes, as_limit, as_writes, prefix_end
from .encoding import (
    COLUMN_FAMILIES,
    DEFAULT_CF,
    FORMAT_VERSION,
    FORMAT_VERSION_KEY,
    META_CF,
    decode_u32,
    encode_u32,
)
from .errors import (
    DatabaseClosed,
    DatabaseCorrupt,
    DatabaseFull,
    DatabaseLocked,
    DatabaseMissing,
    DatabaseReadOnly,
    DatabaseUnwritable,
    PersistenceArgumentError,
    PersistenceError,
    StorageFailed,
)

# One write of a multi-column-family batch: (column family, key, value or None to delete).
CfWrite = tuple[str, bytes, bytes | None]


def _options(create: bool) -> Any:
    options = Options(raw_mode=True)
    if create:
        options.create_if_missing(True)
        options.create_missing_column_families(True)
    return options


def classify(operation: str, error: BaseException, path: Path) -> PersistenceError:
    """PERSIST-DB-2/3: the typed error for an exception RocksDB raised on ``operation``.

    RocksDB reports every failure as a status string: ``Corruption: ...`` is corruption; an
    ``IO error`` on the LOCK file ("While lock file", "lock hold by") is a locked database;
    ``Not implemented: ... read only`` is a write on a read-only handle; an OS error (``os
    error N``, permission, read-only file system, not a directory) while creating is an
    unwritable directory; no space left on the device (or a file over the process's size
    limit) is a full database; a missing file of a database whose CURRENT exists, or a missing
    column family of the layout (read-only opens cannot create them), is corruption."""
    if isinstance(error, DbClosedError):
        return DatabaseClosed(f"{operation} on the closed database {str(path)!r}")
    text = str(error)
    if text.startswith("Corruption:"):
        return DatabaseCorrupt(f"{str(path)!r}: {text}")
    if ("While lock file" in text or "lock hold by" in text) and "Permission denied" not in text:
        return DatabaseLocked(f"{str(path)!r} is open elsewhere: {text}")
    if "read only" in text:
        return DatabaseReadOnly(f"{operation} on {str(path)!r}, opened read-only")
    if "No such file or directory" in text and (path / "CURRENT").exists():
        return DatabaseCorrupt(f"{str(path)!r} lacks a file it lists: {text}")
    if "No space left on device" in text or "File too large" in text:
        return DatabaseFull(f"{operation} on {str(path)!r}: {text}")
    if "Column family not found" in text:
        return DatabaseCorrupt(f"{str(path)!r} lacks a column family of PERSIST-DB-4: {text}")
    if "os error" in text or "Permission denied" in text or "Read-only file system" in text:
        return DatabaseUnwritable(f"{str(path)!r} cannot be created or written: {text}")
    return StorageFailed(operation, error)


def as_path(path: object, argument: str = "path") -> Path:
    """PERSIST-DB-1: a path is a ``str`` or an ``os.PathLike``."""
    if isinstance(path, str) and path:
        return Path(path)
    if isinstance(path, os.PathLike):
        fspath = os.fspath(path)
        if isinstance(fspath, str):
            return Path(fspath)
    raise PersistenceArgumentError(argument, "a path (str or os.PathLike)", path)


# The absolute paths of the databases this process holds open (PERSIST-CKPT-3).
_OPEN: dict[Path, int] = {}
_OPEN_LOCK = threading.Lock()


def _forget(key: Path) -> None:
    """PERSIST-CKPT-3: a handle on ``key`` is closed (or was collected without close)."""
    with _OPEN_LOCK:
        _OPEN[key] -= 1
        if _OPEN[key] <= 0:
            del _OPEN[key]


def is_open_here(path: Path) -> bool:
    """PERSIST-CKPT-3: whether this process holds a `RocksDBStorage` open on ``path``."""
    with _OPEN_LOCK:
        return _OPEN.get(path.resolve(), 0) > 0


class RocksDBStorage:
    """PERSIST-DB-1: a RocksDB database at ``path`` (created when missing unless ``read_only``),
    the seed's ``RocksDBStorage::new(path, read_only)``. A `Storage` (RT-STORAGE-1..4) over the
    ``default`` column family; thread-safe; ``close()`` or use it as a context manager.
    ``sync=True`` syncs every write batch to disk before it returns (PERSIST-DB-6)."""

    def __init__(self, path: str | os.PathLike[str], read_only: bool = False, *,
                 sync: bool = False) -> None:
        if not isinstance(read_only, bool):
            raise PersistenceArgumentError("read_only", "a bool", read_only)
        if not isinstance(sync, bool):
            raise PersistenceArgumentError("sync", "a bool", sync)
        self._path = as_path(path)
        self._read_only = read_only
        self._lock = threading.RLock()
        self._db: Any = None
        existed = (self._path / "CURRENT").exists()
        if read_only and not existed:
            raise DatabaseMissing(f"no database at {str(self._path)!r} to open read-only")
        if not read_only and self._path.exists() and not self._path.is_dir():
            raise DatabaseUnwritable(f"{str(self._path)!r} exists and is not a directory")
        families = {name: _options(False) for name in COLUMN_FAMILIES if name != DEFAULT_CF}
        if existed:  # PERSIST-DB-5: a database of another layout is refused unchanged
            try:
                found = set(Rdict.list_cf(str(self._path)))
            except Exception as e:
                raise classify("open", e, self._path) from e
            missing = [name for name in COLUMN_FAMILIES if name not in found]
            if missing:
                raise DatabaseCorrupt(f"{str(self._path)!r}: expected the column families "
                                      f"{list(COLUMN_FAMILIES)} of PERSIST-DB-4, found "
                                      f"{sorted(found)} (not a database of this layout)")
        try:
            if read_only:
                self._db = Rdict(str(self._path), options=_options(False),
                                 column_families=families,
                                 access_type=AccessType.read_only())
            else:
                self._db = Rdict(str(self._path), options=_options(True),
                                 column_families=families)
        except Exception as e:
            raise classify("open", e, self._path) from e
        self._write_options: Any = None
        if sync:  # PERSIST-DB-6: every write batch synced to disk before it returns
            self._write_options = WriteOptions()
            self._write_options.sync = True
        try:
            self._check_format(existed)
        except BaseException:
            self._release()
            raise
        key = self._path.resolve()
        with _OPEN_LOCK:
            _OPEN[key] = _OPEN.get(key, 0) + 1
        self._registered = weakref.finalize(self, _forget, key)

    def _check_format(self, existed: bool) -> None:
        """PERSIST-DB-5: a database this class created carries ``format_version`` in its meta
        column family; one that existed without it (RocksDB recovered it to an earlier state
        after damage to its MANIFEST) or with another version is corrupt -- except a database
        holding no entry at all in any column family, which was never written (its creator
        stopped before writing ``format_version``) and is opened as a new one."""
        found = self._cf_get(META_CF, FORMAT_VERSION_KEY)
        if found is None and (not existed or self._never_written()):
            # new, or created by a process that stopped before its first write
            if not self._read_only:
                self._write_cf([(META_CF, FORMAT_VERSION_KEY, encode_u32(FORMAT_VERSION))])
            return
        if found is None:
            raise DatabaseCorrupt(f"{str(self._path)!r}: expected {FORMAT_VERSION_KEY!r} in "
                                  f"{META_CF}, found none (the database lost its layout)")
        if decode_u32(found) != FORMAT_VERSION:
            raise DatabaseCorrupt(f"{str(self._path)!r}: expected format version "
                                  f"{FORMAT_VERSION}, found {found.hex()}")

    def _never_written(self) -> bool:
        """PERSIST-DB-5: no column family holds any entry."""
        return not any(self._cf_scan(name, b"", 1) for name in COLUMN_FAMILIES)

    # -------------------------------------------------------------------------------------
    # Properties and life cycle

    @property
    def path(self) -> Path:
        """PERSIST-DB-1: the database directory."""
        return self._path

    @property
    def read_only(self) -> bool:
        """PERSIST-DB-1: whether the handle was opened read-only."""
        return self._read_only

    @property
    def sync(self) -> bool:
        """PERSIST-DB-6: whether every write batch is synced to disk before it returns."""
        return self._write_options is not None

    @property
    def closed(self) -> bool:
        """PERSIST-DB-3: whether ``close()`` was called."""
        return self._db is None

    def close(self) -> None:
        """PERSIST-DB-3: release the database (and its LOCK); idempotent."""
        with self._lock:
            if self._db is None:
                return
            self._registered()
            self._release()

    def _release(self) -> None:
        db, self._db = self._db, None
        try:
            db.close()
        except Exception as e:
            raise classify("close", e, self._path) from e

    def __enter__(self) -> RocksDBStorage:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else ("read-only" if self._read_only else "open")
        return f"RocksDBStorage({str(self._path)!r}, {state})"

    # -------------------------------------------------------------------------------------
    # The Storage protocol (default column family)

    def get(self, key: bytes) -> bytes | None:
        """RT-STORAGE-1 ``get`` (PERSIST-DB-1)."""
        return self._cf_get(DEFAULT_CF, as_bytes(key, "key"))

    def set(self, key: bytes, value: bytes) -> None:
        """RT-STORAGE-1 ``set`` (PERSIST-DB-1)."""
        key = as_bytes(key, "key")
        self._write_cf([(DEFAULT_CF, key, as_bytes(value, "value"))])

    def delete(self, key: bytes) -> None:
        """RT-STORAGE-1 ``delete`` (PERSIST-DB-1)."""
        self._write_cf([(DEFAULT_CF, as_bytes(key, "key"), None)])

    def scan(self, prefix: bytes, limit: int) -> list[tuple[bytes, bytes]]:
        """RT-STORAGE-2: entries with ``prefix`` in ascending unsigned byte order, at most
        ``limit`` (PERSIST-DB-1)."""
        prefix = as_bytes(prefix, "prefix")
        if as_limit(limit) <= 0:
            return []
        return self._cf_scan(DEFAULT_CF, prefix, limit)

    def apply_batch(self, writes: Mapping[bytes, bytes | None]) -> None:
        """RT-ATOMIC-3: apply ``writes`` (None = delete) as ONE RocksDB write batch, every key
        and value checked first (RT-STORAGE-3), so nothing is written unless all is."""
        batch = as_writes(writes)
        self._write_cf([(DEFAULT_CF, k, v) for k, v in batch.items()])

    def items(self) -> list[tuple[bytes, bytes]]:
        """PERSIST-DB-1: every entry of the default column family in key order (as
        `MemoryStorage.items`, for fixtures and tests)."""
        return self._cf_scan(DEFAULT_CF, b"", None)

    # -------------------------------------------------------------------------------------
    # Column families (the MVCC layout, PERSIST-DB-4)

    def column_family_items(self, name: str) -> list[tuple[bytes, bytes]]:
        """PERSIST-DB-4: every entry of the column family ``name`` (``default``,
        ``mvcc_meta`` or ``mvcc_history``) in key order, as stored."""
        if name not in COLUMN_FAMILIES:
            raise PersistenceArgumentError("name", f"one of {list(COLUMN_FAMILIES)}", name)
        return self._cf_scan(name, b"", None)

    def _handle(self, name: str) -> Any:
        if self._db is None:
            raise DatabaseClosed(f"use of the closed database {str(self._path)!r}")
        return self._db if name == DEFAULT_CF else self._db.get_column_family(name)

    def _cf_get(self, name: str, key: bytes) -> bytes | None:
        with self._lock:
            try:
                value: bytes | None = self._handle(name).get(key)
            except PersistenceError:
                raise
            except Exception as e:
                raise classify("get", e, self._path) from e
            return value

    def _cf_scan(self, name: str, prefix: bytes, limit: int | None) -> list[tuple[bytes, bytes]]:
        end = prefix_end(prefix)
        out: list[tuple[bytes, bytes]] = []
        with self._lock:
            try:
                it = self._handle(name).iter()
                it.seek(prefix)
                while it.valid() and (limit is None or len(out) < limit):
                    key = it.key()
                    if end is not None and key >= end:
                        break
                    out.append((key, it.value()))
                    it.next()
            except PersistenceError:
                raise
            except Exception as e:
                raise classify("scan", e, self._path) from e
        return out

    def _write_cf(self, writes: Iterable[CfWrite]) -> None:
        """PERSIST-DB-3/4: apply ``writes`` over any column families as one atomic RocksDB
        write batch (checked: bytes only)."""
        with self._lock:
            if self._db is None:
                raise DatabaseClosed(f"write to the closed database {str(self._path)!r}")
            if self._read_only:
                raise DatabaseReadOnly(f"write to {str(self._path)!r}, opened read-only")
            try:
                batch = WriteBatch(raw_mode=True)
                handles: dict[str, Any] = {}
                for name, key, value in writes:
                    handle = handles.get(name)
                    if handle is None:
                        handle = handles[name] = self._db.get_column_family_handle(name)
                    if value is None:
                        batch.delete(key, handle)
                    else:
                        batch.put(key, value, handle)
                if self._write_options is None:
                    self._db.write(batch)
                else:
                    self._db.write(batch, self._write_options)
            except PersistenceError:
                raise
            except Exception as e:
                raise classify("write", e, self._path) from e
