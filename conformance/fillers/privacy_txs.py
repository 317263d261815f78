"""Filler ``privacy_txs``: private transactions carrying real Groth16 proofs, executed by a
SuperVM (spec/routing.md ROUTE-PRIV-*, spec/privacy.md ZK-*; the format: spec/conformance.md
section 16, CONF-TXN-*).

The proofs come from outside: the verifying keys and proofs snarkjs 0.7.6 produced for
``x^3 + x + 5 = 35`` (registered as ``cubic``, one public input) and ``mul3`` (two), read from
``snarkjs-groth16/`` of ``$SUPERVM_EXTERNAL`` (default ``shared/external`` beside the
repository; ZK-EXT-1). Each fixture registers its keys in ``pre.verifying_keys``.

The reference verifier takes about 0.4 s per pairing check, and a consume runs every fixture
under each schedule of CONF-TXN-3 (the reference verifier under the first only). So only six
transactions below reach the pairing equation; every other rejection comes from a check before
it (the registry, the count, the documents' shape), and a public transaction's proof is never
checked at all.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

from supervm_ref import (
    AddressOwner,
    ContractCall,
    ObjectCreate,
    ObjectData,
    ObjectInput,
    Privacy,
    PrivateProof,
    Shared,
    VmTransaction,
)
from supervm_ref.conformance.filler import contract, current_root
from supervm_ref.conformance.formats.transaction import TransactionCase
from supervm_ref.conformance.suite import find_snarkjs
from supervm_ref.privacy import FIELD_MODULUS
from supervm_ref.wasm.runtime.values import Value

AREA = "privacy_txs"
ALICE, BOB = b"\xa1" * 32, b"\xb0" * 32
I32, I64 = Value.i32, Value.i64
GAS = 1_000_000
#: Every case: the format, and a private transaction verified before it runs.
BASE = ["CONF-TXN-1", "CONF-TXN-2", "CONF-TXN-3", "ROUTE-EXEC-1", "ROUTE-RECEIPT-1",
        "ROUTE-PATH-1", "ROUTE-PRIV-1", "ROUTE-PRIV-2", "ROUTE-STATS-1", "ZK-EXT-1"]


def external() -> Path:
    """ZK-EXT-1: the external snarkjs proofs (`find_snarkjs`: ``$SUPERVM_EXTERNAL``, else
    ``shared/external`` beside the repository root or the package's checkout)."""
    return find_snarkjs(current_root())


def load(name: str) -> Any:
    """A JSON document of the external folder."""
    return json.loads((external() / name).read_text(encoding="utf-8"))


def keys() -> dict[str, Any]:
    """The two verifying keys by the ids the cases register them under."""
    return {"cubic": load("verification_key.json"), "mul3": load("mul3/verification_key.json")}


def cubic(public: str = "public.json", vk_id: str = "cubic") -> PrivateProof:
    """snarkjs's proof of x^3 + x + 5 = 35 with the public signals of ``public``."""
    return PrivateProof(vk_id, load("proof.json"), load(public))


def mul3(i: int, vk_id: str = "mul3") -> PrivateProof:
    """snarkjs's mul3 proof ``i`` (1 to 3) with its public signals."""
    return PrivateProof(vk_id, load(f"mul3/proof{i}.json"), load(f"mul3/public{i}.json"))


def malleated(proof: PrivateProof) -> PrivateProof:
    """ZK-VERIFY-3: ``(-A, -B, C)``: another valid proof of the same statement."""
    doc = proof.proof
    a, b = doc["pi_a"], doc["pi_b"]
    neg_a = [a[0], str(-int(a[1]) % FIELD_MODULUS), a[2]]
    neg_b = [b[0], [str(-int(c) % FIELD_MODULUS) for c in b[1]], b[2]]
    return PrivateProof(proof.vk_id, {**doc, "pi_a": neg_a, "pi_b": neg_b}, proof.public)


def oid(n: int) -> bytes:
    """Object id number ``n``."""
    return n.to_bytes(32, "big")


def coin(n: int, owner: bytes, amount: int = 100, version: int = 1) -> ObjectData:
    """A coin object."""
    return ObjectData(oid(n), version, AddressOwner(owner), "coin",
                      {b"balance": struct.pack("<Q", amount)})


def counter(n: int, initial: int = 1, version: int = 1) -> ObjectData:
    """A shared counter."""
    return ObjectData(oid(n), version, Shared(initial), "counter", {})


def call(function: str, *args: Value) -> ContractCall:
    """A call of the coin contract."""
    return ContractCall(contract("coin"), function, args, GAS)


def inp(o: ObjectData, mutable: bool = True) -> ObjectInput:
    """The input naming ``o`` at its current (or initial shared) version."""
    if isinstance(o.owner, Shared):
        return ObjectInput(o.id, o.owner.initial_shared_version, mutable, True)
    return ObjectInput(o.id, o.version, mutable, False)


def mint(o: ObjectData, proof: PrivateProof | None, sender: bytes = ALICE, amount: int = 5
         ) -> VmTransaction:
    """A transaction minting ``amount`` into the coin ``o``, carrying ``proof``."""
    return VmTransaction(sender, [inp(o)], call("mint", I32(0), I64(amount)), proof=proof)


def private(tx: VmTransaction) -> tuple[VmTransaction, Privacy]:
    """``tx`` on the privacy path."""
    return tx, Privacy.Private


def case(name: str, description: str, rules: list[str], pre: list[ObjectData],
         *blocks: list[tuple[VmTransaction, Privacy]], registered: tuple[str, ...]
         ) -> TransactionCase:
    """A case of this area registering the keys ``registered`` (only those it needs: decoding
    a key checks its G2 points, about 0.15 s per key on the reference)."""
    known = keys()
    return TransactionCase(f"{AREA}/{name}", description, [*BASE, *rules], pre,
                           {"coin": contract("coin")}, list(map(list, blocks)),
                           {k: known[k] for k in registered})


def verified_cases() -> list[TransactionCase]:
    """ROUTE-PRIV-1/2, ZK-VERIFY-1/3: proofs that reach the pairing equation (five of the
    area's six)."""
    a, b = coin(1, ALICE, 100, 3), coin(2, ALICE, 40, 6)
    s = counter(3, 2, 4)
    valid = ["ZK-VERIFY-1", "ZK-REG-1", "ROUTE-PATH-3", "OBJ-VERSION-2"]
    return [
        case("private_valid", "a private mint carrying snarkjs's valid proof (key cubic): the "
             "privacy route, proof_verified true, the balance 105 and the coin at version 4",
             valid, [a], [private(mint(a, cubic()))], registered=("cubic",)),
        case("private_public_tampered", "the same transaction with the source's tampered public "
             "signal 36: rejected with zk_proof_invalid, proof_verified false, the coin "
             "unchanged at version 3", ["ZK-VERIFY-1", "OBJ-VERSION-5"], [a],
             [private(mint(a, cubic("public_tampered.json")))], registered=("cubic",)),
        case("private_malleated_and_reused", "(-A, -B, C) of mul3 proof 1 is a valid proof of "
             "the same statement, and one proof may back two transactions: nothing is keyed on "
             "a proof's bytes; both mints run", ["ZK-VERIFY-1", "ZK-VERIFY-3", "ROUTE-PATH-3"],
             [a, b], [private(mint(a, malleated(mul3(1)))), private(mint(b, malleated(mul3(1))))],
             registered=("mul3",)),
        case("private_shared_input", "a private transaction incrementing a shared counter still "
             "takes the privacy route (proof_verified true), and the counter gets the Lamport "
             "version", ["ZK-VERIFY-1", "OBJ-INPUT-4", "OBJ-VERSION-2", "ROUTE-PATH-3"], [s],
             [private(VmTransaction(BOB, [inp(s)], call("incr", I32(0)), proof=mul3(2)))],
             registered=("mul3",)),
    ]


def rejected_cases() -> list[TransactionCase]:
    """ROUTE-PRIV-2, ZK-REG-1, ZK-VERIFY-2, ZK-PROOF-1, ZK-PUBLIC-1, ZK-ORDER-1: proofs
    rejected before the pairing equation; nothing changes."""
    a = coin(1, ALICE, 100, 2)
    proof = load("proof.json")
    no_c = {k: v for k, v in proof.items() if k != "pi_c"}
    reject = ["OBJ-VERSION-5"]
    return [
        case("private_unknown_key", "only cubic is registered: a proof naming mul3, and one "
             "naming an id no key can have, are rejected with zk_unknown_verifying_key",
             ["ZK-REG-1", *reject], [a],
             [private(mint(a, mul3(2))), private(mint(a, cubic(vk_id="no such key!")))],
             registered=("cubic",)),
        case("private_other_circuits_key", "a proof checked against the other circuit's key: "
             "cubic's proof under mul3's key, mul3's under cubic's; the counts differ "
             "(zk_public_input_count)", ["ZK-REG-1", "ZK-VERIFY-2", *reject], [a],
             [private(mint(a, cubic(vk_id="mul3"))), private(mint(a, mul3(2, vk_id="cubic")))],
             registered=("cubic", "mul3")),
        case("private_malformed_documents", "a proof without pi_c (zk_malformed_proof), public "
             "signals that are a string (zk_malformed_public_inputs), both at once (the proof is "
             "checked first)", ["ZK-PROOF-1", "ZK-PUBLIC-1", "ZK-ORDER-1", *reject], [a],
             [private(mint(a, PrivateProof("cubic", no_c, ["35"]))),
              private(mint(a, PrivateProof("cubic", proof, "35"))),
              private(mint(a, PrivateProof("cubic", no_c, "35")))], registered=("cubic",)),
    ]


def block_cases() -> list[TransactionCase]:
    """ROUTE-BLOCK-1/2, ROUTE-PATH-1: private transactions among fast and consensus ones;
    proofs on public transactions."""
    a, b = coin(1, ALICE, 50), coin(2, BOB, 10)
    s = counter(3)
    return [
        case("mixed_block", "a block of consensus, private and fast transactions: the fast ones "
             "run first (sequence 0, 1); the consensus and private ones after, in block order "
             "(2..5), as one batch: the counter is incremented by the consensus, then the "
             "private (mul3 proof 3), then the consensus transaction; the private one naming "
             "an unregistered key keeps its place (sequence 4) and changes nothing",
             ["ROUTE-BLOCK-1", "ROUTE-BLOCK-2", "ROUTE-PATH-2", "ROUTE-PATH-3", "ZK-VERIFY-1",
              "ZK-REG-1", "OBJ-VERSION-2", "OBJ-VERSION-5"], [a, b, s],
             [(VmTransaction(ALICE, [inp(s)], call("incr", I32(0))), Privacy.Public),
              private(VmTransaction(BOB, [inp(s), inp(b)], call("incr", I32(0)),
                                    proof=mul3(3))),
              (VmTransaction(ALICE, [inp(a)], call("split", I32(1), I64(10)),
                             creates=[ObjectCreate("coin")]), Privacy.Public),
              private(VmTransaction(ALICE, [inp(s)], call("incr", I32(0)),
                                    proof=cubic(vk_id="unregistered"))),
              (VmTransaction(BOB, [inp(s)], call("incr", I32(0))), Privacy.Public),
              (VmTransaction(BOB, [inp(b, False)], call("balance", I32(0))),
               Privacy.Public)], registered=("mul3",)),
        case("public_with_proof", "public transactions carrying proofs: the proof is part of "
             "the digest and nothing else -- never verified (a tampered proof runs, "
             "proof_verified null), the route from the inputs (fast, then consensus); two "
             "transactions differing only in their proofs create objects with different ids",
             ["ROUTE-TX-2", "ROUTE-TX-3", "ROUTE-PATH-2", "ROUTE-PATH-3"], [a, s],
             [(mint(a, cubic("public_tampered.json")), Privacy.Public),
              (VmTransaction(ALICE, [inp(s)], call("incr", I32(0)),
                             proof=cubic("public_tampered.json", "unregistered")),
               Privacy.Public),
              (VmTransaction(BOB, creates=[ObjectCreate("coin")], proof=cubic()),
               Privacy.Public),
              (VmTransaction(BOB, creates=[ObjectCreate("coin")], proof=mul3(1)),
               Privacy.Public)], registered=("cubic",)),
    ]


def cases() -> list[TransactionCase]:
    """The privacy_txs area."""
    return [*verified_cases(), *rejected_cases(), *block_cases()]

