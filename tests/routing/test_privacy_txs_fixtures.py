"""The private-transaction fixtures (conformance/fixtures/privacy_txs.json; spec/conformance.md
CONF-TXN-1/2/3, spec/routing.md ROUTE-PRIV-1/2): they pass on both backends in the session's
consume, their verifying keys are what lets their proofs verify, the pairing checks stay few,
and bad verifying keys in ``pre`` are encoding errors."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from supervm_ref.backends import load_backend
from supervm_ref.conformance.encoding import EncodingError
from supervm_ref.conformance.filler import FillerError
from supervm_ref.conformance.formats import format_named
from supervm_ref.conformance.formats.transaction import TXN_SCHEDULES, TransactionCase
from supervm_ref.privacy import backends as zk_backends
from supervm_ref.privacy import zk_backend_status

from ..conftest import ConsumeRun
from ..support import REPO

FIXTURES: dict[str, Any] = json.loads(
    (REPO / "conformance/fixtures/privacy_txs.json").read_text())
FMT = format_named("supervm_transaction_test")
#: CONF-TXN-3: the pure-Python pairings a consume may make on these fixtures (0.4 s each).
PAIRING_BUDGET = 8


@pytest.mark.parametrize("backend", ["reference", "wasmtime"])
def test_fixtures_pass(backend: str, consumed: Callable[[str], ConsumeRun]) -> None:
    """CONF-TXN-1/2/3/4: every privacy_txs fixture passes ``supervm consume`` on both
    backends, under every schedule and its zk backend, in the session's one consume."""
    entry = consumed(backend).file("privacy_txs.json")
    assert entry["error"] is None
    assert entry["fixtures"] == len(FIXTURES) >= 9
    assert entry["passed"], entry["failures"]


def test_the_fixtures_cover_the_privacy_path() -> None:
    """ROUTE-PRIV-1/2, CONF-TXN-2: the fixtures hold verified private transactions (with
    shared inputs too), each rejection kind of the area, and public transactions whose proofs
    are not verified; every fixture registers its keys in pre."""
    receipts = [(name, r) for name, f in FIXTURES.items() for block in f["post"]["receipts"]
                for r in block]
    assert all("verifying_keys" in f["pre"] for f in FIXTURES.values())
    private = [r for _, r in receipts if r["route"] == "privacy"]
    assert all(r["proof_verified"] is (r["status"] == "success") for r in private)
    assert sum(r["status"] == "success" for r in private) == 5
    assert {r["error"] for r in private} - {None} == {
        "zk_proof_invalid", "zk_unknown_verifying_key", "zk_public_input_count",
        "zk_malformed_proof", "zk_malformed_public_inputs"}
    public = [r for n, r in receipts if n.endswith("public_with_proof")]
    assert [r["route"] for r in public] == ["fast", "consensus", "fast", "fast"]
    assert all(r["status"] == "success" and r["proof_verified"] is None for r in public)


def test_the_keys_are_what_verifies() -> None:
    """ROUTE-PRIV-1, CONF-TXN-2: without its pre.verifying_keys the valid fixture's proof
    names an unknown key and nothing changes."""
    fixture = copy.deepcopy(FIXTURES["privacy_txs/private_valid"])
    del fixture["pre"]["verifying_keys"]
    got = FMT.execute(load_backend("reference"), FMT.decode_input(FMT.backend_input(fixture)))
    (receipt,) = got["receipts"][0]
    assert (receipt["status"], receipt["error"], receipt["proof_verified"]) == (
        "rejected", "zk_unknown_verifying_key", False)
    assert got["objects"] == fixture["pre"]["objects"]


def test_in_process_runs_pair_schedules_with_zk_backends() -> None:
    """CONF-TXN-3: the first schedule verifies on the reference, the others on fast (it is
    installed by the test extra)."""
    assert zk_backend_status()["fast"] is None
    labels = [run.label for run in FMT.in_process_runs()]
    assert labels == [f"{TXN_SCHEDULES[0].label}, zk reference",
                      *(f"{s.label}, zk fast" for s in TXN_SCHEDULES[1:])]


def test_a_consume_makes_few_pure_python_pairings(monkeypatch: pytest.MonkeyPatch) -> None:
    """CONF-TXN-3: over every in-process run of every fixture, at most `PAIRING_BUDGET`
    pairing checks reach the reference backend (counted here, computed by the fast one), and
    the runs on the fast backend reach the same post."""
    calls: list[int] = []

    def counted(*args: Any) -> bool:
        calls.append(1)
        return zk_backends.fast_pairing_check(*args)

    monkeypatch.setitem(zk_backends._CHECKS, "reference", counted)
    factory = load_backend("reference")
    for name, fixture in FIXTURES.items():
        decoded = FMT.decode_input(FMT.backend_input(fixture))
        for run in FMT.in_process_runs():
            assert FMT.compare(fixture, run.execute(factory, decoded)) == [], (name, run.label)
    assert 0 < len(calls) <= PAIRING_BUDGET, len(calls)
    assert len(calls) == 6  # the area's docstring: six transactions reach the equation


def _input(**pre: Any) -> dict[str, Any]:
    fixture = FIXTURES["privacy_txs/private_valid"]
    return {**FMT.backend_input(fixture), "pre": {**fixture["pre"], **pre}}


@pytest.mark.parametrize("keys, found", [
    ([], "expected an object of key id"),
    ({"no such id!": {}}, "key ids of 1 to 64"),
    ({"": {}}, "key ids of 1 to 64"),
    ({"cubic": "text"}, "zk_malformed_verifying_key"),
    ({"cubic": {"protocol": "plonk"}}, "zk_"),
])
def test_bad_verifying_keys_are_encoding_errors(keys: Any, found: str) -> None:
    """CONF-TXN-2, ZK-VK-1, ZK-REG-1: pre.verifying_keys must map key ids to keys that
    parse."""
    with pytest.raises(EncodingError, match=found):
        FMT.decode_input(_input(verifying_keys=keys))


def test_bad_pre_and_proof_members_are_encoding_errors() -> None:
    """CONF-TXN-2: pre has objects and verifying_keys only; a proof is null or exactly
    {vk_id, proof, public} with a string vk_id."""
    vk = FIXTURES["privacy_txs/private_valid"]["pre"]["verifying_keys"]["cubic"]
    changed = copy.deepcopy(vk)
    changed["vk_alpha_1"][0] = "1"
    with pytest.raises(EncodingError, match=r"pre\.verifying_keys\.cubic"):
        FMT.decode_input(_input(verifying_keys={"cubic": changed}))
    with pytest.raises(EncodingError, match=r"input\.pre"):
        FMT.decode_input(_input(extra={}))
    test = _input()
    tx = test["blocks"][0][0]
    for proof in ({**tx["proof"], "note": 1}, {"vk_id": "cubic"}, [], "proof",
                  {**tx["proof"], "vk_id": 7}):
        bad = copy.deepcopy(test)
        bad["blocks"][0][0]["proof"] = proof
        with pytest.raises(EncodingError, match="blocks"):
            FMT.decode_input(bad)


def test_a_case_s_verifying_keys_are_a_dict() -> None:
    """CONF-FILL-2, CONF-TXN-1: check_case rejects verifying keys that are not a dict; fill
    rejects a key that does not parse, naming the case."""
    good = FMT.decode_input(FMT.backend_input(FIXTURES["privacy_txs/private_valid"]))
    base = dict(name="privacy_txs/x", description="d", rules=["CONF-TXN-1"], pre=good.pre,
                code={"coin": good.blocks[0][0][0].call.code},  # type: ignore[union-attr]
                blocks=good.blocks)
    with pytest.raises(FillerError, match="verifying_keys"):
        FMT.check_case(TransactionCase(**base, verifying_keys=[]))  # type: ignore[arg-type]
    with pytest.raises(FillerError, match="privacy_txs/x"):
        FMT.fill(TransactionCase(**base, verifying_keys={"cubic": {}}))  # type: ignore[arg-type]
