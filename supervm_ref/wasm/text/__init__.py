"""The text format of WebAssembly (spec chapter 6), laid out like the spec: `lexer` (6.2),
`values` (6.3), `types` (6.4), `instructions` (6.5), `modules` (6.6), identifier contexts in
`resolve` (6.6.1), and `script` for ``.wast`` test scripts. Rules: spec/wasm-text.md.

`parse_module` turns WAT text into the engine's `Module`; `wat2wasm` encodes it to the binary
format with the binary encoder.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..structure.module import Module
from .errors import TextError

__all__ = ["TextError", "parse_module", "wat2wasm"]

_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_module(source: str, *, name: str = "<input>") -> Module:
    """Spec 6.6.13: parse a module in the text format (WASM-TEXT-MOD-1).

    ``source`` is ``(module ...)`` or the module's fields alone, Unicode text: a lone surrogate
    anywhere is malformed (WASM-TEXT-LEX-4). Raises `TextError` (a
    malformed-kind `DecodeError` with ``line``, ``column`` and ``reason``, WASM-TEXT-ERR-1) and
    no other exception. The module is not validated."""
    from .lexer import tokenize
    from .modules import module
    from .parser import Cursor

    if not isinstance(source, str):
        raise TextError(f"expected text (str), got {type(source).__name__}", 1, 1, name)
    lone = _SURROGATE.search(source)
    if lone is not None:  # WASM-TEXT-LEX-4: a str source is Unicode text (spec 6.2.1)
        from .lexer import _error_at

        raise _error_at(source, name, lone.start(), "malformed UTF-8 encoding: lone surrogate "
                        f"U+{ord(lone.group()):04X} is not a Unicode scalar value")
    return guarded(lambda: module(Cursor(tokenize(source, name))), name)


def guarded(parse: Callable[[], Module], name: str) -> Module:
    """Run a parse, turning a Python recursion overflow into a TextError (WASM-TEXT-ERR-1): a
    last resort only, for a parse started within a few hundred frames of the recursion limit
    (folded nesting is bounded by a counter, plain nesting does not recurse, WASM-TEXT-INSTR-5)."""
    try:
        return parse()
    except RecursionError:
        raise TextError("nesting too deep", 1, 1, name) from None


def wat2wasm(source: str) -> bytes:
    """Parse WAT text and encode it to the binary format (WASM-TEXT-API-1): the same as
    ``encode_module(parse_module(source))``."""
    from ..binary.encode import encode_module  # type: ignore[import-not-found,unused-ignore]

    data: bytes = encode_module(parse_module(source))
    return data
