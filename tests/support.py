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


def text_stand_in() -> object:
    """A stand-in for ``supervm_ref.wasm.text`` (the text parser) backed by wasmtime's
    assembler, for tests of the text-or-binary decision (spec/runtime.md RT-CODE-*) that must
    not depend on our parser: ``wat2wasm(source)`` and a ``TextError`` with ``line`` and
    ``column`` like the parser's. ``calls`` counts the conversions."""
    import re
    import types

    import wasmtime

    from supervm_ref.wasm.errors import WasmError

    module = types.ModuleType("supervm_ref.wasm.text")

    class TextError(WasmError):
        def __init__(self, message: str, line: int, column: int) -> None:
            super().__init__(message, "malformed")
            self.line, self.column = line, column

    def wat2wasm(source: str) -> bytes:
        module.calls += 1  # type: ignore[attr-defined]
        try:
            return bytes(wasmtime.wat2wasm(source))
        except wasmtime.WasmtimeError as e:
            text = str(e)
            where = re.search(r"<anon>:(\d+):(\d+)", text)
            line, column = (int(where[1]), int(where[2])) if where else (1, 1)
            raise TextError(text.splitlines()[0], line, column) from None

    module.TextError = TextError  # type: ignore[attr-defined]
    module.wat2wasm = wat2wasm  # type: ignore[attr-defined]
    module.calls = 0  # type: ignore[attr-defined]
    return module


#: ``python -c STAND_IN_MAIN ARGS``: the command line with `text_stand_in` as the text parser.
STAND_IN_MAIN = ("import sys; from tests.support import text_stand_in; "
                 "sys.modules['supervm_ref.wasm.text'] = text_stand_in(); "
                 "from supervm_ref.cli import main; sys.exit(main(sys.argv[1:]))")

#: Whether the text parser has been merged (spec/wasm-text.md is its chapter): tests marked
#: ``# needs the text parser`` run then, and fail if ``supervm_ref.wasm.text`` is missing.
TEXT_PARSER_MERGED = (REPO / "spec" / "wasm-text.md").exists()
