"""Values (WebAssembly spec section 4.2.1) and how they cross the embedding boundary.

Inside the engine a value is its *payload* alone, because validation has fixed every type:

- ``i32``/``i64``: an int in ``[0, 2**N)``, the two's complement bit pattern;
- ``f32``/``f64``: an int in ``[0, 2**N)``, the IEEE 754 bit pattern. Floats are never stored as
  Python floats, so NaN payloads and signs survive every instruction that must keep them
  (rule WASM-FLOAT-1);
- ``funcref``: None (null) or a function address (an int index into ``Store.funcs``);
- ``externref``: None (null) or an `ExternRef` wrapping any host object.

At the embedding boundary (`supervm_ref.wasm.embedding`) values travel as `Value`: a type and a
payload, so a caller can never confuse an f32 bit pattern with an i32.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from ...errors import InvalidArgumentError
from ..structure.types import ValType

MASK32 = 0xFFFFFFFF
MASK64 = 0xFFFFFFFFFFFFFFFF


@dataclass(frozen=True, slots=True)
class ExternRef:
    """A non-null external reference: an opaque host value (spec 4.2.1 ``ref.extern``)."""

    value: object


#: A payload: see the module docstring.
Payload = int | ExternRef | None


@dataclass(frozen=True, slots=True)
class Value:
    """A typed value at the embedding boundary."""

    type: ValType
    payload: Payload

    # Constructors ------------------------------------------------------------------------
    @staticmethod
    def i32(x: int) -> Value:
        """An i32 from a signed or unsigned Python int (wrapped modulo 2**32)."""
        return Value(ValType.I32, _integer(x, "Value.i32") & MASK32)

    @staticmethod
    def i64(x: int) -> Value:
        """An i64 from a signed or unsigned Python int (wrapped modulo 2**64)."""
        return Value(ValType.I64, _integer(x, "Value.i64") & MASK64)

    @staticmethod
    def f32(x: float) -> Value:
        """An f32 from a Python float (or int), rounded to nearest single precision; a
        finite value beyond the f32 range is an error (it would not round to infinity)."""
        try:
            bits = struct.unpack("<I", struct.pack("<f", _real(x, "Value.f32")))[0]
        except OverflowError:
            raise InvalidArgumentError("Value.f32", "a float within the f32 range", x) from None
        return Value(ValType.F32, bits)

    @staticmethod
    def f64(x: float) -> Value:
        """An f64 from a Python float (or int)."""
        try:
            bits = struct.unpack("<Q", struct.pack("<d", _real(x, "Value.f64")))[0]
        except OverflowError:
            raise InvalidArgumentError("Value.f64", "a float within the f64 range", x) from None
        return Value(ValType.F64, bits)

    @staticmethod
    def f32_bits(bits: int) -> Value:
        """An f32 from its 32-bit pattern (keeps NaN payloads exactly)."""
        return Value(ValType.F32, _integer(bits, "Value.f32_bits") & MASK32)

    @staticmethod
    def f64_bits(bits: int) -> Value:
        """An f64 from its 64-bit pattern (keeps NaN payloads exactly)."""
        return Value(ValType.F64, _integer(bits, "Value.f64_bits") & MASK64)

    @staticmethod
    def funcref(addr: int | None) -> Value:
        """A funcref: a function address (an int >= 0), or None for null."""
        if addr is not None and (_integer(addr, "Value.funcref") < 0):
            raise InvalidArgumentError("Value.funcref", "None or an address >= 0", addr)
        return Value(ValType.FUNCREF, addr)

    @staticmethod
    def externref(obj: object | None) -> Value:
        """An externref wrapping ``obj``, or null when ``obj`` is None."""
        return Value(ValType.EXTERNREF, None if obj is None else ExternRef(obj))

    # Readers ------------------------------------------------------------------------------
    def as_signed(self) -> int:
        """The payload of an i32/i64 read as a signed integer."""
        if not isinstance(self.payload, int) or self.type not in (ValType.I32, ValType.I64):
            raise InvalidArgumentError("Value.as_signed", "an i32 or i64 value", self)
        bits = 32 if self.type is ValType.I32 else 64
        x = self.payload
        return x - (1 << bits) if x >> (bits - 1) else x

    def as_float(self) -> float:
        """The payload of an f32/f64 as a Python float (NaN payloads may be lost here)."""
        if self.type is ValType.F32 and isinstance(self.payload, int):
            return float(struct.unpack("<f", struct.pack("<I", self.payload))[0])
        if self.type is ValType.F64 and isinstance(self.payload, int):
            return float(struct.unpack("<d", struct.pack("<Q", self.payload))[0])
        raise InvalidArgumentError("Value.as_float", "an f32 or f64 value", self)

    def __str__(self) -> str:
        if self.type in (ValType.I32, ValType.I64):
            return f"{self.type.value}:{self.as_signed()}"
        if self.type in (ValType.F32, ValType.F64):
            width = 8 if self.type is ValType.F32 else 16
            return f"{self.type.value}:0x{self.payload:0{width}x}"
        return f"{self.type.value}:{'null' if self.payload is None else self.payload}"


def _integer(x: object, where: str) -> int:
    """RT-API-3: an ``int`` (not a ``bool``) for a value constructor."""
    if isinstance(x, bool) or not isinstance(x, int):
        raise InvalidArgumentError(where, "an integer", x)
    return x


def _real(x: object, where: str) -> float:
    """RT-API-3: a ``float`` or ``int`` (not a ``bool``) for a float constructor."""
    if isinstance(x, bool) or not isinstance(x, int | float):
        raise InvalidArgumentError(where, "a float", x)
    return float(x)


def default_payload(t: ValType) -> Payload:
    """The default value of a type (spec 4.2.1): zero for numbers, null for references."""
    return None if t.is_ref else 0


def payload_matches(t: ValType, payload: object) -> bool:
    """Whether ``payload`` is a well-formed payload of type ``t`` (used at the boundary)."""
    if t is ValType.I32 or t is ValType.F32:
        return type(payload) is int and 0 <= payload <= MASK32
    if t is ValType.I64 or t is ValType.F64:
        return type(payload) is int and 0 <= payload <= MASK64
    if t is ValType.FUNCREF:
        return payload is None or (type(payload) is int and payload >= 0)
    return payload is None or isinstance(payload, ExternRef)
