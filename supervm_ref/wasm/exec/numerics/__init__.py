"""Numerics (WebAssembly spec section 4.3): the operators behind the numeric instructions.

Each operator is a Python function; which instruction applies which operator, and how, is said
once, in `supervm_ref.wasm.exec.instructions.numeric` (spec 4.4.1). Operands and results are
payloads (spec 4.3.1, `supervm_ref.wasm.runtime.values`): i32/i64 as unsigned ints, f32/f64 as
unsigned IEEE 754 bit patterns. A unary operator takes one argument, a binary one two,
the first being the deeper stack operand; tests and comparisons return the i32 payload 1 or 0.
An operator that is undefined for its operands raises `Trap` (division by zero, signed division
overflow, float-to-integer truncation of a NaN or an out-of-range value).

Submodules, one per spec section:

- `representation` (4.3.1): bit patterns <-> Python numbers, correct f32 rounding;
- `integer` (4.3.2): integer operations;
- `floating` (4.3.3): floating-point operations and the engine's NaN policy;
- `conversion` (4.3.4): conversions.
"""

from __future__ import annotations

from .representation import (
    F32_CANONICAL_NAN,
    F64_CANONICAL_NAN,
    f32_to_float,
    f64_to_float,
    float_to_f32,
    float_to_f64,
    int_to_f32,
    signed_32,
    signed_64,
)

__all__ = [
    "F32_CANONICAL_NAN",
    "F64_CANONICAL_NAN",
    "f32_to_float",
    "f64_to_float",
    "float_to_f32",
    "float_to_f64",
    "int_to_f32",
    "signed_32",
    "signed_64",
]
