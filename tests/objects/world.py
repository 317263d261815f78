"""Builders shared by the object and routing tests: addresses, objects, the coin contract."""

from __future__ import annotations

import json
import struct
from typing import Any

from supervm_ref import (
    AddressOwner,
    ContractCall,
    Immutable,
    ObjectData,
    ObjectInput,
    PrivateProof,
    Shared,
    SuperVM,
    Value,
    VerifyingKeyRegistry,
    VmTransaction,
    parse_verifying_key,
)

from ..support import REPO, external_dir

COIN = (REPO / "conformance" / "contracts" / "coin.wasm").read_bytes()
ALICE, BOB, CAROL = b"\xa1" * 32, b"\xb0" * 32, b"\xc0" * 32


def oid(n: int) -> bytes:
    """Object id number ``n``."""
    return n.to_bytes(32, "big")


def u64(x: int) -> bytes:
    """A u64 as the coin contract stores it."""
    return struct.pack("<Q", x)


def balance(vm: SuperVM, object_id: bytes) -> int:
    """The coin balance of a live object."""
    obj = vm.objects.get(object_id)
    assert obj is not None
    value: int = struct.unpack("<Q", obj.state.get(b"balance", u64(0)))[0]
    return value


def coin(n: int, owner: bytes = ALICE, amount: int = 100, version: int = 1) -> ObjectData:
    """An owned coin."""
    return ObjectData(oid(n), version, AddressOwner(owner), "coin", {b"balance": u64(amount)})


def shared(n: int, version: int = 1, initial: int = 1) -> ObjectData:
    """A shared counter."""
    return ObjectData(oid(n), version, Shared(initial), "counter", {})


def frozen(n: int, version: int = 1) -> ObjectData:
    """An immutable coin."""
    return ObjectData(oid(n), version, Immutable(), "coin", {b"balance": u64(7)})


def vm_with(*objects: ObjectData) -> SuperVM:
    """A SuperVM holding ``objects``."""
    vm = SuperVM()
    for o in objects:
        vm.objects.insert(o)
    return vm


def call(function: str, *args: Value, gas_limit: int = 1_000_000) -> ContractCall:
    """A call of the coin contract."""
    return ContractCall(COIN, function, args, gas_limit)


def inp(obj: ObjectData, mutable: bool = True) -> ObjectInput:
    """The input naming ``obj`` as it is (its current or initial shared version)."""
    if isinstance(obj.owner, Shared):
        return ObjectInput(obj.id, obj.owner.initial_shared_version, mutable, shared=True)
    return ObjectInput(obj.id, obj.version, mutable)


def tx(sender: bytes, *inputs: ObjectInput, **kw: object) -> VmTransaction:
    """A transaction."""
    return VmTransaction(sender, inputs, **kw)  # type: ignore[arg-type]


def snarkjs(name: str) -> Any:
    """A document of the snarkjs vectors (ZK-EXT-1); fails (never skips) when they are
    missing."""
    path = external_dir() / "snarkjs-groth16" / name
    assert path.is_file(), f"snarkjs vectors missing at {path} (set SUPERVM_EXTERNAL)"
    return json.loads(path.read_text())


def cubic_proof(public: str = "public.json", vk_id: str = "cubic") -> PrivateProof:
    """snarkjs's proof of x^3 + x + 5 = 35 with the public signals of the file ``public``
    (``public_tampered.json``: 36, which the proof does not prove)."""
    return PrivateProof(vk_id, snarkjs("proof.json"), snarkjs(public))


def registry_with_cubic() -> VerifyingKeyRegistry:
    """A registry holding the key of x^3 + x + 5 = 35 as ``cubic``."""
    registry = VerifyingKeyRegistry()
    registry.register("cubic", parse_verifying_key(snarkjs("verification_key.json")))
    return registry
