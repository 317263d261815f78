"""Demo 9: routing a mixed block (spec/routing.md ROUTE-DEMO-2).

One block of seven transactions through `SuperVM.execute_block`: owned-coin transfers (fast
path), increments of a shared counter (consensus path, Block-STM) and a private mint carrying
the shipped snarkjs proof (privacy path). Each receipt's route, status and sequence number, the
counter's final count, and the routing statistics with the adaptive router's target.
"""

from __future__ import annotations

from collections.abc import Callable

from ..config import Config
from ..privacy import parse_verifying_key
from ..routing import AdaptiveRouter, ExecutionReceipt, Privacy, SuperVM, VmTransaction
from .world import (
    ALICE,
    BOB,
    CAROL,
    VK_ID,
    coin,
    counter,
    increment,
    mint,
    object_id,
    proof_documents,
    transfer,
    valid_proof,
)

COUNTER = 9


def block() -> list[tuple[str, VmTransaction, Privacy]]:
    """The demo's block: (label, transaction, privacy)."""
    public = Privacy.Public
    return [
        ("alice transfers coin 1 -> bob", transfer(ALICE, 1, 1, BOB), public),
        ("alice increments the counter", increment(ALICE, COUNTER), public),
        ("bob transfers coin 2 -> carol", transfer(BOB, 2, 1, CAROL), public),
        ("bob increments the counter", increment(BOB, COUNTER), public),
        ("carol mints 5 into coin 3 (private)", mint(CAROL, 3, 1, 5, valid_proof()),
         Privacy.Private),
        ("carol transfers coin 4 -> alice", transfer(CAROL, 4, 1, ALICE), public),
        ("carol increments the counter", increment(CAROL, COUNTER), public),
    ]


def receipt_line(label: str, r: ExecutionReceipt) -> str:
    """``<label>: route <route>, <status>, sequence <n>`` (and the proof verdict)."""
    line = f"{label}: route {r.route.value}, {r.status.value}"
    if r.error:
        line += f" ({r.error})"
    if r.proof_verified is not None:
        line += f", proof verified {str(r.proof_verified).lower()}"
    return line + f", sequence {r.sequence}"


def run(log: Callable[[str], None], config: Config) -> None:
    """ROUTE-DEMO-2: print the demo 9 lines."""
    vm = SuperVM(router=AdaptiveRouter(config.routing))
    vk, _, _ = proof_documents()
    vm.registry.register(VK_ID, parse_verifying_key(vk))
    for obj in (coin(1, ALICE), coin(2, BOB), coin(3, CAROL), coin(4, CAROL), counter(COUNTER)):
        vm.objects.insert(obj)
    items = block()
    log(f"Demo 9: routing a mixed block of {len(items)} transactions (execute_block)")
    receipts = vm.execute_block([(tx, privacy) for _, tx, privacy in items])
    for n, ((label, _, _), r) in enumerate(zip(items, receipts), 1):
        log(f"  tx {n} {receipt_line(label, r)}")
    count = vm.objects.get(object_id(COUNTER))
    assert count is not None
    log(f"  Counter: {int.from_bytes(count.state.get(b'count', bytes(8)), 'little')}; "
        f"fast transactions ran first in block order, then consensus and privacy as one "
        f"Block-STM batch")
    s = vm.routing_stats()
    log(f"  Routes: fast {s.fast}, consensus {s.consensus}, privacy {s.privacy} "
        f"(total {s.total}); ratios fast {s.fast_ratio:.4f}, consensus "
        f"{s.consensus_ratio:.4f}, privacy {s.privacy_ratio:.4f}")
    log(f"  Conflicts in the batch: {s.conflicts}; adaptive target fast ratio "
        f"{s.target_fast_ratio:.2f} after {s.adjustments} adjustments")
