"""The object model of SuperVM (spec/objects.md, OBJ-*): Sui-style objects that are owned by an
address, shared or immutable; their ids, versions and canonical storage records; the access
matrix; and the seed's `OwnershipManager`.
"""

from __future__ import annotations

from .errors import ObjectError, ObjectErrorKind
from .ownership import OwnershipManager
from .types import (
    ACCESS_MATRIX,
    ID_LENGTH,
    MAX_VERSION,
    OBJECT_PREFIX,
    AccessorRelation,
    AccessType,
    AddressOwner,
    Immutable,
    ObjectData,
    ObjectRecordError,
    Owner,
    OwnershipType,
    Shared,
    Tombstone,
    access_denial,
    decode_record,
    encode_object,
    encode_tombstone,
    object_key,
)

__all__ = [
    "ACCESS_MATRIX", "ID_LENGTH", "MAX_VERSION", "OBJECT_PREFIX", "AccessType", "AccessorRelation",
    "AddressOwner", "Immutable", "ObjectData", "ObjectError", "ObjectErrorKind",
    "ObjectRecordError", "Owner", "OwnershipManager", "OwnershipType", "Shared", "Tombstone",
    "access_denial", "decode_record", "encode_object", "encode_tombstone", "object_key",
]
