"""Properties of the verifier (spec/privacy.md ZK-FIELD-2, ZK-VERIFY-1/3, ZK-API-1,
ZK-BACKEND-1), checked by hypothesis. The fast backend makes many examples cheap; the
reference runs a few (each costs a pairing product, about half a second)."""

from __future__ import annotations

import contextlib
import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supervm_ref.privacy import (
    CURVE_ORDER,
    FIELD_MODULUS,
    G1Point,
    G2Point,
    Proof,
    ZkError,
    parse_proof,
    parse_public_inputs,
    parse_verifying_key,
    verify_groth16,
)
from supervm_ref.privacy.pyecc import multiply, normalize
from supervm_ref.privacy.verifier import verify_documents

from .conftest import load

VK = parse_verifying_key(load("verification_key.json"))
PROOF = parse_proof(load("proof.json"))
DOCS = (load("verification_key.json"), load("proof.json"), load("public.json"))
FEW = settings(max_examples=3, deadline=None,
               suppress_health_check=[HealthCheck.too_slow])
MANY = settings(max_examples=60, deadline=None)
SOME = settings(max_examples=25, deadline=None)


def verdict(proof: Proof, public: tuple[int, ...], backend: str) -> str:
    try:
        verify_groth16(VK, proof, public, backend=backend)
    except ZkError as e:
        return e.kind
    return "valid"


def rerandomized(proof: Proof, k: int) -> Proof:
    """(k A, k^-1 B, C): e(kA, k^-1 B) = e(A, B), so the proof stays valid (ZK-VERIFY-3)."""
    ax, ay = normalize(multiply(proof.a.to_py_ecc(), k))
    bx, by = normalize(multiply(proof.b.to_py_ecc(), pow(k, -1, CURVE_ORDER)))
    return Proof(G1Point(int(ax), int(ay)),
                 G2Point((int(bx.coeffs[0]), int(bx.coeffs[1])),
                         (int(by.coeffs[0]), int(by.coeffs[1]))), proof.c)


@MANY
@given(st.integers(min_value=CURVE_ORDER, max_value=10**78 - 1))
def test_any_public_input_at_least_r_is_rejected(value: int) -> None:
    """ZK-FIELD-2: from JSON or from Python, an input >= r is out of range, never reduced
    (so never verified, whatever it is congruent to)."""
    for call in (lambda: parse_public_inputs([str(value)]),
                 lambda: verify_groth16(VK, PROOF, (value,))):
        try:
            call()
        except ZkError as e:
            assert e.kind == "zk_public_input_out_of_range"
        else:
            raise AssertionError(f"{value} accepted")


@MANY
@given(st.integers(min_value=0, max_value=CURVE_ORDER - 1).filter(lambda s: s != 35))
def test_tampered_public_input_never_verifies_fast(value: int) -> None:
    """ZK-VERIFY-1, ZK-BACKEND-1: any other statement is invalid (fast backend)."""
    assert verdict(PROOF, (value,), "fast") == "zk_proof_invalid"


@pytest.mark.slow
@FEW
@given(st.integers(min_value=0, max_value=CURVE_ORDER - 1).filter(lambda s: s != 35))
def test_tampered_public_input_never_verifies_reference(value: int) -> None:
    """ZK-VERIFY-1: the same on the reference."""
    assert verdict(PROOF, (value,), "reference") == "zk_proof_invalid"


@SOME
@given(st.integers(min_value=2, max_value=CURVE_ORDER - 1))
def test_rerandomized_proofs_stay_valid_fast(k: int) -> None:
    """ZK-VERIFY-3: (kA, B/k, C) is valid for every k; (kA, B, C) for k != 1 is not."""
    assert verdict(rerandomized(PROOF, k), (35,), "fast") == "valid"
    x, y = normalize(multiply(PROOF.a.to_py_ecc(), k))
    assert verdict(Proof(G1Point(int(x), int(y)), PROOF.b, PROOF.c), (35,), "fast") == \
        "zk_proof_invalid"


@pytest.mark.slow
@FEW
@given(st.integers(min_value=2, max_value=CURVE_ORDER - 1))
def test_rerandomized_proofs_stay_valid_reference(k: int) -> None:
    """ZK-VERIFY-3 on the reference."""
    assert verdict(rerandomized(PROOF, k), (35,), "reference") == "valid"


@MANY
@given(st.sampled_from([("pi_a", 0), ("pi_a", 1), ("pi_c", 0), ("pi_c", 1)]),
       st.integers(min_value=1, max_value=FIELD_MODULUS - 1))
def test_tampered_coordinates_never_verify(where: tuple[str, int], delta: int) -> None:
    """ZK-POINT-3, ZK-VERIFY-1: a coordinate of A or C changed is rejected (off the curve,
    almost always, else the equation fails); never valid."""
    doc = copy.deepcopy(DOCS[1])
    member, index = where
    doc[member][index] = str((int(doc[member][index]) + delta) % FIELD_MODULUS)
    try:
        verify_groth16(VK, parse_proof(doc), (35,), backend="fast")
    except ZkError as e:
        assert e.kind in ("zk_point_not_on_curve", "zk_proof_invalid")
    else:
        raise AssertionError("a tampered proof verified")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-2**70, max_value=2**70)
    | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=12)


@MANY
@given(JSON, JSON, JSON)
def test_junk_documents_give_zk_errors_only(vk: Any, proof: Any, public: Any) -> None:
    """ZK-API-1: documents of any shape give a ZkError and nothing else."""
    try:
        verify_documents(vk, proof, public)
    except ZkError:
        pass
    else:
        raise AssertionError("junk verified")


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, (*prefix, i))
    return out


@MANY
@given(st.integers(min_value=0, max_value=2), st.data(), JSON)
def test_junk_inside_real_documents_gives_zk_errors_only(which: int, data: st.DataObject,
                                                         junk: Any) -> None:
    """ZK-API-1: any member of a real document replaced by junk gives a ZkError, or a valid
    verdict only when the member is not read (fast backend: the checks are the same)."""
    docs = copy.deepcopy(list(DOCS))
    paths = _paths(docs[which])
    if not paths:
        docs[which] = junk
    else:
        path = data.draw(st.sampled_from(paths))
        target = docs[which]
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = junk
    with contextlib.suppress(ZkError):  # any other exception fails the test
        verify_documents(*docs, backend="fast")
