"""Filler ``numerics``: every numeric instruction at its edges, bit for bit (WebAssembly spec
4.3-4.4.1; spec/wasm.md WASM-PROFILE-1, WASM-ERR-5, WASM-FLOAT-1..3), and the memory and
control instructions whose edge cases are values (WASM-MEM-1).

Contract: ``abi_probe_numeric`` exports each instruction as a function of its own, named by
the instruction (``"i32.shl"(a, b) -> i32``), so a failing transaction names the instruction.
One case per group of instructions; the operands are those where implementations go wrong:
shift and rotate counts at, above and far above the operand width; division and remainder of
the minimum by -1 and by 0 (``rem_s(INT_MIN, -1)`` is 0, ``div_s`` traps); signed and
unsigned readings of the sign bit; counts of zero; signed zeros, NaN payloads, infinities,
ties of rounding; conversions at the boundaries of their ranges. A trap uses the whole gas
limit (RT-ERR-3), so the error kind is what the fixture pins.
"""

from __future__ import annotations

import struct

from supervm_ref.conformance import Case, Tx, Value, contract

AREA = "numerics"
PROBE = "numeric"
I32_MIN, I32_MAX = -(2**31), 2**31 - 1
I64_MIN, I64_MAX = -(2**63), 2**63 - 1
INT = ["WASM-PROFILE-1", "RT-CALL-3"]
TRAPS = [*INT, "WASM-ERR-5", "RT-ERR-3"]
FLOAT = ["WASM-PROFILE-1", "WASM-FLOAT-1", "WASM-FLOAT-2", "WASM-FLOAT-3", "RT-CALL-3"]


def f32(x: float) -> int:
    """The bits of the f32 nearest to ``x``."""
    return int(struct.unpack("<I", struct.pack("<f", x))[0])


def f64(x: float) -> int:
    """The bits of the f64 ``x``."""
    return int(struct.unpack("<Q", struct.pack("<d", x))[0])


# Float operands by their bit patterns (NaN payloads and signed zeros are exact).
F32_NAN, F32_NAN_PAYLOAD, F32_SNAN, F32_NEG_NAN = 0x7FC00000, 0x7FC00123, 0x7FA00001, 0xFFC00000
F64_NAN, F64_NAN_PAYLOAD, F64_SNAN, F64_NEG_NAN = (0x7FF8000000000000, 0x7FF8000000000123,
                                                    0x7FF4000000000001, 0xFFF8000000000000)
F32_EDGES = [f32(0.0), f32(-0.0), f32(-0.5), f32(1.5), f32(2.5), f32(-2.5), 0x7F800000, 0xFF800000,
             0x7F7FFFFF, 0x80000001, f32(8388607.5), F32_NAN_PAYLOAD, F32_SNAN, F32_NEG_NAN]
F64_EDGES = [f64(0.0), f64(-0.0), f64(-0.5), f64(1.5), f64(2.5), f64(-2.5), 0x7FF0000000000000,
             0xFFF0000000000000, 0x7FEFFFFFFFFFFFFF, 0x8000000000000001,
             f64(4503599627370495.5), F64_NAN_PAYLOAD, F64_SNAN, F64_NEG_NAN]
F32_PAIRS = [(f32(0.0), f32(-0.0)), (f32(-0.0), f32(0.0)), (f32(1.0), f32(2.0)),
             (f32(-1.0), f32(0.0)), (f32(1.0), f32(-0.0)), (f32(0.0), f32(0.0)),
             (0x7F800000, 0xFF800000), (0x7F800000, f32(1.0)), (f32(1.0), F32_NAN_PAYLOAD),
             (F32_SNAN, f32(1.0)), (F32_NEG_NAN, F32_NAN), (f32(3.0), f32(-7.0)),
             (0x7F7FFFFF, 0x7F7FFFFF), (0x00000001, f32(0.5))]
F64_PAIRS = [(f64(0.0), f64(-0.0)), (f64(-0.0), f64(0.0)), (f64(1.0), f64(2.0)),
             (f64(-1.0), f64(0.0)), (f64(1.0), f64(-0.0)), (f64(0.0), f64(0.0)),
             (0x7FF0000000000000, 0xFFF0000000000000), (0x7FF0000000000000, f64(1.0)),
             (f64(1.0), F64_NAN_PAYLOAD), (F64_SNAN, f64(1.0)), (F64_NEG_NAN, F64_NAN),
             (f64(3.0), f64(-7.0)), (0x7FEFFFFFFFFFFFFF, 0x7FEFFFFFFFFFFFFF),
             (0x0000000000000001, f64(0.5))]

# Integer operands, signed or unsigned (Value.i32 / Value.i64 wrap them).
I32_UNARY = [0, 1, -1, I32_MIN, I32_MAX, 0x80, 0x7F, 0xFF, 0x8000, 0x7FFF, 0x00F0F000,
             0x12345678, 0x80000001]
I64_UNARY = [0, 1, -1, I64_MIN, I64_MAX, 0x80, 0x7F, 0x8000, 0x7FFF, 0x80000000, 0x7FFFFFFF,
             0xFFFFFFFF, 0x00F0F00000000000, 0x123456789ABCDEF0, 0x8000000000000001]
I32_ARITH = [(I32_MAX, 1), (I32_MIN, -1), (-1, -1), (0x12345678, 0x9ABCDEF0), (0, 0),
             (I32_MIN, I32_MIN), (7, -2)]
I64_ARITH = [(I64_MAX, 1), (I64_MIN, -1), (-1, -1), (0x123456789ABCDEF0, 0x0FEDCBA987654321),
             (0, 0), (I64_MIN, I64_MIN), (7, -2), (0xFFFFFFFF, 0xFFFFFFFF)]
I32_DIV = [(7, 2), (-7, 2), (7, -2), (-7, -2), (I32_MIN, -1), (I32_MIN, 1), (I32_MAX, -1),
           (-1, 2), (0xFFFFFFFE, 3), (5, 0), (0, 0)]
I64_DIV = [(7, 2), (-7, 2), (7, -2), (-7, -2), (I64_MIN, -1), (I64_MIN, 1), (I64_MAX, -1),
           (-1, 2), (0xFFFFFFFFFFFFFFFE, 3), (5, 0), (0, 0)]
I32_COMPARE = [(0, 0), (1, 0), (0, 1), (-1, 0), (0, -1), (I32_MIN, I32_MAX), (I32_MAX, I32_MIN),
               (-1, -1), (I32_MIN, 0), (-2, -1)]
I64_COMPARE = [(0, 0), (1, 0), (0, 1), (-1, 0), (0, -1), (I64_MIN, I64_MAX), (I64_MAX, I64_MIN),
               (-1, -1), (I64_MIN, 0), (-2, -1), (0x80000000, 0x7FFFFFFF)]
I32_BITS = [(0xF0F0F0F0, 0x0FF00FF0), (-1, 0), (I32_MIN, 1)]
I64_BITS = [(0xF0F0F0F0F0F0F0F0, 0x0FF00FF00FF00FF0), (-1, 0), (I64_MIN, 1)]
# Shift and rotate counts: at, above and far above the operand width, and negative.
SHIFT_32 = [0, 1, 31, 32, 33, 63, 64, -1, I32_MIN]
SHIFT_64 = [0, 1, 63, 64, 65, 127, 128, -1, 0x100000001]
SHIFTED_32 = [0x80000001, 0x12345678]
SHIFTED_64 = [0x8000000000000001, 0x123456789ABCDEF0]

# Conversion operands.
TRUNC_F32 = [f32(-1.5), f32(-0.9), f32(0.9), f32(2147483520.0), f32(2147483648.0),
             f32(-2147483648.0), f32(-2147483904.0), f32(4294967040.0), f32(4294967296.0),
             f32(9223371487098961920.0), f32(9223372036854775808.0),
             f32(-9223372036854775808.0), f32(18446742974197923840.0),
             f32(18446744073709551616.0), 0x7F800000, 0xFF800000, F32_NAN, F32_NEG_NAN,
             f32(-0.0)]
TRUNC_F64 = [f64(-1.5), f64(-0.9), f64(0.9), f64(2147483647.9), f64(2147483648.0),
             f64(-2147483648.9), f64(-2147483649.0), f64(4294967295.9), f64(4294967296.0),
             f64(9223372036854774784.0), f64(9223372036854775808.0),
             f64(-9223372036854775808.0), f64(18446744073709549568.0),
             f64(18446744073709551616.0), 0x7FF0000000000000, 0xFFF0000000000000, F64_NAN,
             F64_NEG_NAN, f64(-0.0)]
CONVERT_I32 = [0, 1, -1, I32_MIN, I32_MAX, 16777217, 16777219, 0x80000080]
CONVERT_I64 = [0, 1, -1, I64_MIN, I64_MAX, 16777217, 2**53 + 1, 2**53 + 3,
               2**53 + 2**29 + 1, 0x8000000000000001, 0xFFFFFFFFFFFFFFFF, 0x8000008000000001]
DEMOTE = [f64(1e300), f64(-1e300), f64(3.4028235677973366e38), f64(3.4028234663852886e38),
          f64(1.401298464324817e-45), f64(7e-46), f64(1.0 + 2**-24), f64(1.0 + 3 * 2**-24),
          f64(-0.0), F64_NAN_PAYLOAD, F64_SNAN, F64_NEG_NAN]
PROMOTE = [f32(1.5), f32(-0.0), 0x00000001, 0x7F800000, F32_NAN_PAYLOAD, F32_SNAN, F32_NEG_NAN]

_MAKE = {"i32": Value.i32, "i64": Value.i64, "f32": Value.f32_bits, "f64": Value.f64_bits}


def case(name: str, description: str, rules: list[str], txs: list[Tx]) -> Case:
    """A case of this area on the numeric probe."""
    return Case(f"{AREA}/{name}", description, rules, {PROBE: contract("abi_probe_numeric")},
                {}, txs=txs)


def call(function: str, *args: Value) -> Tx:
    """A transaction calling the probe's export ``function``."""
    return Tx(PROBE, function, list(args))


def applied(instr: str, types: str, operands: list[tuple[int, ...]]) -> list[Tx]:
    """``instr`` applied to each operand tuple (``types`` gives the operand types, e.g.
    ``"i32 i32"``)."""
    makers = [_MAKE[t] for t in types.split()]
    return [call(instr, *(m(x) for m, x in zip(makers, xs))) for xs in operands]


def group(name: str, description: str, rules: list[str], instrs: list[str], types: str,
          operands: list[tuple[int, ...]]) -> Case:
    """One case: each instruction of ``instrs`` applied to each operand tuple."""
    return case(name, description, rules,
                [tx for i in instrs for tx in applied(i, types, operands)])


def integer_cases(t: str) -> list[Case]:
    """Every integer instruction of type ``t`` (spec 4.3.2)."""
    i32 = t == "i32"
    width = 32 if i32 else 64
    unary = [(x,) for x in (I32_UNARY if i32 else I64_UNARY)]
    shifts = [(a, b) for a in (SHIFTED_32 if i32 else SHIFTED_64)
              for b in (SHIFT_32 if i32 else SHIFT_64)]
    two = f"{t} {t}"
    return [
        group(f"{t}_arithmetic", f"{t}.add, sub, mul wrap modulo 2**{width}", INT,
              [f"{t}.{o}" for o in ("add", "sub", "mul")], two, I32_ARITH if i32 else I64_ARITH),
        group(f"{t}_division", f"{t}.div_s, div_u, rem_s, rem_u: every sign combination; the "
              "minimum by -1 (div_s traps INTEGER_OVERFLOW, rem_s is 0); by 0 "
              "INTEGER_DIVIDE_BY_ZERO", TRAPS,
              [f"{t}.{o}" for o in ("div_s", "div_u", "rem_s", "rem_u")], two,
              I32_DIV if i32 else I64_DIV),
        group(f"{t}_bitwise", f"{t}.and, or, xor", INT,
              [f"{t}.{o}" for o in ("and", "or", "xor")], two, I32_BITS if i32 else I64_BITS),
        group(f"{t}_shifts", f"{t}.shl, shr_s, shr_u, rotl, rotr: the count is taken modulo "
              f"{width}: counts 0, 1, {width - 1}, {width}, {width + 1}, far above and "
              "negative, of a value with both end bits set", INT,
              [f"{t}.{o}" for o in ("shl", "shr_s", "shr_u", "rotl", "rotr")], two, shifts),
        group(f"{t}_comparisons", f"{t} comparisons around the sign bit, where the signed and "
              "unsigned readings differ", INT,
              [f"{t}.{o}" for o in ("eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u",
                                    "ge_s", "ge_u")], two, I32_COMPARE if i32 else I64_COMPARE),
        group(f"{t}_unary", f"{t}.eqz, clz, ctz, popcnt and the sign extensions of 0, the sign "
              "bit and the bytes around it", INT,
              [f"{t}.{o}" for o in ("eqz", "clz", "ctz", "popcnt", "extend8_s", "extend16_s",
                                    *(() if i32 else ("extend32_s",)))], t, unary),
    ]


def float_cases(t: str) -> list[Case]:
    """Every float instruction of type ``t`` (spec 4.3.3): NaN results are the positive
    canonical NaN (WASM-FLOAT-2), abs/neg/copysign only touch the sign bit (WASM-FLOAT-1)."""
    pairs = F32_PAIRS if t == "f32" else F64_PAIRS
    edges = [(x,) for x in (F32_EDGES if t == "f32" else F64_EDGES)]
    two = f"{t} {t}"
    return [
        group(f"{t}_arithmetic", f"{t}.add, sub, mul, div, min, max, copysign with signed "
              "zeros, infinities, NaN payloads, overflow and underflow", FLOAT,
              [f"{t}.{o}" for o in ("add", "sub", "mul", "div", "min", "max", "copysign")],
              two, pairs),
        group(f"{t}_comparisons", f"{t} comparisons: false with a NaN (ne: true), -0 = +0",
              FLOAT, [f"{t}.{o}" for o in ("eq", "ne", "lt", "gt", "le", "ge")], two, pairs),
        group(f"{t}_unary", f"{t}.abs, neg, ceil, floor, trunc, nearest, sqrt of zeros, halves "
              "(ties to even), infinities, the extreme values and NaNs", FLOAT,
              [f"{t}.{o}" for o in ("abs", "neg", "ceil", "floor", "trunc", "nearest", "sqrt")],
              t, edges),
    ]


def conversion_cases() -> list[Case]:
    """Every conversion (spec 4.3.4) at the edges of its range."""
    trunc32 = [(x,) for x in TRUNC_F32]
    trunc64 = [(x,) for x in TRUNC_F64]
    ints = [(r, f, s) for r in ("i32", "i64") for f in ("f32", "f64") for s in ("s", "u")]
    return [
        case("integer_width", "i32.wrap_i64 keeps the low 32 bits; i64.extend_i32_s and _u",
             INT, [*applied("i32.wrap_i64", "i64", [(x,) for x in I64_UNARY]),
                   *applied("i64.extend_i32_s", "i32", [(x,) for x in I32_UNARY]),
                   *applied("i64.extend_i32_u", "i32", [(x,) for x in I32_UNARY])]),
        case("float_width", "f32.demote_f64: overflow to infinity, subnormals, ties, NaN "
             "payloads become canonical; f64.promote_f32: exact, NaNs canonical", FLOAT,
             [*applied("f32.demote_f64", "f64", [(x,) for x in DEMOTE]),
              *applied("f64.promote_f32", "f32", [(x,) for x in PROMOTE])]),
        case("trunc", "every trapping float-to-integer conversion at the bounds of its range: "
             "INTEGER_OVERFLOW outside, INVALID_CONVERSION for NaN", [*TRAPS, *FLOAT],
             [tx for r, f, s in ints
              for tx in applied(f"{r}.trunc_{f}_{s}", f, trunc32 if f == "f32" else trunc64)]),
        case("trunc_sat", "every saturating float-to-integer conversion at the bounds of its "
             "range: the nearest bound outside, 0 for NaN", FLOAT,
             [tx for r, f, s in ints
              for tx in applied(f"{r}.trunc_sat_{f}_{s}", f, trunc32 if f == "f32" else trunc64)]),
        case("convert", "every integer-to-float conversion: rounding to nearest, ties to even "
             "(without rounding twice), signed and unsigned readings", FLOAT,
             [tx for f in ("f32", "f64") for i, operands in (("i32", CONVERT_I32),
                                                               ("i64", CONVERT_I64))
              for s in ("s", "u") for tx in applied(f"{f}.convert_{i}_{s}", i,
                                                 [(x,) for x in operands])]),
        case("reinterpret", "reinterpretations keep every bit, NaN payloads included", FLOAT,
             [*applied("i32.reinterpret_f32", "f32", [(x,) for x in F32_EDGES]),
              *applied("i64.reinterpret_f64", "f64", [(x,) for x in F64_EDGES]),
              *applied("f32.reinterpret_i32", "i32", [(x,) for x in F32_EDGES]),
              *applied("f64.reinterpret_i64", "i64", [(x,) for x in F64_EDGES])]),
    ]


def memory_control_cases() -> list[Case]:
    """Memory and control instructions whose edge cases are values (spec 4.4.4, 4.4.7,
    4.4.8)."""
    mem = ["WASM-PROFILE-1", "WASM-MEM-1", "RT-CALL-3"]
    i32 = Value.i32
    return [
        case("memory.fill", "memory.fill of 4 bytes at 2 with 0xAB, with 0x1FF (the low 8 "
             "bits: 0xFF), of 0 bytes, and reaching past memory (MEMORY_OUT_OF_BOUNDS, "
             "nothing written)", [*mem, "WASM-ERR-5"],
             [call("memory.fill", i32(2), i32(0xAB), i32(4)),
              call("memory.fill", i32(0), i32(0x1FF), i32(16)),
              call("memory.fill", i32(5), i32(0xAB), i32(0)),
              call("memory.fill", i32(65530), i32(1), i32(7))]),
        case("memory.copy", "memory.copy forward and backward over overlapping ranges, of 0 "
             "bytes, and from past memory (MEMORY_OUT_OF_BOUNDS)", [*mem, "WASM-ERR-5"],
             [call("memory.copy", i32(2), i32(0), i32(8)),
              call("memory.copy", i32(0), i32(2), i32(8)),
              call("memory.copy", i32(3), i32(3), i32(5)),
              call("memory.copy", i32(0), i32(9), i32(0)),
              call("memory.copy", i32(0), i32(65535), i32(2))]),
        case("load_offset", "i64.load offset=3 at 0, 1 and 65525 (the last that fits) and "
             "65526 (MEMORY_OUT_OF_BOUNDS)", [*mem, "WASM-ERR-5"],
             [call("i64.load offset=3", i32(a)) for a in (0, 1, 65525, 65526)]),
        case("narrow_loads", "narrow loads sign- or zero-extend: i32.load8_s, i32.load16_u, "
             "i64.load32_s of the bytes 80 ff 7f 00 ff ff ff ff", mem,
             [*(call("i32.load8_s", i32(a)) for a in (16, 17, 18)),
              *(call("i32.load16_u", i32(a)) for a in (16, 17)),
              *(call("i64.load32_s", i32(a)) for a in (16, 20))]),
        case("narrow_store", "i64.store16 writes the low 16 bits only", mem,
             [call("i64.store16", i32(0), Value.i64(v)) for v in (0xABCD, -1, 0x12345)]),
        case("br_table", "br_table with 3 labels and a default: indices 0, 1, 2, then 3, 4 "
             "and 2**32 - 1 take the default", ["WASM-PROFILE-1", "RT-CALL-3"],
             [call("br_table", i32(i)) for i in (0, 1, 2, 3, 4, -1)]),
        case("select", "select keeps the first value for any non-zero condition",
             ["WASM-PROFILE-1", "RT-CALL-3"],
             [call("select", i32(1), i32(2), i32(c)) for c in (0, 1, -1, I32_MIN)]),
        case("global.set", "global.set stores into a mutable global (initially 5) that "
             "global.get then reads", ["WASM-PROFILE-1", "RT-CALL-3"],
             [call("global.set", i32(x)) for x in (7, -1)]),
        case("branch_value", "branches carry their label's result value and cut the stack "
             "below it: br_if out of two blocks gives 107, br out of the inner one 109",
             ["WASM-PROFILE-1", "RT-CALL-3"],
             [call("branch_value", i32(x)) for x in (1, 0, -1)]),
    ]


def cases() -> list[Case]:
    """Every numerics case."""
    return [*integer_cases("i32"), *integer_cases("i64"), *float_cases("f32"),
            *float_cases("f64"), *conversion_cases(), *memory_control_cases()]
