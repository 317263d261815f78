"""Instructions (WebAssembly spec section 2.4) and their binary opcodes (spec 5.4).

An instruction is an `Instruction(op, imm)`: ``op`` is the text-format mnemonic
(``"i32.add"``, ``"br_table"``) and ``imm`` a tuple of immediates whose shape depends on the
instruction's immediate kind (the ``imm`` column of `INSTRUCTIONS`):

==============  ===============================================================================
kind            ``imm``
==============  ===============================================================================
``none``        ``()``
``blocktype``   ``(bt,)`` where bt is None (empty), a `ValType` (one result) or an int type index
``label``       ``(labelidx,)``
``br_table``    ``(labels: tuple[int, ...], default: int)``
``func``        ``(funcidx,)``
``call_ind``    ``(typeidx, tableidx)``
``local``       ``(localidx,)``; ``global``: ``(globalidx,)``; ``table``: ``(tableidx,)``
``elem``        ``(elemidx,)``; ``data``: ``(dataidx,)``
``table_init``  ``(elemidx, tableidx)`` (binary order)
``table_copy``  ``(dst_tableidx, src_tableidx)``
``memarg``      ``(align_exponent, offset)``
``mem``         ``()`` (the reserved memory-index byte 0x00 is checked by the decoder)
``mem_init``    ``(dataidx,)``
``i32``/``i64`` ``(value,)`` as an unsigned int (two's complement bit pattern)
``f32``/``f64`` ``(bits,)`` as an unsigned int (the IEEE 754 bit pattern; never a float)
``reftype``     ``(ValType.FUNCREF or ValType.EXTERNREF,)``
``select_t``    ``(tuple of ValType,)``
==============  ===============================================================================

Opcodes are ints: a single-byte opcode is the byte itself; an opcode with the 0xFC prefix is
``0xFC00 | subopcode``. SIMD (prefix 0xFD) and other proposals are not in the profile.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from .types import ValType

I32, I64, F32, F64 = ValType.I32, ValType.I64, ValType.F32, ValType.F64


class Instruction(NamedTuple):
    """One instruction: its mnemonic and its immediates (see the module docstring)."""

    op: str
    imm: tuple[Any, ...] = ()

    def __str__(self) -> str:
        return self.op + "".join(f" {i}" for i in self.imm)


@dataclass(frozen=True, slots=True)
class InstrInfo:
    """Static facts about one instruction."""

    op: str
    opcode: int
    imm: str


def _table() -> dict[int, InstrInfo]:
    entries: list[tuple[int, str, str]] = [
        # Control instructions (2.4.8)
        (0x00, "unreachable", "none"), (0x01, "nop", "none"),
        (0x02, "block", "blocktype"), (0x03, "loop", "blocktype"), (0x04, "if", "blocktype"),
        (0x05, "else", "none"), (0x0B, "end", "none"),
        (0x0C, "br", "label"), (0x0D, "br_if", "label"), (0x0E, "br_table", "br_table"),
        (0x0F, "return", "none"), (0x10, "call", "func"), (0x11, "call_indirect", "call_ind"),
        # Reference instructions (2.4.2)
        (0xD0, "ref.null", "reftype"), (0xD1, "ref.is_null", "none"), (0xD2, "ref.func", "func"),
        # Parametric instructions (2.4.3)
        (0x1A, "drop", "none"), (0x1B, "select", "none"), (0x1C, "select", "select_t"),
        # Variable instructions (2.4.4)
        (0x20, "local.get", "local"), (0x21, "local.set", "local"), (0x22, "local.tee", "local"),
        (0x23, "global.get", "global"), (0x24, "global.set", "global"),
        # Table instructions (2.4.5)
        (0x25, "table.get", "table"), (0x26, "table.set", "table"),
        (0xFC0C, "table.init", "table_init"), (0xFC0D, "elem.drop", "elem"),
        (0xFC0E, "table.copy", "table_copy"), (0xFC0F, "table.grow", "table"),
        (0xFC10, "table.size", "table"), (0xFC11, "table.fill", "table"),
        # Memory instructions (2.4.6)
        (0x3F, "memory.size", "mem"), (0x40, "memory.grow", "mem"),
        (0xFC08, "memory.init", "mem_init"), (0xFC09, "data.drop", "data"),
        (0xFC0A, "memory.copy", "mem"), (0xFC0B, "memory.fill", "mem"),
        # Constants (2.4.1)
        (0x41, "i32.const", "i32"), (0x42, "i64.const", "i64"),
        (0x43, "f32.const", "f32"), (0x44, "f64.const", "f64"),
    ]
    for i, name in enumerate(MEMORY_ACCESS):
        entries.append((0x28 + i, name, "memarg"))
    for code, name in NUMERIC_OPCODES.items():
        entries.append((code, name, "none"))
    return {code: InstrInfo(name, code, imm) for code, name, imm in entries}


#: Loads and stores in opcode order from 0x28: name -> (value type, access width in bits,
#: signed extension or None). Natural alignment is width // 8.
MEMORY_ACCESS: dict[str, tuple[ValType, int, bool | None]] = {
    "i32.load": (I32, 32, None), "i64.load": (I64, 64, None),
    "f32.load": (F32, 32, None), "f64.load": (F64, 64, None),
    "i32.load8_s": (I32, 8, True), "i32.load8_u": (I32, 8, False),
    "i32.load16_s": (I32, 16, True), "i32.load16_u": (I32, 16, False),
    "i64.load8_s": (I64, 8, True), "i64.load8_u": (I64, 8, False),
    "i64.load16_s": (I64, 16, True), "i64.load16_u": (I64, 16, False),
    "i64.load32_s": (I64, 32, True), "i64.load32_u": (I64, 32, False),
    "i32.store": (I32, 32, None), "i64.store": (I64, 64, None),
    "f32.store": (F32, 32, None), "f64.store": (F64, 64, None),
    "i32.store8": (I32, 8, None), "i32.store16": (I32, 16, None),
    "i64.store8": (I64, 8, None), "i64.store16": (I64, 16, None), "i64.store32": (I64, 32, None),
}


Signature = tuple[tuple[ValType, ...], tuple[ValType, ...]]


def _numeric() -> tuple[dict[int, str], dict[str, Signature]]:
    codes: dict[int, str] = {}
    sigs: dict[str, Signature] = {}

    def add(code: int, name: str, params: tuple[ValType, ...],
            results: tuple[ValType, ...]) -> None:
        codes[code] = name
        sigs[name] = (params, results)

    def group(start: int, t: ValType, names: str, params: tuple[ValType, ...],
              results: tuple[ValType, ...]) -> None:
        for i, n in enumerate(names.split()):
            add(start + i, f"{t.value}.{n}", params, results)

    irel = "eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u"
    frel = "eq ne lt gt le ge"
    iun = "clz ctz popcnt"
    ibin = "add sub mul div_s div_u rem_s rem_u and or xor shl shr_s shr_u rotl rotr"
    fun = "abs neg ceil floor trunc nearest sqrt"
    fbin = "add sub mul div min max copysign"
    add(0x45, "i32.eqz", (I32,), (I32,))
    group(0x46, I32, irel, (I32, I32), (I32,))
    add(0x50, "i64.eqz", (I64,), (I32,))
    group(0x51, I64, irel, (I64, I64), (I32,))
    group(0x5B, F32, frel, (F32, F32), (I32,))
    group(0x61, F64, frel, (F64, F64), (I32,))
    group(0x67, I32, iun, (I32,), (I32,))
    group(0x6A, I32, ibin, (I32, I32), (I32,))
    group(0x79, I64, iun, (I64,), (I64,))
    group(0x7C, I64, ibin, (I64, I64), (I64,))
    group(0x8B, F32, fun, (F32,), (F32,))
    group(0x92, F32, fbin, (F32, F32), (F32,))
    group(0x99, F64, fun, (F64,), (F64,))
    group(0xA0, F64, fbin, (F64, F64), (F64,))
    conversions = [
        (0xA7, "i32.wrap_i64", I64, I32), (0xA8, "i32.trunc_f32_s", F32, I32),
        (0xA9, "i32.trunc_f32_u", F32, I32), (0xAA, "i32.trunc_f64_s", F64, I32),
        (0xAB, "i32.trunc_f64_u", F64, I32), (0xAC, "i64.extend_i32_s", I32, I64),
        (0xAD, "i64.extend_i32_u", I32, I64), (0xAE, "i64.trunc_f32_s", F32, I64),
        (0xAF, "i64.trunc_f32_u", F32, I64), (0xB0, "i64.trunc_f64_s", F64, I64),
        (0xB1, "i64.trunc_f64_u", F64, I64), (0xB2, "f32.convert_i32_s", I32, F32),
        (0xB3, "f32.convert_i32_u", I32, F32), (0xB4, "f32.convert_i64_s", I64, F32),
        (0xB5, "f32.convert_i64_u", I64, F32), (0xB6, "f32.demote_f64", F64, F32),
        (0xB7, "f64.convert_i32_s", I32, F64), (0xB8, "f64.convert_i32_u", I32, F64),
        (0xB9, "f64.convert_i64_s", I64, F64), (0xBA, "f64.convert_i64_u", I64, F64),
        (0xBB, "f64.promote_f32", F32, F64), (0xBC, "i32.reinterpret_f32", F32, I32),
        (0xBD, "i64.reinterpret_f64", F64, I64), (0xBE, "f32.reinterpret_i32", I32, F32),
        (0xBF, "f64.reinterpret_i64", I64, F64),
        # Sign-extension operators
        (0xC0, "i32.extend8_s", I32, I32), (0xC1, "i32.extend16_s", I32, I32),
        (0xC2, "i64.extend8_s", I64, I64), (0xC3, "i64.extend16_s", I64, I64),
        (0xC4, "i64.extend32_s", I64, I64),
        # Non-trapping float-to-int conversions
        (0xFC00, "i32.trunc_sat_f32_s", F32, I32), (0xFC01, "i32.trunc_sat_f32_u", F32, I32),
        (0xFC02, "i32.trunc_sat_f64_s", F64, I32), (0xFC03, "i32.trunc_sat_f64_u", F64, I32),
        (0xFC04, "i64.trunc_sat_f32_s", F32, I64), (0xFC05, "i64.trunc_sat_f32_u", F32, I64),
        (0xFC06, "i64.trunc_sat_f64_s", F64, I64), (0xFC07, "i64.trunc_sat_f64_u", F64, I64),
    ]
    for code, name, src, dst in conversions:
        add(code, name, (src,), (dst,))
    return codes, sigs


#: Numeric instructions: opcode -> mnemonic.
#: NUMERIC_SIGNATURES: mnemonic -> (operand types, result types), used by validation.
NUMERIC_OPCODES, NUMERIC_SIGNATURES = _numeric()

#: Every instruction of the profile, by opcode.
INSTRUCTIONS: dict[int, InstrInfo] = _table()

#: Opcode prefixes of instruction sets outside the profile, for clear decode errors.
UNSUPPORTED_PREFIXES = {0xFD: "SIMD (prefix 0xFD)", 0xFE: "threads (prefix 0xFE)",
                        0xFB: "GC (prefix 0xFB)"}
