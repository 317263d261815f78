"""Tests of persistence (spec/persistence.md): RocksDBStorage, the MVCC layout, checkpoints
and auto-flush."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from supervm_ref.persistence import RocksDBStorage


@pytest.fixture
def db(tmp_path: Path) -> Iterator[RocksDBStorage]:
    """A fresh database in the test's temporary directory, closed afterwards."""
    storage = RocksDBStorage(tmp_path / "db")
    yield storage
    storage.close()
