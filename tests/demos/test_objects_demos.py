"""Demos 8-10: objects, routing, privacy (spec/routing.md ROUTE-DEMO-*), and their package
data."""

from __future__ import annotations

import json

import pytest

from supervm_ref.config import Config
from supervm_ref.demos import demo8_objects, demo9_routing, demo10_privacy, world

from ..support import REPO, external_dir


def lines_of(demo: object) -> list[str]:
    """The lines ``demo.run`` prints with the default configuration."""
    out: list[str] = []
    demo.run(out.append, Config())  # type: ignore[attr-defined]
    return out


@pytest.fixture(scope="session")
def routing_lines() -> list[str]:
    return lines_of(demo9_routing)


@pytest.fixture(scope="session")
def privacy_lines() -> list[str]:
    return lines_of(demo10_privacy)


def test_demo8_ownership_and_refusals() -> None:
    """ROUTE-DEMO-1: creation, transfer, share, freeze and each refusal's canonical kind."""
    out = lines_of(demo8_objects)
    assert out == lines_of(demo8_objects)  # deterministic
    assert out[0] == "Demo 8: objects and ownership (OwnershipManager)"
    assert out[1] == ("  Created: coin v1 owned by alice; registry v1 shared since v1; params v1 "
                      "immutable; badge v1 owned by alice; ticket v1 owned by alice")
    for line in ("  transfer coin alice -> bob -> coin v2 owned by bob",
                 "  share badge (alice) -> badge v2 shared since v2",
                 "  transfer coin by alice (now bob's) -> refused: not_owner",
                 "  write params (immutable) by alice -> refused: immutable_object_mutation",
                 "  transfer registry (shared) by alice -> refused: shared_object_transfer",
                 "  freeze coin (bob) -> coin v3 immutable",
                 "  transfer coin (frozen) by bob -> refused: immutable_object_mutation",
                 "  tx: alice transfers ticket v1 -> bob -> success; ticket v2 owned by bob",
                 "  tx: bob transfers ticket v1 -> carol -> rejected (stale_object_version); "
                 "ticket v2 owned by bob"):
        assert line in out
    assert not any(line.endswith("-> allowed") for line in out)


def test_demo9_routes_sequences_and_ratios(routing_lines: list[str]) -> None:
    """ROUTE-DEMO-2: fast transactions get the first sequence numbers in block order, then
    consensus and privacy in block order; the counts, ratios and target."""
    out = routing_lines
    assert out[0] == "Demo 9: routing a mixed block of 7 transactions (execute_block)"
    assert out[1:8] == [
        "  tx 1 alice transfers coin 1 -> bob: route fast, success, sequence 0",
        "  tx 2 alice increments the counter: route consensus, success, sequence 3",
        "  tx 3 bob transfers coin 2 -> carol: route fast, success, sequence 1",
        "  tx 4 bob increments the counter: route consensus, success, sequence 4",
        "  tx 5 carol mints 5 into coin 3 (private): route privacy, success, proof verified "
        "true, sequence 5",
        "  tx 6 carol transfers coin 4 -> alice: route fast, success, sequence 2",
        "  tx 7 carol increments the counter: route consensus, success, sequence 6",
    ]
    assert out[8].startswith("  Counter: 3;")
    assert out[9] == ("  Routes: fast 3, consensus 3, privacy 1 (total 7); ratios fast 0.4286, "
                      "consensus 0.4286, privacy 0.1429")
    assert out[10] == ("  Conflicts in the batch: 2; adaptive target fast ratio 0.70 after 0 "
                       "adjustments")


def test_demo10_valid_accepted_tampered_rejected(privacy_lines: list[str]) -> None:
    """ROUTE-DEMO-3, ROUTE-PRIV-2: the valid proof executes; the tampered one and the missing
    one are rejected with their kinds and change nothing."""
    out = privacy_lines
    assert out[1:] == [
        "  Before: coin 1 v1 balance 100",
        "  mint 5, valid proof: route privacy, proof verified true, success -> coin 1 v2 "
        "balance 105",
        '  mint 5, tampered public input ["36"]: route privacy, proof verified false, rejected '
        "(zk_proof_invalid) -> coin 1 v2 balance 105",
        "  mint 5, no proof: route privacy, proof verified false, rejected "
        "(privacy_proof_missing) -> coin 1 v2 balance 105",
    ]


def test_demos_are_in_supervm_demo_and_deterministic(capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    """``supervm demo --once`` runs demos 8-10 after 1-7; two runs print the same lines."""
    from supervm_ref.cli import main

    outputs = []
    for _ in range(2):
        assert main(["demo", "--once"]) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]
    headers = [line.split(": ", 1)[1] for line in outputs[0].splitlines()
               if line.startswith("INFO supervm: Demo ")]
    assert [h.split(":")[0] for h in headers] == [f"Demo {n}" for n in range(1, 11)]


def test_package_data_is_the_shared_and_conformance_data() -> None:
    """The shipped coin contract is the conformance one byte for byte; the shipped proof is
    snarkjs's from the external folder when it is present; SOURCE says so."""
    assert world.coin_wasm() == (REPO / "conformance" / "contracts" / "coin.wasm").read_bytes()
    assert sorted(p.name for p in world.DATA.iterdir()) == [
        "SOURCE", "coin.wasm", "proof.json", "public.json", "verification_key.json"]
    external = external_dir() / "snarkjs-groth16"
    if external.is_dir():
        for name in ("verification_key.json", "proof.json", "public.json"):
            assert json.loads((world.DATA / name).read_text()) == \
                json.loads((external / name).read_text())
    assert "snarkjs 0.7.6" in (world.DATA / "SOURCE").read_text()
