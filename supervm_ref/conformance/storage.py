"""The storage fixtures run on (spec/conformance.md CONF-STORAGE-1).

The call and batch formats build their pre-state through `fixture_storage`, the one factory:
a `MemoryStorage` by default, or a `RocksDBStorage` in a fresh temporary directory
(``supervm consume --storage rocksdb``), so the same fixtures check that the runtime behaves
identically on the persistent storage (spec/persistence.md PERSIST-DB-1). The choice is a
context variable set around a run (`selected_storage`), so the formats' signatures stay the
same and worker processes of ``-j N`` get it with their runner.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from ..errors import InvalidArgumentError
from ..persistence import RocksDBStorage
from ..runtime.storage import MemoryStorage, Storage

#: CONF-STORAGE-1: the storages a fixture can run on; the first is the default.
STORAGES = ("memory", "rocksdb")

_SELECTED: ContextVar[str] = ContextVar("supervm_fixture_storage", default=STORAGES[0])


@contextmanager
def selected_storage(kind: str) -> Iterator[None]:
    """CONF-STORAGE-1: run the fixtures inside on ``kind`` (one of `STORAGES`)."""
    if kind not in STORAGES:
        raise InvalidArgumentError("storage", f"one of {', '.join(STORAGES)}", kind)
    token = _SELECTED.set(kind)
    try:
        yield
    finally:
        _SELECTED.reset(token)


@contextmanager
def fixture_storage(items: Mapping[bytes, bytes]) -> Iterator[MemoryStorage | RocksDBStorage]:
    """CONF-STORAGE-1: a storage holding ``items`` of the selected kind; a RocksDB one lives
    in a temporary directory removed afterwards."""
    if _SELECTED.get() == "memory":
        yield MemoryStorage(items)
        return
    with tempfile.TemporaryDirectory(prefix="supervm-fixture-") as tmp:
        db = RocksDBStorage(Path(tmp) / "db")
        try:
            db.apply_batch(dict(items))
            yield db
        finally:
            db.close()


__all__ = ["STORAGES", "Storage", "fixture_storage", "selected_storage"]
