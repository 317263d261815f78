"""What demos 8-10 and ``supervm bench mixed-path`` run on: the coin contract and the snarkjs
proof shipped as package data (``supervm_ref/demos/data/``, see its SOURCE), named addresses
and object ids, and the transactions they build (spec/routing.md ROUTE-DEMO-*).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from ..objects.types import AddressOwner, ObjectData, Shared
from ..routing.transaction import ContractCall, ObjectInput, ObjectOp, PrivateProof, VmTransaction
from ..wasm import Value

#: The package data folder (its SOURCE says where each file came from).
DATA = Path(__file__).resolve().parent / "data"

#: The id under which the demos and the bench register the shipped verifying key.
VK_ID = "x3-plus-x-plus-5"

#: The gas limit of the demo's contract calls (the coin contract uses a few thousand).
CALL_GAS = 1_000_000

#: Named addresses (32 bytes each), so printed lines say who did what.
NAMES = {"alice": b"\xa1" * 32, "bob": b"\xb0" * 32, "carol": b"\xc0" * 32}
ALICE, BOB, CAROL = NAMES["alice"], NAMES["bob"], NAMES["carol"]


def name_of(address: bytes) -> str:
    """The demo name of ``address`` (its hex digits when it has none)."""
    for name, value in NAMES.items():
        if value == address:
            return name
    return "0x" + address.hex()


def object_id(n: int) -> bytes:
    """Object id number ``n`` (32 bytes, big endian)."""
    return n.to_bytes(32, "big")


@cache
def coin_wasm() -> bytes:
    """The coin contract (a copy of conformance/contracts/coin.wasm)."""
    return (DATA / "coin.wasm").read_bytes()


@cache
def _document(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def proof_documents() -> tuple[Any, Any, Any]:
    """The shipped snarkjs documents, parsed from JSON afresh on each call (so no caller can
    change another's): ``(verification_key, proof, public)``."""
    return tuple(json.loads(_document(n)) for n in
                 ("verification_key.json", "proof.json", "public.json"))


def coin(n: int, owner: bytes, amount: int = 100) -> ObjectData:
    """An owned coin at version 1 holding ``amount`` (u64 little endian under ``balance``)."""
    return ObjectData(object_id(n), 1, AddressOwner(owner), "coin",
                      {b"balance": amount.to_bytes(8, "little")})


def counter(n: int) -> ObjectData:
    """A shared counter, shared since version 1."""
    return ObjectData(object_id(n), 1, Shared(1), "counter", {})


def transfer(sender: bytes, n: int, version: int, recipient: bytes,
             proof: PrivateProof | None = None) -> VmTransaction:
    """ROUTE-TX-1, OBJ-OP-1: ``sender`` transfers its coin ``n`` (at ``version``) to
    ``recipient``; no contract call."""
    return VmTransaction(sender, [ObjectInput(object_id(n), version)],
                         ops=[ObjectOp.transfer(0, recipient)], proof=proof)


def increment(sender: bytes, n: int) -> VmTransaction:
    """ROUTE-TX-1: ``sender`` calls the coin contract's ``incr`` on the shared counter ``n``."""
    return VmTransaction(sender, [ObjectInput(object_id(n), 1, True, shared=True)],
                         ContractCall(coin_wasm(), "incr", (Value.i32(0),), CALL_GAS))


def mint(sender: bytes, n: int, version: int, amount: int,
         proof: PrivateProof | None = None) -> VmTransaction:
    """ROUTE-TX-1: ``sender`` mints ``amount`` into its coin ``n`` (at ``version``)."""
    return VmTransaction(sender, [ObjectInput(object_id(n), version)],
                         ContractCall(coin_wasm(), "mint", (Value.i32(0), Value.i64(amount)),
                                      CALL_GAS), proof=proof)


def valid_proof() -> PrivateProof:
    """ROUTE-PRIV-1: the shipped proof and public inputs under `VK_ID`."""
    _, proof, public = proof_documents()
    return PrivateProof(VK_ID, proof, public)
