"""Modules in the binary format (WebAssembly spec section 5.5.16): the preamble, the sequence
of sections, and the checks that tie sections together.

`decode_module` is the decoder's entry point: it returns a `Module` or raises `DecodeError`
(or `CodeTooLarge`, above the engine's code-size limits), and no other exception, on any
input.
"""

from __future__ import annotations

from ..errors import CodeTooLarge, DecodeError
from ..limits import EngineLimits
from ..structure.module import (
    CustomSection,
    Data,
    Elem,
    Export,
    Func,
    Global,
    Import,
    Mem,
    Module,
    Table,
)
from ..structure.types import FuncType
from . import sections as sec
from .reader import Reader

#: Spec 5.5.16: the magic number ``\0asm`` and the version 1, both four bytes.
MAGIC = b"\x00asm"
VERSION = b"\x01\x00\x00\x00"

#: Instructions that refer to a data segment by index (spec 5.5.15: a module using them
#: needs a data count section).
DATA_INDEX_OPS = frozenset({"memory.init", "data.drop"})


def _read_preamble(r: Reader) -> None:
    """Spec 5.5.16: ``magic version``."""
    data = r.data
    if len(data) < 4:
        raise DecodeError("unexpected end", len(data))
    if data[:4] != MAGIC:
        raise DecodeError("magic header not detected", 0)
    if len(data) < 8:
        raise DecodeError("unexpected end", len(data))
    if data[4:8] != VERSION:
        raise DecodeError("unknown binary version", 4)
    r.pos = 8


def _uses_data_index(bodies: tuple[sec.Code, ...]) -> bool:
    """True if any function body contains ``memory.init`` or ``data.drop``."""
    ops = DATA_INDEX_OPS
    return any(instr.op in ops for _, body in bodies for instr in body)


def decode_module(data: bytes, limits: EngineLimits | None = None) -> Module:
    """Spec 5.5.16 Modules: decode a binary module.

    First the engine's code-size limits (``limits``, default `EngineLimits()`): a binary
    larger than ``max_module_bytes`` is rejected before anything is decoded (WASM-LIMIT-8),
    and a function body stops decoding at ``max_function_instructions`` (WASM-LIMIT-9); both
    raise `CodeTooLarge`.

    Sections appear in the order of `sections.SECTION_ORDER`, each at most once, custom
    sections anywhere; each section's contents must use exactly its declared size. Then the
    function and code sections must have the same length, the data count (if present) must
    equal the number of data segments, and a module whose code uses a data index needs a data
    count section. Raises `DecodeError` when the binary is malformed.

    One deliberate refinement: a module that uses a data index but has *no data segments at
    all* is not rejected here for lacking a data count section. Such a module can never be
    valid (every data index is unknown), so only the class of the error changes: validation
    reports "unknown data segment", which is what the official test suite expects for the
    binaries its converter produces without a data count section (memory_init.wast).
    """
    limits = limits or EngineLimits()
    if len(data) > limits.max_module_bytes:
        raise CodeTooLarge("module", "max_module_bytes", limits.max_module_bytes, len(data),
                           f"found {len(data)} bytes")
    r = Reader(bytes(data))
    _read_preamble(r)

    types: tuple[FuncType, ...] = ()
    imports: tuple[Import, ...] = ()
    func_types: tuple[int, ...] = ()
    tables: tuple[Table, ...] = ()
    mems: tuple[Mem, ...] = ()
    globals_: tuple[Global, ...] = ()
    exports: tuple[Export, ...] = ()
    start: int | None = None
    elems: tuple[Elem, ...] = ()
    data_count: int | None = None
    codes: tuple[sec.Code, ...] = ()
    datas: tuple[Data, ...] = ()
    customs: list[CustomSection] = []

    last_order = 0
    while not r.at_end():
        id_pos = r.pos
        section_id = r.byte()
        if section_id not in sec.SECTION_NAMES:
            feature = sec.UNSUPPORTED_SECTIONS.get(section_id)
            extra = f" (unsupported feature: {feature})" if feature else ""
            raise DecodeError(f"malformed section id {section_id}{extra}", id_pos)
        if section_id != sec.CUSTOM:
            order = sec.SECTION_ORDER[section_id]
            if order <= last_order:
                name = sec.SECTION_NAMES[section_id]
                raise DecodeError("unexpected content after last section "
                                  f"({name} section out of order or repeated)", id_pos)
            last_order = order
        size_pos = r.pos
        size = r.length()
        begin = r.pos
        end = begin + size
        if end > r.end:  # the section runs past the end of the binary (spec 5.5.2)
            raise DecodeError("length out of bounds", size_pos)
        if section_id == sec.CUSTOM:
            customs.append(sec.read_custom_section(r, end))
        elif section_id == sec.TYPE:
            types = sec.read_type_section(r)
        elif section_id == sec.IMPORT:
            imports = sec.read_import_section(r)
        elif section_id == sec.FUNCTION:
            func_types = sec.read_function_section(r)
        elif section_id == sec.TABLE:
            tables = sec.read_table_section(r)
        elif section_id == sec.MEMORY:
            mems = sec.read_memory_section(r)
        elif section_id == sec.GLOBAL:
            globals_ = sec.read_global_section(r)
        elif section_id == sec.EXPORT:
            exports = sec.read_export_section(r)
        elif section_id == sec.START:
            start = sec.read_start_section(r)
        elif section_id == sec.ELEMENT:
            elems = sec.read_element_section(r)
        elif section_id == sec.DATACOUNT:
            data_count = sec.read_datacount_section(r)
        elif section_id == sec.CODE:
            imported = sum(1 for imp in imports if imp.desc.kind == "func")
            codes = sec.read_code_section(r, limits.max_function_instructions, imported)
        else:
            datas = sec.read_data_section(r)
        if r.pos != end:
            raise DecodeError("section size mismatch", begin)

    n = len(r.data)
    if len(func_types) != len(codes):
        raise DecodeError("function and code section have inconsistent lengths", n)
    if data_count is not None and data_count != len(datas):
        raise DecodeError("data count and data section have inconsistent lengths", n)
    if data_count is None and datas and _uses_data_index(codes):
        raise DecodeError("data count section required", n)

    funcs = tuple(Func(type_idx, locals_, body)
                  for type_idx, (locals_, body) in zip(func_types, codes, strict=True))
    return Module(
        types=types,
        funcs=funcs,
        tables=tables,
        mems=mems,
        globals=globals_,
        elems=elems,
        datas=datas,
        start=start,
        imports=imports,
        exports=exports,
        data_count=data_count,
        customs=tuple(customs),
    )

