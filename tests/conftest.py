"""Shared test helpers: where the external suites are, and WAT -> wasm via wasmtime (a test
extra; the reference itself has no text-format parser)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def external_dir() -> Path:
    """``$SUPERVM_EXTERNAL``, defaulting to ``../shared/external`` beside the checkout."""
    return Path(os.environ.get("SUPERVM_EXTERNAL", REPO.parent / "shared" / "external"))


def wat(source: str) -> bytes:
    """Assemble WebAssembly text with wasmtime's assembler."""
    import wasmtime

    return bytes(wasmtime.wat2wasm(source))


@pytest.fixture
def suite_dir() -> Path:
    """The official WebAssembly suite's wast2json folder; fails (never skips) when missing."""
    path = external_dir() / "wasm-testsuite" / "json"
    assert path.is_dir(), f"external suite missing at {path} (set SUPERVM_EXTERNAL)"
    return path
