"""Builders shared by the object and routing tests: addresses, objects, the coin contract."""

from __future__ import annotations

import struct

from supervm_ref import (
    AddressOwner,
    ContractCall,
    Immutable,
    ObjectData,
    ObjectInput,
    Shared,
    SuperVM,
    Value,
    VmTransaction,
)

from ..support import REPO

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
