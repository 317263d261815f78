"""Errors of the text format (WebAssembly spec chapter 6; spec/wasm-text.md, WASM-TEXT-ERR-1).

A text that does not match the grammar of chapter 6 is *malformed*, like a binary that does not
match chapter 5: `TextError` is a `DecodeError` (kind ``"malformed"``), so everything that
handles a malformed binary handles malformed text the same way. It carries the 1-based
``line`` and ``column`` of the offending token (first in its message, the form in which the
runtime reports text errors) and the ``name`` of the input.
"""

from __future__ import annotations

from ..errors import DecodeError, WasmError


class TextError(DecodeError):
    """The text is malformed (spec chapter 6; WASM-TEXT-ERR-1): the message is
    ``LINE:COLUMN: reason`` (1-based), ``name`` the input's name.

    ``reason`` is the message alone (the official suite's wording where it has one, e.g.
    ``unknown operator``, ``unexpected token``, ``constant out of range``)."""

    def __init__(self, reason: str, line: int, column: int, name: str = "<input>") -> None:
        WasmError.__init__(self, f"{line}:{column}: {reason}", "malformed")
        self.reason = reason
        self.offset = None
        self.line = line
        self.column = column
        self.name = name
