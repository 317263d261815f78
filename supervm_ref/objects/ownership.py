"""`OwnershipManager`: the seed's Sui-style object ownership API over a storage
(spec/objects.md, OBJ-MGR-*, OBJ-ACCESS-*).

Each operation is one change of one object, checked against the access matrix (OBJ-ACCESS-*)
before anything is written; a refused operation is an `ObjectError` with its canonical kind and
changes nothing. An operation that changes an object gives it the next version (the Lamport
rule of a transaction whose only input is that object, OBJ-VERSION-2). Transactions
(`supervm_ref.routing`) apply the same matrix to their slots.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..errors import InvalidArgumentError
from ..runtime.runtime import is_storage
from ..runtime.storage import MemoryStorage, Storage, apply_writes
from .errors import ObjectError, ObjectErrorKind
from .types import (
    MAX_VERSION,
    OBJECT_PREFIX,
    AccessType,
    AddressOwner,
    Immutable,
    ObjectData,
    Owner,
    OwnershipType,
    Shared,
    Tombstone,
    access_denial,
    check_id,
    check_state,
    check_type_tag,
    decode_record,
    encode_object,
    encode_tombstone,
    object_key,
    show_id,
)

#: How many object records `OwnershipManager.records` reads from a storage at most.
MAX_RECORDS = 1 << 40


def _access_type(value: object) -> AccessType:
    if isinstance(value, AccessType):
        return value
    if isinstance(value, str):
        try:
            return AccessType(value)
        except ValueError:
            pass
    raise InvalidArgumentError("access_type", "an AccessType", value)


def _ownership_type(value: object) -> OwnershipType:
    if isinstance(value, OwnershipType):
        return value
    if isinstance(value, str):
        try:
            return OwnershipType(value)
        except ValueError:
            pass
    raise InvalidArgumentError("ownership_type", "an OwnershipType", value)


def next_version(version: int) -> int:
    """OBJ-VERSION-1/2: ``version + 1``; `ObjectError` (version_overflow) past 2**64 - 1."""
    if version >= MAX_VERSION:
        raise ObjectError(ObjectErrorKind.VERSION_OVERFLOW,
                          f"expected a version below {MAX_VERSION}, found {version}")
    return version + 1


class OwnershipManager:
    """OBJ-MGR-1: the seed's ``OwnershipManager`` over ``storage`` (a `Storage`; a fresh
    `MemoryStorage` when None). Objects are stored as canonical records (OBJ-ENC-*)."""

    def __init__(self, storage: Storage | None = None) -> None:
        if storage is not None and not is_storage(storage):
            raise InvalidArgumentError("storage", "a Storage (get, set, delete, scan) or None",
                                       storage)
        self.storage: Storage = MemoryStorage() if storage is None else storage

    # --- Reading ------------------------------------------------------------------------------

    def record(self, object_id: bytes) -> ObjectData | Tombstone | None:
        """OBJ-ENC-1: the live object, the tombstone of a deleted one, or None."""
        data = self.storage.get(object_key(check_id(object_id, "object_id")))
        return None if data is None else decode_record(object_id, data)

    def get(self, object_id: bytes) -> ObjectData | None:
        """OBJ-MGR-1: the live object ``object_id``, or None (never created, or deleted)."""
        rec = self.record(object_id)
        return rec if isinstance(rec, ObjectData) else None

    def records(self) -> list[ObjectData | Tombstone]:
        """OBJ-ENC-2: every object and tombstone in the storage, by id."""
        return [decode_record(key[len(OBJECT_PREFIX):], value)
                for key, value in self.storage.scan(OBJECT_PREFIX, MAX_RECORDS)]

    def _live(self, object_id: bytes) -> ObjectData:
        obj = self.get(object_id)
        if obj is None:
            raise ObjectError(ObjectErrorKind.OBJECT_NOT_FOUND,
                              f"expected a live object {show_id(object_id)}, found none")
        return obj

    def _put(self, obj: ObjectData | Tombstone) -> None:
        value = (encode_object(obj) if isinstance(obj, ObjectData)
                 else encode_tombstone(obj.version))
        apply_writes(self.storage, {object_key(obj.id): value})

    # --- Creating -----------------------------------------------------------------------------

    def insert(self, obj: ObjectData) -> ObjectData:
        """OBJ-MGR-2: put ``obj`` into the storage as it is (a genesis or pre-state object of
        any version); an id that exists or existed is `ObjectError` (object_already_exists,
        OBJ-ID-2)."""
        if not isinstance(obj, ObjectData):
            raise InvalidArgumentError("obj", "an ObjectData", obj)
        if self.record(obj.id) is not None:
            raise ObjectError(ObjectErrorKind.OBJECT_ALREADY_EXISTS,
                              f"expected an unused id, found {show_id(obj.id)} in use")
        self._put(obj)
        return obj

    def create_object(self, id: bytes, owner: bytes, ownership_type: OwnershipType, *,
                      type_tag: str = "", state: Mapping[bytes, bytes] | None = None
                      ) -> ObjectData:
        """OBJ-MGR-2, the seed's ``create_object(id, owner, ownership_type)``: a new object at
        version 1, owned by ``owner`` (OWNED), shared since version 1 (SHARED) or immutable
        (IMMUTABLE; ``owner`` is then only its creator). OBJ-ID-2: an id that exists or existed
        is `ObjectError` (object_already_exists)."""
        check_id(id, "id")
        check_id(owner, "owner")
        kind = _ownership_type(ownership_type)
        new_owner: Owner = (AddressOwner(owner) if kind == OwnershipType.OWNED
                            else Shared(1) if kind == OwnershipType.SHARED else Immutable())
        return self.insert(ObjectData(id, 1, new_owner, check_type_tag(type_tag),
                                      check_state({} if state is None else state)))

    # --- The access matrix ----------------------------------------------------------------------

    def access_object(self, object_id: bytes, accessor: bytes, access_type: AccessType
                      ) -> ObjectData:
        """OBJ-ACCESS-1..5, the seed's ``access_object``: the object when ``accessor`` may
        perform ``access_type`` on it; `ObjectError` with the matrix's kind otherwise
        (object_not_found when there is no live object)."""
        check_id(object_id, "object_id")
        check_id(accessor, "accessor")
        access = _access_type(access_type)
        obj = self._live(object_id)
        denial = access_denial(obj.owner, accessor, access)
        if denial is not None:
            raise ObjectError(denial, f"{show_id(accessor)} may not {access.value} object "
                                      f"{show_id(object_id)} ({obj.ownership_type.value})")
        return obj

    # --- Changing -------------------------------------------------------------------------------

    def write_object(self, object_id: bytes, accessor: bytes, state: Mapping[bytes, bytes]
                     ) -> ObjectData:
        """OBJ-MGR-3: replace the state (WRITE access); the object gets the next version."""
        new_state = check_state(state)
        obj = self.access_object(object_id, accessor, AccessType.WRITE)
        return self._changed(obj.replace(version=next_version(obj.version), state=new_state))

    def transfer_object(self, object_id: bytes, from_: bytes, to: bytes) -> ObjectData:
        """OBJ-MGR-3, the seed's ``transfer_object(object_id, from, to)``: TRANSFER access by
        ``from_``; the object is owned by ``to`` at the next version."""
        check_id(to, "to")
        obj = self.access_object(object_id, from_, AccessType.TRANSFER)
        return self._changed(obj.replace(version=next_version(obj.version),
                                         owner=AddressOwner(to)))

    def freeze_object(self, object_id: bytes, owner: bytes) -> ObjectData:
        """OBJ-MGR-3, the seed's ``freeze_object``: FREEZE access by ``owner``; the object is
        immutable from the next version on, for ever (OBJ-ACCESS-3)."""
        obj = self.access_object(object_id, owner, AccessType.FREEZE)
        return self._changed(obj.replace(version=next_version(obj.version), owner=Immutable()))

    def share_object(self, object_id: bytes, owner: bytes) -> ObjectData:
        """OBJ-MGR-3, the seed's ``share_object``: SHARE access by ``owner``; an owned object is
        shared from the next version on (its ``initial_shared_version``). Sharing a shared
        object is allowed and changes nothing (OBJ-ACCESS-4)."""
        obj = self.access_object(object_id, owner, AccessType.SHARE)
        if isinstance(obj.owner, Shared):
            return obj
        version = next_version(obj.version)
        return self._changed(obj.replace(version=version, owner=Shared(version)))

    def delete_object(self, object_id: bytes, owner: bytes) -> Tombstone:
        """OBJ-MGR-3: DELETE access by ``owner``; a tombstone at the next version remains
        (OBJ-ID-2)."""
        obj = self.access_object(object_id, owner, AccessType.DELETE)
        tomb = Tombstone(obj.id, next_version(obj.version))
        self._put(tomb)
        return tomb

    def _changed(self, obj: ObjectData) -> ObjectData:
        self._put(obj)
        return obj


__all__ = ["OwnershipManager", "next_version"]
