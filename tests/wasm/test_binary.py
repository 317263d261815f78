"""Tests of the binary format decoder (WebAssembly spec chapter 5): LEB128 edge cases, every
section kind on hand-assembled modules, out-of-profile features, the official suite, and
property tests that mutated binaries only ever raise DecodeError."""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supervm_ref.wasm.binary.module import decode_module
from supervm_ref.wasm.binary.reader import Reader
from supervm_ref.wasm.binary.sections import MAX_FUNCTION_LOCALS
from supervm_ref.wasm.errors import DecodeError
from supervm_ref.wasm.limits import EngineLimits
from supervm_ref.wasm.structure.instructions import Instruction
from supervm_ref.wasm.structure.module import (
    DataModeActive,
    DataModePassive,
    ElemModeActive,
    ElemModeDeclarative,
    ElemModePassive,
    Module,
)
from supervm_ref.wasm.structure.types import (
    FuncType,
    GlobalType,
    Limits,
    MemType,
    TableType,
    ValType,
)

from ..support import external_dir

I32, I64, F32, F64 = ValType.I32, ValType.I64, ValType.F32, ValType.F64
FUNCREF, EXTERNREF = ValType.FUNCREF, ValType.EXTERNREF
END = Instruction("end")

# --- A tiny assembler for test binaries ------------------------------------------------------

HEADER = b"\x00asm\x01\x00\x00\x00"


def uleb(n: int, pad_to: int = 0) -> bytes:
    """Unsigned LEB128 of ``n``, padded with redundant continuation bytes to ``pad_to``."""
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n == 0 and len(out) + 1 >= pad_to:
            out.append(b)
            return bytes(out)
        out.append(b | 0x80)


def sleb(n: int, pad_to: int = 0) -> bytes:
    """Signed LEB128 of ``n``, padded with redundant sign bytes to ``pad_to``."""
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        done = (n == 0 and not b & 0x40) or (n == -1 and b & 0x40)
        if done and len(out) + 1 >= pad_to:
            out.append(b)
            return bytes(out)
        out.append(b | 0x80)


def vec(items: list[bytes]) -> bytes:
    return uleb(len(items)) + b"".join(items)


def name(s: str) -> bytes:
    raw = s.encode()
    return uleb(len(raw)) + raw


def section(section_id: int, content: bytes) -> bytes:
    return bytes([section_id]) + uleb(len(content)) + content


def module(*sections: bytes) -> bytes:
    return HEADER + b"".join(sections)


def functype(params: bytes = b"", results: bytes = b"") -> bytes:
    return b"\x60" + uleb(len(params)) + params + uleb(len(results)) + results


def code(body: bytes, locals_: list[tuple[int, int]] | None = None) -> bytes:
    """One code-section entry: locals groups (count, type byte) and the body bytes (which
    must include the final ``end``)."""
    loc = vec([uleb(n) + bytes([t]) for n, t in (locals_ or [])])
    content = loc + body
    return uleb(len(content)) + content


def func_module(body: bytes, locals_: list[tuple[int, int]] | None = None,
                extra_before_code: bytes = b"", params: bytes = b"",
                results: bytes = b"") -> bytes:
    """A module with one function of type [params] -> [results] whose body is ``body``."""
    return module(
        section(1, vec([functype(params, results)])),
        section(3, vec([uleb(0)])),
        extra_before_code,
        section(10, vec([code(body, locals_)])),
    )


def body_of(data: bytes) -> tuple[Instruction, ...]:
    return decode_module(data).funcs[0].body


def malformed(data: bytes) -> str:
    """Decode ``data`` expecting a DecodeError; return its reason."""
    with pytest.raises(DecodeError) as info:
        decode_module(data)
    return info.value.reason


# --- LEB128 (spec 5.2.2) --------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "value"), [
    (b"\x00", 0), (b"\x7f", 127), (b"\x80\x01", 128), (b"\xe5\x8e\x26", 624485),
    (b"\xff\xff\xff\xff\x0f", 0xFFFFFFFF), (b"\x80\x00", 0),
    (b"\x80\x80\x80\x80\x00", 0), (b"\x82\x80\x80\x80\x00", 2),
])
def test_u32_valid(raw: bytes, value: int) -> None:
    r = Reader(raw)
    assert r.u32() == value
    assert r.at_end()


@pytest.mark.parametrize(("raw", "reason"), [
    (b"\x80\x80\x80\x80\x80\x00", "integer representation too long"),
    (b"\xff\xff\xff\xff\x8f\x00", "integer representation too long"),
    (b"\xff\xff\xff\xff\x1f", "integer too large"),
    (b"\x80\x80\x80\x80\x10", "integer too large"),
    (b"\x82\x80\x80\x80\x70", "integer too large"),
    (b"\x80", "unexpected end"),
    (b"", "unexpected end"),
])
def test_u32_malformed(raw: bytes, reason: str) -> None:
    with pytest.raises(DecodeError) as info:
        Reader(raw).u32()
    assert info.value.reason.startswith(reason)


@pytest.mark.parametrize(("raw", "value"), [
    (b"\x00", 0), (b"\x7f", -1), (b"\x3f", 63), (b"\x40", -64), (b"\xc0\x00", 64),
    (b"\xff\xff\xff\xff\x07", 2**31 - 1), (b"\x80\x80\x80\x80\x78", -(2**31)),
    (b"\xff\xff\xff\xff\x7f", -1), (b"\xff\x7f", -1), (b"\x80\x80\x80\x80\x00", 0),
])
def test_s32_valid(raw: bytes, value: int) -> None:
    r = Reader(raw)
    assert r.s32() == value
    assert r.at_end()


@pytest.mark.parametrize(("raw", "reason"), [
    (b"\xff\xff\xff\xff\x0f", "integer too large"),   # 2**32 - 1 does not fit s32
    (b"\x80\x80\x80\x80\x70", "integer too large"),
    (b"\xff\xff\xff\xff\x4f", "integer too large"),
    (b"\x80\x80\x80\x80\x08", "integer too large"),   # 2**31
    (b"\xff\xff\xff\xff\xff\x7f", "integer representation too long"),
    (b"\x80\x80\x80\x80\x80\x00", "integer representation too long"),
])
def test_s32_malformed(raw: bytes, reason: str) -> None:
    with pytest.raises(DecodeError) as info:
        Reader(raw).s32()
    assert info.value.reason.startswith(reason)


def test_s64_limits() -> None:
    assert Reader(sleb(2**63 - 1)).s64() == 2**63 - 1
    assert Reader(sleb(-(2**63))).s64() == -(2**63)
    assert Reader(b"\xff" * 9 + b"\x7f").s64() == -1
    assert Reader(b"\x80" * 9 + b"\x00").s64() == 0
    for raw in (b"\x80" * 9 + b"\x7e", b"\xff" * 9 + b"\x01", b"\x80" * 9 + b"\x02",
                b"\xff" * 9 + b"\x41"):
        with pytest.raises(DecodeError, match="integer too large"):
            Reader(raw).s64()
    with pytest.raises(DecodeError, match="integer representation too long"):
        Reader(b"\x80" * 10 + b"\x00").s64()


def test_s33_range() -> None:
    assert Reader(sleb(2**32 - 1)).s33() == 2**32 - 1
    assert Reader(sleb(-(2**32))).s33() == -(2**32)
    with pytest.raises(DecodeError, match="integer too large"):
        Reader(uleb(2**32)).s33()


def test_one_bit_leb() -> None:
    assert Reader(b"\x01").uleb(1) == 1
    with pytest.raises(DecodeError, match="integer too large"):
        Reader(b"\x02").uleb(1)
    with pytest.raises(DecodeError, match="integer representation too long"):
        Reader(b"\x81\x00").uleb(1)


@given(st.integers(0, 2**32 - 1), st.integers(0, 5))
def test_u32_roundtrip(n: int, pad: int) -> None:
    r = Reader(uleb(n, pad))
    assert r.u32() == n
    assert r.at_end()


@given(st.integers(-(2**63), 2**63 - 1), st.integers(0, 10))
def test_s64_roundtrip(n: int, pad: int) -> None:
    r = Reader(sleb(n, pad))
    assert r.s64() == n
    assert r.at_end()


@given(st.integers(-(2**31), 2**31 - 1), st.integers(0, 5))
def test_s32_roundtrip(n: int, pad: int) -> None:
    r = Reader(sleb(n, pad))
    assert r.s32() == n
    assert r.at_end()


def test_length_out_of_bounds() -> None:
    # A vector count larger than the rest of the binary.
    assert malformed(module(section(1, uleb(1000)))).startswith("length out of bounds")
    # A section size larger than the rest of the binary.
    assert malformed(HEADER + b"\x01\x07\x02\x60\x00\x00") == "length out of bounds"


# --- Preamble and sections (spec 5.5) --------------------------------------------------------

def test_empty_module() -> None:
    assert decode_module(HEADER) == Module()


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "unexpected end"), (b"\x00as", "unexpected end"), (b"\x00asm\x01", "unexpected end"),
    (b"asm\x00\x01\x00\x00\x00", "magic header not detected"),
    (b"\x00ASM\x01\x00\x00\x00", "magic header not detected"),
    (b"\x00asm\x02\x00\x00\x00", "unknown binary version"),
    (b"\x00asm\x0d\x00\x01\x00", "unknown binary version"),
])
def test_preamble(data: bytes, reason: str) -> None:
    assert malformed(data) == reason


def test_type_section() -> None:
    m = decode_module(module(section(1, vec([
        functype(), functype(b"\x7f\x7e", b"\x7d"), functype(b"\x70\x6f", b"\x7c\x7f")]))))
    assert m.types == (FuncType((), ()), FuncType((I32, I64), (F32,)),
                       FuncType((FUNCREF, EXTERNREF), (F64, I32)))
    assert malformed(module(section(1, vec([b"\x61\x00\x00"])))).startswith(
        "malformed function type")
    assert malformed(module(section(1, vec([b"\xe0\x7f\x00\x00"])))) == \
        "integer representation too long"
    assert malformed(module(section(1, vec([functype(b"\x40")])))).startswith(
        "malformed value type")


def test_import_section() -> None:
    m = decode_module(module(
        section(1, vec([functype()])),
        section(2, vec([
            name("env") + name("f") + b"\x00" + uleb(0),
            name("env") + name("t") + b"\x01\x70\x01" + uleb(1) + uleb(10),
            name("env") + name("m") + b"\x02\x00" + uleb(2),
            name("env") + name("g") + b"\x03\x7e\x01",
            name("") + name("\u00e9\U0001f600") + b"\x03\x6f\x00",
        ])),
    ))
    descs = [(i.module, i.name, i.desc.kind, i.desc.type) for i in m.imports]
    assert descs == [
        ("env", "f", "func", 0),
        ("env", "t", "table", TableType(Limits(1, 10), FUNCREF)),
        ("env", "m", "memory", MemType(Limits(2, None))),
        ("env", "g", "global", GlobalType(True, I64)),
        ("", "\u00e9\U0001f600", "global", GlobalType(False, EXTERNREF)),
    ]
    for kind in (b"\x04", b"\x05", b"\x80"):
        assert malformed(module(section(2, vec([name("a") + name("b") + kind + b"\x00"])))) \
            .startswith("malformed import kind")
    assert malformed(module(section(2, vec([name("a") + name("b") + b"\x03\x7f\x02"])))) == \
        "malformed mutability"


@pytest.mark.parametrize("raw", [
    b"\x80", b"\xc0\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe0\x80\x80", b"\xff",
    b"\xc3",
])
def test_names_must_be_utf8(raw: bytes) -> None:
    bad = uleb(len(raw)) + raw
    assert malformed(module(section(2, vec([bad + name("b") + b"\x00\x00"])))) == \
        "malformed UTF-8 encoding"
    assert malformed(module(section(0, bad))) == "malformed UTF-8 encoding"


def test_function_and_code_sections() -> None:
    body = b"\x20\x00\x20\x02\x6a\x0b"  # local.get 0; local.get 2; i32.add; end
    m = decode_module(func_module(body, [(2, 0x7F), (1, 0x7E), (0, 0x7D), (1, 0x70)],
                                  params=b"\x7f", results=b"\x7f"))
    f = m.funcs[0]
    assert f.type_idx == 0
    assert f.locals == (I32, I32, I64, FUNCREF)
    assert f.body == (Instruction("local.get", (0,)), Instruction("local.get", (2,)),
                      Instruction("i32.add"), END)
    # Counts must agree.
    assert malformed(module(section(1, vec([functype()])), section(3, vec([uleb(0)] * 2)),
                            section(10, vec([code(b"\x0b")])))) == \
        "function and code section have inconsistent lengths"
    assert malformed(module(section(10, vec([code(b"\x0b")])))) == \
        "function and code section have inconsistent lengths"
    # A body whose size does not match its contents.
    entry = uleb(3) + b"\x00\x0b"  # claims 3 bytes, uses 2
    assert malformed(module(section(1, vec([functype()])), section(3, vec([uleb(0)])),
                            section(10, vec([entry]) + b"\x01"))) == "section size mismatch"


def test_too_many_locals() -> None:
    """WASM-LIMIT-7: more than 2**32-1 locals is malformed; above 50,000 is the engine limit."""
    assert malformed(func_module(b"\x0b", [(0xFFFFFFFF, 0x7F), (2, 0x7E)])) == \
        "too many locals"
    assert malformed(func_module(b"\x0b", [(2**30, 0x7F)] * 4)) == "too many locals"
    # Above the implementation limit, but below 2**32: still refused, without allocating.
    assert malformed(func_module(b"\x0b", [(0xFFFFFFFF, 0x7F)])).startswith("too many locals")
    assert len(decode_module(func_module(b"\x0b", [(MAX_FUNCTION_LOCALS, 0x7C)]))
               .funcs[0].locals) == MAX_FUNCTION_LOCALS
    assert malformed(func_module(b"\x0b", [(MAX_FUNCTION_LOCALS + 1, 0x7C)])) \
        .startswith("too many locals")


def test_table_and_memory_sections() -> None:
    m = decode_module(module(
        section(4, vec([b"\x70\x00" + uleb(0), b"\x6f\x01" + uleb(1) + uleb(0xFFFFFFFF)])),
        section(5, vec([b"\x00" + uleb(1), b"\x01" + uleb(0) + uleb(65536)])),
    ))
    assert [t.type for t in m.tables] == [TableType(Limits(0), FUNCREF),
                                          TableType(Limits(1, 0xFFFFFFFF), EXTERNREF)]
    # Two memories are a validation matter in the profile, not a decoding one.
    assert [x.type for x in m.mems] == [MemType(Limits(1)), MemType(Limits(0, 65536))]
    assert malformed(module(section(4, vec([b"\x7f\x00\x00"])))) == \
        "malformed reference type 7f"
    assert malformed(module(section(5, vec([b"\x81\x00\x00"])))) == \
        "integer representation too long"
    assert malformed(module(section(5, vec([b"\x00" + b"\x80" * 4 + b"\x10"])))) == \
        "integer too large"


def test_global_section() -> None:
    m = decode_module(module(section(6, vec([
        b"\x7f\x00\x41\x7f\x0b",                      # i32 const = -1
        b"\x7e\x01\x42" + sleb(-(2**63)) + b"\x0b",   # i64 var
        b"\x70\x00\xd0\x70\x0b",                      # funcref = ref.null func
        b"\x6f\x00\xd0\x6f\x0b",
    ]))))
    assert [g.type for g in m.globals] == [GlobalType(False, I32), GlobalType(True, I64),
                                           GlobalType(False, FUNCREF),
                                           GlobalType(False, EXTERNREF)]
    assert m.globals[0].init == (Instruction("i32.const", (0xFFFFFFFF,)), END)
    assert m.globals[1].init == (Instruction("i64.const", (2**63,)), END)
    assert m.globals[2].init == (Instruction("ref.null", (FUNCREF,)), END)
    assert m.globals[3].init == (Instruction("ref.null", (EXTERNREF,)), END)
    assert malformed(module(section(6, vec([b"\x7f\xff\x41\x00\x0b"])))) == \
        "malformed mutability"
    # Missing end of a constant expression at the end of the binary.
    assert malformed(module(section(6, vec([b"\x7f\x00\x41\x00"])))).startswith(
        "unexpected end")


def test_export_and_start_sections() -> None:
    m = decode_module(module(
        section(1, vec([functype()])), section(3, vec([uleb(0)])),
        section(7, vec([name("f") + b"\x00" + uleb(0), name("t") + b"\x01" + uleb(3),
                        name("m") + b"\x02" + uleb(1), name("g") + b"\x03" + uleb(300)])),
        section(8, uleb(0)),
        section(10, vec([code(b"\x0b")])),
    ))
    assert [(e.name, e.desc.kind, e.desc.index) for e in m.exports] == [
        ("f", "func", 0), ("t", "table", 3), ("m", "memory", 1), ("g", "global", 300)]
    assert m.start == 0
    assert malformed(module(section(7, vec([name("x") + b"\x04\x00"])))).startswith(
        "malformed export kind")


def _ref_funcs(*indices: int) -> tuple[tuple[Instruction, ...], ...]:
    return tuple((Instruction("ref.func", (x,)), END) for x in indices)


OFFSET = b"\x41\x05\x0b"  # i32.const 5; end
OFFSET_EXPR = (Instruction("i32.const", (5,)), END)


def test_element_section_all_eight_encodings() -> None:
    funcs = vec([uleb(0), uleb(1)])
    exprs = vec([b"\xd2\x01\x0b", b"\xd0\x70\x0b"])
    m = decode_module(module(section(9, vec([
        uleb(0) + OFFSET + funcs,
        uleb(1) + b"\x00" + funcs,
        uleb(2) + uleb(3) + OFFSET + b"\x00" + funcs,
        uleb(3) + b"\x00" + funcs,
        uleb(4) + OFFSET + exprs,
        uleb(5) + b"\x6f" + vec([b"\xd0\x6f\x0b"]),
        uleb(6) + uleb(2) + OFFSET + b"\x70" + exprs,
        uleb(7) + b"\x70" + exprs,
    ]))))
    e = m.elems
    assert [x.type for x in e] == [FUNCREF] * 5 + [EXTERNREF] + [FUNCREF] * 2
    assert e[0].mode == ElemModeActive(0, OFFSET_EXPR) and e[0].init == _ref_funcs(0, 1)
    assert e[1].mode == ElemModePassive() and e[1].init == _ref_funcs(0, 1)
    assert e[2].mode == ElemModeActive(3, OFFSET_EXPR) and e[2].init == _ref_funcs(0, 1)
    assert e[3].mode == ElemModeDeclarative() and e[3].init == _ref_funcs(0, 1)
    expr_init = ((Instruction("ref.func", (1,)), END),
                 (Instruction("ref.null", (FUNCREF,)), END))
    assert e[4].mode == ElemModeActive(0, OFFSET_EXPR) and e[4].init == expr_init
    assert e[5].mode == ElemModePassive()
    assert e[5].init == ((Instruction("ref.null", (EXTERNREF,)), END),)
    assert e[6].mode == ElemModeActive(2, OFFSET_EXPR) and e[6].init == expr_init
    assert e[7].mode == ElemModeDeclarative() and e[7].init == expr_init
    assert malformed(module(section(9, vec([uleb(8)])))).startswith(
        "malformed elements segment kind")
    assert malformed(module(section(9, vec([uleb(1) + b"\x01" + funcs])))) == \
        "malformed element kind"
    assert malformed(module(section(9, vec([uleb(5) + b"\x7f" + exprs])))).startswith(
        "malformed reference type")
    assert malformed(module(section(9, vec([uleb(5) + b"\x70" + vec([b"\xf3\x00\x0b"])])))) \
        .startswith("illegal opcode")


def test_data_and_datacount_sections() -> None:
    m = decode_module(module(
        section(5, vec([b"\x00\x01"])),
        section(12, uleb(3)),
        section(11, vec([
            uleb(0) + OFFSET + vec([b"a", b"b"]),
            uleb(1) + vec([]),
            uleb(2) + uleb(1) + OFFSET + vec([b"\xff"]),
        ])),
    ))
    assert m.data_count == 3
    assert [d.init for d in m.datas] == [b"ab", b"", b"\xff"]
    assert m.datas[0].mode == DataModeActive(0, OFFSET_EXPR)
    assert m.datas[1].mode == DataModePassive()
    assert m.datas[2].mode == DataModeActive(1, OFFSET_EXPR)
    assert malformed(module(section(11, vec([uleb(3)])))).startswith(
        "malformed data segment kind")
    assert malformed(module(section(12, uleb(2)), section(11, vec([uleb(1) + vec([])])))) == \
        "data count and data section have inconsistent lengths"
    assert malformed(module(section(12, uleb(1)))) == \
        "data count and data section have inconsistent lengths"
    # Bytes running past the end of the binary.
    assert malformed(module(section(11, vec([uleb(1) + uleb(3) + b"ab"])))).startswith(
        "unexpected end")


def test_data_count_required() -> None:
    """WASM-PROFILE-4: memory.init/data.drop with data segments needs the data count section."""
    data_sec = section(11, vec([uleb(1) + vec([b"x"])]))
    mem = section(5, vec([b"\x00\x01"]))
    init = b"\x41\x00\x41\x00\x41\x00\xfc\x08\x00\x00\x0b"   # memory.init 0
    drop = b"\xfc\x09\x00\x0b"                               # data.drop 0
    for body in (init, drop):
        assert malformed(func_module(body, extra_before_code=mem) + data_sec) == \
            "data count section required"
        m = decode_module(func_module(body, extra_before_code=mem + section(12, uleb(1)))
                          + data_sec)
        assert m.data_count == 1
        # Without any data segment the module is merely invalid (unknown data segment).
        assert decode_module(func_module(body, extra_before_code=mem)).data_count is None


def test_custom_sections_anywhere() -> None:
    c1 = section(0, name("first") + b"\x01\x02")
    c2 = section(0, name("between"))
    m = decode_module(module(c1, section(1, vec([functype()])), c2, section(3, vec([uleb(0)])),
                             c2, section(10, vec([code(b"\x0b")])), c1))
    assert [(c.name, c.data) for c in m.customs] == [
        ("first", b"\x01\x02"), ("between", b""), ("between", b""), ("first", b"\x01\x02")]
    assert len(m.funcs) == 1
    # A custom section whose name overruns its size.
    assert malformed(module(section(0, b""), section(1, vec([])))).startswith("unexpected end")
    assert malformed(module(b"\x00\x26" + name("a custom section") + b"payload")) == \
        "length out of bounds"


def test_section_order_and_uniqueness() -> None:
    t = section(1, vec([]))
    assert malformed(module(t, t)).startswith("unexpected content after last section")
    assert malformed(module(section(3, vec([])), t)).startswith(
        "unexpected content after last section")
    # Data count (id 12) comes after element (9) and before code (10).
    assert decode_module(module(section(9, vec([])), section(12, uleb(0)),
                                section(10, vec([])), section(11, vec([])))).data_count == 0
    assert malformed(module(section(10, vec([])), section(12, uleb(0)))).startswith(
        "unexpected content after last section")
    assert malformed(module(section(12, uleb(0)), section(9, vec([])))).startswith(
        "unexpected content after last section")
    for bad_id in (13, 0x7F, 0x80, 0xFF):
        assert malformed(module(bytes([bad_id]) + b"\x00")).startswith("malformed section id")


def test_section_size_mismatch() -> None:
    assert malformed(module(section(1, vec([functype()]) + b"\x60"))) == \
        "section size mismatch"
    assert malformed(module(b"\x01\x07\x01\x60\x00\x00\x60\x00\x00")) == \
        "section size mismatch"
    # The contents run beyond the declared size, into the next section.
    assert malformed(module(b"\x01\x01\x01\x60\x00\x00")) == "section size mismatch"


# --- Instructions (spec 5.4) -----------------------------------------------------------------

def test_block_types_and_structure() -> None:
    types = section(1, vec([functype(), functype(b"\x7f", b"\x7f")]))
    body = (b"\x02\x40\x0b"                        # block (empty)
            b"\x03\x7e\x42\x00\x0b\x1a"            # loop (result i64) ... drop
            b"\x41\x01\x04\x01\x05\x0b\x1a"        # if (type 1) else end drop
            b"\x0b")
    m = decode_module(module(types, section(3, vec([uleb(0)])),
                             section(10, vec([code(b"\x41\x00" + body)]))))
    ops = [(i.op, i.imm) for i in m.funcs[0].body]
    assert ops == [
        ("i32.const", (0,)), ("block", (None,)), ("end", ()),
        ("loop", (I64,)), ("i64.const", (0,)), ("end", ()), ("drop", ()),
        ("i32.const", (1,)), ("if", (1,)), ("else", ()), ("end", ()), ("drop", ()),
        ("end", ()),
    ]
    assert malformed(func_module(b"\x02\x7b\x0b\x0b")).startswith("malformed value type 7b")
    assert malformed(func_module(b"\x02" + sleb(-100) + b"\x0b\x0b")) == \
        "malformed block type"


def test_misplaced_else_and_missing_end() -> None:
    assert malformed(func_module(b"\x05\x0b")).startswith("END opcode expected")
    assert malformed(func_module(b"\x02\x40\x05\x0b\x0b")).startswith("END opcode expected")
    assert malformed(func_module(b"\x41\x00\x04\x40\x05\x05\x0b\x0b")).startswith(
        "END opcode expected")
    assert malformed(func_module(b"\x02\x40\x0b")).startswith("unexpected end")


def test_deep_nesting_is_not_recursive() -> None:
    """WASM-LIMIT-6: the decoder is iterative. (The 400,001 instructions of this body need a
    larger WASM-LIMIT-9 than the default.)"""
    depth = 200_000
    body = b"\x02\x40" * depth + b"\x0b" * depth + b"\x0b"
    limits = EngineLimits(max_function_instructions=2 * depth + 1)
    instrs = decode_module(func_module(body), limits).funcs[0].body
    assert len(instrs) == 2 * depth + 1
    assert instrs[depth - 1] == Instruction("block", (None,)) and instrs[depth] == END


def test_numeric_immediates() -> None:
    body = (b"\x41" + sleb(-(2**31)) + b"\x1a"
            + b"\x42" + sleb(-1) + b"\x1a"
            + b"\x43" + struct.pack("<I", 0x7FC00001) + b"\x1a"
            + b"\x44" + struct.pack("<Q", 0xFFF0000000000001) + b"\x1a"
            + b"\x43" + struct.pack("<f", -0.0) + b"\x1a"
            + b"\x0b")
    imms = [i.imm for i in body_of(func_module(body)) if i.op.endswith("const")]
    assert imms == [(0x80000000,), (0xFFFFFFFFFFFFFFFF,), (0x7FC00001,),
                    (0xFFF0000000000001,), (0x80000000,)]
    assert all(type(x) is int for imm in imms for x in imm)


def test_control_immediates() -> None:
    body = (b"\x02\x40\x0e" + vec([uleb(0), uleb(1)]) + uleb(0) + b"\x0b"
            + b"\x0c\x00\x0d\x00"
            + b"\x10" + uleb(0)
            + b"\x11" + uleb(0) + uleb(2)
            + b"\x1b\x1c" + vec([b"\x7e"])
            + b"\x0f\x0b")
    instrs = [i for i in body_of(func_module(body)) if i.op not in ("block", "end")]
    assert instrs == [
        Instruction("br_table", ((0, 1), 0)), Instruction("br", (0,)),
        Instruction("br_if", (0,)), Instruction("call", (0,)),
        Instruction("call_indirect", (0, 2)), Instruction("select"),
        Instruction("select", ((I64,),)), Instruction("return"),
    ]


def test_memory_immediates() -> None:
    body = (b"\x28" + uleb(2) + uleb(16)                   # i32.load align=4 offset=16
            + b"\x3d" + uleb(1) + uleb(0xFFFFFFFF)         # i64.store16
            + b"\x3f\x00\x40\x00"                          # memory.size, memory.grow
            + b"\xfc\x08" + uleb(7) + b"\x00"              # memory.init 7
            + b"\xfc\x09" + uleb(7)                        # data.drop 7
            + b"\xfc\x0a\x00\x00\xfc\x0b\x00"              # memory.copy, memory.fill
            + b"\x0b")
    instrs = body_of(func_module(body, extra_before_code=section(12, uleb(8)))
                     + section(11, vec([uleb(1) + vec([])] * 8)))
    assert instrs == (
        Instruction("i32.load", (2, 16)), Instruction("i64.store16", (1, 0xFFFFFFFF)),
        Instruction("memory.size"), Instruction("memory.grow"),
        Instruction("memory.init", (7,)), Instruction("data.drop", (7,)),
        Instruction("memory.copy"), Instruction("memory.fill"), END)


@pytest.mark.parametrize("body", [
    b"\x3f\x01\x0b", b"\x40\x80\x00\x0b", b"\xfc\x08\x00\x01\x0b", b"\xfc\x0a\x00\x01\x0b",
    b"\xfc\x0a\x01\x00\x0b", b"\xfc\x0b\x01\x0b",
])
def test_reserved_zero_bytes(body: bytes) -> None:
    assert malformed(func_module(body, extra_before_code=section(12, uleb(1))) +
                     section(11, vec([uleb(1) + vec([])]))).startswith("zero byte expected")


def test_table_reference_and_prefixed_immediates() -> None:
    body = (b"\x25" + uleb(1) + b"\x26" + uleb(2)
            + b"\xd0\x70\xd0\x6f\xd1\xd2" + uleb(3)
            + b"\xfc\x0c" + uleb(4) + uleb(5)              # table.init elem 4, table 5
            + b"\xfc\x0d" + uleb(4)
            + b"\xfc\x0e" + uleb(6) + uleb(7)              # table.copy dst 6, src 7
            + b"\xfc\x0f" + uleb(1) + b"\xfc\x10" + uleb(1) + b"\xfc\x11" + uleb(1)
            + b"\xfc" + uleb(7, pad_to=3)                  # i64.trunc_sat_f64_u, padded LEB
            + b"\xc4\x0b")
    assert body_of(func_module(body)) == (
        Instruction("table.get", (1,)), Instruction("table.set", (2,)),
        Instruction("ref.null", (FUNCREF,)), Instruction("ref.null", (EXTERNREF,)),
        Instruction("ref.is_null"), Instruction("ref.func", (3,)),
        Instruction("table.init", (4, 5)), Instruction("elem.drop", (4,)),
        Instruction("table.copy", (6, 7)), Instruction("table.grow", (1,)),
        Instruction("table.size", (1,)), Instruction("table.fill", (1,)),
        Instruction("i64.trunc_sat_f64_u"), Instruction("i64.extend32_s"), END)
    assert malformed(func_module(b"\xd0\x7f\x0b")).startswith("malformed reference type")
    assert malformed(func_module(b"\xfc\x12\x0b")).startswith("illegal opcode fc 12")
    assert malformed(func_module(b"\xfc" + b"\x80" * 5 + b"\x00\x0b")) == \
        "integer representation too long"


# --- Features outside the profile --------------------------------------------------------------

@pytest.mark.parametrize(("body", "feature"), [
    (b"\xfd\x0c" + b"\x00" * 16 + b"\x0b", "SIMD"),
    (b"\xfe\x03\x00\x0b", "threads"),
    (b"\xfb\x00\x0b", "GC"),
    (b"\x12\x00\x0b", "tail calls"),
    (b"\x13\x00\x00\x0b", "tail calls"),
    (b"\x06\x40\x0b\x0b", "exception handling"),
    (b"\x08\x00\x0b", "exception handling"),
    (b"\x14\x0b", "function references"),
    (b"\x28\x42\x00\x00\x0b", "multi-memory"),
    (b"\x3f\x01\x0b", "multi-memory"),
])
def test_unsupported_instructions(body: bytes, feature: str) -> None:
    """WASM-PROFILE-2, WASM-ERR-2: instructions outside the profile are malformed, naming the
    feature."""
    reason = malformed(func_module(body))
    assert feature in reason


@pytest.mark.parametrize(("data", "feature"), [
    (module(section(5, vec([b"\x03\x01\x02"]))), "threads"),
    (module(section(5, vec([b"\x02\x01"]))), "threads"),
    (module(section(5, vec([b"\x04\x01"]))), "memory64"),
    (module(section(1, vec([functype(b"\x7b")]))), "SIMD"),
    (module(section(6, vec([b"\x7b\x00\x0b"]))), "SIMD"),
    (module(section(2, vec([name("a") + name("b") + b"\x04\x00\x00"]))), "exception"),
    (module(section(13, b"")), "exception"),
])
def test_unsupported_types_and_sections(data: bytes, feature: str) -> None:
    """WASM-PROFILE-2: types and encodings outside the profile are malformed, naming the
    feature."""
    assert feature in malformed(data)


# --- The official test suite --------------------------------------------------------------------

EXTERNAL = external_dir()
SUITE = EXTERNAL / "wasm-testsuite" / "json"
#: Commands whose binary module must decode.
DECODABLE = ("module", "assert_invalid", "assert_unlinkable", "assert_uninstantiable")


def _suite_commands() -> list[tuple[str, dict[str, Any], Path]]:
    """(script name, command, module path) for every command with a binary module."""
    out: list[tuple[str, dict[str, Any], Path]] = []
    if not SUITE.is_dir():
        return out
    for folder in sorted(p for p in SUITE.iterdir() if p.is_dir()):
        script = folder / f"{folder.name}.json"
        if not script.is_file():
            continue
        for cmd in json.loads(script.read_text())["commands"]:
            filename = cmd.get("filename")
            if not filename or not filename.endswith(".wasm"):
                continue
            if cmd["type"] == "module" or cmd.get("module_type") == "binary":
                out.append((folder.name, cmd, folder / filename))
    return out


SUITE_COMMANDS = _suite_commands()
# The official suite is required (CI provides it): a missing suite fails, it never skips.
needs_suite = pytest.mark.usefixtures("suite_dir")


@needs_suite
def test_suite_malformed_binaries_are_rejected() -> None:
    cases = [(s, c, p) for s, c, p in SUITE_COMMANDS if c["type"] == "assert_malformed"]
    missed, wrong_text = [], []
    for script, cmd, path in cases:
        try:
            decode_module(path.read_bytes())
        except DecodeError as e:
            if not e.reason.startswith(cmd["text"]):
                wrong_text.append((script, cmd["line"], cmd["text"], e.reason))
        else:
            missed.append((script, cmd["line"], cmd["text"]))
    assert len(cases) >= 700
    assert missed == []
    # Every reason also matches the suite's expected text (which it must start with).
    assert wrong_text == []


@needs_suite
def test_suite_well_formed_binaries_decode() -> None:
    cases = [(s, c, p) for s, c, p in SUITE_COMMANDS if c["type"] in DECODABLE]
    failures = []
    counts = dict.fromkeys(DECODABLE, 0)
    for script, cmd, path in cases:
        try:
            decode_module(path.read_bytes())
        except DecodeError as e:
            failures.append((script, cmd["line"], cmd["type"], str(e)))
        else:
            counts[cmd["type"]] += 1
    assert failures == []
    assert counts["module"] >= 1000 and counts["assert_invalid"] >= 1000


# --- Property tests: no exception but DecodeError escapes ----------------------------------------

def _sample_modules() -> list[bytes]:
    """A spread of valid suite modules (plus hand-built ones if the suite is missing)."""
    paths = sorted({p for _, c, p in SUITE_COMMANDS if c["type"] == "module"})
    small = [p.read_bytes() for p in paths if p.stat().st_size <= 4096]
    sample = small[::max(1, len(small) // 150)]
    sample.append(func_module(b"\x02\x40\x41\x00\x04\x40\x05\x0b\x0b\x0b",
                              extra_before_code=section(5, vec([b"\x00\x01"]))))
    sample.append(module(section(9, vec([uleb(5) + b"\x70" + vec([b"\xd2\x00\x0b"])])),
                         section(12, uleb(1)), section(11, vec([uleb(1) + vec([b"a"])]))))
    return sample


SAMPLES = _sample_modules()

_mutation = st.tuples(st.sampled_from(["flip", "set", "insert", "delete", "truncate"]),
                      st.integers(0, 1 << 20), st.integers(0, 255))


def _mutate(data: bytes, mutations: list[tuple[str, int, int]]) -> bytes:
    buf = bytearray(data)
    for kind, where, value in mutations:
        if not buf:
            break
        i = where % len(buf)
        if kind == "flip":
            buf[i] ^= 1 << (value % 8)
        elif kind == "set":
            buf[i] = value
        elif kind == "insert":
            buf.insert(i, value)
        elif kind == "delete":
            del buf[i]
        else:
            del buf[i:]
    return bytes(buf)


def _decode_or_decode_error(data: bytes) -> None:
    try:
        m = decode_module(data)
    except DecodeError as e:
        assert isinstance(e.reason, str) and e.reason
        assert e.offset is None or 0 <= e.offset <= len(data)
    else:
        assert isinstance(m, Module)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SAMPLES), st.lists(_mutation, min_size=1, max_size=4))
def test_mutated_modules_only_raise_decode_error(data: bytes,
                                                 mutations: list[tuple[str, int, int]]) -> None:
    _decode_or_decode_error(_mutate(data, mutations))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_after_header_only_raise_decode_error(tail: bytes) -> None:
    _decode_or_decode_error(HEADER + tail)


def _section_boundaries(data: bytes) -> set[int]:
    """Offsets where a section of a well-formed module ends (and the preamble's end)."""
    bounds = {8}
    pos = 8
    while pos < len(data):
        pos += 1  # section id
        size = shift = 0
        while True:
            b = data[pos]
            pos += 1
            size |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                break
        pos += size
        bounds.add(pos)
    return bounds


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(SAMPLES), st.data())
def test_truncated_modules_are_malformed(data: bytes, draw: st.DataObject) -> None:
    cut = draw.draw(st.integers(0, len(data) - 1))
    if cut in _section_boundaries(data):
        # Whole sections were dropped: may or may not be well formed, but never crashes.
        _decode_or_decode_error(data[:cut])
    else:
        with pytest.raises(DecodeError):
            decode_module(data[:cut])
