"""Helpers shared by every test package: the repository, the external suites, and WAT -> wasm
via wasmtime (a test extra)."""

from __future__ import annotations

import os
import signal
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


def default_sigint() -> None:
    """For ``subprocess.Popen(preexec_fn=...)``: a child the test will interrupt gets SIGINT's
    default disposition, even when the test run itself ignores SIGINT (as a shell's background
    job does), since Python keeps an ignored SIGINT ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
