"""The transaction fixtures (spec/conformance.md section 16, CONF-TXN-1/2/3/4): every fixture of
conformance/fixtures/objects.json passes on both backends, in process and through t8n; a
tampered one is reported; the access matrix has its 24 vectors."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from supervm_ref.backends import load_backend
from supervm_ref.conformance.formats import format_named
from supervm_ref.objects import ACCESS_MATRIX

from ..support import REPO

FIXTURES: dict[str, Any] = json.loads((REPO / "conformance/fixtures/objects.json").read_text())
FMT = format_named("supervm_transaction_test")


@pytest.mark.parametrize("backend", ["reference", "wasmtime"])
def test_every_fixture_passes(backend: str) -> None:
    """CONF-TXN-1/2/3/4: each fixture's input, decoded, run under every in-process schedule on
    the backend, gives its post exactly."""
    factory = load_backend(backend)
    for name, fixture in FIXTURES.items():
        decoded = FMT.decode_input(FMT.backend_input(fixture))
        for run in FMT.in_process_runs():
            assert FMT.compare(fixture, run.execute(factory, decoded)) == [], (name, run.label)


def test_tampering_is_reported() -> None:
    """CONF-TXN-4: a changed version or error kind is a difference under post."""
    fixture = copy.deepcopy(FIXTURES["objects/equivocation"])
    got = FMT.execute(load_backend("reference"), FMT.decode_input(FMT.backend_input(fixture)))
    fixture["post"]["receipts"][0][1]["error"] = "not_owner"
    fixture["post"]["objects"][0]["version"] += 1
    problems = FMT.compare(fixture, got)
    assert len(problems) == 2 and all(p.startswith("post") for p in problems)


def test_the_access_matrix_has_a_vector_per_cell() -> None:
    """OBJ-ACCESS-1, CONF-TXN-1: 24 vectors access_<type>_<relation>, each ending with the
    matrix's kind (or success)."""
    for (access, relation), kind in ACCESS_MATRIX.items():
        (receipt,) = FIXTURES[f"objects/access_{access.value}_{relation.value}"]["post"][
            "receipts"][0]
        assert receipt["error"] == (None if kind is None else kind.value)
        assert (receipt["status"] == "success") == (kind is None)


def test_versions_travel_exactly() -> None:
    """CONF-TXN-2, OBJ-VERSION-1: a version is an integer up to 2**53 - 1 and a canonical
    decimal string above, up to 2**64 - 1; anything else is an EncodingError; the overflow
    vector carries 2**64 - 1 as a string."""
    from supervm_ref.conformance.encoding import EncodingError
    from supervm_ref.conformance.formats.transaction import decode_version, encode_version

    top = (1 << 64) - 1
    for v in (1, 2**53 - 1, 2**53, top):
        assert decode_version(encode_version(v), "v") == v
    assert encode_version(2**53 - 1) == 2**53 - 1 and encode_version(top) == str(top)
    for bad in ("1", "9007199254740991", str(top + 1), "09007199254740993", "+9007199254740993",
                " 9007199254740993", "\uff19" * 17, 0, 2**53, True, 1.0, None):
        with pytest.raises(EncodingError):
            decode_version(bad, "v")
    post = FIXTURES["objects/version_overflow"]["post"]
    assert [(r["error"], r["lamport_version"]) for r in post["receipts"][0]] == [
        ("version_overflow", None), ("version_overflow", None), (None, str(top))]


def test_conflicts_and_routing_stats_are_in_post() -> None:
    """CONF-TXN-2, ROUTE-BLOCK-4, ROUTE-STATS-1: per block conflicts and the final statistics;
    a backend counting no conflicts is reported."""
    fixture = copy.deepcopy(FIXTURES["objects/interleaving"])
    assert fixture["post"]["conflicts"] == [2]
    assert fixture["post"]["routing_stats"] == {"fast": 2, "consensus": 4, "privacy": 0,
                                                "conflicts": 2, "adjustments": 0}
    got = FMT.execute(load_backend("reference"), FMT.decode_input(FMT.backend_input(fixture)))
    got["conflicts"] = [0]
    got["routing_stats"]["conflicts"] = 0
    assert len(FMT.compare(fixture, got)) == 2
