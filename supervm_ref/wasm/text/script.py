"""Test scripts in the text format (``.wast``; the script grammar of the reference
interpreter, spec ``interpreter/README.md``), turned into the command stream that
``wast2json`` writes, so one runner (`supervm_ref.wasm.script.runner`) serves both.

Rules (spec/wasm-text.md):

- WASM-TEXT-SCRIPT-1: commands are ``module`` (text, ``binary "..."*`` or ``quote "..."*``,
  optionally named), ``register``, ``invoke``, ``get`` and every ``assert_*``; each becomes
  the JSON object wast2json writes (same ``type``, ``name``, ``as``, ``action``,
  ``expected``, ``text`` and ``line``: of the command's keyword, or for an assertion of its
  module or action), except that a module is not a file name but a `ScriptModule` under the
  key ``"module"``; ``assert_trap`` of a module is ``assert_uninstantiable``.
- WASM-TEXT-SCRIPT-2: a module is read when its command runs, not when the script is read: a
  malformed module fails its own command (or passes ``assert_malformed``) and the script goes
  on. Text and quoted modules are parsed (`parse_module`: a TextError is malformed), binary
  ones decoded (a DecodeError is malformed); validation is the runner's.
- WASM-TEXT-SCRIPT-3: values are ``(t.const c)`` with the text format's literals, as bit
  patterns; in results also ``nan:canonical``, ``nan:arithmetic``, ``(ref.null t)``,
  ``(ref.extern n)``, ``(ref.func)``/``(ref.extern)`` (any non-null) and ``(either r*)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..structure.module import Module
from .errors import TextError
from .lexer import LPAR, Tokens, tokenize
from .modules import module as parse_module_tokens
from .parser import Cursor
from .values import F32_FORMAT, F64_FORMAT, parse_float, parse_iN


@dataclass(frozen=True, slots=True)
class ScriptModule:
    """A module of a script, read when needed (WASM-TEXT-SCRIPT-2): ``form`` is "text"
    (tokens ``start``..``stop`` of ``tokens``, the whole ``(module ...)``), "binary" or
    "quote" (``data``: the concatenated strings)."""

    form: str
    line: int = 0
    tokens: Tokens | None = None
    start: int = 0
    stop: int = 0
    data: bytes = b""

    def load(self, decode: Any) -> Module:
        """The module: parsed (text, quote) or decoded with ``decode`` (binary), when its
        command runs (WASM-TEXT-SCRIPT-2). Raises TextError or the decoder's errors."""
        if self.form == "binary":
            module: Module = decode(self.data)
            return module
        from . import guarded

        if self.form == "quote":
            text = self.data.decode("utf-8", "surrogateescape")
            return guarded(lambda: parse_module_tokens(Cursor(tokenize(text, "quote"))),
                           "quote")
        tokens = self.tokens
        if tokens is None:
            raise TextError("a text module without its tokens", self.line, 1)
        return guarded(lambda: parse_module_tokens(Cursor(tokens, self.start, self.stop)),
                       tokens.name)


def read_script(path: Path) -> list[dict[str, Any]]:
    """The commands of the ``.wast`` file at ``path`` (WASM-TEXT-SCRIPT-1). Raises TextError
    when the script itself (outside its modules) is malformed, OSError if unreadable. The
    file is read as UTF-8; bytes that are not are kept (as surrogate escapes) so a string
    can still denote them."""
    source = path.read_bytes().decode("utf-8", "surrogateescape")
    return parse_script(source, path.name)


def parse_script(source: str, name: str = "<script>") -> list[dict[str, Any]]:
    """The commands of a script's text (WASM-TEXT-SCRIPT-1)."""
    tokens = tokenize(source, name)
    c = Cursor(tokens)
    commands: list[dict[str, Any]] = []
    if c.opened() in _FIELDS:  # a script of module fields alone is one module
        return [{"type": "module", "line": 1,
                 "module": ScriptModule("text", 1, tokens, 0, len(tokens.kinds))}]
    while c.i < c.n:
        commands.append(_command(c))
    return commands


def _line(c: Cursor, index: int) -> int:
    return c.tokens.position(c.tokens.offsets[index])[0]


def _command(c: Cursor) -> dict[str, Any]:
    start = c.i
    kw = c.opened()
    if kw is None:
        c.unexpected()
    line = _line(c, start + 1)  # the keyword's line, as wast2json reports it
    cmd: dict[str, Any]
    if kw == "module":
        name, mod = _module(c)
        cmd = {"type": "module", "line": line, "module": mod}
        if name is not None:
            cmd["name"] = name
        return cmd
    if kw in ("invoke", "get"):
        return {"type": "action", "line": line, "action": _action(c), "expected": []}
    c.i += 2
    if kw.startswith("assert_") and c.kind() == LPAR:
        line = _line(c, c.i + 1)  # wast2json reports the line of the module or action
    if kw == "register":
        cmd = {"type": "register", "line": line, "as": c.name()}
        mid = c.id_opt()
        if mid is not None:
            cmd["name"] = mid
    elif kw == "assert_return":
        cmd = {"type": "assert_return", "line": line, "action": _action(c)}
        cmd["expected"] = [_result(c) for _ in iter(lambda: c.at_close(), True)]
    elif kw in ("assert_trap", "assert_exhaustion"):
        if c.opened() == "module":
            _, mod = _module(c)
            cmd = {"type": "assert_uninstantiable", "line": line, "module": mod}
        else:
            cmd = {"type": kw, "line": line, "action": _action(c)}
        cmd["text"] = c.name()
    elif kw in ("assert_malformed", "assert_invalid", "assert_unlinkable"):
        _, mod = _module(c)
        cmd = {"type": kw, "line": line, "module": mod, "text": c.name(),
               "module_type": "text" if mod.form != "binary" else "binary"}
    else:
        c.fail(f"unknown script command {kw}", start)
    c.close()
    return cmd


def _module(c: Cursor) -> tuple[str | None, ScriptModule]:
    """``(module id? ...)``: the name and the ScriptModule."""
    start = c.i
    stop = c.match[start]
    c.open("module")
    name = c.id_opt()
    form = c.atom()
    if form in ("binary", "quote"):
        c.i += 1
        data = bytearray()
        while not c.at_close():
            data += c.string()
        c.close()
        return name, ScriptModule(form, _line(c, start + 1), data=bytes(data))
    c.i = stop + 1
    return name, ScriptModule("text", _line(c, start + 1), c.tokens, start, stop + 1)


def _action(c: Cursor) -> dict[str, Any]:
    kw = c.opened()
    if kw not in ("invoke", "get"):
        c.unexpected()
    c.i += 2
    mid = c.id_opt()
    action: dict[str, Any] = {"type": kw, "field": c.name()}
    if kw == "invoke":
        action["args"] = [_const(c, False) for _ in iter(lambda: c.at_close(), True)]
    if mid is not None:
        action["module"] = mid
    c.close()
    return action


def _result(c: Cursor) -> dict[str, Any]:
    if c.opened() == "either":
        c.i += 2
        values = [_const(c, True) for _ in iter(lambda: c.at_close(), True)]
        c.close()
        return {"type": "either", "values": values}
    return _const(c, True)


_FIELDS = frozenset({"type", "import", "func", "table", "memory", "global", "export", "start",
                     "elem", "data"})
_INT_BITS = {"i32.const": 32, "i64.const": 64}
_FLOAT_FMT = {"f32.const": F32_FORMAT, "f64.const": F64_FORMAT}


def _const(c: Cursor, pattern: bool) -> dict[str, Any]:
    """``(t.const c)`` and the reference forms (WASM-TEXT-SCRIPT-3)."""
    if c.kind() != LPAR:
        c.unexpected()
    kw = c.opened()
    c.i += 2
    out: dict[str, Any]
    try:
        if kw in _INT_BITS:
            v = parse_iN(c.take_atom(), _INT_BITS[kw])
            if v is None:
                c.fail("unexpected token: expected an integer", c.i - 1)
            out = {"type": kw[:3], "value": str(v)}
        elif kw in _FLOAT_FMT:
            t = c.take_atom()
            if pattern and t in ("nan:canonical", "nan:arithmetic"):
                out = {"type": kw[:3], "value": t}
            else:
                f = parse_float(t, _FLOAT_FMT[kw])
                if f is None:
                    c.fail("unexpected token: expected a float", c.i - 1)
                out = {"type": kw[:3], "value": str(f)}
        elif kw == "ref.null":
            heap = c.take_atom()
            if heap not in ("func", "extern"):
                c.fail(f"unexpected token {heap!r}", c.i - 1)
            out = {"type": heap + "ref", "value": "null"}
        elif kw == "ref.extern":
            if pattern and c.at_close():
                out = {"type": "externref"}
            else:
                v = parse_iN(c.take_atom(), 64)
                if v is None:
                    c.fail("unexpected token: expected a host reference number", c.i - 1)
                out = {"type": "externref", "value": str(v)}
        elif kw == "ref.func" and pattern:
            out = {"type": "funcref"}
        else:
            c.fail(f"unexpected token: not a script value ({kw})", c.i - 1)
    except ValueError as e:
        raise c.error(str(e), c.i - 1) from None
    c.close()
    return out


__all__ = ["ScriptModule", "TextError", "parse_script", "read_script"]
