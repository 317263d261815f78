"""How fixtures write bytes, integers, values and results as JSON (spec/conformance.md,
CONF-ENC-*), and the canonical form their hash is taken over (CONF-FIX-3).

Every function here turns one Python object into its JSON form or back; the decoders raise
`EncodingError` (never KeyError, ValueError, ...) for anything that is not exactly the
documented form, so a fixture or a backend's answer is either understood or rejected.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import SuperVMError, shown
from ..runtime.errors import ErrorKind
from ..runtime.runtime import CallResult
from ..wasm import BIT_WIDTH, ValType, Value


class EncodingError(SuperVMError):
    """A JSON value is not in the form spec/conformance.md gives it (or a Python value has no
    JSON form). The message says what was expected and what was found."""


#: CONF-ENC-2: JSON numbers are integers of at most 53 bits, exact in every JSON library.
MAX_SAFE_INTEGER = 2**53 - 1

_HEX = re.compile(r"0x(?:[0-9a-f]{2})*")
_UNSIGNED = re.compile(r"0|[1-9][0-9]*")
_NUMERIC = {ValType.I32, ValType.I64, ValType.F32, ValType.F64}
_REFERENCE = {ValType.FUNCREF, ValType.EXTERNREF}
_TYPES = {t.value: t for t in _NUMERIC | _REFERENCE}


# --- Bytes (CONF-ENC-1) -------------------------------------------------------------------------

def encode_bytes(data: bytes) -> str:
    """CONF-ENC-1: bytes as ``"0x"`` followed by two lower-case hex digits per byte."""
    return "0x" + bytes(data).hex()


def decode_bytes(text: object, what: str = "bytes") -> bytes:
    """CONF-ENC-1: the inverse of `encode_bytes`; upper-case digits, odd lengths and a missing
    ``0x`` are rejected (one byte string has exactly one encoding)."""
    if not isinstance(text, str) or _HEX.fullmatch(text) is None:
        raise EncodingError(f"{what}: expected '0x' and lower-case hex byte pairs, got "
                            f"{shown(text)}")
    return bytes.fromhex(text[2:])


# --- Integers (CONF-ENC-2) ----------------------------------------------------------------------

def check_integer(x: object, what: str, minimum: int = -MAX_SAFE_INTEGER,
                  maximum: int = MAX_SAFE_INTEGER) -> int:
    """CONF-ENC-2: a JSON integer (not a boolean, not a float such as ``1.0``) in
    ``[minimum, maximum]``, which lie within +-(2**53 - 1)."""
    if type(x) is not int or not minimum <= x <= maximum:
        raise EncodingError(f"{what}: expected an integer in [{minimum}, {maximum}], got "
                            f"{shown(x)}")
    return x


# --- Values (CONF-ENC-3) ------------------------------------------------------------------------

def encode_value(v: Value) -> dict[str, str]:
    """CONF-ENC-3: a value as wast2json writes it: ``{"type": T, "value": V}`` with ``V`` the
    bit pattern as an unsigned decimal string (floats too, so NaN payloads survive), or
    ``"null"`` for a null reference. A non-null reference has no portable form."""
    if not isinstance(v, Value):
        raise EncodingError(f"expected a Value, got {shown(v)}")
    if v.type in _NUMERIC and type(v.payload) is int and 0 <= v.payload < 1 << BIT_WIDTH[v.type]:
        return {"type": v.type.value, "value": str(v.payload)}
    if v.type in _REFERENCE and v.payload is None:
        return {"type": v.type.value, "value": "null"}
    raise EncodingError(f"value {v} has no fixture encoding (only numbers and null references)")


def decode_value(obj: object, what: str = "value") -> Value:
    """CONF-ENC-3: the inverse of `encode_value`."""
    if not isinstance(obj, Mapping) or set(obj) != {"type", "value"}:
        raise EncodingError(f"{what}: expected {{'type': T, 'value': V}}, got {shown(obj)}")
    t = _TYPES.get(obj["type"]) if isinstance(obj["type"], str) else None
    text = obj["value"]
    if t is None:
        raise EncodingError(f"{what}: unknown value type {shown(obj['type'])}")
    if t in _REFERENCE:
        if text != "null":
            raise EncodingError(f"{what}: a {t.value} must be 'null', got {shown(text)}")
        return Value(t, None)
    if not isinstance(text, str) or _UNSIGNED.fullmatch(text) is None:
        raise EncodingError(f"{what}: expected an unsigned decimal string, got {shown(text)}")
    bits = int(text)
    if bits >> BIT_WIDTH[t]:
        raise EncodingError(f"{what}: {text} does not fit in {t.value}")
    return Value(t, bits)


def decode_values(objs: object, what: str) -> list[Value]:
    """CONF-ENC-3: a JSON list of values."""
    if not isinstance(objs, list):
        raise EncodingError(f"{what}: expected a list of values, got {shown(objs)}")
    return [decode_value(o, f"{what}[{i}]") for i, o in enumerate(objs)]


# --- Storage maps (CONF-ENC-1) ------------------------------------------------------------------

def encode_storage(items: Mapping[bytes, bytes] | Sequence[tuple[bytes, bytes]]
                   ) -> dict[str, str]:
    """CONF-FIX-5/7: a storage state as ``{"0x key": "0x value"}``."""
    pairs = items.items() if isinstance(items, Mapping) else items
    return {encode_bytes(k): encode_bytes(v) for k, v in pairs}


def decode_storage(obj: object, what: str) -> dict[bytes, bytes]:
    """CONF-FIX-5/7: the inverse of `encode_storage`."""
    if not isinstance(obj, Mapping):
        raise EncodingError(f"{what}: expected an object, got {shown(obj)}")
    return {decode_bytes(k, f"{what} key"): decode_bytes(v, f"{what}[{k}]")
            for k, v in obj.items()}


# --- Call results (CONF-FIX-7) ------------------------------------------------------------------

def encode_result(result: CallResult) -> dict[str, Any]:
    """CONF-FIX-7: one transaction's outcome: ``error`` (None or an ErrorKind name),
    ``return`` (values), ``events`` (hex), ``gas_used`` (integer) and ``writes`` (hex key ->
    hex value, or None for a deletion)."""
    if not isinstance(result, CallResult):
        raise EncodingError(f"a backend returned {type(result).__name__}, not a CallResult")
    try:
        error = None if result.error is None else ErrorKind(result.error).value
    except ValueError as e:
        raise EncodingError(f"unknown error kind {shown(result.error)}") from e
    writes: dict[str, str | None] = {}
    for key, value in result.writes.items():
        writes[encode_bytes(key)] = None if value is None else encode_bytes(value)
    return {
        "error": error,
        "return": [encode_value(v) for v in result.results],
        "events": [encode_bytes(e) for e in result.events],
        "gas_used": check_integer(result.gas_used, "gas_used", 0),
        "writes": writes,
    }


# --- Canonical JSON and the fixture hash (CONF-FIX-3) -------------------------------------------

def canonical_json(obj: Any) -> bytes:
    """CONF-FIX-3: sorted keys, no whitespace, UTF-8. For fixtures (ASCII strings, integers)
    this is exactly the JSON Canonicalization Scheme (RFC 8785)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def fixture_hash(fixture: Mapping[str, Any]) -> str:
    """CONF-FIX-3: ``"sha256:"`` + hex SHA-256 of the canonical JSON of the fixture without
    its ``_info``."""
    body = {k: v for k, v in fixture.items() if k != "_info"}
    return "sha256:" + hashlib.sha256(canonical_json(body)).hexdigest()


def pretty_json(obj: Any) -> str:
    """CONF-FILL-4: how files are written: sorted keys, two-space indent, trailing newline."""
    return json.dumps(obj, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
