"""The Groth16 verifier (spec/privacy.md section 5: ZK-VERIFY-1..3, ZK-ORDER-1).

A proof ``(A, B, C)`` of public inputs ``s_1..s_n`` is valid for a verifying key
``(alpha, beta, gamma, delta, IC)`` when

    e(-A, B) * e(alpha, beta) * e(vk_x, gamma) * e(C, delta) == 1 in GT,
    vk_x = IC[0] + s_1 IC[1] + ... + s_n IC[n],

which is snarkjs's ``e(A, B) == e(alpha, beta) e(vk_x, gamma) e(C, delta)`` with every factor
moved to one side. The reference computes the four Miller loops, multiplies them, and makes
ONE final exponentiation (a quarter of the cost of four full pairings: ``supervm bench
zk-latency`` measures it). Every check of the inputs comes before (sections 2 to 4); the
backends (`backends`) only differ in who computes the pairing product.
"""

from __future__ import annotations

from collections.abc import Sequence

from .curve import PyEccG1
from .errors import ZkError
from .field import check_scalar
from .pyecc import FQ12, add, final_exponentiate, multiply, pairing
from .snarkjs import MAX_PUBLIC_INPUTS, Proof, VerifyingKey


def check_public_inputs(public: object) -> tuple[int, ...]:
    """ZK-PUBLIC-1, ZK-FIELD-2, ZK-LIMIT-1: public inputs given from Python: a sequence (not
    text) of at most `MAX_PUBLIC_INPUTS` integers, each in [0, r). A sequence whose length
    Python cannot hold (``range(10**20)``) is too large; one that fails when measured or read
    is malformed: no exception of the sequence's own leaves (ZK-API-1)."""
    if isinstance(public, (str, bytes, bytearray)) or not isinstance(public, Sequence):
        raise ZkError("zk_malformed_public_inputs",
                      f"public inputs: expected a sequence of integers, found "
                      f"{type(public).__name__}")
    try:
        count = len(public)
        found = str(count)
    except OverflowError:  # longer than sys.maxsize
        count, found = MAX_PUBLIC_INPUTS + 1, "more than sys.maxsize"
    except Exception as e:
        raise ZkError("zk_malformed_public_inputs",
                      f"public inputs: a {type(public).__name__} whose length cannot be read "
                      f"({type(e).__name__})") from None
    if count > MAX_PUBLIC_INPUTS:
        raise ZkError("zk_input_too_large",
                      f"public inputs: expected at most {MAX_PUBLIC_INPUTS}, found {found}")
    try:
        items = [public[i] for i in range(count)]
    except Exception as e:
        raise ZkError("zk_malformed_public_inputs",
                      f"public inputs: a {type(public).__name__} whose items cannot be read "
                      f"({type(e).__name__})") from None
    return tuple(check_scalar(value, f"public[{i}]") for i, value in enumerate(items))


def vk_x_py_ecc(vk: VerifyingKey, public: Sequence[int]) -> PyEccG1:
    """ZK-VERIFY-1: ``vk_x = IC[0] + sum(s_i * IC[i])`` on py_ecc's projective points."""
    acc = vk.ic[0].to_py_ecc()
    for scalar, point in zip(public, vk.ic[1:]):
        acc = add(acc, multiply(point.to_py_ecc(), scalar))
    return acc


def reference_pairing_check(vk: VerifyingKey, proof: Proof, public: Sequence[int]) -> bool:
    """ZK-VERIFY-1: the product of the four Miller loops ``e(-A, B) e(alpha, beta)
    e(vk_x, gamma) e(C, delta)``, then one final exponentiation, equals 1. The arguments have
    passed every check (a `VerifyingKey` and a `Proof` check their points when built)."""
    vk_x = vk_x_py_ecc(vk, public)
    pairs = ((proof.b.to_py_ecc(), proof.a.neg().to_py_ecc()),
             (vk.beta_2.to_py_ecc(), vk.alpha_1.to_py_ecc()),
             (vk.gamma_2.to_py_ecc(), vk_x),
             (vk.delta_2.to_py_ecc(), proof.c.to_py_ecc()))
    product = FQ12.one()
    for q, p in pairs:  # py_ecc's pairing without its final exponentiation is a Miller loop
        product = product * pairing(q, p, final_exponentiate=False)
    return bool(final_exponentiate(product) == FQ12.one())


def verify_groth16(vk: VerifyingKey, proof: Proof, public: Sequence[int], *,
                   backend: str = "reference") -> None:
    """ZK-VERIFY-1/2/3, ZK-ORDER-1, ZK-BACKEND-1: return when ``proof`` proves ``public``
    under ``vk``; raise `ZkError` otherwise, with the kind of the first failed check:
    the backend is available, ``vk`` and ``proof`` are a checked `VerifyingKey` and `Proof`,
    the public inputs are integers in [0, r), as many as the key takes, and the pairing
    equation holds (``zk_proof_invalid`` when it does not). No other exception leaves it."""
    from .backends import zk_backend  # the registry imports this module

    # BACKEND
    check = zk_backend(backend)
    # INPUTS
    if not isinstance(vk, VerifyingKey):
        raise ZkError("zk_malformed_verifying_key",
                      f"expected a VerifyingKey (parse_verifying_key), found "
                      f"{type(vk).__name__}")
    if not isinstance(proof, Proof):
        raise ZkError("zk_malformed_proof",
                      f"expected a Proof (parse_proof), found {type(proof).__name__}")
    scalars = check_public_inputs(public)
    if len(scalars) != vk.n_public:
        raise ZkError("zk_public_input_count",
                      f"expected {vk.n_public} public input(s) (len(IC) - 1), found "
                      f"{len(scalars)}")
    # PAIRING
    if not check(vk, proof, scalars):
        raise ZkError("zk_proof_invalid",
                      "the pairing check e(-A,B) e(alpha,beta) e(vk_x,gamma) e(C,delta) = 1 "
                      "fails: the proof does not prove these public inputs under this key")


def verify_documents(verifying_key: object, proof: object, public: object, *,
                     backend: str = "reference") -> None:
    """ZK-ORDER-1, ZK-REG-1: the whole pipeline on decoded snarkjs documents, as the
    conformance vectors (CONF-ZK-2) and ``supervm zk verify`` run it: the backend, the
    verifying key (registered in a fresh `VerifyingKeyRegistry` and looked up again, as a
    SuperVM does), the proof, the public inputs, then `verify_groth16`. Returns on a valid
    proof; `ZkError` with the kind of the first failed check otherwise."""
    from .backends import zk_backend
    from .registry import VerifyingKeyRegistry
    from .snarkjs import parse_proof, parse_public_inputs, parse_verifying_key

    zk_backend(backend)
    registry = VerifyingKeyRegistry()
    registry.register("vk", parse_verifying_key(verifying_key))
    parsed_proof = parse_proof(proof)
    scalars = parse_public_inputs(public)
    verify_groth16(registry.get("vk"), parsed_proof, scalars, backend=backend)
