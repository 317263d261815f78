"""Verification (spec/privacy.md ZK-VERIFY-*, ZK-BACKEND-*, ZK-REG-1, ZK-API-1, ZK-EXT-1): the
external snarkjs proofs and their tampered variants on both backends."""

from __future__ import annotations

from typing import Any

import pytest

import supervm_ref
from supervm_ref import (
    InvalidArgumentError,
    Proof,
    VerifyingKey,
    VerifyingKeyRegistry,
    ZkError,
    parse_proof,
    parse_public_inputs,
    parse_verifying_key,
    verify_groth16,
)
from supervm_ref.privacy import CURVE_ORDER, G1Point, zk_backend_status
from supervm_ref.privacy.backends import ZK_BACKENDS, zk_backend
from supervm_ref.privacy.verifier import verify_documents

BACKENDS = ["reference", "fast"]


def verdict(vk: Any, proof: Any, public: Any, backend: str = "reference") -> str:
    try:
        verify_groth16(vk, proof, public, backend=backend)
    except ZkError as e:
        return e.kind
    return "valid"


def test_public_names_export() -> None:
    """ZK-API-1: the interface of design brief is importable from supervm_ref and
    supervm_ref.privacy."""
    import supervm_ref.privacy as privacy

    for name in ("ZkError", "VerifyingKey", "Proof", "parse_verifying_key", "parse_proof",
                 "parse_public_inputs", "verify_groth16", "VerifyingKeyRegistry"):
        assert name in supervm_ref.__all__ and name in privacy.__all__
        assert getattr(supervm_ref, name) is getattr(privacy, name)
    assert issubclass(ZkError, supervm_ref.SuperVMError)


def test_fast_backend_is_installed_for_the_tests() -> None:
    """ZK-BACKEND-2: the test extra installs zksnake, so both backends are checked."""
    assert zk_backend_status() == {"reference": None, "fast": None}


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_every_snarkjs_proof_verifies(backend: str, cubic: Any, mul3: Any) -> None:
    """ZK-EXT-1, ZK-VERIFY-1: every proof snarkjs accepted is valid on both backends,
    including mul3's proof 3, whose public product wraps modulo r (r - 10)."""
    vk, proof, public = cubic
    verify_documents(vk, proof, public, backend=backend)
    key = parse_verifying_key(mul3["vk"])
    for proof_doc, public_doc in zip(mul3["proofs"], mul3["publics"]):
        verify_groth16(key, parse_proof(proof_doc), parse_public_inputs(public_doc),
                       backend=backend)
    assert parse_public_inputs(mul3["publics"][2])[0] == CURVE_ORDER - 10  # (r-1)*2*5 mod r


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_malleated_proof_is_valid(backend: str, cubic: Any) -> None:
    """ZK-VERIFY-3: (-A, -B, C) of a valid proof is another valid proof of the same
    statement; (-A, B, C) and (A, B, -C) are not."""
    vk, proof, public = (parse_verifying_key(cubic[0]), parse_proof(cubic[1]),
                         parse_public_inputs(cubic[2]))
    malleated = Proof(proof.a.neg(), proof.b.neg(), proof.c)
    assert malleated != proof
    assert verdict(vk, malleated, public, backend) == "valid"
    assert verdict(vk, Proof(proof.a.neg(), proof.b, proof.c), public, backend) == \
        "zk_proof_invalid"
    assert verdict(vk, Proof(proof.a, proof.b, proof.c.neg()), public, backend) == \
        "zk_proof_invalid"


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_tampered_statements_are_invalid(backend: str, cubic: Any, mul3: Any) -> None:
    """ZK-VERIFY-1, ZK-EXT-1: the source's tampered public signal, swapped public signals and
    swapped A/C are ``zk_proof_invalid``."""
    vk, proof = parse_verifying_key(cubic[0]), parse_proof(cubic[1])
    assert verdict(vk, proof, (36,), backend) == "zk_proof_invalid"
    assert verdict(vk, Proof(proof.c, proof.b, proof.a), (35,), backend) == "zk_proof_invalid"
    key = parse_verifying_key(mul3["vk"])
    p, s = parse_public_inputs(mul3["publics"][0])
    assert verdict(key, parse_proof(mul3["proofs"][0]), (s, p), backend) == "zk_proof_invalid"


def test_public_inputs_from_python(cubic: Any) -> None:
    """ZK-FIELD-2, ZK-PUBLIC-1, ZK-VERIFY-2, ZK-LIMIT-1: the checks before any pairing."""
    vk, proof = parse_verifying_key(cubic[0]), parse_proof(cubic[1])
    assert verdict(vk, proof, (35 + CURVE_ORDER,)) == "zk_public_input_out_of_range"
    assert verdict(vk, proof, (-1,)) == "zk_public_input_out_of_range"
    assert verdict(vk, proof, (2**5000,)) == "zk_public_input_out_of_range"
    for bad in ((True,), (35.0,), ("35",), "35", b"35", None, 35, {35}):
        assert verdict(vk, proof, bad) == "zk_malformed_public_inputs"
    assert verdict(vk, proof, ()) == "zk_public_input_count"
    assert verdict(vk, proof, (35, 0)) == "zk_public_input_count"
    assert verdict(vk, proof, [1] * 1000) == "zk_input_too_large"


def test_public_input_sequences_that_misbehave(cubic: Any) -> None:
    """ZK-API-1, ZK-LIMIT-1: a sequence longer than Python can count is too large, one that
    fails when measured or read is malformed; neither lets its own exception out."""
    from collections.abc import Sequence as AbcSequence

    vk, proof = parse_verifying_key(cubic[0]), parse_proof(cubic[1])
    assert verdict(vk, proof, range(10**20)) == "zk_input_too_large"
    assert verdict(vk, proof, range(2**63 - 1)) == "zk_input_too_large"

    class BadLength(AbcSequence[int]):
        def __len__(self) -> int:
            raise RuntimeError("no length")

        def __getitem__(self, i: Any) -> Any:
            return 35

    class BadItems(AbcSequence[int]):
        def __len__(self) -> int:
            return 1

        def __getitem__(self, i: Any) -> Any:
            raise KeyError(i)

    assert verdict(vk, proof, BadLength()) == "zk_malformed_public_inputs"
    assert verdict(vk, proof, BadItems()) == "zk_malformed_public_inputs"
    assert verdict(vk, proof, range(35, 36)) == "valid"


def test_arguments_of_the_wrong_type(cubic: Any) -> None:
    """ZK-API-1: no TypeError escapes: a key or proof that is not one is a ZkError."""
    vk, proof = parse_verifying_key(cubic[0]), parse_proof(cubic[1])
    assert verdict(cubic[0], proof, (35,)) == "zk_malformed_verifying_key"
    assert verdict(vk, cubic[1], (35,)) == "zk_malformed_proof"
    assert verdict(None, None, None) == "zk_malformed_verifying_key"
    with pytest.raises(ZkError) as e:
        Proof(proof.a, proof.a, proof.c)  # type: ignore[arg-type]
    assert e.value.kind == "zk_malformed_proof"
    with pytest.raises(ZkError) as e:
        VerifyingKey(vk.alpha_1, vk.beta_2, vk.gamma_2, vk.delta_2, list(vk.ic))  # type: ignore[arg-type]
    assert e.value.kind == "zk_malformed_verifying_key"
    with pytest.raises(ZkError) as e:
        Proof(G1Point.at_infinity(), proof.b, proof.c)
    assert e.value.kind == "zk_point_at_infinity"


def test_backends_unknown_and_missing(cubic: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """ZK-BACKEND-1: an unknown backend, and the fast one without its extra, are
    ``zk_backend_unavailable`` naming the extra; checked before anything else."""
    vk, proof = parse_verifying_key(cubic[0]), parse_proof(cubic[1])
    assert set(ZK_BACKENDS) == {"reference", "fast"}
    class BadRepr:
        def __repr__(self) -> str:
            raise RuntimeError("no repr")

    class Name(str):
        def __hash__(self) -> int:
            raise RuntimeError("no hash")

    for name in ("nope", "", None, 3, 10**5000, BadRepr(), Name("nope")):
        assert verdict(vk, proof, (35,), name) == "zk_backend_unavailable"  # type: ignore[arg-type]
    assert verdict(vk, proof, (35,), Name("reference")) == "valid"
    import importlib

    real = importlib.import_module

    def no_zksnake(name: str, *args: Any) -> Any:
        if name.startswith("zksnake"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", no_zksnake)
    with pytest.raises(ZkError) as e:
        verify_groth16(vk, proof, (36,), backend="fast")
    assert e.value.kind == "zk_backend_unavailable"
    assert "pip install 'supervm-ref[fast-zk]'" in str(e.value)
    assert zk_backend_status()["fast"] is not None
    assert zk_backend_status()["reference"] is None
    zk_backend("reference")


def test_fast_backend_panic_becomes_a_zk_error(cubic: Any, monkeypatch: pytest.MonkeyPatch
                                               ) -> None:
    """ZK-BACKEND-2: a failure inside zksnake (a pyo3 panic is a BaseException) is a
    ZkError, never an escaping exception."""
    import zksnake._algebra as algebra

    class Panic(BaseException):
        pass

    def boom(*args: Any) -> Any:
        raise Panic("assertion failed")

    monkeypatch.setattr(algebra.ec_bn254, "multi_pairing", boom, raising=False)
    vk, proof = parse_verifying_key(cubic[0]), parse_proof(cubic[1])
    assert verdict(vk, proof, (35,), "fast") == "zk_backend_unavailable"


def test_registry(cubic: Any, mul3: Any) -> None:
    """ZK-REG-1: register, idempotent re-registration, conflicts, unknown ids, bad ids."""
    registry = VerifyingKeyRegistry()
    vk, other = parse_verifying_key(cubic[0]), parse_verifying_key(mul3["vk"])
    registry.register("cubic", vk)
    registry.register("cubic", parse_verifying_key(cubic[0]))  # equal key: nothing changes
    assert registry.get("cubic") is vk and "cubic" in registry and len(registry) == 1
    with pytest.raises(ZkError) as e:
        registry.register("cubic", other)
    assert e.value.kind == "zk_verifying_key_exists"
    assert registry.get("cubic") is vk
    with pytest.raises(ZkError) as e:
        registry.get("mul3")
    assert e.value.kind == "zk_unknown_verifying_key"
    registry.register("mul3:v1", other)
    assert registry.ids() == ("cubic", "mul3:v1")
    for bad_id in ("", "a" * 65, "a b", None, 3, "é"):
        with pytest.raises(InvalidArgumentError):
            registry.register(bad_id, vk)  # type: ignore[arg-type]
    with pytest.raises(ZkError) as e:
        registry.register("raw", cubic[0])  # type: ignore[arg-type]
    assert e.value.kind == "zk_malformed_verifying_key"
    assert 3 not in registry


def test_importing_the_package_keeps_the_recursion_limit() -> None:
    """ZK-API-1: py_ecc raises Python's recursion limit when imported; the package puts it
    back, so deep JSON is still refused by the decoder's bound (MAX_JSON_DEPTH) instead of
    overflowing the C stack."""
    import subprocess
    import sys

    code = ("import sys; before = sys.getrecursionlimit(); import supervm_ref; "
            "import supervm_ref.privacy.pyecc, supervm_ref.bench.zk; "
            "print(before == sys.getrecursionlimit())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.stdout.strip() == "True", done.stderr
