"""The binary format written (WebAssembly spec chapter 5), the inverse of the decoder.

`encode_module` turns a `Module` (spec chapter 2, `supervm_ref.wasm.structure`) into the
bytes of a binary module, following spec/wasm.md rules WASM-ENC-*. The encoders of this file
mirror the decoder's files: values (5.2, `reader.py`), types (5.3, `types.py`), instructions
(5.4, `instructions.py`), sections (5.5.2-5.5.15, `sections.py`) and the module (5.5.16,
`module.py`). Where the binary format has a choice (the size of a LEB128 number, how locals
are grouped, which of the eight element-segment encodings to use) the encoder makes the one
choice WASM-ENC-2 to WASM-ENC-5 state, so equal modules always give equal bytes.

A `Module` that no binary can represent (an index above ``2**32 - 1``, an instruction outside
the profile, immediates of the wrong shape, a name that is not Unicode scalar values) raises
`EncodeError`, and no other exception (WASM-ENC-6).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..errors import EncodeError
from ..structure.instructions import INSTRUCTIONS, Instruction
from ..structure.module import (
    Data,
    DataModeActive,
    DataModePassive,
    Elem,
    ElemModeActive,
    ElemModeDeclarative,
    ElemModePassive,
    Export,
    Expr,
    Func,
    Global,
    Import,
    Module,
)
from ..structure.types import FuncType, GlobalType, Limits, MemType, TableType, ValType
from .module import MAGIC, VERSION
from .sections import (
    CODE,
    DATA,
    DATACOUNT,
    ELEMENT,
    EXPORT,
    EXTERN_KINDS,
    FUNCTION,
    GLOBAL,
    IMPORT,
    MEMORY,
    START,
    TABLE,
    TYPE,
)
from .types import FUNCTYPE_CODE, REFTYPE_CODES, VALTYPE_CODES

MASK32 = 0xFFFFFFFF
MASK64 = 0xFFFFFFFFFFFFFFFF

# --- Values (5.2) --------------------------------------------------------------------------------


def uleb(n: int, bits: int = 32) -> bytes:
    """Spec 5.2.2 Integers, WASM-ENC-2: the shortest unsigned LEB128 encoding of ``n``, which
    must fit in ``bits`` bits (``u32`` by default)."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 0 or n >> bits:
        raise EncodeError(f"expected an unsigned {bits}-bit integer, found {n!r}")
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def sleb(n: int, bits: int = 32) -> bytes:
    """Spec 5.2.2 Integers, WASM-ENC-2: the shortest signed LEB128 encoding of ``n``, which
    must lie in ``[-2**(bits-1), 2**(bits-1))``."""
    if (not isinstance(n, int) or isinstance(n, bool)
            or not -(1 << (bits - 1)) <= n < (1 << (bits - 1))):
        raise EncodeError(f"expected a signed {bits}-bit integer, found {n!r}")
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if (n == 0 and not byte & 0x40) or (n == -1 and byte & 0x40):
            out.append(byte)
            return bytes(out)
        out.append(byte | 0x80)


def signed_bits(pattern: int, bits: int) -> int:
    """The signed value of a ``bits``-bit two's complement pattern (spec 5.2.2: ``i32.const``
    and ``i64.const`` immediates are stored as unsigned patterns, written as ``sN``)."""
    if not isinstance(pattern, int) or isinstance(pattern, bool) or pattern < 0 \
            or pattern >> bits:
        raise EncodeError(f"expected a {bits}-bit pattern, found {pattern!r}")
    return pattern - (1 << bits) if pattern >> (bits - 1) else pattern


def float_bits(bits: int, width: int) -> bytes:
    """Spec 5.2.3 Floating-Point: the IEEE 754 bit pattern, little endian, ``width`` bits."""
    if not isinstance(bits, int) or isinstance(bits, bool) or bits < 0 or bits >> width:
        raise EncodeError(f"expected a {width}-bit float pattern, found {bits!r}")
    return bits.to_bytes(width // 8, "little")


def byte_string(data: bytes) -> bytes:
    """Spec 5.2.1/5.1.3: ``vec(byte)``, a length then the bytes."""
    return uleb(len(data)) + bytes(data)


def name(text: str) -> bytes:
    """Spec 5.2.4 Names: the UTF-8 encoding as a ``vec(byte)``. Python strings may hold lone
    surrogates, which are not Unicode scalar values: they raise `EncodeError`."""
    if not isinstance(text, str):
        raise EncodeError(f"expected a name (str), found {text!r}")
    try:
        return byte_string(text.encode("utf-8", errors="strict"))
    except UnicodeEncodeError:
        raise EncodeError(f"name {text!r} is not valid Unicode (lone surrogate)") from None


def vec(items: Iterable[bytes]) -> bytes:
    """Spec 5.1.3 Vectors: the number of elements as ``u32``, then the elements."""
    parts = list(items)
    return uleb(len(parts)) + b"".join(parts)


# --- Types (5.3) ---------------------------------------------------------------------------------

_VALTYPE_BYTES: dict[ValType, bytes] = {t: bytes([c]) for c, t in VALTYPE_CODES.items()}
_REFTYPE_BYTES: dict[ValType, bytes] = {t: bytes([c]) for c, t in REFTYPE_CODES.items()}


def valtype(t: ValType) -> bytes:
    """Spec 5.3.4 Value Types: one type code byte."""
    code = _VALTYPE_BYTES.get(t)
    if code is None:
        raise EncodeError(f"expected a value type of the profile, found {t!r}")
    return code


def reftype(t: ValType) -> bytes:
    """Spec 5.3.3 Reference Types: 0x70 funcref, 0x6F externref."""
    code = _REFTYPE_BYTES.get(t)
    if code is None:
        raise EncodeError(f"expected a reference type, found {t!r}")
    return code


def resulttype(types: Iterable[ValType]) -> bytes:
    """Spec 5.3.5 Result Types: ``vec(valtype)``."""
    return vec(valtype(t) for t in types)


def functype(t: FuncType) -> bytes:
    """Spec 5.3.6 Function Types: 0x60, the parameter types and the result types."""
    return bytes([FUNCTYPE_CODE]) + resulttype(t.params) + resulttype(t.results)


def limits(lim: Limits) -> bytes:
    """Spec 5.3.7 Limits: 0x00 ``min``, or 0x01 ``min`` ``max``."""
    if lim.max is None:
        return b"\x00" + uleb(lim.min)
    return b"\x01" + uleb(lim.min) + uleb(lim.max)


def memtype(t: MemType) -> bytes:
    """Spec 5.3.8 Memory Types: limits."""
    return limits(t.limits)


def tabletype(t: TableType) -> bytes:
    """Spec 5.3.9 Table Types: a reference type then limits."""
    return reftype(t.elem_type) + limits(t.limits)


def globaltype(t: GlobalType) -> bytes:
    """Spec 5.3.10 Global Types: a value type then 0x00 (const) or 0x01 (var)."""
    return valtype(t.val_type) + (b"\x01" if t.mutable else b"\x00")


# --- Instructions (5.4) --------------------------------------------------------------------------

#: (mnemonic, immediate kind) -> (opcode bytes, immediate kind). ``select`` has two opcodes,
#: told apart by the immediate kind: 0x1B without types, 0x1C with a type vector.
_OPCODES: dict[str, list[tuple[bytes, str]]] = {}
for _code, _info in INSTRUCTIONS.items():
    _bytes = bytes([_code]) if _code <= 0xFF else b"\xfc" + uleb(_code & 0xFF)
    _OPCODES.setdefault(_info.op, []).append((_bytes, _info.imm))


def blocktype(bt: ValType | int | None) -> bytes:
    """Spec 5.4.1 Block types: 0x40 for the empty type, a value type, or a type index as a
    non-negative ``s33``."""
    if bt is None:
        return b"\x40"
    if isinstance(bt, ValType):
        return valtype(bt)
    if not isinstance(bt, int) or isinstance(bt, bool) or bt < 0 or bt > MASK32:
        raise EncodeError(f"expected a block type, found {bt!r}")
    return sleb(bt, 33)


def _imm_int(imm: tuple[Any, ...], i: int) -> int:
    value = imm[i]
    if not isinstance(value, int) or isinstance(value, bool):
        raise EncodeError(f"expected an integer immediate, found {value!r}")
    return value


def _immediates(kind: str, imm: tuple[Any, ...]) -> bytes:
    """Spec 5.4.1-5.4.7: the immediates of one instruction, by immediate kind (the table in
    `supervm_ref.wasm.structure.instructions`)."""
    if kind in ("label", "func", "local", "global", "table", "elem", "data"):
        return uleb(_imm_int(imm, 0))
    if kind in ("call_ind", "table_init", "table_copy"):
        return uleb(_imm_int(imm, 0)) + uleb(_imm_int(imm, 1))
    if kind == "memarg":
        return uleb(_imm_int(imm, 0)) + uleb(_imm_int(imm, 1))
    if kind == "i32":
        return sleb(signed_bits(_imm_int(imm, 0), 32), 32)
    if kind == "i64":
        return sleb(signed_bits(_imm_int(imm, 0), 64), 64)
    if kind == "f32":
        return float_bits(_imm_int(imm, 0), 32)
    if kind == "f64":
        return float_bits(_imm_int(imm, 0), 64)
    if kind == "blocktype":
        return blocktype(imm[0])
    if kind == "br_table":
        labels, default = imm
        return vec(uleb(x) for x in labels) + uleb(default)
    if kind == "mem":
        return b"\x00"  # the reserved memory index (5.4.6)
    if kind == "mem_init":
        return uleb(_imm_int(imm, 0)) + b"\x00"
    if kind == "reftype":
        return reftype(imm[0])
    if kind == "select_t":
        return resulttype(imm[0])
    return b""  # "none"


#: Number of immediates of each kind, checked before encoding.
_ARITY = {"none": 0, "mem": 0, "br_table": 2, "call_ind": 2, "table_init": 2,
          "table_copy": 2, "memarg": 2}


def instr(ins: Instruction) -> bytes:
    """Spec 5.4 Instructions, WASM-ENC-3: the opcode (one byte, or 0xFC and the subopcode as
    ``u32``) and the immediates. ``memory.copy`` writes its two reserved zero bytes."""
    if not isinstance(ins, Instruction):
        raise EncodeError(f"expected an Instruction, found {ins!r}")
    op, imm = ins.op, ins.imm
    candidates = _OPCODES.get(op)
    if candidates is None:
        raise EncodeError(f"instruction {op!r} is not in the profile")
    if not isinstance(imm, tuple):
        raise EncodeError(f"{op}: expected a tuple of immediates, found {imm!r}")
    for opcode, kind in candidates:
        if len(imm) == _ARITY.get(kind, 1):
            if op == "memory.copy":
                return opcode + b"\x00\x00"
            try:
                return opcode + _immediates(kind, imm)
            except (TypeError, ValueError):
                raise EncodeError(f"{op}: malformed immediates {imm!r}") from None
    raise EncodeError(f"{op}: wrong number of immediates {imm!r}")


#: The encodings of the instructions without immediates, looked up before `instr` is called
#: (an optimisation: most instructions of a body have none).
_PLAIN: dict[Instruction, bytes] = {
    Instruction(op, ()): opcode + (b"\x00" if kind == "mem" else b"")
    for op, candidates in _OPCODES.items() for opcode, kind in candidates
    if kind in ("none", "mem") and op != "memory.copy"}
_PLAIN[Instruction("memory.copy", ())] = b"\xfc\x0a\x00\x00"


def expr(body: Expr) -> bytes:
    """Spec 5.4.9 Expressions: the flat instruction sequence, which ends with ``end`` (the
    structure keeps the ``end`` that closes the expression; WASM-ENC-3)."""
    if not body or body[-1].op != "end":
        raise EncodeError("an expression must end with 'end'")
    plain = _PLAIN
    return b"".join(plain.get(i) or instr(i) for i in body)


# --- Sections (5.5.2-5.5.15) --------------------------------------------------------------------


def section(section_id: int, contents: bytes) -> bytes:
    """Spec 5.5.2 Sections: the id byte, the size of the contents as ``u32``, the contents."""
    return bytes([section_id]) + uleb(len(contents)) + contents


def _importdesc(imp: Import) -> bytes:
    """Spec 5.5.5: the kind byte, then a type index or an external type."""
    kind, t = imp.desc.kind, imp.desc.type
    if kind == "func" and isinstance(t, int) and not isinstance(t, bool):
        return b"\x00" + uleb(t)
    if kind == "table" and isinstance(t, TableType):
        return b"\x01" + tabletype(t)
    if kind == "memory" and isinstance(t, MemType):
        return b"\x02" + memtype(t)
    if kind == "global" and isinstance(t, GlobalType):
        return b"\x03" + globaltype(t)
    raise EncodeError(f"import {imp.module}.{imp.name}: description {imp.desc!r} does not fit")


def import_(imp: Import) -> bytes:
    """Spec 5.5.5: module name, name, description."""
    return name(imp.module) + name(imp.name) + _importdesc(imp)


def export(exp: Export) -> bytes:
    """Spec 5.5.10: name, kind byte, index."""
    if exp.desc.kind not in EXTERN_KINDS:
        raise EncodeError(f"export {exp.name!r}: unknown kind {exp.desc.kind!r}")
    return name(exp.name) + bytes([EXTERN_KINDS.index(exp.desc.kind)]) + uleb(exp.desc.index)


def global_(g: Global) -> bytes:
    """Spec 5.5.9: global type, then the initializer."""
    return globaltype(g.type) + expr(g.init)


def _funcidx(e: Expr) -> int | None:
    """The function index of an element expression ``ref.func x; end``, else None."""
    if len(e) == 2 and e[0].op == "ref.func" and e[1].op == "end" and len(e[0].imm) == 1:
        x = e[0].imm[0]
        return x if isinstance(x, int) else None
    return None


def elem(seg: Elem) -> bytes:
    """Spec 5.5.12, WASM-ENC-4: one element segment in the shortest of its eight encodings.

    Function indices (flags 0-3) when the type is funcref and every element is
    ``ref.func x``, expressions (flags 4-7) otherwise; an active segment of table 0 omits the
    table index and the type (flags 0 and 4) when its type is funcref.
    """
    indices = [_funcidx(e) for e in seg.init]
    as_indices = seg.type == ValType.FUNCREF and all(x is not None for x in indices)
    if as_indices:
        items = vec(uleb(x) for x in indices if x is not None)
        kind = b"\x00"  # elemkind: funcref
    else:
        items = vec(expr(e) for e in seg.init)
        kind = reftype(seg.type)
    flags = 0 if as_indices else 4
    mode = seg.mode
    if isinstance(mode, ElemModeActive):
        if mode.table == 0 and seg.type == ValType.FUNCREF:
            return uleb(flags) + expr(mode.offset) + items
        return uleb(flags | 2) + uleb(mode.table) + expr(mode.offset) + kind + items
    if isinstance(mode, ElemModePassive):
        return uleb(flags | 1) + kind + items
    if isinstance(mode, ElemModeDeclarative):
        return uleb(flags | 3) + kind + items
    raise EncodeError(f"element segment: unknown mode {mode!r}")


def locals_(types: tuple[ValType, ...]) -> bytes:
    """Spec 5.5.13, WASM-ENC-5: the declared locals as ``vec(locals)``, one entry per run of
    equal consecutive types."""
    groups: list[tuple[int, ValType]] = []
    for t in types:
        if groups and groups[-1][1] == t:
            groups[-1] = (groups[-1][0] + 1, t)
        else:
            groups.append((1, t))
    return vec(uleb(n) + valtype(t) for n, t in groups)


def code(func: Func) -> bytes:
    """Spec 5.5.13: one code entry, the size of the function then its locals and body."""
    body = locals_(func.locals) + expr(func.body)
    return uleb(len(body)) + body


def data(seg: Data) -> bytes:
    """Spec 5.5.14: flags 0 (active, memory 0), 1 (passive) or 2 (active, explicit memory),
    then the bytes."""
    mode = seg.mode
    if isinstance(mode, DataModeActive):
        if mode.memory == 0:
            head = b"\x00" + expr(mode.offset)
        else:
            head = b"\x02" + uleb(mode.memory) + expr(mode.offset)
    elif isinstance(mode, DataModePassive):
        head = b"\x01"
    else:
        raise EncodeError(f"data segment: unknown mode {mode!r}")
    return head + byte_string(seg.init)


# --- Modules (5.5.16) ----------------------------------------------------------------------------


def _vec_section(section_id: int, items: tuple[Any, ...],
                 encode: Callable[[Any], bytes]) -> bytes:
    """A section holding ``vec(items)``, omitted when there are no items (WASM-ENC-1)."""
    if not items:
        return b""
    return section(section_id, vec(encode(item) for item in items))


def _encode_module(m: Module) -> bytes:
    """The body of `encode_module`, which turns stray Python errors into EncodeError."""
    if m.data_count is not None and m.data_count != len(m.datas):
        raise EncodeError(f"data_count is {m.data_count} but the module has "
                          f"{len(m.datas)} data segments")
    parts = [
        MAGIC, VERSION,
        _vec_section(TYPE, m.types, functype),
        _vec_section(IMPORT, m.imports, import_),
        _vec_section(FUNCTION, m.funcs, lambda f: uleb(f.type_idx)),
        _vec_section(TABLE, m.tables, lambda t: tabletype(t.type)),
        _vec_section(MEMORY, m.mems, lambda mem: memtype(mem.type)),
        _vec_section(GLOBAL, m.globals, global_),
        _vec_section(EXPORT, m.exports, export),
        b"" if m.start is None else section(START, uleb(m.start)),
        _vec_section(ELEMENT, m.elems, elem),
        b"" if m.data_count is None else section(DATACOUNT, uleb(m.data_count)),
        _vec_section(CODE, m.funcs, code),
        _vec_section(DATA, m.datas, data),
    ]
    return b"".join(parts)


def encode_module(module: Module) -> bytes:
    """Spec 5.5.16 Modules, WASM-ENC-1: the binary of ``module``.

    The preamble, then the non-custom sections in the order of spec 5.5.16, each only when it
    has contents (a vector section with no items, the start section when ``start`` is None,
    the data count section when ``data_count`` is None are omitted); custom sections are not
    written. Integers use the shortest LEB128 encoding (WASM-ENC-2). Decoding the result gives
    a module equal to ``module`` (WASM-ENC-7). Raises `EncodeError`, and no other exception,
    when ``module`` cannot be represented (WASM-ENC-6).
    """
    if not isinstance(module, Module):
        raise EncodeError(f"expected a Module, found {type(module).__name__}")
    try:
        return _encode_module(module)
    except EncodeError:
        raise
    except (TypeError, ValueError, AttributeError, IndexError, KeyError) as e:
        raise EncodeError(f"the module cannot be encoded: {e}") from None
