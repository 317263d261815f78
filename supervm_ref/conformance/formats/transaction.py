"""The transaction fixture, ``supervm_transaction_test``: blocks of `VmTransaction`s over objects
executed by a `SuperVM` (spec/conformance.md section 16, CONF-TXN-*; spec/objects.md,
spec/routing.md).

A fixture holds a pre-state of objects (and the verifying keys its private transactions'
proofs name), the contracts its calls name, blocks of transactions (each with its privacy mode)
and, filled by the reference, every receipt and the post-state:

- a backend is given ``{fixture_format, pre, code, blocks}`` and answers
  ``{"receipts": [[...], ...], "objects": [...], "conflicts": [...], "routing_stats": {...}}``
  (receipts per block, in block order; every object and tombstone by id; each block's
  conflicts; the routing statistics after the last block);
- a version is a JSON integer up to 2**53 - 1 and a decimal string above (up to 2**64 - 1), so
  every u64 version travels exactly (CONF-ENC-2);
- the fixture passes when both are equal, as JSON;
- in process the contract calls run on the selected backend and the consensus batches through
  `MvccScheduler` under each schedule of `TXN_SCHEDULES`, the proofs checked by the Groth16
  backend paired with that schedule (`TXN_RUNS`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any, ClassVar

from ...backends import BackendFactory
from ...errors import SuperVMError, shown
from ...objects.types import (
    MAX_VERSION,
    AddressOwner,
    Immutable,
    ObjectData,
    Owner,
    Shared,
    Tombstone,
)
from ...privacy import VerifyingKey, VerifyingKeyRegistry, parse_verifying_key, zk_backend_status
from ...privacy.registry import VK_ID
from ...routing.execution import ExecutionStatus
from ...routing.receipt import ExecutionReceipt, Privacy, Route
from ...routing.supervm import RoutingStats, SuperVM
from ...routing.transaction import (
    ContractCall,
    ObjectCreate,
    ObjectInput,
    ObjectOp,
    OpKind,
    PrivateProof,
    VmTransaction,
)
from ...runtime.storage import MemoryStorage
from ..compare import diff
from ..encoding import (
    MAX_SAFE_INTEGER,
    EncodingError,
    check_integer,
    decode_bytes,
    decode_value,
    encode_bytes,
    encode_value,
)
from ..execute import BackendFailure
from ..filler import FillerError
from .base import FixtureFormat, InProcessRun
from .batch import BatchSchedule

#: CONF-TXN-3: the schedules the consensus batches of a fixture run under in process.
TXN_SCHEDULES: tuple[BatchSchedule, ...] = (
    BatchSchedule("simulated", 1),
    BatchSchedule("simulated", 4, "random", 1),
)

#: CONF-TXN-3: the Groth16 verifier backend (ZK-BACKEND-1) of each schedule's run: the
#: reference under the first, ``fast`` under the others when its extra is installed (else the
#: reference). Both backends give the same verdict on every proof (ZK-BACKEND-1), so a fixture
#: is checked on both, and the pure-Python pairings (about 0.4 s each) run once per consume.
TXN_RUNS: tuple[tuple[BatchSchedule, str], ...] = (
    (TXN_SCHEDULES[0], "reference"),
    *((s, "fast") for s in TXN_SCHEDULES[1:]),
)

#: A block: transactions with their privacy modes.
Block = list[tuple[VmTransaction, Privacy]]


@dataclass(frozen=True)
class TransactionCase:
    """CONF-TXN-1: a filler case: the pre-state objects, the contracts (name -> code), the
    blocks and the verifying keys (id -> a snarkjs ``verification_key.json`` document, decoded
    JSON) registered before the blocks run; `fill` records the receipts and post-state."""

    name: str
    description: str
    rules: list[str]
    pre: list[ObjectData] = field(default_factory=list)
    code: dict[str, bytes] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    verifying_keys: dict[str, Any] = field(default_factory=dict)
    kind: str = "transaction"


# --- JSON (CONF-TXN-2) ----------------------------------------------------------------------

def encode_version(version: int) -> int | str:
    """CONF-TXN-2: a version (OBJ-VERSION-1, up to 2**64 - 1): a JSON integer up to 2**53 - 1
    (CONF-ENC-2), the decimal string of the number above -- one encoding per version."""
    return version if version <= MAX_SAFE_INTEGER else str(version)


def decode_version(x: object, what: str) -> int:
    """CONF-TXN-2: the inverse of `encode_version`; `EncodingError` for anything else (0, a
    string of a number up to 2**53 - 1, leading zeros, signs, numbers above 2**64 - 1)."""
    if isinstance(x, str):
        if x.isascii() and x.isdigit() and x[0] != "0" and len(x) <= 20 \
                and MAX_SAFE_INTEGER < int(x) <= MAX_VERSION:
            return int(x)
        raise EncodingError(f"{what}: expected a version above 2**53 - 1 as a decimal string "
                            f"(up to 2**64 - 1), got {shown(x)}")
    return check_integer(x, what, 1)


def encode_owner(owner: Owner) -> Any:
    """CONF-TXN-2: ``{"address": hex}`` | ``{"shared": initial_shared_version}`` |
    ``"immutable"``."""
    if isinstance(owner, AddressOwner):
        return {"address": encode_bytes(owner.address)}
    if isinstance(owner, Shared):
        return {"shared": encode_version(owner.initial_shared_version)}
    return "immutable"


def encode_record(obj: ObjectData | Tombstone) -> dict[str, Any]:
    """CONF-TXN-2: an object, or a tombstone ``{"id", "version", "deleted": true}``."""
    if isinstance(obj, Tombstone):
        return {"id": encode_bytes(obj.id), "version": encode_version(obj.version),
                "deleted": True}
    return {"id": encode_bytes(obj.id), "version": encode_version(obj.version),
            "owner": encode_owner(obj.owner),
            "type_tag": obj.type_tag,
            "state": {encode_bytes(k): encode_bytes(v) for k, v in obj.state.items()}}


def _get(obj: Any, key: str, what: str) -> Any:
    if not isinstance(obj, dict) or key not in obj:
        raise EncodingError(f"{what}: expected an object with {key!r}, got {shown(obj)}")
    return obj[key]


def _version(x: object, what: str) -> int:
    return decode_version(x, what)


def decode_owner(obj: object, what: str) -> Owner:
    """CONF-TXN-2: the inverse of `encode_owner`."""
    if obj == "immutable":
        return Immutable()
    if isinstance(obj, dict) and set(obj) == {"address"}:
        return AddressOwner(_id(obj["address"], f"{what}.address"))
    if isinstance(obj, dict) and set(obj) == {"shared"}:
        return Shared(_version(obj["shared"], f"{what}.shared"))
    raise EncodingError(f"{what}: expected an owner, got {shown(obj)}")


def _id(x: object, what: str) -> bytes:
    data = decode_bytes(x, what)
    if len(data) != 32:
        raise EncodingError(f"{what}: expected 32 bytes, got {len(data)}")
    return data


def decode_object(obj: object, what: str) -> ObjectData:
    """CONF-TXN-2: a pre-state object."""
    if not isinstance(obj, dict) or set(obj) != {"id", "version", "owner", "type_tag", "state"}:
        raise EncodingError(f"{what}: expected id, version, owner, type_tag, state; got "
                            f"{shown(obj)}")
    state = obj["state"]
    if not isinstance(state, dict) or not isinstance(obj["type_tag"], str):
        raise EncodingError(f"{what}: a state is an object of hex to hex, a type_tag a string")
    return ObjectData(_id(obj["id"], f"{what}.id"), _version(obj["version"], f"{what}.version"),
                      decode_owner(obj["owner"], f"{what}.owner"), obj["type_tag"],
                      {decode_bytes(k, f"{what}.state"): decode_bytes(v, f"{what}.state")
                       for k, v in state.items()})


def encode_tx(tx: VmTransaction, privacy: Privacy, names: dict[bytes, str]) -> dict[str, Any]:
    """CONF-TXN-2: a transaction; a call names its contract by its name in ``code``."""
    call = None
    if tx.call is not None:
        call = {"code": names[tx.call.code], "function": tx.call.function,
                "args": [encode_value(a) for a in tx.call.args], "gas_limit": tx.call.gas_limit}
    return {
        "sender": encode_bytes(tx.sender), "privacy": privacy.value,
        "inputs": [{"id": encode_bytes(i.id), "version": encode_version(i.version),
                    "mutable": i.mutable,
                    "shared": i.shared} for i in tx.inputs],
        "call": call,
        "ops": [{"kind": op.kind.value, "slot": op.slot}
                | ({"recipient": encode_bytes(op.recipient)} if op.recipient else {})
                for op in tx.ops],
        "creates": [c.type_tag for c in tx.creates],
        "proof": None if tx.proof is None else {"vk_id": tx.proof.vk_id, "proof": tx.proof.proof,
                                                "public": tx.proof.public},
    }


def decode_tx(obj: object, code: dict[str, bytes], what: str) -> tuple[VmTransaction, Privacy]:
    """CONF-TXN-2: the inverse of `encode_tx`."""
    keys = {"sender", "privacy", "inputs", "call", "ops", "creates", "proof"}
    if not isinstance(obj, dict) or set(obj) != keys:
        raise EncodingError(f"{what}: expected the members {sorted(keys)}, got {shown(obj)}")
    try:
        privacy = Privacy(obj["privacy"])
        inputs = [ObjectInput(_id(_get(i, "id", what), f"{what}.inputs"),
                              _version(_get(i, "version", what), f"{what}.inputs"),
                              _get(i, "mutable", what), _get(i, "shared", what))
                  for i in _list(obj["inputs"], what)]
        call = None
        c = obj["call"]
        if c is not None:
            name = _get(c, "code", what)
            if name not in code:
                raise EncodingError(f"{what}: no contract named {shown(name)} in code")
            call = ContractCall(code[name], _get(c, "function", what),
                                tuple(decode_value(a, f"{what}.args")
                                      for a in _list(_get(c, "args", what), what)),
                                check_integer(_get(c, "gas_limit", what), f"{what}.gas_limit", 1))
        ops = [ObjectOp(OpKind(_get(o, "kind", what)), _get(o, "slot", what),
                        None if o.get("recipient") is None
                        else _id(o["recipient"], f"{what}.recipient"))
               for o in _list(obj["ops"], what)]
        creates = [ObjectCreate(t) for t in _list(obj["creates"], what)]
        p = obj["proof"]
        if p is not None and (not isinstance(p, dict) or set(p) != {"vk_id", "proof", "public"}):
            raise EncodingError(f"{what}.proof: expected null or an object of vk_id, proof and "
                                f"public, got {shown(p)}")
        proof = None if p is None else PrivateProof(p["vk_id"], p["proof"], p["public"])
        return VmTransaction(_id(obj["sender"], f"{what}.sender"), inputs, call, ops, creates,
                             proof), privacy
    except (SuperVMError, ValueError, AttributeError) as e:
        if isinstance(e, EncodingError):
            raise
        raise EncodingError(f"{what}: {e}") from None


def _list(x: object, what: str) -> list[Any]:
    if not isinstance(x, list):
        raise EncodingError(f"{what}: expected a list, got {shown(x)}")
    return x


def encode_receipt(r: ExecutionReceipt) -> dict[str, Any]:
    """CONF-TXN-2: a receipt (ROUTE-RECEIPT-1)."""
    def pairs(xs: tuple[tuple[bytes, int], ...]) -> list[list[Any]]:
        return [[encode_bytes(i), encode_version(v)] for i, v in xs]

    return {"sequence": r.sequence, "digest": encode_bytes(r.digest), "route": r.route.value,
            "status": r.status.value, "error": r.error, "gas_used": r.gas_used,
            "events": [encode_bytes(e) for e in r.events], "created": pairs(r.created),
            "mutated": pairs(r.mutated), "deleted": pairs(r.deleted),
            "lamport_version": None if r.lamport_version is None
            else encode_version(r.lamport_version),
            "proof_verified": r.proof_verified}


def encode_stats(stats: RoutingStats) -> dict[str, int]:
    """CONF-TXN-2: the routing statistics (ROUTE-STATS-1) as integers: transactions per path,
    conflicts (ROUTE-BLOCK-4) and the router's adjustments (its target is a ratio, checked by
    the router's own fixtures)."""
    return {"fast": stats.fast, "consensus": stats.consensus, "privacy": stats.privacy,
            "conflicts": stats.conflicts, "adjustments": stats.adjustments}


# --- Running (CONF-TXN-3) --------------------------------------------------------------------

@dataclass(frozen=True)
class TransactionInput:
    """A decoded input: the pre-state objects, the blocks and the verifying keys by id."""

    pre: list[ObjectData]
    blocks: list[Block]
    verifying_keys: dict[str, VerifyingKey] = field(default_factory=dict)


def decode_verifying_keys(obj: object) -> dict[str, VerifyingKey]:
    """CONF-TXN-2: ``pre.verifying_keys``, id -> ``verification_key.json``; an id that is not a
    key id (ZK-REG-1) or a key that does not parse (ZK-VK-1, with its kind) is an
    `EncodingError`: the fixture, not a transaction, is wrong."""
    if not isinstance(obj, dict):
        raise EncodingError(f"pre.verifying_keys: expected an object of key id -> "
                            f"verification_key.json, got {shown(obj)}")
    keys = {}
    for vk_id, document in obj.items():
        if VK_ID.fullmatch(vk_id) is None:
            raise EncodingError(f"pre.verifying_keys: expected key ids of 1 to 64 characters of "
                                f"A-Z a-z 0-9 _ . : -, got {shown(vk_id)}")
        try:
            keys[vk_id] = parse_verifying_key(document)
        except SuperVMError as e:
            raise EncodingError(f"pre.verifying_keys.{vk_id}: {e}") from None
    return keys


def run(factory: BackendFactory, test: TransactionInput,
        schedule: BatchSchedule | None = None, zk_backend: str = "reference"
        ) -> dict[str, Any]:
    """CONF-TXN-3: a `SuperVM` on ``factory`` over the pre-state, its registry holding the
    verifying keys and its verifier on ``zk_backend``; every block executed; the receipts and
    every object and tombstone, each block's conflicts (ROUTE-BLOCK-4) and the routing
    statistics after the last block (ROUTE-STATS-1). `BackendFailure` when it breaks down."""
    try:
        registry = VerifyingKeyRegistry()
        for vk_id, vk in test.verifying_keys.items():
            registry.register(vk_id, vk)
        vm = SuperVM(MemoryStorage(), backend=factory, registry=registry, zk_backend=zk_backend,
                     scheduler=None if schedule is None else schedule.scheduler())
        for obj in test.pre:
            vm.objects.insert(obj)
        receipts, conflicts = [], []
        for block in test.blocks:
            before = vm.routing_stats().conflicts
            receipts.append([encode_receipt(r) for r in vm.execute_block(block)])
            conflicts.append(vm.routing_stats().conflicts - before)
        objects = [encode_record(o) for o in vm.objects.records()]
        stats = encode_stats(vm.routing_stats())
    except SuperVMError as e:
        raise BackendFailure(f"{type(e).__name__}: {e}") from e
    return {"receipts": receipts, "objects": objects, "conflicts": conflicts,
            "routing_stats": stats}


def _run(schedule: BatchSchedule, zk_backend: str, factory: BackendFactory,
         decoded: TransactionInput) -> dict[str, Any]:
    return run(factory, decoded, schedule, zk_backend)


_HEX = {"$ref": "#/$defs/hex"}
_VERSION = {"if": {"type": "string"},
            "then": {"type": "string", "pattern": "^[1-9][0-9]{15,19}$"},
            "else": {"type": "integer", "minimum": 1, "maximum": MAX_SAFE_INTEGER}}
_COUNT = {"type": "integer", "minimum": 0, "maximum": MAX_SAFE_INTEGER}
_ID = {"type": "string", "pattern": "^0x[0-9a-f]{64}$"}
_PAIRS = {"type": "array", "items": {"type": "array", "items": {"type": ["string", "integer"]},
                                     "minItems": 2, "maxItems": 2}}


def _either(first: dict[str, Any], test: dict[str, Any], second: dict[str, Any]
            ) -> dict[str, Any]:
    """``first`` when the instance matches ``test``, else ``second`` (the validator of
    CONF-SCHEMA-1 has no oneOf)."""
    return {"if": test, "then": first, "else": second}


class TransactionFormat(FixtureFormat):
    """CONF-TXN-1..4: blocks of transactions over objects, their receipts and post-state."""

    name: ClassVar[str] = "supervm_transaction_test"
    description: ClassVar[str] = ("blocks of transactions over objects executed by a SuperVM; "
                                  "every receipt and the objects afterwards must be equal")
    spec_section: ClassVar[str] = ("spec/conformance.md section 16 (CONF-TXN-*), "
                                   "spec/objects.md, spec/routing.md")
    input_definition: ClassVar[str] = "transaction_input"
    output_definition: ClassVar[str] = "transaction_output"
    output_name: ClassVar[str] = "a list of receipts and objects"
    case_kind: ClassVar[str | None] = "transaction"
    case_type: ClassVar[type | None] = TransactionCase

    def schema_defs(self) -> dict[str, Any]:
        """CONF-TXN-1/2: a fixture, an input and an output."""
        owner = _either({"const": "immutable"}, {"type": "string"},
                        {"type": "object", "additionalProperties": False,
                         "properties": {"address": _ID, "shared": _VERSION}})
        live = {"type": "object", "required": ["id", "version", "owner", "type_tag", "state"],
                "additionalProperties": False,
                "properties": {"id": _ID, "version": _VERSION, "owner": owner,
                               "type_tag": {"type": "string"},
                               "state": {"type": "object", "additionalProperties": _HEX}}}
        tomb = {"type": "object", "required": ["id", "version", "deleted"],
                "additionalProperties": False,
                "properties": {"id": _ID, "version": _VERSION, "deleted": {"const": True}}}
        tx = {"type": "object",
              "required": ["sender", "privacy", "inputs", "call", "ops", "creates", "proof"],
              "additionalProperties": False,
              "properties": {
                  "sender": _ID, "privacy": {"enum": [p.value for p in Privacy]},
                  "inputs": {"type": "array", "items": {
                      "type": "object", "required": ["id", "version", "mutable", "shared"],
                      "additionalProperties": False,
                      "properties": {"id": _ID, "version": _VERSION,
                                     "mutable": {"type": "boolean"},
                                     "shared": {"type": "boolean"}}}},
                  "call": _either({"type": "null"}, {"type": "null"}, {
                      "type": "object", "required": ["code", "function", "args", "gas_limit"],
                      "additionalProperties": False,
                      "properties": {"code": {"type": "string"}, "function": {"type": "string"},
                                     "args": {"type": "array"},
                                     "gas_limit": {"$ref": "#/$defs/gas"}}}),
                  "ops": {"type": "array", "items": {
                      "type": "object", "required": ["kind", "slot"],
                      "additionalProperties": False,
                      "properties": {"kind": {"enum": [k.value for k in OpKind]},
                                     "slot": {"type": "integer", "minimum": 0, "maximum": 255},
                                     "recipient": _ID}}},
                  "creates": {"type": "array", "items": {"type": "string"}},
                  "proof": _either({"type": "null"}, {"type": "null"}, {
                      "type": "object", "required": ["vk_id", "proof", "public"],
                      "additionalProperties": False,
                      "properties": {"vk_id": {"type": "string"}, "proof": {},
                                     "public": {}}})}}
        receipt = {"type": "object",
                   "required": ["sequence", "digest", "route", "status", "error", "gas_used",
                                "events", "created", "mutated", "deleted", "lamport_version",
                                "proof_verified"],
                   "additionalProperties": False,
                   "properties": {
                       "sequence": {"$ref": "#/$defs/gas"}, "digest": _ID,
                       "route": {"enum": [r.value for r in Route]},
                       "status": {"enum": [s.value for s in ExecutionStatus]},
                       "error": _either({"type": "null"}, {"type": "null"},
                                        {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"}),
                       "gas_used": {"$ref": "#/$defs/gas"},
                       "events": {"type": "array", "items": _HEX},
                       "created": _PAIRS, "mutated": _PAIRS, "deleted": _PAIRS,
                       "lamport_version": _either({"type": "null"}, {"type": "null"},
                                                  _VERSION),
                       "proof_verified": {"type": ["boolean", "null"]}}}
        stats = {"type": "object", "additionalProperties": False,
                 "required": ["fast", "consensus", "privacy", "conflicts", "adjustments"],
                 "properties": {k: _COUNT for k in ("fast", "consensus", "privacy", "conflicts",
                                                    "adjustments")}}
        output = {"type": "object",
                  "required": ["receipts", "objects", "conflicts", "routing_stats"],
                  "additionalProperties": False,
                  "properties": {
                      "conflicts": {"type": "array", "items": _COUNT},
                      "routing_stats": stats,
                      "receipts": {"type": "array", "items": {"type": "array",
                                                              "items": receipt}},
                      "objects": {"type": "array", "items": _either(
                          tomb, {"type": "object", "required": ["deleted"]}, live)}}}
        pre = {"type": "object", "required": ["objects"], "additionalProperties": False,
               "properties": {"objects": {"type": "array", "items": live},
                              "verifying_keys": {
                                  "type": "object",
                                  "propertyNames": {"pattern": f"^{VK_ID.pattern}$"},
                                  "additionalProperties": {"type": "object"}}}}
        code = {"type": "object", "additionalProperties": _HEX}
        blocks = {"type": "array", "items": {"type": "array", "items": tx}}
        return {
            self.name: {
                "description": "CONF-TXN-1: objects, contracts, blocks; receipts and objects.",
                "type": "object", "required": ["_info", "pre", "code", "blocks", "post"],
                "additionalProperties": False,
                "properties": {"_info": {"$ref": "#/$defs/info"}, "pre": pre, "code": code,
                               "blocks": blocks, "post": output}},
            self.input_definition: {
                "description": "CONF-TXN-2: what a backend is given.",
                "type": "object", "required": ["fixture_format", "pre", "code", "blocks"],
                "additionalProperties": False,
                "properties": {"fixture_format": {"const": self.name}, "pre": pre,
                               "code": code, "blocks": blocks}},
            self.output_definition: {
                "description": "CONF-TXN-2: receipts per block and every object after.",
                **output},
        }

    # --- Filling ------------------------------------------------------------------------------

    def check_case(self, case: TransactionCase) -> None:
        """CONF-FILL-2, CONF-TXN-1: objects, named contracts, at least one block; every call
        names a contract of ``code``; the verifying keys a dict of id -> document."""
        if not case.blocks or not all(isinstance(o, ObjectData) for o in case.pre):
            raise FillerError(f"case {shown(case.name)}: needs objects and at least one block")
        if not isinstance(case.verifying_keys, dict):
            raise FillerError(f"case {shown(case.name)}: verifying_keys is a dict of key id -> "
                              f"verification_key.json document")
        known = set(case.code.values())
        for block in case.blocks:
            for tx, privacy in block:
                if not isinstance(tx, VmTransaction) or not isinstance(privacy, Privacy):
                    raise FillerError(f"case {shown(case.name)}: blocks hold (tx, Privacy)")
                if tx.call is not None and tx.call.code not in known:
                    raise FillerError(f"case {shown(case.name)}: a call's code is not in code")

    def fill(self, case: TransactionCase) -> dict[str, Any]:
        """CONF-TXN-1: the case and the reference's receipts and objects."""
        from ...runtime.runtime import Runtime

        names = {code: name for name, code in case.code.items()}
        pre: dict[str, Any] = {"objects": [encode_record(o) for o in case.pre]}
        if case.verifying_keys:  # optional: fixtures without private transactions omit it
            pre["verifying_keys"] = case.verifying_keys
        body = {"pre": pre,
                "code": {name: encode_bytes(code) for name, code in sorted(case.code.items())},
                "blocks": [[encode_tx(tx, p, names) for tx, p in block]
                           for block in case.blocks]}
        try:
            body["post"] = run(Runtime, self.decode_input(
                {"fixture_format": self.name, **{k: body[k] for k in ("pre", "code", "blocks")}}))
        except (BackendFailure, EncodingError) as e:
            raise FillerError(f"case {shown(case.name)}: {e}") from e
        return body

    # --- Checking -----------------------------------------------------------------------------

    def backend_input(self, fixture: dict[str, Any]) -> dict[str, Any]:
        """CONF-TXN-2: ``{fixture_format, pre, code, blocks}``."""
        return {"fixture_format": self.name, "pre": fixture["pre"], "code": fixture["code"],
                "blocks": fixture["blocks"]}

    def compare(self, fixture: dict[str, Any], got: Any) -> list[str]:
        """CONF-TXN-4: every difference of the receipts and the objects."""
        return diff("post", fixture["post"], got)

    # --- Running ------------------------------------------------------------------------------

    def decode_input(self, test: dict[str, Any]) -> TransactionInput:
        """CONF-TXN-2: the objects, the verifying keys and the blocks; `EncodingError` for
        anything else."""
        extra = sorted(set(test) - {"fixture_format", "pre", "code", "blocks"})
        if extra:
            raise EncodingError(f"input: unexpected members {extra}")
        code_json = test.get("code", {})
        if not isinstance(code_json, dict):
            raise EncodingError("input.code: expected an object of name -> hex")
        code = {k: decode_bytes(v, f"code.{k}") for k, v in code_json.items()}
        pre_json = test.get("pre")
        if not isinstance(pre_json, dict) or not set(pre_json) <= {"objects", "verifying_keys"}:
            raise EncodingError(f"input.pre: expected an object of objects (and verifying_keys), "
                                f"got {shown(pre_json)}")
        keys = decode_verifying_keys(pre_json.get("verifying_keys", {}))
        try:
            pre = [decode_object(o, f"pre.objects[{i}]")
                   for i, o in enumerate(_list(_get(pre_json, "objects", "pre"), "pre"))]
        except SuperVMError as e:
            if isinstance(e, EncodingError):
                raise
            raise EncodingError(f"pre: {e}") from None
        blocks = [[decode_tx(t, code, f"blocks[{b}][{i}]") for i, t in enumerate(_list(blk, "b"))]
                  for b, blk in enumerate(_list(test.get("blocks"), "blocks"))]
        return TransactionInput(pre, blocks, keys)

    def execute(self, factory: BackendFactory, decoded: TransactionInput) -> dict[str, Any]:
        """CONF-TXN-3: the blocks on a SuperVM whose calls run on ``factory``."""
        return run(factory, decoded)

    def in_process_runs(self) -> tuple[InProcessRun, ...]:
        """CONF-TXN-3: one run per schedule of `TXN_SCHEDULES`, each verifying proofs on its
        Groth16 backend of `TXN_RUNS` (the reference when ``fast`` is not installed)."""
        status = zk_backend_status()
        runs = [(s, zk if status.get(zk) is None else "reference") for s, zk in TXN_RUNS]
        return tuple(InProcessRun(f"{s.label}, zk {zk}", partial(_run, s, zk)) for s, zk in runs)
