"""`VmTransaction` and its canonical encoding (spec/routing.md, ROUTE-TX-*).

A transaction names its sender, its object inputs (each with the version it expects, whether it
is used mutably and whether it is shared), an optional contract call run over those objects, the
ops applied after the call (transfer, delete, freeze, share of a slot), the objects it creates,
and, for the privacy path, a Groth16 proof. Its digest is the SHA-256 of its canonical encoding
(ROUTE-TX-2); the ids of the objects it creates derive from the digest (ROUTE-TX-3).
"""

from __future__ import annotations

import hashlib
import json
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ..errors import InvalidArgumentError, require_int
from ..objects.types import ID_LENGTH, check_id, check_type_tag, check_version
from ..runtime.runtime import DEFAULT_GAS_LIMIT, MAX_GAS_LIMIT
from ..wasm import BIT_WIDTH, ValType, Value, WasmError, as_module_bytes, text_error_message

#: OBJ-STORE-1: a contract addresses a slot with one byte, so a transaction has at most 256
#: slots (inputs and created objects together).
MAX_SLOTS = 256

#: ROUTE-TX-1: the most ops a transaction has, and the most arguments a call has (the
#: encoding's counts are u32; these bounds keep a transaction's size reasonable).
MAX_OPS = 1 << 16
MAX_CALL_ARGS = 1 << 16

#: ROUTE-TX-2: the first byte of the canonical encoding (its version).
ENCODING_VERSION = 0x01

_VALTYPE_BYTE = {ValType.I32: 0x7F, ValType.I64: 0x7E, ValType.F32: 0x7D, ValType.F64: 0x7C}


def _sequence(value: object, argument: str, maximum: int, what: str) -> tuple[Any, ...]:
    """ROUTE-TX-1: ``value`` as a tuple when it is a sequence (not a string or bytes) of at most
    ``maximum`` items -- its length checked before it is materialised, so a huge ``range`` is
    `InvalidArgumentError`, never an `OverflowError` or a `MemoryError`."""
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise InvalidArgumentError(argument, f"a sequence of {what}", value)
    try:
        n = len(value)
    except OverflowError:
        n = maximum + 1
    if n > maximum:
        raise InvalidArgumentError(argument, f"at most {maximum} {what}", value)
    return tuple(value)


def _bool(value: object, argument: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidArgumentError(argument, "a bool", value)
    return value


@dataclass(frozen=True, slots=True)
class ObjectInput:
    """ROUTE-TX-1, OBJ-INPUT-*: an input object: its ``id``, the ``version`` the transaction
    expects (for a shared input its initial shared version, OBJ-INPUT-4), whether it is used
    ``mutable``-ly and whether it is declared ``shared`` (which routes the transaction to
    consensus, ROUTE-PATH-1)."""

    id: bytes
    version: int
    mutable: bool = True
    shared: bool = False

    def __post_init__(self) -> None:
        check_id(self.id, "id")
        check_version(self.version)
        _bool(self.mutable, "mutable")
        _bool(self.shared, "shared")


@dataclass(frozen=True, slots=True)
class ContractCall:
    """ROUTE-TX-1, OBJ-STORE-*: a call of ``function`` of the contract ``code`` with ``args``
    (numbers only) under ``gas_limit``, run over the transaction's slots. ``code`` may be given
    as WebAssembly text (a ``str``, RT-CODE-1): it is kept as its binary, so a transaction's
    encoding and hash are those of the binary; text with an error is `InvalidArgumentError`
    naming its line and column (RT-CODE-3)."""

    code: bytes
    function: str
    args: tuple[Value, ...] = ()
    gas_limit: int = DEFAULT_GAS_LIMIT

    def __post_init__(self) -> None:
        if isinstance(self.code, str):
            object.__setattr__(self, "code", _code_of_text(self.code))
        if type(self.code) is not bytes:
            raise InvalidArgumentError("code", "bytes or WebAssembly text", self.code)
        if not isinstance(self.function, str):
            raise InvalidArgumentError("function", "a string", self.function)
        args = _sequence(self.args, "args", MAX_CALL_ARGS, "Values")
        for a in args:
            if not isinstance(a, Value) or a.type not in _VALTYPE_BYTE \
                    or type(a.payload) is not int:
                raise InvalidArgumentError("args", "numeric Values (i32, i64, f32, f64)", a)
        object.__setattr__(self, "args", args)
        require_int(self.gas_limit, "gas_limit", 1, MAX_GAS_LIMIT)


def _code_of_text(text: str) -> bytes:
    """RT-CODE-1..3: the binary of a contract given as text; an error in the text is
    `InvalidArgumentError` with the error's line and column."""
    try:
        return as_module_bytes(text)
    except WasmError as e:
        raise InvalidArgumentError(
            "code", f"WebAssembly text without errors ({text_error_message(e)})",
            text) from e


class OpKind(StrEnum):
    """ROUTE-TX-1, OBJ-OP-1: what an op does to a slot after the call."""

    TRANSFER = "transfer"
    DELETE = "delete"
    FREEZE = "freeze"
    SHARE = "share"


_OP_BYTE = {OpKind.TRANSFER: 0, OpKind.DELETE: 1, OpKind.FREEZE: 2, OpKind.SHARE: 3}


@dataclass(frozen=True, slots=True)
class ObjectOp:
    """OBJ-OP-1: ``kind`` applied to ``slot`` (an input index, or ``len(inputs) + k`` for the
    k-th created object); a transfer names its ``recipient`` (32 bytes), the others none."""

    kind: OpKind
    slot: int
    recipient: bytes | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.kind, OpKind):
            raise InvalidArgumentError("kind", "an OpKind", self.kind)
        require_int(self.slot, "slot", 0, MAX_SLOTS - 1)
        if self.kind == OpKind.TRANSFER:
            check_id(self.recipient, "recipient")
        elif self.recipient is not None:
            raise InvalidArgumentError("recipient", f"None for a {self.kind.value}",
                                       self.recipient)

    @classmethod
    def transfer(cls, slot: int, recipient: bytes) -> ObjectOp:
        """OBJ-OP-1: transfer ``slot`` to ``recipient``."""
        return cls(OpKind.TRANSFER, slot, recipient)

    @classmethod
    def delete(cls, slot: int) -> ObjectOp:
        """OBJ-OP-1: delete ``slot``."""
        return cls(OpKind.DELETE, slot)

    @classmethod
    def freeze(cls, slot: int) -> ObjectOp:
        """OBJ-OP-1: freeze ``slot`` (make it immutable)."""
        return cls(OpKind.FREEZE, slot)

    @classmethod
    def share(cls, slot: int) -> ObjectOp:
        """OBJ-OP-1: share ``slot``."""
        return cls(OpKind.SHARE, slot)


@dataclass(frozen=True, slots=True)
class ObjectCreate:
    """ROUTE-TX-3: a new object the transaction creates: owned by the sender, with an empty
    state that the call may fill, of type ``type_tag``."""

    type_tag: str = ""

    def __post_init__(self) -> None:
        check_type_tag(self.type_tag)


def canonical_json(value: object, argument: str) -> bytes:
    """ROUTE-TX-2: JSON with sorted keys, no spaces, UTF-8; `InvalidArgumentError` for a value
    JSON cannot hold."""
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False).encode("utf-8")
    except (TypeError, ValueError, RecursionError):
        raise InvalidArgumentError(argument, "a JSON value", value) from None


@dataclass(frozen=True, slots=True)
class PrivateProof:
    """ROUTE-PRIV-1: the proof of a private transaction: the id of a registered verifying key,
    the snarkjs ``proof.json`` and ``public.json`` contents (JSON values)."""

    vk_id: str
    proof: Any
    public: Any

    def __post_init__(self) -> None:
        if not isinstance(self.vk_id, str):
            raise InvalidArgumentError("vk_id", "a string", self.vk_id)
        canonical_json(self.proof, "proof")
        canonical_json(self.public, "public")


def _list(value: object, argument: str, item: type, what: str, maximum: int
          ) -> tuple[Any, ...]:
    out = _sequence(value, argument, maximum, what)
    for x in out:
        if not isinstance(x, item):
            raise InvalidArgumentError(argument, f"a sequence of {what}", x)
    return out


@dataclass(frozen=True)
class VmTransaction:
    """ROUTE-TX-1: the seed's ``VmTransaction``. Every field is checked on construction
    (`InvalidArgumentError`) and the sequences are kept as tuples; at most `MAX_SLOTS` inputs
    and creations together (OBJ-STORE-1)."""

    sender: bytes
    inputs: Sequence[ObjectInput] = ()
    call: ContractCall | None = None
    ops: Sequence[ObjectOp] = ()
    creates: Sequence[ObjectCreate] = ()
    proof: PrivateProof | None = None
    _digest: bytes = field(default=b"", init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_id(self.sender, "sender")
        object.__setattr__(self, "inputs",
                           _list(self.inputs, "inputs", ObjectInput, "ObjectInputs",
                                 MAX_SLOTS))
        if self.call is not None and not isinstance(self.call, ContractCall):
            raise InvalidArgumentError("call", "a ContractCall or None", self.call)
        object.__setattr__(self, "ops", _list(self.ops, "ops", ObjectOp, "ObjectOps", MAX_OPS))
        object.__setattr__(self, "creates",
                           _list(self.creates, "creates", ObjectCreate, "ObjectCreates",
                                 MAX_SLOTS))
        if self.proof is not None and not isinstance(self.proof, PrivateProof):
            raise InvalidArgumentError("proof", "a PrivateProof or None", self.proof)
        if len(self.inputs) + len(self.creates) > MAX_SLOTS:
            raise InvalidArgumentError("inputs", f"at most {MAX_SLOTS} inputs and creations "
                                                 "together",
                                       len(self.inputs) + len(self.creates))
        object.__setattr__(self, "_digest", hashlib.sha256(encode_transaction(self)).digest())

    @property
    def digest(self) -> bytes:
        """ROUTE-TX-2: SHA-256 of the canonical encoding."""
        return self._digest

    @property
    def slot_count(self) -> int:
        """OBJ-STORE-1: inputs, then created objects."""
        return len(self.inputs) + len(self.creates)

    def created_id(self, index: int) -> bytes:
        """ROUTE-TX-3: the id of the ``index``-th created object:
        ``SHA-256(digest || index (u64 LE))``."""
        return created_object_id(self.digest, index)


def created_object_id(digest: bytes, index: int) -> bytes:
    """ROUTE-TX-3: ``SHA-256(digest || index as u64 little endian)``."""
    return hashlib.sha256(digest + struct.pack("<Q", index)).digest()


def _blob(data: bytes) -> bytes:
    return struct.pack("<I", len(data)) + data


def encode_transaction(tx: VmTransaction) -> bytes:
    """ROUTE-TX-2: the canonical encoding (all integers little endian)::

        0x01 || sender (32)
        || u32 n || (id (32) || version u64 || flags u8: bit0 mutable, bit1 shared)^n
        || 0x00 (no call) | 0x01 || blob(code) || blob(function UTF-8) || u32 n
                              || (type u8 (0x7f i32, 0x7e i64, 0x7d f32, 0x7c f64) || bits u64)^n
                              || gas_limit u64
        || u32 n || (kind u8 (0 transfer, 1 delete, 2 freeze, 3 share) || slot u32
                     || recipient (32, transfers only))^n
        || u32 n || blob(type_tag UTF-8)^n
        || 0x00 (no proof) | 0x01 || blob(vk_id UTF-8) || blob(JSON(proof)) || blob(JSON(public))

    where ``blob(b) = u32 len(b) || b`` and JSON is `canonical_json`."""
    out = bytearray([ENCODING_VERSION]) + tx.sender
    out += struct.pack("<I", len(tx.inputs))
    for inp in tx.inputs:
        out += inp.id + struct.pack("<QB", inp.version, int(inp.mutable) | int(inp.shared) << 1)
    if tx.call is None:
        out.append(0)
    else:
        c = tx.call
        out.append(1)
        out += _blob(c.code) + _blob(c.function.encode("utf-8", "surrogatepass"))
        out += struct.pack("<I", len(c.args))
        for a in c.args:
            bits = int(a.payload) & ((1 << BIT_WIDTH[a.type]) - 1)  # type: ignore[arg-type]
            out += struct.pack("<BQ", _VALTYPE_BYTE[a.type], bits)
        out += struct.pack("<Q", c.gas_limit)
    out += struct.pack("<I", len(tx.ops))
    for op in tx.ops:
        out += struct.pack("<BI", _OP_BYTE[op.kind], op.slot)
        if op.recipient is not None:
            out += op.recipient
    out += struct.pack("<I", len(tx.creates))
    for cr in tx.creates:
        out += _blob(cr.type_tag.encode("utf-8"))
    if tx.proof is None:
        out.append(0)
    else:
        p = tx.proof
        out.append(1)
        out += _blob(p.vk_id.encode("utf-8", "surrogatepass"))
        out += _blob(canonical_json(p.proof, "proof")) + _blob(canonical_json(p.public, "public"))
    return bytes(out)


__all__ = ["ENCODING_VERSION", "ID_LENGTH", "MAX_CALL_ARGS", "MAX_OPS", "MAX_SLOTS",
           "ContractCall", "ObjectCreate", "ObjectInput", "ObjectOp", "OpKind", "PrivateProof",
           "VmTransaction",
           "canonical_json", "created_object_id", "encode_transaction"]
