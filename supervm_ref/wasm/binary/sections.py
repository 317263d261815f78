"""Sections of the binary format (WebAssembly spec sections 5.5.2-5.5.14).

Each ``read_*_section`` function decodes the *contents* of one section, the reader being
positioned just after the section's size field; `supervm_ref.wasm.binary.module` checks the
section order and that the contents used exactly the declared size.
"""

from __future__ import annotations

from ..errors import DecodeError
from ..structure.instructions import Instruction
from ..structure.module import (
    CustomSection,
    Data,
    DataMode,
    DataModeActive,
    DataModePassive,
    Elem,
    ElemMode,
    ElemModeActive,
    ElemModeDeclarative,
    ElemModePassive,
    Export,
    ExportDesc,
    Expr,
    Global,
    Import,
    ImportDesc,
    Mem,
    Table,
)
from ..structure.types import FuncType, GlobalType, MemType, TableType, ValType
from .instructions import END, read_expr
from .reader import UNEXPECTED_END, Reader
from .types import (
    read_functype,
    read_globaltype,
    read_memtype,
    read_reftype,
    read_tabletype,
    read_valtype,
)

#: Spec 5.5.2: section ids.
CUSTOM, TYPE, IMPORT, FUNCTION, TABLE, MEMORY, GLOBAL, EXPORT, START, ELEMENT, CODE, DATA, \
    DATACOUNT = range(13)

SECTION_NAMES: dict[int, str] = {
    CUSTOM: "custom", TYPE: "type", IMPORT: "import", FUNCTION: "function", TABLE: "table",
    MEMORY: "memory", GLOBAL: "global", EXPORT: "export", START: "start", ELEMENT: "element",
    CODE: "code", DATA: "data", DATACOUNT: "data count",
}

#: Spec 5.5.16: the order in which non-custom sections must appear (each at most once). The
#: data count section (id 12) sits between the element and code sections.
SECTION_ORDER: dict[int, int] = {
    TYPE: 1, IMPORT: 2, FUNCTION: 3, TABLE: 4, MEMORY: 5, GLOBAL: 6, EXPORT: 7, START: 8,
    ELEMENT: 9, DATACOUNT: 10, CODE: 11, DATA: 12,
}

#: Section ids of proposals outside the profile, for clearer errors.
UNSUPPORTED_SECTIONS: dict[int, str] = {13: "exception handling tag section"}

#: External kinds (spec 5.5.5 / 5.5.10).
EXTERN_KINDS = ("func", "table", "memory", "global")

#: The number of locals one function may declare. The spec allows up to 2**32 - 1 (more is
#: malformed, "too many locals"); we additionally refuse more than this many so that a tiny
#: binary cannot make the decoder allocate billions of entries (an implementation limit as
#: permitted by spec appendix A.2; the same value as other major engines).
MAX_FUNCTION_LOCALS = 50_000

#: The code of one function (spec 5.5.13): its expanded locals and its body.
Code = tuple[tuple[ValType, ...], Expr]


def read_custom_section(r: Reader, end: int) -> CustomSection:
    """Spec 5.5.3 Custom Section: a name followed by uninterpreted bytes up to ``end``."""
    name = r.name()
    if r.pos > end:
        raise DecodeError(UNEXPECTED_END, end)
    data = r.data[r.pos:end]
    r.pos = end
    return CustomSection(name, data)


def read_type_section(r: Reader) -> tuple[FuncType, ...]:
    """Spec 5.5.4 Type Section: ``vec(functype)``."""
    return tuple(read_functype(r) for _ in range(r.length()))


def _read_importdesc(r: Reader) -> ImportDesc:
    """Spec 5.5.5: an import description (kind byte, then a type index or a type)."""
    pos = r.pos
    kind = r.byte()
    desc: int | TableType | MemType | GlobalType
    if kind == 0x00:
        desc = r.u32()
    elif kind == 0x01:
        desc = read_tabletype(r)
    elif kind == 0x02:
        desc = read_memtype(r)
    elif kind == 0x03:
        desc = read_globaltype(r)
    elif kind == 0x04:
        raise DecodeError("malformed import kind 04 (unsupported feature: exception "
                          "handling tags)", pos)
    else:
        raise DecodeError(f"malformed import kind {kind:02x}", pos)
    return ImportDesc(EXTERN_KINDS[kind], desc)


def read_import_section(r: Reader) -> tuple[Import, ...]:
    """Spec 5.5.5 Import Section: ``vec(import)``, each a module name, a name and a
    description."""
    imports = []
    for _ in range(r.length()):
        module = r.name()
        name = r.name()
        imports.append(Import(module, name, _read_importdesc(r)))
    return tuple(imports)


def read_function_section(r: Reader) -> tuple[int, ...]:
    """Spec 5.5.6 Function Section: ``vec(typeidx)``, the type of each function."""
    return tuple(r.u32() for _ in range(r.length()))


def read_table_section(r: Reader) -> tuple[Table, ...]:
    """Spec 5.5.7 Table Section: ``vec(tabletype)``."""
    return tuple(Table(read_tabletype(r)) for _ in range(r.length()))


def read_memory_section(r: Reader) -> tuple[Mem, ...]:
    """Spec 5.5.8 Memory Section: ``vec(memtype)``. Several memories decode fine; the
    profile's limit of one memory is checked by validation."""
    return tuple(Mem(read_memtype(r)) for _ in range(r.length()))


def read_global_section(r: Reader) -> tuple[Global, ...]:
    """Spec 5.5.9 Global Section: ``vec(global)``, each a global type and an initializer."""
    globals_ = []
    for _ in range(r.length()):
        t = read_globaltype(r)
        globals_.append(Global(t, read_expr(r)))
    return tuple(globals_)


def read_export_section(r: Reader) -> tuple[Export, ...]:
    """Spec 5.5.10 Export Section: ``vec(export)``, each a name, a kind byte and an index."""
    exports = []
    for _ in range(r.length()):
        name = r.name()
        pos = r.pos
        kind = r.byte()
        if kind > 0x03:
            raise DecodeError(f"malformed export kind {kind:02x}", pos)
        exports.append(Export(name, ExportDesc(EXTERN_KINDS[kind], r.u32())))
    return tuple(exports)


def read_start_section(r: Reader) -> int:
    """Spec 5.5.11 Start Section: the index of the start function."""
    return r.u32()


def _funcidx_exprs(r: Reader) -> tuple[Expr, ...]:
    """``vec(funcidx)`` of an element segment, each index ``x`` as the expression
    ``ref.func x; end`` (spec 5.5.12)."""
    return tuple((Instruction("ref.func", (r.u32(),)), END) for _ in range(r.length()))


def _exprs(r: Reader) -> tuple[Expr, ...]:
    """``vec(expr)`` of an element segment."""
    return tuple(read_expr(r) for _ in range(r.length()))


def _elemkind(r: Reader) -> ValType:
    """Spec 5.5.12 ``elemkind``: only 0x00 (funcref) exists."""
    pos = r.pos
    if r.byte() != 0x00:
        raise DecodeError("malformed element kind", pos)
    return ValType.FUNCREF


def _read_elem(r: Reader) -> Elem:
    """Spec 5.5.12: one element segment in any of its eight encodings (flags 0-7).

    Bit 0 of the flags: passive or declarative (else active); bit 1: an explicit table index
    (active) or declarative (otherwise passive); bit 2: expressions instead of function
    indices, with a reference type instead of an element kind.
    """
    pos = r.pos
    flags = r.u32()
    if flags > 7:
        raise DecodeError(f"malformed elements segment kind {flags}", pos)
    mode: ElemMode
    if flags & 0x01:
        mode = ElemModeDeclarative() if flags & 0x02 else ElemModePassive()
    else:
        table = r.u32() if flags & 0x02 else 0
        mode = ElemModeActive(table, read_expr(r))
    # Flags 0 and 4 (active, table 0) have an implicit funcref type.
    has_type = flags not in (0, 4)
    if flags & 0x04:
        t = read_reftype(r) if has_type else ValType.FUNCREF
        return Elem(t, _exprs(r), mode)
    t = _elemkind(r) if has_type else ValType.FUNCREF
    return Elem(t, _funcidx_exprs(r), mode)


def read_element_section(r: Reader) -> tuple[Elem, ...]:
    """Spec 5.5.12 Element Section: ``vec(elem)``."""
    return tuple(_read_elem(r) for _ in range(r.length()))


def _read_locals(r: Reader) -> tuple[ValType, ...]:
    """Spec 5.5.13: ``vec(locals)``, each a count and a value type, expanded to one entry per
    local. The total must be below 2**32 ("too many locals"); it is checked before anything
    is expanded, together with `MAX_FUNCTION_LOCALS`."""
    pos = r.pos
    groups = []
    for _ in range(r.length()):
        n = r.u32()
        groups.append((n, read_valtype(r)))
    total = sum(n for n, _ in groups)
    if total > 0xFFFFFFFF:
        raise DecodeError("too many locals", pos)
    if total > MAX_FUNCTION_LOCALS:
        raise DecodeError(f"too many locals (implementation limit {MAX_FUNCTION_LOCALS})", pos)
    if len(groups) == 1:
        n, t = groups[0]
        return (t,) * n
    expanded: list[ValType] = []
    for n, t in groups:
        expanded.extend((t,) * n)
    return tuple(expanded)


def read_code_section(r: Reader, max_instructions: int | None = None,
                      first_funcidx: int = 0) -> tuple[Code, ...]:
    """Spec 5.5.13 Code Section: ``vec(code)``, each a size, the locals and the body. The
    size must match the bytes used ("section size mismatch"). Each body has at most
    ``max_instructions`` instructions (WASM-LIMIT-9); ``first_funcidx`` is the index of the
    first function defined here (after the imported ones), for messages."""
    codes = []
    for i in range(r.length()):
        size = r.length()
        start = r.pos
        locals_ = _read_locals(r)
        body = read_expr(r, max_instructions, f"the body of function {first_funcidx + i}")
        if r.pos != start + size:
            raise DecodeError("section size mismatch", start)
        codes.append((locals_, body))
    return tuple(codes)


def _read_data(r: Reader) -> Data:
    """Spec 5.5.14: one data segment: flags 0 (active, memory 0), 1 (passive) or 2 (active
    with an explicit memory index)."""
    pos = r.pos
    flags = r.u32()
    mode: DataMode
    if flags == 0:
        mode = DataModeActive(0, read_expr(r))
    elif flags == 1:
        mode = DataModePassive()
    elif flags == 2:
        memory = r.u32()
        mode = DataModeActive(memory, read_expr(r))
    else:
        raise DecodeError(f"malformed data segment kind {flags}", pos)
    return Data(r.byte_string(), mode)


def read_data_section(r: Reader) -> tuple[Data, ...]:
    """Spec 5.5.14 Data Section: ``vec(data)``."""
    return tuple(_read_data(r) for _ in range(r.length()))


def read_datacount_section(r: Reader) -> int:
    """Spec 5.5.15 Data Count Section: the number of data segments, a ``u32``."""
    return r.u32()
