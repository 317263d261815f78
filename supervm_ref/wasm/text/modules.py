"""Modules in the text format (WebAssembly spec section 6.6) and their abbreviations.

Parsing is in two passes over the module's fields, as identifier resolution needs every
identifier before any body is read: pass 1 binds the identifiers of every index space
(imports first, as the grammar requires) and reads the type definitions; pass 2 reads each
field in text order, resolving indices, and builds the `Module`.

Rules (spec/wasm-text.md):

- WASM-TEXT-MOD-1: a module is ``(module id? field*)`` or, as an abbreviation, ``field*``. An
  import (plain or inline) after a definition of a function, table, memory or global is
  malformed (``import after function``); so is a second ``start``.
- WASM-TEXT-MOD-2: the index spaces list imports first, then definitions, each in text order;
  exports, element and data segments are in text order, inline ones at the position of the
  field that holds them; types defined by ``type`` fields come first, then the ones type uses
  insert (WASM-TEXT-TYPEUSE-1).
- WASM-TEXT-MOD-3: inline abbreviations: ``(export "n")`` and ``(import "m" "n")`` in a
  function, table, memory or global; ``(table reftype (elem ...))`` (limits n n, an active
  segment at offset 0); ``(memory (data ...))`` (limits of ceil(len/64Ki) pages, n n, an active
  segment at offset 0); segment offsets ``(offset e*)`` or one folded instruction; element
  lists ``func x*``, ``reftype (item e*)*`` / ``reftype (instr)*`` and, after an offset, bare
  ``x*``; ``(table x)``/``(memory x)`` default to 0.
- WASM-TEXT-MOD-4: the data count of the module is the number of data segments when there
  are some and a function uses ``memory.init`` or ``data.drop`` (the binary format's
  requirement, spec 5.5.15), else absent.
"""

from __future__ import annotations

from ..structure.instructions import Instruction
from ..structure.module import (
    Data,
    DataModeActive,
    DataModePassive,
    Elem,
    ElemModeActive,
    ElemModeDeclarative,
    ElemModePassive,
    Export,
    ExportDesc,
    Func,
    Global,
    Import,
    ImportDesc,
    Mem,
    Module,
    Table,
)
from ..structure.types import Limits, MemType, TableType, ValType
from .instructions import END_INSTR, expr, folded, instrs
from .lexer import LPAR
from .parser import Cursor
from .resolve import IdContext
from .types import REFTYPES, functype, globaltype, memtype, reftype, tabletype, typeuse, valtype

#: Field keyword -> its index space ("" for fields without one).
_SPACE = {"type": "type", "func": "func", "table": "table", "memory": "memory",
          "global": "global", "elem": "elem", "data": "data", "import": "", "export": "",
          "start": ""}
_DEFINED = ("func", "table", "memory", "global")
_PAGE = 65536
_DATA_INDEX_OPS = frozenset({"memory.init", "data.drop"})


class _Builder:
    """The parts of the module being built in pass 2."""

    def __init__(self) -> None:
        self.funcs: list[Func] = []
        self.tables: list[Table] = []
        self.mems: list[Mem] = []
        self.globals: list[Global] = []
        self.elems: list[Elem] = []
        self.datas: list[Data] = []
        self.imports: list[Import] = []
        self.exports: list[Export] = []
        self.start: int | None = None


def module(c: Cursor) -> Module:
    """Spec 6.6.13 Modules (WASM-TEXT-MOD-1): ``(module id? field*)`` or ``field*``, up to
    the end of the cursor's range."""
    if c.opened() == "module":
        open_index = c.i
        c.i += 2
        c.id_opt()
        body_start = c.i
        c.i = c.match[open_index]
        stop = c.i
        c.close()
        if c.i < c.n:
            c.unexpected()
        return fields(Cursor(c.tokens, body_start, stop))
    return fields(c)


def fields(c: Cursor) -> Module:
    """The fields from the cursor to the end of its range: both passes (WASM-TEXT-MOD-1,
    WASM-TEXT-MOD-2)."""
    ctx = IdContext()
    starts = _bind(c, ctx)
    b = _Builder()
    for start in starts:
        c.i = start
        _field(c, ctx, b)
    uses_data = any(instr.op in _DATA_INDEX_OPS for f in b.funcs for instr in f.body)
    return Module(types=tuple(ctx.types), funcs=tuple(b.funcs), tables=tuple(b.tables),
                  mems=tuple(b.mems), globals=tuple(b.globals), elems=tuple(b.elems),
                  datas=tuple(b.datas), start=b.start, imports=tuple(b.imports),
                  exports=tuple(b.exports),
                  data_count=len(b.datas) if uses_data and b.datas else None)


def _bind(c: Cursor, ctx: IdContext) -> list[int]:
    """Pass 1: bind identifiers, read type definitions, check where imports are; return the
    token index of every field."""
    starts: list[int] = []
    defined: str | None = None  # the kind of the first definition seen
    while c.i < c.n:
        kw = c.opened()
        if kw is None or kw not in _SPACE:
            if c.kind() == LPAR and kw is not None:
                c.i += 1
                c.fail(f"unknown operator {kw}: expected a module field")
            c.unexpected()
        start = c.i
        starts.append(start)
        c.i += 2
        space = _SPACE[kw]
        is_import = kw == "import"
        if space:
            name = c.id_opt()
            if kw in _DEFINED:
                while c.opened() == "export":
                    c.skip_sexpr()
                is_import = c.opened() == "import"
                if not is_import and defined is None:
                    defined = kw
            if kw == "type":
                ctx.bind(c, "type", name, start)
                ctx.types.append(functype(c))
                c.close()
                continue
            if not is_import:
                ctx.bind(c, space, name, start)
            else:
                _bind_import(c, ctx, kw, name, start, defined)
        elif is_import:
            c.name()
            c.name()
            ikind = c.opened()
            if ikind not in _DEFINED:
                c.unexpected()
            c.i += 2
            _bind_import(c, ctx, ikind, c.id_opt(), start, defined)
        c.i = c.match[start] + 1
    return starts


def _bind_import(c: Cursor, ctx: IdContext, kind: str, name: str | None, start: int,
                 defined: str | None) -> None:
    if defined is not None:
        c.fail(f"import after {'function' if defined == 'func' else defined}", start)
    ctx.bind(c, kind, name, start)


def _exports(c: Cursor, kind: str, index: int, b: _Builder) -> None:
    """Inline ``(export "n")*`` (WASM-TEXT-MOD-3)."""
    while c.opened() == "export":
        c.i += 2
        b.exports.append(Export(c.name(), ExportDesc(kind, index)))
        c.close()


def _inline_import(c: Cursor) -> tuple[str, str] | None:
    if c.opened() != "import":
        return None
    c.i += 2
    m = c.name()
    n = c.name()
    c.close()
    return m, n


def _field(c: Cursor, ctx: IdContext, b: _Builder) -> None:
    """Pass 2: one module field (spec 6.6.2-6.6.12)."""
    start = c.i
    kw = c.opened()
    c.i += 2
    if kw == "type":
        c.i = c.match[start] + 1
        return
    if kw == "func":
        _func(c, ctx, b)
    elif kw == "table":
        _table(c, ctx, b)
    elif kw == "memory":
        _memory(c, ctx, b)
    elif kw == "global":
        _global(c, ctx, b)
    elif kw == "import":
        m, n = c.name(), c.name()
        ikind = c.opened()
        c.i += 2
        c.id_opt()
        b.imports.append(Import(m, n, _import_desc(c, ctx, ikind)))
        c.close()
    elif kw == "export":
        name = c.name()
        ekind = c.opened()
        if ekind not in _DEFINED:
            c.unexpected()
        c.i += 2
        index = ctx.index(c, ekind)
        c.close()
        b.exports.append(Export(name, ExportDesc("memory" if ekind == "memory" else ekind,
                                                 index)))
    elif kw == "start":
        if b.start is not None:
            c.fail("multiple start sections", start)
        b.start = ctx.index(c, "func")
    elif kw == "elem":
        _elem(c, ctx, b)
    elif kw == "data":
        _data(c, ctx, b)
    c.close()


def _import_desc(c: Cursor, ctx: IdContext, kind: str | None) -> ImportDesc:
    """The description of an import (spec 6.6.5)."""
    if kind == "func":
        return ImportDesc("func", typeuse(c, ctx, []))
    if kind == "table":
        return ImportDesc("table", tabletype(c))
    if kind == "memory":
        return ImportDesc("memory", memtype(c))
    return ImportDesc("global", globaltype(c))


def _func(c: Cursor, ctx: IdContext, b: _Builder) -> None:
    """Spec 6.6.4 Functions: ``(func id? export* import? typeuse local* instr*)``."""
    c.id_opt()
    index = len(b.funcs) + sum(1 for i in b.imports if i.desc.kind == "func")
    _exports(c, "func", index, b)
    imported = _inline_import(c)
    if imported is not None:
        b.imports.append(Import(imported[0], imported[1],
                                ImportDesc("func", typeuse(c, ctx, []))))
        return
    names: list[str | None] = []
    type_idx = typeuse(c, ctx, names)
    ctx.locals = {}
    for i, pname in enumerate(names):
        if pname is not None:
            if pname in ctx.locals:
                c.fail(f"duplicate local {pname}")
            ctx.locals[pname] = i
    n = len(names)
    local_types: list[ValType] = []
    while c.opened() == "local":
        c.i += 2
        lid = c.peek_id()
        if lid is not None:
            c.i += 1
            if lid in ctx.locals:
                c.fail(f"duplicate local {lid}", c.i - 1)
            ctx.locals[lid] = n + len(local_types)
            local_types.append(valtype(c))
        else:
            while not c.at_close():
                local_types.append(valtype(c))
        c.close()
    ctx.labels = []
    body = expr(c, ctx)
    ctx.locals = {}
    b.funcs.append(Func(type_idx, tuple(local_types), body))


def _count(b: _Builder, kind: str, defined: int) -> int:
    return defined + sum(1 for i in b.imports if i.desc.kind == kind)


def _table(c: Cursor, ctx: IdContext, b: _Builder) -> None:
    """Spec 6.6.6 Tables, with inline exports, import and elements."""
    c.id_opt()
    index = _count(b, "table", len(b.tables))
    _exports(c, "table", index, b)
    imported = _inline_import(c)
    if imported is not None:
        b.imports.append(Import(imported[0], imported[1], ImportDesc("table", tabletype(c))))
        return
    if c.atom() in REFTYPES:
        rt = reftype(c)
        c.open("elem")
        inits = _elem_items(c, ctx, rt, bare_indices=not _is_expr_list(c))
        c.close()
        n = len(inits)
        b.tables.append(Table(TableType(Limits(n, n), rt)))
        offset = (Instruction("i32.const", (0,)), END_INSTR)
        b.elems.append(Elem(rt, inits, ElemModeActive(index, offset)))
        return
    b.tables.append(Table(tabletype(c)))


def _is_expr_list(c: Cursor) -> bool:
    return c.kind() == LPAR


def _memory(c: Cursor, ctx: IdContext, b: _Builder) -> None:
    """Spec 6.6.7 Memories, with inline exports, import and data."""
    c.id_opt()
    index = _count(b, "memory", len(b.mems))
    _exports(c, "memory", index, b)
    imported = _inline_import(c)
    if imported is not None:
        b.imports.append(Import(imported[0], imported[1], ImportDesc("memory", memtype(c))))
        return
    if c.opened() == "data":
        c.i += 2
        data = bytearray()
        while not c.at_close():
            data += c.string()
        c.close()
        pages = (len(data) + _PAGE - 1) // _PAGE
        b.mems.append(Mem(MemType(Limits(pages, pages))))
        offset = (Instruction("i32.const", (0,)), END_INSTR)
        b.datas.append(Data(bytes(data), DataModeActive(index, offset)))
        return
    b.mems.append(Mem(memtype(c)))


def _global(c: Cursor, ctx: IdContext, b: _Builder) -> None:
    """Spec 6.6.8 Globals, with inline exports and import."""
    c.id_opt()
    index = _count(b, "global", len(b.globals))
    _exports(c, "global", index, b)
    imported = _inline_import(c)
    if imported is not None:
        b.imports.append(Import(imported[0], imported[1], ImportDesc("global", globaltype(c))))
        return
    gt = globaltype(c)
    ctx.labels = []
    b.globals.append(Global(gt, expr(c, ctx)))


def _offset(c: Cursor, ctx: IdContext) -> tuple[Instruction, ...]:
    """``(offset instr*)`` or one folded instruction (WASM-TEXT-MOD-3)."""
    ctx.labels = []
    if c.opened() == "offset":
        c.i += 2
        e = expr(c, ctx)
        c.close()
        return e
    out: list[Instruction] = []
    folded(c, ctx, out)
    out.append(END_INSTR)
    return tuple(out)


def _elem_items(c: Cursor, ctx: IdContext, rt: ValType,
                bare_indices: bool) -> tuple[tuple[Instruction, ...], ...]:
    """Element expressions up to ``)``: function indices, or ``(item e*)`` / ``(instr)``."""
    items: list[tuple[Instruction, ...]] = []
    ctx.labels = []
    if bare_indices:
        while not c.at_close():
            items.append((Instruction("ref.func", (ctx.index(c, "func"),)), END_INSTR))
        return tuple(items)
    while not c.at_close():
        if c.opened() == "item":
            c.i += 2
            items.append(expr(c, ctx))
            c.close()
        else:
            out: list[Instruction] = []
            if c.kind() != LPAR:
                c.unexpected()
            folded(c, ctx, out)
            out.append(END_INSTR)
            items.append(tuple(out))
    return tuple(items)


def _elem_list(c: Cursor, ctx: IdContext,
               after_offset: bool) -> tuple[ValType, tuple[tuple[Instruction, ...], ...]]:
    """An element list: ``func x*``, ``reftype elemexpr*``, or (after an offset with no
    ``(table x)`` use) ``x*``."""
    if c.atom() == "func":
        c.i += 1
        return ValType.FUNCREF, _elem_items(c, ctx, ValType.FUNCREF, True)
    if c.atom() in REFTYPES:
        rt = reftype(c)
        return rt, _elem_items(c, ctx, rt, False)
    if after_offset:
        return ValType.FUNCREF, _elem_items(c, ctx, ValType.FUNCREF, True)
    c.unexpected()


def _elem(c: Cursor, ctx: IdContext, b: _Builder) -> None:
    """Spec 6.6.9 Element segments: passive, declarative or active."""
    c.id_opt()
    if c.atom() == "declare":
        c.i += 1
        rt, items = _elem_list(c, ctx, False)
        b.elems.append(Elem(rt, items, ElemModeDeclarative()))
        return
    table: int | None = None
    table_use = c.opened() == "table"
    if table_use:
        c.i += 2
        table = ctx.index(c, "table")
        c.close()
    elif ctx.is_index(c):  # the table index without (table ...), as older texts write it
        table = ctx.index(c, "table")
    if table is None and c.kind() != LPAR:
        rt, items = _elem_list(c, ctx, False)
        b.elems.append(Elem(rt, items, ElemModePassive()))
        return
    offset = _offset(c, ctx)
    # Spec 6.6.12: bare function indices only in the abbreviation without a table use
    # (``(elem (offset e) x*)``, or the older bare table index); ``(table x)`` needs an
    # element list (WASM-TEXT-MOD-3).
    rt, items = _elem_list(c, ctx, not table_use)
    b.elems.append(Elem(rt, items, ElemModeActive(0 if table is None else table, offset)))


def _data(c: Cursor, ctx: IdContext, b: _Builder) -> None:
    """Spec 6.6.10 Data segments: passive or active."""
    c.id_opt()
    memory: int | None = None
    if c.opened() == "memory":
        c.i += 2
        memory = ctx.index(c, "memory")
        c.close()
    elif ctx.is_index(c):
        memory = ctx.index(c, "memory")
    if memory is None and c.kind() != LPAR:
        data = bytearray()
        while not c.at_close():
            data += c.string()
        b.datas.append(Data(bytes(data), DataModePassive()))
        return
    offset = _offset(c, ctx)
    data = bytearray()
    while not c.at_close():
        data += c.string()
    b.datas.append(Data(bytes(data), DataModeActive(0 if memory is None else memory, offset)))


__all__ = ["fields", "instrs", "module"]
