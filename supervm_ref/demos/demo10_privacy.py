"""Demo 10: the privacy path (spec/routing.md ROUTE-DEMO-3, ROUTE-PRIV-*).

A private transaction carrying snarkjs's Groth16 proof of ``x^3 + x + 5 = 35`` (shipped as
package data) is verified by the reference verifier and executed; the same transaction with a
tampered public input (36), and one without a proof, are rejected with their kinds and change
nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from ..config import Config
from ..privacy import parse_verifying_key
from ..routing import Privacy, PrivateProof, SuperVM, VmTransaction
from .world import ALICE, VK_ID, coin, mint, object_id, proof_documents


def run(log: Callable[[str], None], config: Config) -> None:
    """ROUTE-DEMO-3: print the demo 10 lines."""
    vm = SuperVM()
    vk, proof, public = proof_documents()
    vm.registry.register(VK_ID, parse_verifying_key(vk))
    vm.objects.insert(coin(1, ALICE))
    log(f"Demo 10: private transactions (Groth16 over BN254, verifying key {VK_ID!r}, "
        f"public inputs {public})")

    def state() -> str:
        obj = vm.objects.get(object_id(1))
        assert obj is not None
        return (f"coin 1 v{obj.version} balance "
                f"{int.from_bytes(obj.state[b'balance'], 'little')}")

    cases: list[tuple[str, VmTransaction]] = [
        ("valid proof", mint(ALICE, 1, 1, 5, PrivateProof(VK_ID, proof, public))),
        ("tampered public input [\"36\"]", mint(ALICE, 1, 2, 5, PrivateProof(VK_ID, proof,
                                                                            ["36"]))),
        ("no proof", mint(ALICE, 1, 2, 5)),
    ]
    log(f"  Before: {state()}")
    for label, tx in cases:
        r = vm.execute_transaction(tx, Privacy.Private)
        outcome = r.status.value + (f" ({r.error})" if r.error else "")
        log(f"  mint 5, {label}: route {r.route.value}, proof verified "
            f"{str(r.proof_verified).lower()}, {outcome} -> {state()}")
