"""A contract's code as text or binary (spec/runtime.md, RT-CODE-*).

Code reaches the package in two forms: the binary format (spec chapter 5) and the text format
(chapter 6). `as_module_bytes` is the one place that tells them apart -- by the Python type:
a ``str`` is text, a bytes-like value is binary -- and turns text into the binary the rest of
the package reads (`supervm_ref.wasm.text.wat2wasm`), so a contract given as text and the same
contract given as binary are one contract: same code hash, same gas, same outcome. A file's
content is told apart by its first bytes (`source_of_file`).

The text format lives in `supervm_ref.wasm.text`, imported when text is first met: binary-only
use never loads the text parser.
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

from ..errors import InvalidArgumentError, SuperVMError
from .errors import WasmError

#: RT-CODE-1: the first four bytes of every binary module (the magic ``\0asm``).
BINARY_MAGIC = b"\x00asm"

#: RT-CODE-2: how many texts the conversion keeps (repeated calls of one text parse it once).
TEXT_CACHE_SIZE = 64


class TextUnavailable(WasmError):
    """RT-CODE-2: text was given but this installation has no text-format parser
    (``supervm_ref.wasm.text`` cannot be imported). A malformed-module error."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(f"WebAssembly text cannot be read here: supervm_ref.wasm.text is "
                         f"unavailable ({type(cause).__name__}: {cause})", "malformed")


class TextConversionError(WasmError):
    """RT-CODE-3: an error of the text's conversion that is not a `WasmError`, as a malformed
    module: the same message, ``line`` and ``column`` (None when it has none)."""

    def __init__(self, cause: SuperVMError) -> None:
        super().__init__(str(cause), "malformed")
        line, column = getattr(cause, "line", None), getattr(cause, "column", None)
        self.line = line if isinstance(line, int) else None
        self.column = column if isinstance(column, int) else None


def as_module_bytes(code: object) -> bytes:
    """RT-CODE-1, RT-CODE-2: a module's binary from ``code``.

    ``str`` is the text format, converted by ``supervm_ref.wasm.text.wat2wasm``; its errors
    (``TextError``, a `WasmError` with a line and column) pass through. ``bytes`` is returned
    as it is and a ``bytearray`` or ``memoryview`` is copied: bytes are always the binary
    format -- bytes that do not start with ``\\0asm`` are malformed when decoded, never read as
    text. Anything else is `InvalidArgumentError`.
    """
    if type(code) is bytes:
        return code
    if isinstance(code, bytearray | memoryview):
        return bytes(code)
    if isinstance(code, str):
        return _text_to_binary(code)
    raise InvalidArgumentError("code", "WebAssembly text (str) or binary (bytes)", code)


@functools.lru_cache(maxsize=TEXT_CACHE_SIZE)
def _text_to_binary(text: str) -> bytes:
    """RT-CODE-2: ``wat2wasm(text)``, kept for the last `TEXT_CACHE_SIZE` texts (a pure
    function of the text: keeping it changes nothing but the time, since the parser's
    verdict does not depend on the caller's stack: plain blocks nest without recursion and
    folded nesting has a fixed limit, WASM-TEXT-INSTR-5). A RecursionError (only a call made
    within a few hundred frames of Python's limit) is still malformed, never an escape."""
    try:
        text_format: Any = importlib.import_module(f"{__package__}.text")
    except ImportError as e:
        raise TextUnavailable(e) from e
    try:
        binary = text_format.wat2wasm(text)
    except WasmError:
        raise
    except SuperVMError as e:  # a text error outside the engine's family: carried into it
        raise TextConversionError(e) from e
    except RecursionError:  # RT-ERR-1: no input may make a call raise
        raise WasmError("the text is nested too deeply to be read", "malformed") from None
    if type(binary) is not bytes:  # pragma: no cover - wat2wasm returns bytes
        raise WasmError(f"wat2wasm returned {type(binary).__name__}, not bytes", "malformed")
    return binary


def clear_text_cache() -> None:
    """Forget the texts converted so far (tests that replace the parser call this)."""
    _text_to_binary.cache_clear()


def text_error_message(error: WasmError) -> str:
    """RT-CODE-3: an error of a text's conversion as one line with its ``LINE:COLUMN`` first,
    when the error carries them (``TextError.line`` / ``.column``)."""
    message = " ".join(str(error).split())
    line, column = getattr(error, "line", None), getattr(error, "column", None)
    if isinstance(line, int) and isinstance(column, int):
        where = f"{line}:{column}"
        if not message.startswith(where) and f"{where}:" not in message:
            message = f"{where}: {message}"
    return message


def source_of_file(data: bytes) -> str | bytes:
    """RT-CODE-4: the code of a file's bytes: binary when they start with ``\\0asm``, else
    text when they are UTF-8 (a leading byte-order mark is dropped), else the bytes themselves
    (which then decode as a malformed binary)."""
    if data.startswith(BINARY_MAGIC):
        return data
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return data


__all__ = ["BINARY_MAGIC", "TextConversionError", "TextUnavailable", "as_module_bytes",
           "clear_text_cache", "source_of_file", "text_error_message"]
