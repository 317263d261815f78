"""Checkpoints of a database (spec/persistence.md, PERSIST-CKPT-*).

A checkpoint is a RocksDB checkpoint (``rocksdict.Checkpoint``): a directory that opens as a
database, sharing table files with the source by hard links where it can. Every flush and prune
is one atomic write batch, so a checkpoint holds a whole number of flushes -- it is at the flush
point it records. Restoring copies a checkpoint beside the target and renames it into place.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from rocksdict import Checkpoint

from .errors import (
    CheckpointInvalid,
    DatabaseClosed,
    DatabaseInUse,
    DatabaseLocked,
    PersistenceArgumentError,
    PersistenceError,
    StorageFailed,
)
from .layout import check_db, flush_point
from .rocksdb import RocksDBStorage, as_path, classify, is_open_here

CHECKPOINT_PREFIX = "checkpoint-"
_NAME = re.compile(r"checkpoint-(\d{20})")


def checkpoint_path(root: str | os.PathLike[str], point: int) -> Path:
    """PERSIST-CKPT-1: where the checkpoint at flush point ``point`` (an int >= 0) lives under
    ``root``: ``<root>/checkpoint-<point:020d>``."""
    if isinstance(point, bool) or not isinstance(point, int) or not 0 <= point < 10**20:
        raise PersistenceArgumentError("point", "a flush point (an integer >= 0)", point)
    return as_path(root, "root") / f"{CHECKPOINT_PREFIX}{point:020d}"


def create_checkpoint(db: RocksDBStorage, directory: str | os.PathLike[str]) -> Path:
    """PERSIST-CKPT-1/2: a RocksDB checkpoint of ``db`` in ``directory`` (which must not
    exist); it holds a whole number of flushes. Returns the directory."""
    db = check_db(db)
    target = as_path(directory, "directory")
    if target.exists():
        raise CheckpointInvalid(f"{str(target)!r}: expected a new directory, found one that "
                                "exists")
    _refuse_inside(target, db.path)
    with db._lock:
        if db._db is None:
            raise DatabaseClosed(f"checkpoint of the closed database {str(db.path)!r}")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            Checkpoint(db._db).create_checkpoint(str(target))
        except PersistenceError:
            raise
        except Exception as e:
            raise classify("checkpoint", e, target) from e
    return target


def create_checkpoint_at(db: RocksDBStorage, root: str | os.PathLike[str]) -> Path:
    """PERSIST-CKPT-1: a checkpoint of ``db`` named by its flush point under ``root``."""
    db = check_db(db)
    base = as_path(root, "root")
    with db._lock:  # no flush between reading the flush point and taking the checkpoint
        if db._db is None:
            raise DatabaseClosed(f"checkpoint of the closed database {str(db.path)!r}")
        return create_checkpoint(db, checkpoint_path(base, flush_point(db)))


def _inside(path: Path, folder: Path) -> bool:
    inner, outer = path.resolve(), folder.resolve()
    return inner == outer or outer in inner.parents


def _refuse_inside(checkpoint: Path, database: Path) -> None:
    """PERSIST-CKPT-1/3: a checkpoint directory never lives inside the database directory
    (a restore replaces that directory as a whole)."""
    if _inside(checkpoint, database):
        raise CheckpointInvalid(f"{str(checkpoint)!r}: expected a directory outside the "
                                f"database directory {str(database)!r}, found one inside it")


def list_checkpoints(root: str | os.PathLike[str]) -> list[tuple[int, Path]]:
    """PERSIST-CKPT-1: the (flush point, path) of each checkpoint directory under ``root``,
    oldest first; a missing root holds none."""
    base = as_path(root, "root")
    if not base.is_dir():
        return []
    found = []
    for entry in base.iterdir():
        match = _NAME.fullmatch(entry.name)
        if match and entry.is_dir():
            found.append((int(match.group(1)), entry))
    return sorted(found)


def _fsync_tree(root: Path) -> None:
    for folder, _dirs, files in os.walk(root):
        for name in files:
            fd = os.open(os.path.join(folder, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(folder))


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _check_checkpoint(source: Path) -> None:
    if not (source / "CURRENT").is_file():
        raise CheckpointInvalid(f"{str(source)!r}: expected a checkpoint, found no database")
    try:
        RocksDBStorage(source, read_only=True).close()
    except PersistenceError as e:
        raise CheckpointInvalid(f"{str(source)!r} is not a usable checkpoint: {e}") from e


def restore_checkpoint(checkpoint_dir: str | os.PathLike[str],
                       db_path: str | os.PathLike[str]) -> None:
    """PERSIST-CKPT-3: replace the database at ``db_path`` with a copy of the checkpoint: copy
    into a temporary directory beside it, fsync, check it opens, rename the old database
    aside, rename the copy into place, remove the old one. A failure before the copy is in
    place leaves the old database as it was; an open target is `DatabaseInUse`; a target
    that exists and is neither a database nor an empty directory is refused
    (`PersistenceArgumentError`), as is a checkpoint inside the target (`CheckpointInvalid`):
    nothing but a database is ever replaced."""
    source = as_path(checkpoint_dir, "checkpoint_dir")
    target = as_path(db_path, "db_path")
    _refuse_inside(source, target)
    if _inside(target, source):
        raise CheckpointInvalid(f"{str(target)!r}: expected a database path outside the "
                                f"checkpoint {str(source)!r}, found one inside it")
    _check_checkpoint(source)
    if target.exists() and not (target / "CURRENT").is_file() \
            and not (target.is_dir() and not any(target.iterdir())):
        raise PersistenceArgumentError(
            "db_path", "a database directory, an empty directory or a path that does not "
            "exist", f"{str(target)!r}, which exists and holds no database")
    if is_open_here(target):
        raise DatabaseInUse(f"{str(target)!r} is open in this process; close it first")
    if (target / "CURRENT").exists():
        try:
            RocksDBStorage(target).close()
        except DatabaseLocked as e:
            raise DatabaseInUse(f"{str(target)!r} is open in another process: {e}") from e
        except PersistenceError:
            pass  # a damaged database may be replaced
    parent = target.parent
    staging = parent / f".{target.name}.restore-{os.getpid()}"
    aside = parent / f".{target.name}.old-{os.getpid()}"
    try:
        parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(source, staging, ignore=shutil.ignore_patterns("LOCK"))
        _fsync_tree(staging)
        RocksDBStorage(staging, read_only=True).close()
    except BaseException as e:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(e, PersistenceError):
            raise CheckpointInvalid(f"the copy of {str(source)!r} does not open: {e}") from e
        if isinstance(e, Exception):
            raise StorageFailed("restore (copy)", e) from e
        raise
    try:
        had_old = target.exists()
        if had_old:
            os.rename(target, aside)
        try:
            os.rename(staging, target)
        except BaseException:
            if had_old:
                os.rename(aside, target)
            raise
        _fsync_dir(parent)
    except Exception as e:
        shutil.rmtree(staging, ignore_errors=True)
        raise StorageFailed("restore (rename)", e) from e
    shutil.rmtree(aside, ignore_errors=True)
