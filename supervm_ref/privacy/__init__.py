"""The privacy layer: Groth16 proofs over BN254 as snarkjs writes them (spec/privacy.md).

    from supervm_ref.privacy import (parse_verifying_key, parse_proof, parse_public_inputs,
                                     verify_groth16, ZkError)

    vk = parse_verifying_key(json.load(open("verification_key.json")))
    verify_groth16(vk, parse_proof(proof_json), parse_public_inputs(public_json))  # or ZkError

One module per concept: `errors` (ZkError and its canonical kinds), `field` (Fp, Fr and the
decimal strings), `curve` (points and their group checks), `snarkjs` (the JSON documents),
`verifier` (the pairing equation), `backends` (reference and fast) and `registry`.
"""

from __future__ import annotations

from .backends import ZK_BACKENDS, zk_backend_status
from .curve import G1Point, G2Point
from .errors import ZK_ERROR_KINDS, ZkError
from .field import CURVE_ORDER, FIELD_MODULUS
from .registry import VerifyingKeyRegistry
from .snarkjs import (
    MAX_PUBLIC_INPUTS,
    Proof,
    VerifyingKey,
    load_json_text,
    parse_proof,
    parse_public_inputs,
    parse_verifying_key,
)
from .verifier import verify_documents, verify_groth16

__all__ = [
    "CURVE_ORDER",
    "FIELD_MODULUS",
    "MAX_PUBLIC_INPUTS",
    "ZK_BACKENDS",
    "ZK_ERROR_KINDS",
    "G1Point",
    "G2Point",
    "Proof",
    "VerifyingKey",
    "VerifyingKeyRegistry",
    "ZkError",
    "load_json_text",
    "parse_proof",
    "parse_public_inputs",
    "parse_verifying_key",
    "verify_documents",
    "verify_groth16",
    "zk_backend_status",
]
