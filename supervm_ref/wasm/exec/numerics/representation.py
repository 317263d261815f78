"""Representations of numbers (WebAssembly spec section 4.3.1) and correct f32 rounding.

Payloads are bit patterns (see `supervm_ref.wasm.runtime.values`): an i32/i64 is an unsigned int
in ``[0, 2**N)``; an f32/f64 is the unsigned IEEE 754 bit pattern. This module holds the few
conversions between bit patterns and the numbers they denote that the operators of sections
4.3.2-4.3.4 need:

- `signed_32` / `signed_64`: the two's complement reading of an integer payload (spec
  ``signed_N``);
- `f32_to_float` / `f64_to_float`: the number an f32/f64 bit pattern denotes, as a Python float
  (a double). Every f32 value is exactly a double, so nothing is rounded;
- `float_to_f64` / `float_to_f32`: a Python float back to a bit pattern. `float_to_f32` rounds a
  double to the nearest f32 (ties to even, overflow to an infinity);
- `int_to_f32`: an integer rounded *directly* to the nearest f32, which ``float(n)`` followed by
  `float_to_f32` does not do for every 64-bit integer (that would round twice).

A NaN given to `float_to_f32` or `float_to_f64` becomes the positive canonical NaN of the target
type: a Python float cannot be trusted to carry a NaN's sign and payload (see the NaN policy in
`supervm_ref.wasm.exec.numerics.floating`).

CPython 3.11 requires IEEE 754 binary64 floats with round-to-nearest-even arithmetic, so the
double operations used here give the same bits on every machine.
"""

from __future__ import annotations

import struct

MASK32 = 0xFFFFFFFF
MASK64 = 0xFFFFFFFFFFFFFFFF

#: Sign bits of the float formats (spec 4.3.1 "Floating-Point").
F32_SIGN = 0x80000000
F64_SIGN = 0x8000000000000000

#: Positive canonical NaNs: exponent all ones, payload exactly the top mantissa bit (spec 4.3.1).
F32_CANONICAL_NAN = 0x7FC00000
F64_CANONICAL_NAN = 0x7FF8000000000000

#: Positive infinities.
F32_INF = 0x7F800000
F64_INF = 0x7FF0000000000000

_F32 = struct.Struct("<f")
_F64 = struct.Struct("<d")
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")


def signed_32(i: int) -> int:
    """Spec 4.3.1 ``signed_32``: the i32 payload ``i`` read as a two's complement integer."""
    return i - ((i & 0x80000000) << 1)


def signed_64(i: int) -> int:
    """Spec 4.3.1 ``signed_64``: the i64 payload ``i`` read as a two's complement integer."""
    return i - ((i & 0x8000000000000000) << 1)


def f32_to_float(bits: int) -> float:
    """Spec 4.3.1 ``fbits_32`` inverse: the value of the f32 bit pattern ``bits`` as a double.

    Exact for every non-NaN pattern. A NaN pattern gives some double NaN whose payload must not
    be relied on (converting a signalling NaN to double may set its quiet bit)."""
    return _F32.unpack(_U32.pack(bits))[0]


def f64_to_float(bits: int) -> float:
    """Spec 4.3.1 ``fbits_64`` inverse: the value of the f64 bit pattern ``bits`` as a double."""
    return _F64.unpack(_U64.pack(bits))[0]


def float_to_f64(x: float) -> int:
    """Spec 4.3.1 ``fbits_64``: the f64 bit pattern of ``x``; a NaN gives the canonical NaN."""
    if x != x:
        return F64_CANONICAL_NAN
    return _U64.unpack(_F64.pack(x))[0]


def float_to_f32(x: float) -> int:
    """Spec 4.3.1 ``fbits_32`` of the nearest f32 to the double ``x`` (spec 4.3.3 rounding:
    round to nearest, ties to even; a value beyond the f32 range rounds to an infinity).

    A NaN gives the positive canonical NaN. The cast inside ``struct.pack`` rounds exactly once
    (IEEE 754 double -> single conversion); CPython reports a finite value that rounds to an
    infinity as OverflowError, which is mapped to the infinity of the same sign here."""
    if x != x:
        return F32_CANONICAL_NAN
    try:
        return _U32.unpack(_F32.pack(x))[0]
    except OverflowError:
        return F32_INF if x > 0 else F32_INF | F32_SIGN


def int_to_f32(n: int) -> int:
    """The f32 bit pattern nearest to the integer ``n`` (spec 4.3.4 ``f32.convert``, rounding of
    spec 4.3.3: round to nearest, ties to even).

    Rounds ``|n|`` to 24 significant bits in one step with integer arithmetic: going through a
    double first would round twice and be wrong for some 64-bit integers (for example
    ``2**53 + 2**29 + 1``). Any ``|n| < 2**128 - 2**103`` is finite; larger values give an
    infinity, as in IEEE 754."""
    sign = F32_SIGN if n < 0 else 0
    m = -n if n < 0 else n
    if m == 0:
        return sign
    length = m.bit_length()
    if length <= 24:
        # Exact: the significand is m shifted to 24 bits, the exponent length - 1.
        significand = m << (24 - length)
        exponent = length - 1
    else:
        shift = length - 24
        significand = m >> shift
        rest = m - (significand << shift)
        half = 1 << (shift - 1)
        if rest > half or (rest == half and significand & 1):
            significand += 1
        exponent = length - 1
        if significand == 1 << 24:  # rounding carried into a new binary digit
            significand >>= 1
            exponent += 1
    biased = exponent + 127
    if biased >= 255:
        return sign | F32_INF
    return sign | (biased << 23) | (significand & 0x7FFFFF)
