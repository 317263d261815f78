"""Values in test scripts: arguments and expected results (spec test-suite script format).

The official suite's ``.wast`` scripts are converted by wabt's ``wast2json`` (1.0.32) into JSON,
where every value is an object ``{"type": T, "value": V}``:

- ``i32``/``i64``: ``V`` is the bit pattern as an unsigned decimal string;
- ``f32``/``f64``: ``V`` is the IEEE 754 bit pattern as an unsigned decimal string, or, in an
  expected result only, ``"nan:canonical"`` / ``"nan:arithmetic"`` (the result patterns of the
  script grammar, spec ``interpreter/README.md``: any canonical NaN / any arithmetic NaN, either
  sign);
- ``externref``/``funcref``: ``V`` is ``"null"``, or for ``externref`` a number ``N`` that
  stands for the host reference ``ref.extern N``. Host references compare by their number.
  An expected reference with no ``V`` at all is the pattern "any non-null reference".

This module turns those objects into `Value`s (arguments) and `Expected` patterns (results), and
decides whether a result matches a pattern. Numbers are compared bit for bit, so ``-0.0`` and
``+0.0`` differ and a concrete NaN must have exactly the expected payload, as in the reference
interpreter (``script/run.ml``, ``assert_result``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...errors import SuperVMError
from ..runtime.values import ExternRef, Value
from ..structure.types import BIT_WIDTH, ValType


class ScriptError(SuperVMError):
    """A test-script command the runner cannot interpret (an unknown value type, a malformed
    JSON object). The runner records it as a failure of that command."""


@dataclass(frozen=True, slots=True)
class HostRef:
    """The host reference ``ref.extern N`` of the script format: an opaque host value
    identified by its number (the payload an `ExternRef` wraps)."""

    number: int

    def __str__(self) -> str:
        return f"ref.extern {self.number}"


@dataclass(frozen=True, slots=True)
class NanPattern:
    """The result pattern ``nan:canonical`` or ``nan:arithmetic`` of type f32 or f64."""

    type: ValType
    arithmetic: bool

    def __str__(self) -> str:
        return f"{self.type.value}:nan:{'arithmetic' if self.arithmetic else 'canonical'}"


@dataclass(frozen=True, slots=True)
class NonNullRef:
    """The result pattern "any non-null reference of type ``type``" (``ref.func``/``ref.extern``
    without an operand)."""

    type: ValType

    def __str__(self) -> str:
        return f"{self.type.value}:non-null"


@dataclass(frozen=True, slots=True)
class Either:
    """The result pattern ``(either r1 r2 ...)``: any of the alternatives."""

    alternatives: tuple[Value | NanPattern | NonNullRef, ...]

    def __str__(self) -> str:
        return "either(" + ", ".join(format_expected(a) for a in self.alternatives) + ")"


#: An expected result: a concrete value or one of the patterns above.
Expected = Value | NanPattern | NonNullRef | Either

_TYPES = {t.value: t for t in ValType}

#: Quiet-NaN exponent+quiet-bit masks (spec 4.3.2 "canonical NaN" / "arithmetic NaN").
_CANONICAL_NAN = {ValType.F32: 0x7FC00000, ValType.F64: 0x7FF8000000000000}
_SIGN_MASK = {ValType.F32: 0x7FFFFFFF, ValType.F64: 0x7FFFFFFFFFFFFFFF}


def _field(obj: Any, key: str) -> Any:
    if not isinstance(obj, dict) or key not in obj:
        raise ScriptError(f"value object without {key!r}: {obj!r}")
    return obj[key]


def _val_type(obj: Any) -> ValType:
    name = _field(obj, "type")
    t = _TYPES.get(name) if isinstance(name, str) else None
    if t is None:
        raise ScriptError(f"unsupported value type {name!r}")
    return t


def _bits(text: Any, t: ValType) -> int:
    if not isinstance(text, str) or not text.isdigit() or not text.isascii():
        raise ScriptError(f"malformed {t.value} value {text!r}")
    n = int(text)
    if n >> BIT_WIDTH[t]:
        raise ScriptError(f"{t.value} value {text} out of range")
    return n


def parse_value(obj: Any) -> Value:
    """Parse an argument value object ``{"type": T, "value": V}`` into a `Value`.

    Raises `ScriptError` for patterns (which are not values) and for anything the engine's value
    space does not contain."""
    t = _val_type(obj)
    text = _field(obj, "value")
    if t.is_num:
        return Value(t, _bits(text, t))
    if text == "null":
        return Value(t, None)
    if t is ValType.EXTERNREF:
        return Value.externref(HostRef(_bits(text, ValType.I64)))
    raise ScriptError(f"unsupported {t.value} value {text!r}")


def parse_expected(obj: Any) -> Expected:
    """Parse an expected-result object into a concrete `Value` or a pattern."""
    if isinstance(obj, dict) and obj.get("type") == "either":
        alts = _field(obj, "values")
        if not isinstance(alts, list) or not alts:
            raise ScriptError(f"malformed either pattern {obj!r}")
        return Either(tuple(_parse_single(a) for a in alts))
    return _parse_single(obj)


def _parse_single(obj: Any) -> Value | NanPattern | NonNullRef:
    """An expected result other than ``either`` (alternatives do not nest)."""
    t = _val_type(obj)
    if t.is_ref and isinstance(obj, dict) and "value" not in obj:
        return NonNullRef(t)
    text = _field(obj, "value")
    if t in (ValType.F32, ValType.F64) and text in ("nan:canonical", "nan:arithmetic"):
        return NanPattern(t, text == "nan:arithmetic")
    return parse_value(obj)


def is_canonical_nan(t: ValType, bits: int) -> bool:
    """Whether ``bits`` is a canonical NaN of float type ``t`` (spec 4.3.2), of either sign."""
    return bits & _SIGN_MASK[t] == _CANONICAL_NAN[t]


def is_arithmetic_nan(t: ValType, bits: int) -> bool:
    """Whether ``bits`` is an arithmetic NaN of float type ``t`` (spec 4.3.2): a NaN whose
    payload has the most significant (quiet) bit set, of either sign."""
    return bits & _CANONICAL_NAN[t] == _CANONICAL_NAN[t]


def matches(expected: Expected, actual: Value) -> bool:
    """Whether the result ``actual`` matches ``expected`` (the script's ``assert_return``)."""
    if isinstance(expected, Either):
        return any(_matches_single(alt, actual) for alt in expected.alternatives)
    return _matches_single(expected, actual)


def _matches_single(expected: Value | NanPattern | NonNullRef, actual: Value) -> bool:
    if not isinstance(actual, Value) or actual.type is not expected.type:
        return False
    if isinstance(expected, NanPattern):
        if not isinstance(actual.payload, int):
            return False
        if expected.arithmetic:
            return is_arithmetic_nan(expected.type, actual.payload)
        return is_canonical_nan(expected.type, actual.payload)
    if isinstance(expected, NonNullRef):
        return actual.payload is not None
    if expected.type.is_num:
        return type(actual.payload) is int and actual.payload == expected.payload
    return _ref_equal(expected.payload, actual.payload)


def _ref_equal(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, ExternRef) and isinstance(b, ExternRef):
        return type(a.value) is type(b.value) and a.value == b.value
    return type(a) is type(b) and a == b


def format_value(v: Value) -> str:
    """A readable rendering of a value for failure messages: integers signed and unsigned,
    floats as bit pattern and decimal, references by their host number or address."""
    try:
        if v.type in (ValType.I32, ValType.I64):
            return f"{v.type.value}:{v.as_signed()}"
        if v.type in (ValType.F32, ValType.F64) and isinstance(v.payload, int):
            width = BIT_WIDTH[v.type] // 4
            return f"{v.type.value}:0x{v.payload:0{width}x} ({v.as_float()!r})"
        if v.payload is None:
            return f"{v.type.value}:null"
        if isinstance(v.payload, ExternRef):
            return f"{v.type.value}:{v.payload.value}"
        return f"{v.type.value}:{v.payload}"
    except Exception:  # a message must never make the runner crash
        return repr(v)


def format_expected(e: Expected) -> str:
    """A readable rendering of an expected result (see `format_value`)."""
    return format_value(e) if isinstance(e, Value) else str(e)
