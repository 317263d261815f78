"""Tests of the binary encoder (spec/wasm.md section 10, WASM-ENC-*): known encodings, every
instruction of the profile, the choices the encoder makes, its errors, and round trips over the
official suite's modules, the repository's contracts and random modules."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from supervm_ref import wasm
from supervm_ref.wasm.binary import encode as enc
from supervm_ref.wasm.binary.encode import encode_module
from supervm_ref.wasm.binary.module import decode_module
from supervm_ref.wasm.errors import DecodeError, EncodeError, WasmError
from supervm_ref.wasm.structure.instructions import INSTRUCTIONS, Instruction
from supervm_ref.wasm.structure.module import (
    CustomSection,
    Data,
    DataModeActive,
    DataModePassive,
    Elem,
    ElemModeActive,
    ElemModeDeclarative,
    ElemModePassive,
    Export,
    ExportDesc,
    Expr,
    Func,
    Global,
    Import,
    ImportDesc,
    Mem,
    Module,
    Table,
)
from supervm_ref.wasm.structure.types import (
    FuncType,
    GlobalType,
    Limits,
    MemType,
    TableType,
    ValType,
)

from ..support import REPO, external_dir, wat

I32, I64, F32, F64 = ValType.I32, ValType.I64, ValType.F32, ValType.F64
FUNCREF, EXTERNREF = ValType.FUNCREF, ValType.EXTERNREF
END = Instruction("end")
HEADER = b"\x00asm\x01\x00\x00\x00"


def ins(op: str, *imm: Any) -> Instruction:
    return Instruction(op, tuple(imm))


def const(v: int) -> Expr:
    return (ins("i32.const", v), END)


def round_trip(m: Module) -> bytes:
    """Encode ``m``, check that decoding gives ``m`` back (WASM-ENC-7) and return the bytes."""
    data = encode_module(m)
    assert decode_module(data) == m
    return data


def strip_custom_sections(data: bytes) -> bytes:
    """``data`` without its custom sections (the sections' sizes read with the decoder's
    reader, so this works on non-canonical LEBs as well)."""
    from supervm_ref.wasm.binary.reader import Reader

    r = Reader(data, 8)
    out = bytearray(data[:8])
    while not r.at_end():
        start = r.pos
        section_id = r.byte()
        size = r.length()
        end = r.pos + size
        if section_id != 0:
            out += data[start:end]
        r.pos = end
    return bytes(out)


# --- Values and types (WASM-ENC-2) ---------------------------------------------------------------


def test_leb128_known_vectors() -> None:
    """WASM-ENC-2: the shortest LEB128 encodings (spec 5.2.2's and DWARF's examples)."""
    assert enc.uleb(0) == b"\x00" and enc.uleb(127) == b"\x7f" and enc.uleb(128) == b"\x80\x01"
    assert enc.uleb(624485) == b"\xe5\x8e\x26"
    assert enc.uleb(2**32 - 1) == b"\xff\xff\xff\xff\x0f"
    assert enc.sleb(-1) == b"\x7f" and enc.sleb(63) == b"\x3f" and enc.sleb(64) == b"\xc0\x00"
    assert enc.sleb(-64) == b"\x40" and enc.sleb(-65) == b"\xbf\x7f"
    assert enc.sleb(-123456) == b"\xc0\xbb\x78"
    assert enc.sleb(-(2**63), 64) == b"\x80" * 9 + b"\x7f"
    with pytest.raises(EncodeError):
        enc.uleb(2**32)
    with pytest.raises(EncodeError):
        enc.sleb(2**31)


@given(st.integers(0, 2**32 - 1), st.integers(-(2**63), 2**63 - 1))
@example(0, -(2**34))  # a negative power of two needs no extra sign bit
def test_leb128_is_shortest_and_decodes(u: int, s: int) -> None:
    """WASM-ENC-2: each encoding reads back with the decoder's reader, and one byte less than
    ceil(bits / 7) would not hold the value."""
    from supervm_ref.wasm.binary.reader import Reader

    eu, es = enc.uleb(u), enc.sleb(s, 64)
    assert Reader(eu).u32() == u and len(eu) == max(1, -(-u.bit_length() // 7))
    assert Reader(es).s64() == s
    assert len(es) == max(1, -(-((s if s >= 0 else ~s).bit_length() + 1) // 7))


def test_constants_keep_their_bits() -> None:
    """WASM-ENC-2: i32/i64 patterns are written as signed values; f32/f64 patterns, NaN
    payloads and signs included, are written bit for bit, little endian."""
    body = (ins("i32.const", 0xFFFFFFFF), ins("i64.const", 2**63), ins("f32.const", 0xFFC00001),
            ins("f64.const", 0x7FF0000000000001), ins("drop"), ins("drop"), ins("drop"),
            ins("drop"), END)
    data = round_trip(Module(types=(FuncType((), ()),), funcs=(Func(0, (), body),)))
    assert (b"\x41\x7f\x42" + b"\x80" * 9 + b"\x7f" + b"\x43\x01\x00\xc0\xff"
            + b"\x44\x01\x00\x00\x00\x00\x00\xf0\x7f") in data


# --- Instructions (WASM-ENC-3) -------------------------------------------------------------------

#: One sample of immediates per immediate kind.
SAMPLE_IMM: dict[str, tuple[Any, ...]] = {
    "none": (), "blocktype": (None,), "label": (0,), "br_table": ((0, 1), 2), "func": (0,),
    "call_ind": (0, 0), "local": (0,), "global": (0,), "table": (0,), "elem": (0,),
    "data": (0,), "table_init": (1, 0), "table_copy": (0, 1), "memarg": (2, 1000),
    "mem": (), "mem_init": (0,), "i32": (7,), "i64": (7,), "f32": (0x3F800000,),
    "f64": (0x3FF0000000000000,), "reftype": (EXTERNREF,), "select_t": ((I64,),),
}


@pytest.mark.parametrize("opcode", sorted(INSTRUCTIONS), ids=lambda c: f"{c:x}")
def test_every_instruction_round_trips(opcode: int) -> None:
    """WASM-ENC-3: each instruction of the profile encodes to its opcode (0xFC and a u32
    sub-opcode for the prefixed ones) and decodes back to itself."""
    info = INSTRUCTIONS[opcode]
    instr = Instruction(info.op, SAMPLE_IMM[info.imm])
    body: tuple[Instruction, ...]
    if info.op in ("block", "loop", "if"):
        body = (instr, END, END)
    elif info.op == "else":
        body = (ins("if", None), instr, END, END)
    elif info.op == "end":
        body = (instr,)
    else:
        body = (instr, END)
    m = Module(types=(FuncType((), ()),), funcs=(Func(0, (), body),),
               datas=(Data(b"", DataModePassive()),), data_count=1)
    data = round_trip(m)
    prefix = bytes([opcode]) if opcode <= 0xFF else bytes([0xFC, opcode & 0xFF])
    assert enc.instr(instr).startswith(prefix)
    assert enc.instr(instr) in data


def test_instruction_encodings() -> None:
    """WASM-ENC-3: reserved memory bytes, the two select forms, memarg, br_table and block
    types (empty, a value type, a type index as s33)."""
    assert enc.instr(ins("memory.size")) == b"\x3f\x00"
    assert enc.instr(ins("memory.grow")) == b"\x40\x00"
    assert enc.instr(ins("memory.copy")) == b"\xfc\x0a\x00\x00"
    assert enc.instr(ins("memory.fill")) == b"\xfc\x0b\x00"
    assert enc.instr(ins("memory.init", 3)) == b"\xfc\x08\x03\x00"
    assert enc.instr(ins("select")) == b"\x1b"
    assert enc.instr(ins("select", ())) == b"\x1c\x00"
    assert enc.instr(ins("select", (F64,))) == b"\x1c\x01\x7c"
    assert enc.instr(ins("i64.store32", 2, 128)) == b"\x3e\x02\x80\x01"
    assert enc.instr(ins("br_table", (3, 200), 1)) == b"\x0e\x02\x03\xc8\x01\x01"
    assert enc.instr(ins("block", None)) == b"\x02\x40"
    assert enc.instr(ins("loop", I32)) == b"\x03\x7f"
    assert enc.instr(ins("if", 64)) == b"\x04\xc0\x00"  # type index 64 as s33
    assert enc.instr(ins("i32.trunc_sat_f64_u")) == b"\xfc\x03"
    assert enc.instr(ins("table.init", 5, 1)) == b"\xfc\x0c\x05\x01"
    assert enc.instr(ins("ref.null", FUNCREF)) == b"\xd0\x70"


# --- Sections and choices (WASM-ENC-1, WASM-ENC-4, WASM-ENC-5) -----------------------------------


def test_sections_in_order_and_only_when_needed() -> None:
    """WASM-ENC-1: the empty module is the preamble; sections follow spec 5.5.16's order with
    the data count section before the code section; custom sections are not written."""
    assert encode_module(Module()) == HEADER
    assert encode_module(Module(customs=(CustomSection("name", b"x"),))) == HEADER
    m = Module(
        types=(FuncType((), ()),), imports=(Import("m", "f", ImportDesc("func", 0)),),
        funcs=(Func(0, (), (ins("data.drop", 0), END)),),
        tables=(Table(TableType(Limits(1), FUNCREF)),), mems=(Mem(MemType(Limits(1, 2))),),
        globals=(Global(GlobalType(True, I32), const(0)),),
        exports=(Export("f", ExportDesc("func", 1)),), start=1,
        elems=(Elem(FUNCREF, ((ins("ref.func", 1), END),), ElemModeDeclarative()),),
        datas=(Data(b"ab", DataModePassive()),), data_count=1)
    data = round_trip(m)
    ids, pos = [], 8
    while pos < len(data):
        ids.append(data[pos])
        size = data[pos + 1]  # every section of this module is shorter than 128 bytes
        pos += 2 + size
    assert ids == [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 10, 11]
    # Without a data count, no data count section; without a start, no start section.
    plain = Module(types=m.types, funcs=(Func(0, (), (END,)),))
    assert encode_module(plain) == HEADER + bytes.fromhex("010401600000 03020100 0a040102000b")


def test_element_segment_encodings() -> None:
    """WASM-ENC-4: function indices when every element is ref.func of a funcref segment,
    expressions otherwise; flags 0/4 for table 0 and funcref, 2/6 otherwise, 1/5 passive,
    3/7 declarative."""
    f0 = (ins("ref.func", 0), END)
    null = (ins("ref.null", FUNCREF), END)
    cases = [
        (Elem(FUNCREF, (f0,), ElemModeActive(0, const(0))), "00 41000b 0100"),
        (Elem(FUNCREF, (f0,), ElemModePassive()), "01 00 0100"),
        (Elem(FUNCREF, (f0,), ElemModeActive(1, const(0))), "02 01 41000b 00 0100"),
        (Elem(FUNCREF, (f0,), ElemModeDeclarative()), "03 00 0100"),
        (Elem(FUNCREF, (null,), ElemModeActive(0, const(0))), "04 41000b 01d0700b"),
        (Elem(FUNCREF, (null, f0), ElemModePassive()), "05 70 02d0700bd2000b"),
        (Elem(EXTERNREF, (), ElemModeActive(0, const(0))), "06 00 41000b 6f 00"),
        (Elem(FUNCREF, (null,), ElemModeDeclarative()), "07 70 01d0700b"),
    ]
    for seg, expected in cases:
        assert enc.elem(seg) == bytes.fromhex(expected), expected
        round_trip(Module(elems=(seg,)))


def test_locals_and_data_segment_encodings() -> None:
    """WASM-ENC-5: locals grouped by runs of equal types; data flags 0, 1 and 2."""
    assert enc.locals_(()) == b"\x00"
    assert enc.locals_((I32, I32, I64, I32)) == bytes.fromhex("03 027f 017e 017f")
    m = Module(types=(FuncType((), ()),), funcs=(Func(0, (I32, I32, I64, I32), (END,)),))
    round_trip(m)
    assert enc.data(Data(b"hi", DataModeActive(0, const(8)))) == bytes.fromhex("00 41080b 026869")
    assert enc.data(Data(b"", DataModePassive())) == b"\x01\x00"
    assert enc.data(Data(b"x", DataModeActive(1, const(0)))) == bytes.fromhex("02 01 41000b 0178")


BAD_MODULES: list[tuple[str, Any]] = [
    ("not a module", b"\x00asm"),
    ("index too large", Module(exports=(Export("f", ExportDesc("func", 2**32)),))),
    ("negative limit", Module(mems=(Mem(MemType(Limits(-1))),))),
    ("unknown instruction", Module(globals=(Global(GlobalType(False, I32),
                                                   (ins("v128.const", 0), END)),),)),
    ("wrong immediates", Module(globals=(Global(GlobalType(False, I32),
                                                (ins("i32.const"), END)),),)),
    ("constant too wide", Module(globals=(Global(GlobalType(False, I32), const(2**32)),))),
    ("float pattern too wide", Module(globals=(Global(GlobalType(False, F32),
                                                      (ins("f32.const", 2**32), END)),),)),
    ("expression without end", Module(globals=(Global(GlobalType(False, I32),
                                                      (ins("i32.const", 0),)),),)),
    ("lone surrogate", Module(exports=(Export("\udc80", ExportDesc("func", 0)),))),
    ("data count mismatch", Module(data_count=1)),
    ("not a reference type", Module(tables=(Table(TableType(Limits(0), I32)),))),
    ("import kind mismatch", Module(imports=(Import("m", "f", ImportDesc("func",
                                                                         MemType(Limits(0)))),))),
    ("export kind", Module(exports=(Export("f", ExportDesc("tag", 0)),))),
    ("not an instruction", Module(globals=(Global(GlobalType(False, I32), ("end",)),),)),
    ("br_table shape", Module(types=(FuncType((), ()),),
                              funcs=(Func(0, (), (ins("br_table", 3, 0), END)),))),
    ("block type", Module(types=(FuncType((), ()),),
                          funcs=(Func(0, (), (ins("block", "i32"), END, END)),))),
    ("value type", Module(types=(FuncType(("v128",), ()),))),  # type: ignore[arg-type]
]


@pytest.mark.parametrize("what,module", BAD_MODULES, ids=[w for w, _ in BAD_MODULES])
def test_unencodable_modules_raise_encode_error(what: str, module: Any) -> None:
    """WASM-ENC-6: a module no binary represents raises EncodeError (a WasmError of kind
    "unencodable") and nothing else."""
    with pytest.raises(EncodeError) as e:
        encode_module(module)
    assert isinstance(e.value, WasmError) and e.value.kind == "unencodable"


def test_encoder_is_exported() -> None:
    """WASM-ENC-1: the encoder, its error and the structure types a module is built from are
    part of the engine's API."""
    assert wasm.encode_module is encode_module and wasm.EncodeError is EncodeError
    for cls in (Module, Func, Table, Mem, Global, Elem, ElemModeActive, ElemModePassive,
                ElemModeDeclarative, Data, DataModeActive, DataModePassive, Import, ImportDesc,
                Export, ExportDesc, CustomSection, Instruction):
        assert getattr(wasm, cls.__name__) is cls and cls.__name__ in wasm.__all__
    assert "encode_module" in wasm.__all__ and "EncodeError" in wasm.__all__


# --- Round trips: the official suite and the repository's contracts (WASM-ENC-7) ------------------

SUITE = external_dir() / "wasm-testsuite" / "json"
#: The suite's scripts whose binaries are written by hand on purpose: non-minimal LEB128
#: numbers, empty sections, locals groups of zero, the other element encodings, custom sections.
HAND_WRITTEN = {"binary", "binary-leb128", "custom", "float_literals"}


@pytest.mark.usefixtures("suite_dir")
def test_suite_modules_round_trip() -> None:
    """WASM-ENC-7: every .wasm of the suite's json folder that decodes round trips
    structurally; the binaries that wast2json wrote itself also round trip byte for byte, and
    the others only differ by being longer (non-minimal encodings, empty sections) or by their
    custom sections."""
    paths = sorted(SUITE.glob("*/*.wasm"))
    decoded = structural = identical = 0
    differing: Counter[str] = Counter()
    for path in paths:
        data = path.read_bytes()
        try:
            m = decode_module(data)
        except WasmError:
            continue
        decoded += 1
        out = encode_module(m)
        if decode_module(out) == m:
            structural += 1
        if out == data:
            identical += 1
            continue
        differing[path.parent.name] += 1
        assert len(out) < len(data) or m.customs, path
        assert encode_module(decode_module(out)) == out  # the encoder's choices are stable
    assert len(paths) >= 3000 and decoded >= 2500
    assert structural == decoded
    assert set(differing) <= HAND_WRITTEN, differing
    assert identical >= decoded - 100


def _contracts() -> list[Path]:
    return sorted([*(REPO / "conformance" / "contracts").glob("*.wasm"),
                   *(REPO / "supervm_ref" / "demos" / "data").glob("*.wasm"),
                   *(REPO / "supervm_ref" / "bench" / "contracts").glob("*.wasm")])


@pytest.mark.parametrize("path", _contracts(), ids=lambda p: str(p.relative_to(REPO)))
def test_contracts_round_trip(path: Path) -> None:
    """WASM-ENC-7: each committed contract round trips structurally; the ones wat2wasm built
    (a .wat beside them, or their SOURCE) give back their bytes without custom sections."""
    data = path.read_bytes()
    m = decode_module(data)
    out = encode_module(m)
    assert decode_module(out) == m
    if path.with_suffix(".wat").exists():
        assert out == strip_custom_sections(data)
        assert out == strip_custom_sections(wat(path.with_suffix(".wat").read_text()))


# --- Random modules (WASM-ENC-7) ------------------------------------------------------------------

U32 = st.one_of(st.integers(0, 3), st.integers(0, 2**32 - 1))
VALTYPES = st.sampled_from(list(ValType))
REFTYPES = st.sampled_from([FUNCREF, EXTERNREF])
NAMES = st.text(st.characters(blacklist_categories=("Cs",)), max_size=6)

#: Instructions without nesting, grouped by immediate kind.
_FLAT = [(info.op, info.imm) for info in INSTRUCTIONS.values()
         if info.op not in ("block", "loop", "if", "else", "end")]


def _imm(kind: str) -> st.SearchStrategy[tuple[Any, ...]]:
    """A strategy for the immediates of one kind (the structure's conventions)."""
    one = {"label", "func", "local", "global", "table", "elem", "data", "mem_init"}
    if kind in one:
        return st.tuples(U32)
    if kind in ("call_ind", "table_init", "table_copy"):
        return st.tuples(U32, U32)
    if kind == "memarg":  # bit 6 of the alignment would announce multi-memory
        return st.tuples(U32.map(lambda a: a & ~0x40), U32)
    if kind == "br_table":
        return st.tuples(st.lists(U32, max_size=4).map(tuple), U32)
    if kind in ("i32", "f32"):
        return st.tuples(st.integers(0, 2**32 - 1))
    if kind in ("i64", "f64"):
        return st.tuples(st.integers(0, 2**64 - 1))
    if kind == "reftype":
        return st.tuples(REFTYPES)
    if kind == "select_t":
        return st.tuples(st.lists(VALTYPES, max_size=2).map(tuple))
    return st.just(())


FLAT_INSTR = st.sampled_from(_FLAT).flatmap(
    lambda e: _imm(e[1]).map(lambda imm, op=e[0]: Instruction(op, imm)))
BLOCKTYPES = st.one_of(st.none(), VALTYPES, U32)


@st.composite
def instr_seq(draw: st.DrawFn, depth: int = 2) -> list[Instruction]:
    """A well-nested instruction sequence (without the final ``end``)."""
    out: list[Instruction] = []
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["flat", "flat", "flat", "block", "if"])) if depth else "flat"
        if kind == "flat":
            out.append(draw(FLAT_INSTR))
        elif kind == "block":
            out.append(Instruction(draw(st.sampled_from(["block", "loop"])),
                                   (draw(BLOCKTYPES),)))
            out += [*draw(instr_seq(depth - 1)), END]
        else:
            out.append(Instruction("if", (draw(BLOCKTYPES),)))
            out += draw(instr_seq(depth - 1))
            if draw(st.booleans()):
                out += [Instruction("else"), *draw(instr_seq(depth - 1))]
            out.append(END)
    return out


EXPRS = instr_seq().map(lambda seq: (*seq, END))
LIMITS = st.builds(Limits, U32, st.none() | U32)
TABLETYPES = st.builds(TableType, LIMITS, REFTYPES)
MEMTYPES = st.builds(MemType, LIMITS)
GLOBALTYPES = st.builds(GlobalType, st.booleans(), VALTYPES)
IMPORT_DESCS = st.one_of(st.builds(ImportDesc, st.just("func"), U32),
                         st.builds(ImportDesc, st.just("table"), TABLETYPES),
                         st.builds(ImportDesc, st.just("memory"), MEMTYPES),
                         st.builds(ImportDesc, st.just("global"), GLOBALTYPES))
ELEM_MODES = st.one_of(st.builds(ElemModePassive), st.builds(ElemModeDeclarative),
                       st.builds(ElemModeActive, U32, EXPRS))
ELEM_INITS = st.one_of(
    st.lists(U32.map(lambda x: (Instruction("ref.func", (x,)), END)), max_size=3).map(tuple),
    st.lists(EXPRS, max_size=3).map(tuple))
DATA_MODES = st.one_of(st.builds(DataModePassive), st.builds(DataModeActive, U32, EXPRS))


@st.composite
def modules(draw: st.DrawFn) -> Module:
    """A random Module built from the structure types (not necessarily valid, always
    well-formed: what the decoder can return)."""
    small = {"max_size": 3}
    funcs = tuple(draw(st.lists(st.builds(Func, U32, st.lists(VALTYPES, max_size=5).map(tuple),
                                          EXPRS), **small)))
    datas = tuple(draw(st.lists(st.builds(Data, st.binary(max_size=8), DATA_MODES), **small)))
    uses_data = any(i.op in ("memory.init", "data.drop") for f in funcs for i in f.body)
    data_count = len(datas) if uses_data and datas else draw(st.sampled_from([None, len(datas)]))
    return Module(
        types=tuple(draw(st.lists(st.builds(FuncType, st.lists(VALTYPES, max_size=3).map(tuple),
                                            st.lists(VALTYPES, max_size=3).map(tuple)),
                                  **small))),
        imports=tuple(draw(st.lists(st.builds(Import, NAMES, NAMES, IMPORT_DESCS), **small))),
        funcs=funcs,
        tables=tuple(draw(st.lists(st.builds(Table, TABLETYPES), **small))),
        mems=tuple(draw(st.lists(st.builds(Mem, MEMTYPES), **small))),
        globals=tuple(draw(st.lists(st.builds(Global, GLOBALTYPES, EXPRS), **small))),
        exports=tuple(draw(st.lists(st.builds(Export, NAMES, st.builds(
            ExportDesc, st.sampled_from(["func", "table", "memory", "global"]), U32)), **small))),
        start=draw(st.none() | U32),
        elems=tuple(draw(st.lists(st.builds(Elem, REFTYPES, ELEM_INITS, ELEM_MODES), **small))),
        datas=datas,
        data_count=data_count,
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(modules())
def test_random_modules_round_trip(m: Module) -> None:
    """WASM-ENC-7: a random module decodes back from its encoding, and encoding is a function
    of the module (the same bytes again after the round trip)."""
    data = encode_module(m)
    try:
        back = decode_module(data)
    except DecodeError as e:  # pragma: no cover - a failure names the module
        raise AssertionError(f"{e} for {m}") from None
    assert back == m
    assert encode_module(back) == data
