"""Conversions (WebAssembly spec section 4.3.4).

One function per conversion instruction, named after the instruction (``i32.trunc_f32_s`` is
`i32_trunc_f32_s`); its docstring names the spec function it applies (``trunc^s_{32,32}``...).
Operands and results are payloads (spec 4.3.1).

Float-to-integer truncation (spec 4.3.4 ``trunc``) traps with `TrapKind.INVALID_CONVERSION` on a
NaN and with `TrapKind.INTEGER_OVERFLOW` when the operand truncated toward zero is not
representable (infinities included). The saturating variants (``trunc_sat``) never trap: NaN
gives 0 and out-of-range values the nearest bound.

Integer-to-float conversion rounds to nearest, ties to even, in one step: `int_to_f32` for f32
(``float(n)`` would round a large i64 to a double first and then again to f32), Python's
correctly rounded ``float(n)`` for f64. ``demote`` and ``promote`` follow the NaN policy of
`supervm_ref.wasm.exec.numerics.floating`: a NaN becomes the canonical NaN of the result type.
The reinterpretations return their operand unchanged: the payload already is the bit pattern.
"""

from __future__ import annotations

import math

from ...errors import Trap, TrapKind
from .representation import (
    f32_to_float,
    f64_to_float,
    float_to_f32,
    float_to_f64,
    int_to_f32,
    signed_32,
    signed_64,
)

# ---------------------------------------------------------------------------------------------
# Integer width changes: wrap, extend (spec 4.3.4)


def i32_wrap_i64(i: int) -> int:
    """Spec 4.3.4 ``wrap_{64,32}``: ``i mod 2**32``."""
    return i & 0xFFFFFFFF


def i64_extend_i32_s(i: int) -> int:
    """Spec 4.3.4 ``extend^s_{32,64}``: the i32 ``i`` sign-extended to 64 bits."""
    return (i - ((i & 0x80000000) << 1)) & 0xFFFFFFFFFFFFFFFF


def i64_extend_i32_u(i: int) -> int:
    """Spec 4.3.4 ``extend^u_{32,64}``: the i32 ``i`` zero-extended to 64 bits (unchanged)."""
    return i


# ---------------------------------------------------------------------------------------------
# Float to integer: trunc, trunc_sat (spec 4.3.4)


def trunc(x: float, signed: bool, n: int) -> int:
    """Spec 4.3.4 ``trunc^s_{M,N}`` / ``trunc^u_{M,N}`` of the float value ``x`` (already read
    from its M-bit pattern) to an N-bit integer payload.

    Traps with INVALID_CONVERSION if ``x`` is NaN and with INTEGER_OVERFLOW if ``x`` truncated
    toward zero is outside the signed or unsigned N-bit range."""
    if x != x:
        raise Trap(TrapKind.INVALID_CONVERSION)
    if x in (math.inf, -math.inf):
        raise Trap(TrapKind.INTEGER_OVERFLOW, f"{x} does not fit in {n} bits")
    t = math.trunc(x)
    low, high = (-(1 << (n - 1)), (1 << (n - 1)) - 1) if signed else (0, (1 << n) - 1)
    if not low <= t <= high:
        raise Trap(TrapKind.INTEGER_OVERFLOW, f"{x} does not fit in {n} bits")
    return t & ((1 << n) - 1)


def trunc_sat(x: float, signed: bool, n: int) -> int:
    """Spec 4.3.4 ``trunc_sat^s_{M,N}`` / ``trunc_sat^u_{M,N}`` of the float value ``x`` to an
    N-bit integer payload: 0 for NaN, the nearest bound of the range for values outside it."""
    if x != x:
        return 0
    low, high = (-(1 << (n - 1)), (1 << (n - 1)) - 1) if signed else (0, (1 << n) - 1)
    if x <= low:
        t = low
    elif x >= high:
        t = high
    else:
        t = math.trunc(x)
    return t & ((1 << n) - 1)


def i32_trunc_f32_s(z: int) -> int:
    """Spec 4.3.4 ``trunc^s_{32,32}`` (``i32.trunc_f32_s``); traps on NaN or overflow."""
    return trunc(f32_to_float(z), True, 32)


def i32_trunc_f32_u(z: int) -> int:
    """Spec 4.3.4 ``trunc^u_{32,32}`` (``i32.trunc_f32_u``); traps on NaN or overflow."""
    return trunc(f32_to_float(z), False, 32)


def i32_trunc_f64_s(z: int) -> int:
    """Spec 4.3.4 ``trunc^s_{64,32}`` (``i32.trunc_f64_s``); traps on NaN or overflow."""
    return trunc(f64_to_float(z), True, 32)


def i32_trunc_f64_u(z: int) -> int:
    """Spec 4.3.4 ``trunc^u_{64,32}`` (``i32.trunc_f64_u``); traps on NaN or overflow."""
    return trunc(f64_to_float(z), False, 32)


def i64_trunc_f32_s(z: int) -> int:
    """Spec 4.3.4 ``trunc^s_{32,64}`` (``i64.trunc_f32_s``); traps on NaN or overflow."""
    return trunc(f32_to_float(z), True, 64)


def i64_trunc_f32_u(z: int) -> int:
    """Spec 4.3.4 ``trunc^u_{32,64}`` (``i64.trunc_f32_u``); traps on NaN or overflow."""
    return trunc(f32_to_float(z), False, 64)


def i64_trunc_f64_s(z: int) -> int:
    """Spec 4.3.4 ``trunc^s_{64,64}`` (``i64.trunc_f64_s``); traps on NaN or overflow."""
    return trunc(f64_to_float(z), True, 64)


def i64_trunc_f64_u(z: int) -> int:
    """Spec 4.3.4 ``trunc^u_{64,64}`` (``i64.trunc_f64_u``); traps on NaN or overflow."""
    return trunc(f64_to_float(z), False, 64)


def i32_trunc_sat_f32_s(z: int) -> int:
    """Spec 4.3.4 ``trunc_sat^s_{32,32}`` (``i32.trunc_sat_f32_s``)."""
    return trunc_sat(f32_to_float(z), True, 32)


def i32_trunc_sat_f32_u(z: int) -> int:
    """Spec 4.3.4 ``trunc_sat^u_{32,32}`` (``i32.trunc_sat_f32_u``)."""
    return trunc_sat(f32_to_float(z), False, 32)


def i32_trunc_sat_f64_s(z: int) -> int:
    """Spec 4.3.4 ``trunc_sat^s_{64,32}`` (``i32.trunc_sat_f64_s``)."""
    return trunc_sat(f64_to_float(z), True, 32)


def i32_trunc_sat_f64_u(z: int) -> int:
    """Spec 4.3.4 ``trunc_sat^u_{64,32}`` (``i32.trunc_sat_f64_u``)."""
    return trunc_sat(f64_to_float(z), False, 32)


def i64_trunc_sat_f32_s(z: int) -> int:
    """Spec 4.3.4 ``trunc_sat^s_{32,64}`` (``i64.trunc_sat_f32_s``)."""
    return trunc_sat(f32_to_float(z), True, 64)


def i64_trunc_sat_f32_u(z: int) -> int:
    """Spec 4.3.4 ``trunc_sat^u_{32,64}`` (``i64.trunc_sat_f32_u``)."""
    return trunc_sat(f32_to_float(z), False, 64)


def i64_trunc_sat_f64_s(z: int) -> int:
    """Spec 4.3.4 ``trunc_sat^s_{64,64}`` (``i64.trunc_sat_f64_s``)."""
    return trunc_sat(f64_to_float(z), True, 64)


def i64_trunc_sat_f64_u(z: int) -> int:
    """Spec 4.3.4 ``trunc_sat^u_{64,64}`` (``i64.trunc_sat_f64_u``)."""
    return trunc_sat(f64_to_float(z), False, 64)


# ---------------------------------------------------------------------------------------------
# Integer to float: convert (spec 4.3.4), correctly rounded


def f32_convert_i32_s(i: int) -> int:
    """Spec 4.3.4 ``convert^s_{32,32}`` (``f32.convert_i32_s``): nearest f32, ties to even."""
    return int_to_f32(signed_32(i))


def f32_convert_i32_u(i: int) -> int:
    """Spec 4.3.4 ``convert^u_{32,32}`` (``f32.convert_i32_u``): nearest f32, ties to even."""
    return int_to_f32(i)


def f32_convert_i64_s(i: int) -> int:
    """Spec 4.3.4 ``convert^s_{64,32}`` (``f32.convert_i64_s``): nearest f32, ties to even."""
    return int_to_f32(signed_64(i))


def f32_convert_i64_u(i: int) -> int:
    """Spec 4.3.4 ``convert^u_{64,32}`` (``f32.convert_i64_u``): nearest f32, ties to even."""
    return int_to_f32(i)


def f64_convert_i32_s(i: int) -> int:
    """Spec 4.3.4 ``convert^s_{32,64}`` (``f64.convert_i32_s``): exact."""
    return float_to_f64(float(signed_32(i)))


def f64_convert_i32_u(i: int) -> int:
    """Spec 4.3.4 ``convert^u_{32,64}`` (``f64.convert_i32_u``): exact."""
    return float_to_f64(float(i))


def f64_convert_i64_s(i: int) -> int:
    """Spec 4.3.4 ``convert^s_{64,64}`` (``f64.convert_i64_s``): nearest f64, ties to even
    (CPython's int-to-float conversion is correctly rounded)."""
    return float_to_f64(float(signed_64(i)))


def f64_convert_i64_u(i: int) -> int:
    """Spec 4.3.4 ``convert^u_{64,64}`` (``f64.convert_i64_u``): nearest f64, ties to even
    (CPython's int-to-float conversion is correctly rounded)."""
    return float_to_f64(float(i))


# ---------------------------------------------------------------------------------------------
# Float to float: demote, promote (spec 4.3.4); NaN gives the canonical NaN


def f32_demote_f64(z: int) -> int:
    """Spec 4.3.4 ``demote_{64,32}``: ``z`` rounded to the nearest f32 (overflow to an
    infinity); a NaN gives the canonical f32 NaN."""
    return float_to_f32(f64_to_float(z))


def f64_promote_f32(z: int) -> int:
    """Spec 4.3.4 ``promote_{32,64}``: ``z`` as an f64 (exact); a NaN gives the canonical f64
    NaN."""
    return float_to_f64(f32_to_float(z))


# ---------------------------------------------------------------------------------------------
# Reinterpretations (spec 4.3.4 ``reinterpret_{t1,t2}``)


def reinterpret(z: int) -> int:
    """Spec 4.3.4 ``reinterpret_{t1,t2}``: the same bit pattern read as the other type. Payloads
    are bit patterns, so this is the identity (NaN payloads are kept exactly)."""
    return z
