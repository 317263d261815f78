"""Filler ``objects``: transactions over objects executed by a SuperVM (spec/objects.md OBJ-*,
spec/routing.md ROUTE-*; the format: spec/conformance.md section 16, CONF-TXN-*).

The cases pin the access matrix (one case per cell: 6 access types x owned by the sender, owned
by someone else, shared, immutable), the input checks (stale and future versions, duplicates,
declared kinds, shared versions), equivocation on the fast path, Lamport versions, failed
transactions' version bumps, object-scoped storage violations, ops, the coin contract (split,
merge, transfer), a block interleaving fast and consensus transactions, version overflow at
2^64 - 1, ops on read-only slots, scans of undeclared slots with limit 0, a replayed
create-then-delete transaction and private transactions refused before they run.

Spec rules checked by tests only (no fixture can express them): OBJ-ENC-1/2 (the storage
layout), OBJ-MGR-1..3 (the `OwnershipManager` API), ROUTE-BLOCK-3 (the queues), ROUTE-API-1/2
(constructors, `execute_transaction`, `RoutingError`).
"""

from __future__ import annotations

import struct

from supervm_ref import (
    AddressOwner,
    ContractCall,
    Immutable,
    ObjectCreate,
    ObjectData,
    ObjectInput,
    ObjectOp,
    Owner,
    Privacy,
    PrivateProof,
    Shared,
    VmTransaction,
)
from supervm_ref.conformance.filler import contract
from supervm_ref.conformance.formats.transaction import TransactionCase
from supervm_ref.wasm.runtime.values import Value

AREA = "objects"
ALICE, BOB = b"\xa1" * 32, b"\xb0" * 32
I32, I64 = Value.i32, Value.i64
BASE = ["CONF-TXN-1", "CONF-TXN-2", "CONF-TXN-3", "ROUTE-EXEC-1", "ROUTE-RECEIPT-1", "OBJ-ID-1",
        "ROUTE-STATS-1"]
#: OBJ-VERSION-1: the largest version.
MAX_VERSION = (1 << 64) - 1
GAS = 1_000_000


def oid(n: int) -> bytes:
    """Object id number ``n``."""
    return n.to_bytes(32, "big")


def u64(x: int) -> bytes:
    """A u64 as the coin contract stores it."""
    return struct.pack("<Q", x)


def obj(n: int, owner: Owner, version: int = 1, amount: int = 100) -> ObjectData:
    """A coin object."""
    return ObjectData(oid(n), version, owner, "coin", {b"balance": u64(amount)})


def call(function: str, *args: Value) -> ContractCall:
    """A call of the coin contract."""
    return ContractCall(contract("coin"), function, args, GAS)


def inp(o: ObjectData, mutable: bool = True) -> ObjectInput:
    """The input naming ``o`` at its current (or initial shared) version."""
    if isinstance(o.owner, Shared):
        return ObjectInput(o.id, o.owner.initial_shared_version, mutable, True)
    return ObjectInput(o.id, o.version, mutable, False)


def case(name: str, description: str, rules: list[str], pre: list[ObjectData],
         *blocks: list[VmTransaction | tuple[VmTransaction, Privacy]],
         code: dict[str, bytes] | None = None) -> TransactionCase:
    """A case of this area (its contracts: the coin, unless ``code`` says otherwise)."""
    return TransactionCase(
        f"{AREA}/{name}", description, [*BASE, *rules], pre,
        {"coin": contract("coin")} if code is None else code,
        [[t if isinstance(t, tuple) else (t, Privacy.Public) for t in b] for b in blocks])


RELATIONS: dict[str, Owner] = {"owned_by_sender": AddressOwner(ALICE),
                               "owned_by_other": AddressOwner(BOB), "shared": Shared(1),
                               "immutable": Immutable()}
CELL_RULES = {"owned_by_sender": "OBJ-ACCESS-1", "owned_by_other": "OBJ-ACCESS-2",
              "shared": "OBJ-ACCESS-4", "immutable": "OBJ-ACCESS-3"}


def matrix_cases() -> list[TransactionCase]:
    """OBJ-ACCESS-1..4: one transaction per cell of the access matrix (read: the balance
    probe; write: the write probe; the others: an op), sent by ALICE."""
    out = []
    for relation, owner in RELATIONS.items():
        o = obj(1, owner)
        readonly = relation == "immutable"
        accesses = {
            "read": ({"call": call("balance", I32(0))}, False, ["OBJ-STORE-1"]),
            "write": ({"call": call("write", I32(0), I64(5))}, not readonly, ["OBJ-STORE-3"]),
            "transfer": ({"ops": [ObjectOp.transfer(0, BOB)]}, not readonly, ["OBJ-OP-1"]),
            "delete": ({"ops": [ObjectOp.delete(0)]}, not readonly, ["OBJ-OP-1", "OBJ-OP-2"]),
            "freeze": ({"ops": [ObjectOp.freeze(0)]}, not readonly, ["OBJ-OP-1", "OBJ-OP-2"]),
            "share": ({"ops": [ObjectOp.share(0)]}, not readonly,
                      ["OBJ-OP-1", "OBJ-OP-2", "OBJ-ACCESS-5"]),
        }
        for access, (kw, mutable, rules) in accesses.items():
            t = VmTransaction(ALICE, [inp(o, mutable)], **kw)  # type: ignore[arg-type]
            extra = ["OBJ-INPUT-1"] if relation == "owned_by_other" else []
            out.append(case(f"access_{access}_{relation}",
                            f"access matrix: {access} of an object {relation.replace('_', ' ')}",
                            [CELL_RULES[relation], "OBJ-OWNER-1", *rules, *extra, "OBJ-VERSION-2",
                             "OBJ-VERSION-4", "OBJ-VERSION-5"], [o], [t]))
    return out


def input_cases() -> list[TransactionCase]:
    """OBJ-INPUT-*, OBJ-ID-2: rejections change nothing."""
    c, s, f = obj(1, AddressOwner(ALICE), 4), obj(2, Shared(3), 5), obj(3, Immutable(), 2)
    pre = [c, s, f]
    rej = ["OBJ-VERSION-5", "OBJ-ERR-1"]
    return [
        case("input_missing", "an input that does not exist", ["OBJ-INPUT-1", "OBJ-ID-2", *rej],
             pre, [VmTransaction(ALICE, [ObjectInput(oid(9), 1)])]),
        case("input_stale_version", "an owned input naming an older version",
             ["OBJ-INPUT-3", *rej], pre, [VmTransaction(ALICE, [ObjectInput(c.id, 3)])]),
        case("input_future_version", "an owned input naming a newer version",
             ["OBJ-INPUT-3", *rej], pre, [VmTransaction(ALICE, [ObjectInput(c.id, 5)])]),
        case("input_duplicate", "one object twice among the inputs, once read-only",
             ["OBJ-INPUT-2", *rej], pre,
             [VmTransaction(ALICE, [inp(c), inp(c, False)])]),
        case("input_shared_version", "a shared input naming its current, not its initial, "
             "version", ["OBJ-INPUT-4", *rej], pre,
             [VmTransaction(ALICE, [ObjectInput(s.id, 5, True, True)])]),
        case("input_kind_mismatch", "a shared object declared owned, an owned one declared "
             "shared", ["OBJ-INPUT-5", "ROUTE-PATH-1", *rej], pre,
             [VmTransaction(ALICE, [ObjectInput(s.id, 3)]),
              VmTransaction(ALICE, [ObjectInput(c.id, 4, True, True)])]),
        case("input_immutable_mutable", "an immutable object declared mutable",
             ["OBJ-INPUT-6", *rej], pre, [VmTransaction(ALICE, [ObjectInput(f.id, 2, True)])]),
        case("shared_version_assigned", "a shared input's version is the one sequencing gives "
             "it: two increments in one block", ["OBJ-INPUT-4", "OBJ-VERSION-2",
                                                  "ROUTE-PATH-3"], pre,
             [VmTransaction(ALICE, [inp(s)], call("incr", I32(0))),
              VmTransaction(BOB, [inp(s)], call("incr", I32(0)))]),
    ]


def version_cases() -> list[TransactionCase]:
    """OBJ-VERSION-*, OBJ-STORE-*, OBJ-OP-*, ROUTE-*."""
    a = obj(1, AddressOwner(ALICE), 3, 100)
    b = obj(2, AddressOwner(ALICE), 7, 5)
    f = obj(3, Immutable(), 9)
    s = obj(4, Shared(2), 6)
    split = VmTransaction(ALICE, [inp(a), inp(f, False)], call("split", I32(2), I64(30)),
                          creates=[ObjectCreate("coin")])
    return [
        case("lamport_versions", "split: the mutated coin and the created one get 1 + max of "
             "all input versions, the immutable input included; created id from the digest",
             ["OBJ-VERSION-2", "OBJ-VERSION-3", "ROUTE-TX-1", "ROUTE-TX-2", "ROUTE-TX-3",
              "OBJ-STORE-1"],
             [a, f], [split]),
        case("failed_tx_bumps_mutable_inputs", "a split beyond the balance traps: the mutable "
             "input gets the new version unchanged, the read-only one stays, nothing is "
             "created, no events", ["OBJ-VERSION-4", "ROUTE-EXEC-2"], [a, b],
             [VmTransaction(ALICE, [inp(b), inp(a, False)], call("split", I32(2), I64(6)),
                            creates=[ObjectCreate()])]),
        case("undeclared_slot", "a read of slot 1 when only slot 0 exists",
             ["OBJ-STORE-2", "OBJ-STORE-4", "OBJ-VERSION-4"], [a],
             [VmTransaction(ALICE, [inp(a)], call("balance", I32(1)))]),
        case("read_only_slot_write", "a write to a read-only owned slot and to a read-only "
             "shared slot", ["OBJ-STORE-3", "OBJ-STORE-4"], [a, s],
             [VmTransaction(ALICE, [inp(a, False)], call("write", I32(0), I64(1))),
              VmTransaction(ALICE, [inp(s, False)], call("write", I32(0), I64(1)))]),
        case("coin_split_merge_transfer", "split, then merge the pieces (the op deletes the "
             "source), then transfer: value is conserved", ["OBJ-OP-2", "OBJ-ID-2"], [a],
             [split_only := VmTransaction(ALICE, [inp(a)], call("split", I32(1), I64(40)),
                                          creates=[ObjectCreate("coin")])],
             [VmTransaction(ALICE, [ObjectInput(a.id, 4), ObjectInput(split_only.created_id(0),
                                                                      4)],
                            call("merge", I32(1)), [ObjectOp.delete(1)])],
             [VmTransaction(ALICE, [ObjectInput(a.id, 5)], ops=[ObjectOp.transfer(0, BOB)])]),
        case("op_after_delete", "an op on a slot an earlier op deleted fails and undoes the "
             "call", ["OBJ-OP-1", "OBJ-OP-3"], [s],
             [VmTransaction(ALICE, [inp(s)], call("incr", I32(0)),
                            [ObjectOp.delete(0), ObjectOp.share(0)])]),
        case("shared_delete_and_reshare", "a shared object re-shared (no change but its "
             "version), then deleted; a later use finds nothing",
             ["OBJ-ACCESS-4", "OBJ-ID-2"], [s],
             [VmTransaction(BOB, [inp(s)], ops=[ObjectOp.share(0)])],
             [VmTransaction(BOB, [inp(s)], ops=[ObjectOp.delete(0)])],
             [VmTransaction(BOB, [inp(s)], call("incr", I32(0)))]),
        *edge_cases(),
    ]


def edge_cases() -> list[TransactionCase]:
    """OBJ-VERSION-1, OBJ-OP-2, OBJ-STORE-2, OBJ-ID-2: the edges a backend may skip."""
    top = obj(5, AddressOwner(ALICE), MAX_VERSION)
    below = obj(6, AddressOwner(ALICE), MAX_VERSION - 1)
    low = obj(7, AddressOwner(ALICE), 2)
    a = obj(1, AddressOwner(ALICE), 3)
    s = obj(4, Shared(2), 6)
    once = VmTransaction(ALICE, creates=[ObjectCreate("c")], ops=[ObjectOp.delete(0)])
    probe = contract("abi_probe")

    def scan(prefix_at: int, prefix_len: int) -> ContractCall:
        # abi_probe's byte n of memory is n: the prefix is the slot number itself
        return ContractCall(probe, "storage_scan",
                            (I32(prefix_at), I32(prefix_len), I32(0), I32(1024), I32(8192)), GAS)

    return [
        case("version_overflow", "an input at version 2^64 - 1 leaves no next version: "
             "version_overflow, nothing written (also with a read-only input beside a low "
             "mutable one); an input at 2^64 - 2 gives its writes 2^64 - 1",
             ["OBJ-VERSION-1", "OBJ-VERSION-2", "OBJ-VERSION-5"], [top, below, low],
             [VmTransaction(ALICE, [inp(top)], ops=[ObjectOp.freeze(0)]),
              VmTransaction(ALICE, [inp(low), inp(top, False)], ops=[ObjectOp.freeze(0)]),
              VmTransaction(ALICE, [inp(below)], ops=[ObjectOp.transfer(0, BOB)])]),
        case("op_on_read_only_slot", "ops take objects by value: a transfer, a delete, a "
             "freeze or a share of an owned input declared read-only fails with "
             "object_slot_read_only, and of a read-only shared input", ["OBJ-OP-2",
                                                                        "OBJ-VERSION-4"],
             [a, s],
             [VmTransaction(ALICE, [inp(a, False)], ops=[ObjectOp.transfer(0, BOB)]),
              VmTransaction(ALICE, [inp(a, False)], ops=[ObjectOp.delete(0)]),
              VmTransaction(ALICE, [inp(a, False)], ops=[ObjectOp.freeze(0)]),
              VmTransaction(ALICE, [inp(a, False)], ops=[ObjectOp.share(0)]),
              VmTransaction(ALICE, [inp(s, False)], ops=[ObjectOp.share(0)])]),
        case("scan_limit_zero_undeclared", "a storage_scan with limit 0 still names its slot: "
             "an empty prefix, slot 9 and slot 255 are object_slot_undeclared; slot 0 is "
             "fine", ["OBJ-STORE-2", "OBJ-STORE-4"], [a],
             [VmTransaction(ALICE, [inp(a)], scan(0, 0))],
             [VmTransaction(ALICE, [ObjectInput(a.id, 4)], scan(9, 1))],
             [VmTransaction(ALICE, [ObjectInput(a.id, 5)], scan(255, 1))],
             [VmTransaction(ALICE, [ObjectInput(a.id, 6)], scan(0, 1))],
             code={"abi_probe": probe}),
        case("create_delete_replayed", "a transaction creating an object and deleting it in "
             "its ops leaves a tombstone; the same transaction again would create the same id "
             "(ROUTE-TX-3) over the tombstone: object_already_exists",
             ["OBJ-ID-2", "ROUTE-TX-3", "OBJ-VERSION-5"], [], [once], [once]),
    ]


def block_cases() -> list[TransactionCase]:
    """ROUTE-BLOCK-*, ROUTE-PATH-*: interleaving, equivocation, conflicts."""
    a = obj(1, AddressOwner(ALICE), 1, 50)
    b = obj(2, AddressOwner(BOB), 1, 10)
    s = obj(3, Shared(1), 1)
    return [
        case("equivocation", "two fast transactions use one owned object at one version: the "
             "first in block order wins, the second is stale",
             ["OBJ-INPUT-3", "ROUTE-PATH-2", "ROUTE-BLOCK-1"], [a],
             [VmTransaction(ALICE, [inp(a)], call("split", I32(1), I64(1)),
                            creates=[ObjectCreate()]),
              VmTransaction(ALICE, [inp(a)], ops=[ObjectOp.transfer(0, BOB)])]),
        case("interleaving", "a block mixing consensus and fast transactions: the fast ones "
             "run first (sequence numbers 0..2), so the consensus one naming the owned "
             "coin's old version is stale; the counter increments run in block order",
             ["ROUTE-BLOCK-1", "ROUTE-BLOCK-2", "ROUTE-PATH-1", "ROUTE-PATH-2", "ROUTE-PATH-3",
              "ROUTE-BLOCK-4"], [a, b, s],
             [VmTransaction(ALICE, [inp(s), inp(a)], call("incr", I32(0))),
              VmTransaction(ALICE, [inp(a)], call("split", I32(1), I64(10)),
                            creates=[ObjectCreate()]),
              VmTransaction(BOB, [inp(s)], call("incr", I32(0))),
              VmTransaction(BOB, [inp(b)], ops=[ObjectOp.share(0)]),
              VmTransaction(ALICE, [inp(s, False)], call("balance", I32(0))),
              VmTransaction(BOB, [inp(s)], call("incr", I32(0)))]),
        case("private_without_proof", "a private transaction with no proof is rejected on the "
             "privacy path", ["ROUTE-PRIV-2"], [a],
             [(VmTransaction(ALICE, [inp(a)], ops=[ObjectOp.freeze(0)]), Privacy.Private)]),
        case("private_refused_before_running", "private transactions go to the privacy path "
             "whatever their inputs: one with a shared input and no proof, and one whose proof "
             "names a key that is not registered, are rejected and change nothing",
             ["ROUTE-PATH-1", "ROUTE-PRIV-1", "ROUTE-PRIV-2", "OBJ-VERSION-5"], [a, s],
             [(VmTransaction(ALICE, [inp(s)], ops=[ObjectOp.delete(0)]), Privacy.Private),
              (VmTransaction(ALICE, [inp(a)], ops=[ObjectOp.transfer(0, BOB)],
                             proof=PrivateProof("nokey", {"garbage": 1}, [])),
               Privacy.Private)]),
    ]


def cases() -> list[TransactionCase]:
    """The objects area."""
    return [*matrix_cases(), *input_cases(), *version_cases(), *block_cases()]
