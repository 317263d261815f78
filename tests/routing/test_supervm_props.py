"""Properties of SuperVM blocks (spec/routing.md ROUTE-BLOCK-1/2, ROUTE-PATH-1/2; spec/objects.md
OBJ-VERSION-2/3): random mixes of owned, shared and immutable transactions from several
senders."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supervm_ref import (
    ObjectCreate,
    ObjectData,
    ObjectInput,
    ObjectOp,
    Privacy,
    Shared,
    SuperVM,
    Value,
    VmTransaction,
)
from supervm_ref.routing import route_of

from ..objects.world import ALICE, BOB, CAROL, call, coin, frozen, oid, shared, vm_with

SENDERS = [ALICE, BOB, CAROL]
I32, I64 = Value.i32, Value.i64


def pre_state() -> list[ObjectData]:
    return [*(coin(n, SENDERS[n % 3], 100) for n in range(1, 7)), shared(7), shared(8),
            frozen(9)]


@st.composite
def transactions(draw: st.DrawFn) -> VmTransaction:
    """Split, merge, transfer of coins (sometimes at a stale version or by a non-owner),
    increments of shared counters, reads of the immutable coin."""
    sender = draw(st.sampled_from(SENDERS))
    kind = draw(st.sampled_from(["split", "merge", "transfer", "incr", "read"]))
    version = draw(st.integers(1, 3))
    a, b = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    if kind == "split":
        return VmTransaction(sender, [ObjectInput(oid(a), version)],
                             call("split", I32(1), I64(draw(st.integers(0, 120)))),
                             creates=[ObjectCreate("coin")])
    if kind == "merge":
        return VmTransaction(sender, [ObjectInput(oid(a), version), ObjectInput(oid(b), 1)],
                             call("merge", I32(1)), [ObjectOp.delete(1)])
    if kind == "transfer":
        return VmTransaction(sender, [ObjectInput(oid(a), version)],
                             ops=[ObjectOp.transfer(0, draw(st.sampled_from(SENDERS)))])
    if kind == "incr":
        extra = [ObjectInput(oid(a), version)] if draw(st.booleans()) else []
        return VmTransaction(sender, [ObjectInput(oid(draw(st.sampled_from([7, 8]))), 1,
                                                  shared=True), *extra], call("incr", I32(0)))
    return VmTransaction(sender, [ObjectInput(oid(9), 1, mutable=False)],
                         call("balance", I32(0)))


def total(vm: SuperVM) -> int:
    return sum(int.from_bytes(o.state.get(b"balance", b"\0"), "little")
               for o in vm.objects.records() if isinstance(o, ObjectData)
               and o.type_tag == "coin" and o.id != oid(9))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(transactions(), min_size=1, max_size=6), min_size=1, max_size=3))
def test_blocks_equal_sequential_replay(blocks: list[list[VmTransaction]]) -> None:
    """ROUTE-BLOCK-1/2: the state after the blocks equals the replay of the transactions one at
    a time in sequence order, with the same receipts; ROUTE-PATH-1/2: routes are a function of
    the transactions and no fast transaction writes an object shared before its block;
    OBJ-VERSION-2/3: every written object has the Lamport version, above its old version; the
    coins' total value is conserved."""
    vm, replay = vm_with(*pre_state()), vm_with(*pre_state())
    before_total = total(vm)
    for block in blocks:
        before = {o.id: o for o in vm.objects.records()}
        receipts = vm.execute_block(block)
        ordered = sorted(zip(receipts, block), key=lambda p: p[0].sequence)
        again = replay.execute_sequentially([t for _, t in ordered])
        for (r, t), r2 in zip(ordered, again):
            assert (r.status, r.error, r.created, r.mutated, r.deleted, r.events, r.gas_used) \
                == (r2.status, r2.error, r2.created, r2.mutated, r2.deleted, r2.events,
                    r2.gas_used)
            assert r.route == route_of(t, Privacy.Public)
            for object_id, version in r.created + r.mutated + r.deleted:
                assert version == r.lamport_version
                old = before.get(object_id)
                assert old is None or old.version < version
                if r.route == "fast" and isinstance(old, ObjectData):
                    assert not isinstance(old.owner, Shared)
        assert vm.storage.items() == replay.storage.items()  # type: ignore[attr-defined]
    assert total(vm) == before_total


@settings(max_examples=25, deadline=None)
@given(st.lists(transactions(), max_size=12), st.integers(0, 12))
def test_routing_is_a_pure_function(txs: list[VmTransaction], capacity: int) -> None:
    """ROUTE-PATH-1, ROUTE-BLOCK-3: two SuperVMs given the same submissions route and compose
    blocks identically."""
    vms = [vm_with(*pre_state()), vm_with(*pre_state())]
    routes = [[vm.submit(t) for t in txs] for vm in vms]
    assert routes[0] == routes[1]
    blocks = [vm.produce_block(capacity) for vm in vms]
    assert [(r.digest, r.route, r.status) for r in blocks[0]] == [
        (r.digest, r.route, r.status) for r in blocks[1]]
    assert vms[0].routing_stats() == vms[1].routing_stats()
