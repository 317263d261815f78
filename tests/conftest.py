"""Fixtures shared by every test package (each package has its own conftest beside it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .support import external_dir


@pytest.fixture
def suite_dir() -> Path:
    """The official WebAssembly suite's wast2json folder; fails (never skips) when missing."""
    path = external_dir() / "wasm-testsuite" / "json"
    assert path.is_dir(), f"external suite missing at {path} (set SUPERVM_EXTERNAL)"
    return path
