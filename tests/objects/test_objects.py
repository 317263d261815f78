"""The object model and the OwnershipManager (spec/objects.md sections 1-4, 7)."""

from __future__ import annotations

import pytest

from supervm_ref import (
    AccessType,
    AddressOwner,
    Immutable,
    InvalidArgumentError,
    MemoryStorage,
    ObjectData,
    ObjectError,
    ObjectErrorKind,
    OwnershipManager,
    OwnershipType,
    Shared,
    Tombstone,
)
from supervm_ref.objects import ACCESS_MATRIX, ObjectRecordError, decode_record, object_key
from supervm_ref.objects.types import AccessorRelation, encode_object, encode_tombstone

from .world import ALICE, BOB, coin, oid

K = ObjectErrorKind


def manager_with(obj: ObjectData) -> OwnershipManager:
    m = OwnershipManager()
    m.insert(obj)
    return m


def test_ids_and_objects_are_checked() -> None:
    """OBJ-ID-1, OBJ-OWNER-1: ids are 32 bytes, versions in [1, 2^64-1], owners one of three,
    states bytes -> bytes (sorted), type tags strings; anything else InvalidArgumentError."""
    o = ObjectData(oid(1), 1, AddressOwner(ALICE), "t", {b"b": b"2", b"a": b"1"})
    assert list(o.state) == [b"a", b"b"] and o.ownership_type == OwnershipType.OWNED
    assert Shared(3).initial_shared_version == 3 and ObjectData(
        oid(1), 1, Immutable()).ownership_type == OwnershipType.IMMUTABLE
    for bad in [dict(id=b"x"), dict(version=0), dict(version=2**64), dict(owner="alice"),
                dict(state={"a": b"1"}), dict(type_tag=5), dict(version=True)]:
        args = dict(id=oid(1), version=1, owner=Immutable(), type_tag="", state={})
        args.update(bad)
        with pytest.raises(InvalidArgumentError):
            ObjectData(**args)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError):
        AddressOwner(b"short")
    with pytest.raises(InvalidArgumentError):
        Shared(0)


def test_version_overflow_is_refused() -> None:
    """OBJ-VERSION-1: no version beyond 2^64 - 1; the operation changes nothing."""
    m = manager_with(coin(1, version=2**64 - 1))
    with pytest.raises(ObjectError) as e:
        m.transfer_object(oid(1), ALICE, BOB)
    assert e.value.kind == K.VERSION_OVERFLOW
    assert m.get(oid(1)) == coin(1, version=2**64 - 1)


def test_the_access_matrix_has_every_cell() -> None:
    """OBJ-ACCESS-1: 6 access types x 4 relations = 24 cells, as the table of the spec."""
    assert len(ACCESS_MATRIX) == 24
    row = {a: [ACCESS_MATRIX[(a, r)] for r in AccessorRelation] for a in AccessType}
    assert row[AccessType.READ] == [None, K.NOT_OWNER, None, None]
    assert row[AccessType.WRITE] == [None, K.NOT_OWNER, None, K.IMMUTABLE_OBJECT_MUTATION]
    assert row[AccessType.TRANSFER] == [None, K.NOT_OWNER, K.SHARED_OBJECT_TRANSFER,
                                        K.IMMUTABLE_OBJECT_MUTATION]
    assert row[AccessType.DELETE] == [None, K.NOT_OWNER, None, K.IMMUTABLE_OBJECT_MUTATION]
    assert row[AccessType.FREEZE] == [None, K.NOT_OWNER, K.SHARED_OBJECT_FREEZE,
                                      K.IMMUTABLE_OBJECT_MUTATION]
    assert row[AccessType.SHARE] == [None, K.NOT_OWNER, None, K.IMMUTABLE_OBJECT_MUTATION]


@pytest.mark.parametrize("access", list(AccessType))
@pytest.mark.parametrize("relation", list(AccessorRelation))
def test_access_object_follows_the_matrix(access: AccessType, relation: AccessorRelation
                                          ) -> None:
    """OBJ-ACCESS-1..5, OBJ-MGR-3: access_object allows exactly the matrix's cells and raises
    ObjectError with the cell's kind otherwise; nothing changes."""
    owner = {AccessorRelation.OWNED_BY_SENDER: AddressOwner(ALICE),
             AccessorRelation.OWNED_BY_OTHER: AddressOwner(BOB),
             AccessorRelation.SHARED: Shared(1), AccessorRelation.IMMUTABLE: Immutable()}
    obj = ObjectData(oid(1), 1, owner[relation])
    m = manager_with(obj)
    expected = ACCESS_MATRIX[(access, relation)]
    if expected is None:
        assert m.access_object(oid(1), ALICE, access) == obj
    else:
        with pytest.raises(ObjectError) as e:
            m.access_object(oid(1), ALICE, access)
        assert e.value.kind == expected and e.value.kind.value in str(e.value)
    assert m.get(oid(1)) == obj


def test_manager_operations_bump_versions() -> None:
    """OBJ-MGR-1/2/3, OBJ-ACCESS-3/4/5: create at version 1; transfer, share, freeze, delete each
    at the next version; sharing sets initial_shared_version; re-sharing changes nothing;
    freezing is one way; a refused operation changes nothing."""
    m = OwnershipManager(MemoryStorage())
    created = m.create_object(oid(1), ALICE, OwnershipType.OWNED, type_tag="coin")
    assert created.version == 1 and created.owner == AddressOwner(ALICE)
    assert m.create_object(oid(2), ALICE, OwnershipType.SHARED).owner == Shared(1)
    assert m.create_object(oid(3), ALICE, OwnershipType.IMMUTABLE).owner == Immutable()
    moved = m.transfer_object(oid(1), ALICE, BOB)
    assert (moved.version, moved.owner) == (2, AddressOwner(BOB))
    written = m.write_object(oid(1), BOB, {b"k": b"v"})
    assert (written.version, dict(written.state)) == (3, {b"k": b"v"})
    sh = m.share_object(oid(1), BOB)
    assert (sh.version, sh.owner) == (4, Shared(4))
    assert m.share_object(oid(1), ALICE) == sh  # re-sharing: no change, by anyone
    with pytest.raises(ObjectError) as e:
        m.freeze_object(oid(1), BOB)
    assert e.value.kind == K.SHARED_OBJECT_FREEZE
    with pytest.raises(ObjectError) as e:
        m.transfer_object(oid(1), BOB, ALICE)
    assert e.value.kind == K.SHARED_OBJECT_TRANSFER
    assert m.delete_object(oid(1), ALICE) == Tombstone(oid(1), 5)  # shared: deletable
    m.create_object(oid(4), ALICE, OwnershipType.OWNED)
    assert m.freeze_object(oid(4), ALICE).owner == Immutable()
    for op in (lambda: m.share_object(oid(4), ALICE), lambda: m.delete_object(oid(4), ALICE),
               lambda: m.transfer_object(oid(4), ALICE, BOB)):
        with pytest.raises(ObjectError) as e:
            op()
        assert e.value.kind == K.IMMUTABLE_OBJECT_MUTATION
    assert m.get(oid(4)) is not None and m.get(oid(4)).version == 2  # type: ignore[union-attr]


def test_ids_are_never_reused() -> None:
    """OBJ-ID-2: creating a live or deleted id is object_already_exists; a deleted object is
    object_not_found; the tombstone keeps its version."""
    m = manager_with(coin(1))
    with pytest.raises(ObjectError) as e:
        m.create_object(oid(1), ALICE, OwnershipType.OWNED)
    assert e.value.kind == K.OBJECT_ALREADY_EXISTS
    m.delete_object(oid(1), ALICE)
    assert m.get(oid(1)) is None and m.record(oid(1)) == Tombstone(oid(1), 2)
    for op in (lambda: m.create_object(oid(1), ALICE, OwnershipType.OWNED),
               lambda: m.insert(coin(1))):
        with pytest.raises(ObjectError) as e:
            op()
        assert e.value.kind == K.OBJECT_ALREADY_EXISTS
    with pytest.raises(ObjectError) as e:
        m.access_object(oid(1), ALICE, AccessType.READ)
    assert e.value.kind == K.OBJECT_NOT_FOUND


def test_canonical_record() -> None:
    """OBJ-ENC-1/2: the record's exact bytes, its key, the round trip, and refusal of anything
    not canonical."""
    o = ObjectData(oid(1), 258, Shared(3), "ab", {b"z": b"", b"a": b"\x01"})
    data = encode_object(o)
    assert data == (b"\x01" + (258).to_bytes(8, "little") + b"\x01" + (3).to_bytes(8, "little")
                    + b"\x02\x00ab" + b"\x02\x00\x00\x00"
                    + b"\x01\x00\x00\x00a\x01\x00\x00\x00\x01"
                    + b"\x01\x00\x00\x00z\x00\x00\x00\x00")
    assert decode_record(oid(1), data) == o
    assert encode_object(ObjectData(oid(1), 1, AddressOwner(ALICE)))[9:42] == b"\x00" + ALICE
    assert decode_record(oid(1), encode_tombstone(9)) == Tombstone(oid(1), 9)
    assert object_key(oid(1)) == b"obj/" + oid(1)
    m = manager_with(o)
    assert m.storage.get(b"obj/" + oid(1)) == data and m.records() == [o]
    for bad in [b"", b"\x02", data + b"\x00", data[:-1], b"\x00" + b"\x00" * 8,
                data[:9] + b"\x07" + data[10:]]:
        with pytest.raises(ObjectRecordError):
            decode_record(oid(1), bad)


def test_errors_are_typed() -> None:
    """OBJ-ERR-1: kinds are lower-case snake strings; bad arguments to every public method are
    InvalidArgumentError, never TypeError or KeyError."""
    assert all(k.value == k.value.lower() and " " not in k.value for k in ObjectErrorKind)
    with pytest.raises(InvalidArgumentError):
        OwnershipManager(storage={})  # type: ignore[arg-type]
    m = manager_with(coin(1))
    junk: list[object] = [None, "x", 3, b"short", [], object()]
    calls = [lambda j: m.get(j), lambda j: m.access_object(oid(1), ALICE, j),
             lambda j: m.access_object(j, ALICE, AccessType.READ),
             lambda j: m.create_object(oid(9), ALICE, j),
             lambda j: m.create_object(oid(9), j, OwnershipType.OWNED),
             lambda j: m.transfer_object(oid(1), ALICE, j),
             lambda j: m.freeze_object(oid(1), j), lambda j: m.share_object(j, ALICE),
             lambda j: m.delete_object(oid(1), j), lambda j: m.write_object(oid(1), ALICE, j),
             lambda j: m.insert(j)]
    for j in junk:
        for call in calls:
            with pytest.raises(InvalidArgumentError):
                call(j)
