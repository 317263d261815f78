"""Objects inside transactions: input checks, object-scoped storage, ops and Lamport versions
(spec/objects.md sections 5-6)."""

from __future__ import annotations

from supervm_ref import (
    AddressOwner,
    Immutable,
    ObjectCreate,
    ObjectErrorKind,
    ObjectInput,
    ObjectOp,
    Shared,
    Tombstone,
    Value,
)

from .world import ALICE, BOB, balance, call, coin, frozen, inp, oid, shared, tx, u64, vm_with

K = ObjectErrorKind
I32, I64 = Value.i32, Value.i64


def test_inputs_are_checked_and_rejection_changes_nothing() -> None:
    """OBJ-INPUT-1/2/3/4/5/6, OBJ-ACCESS-2, ROUTE-EXEC-1, OBJ-VERSION-5: each failed input check
    rejects with its kind and the state is untouched."""
    c, s, f = coin(1, version=4), shared(2, version=5, initial=3), frozen(3, version=2)
    cases = [
        (tx(ALICE, ObjectInput(oid(9), 1)), K.OBJECT_NOT_FOUND),
        (tx(BOB, inp(c)), K.NOT_OWNER),
        (tx(ALICE, inp(c), inp(c, mutable=False)), K.DUPLICATE_INPUT),
        (tx(ALICE, ObjectInput(c.id, 3)), K.STALE_OBJECT_VERSION),
        (tx(ALICE, ObjectInput(c.id, 5)), K.OBJECT_VERSION_UNAVAILABLE),
        (tx(ALICE, ObjectInput(s.id, 5, shared=True)), K.SHARED_VERSION_MISMATCH),
        (tx(ALICE, ObjectInput(s.id, 3)), K.INPUT_KIND_MISMATCH),
        (tx(ALICE, ObjectInput(c.id, 4, shared=True)), K.INPUT_KIND_MISMATCH),
        (tx(ALICE, ObjectInput(f.id, 2, mutable=True)), K.IMMUTABLE_INPUT_MUTABLE),
        (tx(ALICE, ObjectInput(f.id, 1, mutable=False)), K.STALE_OBJECT_VERSION),
    ]
    for t, kind in cases:
        vm = vm_with(c, s, f)
        before = vm.storage.items()  # type: ignore[attr-defined]
        r = vm.execute_transaction(t)
        assert (r.status, r.error, r.gas_used, r.lamport_version) == ("rejected", kind, 0, None)
        assert vm.storage.items() == before  # type: ignore[attr-defined]


def test_shared_input_version_is_assigned_not_checked() -> None:
    """OBJ-INPUT-4: a shared input names its initial shared version; its current version is
    whatever sequencing gave it."""
    vm = vm_with(shared(2, version=9, initial=3))
    r = vm.execute_transaction(tx(ALICE, ObjectInput(oid(2), 3, shared=True),
                                  call=call("incr", I32(0))))
    assert r.success and r.mutated == ((oid(2), 10),)


def test_lamport_versions() -> None:
    """OBJ-VERSION-2/3: every written object (mutated, created, deleted) gets 1 + max of all
    input versions, read-only and immutable ones included; read-only inputs are not written."""
    vm = vm_with(coin(1, version=3), coin(2, version=2), frozen(3, version=8))
    t = tx(ALICE, inp(coin(1, version=3)), inp(coin(2, version=2), mutable=False),
           inp(frozen(3, version=8), mutable=False),
           call=call("split", I32(3), I64(40)), creates=[ObjectCreate("coin")])
    r = vm.execute_transaction(t)
    new = t.created_id(0)
    assert r.success and r.lamport_version == 9
    assert r.mutated == ((oid(1), 9),) and r.created == ((new, 9),)
    assert vm.objects.get(oid(2)).version == 2  # type: ignore[union-attr]
    assert (balance(vm, oid(1)), balance(vm, new)) == (60, 40)
    r2 = vm.execute_transaction(tx(ALICE, inp(coin(1, version=9)), ops=[ObjectOp.delete(0)]))
    assert r2.deleted == ((oid(1), 10),) and vm.objects.record(oid(1)) == Tombstone(oid(1), 10)
    # with no input at all the version is 1
    r3 = vm.execute_transaction(tx(BOB, creates=[ObjectCreate()]))
    assert r3.created[0][1] == 1


def test_failed_transaction_bumps_only_mutable_inputs() -> None:
    """OBJ-VERSION-4, ROUTE-EXEC-2: a trapping call (split beyond the balance) fails the
    transaction: mutable inputs get the new version with unchanged contents; read-only ones
    stay; nothing is created; no events; the call's gas is charged."""
    vm = vm_with(coin(1, amount=10, version=2), coin(2, version=5))
    t = tx(ALICE, inp(coin(1, amount=10, version=2)), inp(coin(2, version=5), mutable=False),
           call=call("split", I32(2), I64(11)), creates=[ObjectCreate()])
    r = vm.execute_transaction(t)
    assert (r.status, r.error, r.events, r.created) == ("failed", "unreachable", (), ())
    assert r.mutated == ((oid(1), 6),) and r.gas_used == 1_000_000
    assert vm.objects.get(oid(1)) == coin(1, amount=10, version=6)
    assert vm.objects.get(oid(2)) == coin(2, version=5) and vm.objects.get(t.created_id(0)) is None


def test_object_scoped_storage_violations() -> None:
    """OBJ-STORE-1/2/3/4: a read of an undeclared slot, a write of a read-only slot and a write of
    an immutable slot fail the transaction with their own kinds, atomically, using the whole
    gas limit."""
    cases = [
        (coin(1), call("balance", I32(1)), True, K.OBJECT_SLOT_UNDECLARED),
        (coin(1), call("write", I32(0), I64(5)), False, K.OBJECT_SLOT_READ_ONLY),
        (frozen(1), call("write", I32(0), I64(5)), False, K.IMMUTABLE_OBJECT_MUTATION),
        (shared(1), call("write", I32(0), I64(5)), False, K.OBJECT_SLOT_READ_ONLY),
    ]
    for obj, c, mutable, kind in cases:
        vm = vm_with(obj)
        r = vm.execute_transaction(tx(ALICE, inp(obj, mutable), call=c))
        assert (r.status, r.error, r.events, r.gas_used) == ("failed", kind, (), 1_000_000)
        assert vm.objects.get(oid(1)) == (obj.replace(version=2) if mutable else obj)
    # a created slot is writable; reading one's own created slot works
    vm = vm_with(coin(1))
    r = vm.execute_transaction(tx(ALICE, inp(coin(1)), call=call("mint", I32(1), I64(3)),
                                  creates=[ObjectCreate()]))
    assert r.success and balance(vm, r.created[0][0]) == 3


def test_ops_follow_the_matrix() -> None:
    """OBJ-OP-1/2/3: ops after the call, in order, with the matrix for the object as earlier
    ops left it; a refused op fails the transaction and undoes the call and earlier ops."""
    vm = vm_with(coin(1), shared(2))
    r = vm.execute_transaction(tx(ALICE, inp(coin(1)), ops=[ObjectOp.transfer(0, BOB)]))
    assert r.success and vm.objects.get(oid(1)).owner == AddressOwner(BOB)  # type: ignore
    r = vm.execute_transaction(tx(BOB, inp(coin(1, version=2)),
                                  ops=[ObjectOp.share(0), ObjectOp.share(0)]))
    assert r.success and vm.objects.get(oid(1)).owner == Shared(3)  # type: ignore
    bad = [
        ([ObjectOp.transfer(0, BOB)], K.SHARED_OBJECT_TRANSFER),
        ([ObjectOp.freeze(0)], K.SHARED_OBJECT_FREEZE),
        ([ObjectOp.delete(5)], K.OBJECT_SLOT_UNDECLARED),
        ([ObjectOp.delete(0), ObjectOp.share(0)], K.OBJECT_SLOT_DELETED),
    ]
    for ops, kind in bad:
        r = vm.execute_transaction(tx(ALICE, ObjectInput(oid(2), 1, shared=True),
                                      call=call("incr", I32(0)), ops=ops))
        assert (r.status, r.error, r.events) == ("failed", kind, ())
        assert vm.objects.get(oid(2)).state == {}  # type: ignore[union-attr]
    v = vm.objects.get(oid(2)).version  # type: ignore[union-attr]
    r = vm.execute_transaction(tx(ALICE, ObjectInput(oid(2), 1, mutable=False, shared=True),
                                  ops=[ObjectOp.share(0)]))
    assert r.error == K.OBJECT_SLOT_READ_ONLY and r.mutated == ()
    assert vm.objects.get(oid(2)).version == v  # type: ignore[union-attr]
    # freeze then transfer: the second op sees an immutable object
    vm = vm_with(coin(1))
    r = vm.execute_transaction(tx(ALICE, inp(coin(1)),
                                  ops=[ObjectOp.freeze(0), ObjectOp.transfer(0, BOB)]))
    assert r.error == K.IMMUTABLE_OBJECT_MUTATION
    assert vm.objects.get(oid(1)).owner == AddressOwner(ALICE)  # type: ignore[union-attr]
    r = vm.execute_transaction(tx(ALICE, inp(coin(1, version=2)), ops=[ObjectOp.freeze(0)]))
    assert r.success and vm.objects.get(oid(1)).owner == Immutable()  # type: ignore
    # a shared object may be deleted
    vm = vm_with(shared(2))
    r = vm.execute_transaction(tx(BOB, ObjectInput(oid(2), 1, shared=True),
                                  ops=[ObjectOp.delete(0)]))
    assert r.success and r.deleted == ((oid(2), 2),)


def test_merge_deletes_the_source() -> None:
    """OBJ-STORE-1, OBJ-OP-2: merge adds slot 1 into slot 0; the op deletes slot 1."""
    vm = vm_with(coin(1, amount=5), coin(2, amount=7))
    r = vm.execute_transaction(tx(ALICE, inp(coin(1, amount=5)), inp(coin(2, amount=7)),
                                  call=call("merge", I32(1)), ops=[ObjectOp.delete(1)]))
    assert r.success and balance(vm, oid(1)) == 12 and r.deleted == ((oid(2), 2),)
    assert vm.objects.get(oid(2)) is None and u64(12) == vm.objects.get(oid(1)).state[  # type: ignore
        b"balance"]


def test_a_scan_with_limit_zero_still_names_its_slot() -> None:
    """OBJ-STORE-2: an empty prefix or an undeclared slot fails a scan whatever its limit, 0
    included, on both runtime backends (the call's overlay hands the prefix on)."""
    from supervm_ref import ContractCall, SuperVM
    from supervm_ref.backends import load_backend

    from ..support import REPO

    probe = (REPO / "conformance/contracts/abi_probe.wasm").read_bytes()
    for backend in ("reference", "wasmtime"):
        for at, length, limit, error in ((0, 0, 0, K.OBJECT_SLOT_UNDECLARED),
                                         (9, 1, 0, K.OBJECT_SLOT_UNDECLARED),
                                         (0, 1, 0, None)):
            vm = SuperVM(backend=load_backend(backend))
            vm.objects.insert(coin(1))
            c = ContractCall(probe, "storage_scan",
                             (I32(at), I32(length), I32(limit), I32(1024), I32(8192)), 1_000_000)
            r = vm.execute_transaction(tx(ALICE, inp(coin(1)), call=c))
            assert r.error == error, (backend, at, length, limit)
