"""Tests of the numeric operators (WebAssembly spec section 4.3).

Two kinds of checks:

- properties (hypothesis) against independent references: Python's unbounded integers reduced
  modulo 2**N, Python's IEEE doubles, and exact rational arithmetic (`fractions.Fraction`)
  rounded to f32 by a reference rounding written here;
- every ``assert_return`` / ``assert_trap`` of the official suite files that test one operator
  per exported function (i32, i64, f32, f32_cmp, f32_bitwise, f64, f64_cmp, f64_bitwise,
  conversions), applied directly to the operator each numeric instruction applies
  (`supervm_ref.wasm.exec.instructions.numeric.NUMERIC`).
"""

from __future__ import annotations

import inspect
import json
import math
import re
import struct
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from supervm_ref.wasm.errors import Trap, TrapKind
from supervm_ref.wasm.exec.instructions.numeric import NUMERIC, binop, relop
from supervm_ref.wasm.exec.numerics import (
    F32_CANONICAL_NAN,
    F64_CANONICAL_NAN,
    f32_to_float,
    f64_to_float,
    float_to_f32,
    float_to_f64,
    int_to_f32,
)
from supervm_ref.wasm.structure.instructions import NUMERIC_SIGNATURES
from supervm_ref.wasm.structure.types import BIT_WIDTH, ValType

from ..support import external_dir

#: Mnemonic -> the operator (spec 4.3) the instruction applies.
OPS: dict[str, Callable[..., int]] = {name: op for name, (_, op) in NUMERIC.items()}

# ---------------------------------------------------------------------------------------------
# Strategies


def _edges(n: int) -> list[int]:
    top = 1 << (n - 1)
    return [0, 1, 2, top - 1, top, top + 1, (1 << n) - 2, (1 << n) - 1]


def ints(n: int) -> st.SearchStrategy[int]:
    """Payloads of an n-bit integer, biased toward the edges of the signed/unsigned ranges."""
    return st.one_of(st.sampled_from(_edges(n)), st.integers(0, (1 << n) - 1))


def _f32_bits(x: float) -> int:
    return int(struct.unpack("<I", struct.pack("<f", x))[0])


def _f64_bits(x: float) -> int:
    return int(struct.unpack("<Q", struct.pack("<d", x))[0])


_F32_SPECIAL = [0x0, 0x80000000, 0x1, 0x80000001, 0x7F7FFFFF, 0xFF7FFFFF, 0x7F800000,
                0xFF800000, 0x3F800000, 0xBF000000, 0x3F000000, 0x7FC00000, 0xFFC00000,
                0x7FA00000, 0x7F800001, 0x00800000, 0x007FFFFF]
_F64_SPECIAL = [0x0, 1 << 63, 0x1, (1 << 63) | 1, 0x7FEFFFFFFFFFFFFF, 0x7FF0000000000000,
                0xFFF0000000000000, 0x3FF0000000000000, 0x3FE0000000000000, 0xBFE0000000000000,
                0x7FF8000000000000, 0xFFF8000000000000, 0x7FF4000000000000, 0x7FF0000000000001,
                0x0010000000000000, 0x000FFFFFFFFFFFFF]


def f32s() -> st.SearchStrategy[int]:
    """f32 payloads: any bit pattern, numbers spread over the range, and special values."""
    return st.one_of(st.sampled_from(_F32_SPECIAL), st.integers(0, 0xFFFFFFFF),
                     st.floats(width=32, allow_nan=False).map(_f32_bits))


def f64s() -> st.SearchStrategy[int]:
    """f64 payloads: any bit pattern, numbers spread over the range, and special values."""
    return st.one_of(st.sampled_from(_F64_SPECIAL), st.integers(0, (1 << 64) - 1),
                     st.floats(allow_nan=False).map(_f64_bits))


def payloads(t: ValType) -> st.SearchStrategy[int]:
    """Payloads of a number type."""
    return {ValType.I32: ints(32), ValType.I64: ints(64), ValType.F32: f32s(),
            ValType.F64: f64s()}[t]


def f32_nans() -> st.SearchStrategy[int]:
    """Any f32 NaN: either sign, quiet or signalling, any payload."""
    return st.tuples(st.booleans(), st.integers(1, (1 << 23) - 1)).map(
        lambda sp: (sp[0] << 31) | 0x7F800000 | sp[1])


def f64_nans() -> st.SearchStrategy[int]:
    """Any f64 NaN: either sign, quiet or signalling, any payload."""
    return st.tuples(st.booleans(), st.integers(1, (1 << 52) - 1)).map(
        lambda sp: (sp[0] << 63) | 0x7FF0000000000000 | sp[1])


def _signed(i: int, n: int) -> int:
    return i - (1 << n) if i >= 1 << (n - 1) else i


def _is_nan32(z: int) -> bool:
    return (z & 0x7F800000) == 0x7F800000 and (z & 0x7FFFFF) != 0


def _is_nan64(z: int) -> bool:
    return (z & 0x7FF0000000000000) == 0x7FF0000000000000 and (z & ((1 << 52) - 1)) != 0


# ---------------------------------------------------------------------------------------------
# Reference f32 rounding of an exact rational (independent of the engine's algorithm)


def round_to_f32(q: Fraction) -> int:
    """The f32 bit pattern nearest to the nonzero rational ``q``, ties to even (IEEE 754)."""
    sign = 0x80000000 if q < 0 else 0
    a = abs(q)
    # e with 2**e <= a < 2**(e+1)
    e = a.numerator.bit_length() - a.denominator.bit_length()
    if Fraction(2) ** e > a:
        e -= 1
    e = max(e, -126)  # below the normal range the spacing stays 2**-149
    ulp = Fraction(2) ** (e - 23)
    m = round(a / ulp)  # Fraction.__round__ rounds half to even
    value = m * ulp
    if value >= 2**128:
        return sign | 0x7F800000
    return sign | _f32_bits(float(value))  # value is an f32, so exactly a double


# ---------------------------------------------------------------------------------------------
# The operator table


def test_every_numeric_instruction_has_an_operator_of_the_right_arity() -> None:
    assert set(OPS) == set(NUMERIC_SIGNATURES)
    assert len(OPS) == 136
    for name, (params, _results) in NUMERIC_SIGNATURES.items():
        assert len(inspect.signature(OPS[name]).parameters) == len(params), name
        rule, _ = NUMERIC[name]
        assert (rule in (binop, relop)) == (len(params) == 2), name


_ALLOWED_TRAPS = {TrapKind.INTEGER_DIVIDE_BY_ZERO, TrapKind.INTEGER_OVERFLOW,
                  TrapKind.INVALID_CONVERSION}


@st.composite
def _application(draw: Any) -> tuple[str, tuple[int, ...]]:
    name = draw(st.sampled_from(sorted(NUMERIC_SIGNATURES)))
    params, _ = NUMERIC_SIGNATURES[name]
    return name, tuple(draw(payloads(t)) for t in params)


@settings(max_examples=800)
@given(_application())
def test_results_are_payloads_of_the_result_type(app: tuple[str, tuple[int, ...]]) -> None:
    name, args = app
    (result_type,) = NUMERIC_SIGNATURES[name][1]
    try:
        r = OPS[name](*args)
    except Trap as trap:
        assert trap.trap_kind in _ALLOWED_TRAPS
        return
    assert type(r) is int
    assert 0 <= r < 1 << BIT_WIDTH[result_type]


# ---------------------------------------------------------------------------------------------
# Integers (spec 4.3.2) against Python's unbounded arithmetic


def _int_reference(op: str, a: int, b: int, n: int) -> int | TrapKind:
    m = (1 << n) - 1
    sa, sb = _signed(a, n), _signed(b, n)
    k = b % n
    if op in ("div_u", "rem_u", "div_s", "rem_s") and b == 0:
        return TrapKind.INTEGER_DIVIDE_BY_ZERO
    ref: dict[str, Callable[[], int | TrapKind]] = {
        "add": lambda: (a + b) % (1 << n),
        "sub": lambda: (a - b) % (1 << n),
        "mul": lambda: (a * b) % (1 << n),
        "div_u": lambda: a // b,
        "rem_u": lambda: a % b,
        "div_s": lambda: (TrapKind.INTEGER_OVERFLOW if sa == -(1 << (n - 1)) and sb == -1
                          else int(Fraction(sa, sb)) % (1 << n)),
        "rem_s": lambda: (sa - sb * int(Fraction(sa, sb))) % (1 << n),
        "and": lambda: a & b,
        "or": lambda: a | b,
        "xor": lambda: a ^ b,
        "shl": lambda: (a * 2**k) % (1 << n),
        "shr_u": lambda: a // 2**k,
        "shr_s": lambda: math.floor(Fraction(sa, 2**k)) % (1 << n),
        "rotl": lambda: int((format(a, f"0{n}b") * 2)[k:k + n], 2),
        "rotr": lambda: int((format(a, f"0{n}b") * 2)[n - k:2 * n - k], 2),
        "eq": lambda: int(a == b), "ne": lambda: int(a != b),
        "lt_u": lambda: int(a < b), "gt_u": lambda: int(a > b),
        "le_u": lambda: int(a <= b), "ge_u": lambda: int(a >= b),
        "lt_s": lambda: int(sa < sb), "gt_s": lambda: int(sa > sb),
        "le_s": lambda: int(sa <= sb), "ge_s": lambda: int(sa >= sb),
    }
    r = ref[op]()
    return r if isinstance(r, TrapKind) else r & m


_INT_BINARY = ["add", "sub", "mul", "div_u", "rem_u", "div_s", "rem_s", "and", "or", "xor",
               "shl", "shr_u", "shr_s", "rotl", "rotr", "eq", "ne", "lt_u", "gt_u", "le_u",
               "ge_u", "lt_s", "gt_s", "le_s", "ge_s"]


@pytest.mark.parametrize("n", [32, 64])
@pytest.mark.parametrize("op", _INT_BINARY)
@settings(max_examples=100)
@given(data=st.data())
def test_integer_binary_operators_match_unbounded_arithmetic(op: str, n: int,
                                                              data: st.DataObject) -> None:
    a = data.draw(ints(n))
    b = data.draw(st.one_of(ints(n), st.just(a), st.integers(0, 2 * n)))
    expected = _int_reference(op, a, b, n)
    fn = OPS[f"i{n}.{op}"]
    if isinstance(expected, TrapKind):
        with pytest.raises(Trap) as info:
            fn(a, b)
        assert info.value.trap_kind is expected
    else:
        assert fn(a, b) == expected


@pytest.mark.parametrize("n", [32, 64])
def test_signed_division_edge_cases(n: int) -> None:
    int_min, minus_one = 1 << (n - 1), (1 << n) - 1
    with pytest.raises(Trap) as info:
        OPS[f"i{n}.div_s"](int_min, minus_one)
    assert info.value.trap_kind is TrapKind.INTEGER_OVERFLOW
    assert OPS[f"i{n}.rem_s"](int_min, minus_one) == 0
    for op in ("div_s", "div_u", "rem_s", "rem_u"):
        with pytest.raises(Trap) as info:
            OPS[f"i{n}.{op}"](int_min, 0)
        assert info.value.trap_kind is TrapKind.INTEGER_DIVIDE_BY_ZERO
    # truncation toward zero, remainder with the sign of the dividend
    assert OPS[f"i{n}.div_s"]((-7) % (1 << n), 2) == (-3) % (1 << n)
    assert OPS[f"i{n}.rem_s"]((-7) % (1 << n), 2) == (-1) % (1 << n)
    assert OPS[f"i{n}.rem_s"](7, (-2) % (1 << n)) == 1


@pytest.mark.parametrize("n", [32, 64])
@settings(max_examples=200)
@given(data=st.data())
def test_integer_unary_operators(n: int, data: st.DataObject) -> None:
    i = data.draw(st.one_of(ints(n), st.integers(0, n).map(lambda k: (1 << k) >> 1)))
    bits = format(i, f"0{n}b")
    assert OPS[f"i{n}.clz"](i) == len(bits) - len(bits.lstrip("0"))
    assert OPS[f"i{n}.ctz"](i) == len(bits) - len(bits.rstrip("0"))
    assert OPS[f"i{n}.popcnt"](i) == bits.count("1")
    assert OPS[f"i{n}.eqz"](i) == (1 if i == 0 else 0)
    widths = (8, 16) if n == 32 else (8, 16, 32)
    for w in widths:
        low = i % (1 << w)
        assert OPS[f"i{n}.extend{w}_s"](i) == _signed(low, w) % (1 << n)


@settings(max_examples=200)
@given(ints(64), ints(32))
def test_integer_width_conversions(i64: int, i32: int) -> None:
    assert OPS["i32.wrap_i64"](i64) == i64 % 2**32
    assert OPS["i64.extend_i32_s"](i32) == _signed(i32, 32) % 2**64
    assert OPS["i64.extend_i32_u"](i32) == i32


# ---------------------------------------------------------------------------------------------
# Floats (spec 4.3.3)

_ARITH = {"add": lambda x, y: x + y, "sub": lambda x, y: x - y, "mul": lambda x, y: x * y,
          "div": lambda x, y: x / y}


@pytest.mark.parametrize("op", sorted(_ARITH))
@settings(max_examples=300)
@given(f64s(), f64s())
def test_f64_arithmetic_matches_python_floats(op: str, z1: int, z2: int) -> None:
    x, y = f64_to_float(z1), f64_to_float(z2)
    try:
        expected = _ARITH[op](x, y)
    except ZeroDivisionError:  # IEEE 754: x/0 is an infinity, 0/0 and NaN/0 NaN
        expected = math.nan if x != x or x == 0 else math.copysign(math.inf, x) * \
            math.copysign(1.0, y)
    r = OPS[f"f64.{op}"](z1, z2)
    if expected != expected:
        assert r == F64_CANONICAL_NAN
    else:
        assert r == _f64_bits(expected)


@pytest.mark.parametrize("op", sorted(_ARITH))
@settings(max_examples=300)
@given(f32s(), f32s())
def test_f32_arithmetic_is_correctly_rounded(op: str, z1: int, z2: int) -> None:
    """WASM-FLOAT-3: f32 arithmetic is rounded once, to nearest even, in single precision."""
    assume(not _is_nan32(z1) and not _is_nan32(z2))
    x, y = f32_to_float(z1), f32_to_float(z2)
    assume(math.isfinite(x) and math.isfinite(y) and not (op == "div" and y == 0))
    exact = _ARITH[op](Fraction(x), Fraction(y))
    assume(exact != 0)  # the sign of an exact zero is checked against the suite
    assert OPS[f"f32.{op}"](z1, z2) == round_to_f32(exact)


@settings(max_examples=300)
@given(f32s())
def test_f32_sqrt_is_correctly_rounded(z: int) -> None:
    assume(not _is_nan32(z))
    x = f32_to_float(z)
    r = OPS["f32.sqrt"](z)
    if x < 0:
        assert r == F32_CANONICAL_NAN
    elif x == 0 or math.isinf(x):
        assert r == z
    else:
        # r is the nearest f32 to sqrt(x): compare squares against neighbour midpoints
        assert not _is_nan32(r) and r < 0x7F800000
        root = Fraction(f32_to_float(r))
        below, above = Fraction(f32_to_float(r - 1)), Fraction(f32_to_float(r + 1))
        q = Fraction(x)
        assert ((root + below) / 2) ** 2 <= q <= ((root + above) / 2) ** 2


@pytest.mark.parametrize("n", [32, 64])
@settings(max_examples=200)
@given(data=st.data())
def test_nan_results_are_positive_canonical(n: int, data: st.DataObject) -> None:
    nan = data.draw(f32_nans() if n == 32 else f64_nans())
    other = data.draw(f32s() if n == 32 else f64s())
    canonical = F32_CANONICAL_NAN if n == 32 else F64_CANONICAL_NAN
    for op in ("add", "sub", "mul", "div", "min", "max"):
        assert OPS[f"f{n}.{op}"](nan, other) == canonical
        assert OPS[f"f{n}.{op}"](other, nan) == canonical
    for op in ("sqrt", "ceil", "floor", "trunc", "nearest"):
        assert OPS[f"f{n}.{op}"](nan) == canonical
    if n == 32:
        assert OPS["f64.promote_f32"](nan) == F64_CANONICAL_NAN
    else:
        assert OPS["f32.demote_f64"](nan) == F32_CANONICAL_NAN
    inf = 0x7F800000 if n == 32 else 0x7FF0000000000000
    sign = 1 << (n - 1)
    assert OPS[f"f{n}.sub"](inf, inf) == canonical
    assert OPS[f"f{n}.mul"](inf, 0) == canonical
    assert OPS[f"f{n}.div"](0, sign) == canonical
    assert OPS[f"f{n}.sqrt"](sign | inf) == canonical


@pytest.mark.parametrize("n", [32, 64])
@settings(max_examples=200)
@given(data=st.data())
def test_sign_operators_keep_nan_payloads(n: int, data: st.DataObject) -> None:
    z = data.draw(st.one_of(f32_nans(), f32s()) if n == 32 else st.one_of(f64_nans(), f64s()))
    s = data.draw(f32s() if n == 32 else f64s())
    sign = 1 << (n - 1)
    assert OPS[f"f{n}.abs"](z) == z & ~sign
    assert OPS[f"f{n}.neg"](z) == z ^ sign
    assert OPS[f"f{n}.copysign"](z, s) == (z & ~sign) | (s & sign)
    it, ft = ("i32", "f32") if n == 32 else ("i64", "f64")
    assert OPS[f"{it}.reinterpret_{ft}"](z) == z
    assert OPS[f"{ft}.reinterpret_{it}"](z) == z


@pytest.mark.parametrize("n", [32, 64])
@settings(max_examples=300)
@given(data=st.data())
def test_comparisons_match_ieee(n: int, data: st.DataObject) -> None:
    gen = f32s() if n == 32 else f64s()
    z1 = data.draw(st.one_of(gen, f32_nans() if n == 32 else f64_nans()))
    z2 = data.draw(st.one_of(gen, st.just(z1), st.just(z1 ^ (1 << (n - 1)))))
    x, y = (f32_to_float(z1), f32_to_float(z2)) if n == 32 else (f64_to_float(z1),
                                                                f64_to_float(z2))
    nan = (_is_nan32 if n == 32 else _is_nan64)
    unordered = nan(z1) or nan(z2)
    for op, fn in (("eq", lambda a, b: a == b), ("lt", lambda a, b: a < b),
                   ("gt", lambda a, b: a > b), ("le", lambda a, b: a <= b),
                   ("ge", lambda a, b: a >= b)):
        expected = 0 if unordered else int(fn(x, y))
        assert OPS[f"f{n}.{op}"](z1, z2) == expected
    assert OPS[f"f{n}.ne"](z1, z2) == (1 if unordered else int(x != y))


@pytest.mark.parametrize("n", [32, 64])
def test_min_max_signed_zeros(n: int) -> None:
    pos, neg = 0, 1 << (n - 1)
    for a, b in ((pos, neg), (neg, pos)):
        assert OPS[f"f{n}.min"](a, b) == neg
        assert OPS[f"f{n}.max"](a, b) == pos
    assert OPS[f"f{n}.min"](neg, neg) == neg
    assert OPS[f"f{n}.max"](pos, pos) == pos


@pytest.mark.parametrize("n", [32, 64])
@settings(max_examples=300)
@given(data=st.data())
def test_min_max_against_comparison(n: int, data: st.DataObject) -> None:
    gen = f32s() if n == 32 else f64s()
    z1, z2 = data.draw(gen), data.draw(gen)
    nan = _is_nan32 if n == 32 else _is_nan64
    assume(not nan(z1) and not nan(z2))
    lo, hi = OPS[f"f{n}.min"](z1, z2), OPS[f"f{n}.max"](z1, z2)
    assert {lo, hi} <= {z1, z2} | {0, 1 << (n - 1)}
    assert OPS[f"f{n}.le"](lo, hi) == 1
    assert OPS[f"f{n}.le"](lo, z1) == 1 and OPS[f"f{n}.ge"](hi, z2) == 1


_ROUNDINGS: dict[str, Callable[[float], int]] = {
    "ceil": math.ceil, "floor": math.floor, "trunc": math.trunc, "nearest": round}


@pytest.mark.parametrize("op", sorted(_ROUNDINGS))
@pytest.mark.parametrize("n", [32, 64])
@settings(max_examples=300)
@given(data=st.data())
@example(data=None)
def test_rounding_to_integral(op: str, n: int, data: st.DataObject | None) -> None:
    read = f32_to_float if n == 32 else f64_to_float
    write = float_to_f32 if n == 32 else float_to_f64
    if data is None:  # explicit cases: halves, signed zeros, huge values
        cases = [write(v) for v in (0.5, -0.5, 1.5, 2.5, -2.5, -0.0, 0.0, 1e30, -1e30,
                                    math.inf, -math.inf, 4503599627370497.0, 8388609.0)]
    else:
        z = data.draw(f32s() if n == 32 else f64s())
        assume(not (_is_nan32(z) if n == 32 else _is_nan64(z)))
        cases = [z]
    for z in cases:
        x = read(z)
        r = OPS[f"f{n}.{op}"](z)
        if math.isinf(x):
            assert r == z
            continue
        expected = _ROUNDINGS[op](x)
        assert read(r) == expected
        if expected == 0:  # the sign of a zero result is the sign of the operand
            assert r >> (n - 1) == z >> (n - 1)


# ---------------------------------------------------------------------------------------------
# Representation and conversions (spec 4.3.1, 4.3.4)


@settings(max_examples=200)
@given(f32s())
def test_f32_bits_round_trip(z: int) -> None:
    if _is_nan32(z):
        assert float_to_f32(f32_to_float(z)) == F32_CANONICAL_NAN
    else:
        assert float_to_f32(f32_to_float(z)) == z
        promoted = OPS["f64.promote_f32"](z)
        assert f64_to_float(promoted) == f32_to_float(z)
        assert OPS["f32.demote_f64"](promoted) == z


@settings(max_examples=200)
@given(f64s())
def test_f64_bits_round_trip_and_demote(z: int) -> None:
    if _is_nan64(z):
        assert float_to_f64(f64_to_float(z)) == F64_CANONICAL_NAN
        return
    assert float_to_f64(f64_to_float(z)) == z
    x = f64_to_float(z)
    r = OPS["f32.demote_f64"](z)
    sign = (z >> 32) & 0x80000000
    if x == 0:
        assert r == sign
    elif math.isinf(x):
        assert r == sign | 0x7F800000
    else:
        assert r == round_to_f32(Fraction(x))


def test_float_to_f32_overflow_is_infinity() -> None:
    assert float_to_f32(1e300) == 0x7F800000
    assert float_to_f32(-1e300) == 0xFF800000
    # the largest f32, and the midpoint to 2**128 which rounds (to even) to infinity
    assert float_to_f32(3.4028234663852886e38) == 0x7F7FFFFF
    assert float_to_f32(2.0**128 - 2.0**103) == 0x7F800000
    assert float_to_f32(2.0**128 - 2.0**103 - 2.0**80) == 0x7F7FFFFF


@settings(max_examples=800)
@given(st.one_of(st.integers(-(2**64), 2**64),
                 st.tuples(st.integers(24, 64), st.integers(0, 2**40)).map(
                     lambda t: (1 << t[0]) + t[1]),
                 # exact ties between two f32 (even or odd significand), and just off them
                 st.tuples(st.integers(25, 64), st.integers(0, 1), st.integers(-1, 1)).map(
                     lambda t: (1 << t[0]) + t[1] * (1 << (t[0] - 23)) + (1 << (t[0] - 24))
                     + t[2])))
@example(9007199791611905)  # 2**53 + 2**29 + 1: wrong when rounded through a double
@example(-9007199791611905)
@example(2**64 - 1)
@example(0)
def test_int_to_f32_is_correctly_rounded(n: int) -> None:
    """WASM-FLOAT-3: integers convert to f32 with one correct rounding (no double rounding)."""
    r = int_to_f32(n)
    if n == 0:
        assert r == 0
    else:
        assert r == round_to_f32(Fraction(n))


@settings(max_examples=200)
@given(ints(64), ints(32))
def test_integer_to_float_conversions(i64: int, i32: int) -> None:
    assert OPS["f32.convert_i64_u"](i64) == (round_to_f32(Fraction(i64)) if i64 else 0)
    s64 = _signed(i64, 64)
    assert OPS["f32.convert_i64_s"](i64) == (round_to_f32(Fraction(s64)) if s64 else 0)
    assert OPS["f32.convert_i32_s"](i32) == _f32_bits(float(_signed(i32, 32)))
    assert OPS["f32.convert_i32_u"](i32) == _f32_bits(float(i32))  # i32 is exact in a double
    assert OPS["f64.convert_i64_s"](i64) == _f64_bits(float(Fraction(s64)))
    assert OPS["f64.convert_i64_u"](i64) == _f64_bits(float(Fraction(i64)))
    assert OPS["f64.convert_i32_s"](i32) == _f64_bits(float(_signed(i32, 32)))
    assert OPS["f64.convert_i32_u"](i32) == _f64_bits(float(i32))


_TRUNCS = [(f"i{n}.trunc{sat}_f{m}_{s}", n, m, s == "s", sat == "_sat")
           for n in (32, 64) for m in (32, 64) for s in ("s", "u") for sat in ("", "_sat")]


@pytest.mark.parametrize(("name", "n", "m", "signed", "sat"), _TRUNCS)
@settings(max_examples=150)
@given(data=st.data())
def test_float_to_integer_truncation(name: str, n: int, m: int, signed: bool, sat: bool,
                                     data: st.DataObject) -> None:
    low, high = (-(1 << (n - 1)), (1 << (n - 1)) - 1) if signed else (0, (1 << n) - 1)
    write = float_to_f32 if m == 32 else float_to_f64
    z = data.draw(st.one_of(
        f32s() if m == 32 else f64s(),
        f32_nans() if m == 32 else f64_nans(),
        st.sampled_from([low, high, low - 1, high + 1, 0]).map(
            lambda v: write(float(v))),
        st.floats(min_value=low - 2.0, max_value=high + 2.0).map(write)))
    x = f32_to_float(z) if m == 32 else f64_to_float(z)
    fn = OPS[name]
    if x != x:
        if sat:
            assert fn(z) == 0
        else:
            with pytest.raises(Trap) as info:
                fn(z)
            assert info.value.trap_kind is TrapKind.INVALID_CONVERSION
        return
    t = None if math.isinf(x) else math.trunc(x)
    if t is not None and low <= t <= high:
        assert fn(z) == t % (1 << n)
    elif sat:
        assert fn(z) == (low if x < 0 else high) % (1 << n)
    else:
        with pytest.raises(Trap) as info:
            fn(z)
        assert info.value.trap_kind is TrapKind.INTEGER_OVERFLOW


# ---------------------------------------------------------------------------------------------
# The official suite: one operator per exported function

SUITE_FILES = ["i32", "i64", "f32", "f32_cmp", "f32_bitwise", "f64", "f64_cmp", "f64_bitwise",
               "conversions"]
_EXTERNAL = external_dir()
_SUITE = _EXTERNAL / "wasm-testsuite"
_EXPORT = re.compile(r'\(func \(export "([^"]+)"\)[^\n]*?\(([a-z0-9]+\.[a-z0-9_]+) \(local\.get')


def _operator_names(name: str) -> dict[str, str]:
    """Export name -> mnemonic, read from the .wast source of the suite file when present."""
    wast = _SUITE / "wast" / f"{name}.wast"
    if not wast.is_file():
        return {}
    return dict(_EXPORT.findall(wast.read_text()))


def _infer_operator(suite: str, export: str) -> str:
    """Export name -> mnemonic from naming conventions: ``conversions`` exports the mnemonic
    itself; the others export the operator without its type (``f32_cmp`` "lt" -> ``f32.lt``)."""
    return export if "." in export else f"{suite.split('_')[0]}.{export}"


def _payload(v: dict[str, str]) -> int:
    return int(v["value"]) % (1 << BIT_WIDTH[ValType(v["type"])])


def _matches(expected: dict[str, str], r: int) -> bool:
    t, value = ValType(expected["type"]), expected.get("value")
    n = BIT_WIDTH[t]
    if value in ("nan:canonical", "nan:arithmetic"):
        mantissa = 23 if n == 32 else 52
        exponent = ((1 << (n - 1 - mantissa)) - 1) << mantissa
        quiet = 1 << (mantissa - 1)
        if value == "nan:canonical":
            return r & ~(1 << (n - 1)) == exponent | quiet
        return r & exponent == exponent and r & quiet != 0
    return value is not None and r == int(value) % (1 << n)


@pytest.mark.parametrize("suite", SUITE_FILES)
def test_official_suite_operator_file(suite: str) -> None:
    path = _SUITE / "json" / suite / f"{suite}.json"
    assert path.is_file(), f"official suite not found at {path} (set SUPERVM_EXTERNAL)"
    commands = json.loads(path.read_text())["commands"]
    from_wast = _operator_names(suite)
    checked, failures = 0, []
    for cmd in commands:
        if cmd["type"] not in ("assert_return", "assert_trap"):
            continue
        action = cmd["action"]
        assert action["type"] == "invoke"
        export = action["field"]
        op = from_wast.get(export, _infer_operator(suite, export))
        assert op == _infer_operator(suite, export)
        args = [_payload(a) for a in action["args"]]
        checked += 1
        where = f"{suite}.wast:{cmd['line']} {op}{tuple(args)}"
        try:
            r = OPS[op](*args)
        except Trap as trap:
            if cmd["type"] != "assert_trap" or trap.trap_kind.value != cmd["text"]:
                failures.append(f"{where}: unexpected trap {trap}")
            continue
        if cmd["type"] == "assert_trap":
            failures.append(f"{where}: returned {r:#x}, expected trap {cmd['text']!r}")
        elif len(cmd["expected"]) != 1 or not _matches(cmd["expected"][0], r):
            failures.append(f"{where}: returned {r:#x}, expected {cmd['expected']}")
    expected_count = sum(c["type"] in ("assert_return", "assert_trap") for c in commands)
    assert checked == expected_count > 0
    assert not failures, f"{len(failures)}/{checked} failed:\n" + "\n".join(failures[:30])
