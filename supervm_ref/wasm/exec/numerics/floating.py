"""Floating-point operations (WebAssembly spec section 4.3.3), with a deterministic NaN policy.

Operands and results are f32/f64 payloads: the unsigned IEEE 754 bit patterns (spec 4.3.1). Each
spec operator ``fop_N`` is a function ``fop_32`` / ``fop_64``; comparisons return the i32 payload
1 or 0. Rounding is IEEE 754 round-to-nearest, ties-to-even (spec 4.3.3 "Rounding").

NaN policy (rule WASM-FLOAT-1)
==============================

The specification leaves some freedom when an operator produces a NaN: the result may be any
*canonical* NaN (exponent all ones, mantissa exactly its top bit) when all NaN operands are
canonical, otherwise any *arithmetic* NaN (top mantissa bit set), and its sign is unspecified
(spec 4.3.3 ``nans_N``). Hardware differs in what it picks (x86 returns the first operand's
payload, quieted; ARM can return the default NaN), so an engine that passes NaNs through its host
floating-point unit is not deterministic across machines. This engine removes the freedom:

1. Every arithmetic operator whose result is a NaN returns the **positive canonical NaN**:
   f32 ``0x7fc00000``, f64 ``0x7ff8000000000000``. This covers ``add``, ``sub``, ``mul``,
   ``div``, ``sqrt``, ``min``, ``max``, ``ceil``, ``floor``, ``trunc``, ``nearest``
   (section 4.3.3) and ``demote`` and ``promote`` (section 4.3.4), whether the NaN comes from an
   operand (any payload, quiet or signalling, either sign) or is created by an invalid operation
   (``0/0``, ``inf - inf``, ``sqrt(-1)``...). A canonical NaN is also an arithmetic NaN, so this
   choice is allowed by the specification in every case.
2. ``abs``, ``neg`` and ``copysign`` are pure operations on the sign bit: they clear, flip or copy
   it and keep all other bits, NaN payloads included (spec 4.3.3 ``fabs``, ``fneg``,
   ``fcopysign``).
3. ``reinterpret``, ``load``, ``store``, ``const`` and every instruction that merely moves a value
   (``local.get``, ``select``, calls...) never look at the bits, so any NaN survives them exactly.
4. Comparisons with a NaN operand are false, except ``ne``, which is true. Conversions of a NaN
   to an integer trap (``trunc``) or give 0 (``trunc_sat``), see section 4.3.4.

Implementation: a float is never *stored* as a Python float (payloads are bit patterns). An
operator reads its operands as doubles, computes with Python's IEEE 754 double arithmetic, and
writes the result back; a NaN result is replaced by the canonical NaN before it is written, so
the NaN payload a host happens to produce (or the quieting of a signalling NaN when an f32 is
widened to a double) never reaches a result. f32 ``add``, ``sub``, ``mul``, ``div`` and ``sqrt``
are computed exactly like this on doubles and then rounded once to f32: since 53 >= 2 * 24 + 2,
rounding the double result again to f32 gives the correctly rounded f32 result (double rounding
is innocuous for these five operations). Division by zero, which Python reports as an exception,
is handled explicitly as IEEE 754 specifies.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from .representation import (
    F32_CANONICAL_NAN,
    F32_SIGN,
    F64_CANONICAL_NAN,
    F64_SIGN,
    f32_to_float,
    f64_to_float,
    float_to_f32,
    float_to_f64,
)

# Magnitudes from which every float of the format is an integer (2**(p-1), p = precision).
_F32_INTEGRAL = 2.0**23
_F64_INTEGRAL = 2.0**52

#: A rounding of a finite double to an integer (math.ceil, math.floor, math.trunc, ...).
_Rounding = Callable[[float], int]


# ---------------------------------------------------------------------------------------------
# Arithmetic: fadd, fsub, fmul, fdiv, fsqrt (spec 4.3.3)


def fadd_32(z1: int, z2: int) -> int:
    """Spec 4.3.3 ``fadd_32``: ``z1 + z2`` rounded to f32; a NaN result is canonical."""
    return float_to_f32(f32_to_float(z1) + f32_to_float(z2))


def fadd_64(z1: int, z2: int) -> int:
    """Spec 4.3.3 ``fadd_64``: ``z1 + z2`` rounded to f64; a NaN result is canonical."""
    return float_to_f64(f64_to_float(z1) + f64_to_float(z2))


def fsub_32(z1: int, z2: int) -> int:
    """Spec 4.3.3 ``fsub_32``: ``z1 - z2`` rounded to f32; a NaN result is canonical."""
    return float_to_f32(f32_to_float(z1) - f32_to_float(z2))


def fsub_64(z1: int, z2: int) -> int:
    """Spec 4.3.3 ``fsub_64``: ``z1 - z2`` rounded to f64; a NaN result is canonical."""
    return float_to_f64(f64_to_float(z1) - f64_to_float(z2))


def fmul_32(z1: int, z2: int) -> int:
    """Spec 4.3.3 ``fmul_32``: ``z1 * z2`` rounded to f32; a NaN result is canonical."""
    return float_to_f32(f32_to_float(z1) * f32_to_float(z2))


def fmul_64(z1: int, z2: int) -> int:
    """Spec 4.3.3 ``fmul_64``: ``z1 * z2`` rounded to f64; a NaN result is canonical."""
    return float_to_f64(f64_to_float(z1) * f64_to_float(z2))


def _divide(x: float, y: float) -> float:
    """IEEE 754 division of doubles, including division by a zero (which Python refuses):
    ``0/0`` and ``NaN/0`` are NaN, any other ``x/0`` an infinity with the product's sign."""
    if y == 0.0:
        if x != x or x == 0.0:
            return math.nan
        return math.copysign(math.inf, x) * math.copysign(1.0, y)
    return x / y


def fdiv_32(z1: int, z2: int) -> int:
    """Spec 4.3.3 ``fdiv_32``: ``z1 / z2`` rounded to f32; a NaN result is canonical."""
    return float_to_f32(_divide(f32_to_float(z1), f32_to_float(z2)))


def fdiv_64(z1: int, z2: int) -> int:
    """Spec 4.3.3 ``fdiv_64``: ``z1 / z2`` rounded to f64; a NaN result is canonical."""
    return float_to_f64(_divide(f64_to_float(z1), f64_to_float(z2)))


def _sqrt(x: float) -> float:
    """IEEE 754 square root of a double: NaN below zero (``sqrt(-0) = -0``)."""
    if x != x or x < 0.0:
        return math.nan
    return math.sqrt(x)


def fsqrt_32(z: int) -> int:
    """Spec 4.3.3 ``fsqrt_32``: the square root of ``z`` rounded to f32; NaN (canonical) for a
    NaN or a value below zero."""
    return float_to_f32(_sqrt(f32_to_float(z)))


def fsqrt_64(z: int) -> int:
    """Spec 4.3.3 ``fsqrt_64``: the square root of ``z`` rounded to f64; NaN (canonical) for a
    NaN or a value below zero."""
    return float_to_f64(_sqrt(f64_to_float(z)))


# ---------------------------------------------------------------------------------------------
# fmin, fmax (spec 4.3.3): NaN if either operand is NaN; -0 is smaller than +0


def fmin_32(z1: int, z2: int) -> int:
    """Spec 4.3.3 ``fmin_32``: the smaller operand; canonical NaN if either is NaN;
    ``min(-0, +0) = -0``."""
    x, y = f32_to_float(z1), f32_to_float(z2)
    if x != x or y != y:
        return F32_CANONICAL_NAN
    if x == y:  # the same bits, or two zeros: the negative one if any
        return z1 | z2
    return z1 if x < y else z2


def fmin_64(z1: int, z2: int) -> int:
    """Spec 4.3.3 ``fmin_64``: the smaller operand; canonical NaN if either is NaN;
    ``min(-0, +0) = -0``."""
    x, y = f64_to_float(z1), f64_to_float(z2)
    if x != x or y != y:
        return F64_CANONICAL_NAN
    if x == y:
        return z1 | z2
    return z1 if x < y else z2


def fmax_32(z1: int, z2: int) -> int:
    """Spec 4.3.3 ``fmax_32``: the larger operand; canonical NaN if either is NaN;
    ``max(-0, +0) = +0``."""
    x, y = f32_to_float(z1), f32_to_float(z2)
    if x != x or y != y:
        return F32_CANONICAL_NAN
    if x == y:  # the same bits, or two zeros: the positive one if any
        return z1 & z2
    return z1 if x > y else z2


def fmax_64(z1: int, z2: int) -> int:
    """Spec 4.3.3 ``fmax_64``: the larger operand; canonical NaN if either is NaN;
    ``max(-0, +0) = +0``."""
    x, y = f64_to_float(z1), f64_to_float(z2)
    if x != x or y != y:
        return F64_CANONICAL_NAN
    if x == y:
        return z1 & z2
    return z1 if x > y else z2


# ---------------------------------------------------------------------------------------------
# Sign operations: fcopysign, fabs, fneg (spec 4.3.3); bit operations that keep NaN payloads


def fcopysign_32(z1: int, z2: int) -> int:
    """Spec 4.3.3 ``fcopysign_32``: ``z1`` with the sign bit of ``z2``."""
    return (z1 & 0x7FFFFFFF) | (z2 & F32_SIGN)


def fcopysign_64(z1: int, z2: int) -> int:
    """Spec 4.3.3 ``fcopysign_64``: ``z1`` with the sign bit of ``z2``."""
    return (z1 & 0x7FFFFFFFFFFFFFFF) | (z2 & F64_SIGN)


def fabs_32(z: int) -> int:
    """Spec 4.3.3 ``fabs_32``: ``z`` with its sign bit cleared."""
    return z & 0x7FFFFFFF


def fabs_64(z: int) -> int:
    """Spec 4.3.3 ``fabs_64``: ``z`` with its sign bit cleared."""
    return z & 0x7FFFFFFFFFFFFFFF


def fneg_32(z: int) -> int:
    """Spec 4.3.3 ``fneg_32``: ``z`` with its sign bit flipped."""
    return z ^ F32_SIGN


def fneg_64(z: int) -> int:
    """Spec 4.3.3 ``fneg_64``: ``z`` with its sign bit flipped."""
    return z ^ F64_SIGN


# ---------------------------------------------------------------------------------------------
# Rounding to an integral value: fceil, ffloor, ftrunc, fnearest (spec 4.3.3)
#
# NaN gives the canonical NaN; infinities, zeros and values too large to have a fraction are
# returned unchanged; a result of zero keeps the sign of the operand (ceil(-0.5) = -0).


def _round_integral_32(z: int, rounding: _Rounding) -> int:
    x = f32_to_float(z)
    if x != x:
        return F32_CANONICAL_NAN
    if not -_F32_INTEGRAL < x < _F32_INTEGRAL:  # infinite, or already integral
        return z
    r = rounding(x)
    if r == 0:
        return z & F32_SIGN
    return float_to_f32(float(r))  # |r| <= 2**23: exact


def _round_integral_64(z: int, rounding: _Rounding) -> int:
    x = f64_to_float(z)
    if x != x:
        return F64_CANONICAL_NAN
    if not -_F64_INTEGRAL < x < _F64_INTEGRAL:
        return z
    r = rounding(x)
    if r == 0:
        return z & F64_SIGN
    return float_to_f64(float(r))  # |r| <= 2**52: exact


def _nearest_even(x: float) -> int:
    """The integer nearest to the finite ``x``, ties to even (Python's ``round``)."""
    return round(x)


def fceil_32(z: int) -> int:
    """Spec 4.3.3 ``fceil_32``: the smallest integral value not below ``z``."""
    return _round_integral_32(z, math.ceil)


def fceil_64(z: int) -> int:
    """Spec 4.3.3 ``fceil_64``: the smallest integral value not below ``z``."""
    return _round_integral_64(z, math.ceil)


def ffloor_32(z: int) -> int:
    """Spec 4.3.3 ``ffloor_32``: the largest integral value not above ``z``."""
    return _round_integral_32(z, math.floor)


def ffloor_64(z: int) -> int:
    """Spec 4.3.3 ``ffloor_64``: the largest integral value not above ``z``."""
    return _round_integral_64(z, math.floor)


def ftrunc_32(z: int) -> int:
    """Spec 4.3.3 ``ftrunc_32``: ``z`` rounded toward zero to an integral value."""
    return _round_integral_32(z, math.trunc)


def ftrunc_64(z: int) -> int:
    """Spec 4.3.3 ``ftrunc_64``: ``z`` rounded toward zero to an integral value."""
    return _round_integral_64(z, math.trunc)


def fnearest_32(z: int) -> int:
    """Spec 4.3.3 ``fnearest_32``: ``z`` rounded to the nearest integral value, ties to even
    (``nearest(-0.5) = -0``)."""
    return _round_integral_32(z, _nearest_even)


def fnearest_64(z: int) -> int:
    """Spec 4.3.3 ``fnearest_64``: ``z`` rounded to the nearest integral value, ties to even
    (``nearest(-0.5) = -0``)."""
    return _round_integral_64(z, _nearest_even)


# ---------------------------------------------------------------------------------------------
# Comparisons: feq, fne, flt, fgt, fle, fge (spec 4.3.3); NaN compares unequal to everything,
# and -0 = +0. Results are the i32 payloads 1 or 0.


def feq_32(z1: int, z2: int) -> int:
    """Spec 4.3.3 ``feq_32``: 1 if ``z1 = z2`` (false with a NaN; ``-0 = +0``), else 0."""
    return 1 if f32_to_float(z1) == f32_to_float(z2) else 0


def feq_64(z1: int, z2: int) -> int:
    """Spec 4.3.3 ``feq_64``: 1 if ``z1 = z2`` (false with a NaN; ``-0 = +0``), else 0."""
    return 1 if f64_to_float(z1) == f64_to_float(z2) else 0


def fne_32(z1: int, z2: int) -> int:
    """Spec 4.3.3 ``fne_32``: 1 if ``z1 != z2`` (true with a NaN), else 0."""
    return 1 if f32_to_float(z1) != f32_to_float(z2) else 0


def fne_64(z1: int, z2: int) -> int:
    """Spec 4.3.3 ``fne_64``: 1 if ``z1 != z2`` (true with a NaN), else 0."""
    return 1 if f64_to_float(z1) != f64_to_float(z2) else 0


def flt_32(z1: int, z2: int) -> int:
    """Spec 4.3.3 ``flt_32``: 1 if ``z1 < z2`` (false with a NaN), else 0."""
    return 1 if f32_to_float(z1) < f32_to_float(z2) else 0


def flt_64(z1: int, z2: int) -> int:
    """Spec 4.3.3 ``flt_64``: 1 if ``z1 < z2`` (false with a NaN), else 0."""
    return 1 if f64_to_float(z1) < f64_to_float(z2) else 0


def fgt_32(z1: int, z2: int) -> int:
    """Spec 4.3.3 ``fgt_32``: 1 if ``z1 > z2`` (false with a NaN), else 0."""
    return 1 if f32_to_float(z1) > f32_to_float(z2) else 0


def fgt_64(z1: int, z2: int) -> int:
    """Spec 4.3.3 ``fgt_64``: 1 if ``z1 > z2`` (false with a NaN), else 0."""
    return 1 if f64_to_float(z1) > f64_to_float(z2) else 0


def fle_32(z1: int, z2: int) -> int:
    """Spec 4.3.3 ``fle_32``: 1 if ``z1 <= z2`` (false with a NaN), else 0."""
    return 1 if f32_to_float(z1) <= f32_to_float(z2) else 0


def fle_64(z1: int, z2: int) -> int:
    """Spec 4.3.3 ``fle_64``: 1 if ``z1 <= z2`` (false with a NaN), else 0."""
    return 1 if f64_to_float(z1) <= f64_to_float(z2) else 0


def fge_32(z1: int, z2: int) -> int:
    """Spec 4.3.3 ``fge_32``: 1 if ``z1 >= z2`` (false with a NaN), else 0."""
    return 1 if f32_to_float(z1) >= f32_to_float(z2) else 0


def fge_64(z1: int, z2: int) -> int:
    """Spec 4.3.3 ``fge_64``: 1 if ``z1 >= z2`` (false with a NaN), else 0."""
    return 1 if f64_to_float(z1) >= f64_to_float(z2) else 0
