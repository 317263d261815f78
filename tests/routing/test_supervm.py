"""SuperVM: transactions, paths, blocks, queues, privacy and statistics (spec/routing.md)."""

from __future__ import annotations

import hashlib
import struct

import pytest

from supervm_ref import (
    ContractCall,
    InvalidArgumentError,
    MemoryStorage,
    ObjectCreate,
    ObjectInput,
    ObjectOp,
    Privacy,
    PrivateProof,
    Route,
    Runtime,
    SuperVM,
    SuperVMError,
    Value,
    VmTransaction,
    ZkError,
)
from supervm_ref.privacy import backends as zk_backends
from supervm_ref.routing import encode_transaction, route_of
from supervm_ref.routing.adaptive import AdaptiveRouter
from supervm_ref.routing.supervm import RoutingError

from ..objects.world import (
    ALICE,
    BOB,
    COIN,
    balance,
    call,
    coin,
    cubic_proof,
    inp,
    oid,
    registry_with_cubic,
    shared,
    tx,
    vm_with,
)

I32, I64 = Value.i32, Value.i64


def test_transaction_encoding_and_digest() -> None:
    """ROUTE-TX-1/2/3: the canonical encoding's bytes, the digest and created ids."""
    t = VmTransaction(ALICE, [ObjectInput(oid(1), 2, True, False)],
                      ContractCall(b"\x00asm", "f", (I32(-1),), 7),
                      [ObjectOp.transfer(0, BOB)], [ObjectCreate("c")])
    expected = (b"\x01" + ALICE + struct.pack("<I", 1) + oid(1) + struct.pack("<QB", 2, 1)
                + b"\x01" + struct.pack("<I", 4) + b"\x00asm" + struct.pack("<I", 1) + b"f"
                + struct.pack("<I", 1) + struct.pack("<BQ", 0x7F, 0xFFFFFFFF)
                + struct.pack("<Q", 7) + struct.pack("<I", 1) + struct.pack("<BI", 0, 0) + BOB
                + struct.pack("<I", 1) + struct.pack("<I", 1) + b"c" + b"\x00")
    assert encode_transaction(t) == expected
    assert t.digest == hashlib.sha256(expected).digest()
    assert t.created_id(1) == hashlib.sha256(t.digest + struct.pack("<Q", 1)).digest()
    p = VmTransaction(ALICE, proof=PrivateProof("k", {"b": 1, "a": [2]}, ["3"]))
    assert encode_transaction(p).endswith(b'\x01\x01\x00\x00\x00k\x0f\x00\x00\x00{"a":[2],"b":1}'
                                          b'\x05\x00\x00\x00["3"]')


def test_bad_arguments_are_typed() -> None:
    """ROUTE-TX-1, ROUTE-API-1: wrong types anywhere are InvalidArgumentError."""
    bad = [lambda: VmTransaction(b"x"), lambda: VmTransaction(ALICE, inputs="ab"),
           lambda: VmTransaction(ALICE, inputs=[1]), lambda: VmTransaction(ALICE, call=1),
           lambda: VmTransaction(ALICE, ops=[None]), lambda: VmTransaction(ALICE, proof="p"),
           lambda: VmTransaction(ALICE, creates=[ObjectCreate()] * 257),
           lambda: ObjectInput(oid(1), 0), lambda: ObjectInput(oid(1), 1, mutable=1),
           lambda: ContractCall("code", "f"), lambda: ContractCall(b"", 1),
           lambda: ContractCall(b"", "f", (1,)), lambda: ContractCall(b"", "f", gas_limit=0),
           lambda: ObjectOp("delete", 0), lambda: ObjectOp.delete(256),
           lambda: ObjectOp.transfer(0, b"x"), lambda: ObjectCreate(3),
           lambda: PrivateProof(1, {}, []), lambda: PrivateProof("k", {1j}, []),
           lambda: SuperVM(storage=3), lambda: SuperVM(router=object()),
           lambda: SuperVM(verifier=3), lambda: SuperVM(scheduler=3), lambda: SuperVM(context=3),
           lambda: SuperVM().execute_transaction("tx"),
           lambda: SuperVM().execute_transaction(VmTransaction(ALICE), "public"),
           lambda: SuperVM().execute_block([3]), lambda: SuperVM().execute_block(5),
           lambda: SuperVM().produce_block(-1), lambda: SuperVM().submit(None)]
    for make in bad:
        with pytest.raises(InvalidArgumentError):
            make()


def test_routes() -> None:
    """ROUTE-PATH-1: private -> privacy; a shared input -> consensus; else fast."""
    owned = tx(ALICE, inp(coin(1)))
    both = tx(ALICE, inp(coin(1)), inp(shared(2)))
    assert route_of(owned, Privacy.Public) == Route.FAST
    assert route_of(tx(ALICE), Privacy.Public) == Route.FAST
    assert route_of(both, Privacy.Public) == Route.CONSENSUS
    assert route_of(owned, Privacy.Private) == Route.PRIVACY
    assert SuperVM().route(both) == Route.CONSENSUS


def test_block_interleaving_and_replay() -> None:
    """ROUTE-BLOCK-1/2, ROUTE-PATH-2/3, ROUTE-RECEIPT-1: fast transactions first in block
    order, then consensus in block order; equivocation: the first user of an owned version
    wins; replaying in sequence order gives the same receipts and state."""
    objs = (coin(1), coin(2, BOB), shared(3))
    block = [
        tx(ALICE, inp(shared(3)), inp(coin(1)), call=call("incr", I32(0))),   # consensus
        tx(ALICE, inp(coin(1)), call=call("split", I32(1), I64(10)),
           creates=[ObjectCreate()]),                                          # fast
        tx(BOB, inp(shared(3)), call=call("incr", I32(0))),                    # consensus
        tx(ALICE, inp(coin(1)), ops=[ObjectOp.transfer(0, BOB)]),             # fast, stale
        tx(BOB, inp(coin(2)), ops=[ObjectOp.share(0)]),                        # fast
    ]
    vm = vm_with(*objs)
    receipts = vm.execute_block(block)
    assert [r.sequence for r in receipts] == [3, 0, 4, 1, 2]
    assert [r.route for r in receipts] == ["consensus", "fast", "consensus", "fast", "fast"]
    assert [r.error for r in receipts] == ["stale_object_version", None, None,
                                           "stale_object_version", None]
    assert vm.objects.get(oid(3)).state[b"count"] == struct.pack("<Q", 1)  # type: ignore
    assert balance(vm, oid(1)) == 90
    replay = vm_with(*objs)
    ordered = sorted(zip(receipts, block), key=lambda p: p[0].sequence)
    again = replay.execute_sequentially([t for _, t in ordered])
    assert [(r.status, r.error, r.mutated, r.created, r.events) for r in again] == [
        (r.status, r.error, r.mutated, r.created, r.events) for r, _ in ordered]
    assert replay.storage.items() == vm.storage.items()  # type: ignore[attr-defined]
    stats = vm.routing_stats()
    assert (stats.fast, stats.consensus, stats.privacy, stats.total) == (3, 2, 0, 5)
    assert stats.fast_ratio == 0.6 and stats.conflicts == 0  # the first one wrote nothing


def test_conflicts_are_counted_from_the_batch() -> None:
    """ROUTE-BLOCK-4: consensus transactions reading an earlier one's writes; the router
    observes them."""
    seen: list[tuple[int, int, int]] = []

    class Spy(AdaptiveRouter):
        def observe(self, *, transactions: int, successes: int, conflicts: int) -> bool:
            seen.append((transactions, successes, conflicts))
            return False

    vm = vm_with(shared(3), shared(4))
    incr = [tx(ALICE, inp(shared(n)), call=call("incr", I32(0))) for n in (3, 4, 3, 3)]
    vm.router = Spy()
    receipts = vm.execute_block(incr)
    assert all(r.success for r in receipts) and seen == [(4, 4, 2)]
    assert vm.routing_stats().conflicts == 2


def test_queues_and_fast_slots() -> None:
    """ROUTE-BLOCK-3: fast_slots of the capacity to the fast queue, the rest to the other,
    unused slots to the other side, FIFO, one block in submission order."""
    assert [AdaptiveRouter().fast_slots(c) for c in (0, 1, 2, 5, 10)] == [0, 1, 1, 4, 7]
    vm = vm_with(*(coin(n) for n in range(1, 6)), shared(9))
    for n in range(1, 6):
        assert vm.submit(tx(ALICE, inp(coin(n)))) == Route.FAST
    for _ in range(3):
        assert vm.submit(tx(ALICE, inp(shared(9)), call=call("incr", I32(0)))) == \
            Route.CONSENSUS
    assert vm.pending() == (5, 3)
    first = vm.produce_block(4)  # 3 fast (round(2.8)), 1 consensus
    assert [r.route for r in first] == ["fast"] * 3 + ["consensus"]
    assert vm.pending() == (2, 2)
    second = vm.produce_block(10)  # the rest: fast slots unused go to consensus and back
    assert len(second) == 4 and vm.pending() == (0, 0)
    assert vm.produce_block(3) == []


def test_privacy_path() -> None:
    """ROUTE-PRIV-1/2: the verifier runs before execution; missing proof, failed proof and no
    verifier reject with proof_verified False; a verified one runs as consensus."""

    class Bad(SuperVMError):
        kind = "zk_proof_invalid"

    def verifier(p: PrivateProof) -> None:
        if p.vk_id != "good":
            raise Bad("no")

    vm = vm_with(coin(1))
    vm.verifier = verifier
    good = tx(ALICE, inp(coin(1)), call=call("mint", I32(0), I64(1)),
              proof=PrivateProof("good", {}, []))
    bad = tx(ALICE, inp(coin(1)), proof=PrivateProof("bad", {}, []))
    r = vm.execute_block([(bad, Privacy.Private), (tx(ALICE), Privacy.Private),
                          (good, Privacy.Private)])
    assert [(x.route, x.status, x.error, x.proof_verified) for x in r] == [
        ("privacy", "rejected", "zk_proof_invalid", False),
        ("privacy", "rejected", "privacy_proof_missing", False),
        ("privacy", "success", None, True)]
    assert balance(vm, oid(1)) == 101 and vm.routing_stats().privacy == 3


def test_privacy_path_with_the_groth16_verifier() -> None:
    """ROUTE-PRIV-1/2, ZK-VERIFY-1: the default verifier on the reference backend: snarkjs's
    valid proof executes (privacy route, proof_verified True, the coin minted and at a new
    version); the same proof with the tampered public signal is rejected with
    zk_proof_invalid and changes nothing; an unregistered and a malformed key id are
    zk_unknown_verifying_key, not an exception."""
    vm = SuperVM(registry=registry_with_cubic())
    assert vm.zk_backend == "reference"
    vm.objects.insert(coin(1))
    mint = call("mint", I32(0), I64(5))
    before = vm.storage.items()  # type: ignore[attr-defined]
    bad = vm.execute_transaction(tx(ALICE, inp(coin(1)), call=mint,
                                    proof=cubic_proof("public_tampered.json")), Privacy.Private)
    assert (bad.route, bad.status, bad.error, bad.proof_verified, bad.mutated,
            bad.lamport_version) == ("privacy", "rejected", "zk_proof_invalid", False, (), None)
    assert vm.storage.items() == before  # type: ignore[attr-defined]
    for vk_id in ("mul3", "no such key!"):
        r = vm.execute_transaction(tx(ALICE, inp(coin(1)), call=mint,
                                      proof=cubic_proof(vk_id=vk_id)), Privacy.Private)
        assert (r.status, r.error, r.proof_verified) == (
            "rejected", "zk_unknown_verifying_key", False)
    good = vm.execute_transaction(tx(ALICE, inp(coin(1)), call=mint, proof=cubic_proof()),
                                  Privacy.Private)
    assert (good.route, good.status, good.error, good.proof_verified, good.mutated) == (
        "privacy", "success", None, True, ((oid(1), 2),))
    assert balance(vm, oid(1)) == 105


def test_zk_backend_is_checked_when_the_supervm_is_built(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """ROUTE-PRIV-1, ROUTE-API-1, ZK-BACKEND-1: ``zk_backend`` names a verifier backend (else
    InvalidArgumentError), is not combined with a custom verifier, and a backend whose extra
    is missing fails the construction with zk_backend_unavailable, never a transaction."""
    for bad in ("nope", 3, None, "Reference"):
        with pytest.raises(InvalidArgumentError, match="zk_backend"):
            SuperVM(zk_backend=bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="zk_backend"):
        SuperVM(verifier=lambda p: None, zk_backend="fast")

    def missing() -> None:
        raise ZkError("zk_backend_unavailable", "not installed")

    monkeypatch.setattr(zk_backends, "_import_fast", missing)
    with pytest.raises(ZkError) as e:
        SuperVM(zk_backend="fast")
    assert e.value.kind == "zk_backend_unavailable"
    assert SuperVM().zk_backend == "reference"


def test_api() -> None:
    """ROUTE-API-1/2, ROUTE-EXEC-2, ROUTE-STATS-1: new_with_routing returns a SuperVM on the
    runtime class; ops-only transactions use no gas; statistics start at zero."""
    vm = Runtime.new_with_routing(MemoryStorage())
    assert isinstance(vm, SuperVM) and type(vm.runtime) is Runtime
    s = vm.routing_stats()
    assert (s.total, s.fast_ratio, s.consensus_ratio, s.privacy_ratio) == (0, 0.0, 0.0, 0.0)
    assert s.target_fast_ratio == 0.7 and s.adjustments == 0
    vm.objects.insert(coin(1))
    r = vm.execute_transaction(tx(ALICE, inp(coin(1)), ops=[ObjectOp.freeze(0)]))
    assert (r.gas_used, r.events, r.sequence) == (0, (), 0)
    r = vm.execute_transaction(tx(ALICE, inp(coin(1)), call=ContractCall(COIN, "nope")))
    assert r.status == "rejected"  # the input is stale: frozen at version 2
    r = vm.execute_transaction(tx(ALICE, creates=[ObjectCreate()],
                                  call=ContractCall(COIN, "nope")))
    assert (r.status, r.error, r.gas_used) == ("failed", "no_such_function", 0)


class _Flaky(MemoryStorage):
    """A storage that raises on the ``fail_get``-th get from now (0: never) or on every
    write while ``fail_writes``."""

    def __init__(self) -> None:
        super().__init__()
        self.fail_get = 0
        self.fail_writes = False

    def get(self, key: bytes) -> bytes | None:
        if self.fail_get:
            self.fail_get -= 1
            if not self.fail_get:
                raise RuntimeError("disk gone")
        return super().get(key)

    def apply_batch(self, writes: object) -> None:
        if self.fail_writes:
            raise RuntimeError("disk full")
        super().apply_batch(writes)  # type: ignore[arg-type]


def _flaky_vm() -> tuple[SuperVM, _Flaky]:
    st = _Flaky()
    vm = SuperVM(st)
    for o in (coin(1), coin(2), shared(3)):
        vm.objects.insert(o)
    return vm, st


def _mixed_block() -> list[VmTransaction]:
    return [tx(ALICE, inp(coin(1)), ops=[ObjectOp.transfer(0, BOB)]),
            tx(ALICE, inp(coin(2)), call=call("mint", I32(0), I64(1))),
            tx(ALICE, inp(shared(3)), call=call("incr", I32(0)))]


@pytest.mark.parametrize("fail_at", [1, 2, 3])
def test_a_block_that_breaks_down_applies_nothing(fail_at: int) -> None:
    """ROUTE-BLOCK-1, ROUTE-API-1: a storage failing part-way (a get of the first or second
    fast transaction, or of the consensus batch) is RoutingError on every path, and the
    storage, the sequence numbers, the statistics and the router are as before the block --
    the fast transactions already executed are not applied."""
    vm, st = _flaky_vm()
    before = st.items()
    st.fail_get = fail_at
    with pytest.raises(RoutingError):
        vm.execute_block(_mixed_block())
    assert st.items() == before
    assert vm.routing_stats() == SuperVM().routing_stats() and vm._next_sequence == 0
    st.fail_get = 0
    receipts = vm.execute_block(_mixed_block())
    assert [r.sequence for r in receipts] == [0, 1, 2] and all(r.success for r in receipts)


def test_a_block_whose_writes_fail_applies_nothing() -> None:
    """ROUTE-BLOCK-1: the block's writes reach the storage in one apply_writes; when it fails
    the block is RoutingError and nothing changed; the replay is all or nothing too."""
    vm, st = _flaky_vm()
    before = st.items()
    st.fail_writes = True
    with pytest.raises(RoutingError, match="applying the block"):
        vm.execute_block(_mixed_block())
    with pytest.raises(RoutingError):
        vm.execute_sequentially(_mixed_block())
    assert st.items() == before and vm.routing_stats().total == 0


def test_corrupt_records_are_routing_errors_on_every_path() -> None:
    """ROUTE-BLOCK-1: a record that does not decode (OBJ-ENC-2) breaks the block down on the
    fast path as on the consensus path."""
    st = MemoryStorage()
    st.set(b"obj/" + oid(1), b"\x07junk")
    vm = SuperVM(st)
    for t in (tx(ALICE, ObjectInput(oid(1), 1)), tx(ALICE, ObjectInput(oid(1), 1, True, True))):
        with pytest.raises(RoutingError):
            vm.execute_transaction(t)


def test_produce_block_keeps_the_queues_when_the_block_breaks_down() -> None:
    """ROUTE-BLOCK-1/3: the transactions leave their queues only once their block executed."""
    vm, st = _flaky_vm()
    vm.submit(tx(ALICE, inp(coin(1)), ops=[ObjectOp.transfer(0, BOB)]))
    vm.submit(tx(ALICE, inp(shared(3)), call=call("incr", I32(0))))
    st.fail_get = 1
    with pytest.raises(RoutingError):
        vm.produce_block(10)
    assert vm.pending() == (1, 1)
    assert all(r.success for r in vm.produce_block(10)) and vm.pending() == (0, 0)


def test_a_verifier_error_without_a_kind_is_a_rejection() -> None:
    """ROUTE-PRIV-2: a verifier's SuperVMError without a kind (or with one that is not a
    kind) rejects the transaction with privacy_proof_rejected; the block's other transactions
    are unaffected. Anything else a verifier raises is a bug: RoutingError, nothing applied."""
    errors: list[Exception] = [InvalidArgumentError("vk_id", "an id", ""),
                               SuperVMError("no kind")]
    odd = SuperVMError("odd kind")
    odd.kind = "Not A Kind!"  # type: ignore[attr-defined]
    errors.append(odd)
    for error in errors:
        def verifier(p: PrivateProof, error: Exception = error) -> None:
            raise error

        vm = SuperVM(verifier=verifier)
        vm.objects.insert(coin(1))
        vm.objects.insert(coin(2, BOB))
        fast = tx(ALICE, inp(coin(1)), ops=[ObjectOp.transfer(0, BOB)])
        evil = tx(BOB, inp(coin(2, BOB)), proof=PrivateProof("", {}, []))
        r = vm.execute_block([fast, (evil, Privacy.Private)])
        assert [(x.status, x.error, x.proof_verified) for x in r] == [
            ("success", None, None), ("rejected", "privacy_proof_rejected", False)]

    def buggy(p: PrivateProof) -> None:
        raise ValueError("bug")

    vm = SuperVM(verifier=buggy)
    vm.objects.insert(coin(1))
    before = vm.storage.items()  # type: ignore[attr-defined]
    with pytest.raises(RoutingError, match="ValueError"):
        vm.execute_block([tx(ALICE, inp(coin(1)), ops=[ObjectOp.freeze(0)]),
                          (tx(ALICE, proof=PrivateProof("k", {}, [])), Privacy.Private)])
    assert vm.storage.items() == before  # type: ignore[attr-defined]


def test_huge_sequences_are_refused_by_their_length() -> None:
    """ROUTE-TX-1: inputs, creations, ops and call arguments beyond their bounds -- also a
    range whose length does not fit an index -- are InvalidArgumentError, checked before
    anything is copied."""
    from supervm_ref.routing.transaction import MAX_CALL_ARGS, MAX_OPS

    huge = range(10**20)
    bad = [lambda: VmTransaction(ALICE, inputs=huge), lambda: VmTransaction(ALICE, ops=huge),
           lambda: VmTransaction(ALICE, creates=huge), lambda: ContractCall(b"", "f", huge),
           lambda: VmTransaction(ALICE, inputs=range(257)),
           lambda: VmTransaction(ALICE, ops=[ObjectOp.delete(0)] * (MAX_OPS + 1)),
           lambda: ContractCall(b"", "f", (I32(0),) * (MAX_CALL_ARGS + 1))]
    for make in bad:
        with pytest.raises(InvalidArgumentError):
            make()
    assert len(VmTransaction(ALICE, ops=[ObjectOp.delete(0)] * MAX_OPS).ops) == MAX_OPS
    assert len(ContractCall(b"", "f", (I32(0),) * MAX_CALL_ARGS).args) == MAX_CALL_ARGS
