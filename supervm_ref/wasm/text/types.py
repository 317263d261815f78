"""Types in the text format (WebAssembly spec section 6.4) and type uses (6.6.3).

Rules (spec/wasm-text.md):

- WASM-TEXT-TYPE-1: value types are the keywords ``i32 i64 f32 f64 funcref externref``;
  ``v128`` and the types of other proposals are outside the profile (WASM-PROFILE-1) and are
  rejected as malformed with the feature named, like their binary codes.
- WASM-TEXT-TYPE-2: ``(param t*)``/``(result t*)`` may list several types; ``(param $x t)``
  names one parameter. Limits are ``min max?`` (u32); a global type is ``t`` or ``(mut t)``.
"""

from __future__ import annotations

from ..structure.types import FuncType, GlobalType, Limits, MemType, TableType, ValType
from .parser import Cursor
from .resolve import IdContext

VALTYPES: dict[str, ValType] = {t.value: t for t in ValType}
REFTYPES: dict[str, ValType] = {"funcref": ValType.FUNCREF, "externref": ValType.EXTERNREF}
HEAPTYPES: dict[str, ValType] = {"func": ValType.FUNCREF, "extern": ValType.EXTERNREF}

#: Type keywords of proposals outside the profile, for clear errors.
UNSUPPORTED_TYPES: dict[str, str] = {
    "v128": "SIMD", "anyref": "GC", "eqref": "GC", "i31ref": "GC", "structref": "GC",
    "arrayref": "GC", "exnref": "exception handling", "nullref": "GC",
    "nullfuncref": "GC", "nullexternref": "GC",
}


def _type_error(c: Cursor, what: str) -> None:
    t = c.atom()
    if t is not None and t in UNSUPPORTED_TYPES:
        c.fail(f"unexpected token: {what} {t} (unsupported feature: {UNSUPPORTED_TYPES[t]})")
    if c.opened() == "ref":
        c.fail(f"unexpected token: {what} (ref ...) (unsupported feature: function "
               "references)")
    c.unexpected()


def valtype(c: Cursor) -> ValType:
    """Spec 6.4.3 Value types (WASM-TEXT-TYPE-1)."""
    t = VALTYPES.get(c.atom() or "")
    if t is None:
        _type_error(c, "value type")
        raise AssertionError  # pragma: no cover
    c.i += 1
    return t


def reftype(c: Cursor) -> ValType:
    """Spec 6.4.2 Reference types: ``funcref`` or ``externref`` (WASM-TEXT-TYPE-1)."""
    t = REFTYPES.get(c.atom() or "")
    if t is None:
        _type_error(c, "reference type")
        raise AssertionError  # pragma: no cover
    c.i += 1
    return t


def heaptype(c: Cursor) -> ValType:
    """The heap type of ``ref.null``: ``func`` or ``extern``, as the reference type
    (WASM-TEXT-TYPE-1)."""
    t = HEAPTYPES.get(c.atom() or "")
    if t is None:
        _type_error(c, "heap type")
        raise AssertionError  # pragma: no cover
    c.i += 1
    return t


def params(c: Cursor, names: list[str | None] | None) -> list[ValType]:
    """``(param id? t)`` / ``(param t*)`` groups (WASM-TEXT-TYPE-2). With ``names`` None,
    identifiers are not allowed (type uses of call_indirect and blocks)."""
    out: list[ValType] = []
    while c.opened() == "param":
        c.i += 2
        pid = c.peek_id()
        if pid is not None:
            if names is None:
                c.unexpected()
            c.i += 1
            out.append(valtype(c))
            names.append(pid)
        else:
            while not c.at_close():
                out.append(valtype(c))
                if names is not None:
                    names.append(None)
        c.close()
    return out


def results(c: Cursor) -> list[ValType]:
    """``(result t*)`` groups (WASM-TEXT-TYPE-2)."""
    out: list[ValType] = []
    while c.opened() == "result":
        c.i += 2
        while not c.at_close():
            out.append(valtype(c))
        c.close()
    return out


def functype(c: Cursor) -> FuncType:
    """Spec 6.4.4 Function types: ``(func param* result*)`` (WASM-TEXT-TYPE-2)."""
    c.open("func")
    ps = params(c, [])
    rs = results(c)
    c.close()
    return FuncType(tuple(ps), tuple(rs))


def typeuse(c: Cursor, ctx: IdContext, names: list[str | None] | None) -> int:
    """Spec 6.6.3 Type uses (WASM-TEXT-TYPEUSE-1): the type index, binding parameter
    identifiers in ``names`` (one entry per parameter) when given."""
    start = c.i
    explicit: int | None = None
    if c.opened() == "type":
        c.i += 2
        explicit = ctx.index(c, "type")
        c.close()
    inline_start = c.i
    local_names: list[str | None] = []
    ps = params(c, local_names if names is not None else None)
    rs = results(c)
    if c.opened() in ("param", "type"):
        c.fail(f"unexpected token: ({c.opened()} ...) out of order in a type use")
    inline = c.i != inline_start
    if explicit is None:
        if names is not None:
            names.extend(local_names)
        return ctx.type_index_of(FuncType(tuple(ps), tuple(rs)))
    if explicit < len(ctx.types):
        ft = ctx.types[explicit]
        if inline and (tuple(ps), tuple(rs)) != (ft.params, ft.results):
            c.fail("inline function type does not match its type", start)
        if names is not None:
            names.extend(local_names if inline else [None] * len(ft.params))
    elif inline:
        c.fail("unknown type", start)
    return explicit


def limits(c: Cursor) -> Limits:
    """Spec 6.4.5 Limits: ``min max?`` (WASM-TEXT-TYPE-2)."""
    minimum = c.u32()
    return Limits(minimum, c.u32_opt())


def memtype(c: Cursor) -> MemType:
    """Spec 6.4.6 Memory types: limits; 64-bit and shared memories are outside the profile
    (WASM-TEXT-TYPE-1)."""
    if c.atom() in ("i64", "i32"):
        c.fail("unexpected token: memory index type (unsupported feature: memory64)")
    lim = limits(c)
    if c.atom() == "shared":
        c.fail("unexpected token: shared (unsupported feature: threads)")
    return MemType(lim)


def tabletype(c: Cursor) -> TableType:
    """Spec 6.4.7 Table types: limits then a reference type (WASM-TEXT-TYPE-2)."""
    lim = limits(c)
    return TableType(lim, reftype(c))


def globaltype(c: Cursor) -> GlobalType:
    """Spec 6.4.8 Global types: ``t`` or ``(mut t)`` (WASM-TEXT-TYPE-2)."""
    if c.opened() == "mut":
        c.i += 2
        t = valtype(c)
        c.close()
        return GlobalType(True, t)
    return GlobalType(False, valtype(c))
