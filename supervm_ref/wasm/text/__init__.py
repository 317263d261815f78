"""The text format of WebAssembly (spec chapter 6), laid out like the spec: `lexer` (6.2),
`values` (6.3), `types` (6.4), `instructions` (6.5), `modules` (6.6), identifier contexts in
`resolve` (6.6.1), and `script` for ``.wast`` test scripts. Rules: spec/wasm-text.md.

`parse_module` turns WAT text into the engine's `Module`; `wat2wasm` encodes it to the binary
format with the binary encoder.
"""

from __future__ import annotations

from collections.abc import Callable

from ..structure.module import Module
from .errors import TextError

__all__ = ["TextError", "parse_module", "wat2wasm"]


def parse_module(source: str, *, name: str = "<input>") -> Module:
    """Spec 6.6.13: parse a module in the text format (WASM-TEXT-MOD-1).

    ``source`` is ``(module ...)`` or the module's fields alone. Raises `TextError` (a
    malformed-kind `DecodeError` with ``line``, ``column`` and ``reason``, WASM-TEXT-ERR-1) and
    no other exception. The module is not validated."""
    from .lexer import tokenize
    from .modules import module
    from .parser import Cursor

    if not isinstance(source, str):
        raise TextError(f"expected text (str), got {type(source).__name__}", 1, 1, name)
    return guarded(lambda: module(Cursor(tokenize(source, name))), name)


def guarded(parse: Callable[[], Module], name: str) -> Module:
    """Run a parse, turning a Python recursion overflow (folded instructions nested deeper
    than the interpreter's stack) into a TextError (WASM-TEXT-ERR-1)."""
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
