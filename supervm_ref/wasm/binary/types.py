"""Types in the binary format (WebAssembly spec section 5.3).

Type codes are single bytes (they are the one-byte encodings of small negative ``s7`` numbers);
a byte with the continuation bit set would start a longer LEB128 encoding, which the reference
interpreter reports as "integer representation too long", and so do we.
"""

from __future__ import annotations

from ..errors import DecodeError
from ..structure.types import FuncType, GlobalType, Limits, MemType, TableType, ValType
from .reader import Reader

#: Spec 5.3.1-5.3.3: value type codes of the profile.
VALTYPE_CODES: dict[int, ValType] = {
    0x7F: ValType.I32,
    0x7E: ValType.I64,
    0x7D: ValType.F32,
    0x7C: ValType.F64,
    0x70: ValType.FUNCREF,
    0x6F: ValType.EXTERNREF,
}

#: Spec 5.3.3: reference type codes.
REFTYPE_CODES: dict[int, ValType] = {0x70: ValType.FUNCREF, 0x6F: ValType.EXTERNREF}

#: Type codes of proposals outside the profile, for clearer errors.
UNSUPPORTED_TYPE_CODES: dict[int, str] = {
    0x7B: "v128 (SIMD)",
    0x6E: "anyref (GC)",
    0x6D: "eqref (GC)",
    0x6C: "i31ref (GC)",
    0x6B: "structref (GC)",
    0x6A: "arrayref (GC)",
    0x69: "exnref (exception handling)",
    0x64: "typed reference (function references)",
    0x63: "nullable typed reference (function references)",
}

FUNCTYPE_CODE = 0x60


def _type_code_error(b: int, pos: int, what: str) -> DecodeError:
    """The error for a type code byte ``b`` at ``pos`` that is not a ``what``."""
    if b >= 0x80:
        return DecodeError("integer representation too long", pos + 1)
    unsupported = UNSUPPORTED_TYPE_CODES.get(b)
    if unsupported is not None:
        return DecodeError(f"{what} {b:02x} (unsupported feature: {unsupported})", pos)
    return DecodeError(f"{what} {b:02x}", pos)


def read_valtype(r: Reader) -> ValType:
    """Spec 5.3.4 Value Types: one type code byte."""
    pos = r.pos
    b = r.byte()
    t = VALTYPE_CODES.get(b)
    if t is None:
        raise _type_code_error(b, pos, "malformed value type")
    return t


def read_reftype(r: Reader) -> ValType:
    """Spec 5.3.3 Reference Types: 0x70 funcref, 0x6F externref."""
    pos = r.pos
    b = r.byte()
    t = REFTYPE_CODES.get(b)
    if t is None:
        raise _type_code_error(b, pos, "malformed reference type")
    return t


def read_resulttype(r: Reader) -> tuple[ValType, ...]:
    """Spec 5.3.5 Result Types: ``vec(valtype)``."""
    n = r.length()
    return tuple(read_valtype(r) for _ in range(n))


def read_functype(r: Reader) -> FuncType:
    """Spec 5.3.6 Function Types: 0x60 followed by parameter and result types."""
    pos = r.pos
    b = r.byte()
    if b != FUNCTYPE_CODE:
        if b >= 0x80:
            raise DecodeError("integer representation too long", pos + 1)
        raise DecodeError(f"malformed function type {b:02x}", pos)
    params = read_resulttype(r)
    results = read_resulttype(r)
    return FuncType(params, results)


def read_limits(r: Reader) -> Limits:
    """Spec 5.3.7 Limits: flag 0x00 then ``min``, or flag 0x01 then ``min`` and ``max``.

    The flag is read like a one-bit LEB128 number, as in the reference interpreter, so 0x02
    is "integer too large". Flags 0x02/0x03 (shared memory, threads proposal) and 0x04-0x07
    (memory64) are outside the profile.
    """
    pos = r.pos
    flag = r.peek()
    if flag in (0x02, 0x03):
        raise DecodeError("integer too large (unsupported feature: shared memory limits, "
                          "threads proposal)", pos)
    if flag in (0x04, 0x05, 0x06, 0x07):
        raise DecodeError("integer too large (unsupported feature: 64-bit limits, memory64 "
                          "proposal)", pos)
    has_max = r.uleb(1)
    minimum = r.u32()
    maximum = r.u32() if has_max else None
    return Limits(minimum, maximum)


def read_memtype(r: Reader) -> MemType:
    """Spec 5.3.8 Memory Types: limits."""
    return MemType(read_limits(r))


def read_tabletype(r: Reader) -> TableType:
    """Spec 5.3.9 Table Types: a reference type and limits."""
    elem_type = read_reftype(r)
    return TableType(read_limits(r), elem_type)


def read_globaltype(r: Reader) -> GlobalType:
    """Spec 5.3.10 Global Types: a value type and a mutability byte (0x00 const, 0x01 var)."""
    t = read_valtype(r)
    pos = r.pos
    m = r.byte()
    if m not in (0x00, 0x01):
        raise DecodeError("malformed mutability", pos)
    return GlobalType(m == 0x01, t)
