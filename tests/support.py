"""Helpers shared by every test package: the repository, the external suites, and WAT -> wasm
via wasmtime (a test extra)."""

from __future__ import annotations

import os
from pathlib import Path

#: The repository root.
REPO = Path(__file__).resolve().parent.parent


def external_dir() -> Path:
    """``$SUPERVM_EXTERNAL``, defaulting to ``../shared/external`` beside the checkout."""
    return Path(os.environ.get("SUPERVM_EXTERNAL", REPO.parent / "shared" / "external"))


def wat(source: str) -> bytes:
    """Assemble WebAssembly text with wasmtime's assembler."""
    import wasmtime

    return bytes(wasmtime.wat2wasm(source))
