"""Objects, owners and their canonical encoding (spec/objects.md, OBJ-ID-*, OBJ-OWNER-*,
OBJ-ENC-*, OBJ-ACCESS-*).

An object is an id (32 bytes), a version (a positive 64-bit integer), an owner (an address, the
shared owner, or nobody: immutable), a type tag and a state (field name -> bytes). Objects live
in a `Storage` under ``OBJECT_PREFIX || id`` as one canonical record (OBJ-ENC-1); a deleted
object leaves a tombstone with its last version so neither its id nor an (id, version) pair is
ever used again (OBJ-ID-2, OBJ-VERSION-3).
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from ..errors import InvalidArgumentError, SuperVMError, require_int, shown
from .errors import ObjectErrorKind

#: OBJ-ID-1: the length of an object id and of an address.
ID_LENGTH = 32
#: OBJ-VERSION-1: the largest version (versions are unsigned 64-bit integers, >= 1).
MAX_VERSION = (1 << 64) - 1
#: OBJ-ENC-2: the storage key of object ``id`` is ``OBJECT_PREFIX || id``.
OBJECT_PREFIX = b"obj/"
#: OBJ-ENC-1: the largest type tag, in UTF-8 bytes.
MAX_TYPE_TAG = 0xFFFF


class OwnershipType(StrEnum):
    """The seed's ownership types (OBJ-OWNER-1)."""

    OWNED = "owned"
    SHARED = "shared"
    IMMUTABLE = "immutable"


class AccessType(StrEnum):
    """The seed's access types (OBJ-ACCESS-1): what a user does with an object."""

    READ = "read"
    WRITE = "write"
    TRANSFER = "transfer"
    DELETE = "delete"
    FREEZE = "freeze"
    SHARE = "share"


class AccessorRelation(StrEnum):
    """OBJ-ACCESS-1: how an accessor stands to an object: the columns of the access matrix."""

    OWNED_BY_SENDER = "owned_by_sender"
    OWNED_BY_OTHER = "owned_by_other"
    SHARED = "shared"
    IMMUTABLE = "immutable"


def check_id(value: object, argument: str) -> bytes:
    """OBJ-ID-1: an object id or an address is exactly 32 bytes (a bytes object)."""
    if type(value) is not bytes or len(value) != ID_LENGTH:
        raise InvalidArgumentError(argument, f"{ID_LENGTH} bytes", value)
    return value


def show_id(value: bytes) -> str:
    """An id or address for a message: ``0x`` and its hex digits (OBJ-ID-1)."""
    return "0x" + value.hex()


def check_version(value: object, argument: str = "version") -> int:
    """OBJ-VERSION-1: a version is an integer in [1, 2**64 - 1]."""
    return require_int(value, argument, 1, MAX_VERSION)


@dataclass(frozen=True, slots=True)
class AddressOwner:
    """OBJ-OWNER-1: owned by ``address`` (32 bytes)."""

    address: bytes

    def __post_init__(self) -> None:
        check_id(self.address, "address")


@dataclass(frozen=True, slots=True)
class Shared:
    """OBJ-OWNER-1: shared since version ``initial_shared_version``."""

    initial_shared_version: int

    def __post_init__(self) -> None:
        check_version(self.initial_shared_version, "initial_shared_version")


@dataclass(frozen=True, slots=True)
class Immutable:
    """OBJ-OWNER-1: owned by nobody; readable by anyone, changeable by nobody."""


#: OBJ-OWNER-1: an object's owner.
Owner = AddressOwner | Shared | Immutable


def check_owner(value: object, argument: str = "owner") -> Owner:
    """OBJ-OWNER-1: an `AddressOwner`, `Shared` or `Immutable`."""
    if not isinstance(value, AddressOwner | Shared | Immutable):
        raise InvalidArgumentError(argument, "an AddressOwner, Shared or Immutable", value)
    return value


def ownership_type(owner: Owner) -> OwnershipType:
    """OBJ-OWNER-1: the seed's ownership type of ``owner``."""
    if isinstance(owner, AddressOwner):
        return OwnershipType.OWNED
    return OwnershipType.SHARED if isinstance(owner, Shared) else OwnershipType.IMMUTABLE


def check_state(value: object, argument: str = "state") -> dict[bytes, bytes]:
    """OBJ-ENC-1: a state maps field names (bytes) to values (bytes)."""
    if not isinstance(value, Mapping):
        raise InvalidArgumentError(argument, "a mapping of bytes to bytes", value)
    out: dict[bytes, bytes] = {}
    for k, v in value.items():
        if type(k) is not bytes or type(v) is not bytes:
            raise InvalidArgumentError(f"{argument} entry", "bytes -> bytes", (k, v))
        out[k] = v
    return dict(sorted(out.items()))


def check_type_tag(value: object, argument: str = "type_tag") -> str:
    """OBJ-ENC-1: a type tag is a string of at most `MAX_TYPE_TAG` UTF-8 bytes."""
    if not isinstance(value, str):
        raise InvalidArgumentError(argument, "a string", value)
    try:
        encoded = value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidArgumentError(argument, "a string encodable as UTF-8", value) from None
    if len(encoded) > MAX_TYPE_TAG:
        raise InvalidArgumentError(argument, f"at most {MAX_TYPE_TAG} UTF-8 bytes", value)
    return value


@dataclass(frozen=True)
class ObjectData:
    """OBJ-ID-1, OBJ-OWNER-1: one live object: ``id`` (32 bytes), ``version`` (>= 1),
    ``owner``, ``type_tag`` and ``state`` (field name -> value, kept in key order). Every field
    is checked: a wrong one is `InvalidArgumentError`."""

    id: bytes
    version: int
    owner: Owner
    type_tag: str = ""
    state: Mapping[bytes, bytes] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_id(self.id, "id")
        check_version(self.version)
        check_owner(self.owner)
        check_type_tag(self.type_tag)
        object.__setattr__(self, "state", check_state(self.state))

    @property
    def ownership_type(self) -> OwnershipType:
        """OBJ-OWNER-1: the seed's ownership type."""
        return ownership_type(self.owner)

    def replace(self, *, version: int | None = None, owner: Owner | None = None,
                state: Mapping[bytes, bytes] | None = None) -> ObjectData:
        """A copy with the given fields changed."""
        return ObjectData(self.id, self.version if version is None else version,
                          self.owner if owner is None else owner, self.type_tag,
                          self.state if state is None else state)


# --- The access matrix (OBJ-ACCESS-*) ---------------------------------------------------------

def relation(owner: Owner, accessor: bytes) -> AccessorRelation:
    """OBJ-ACCESS-1: the column of the access matrix for ``accessor`` and an object owned by
    ``owner``."""
    if isinstance(owner, AddressOwner):
        return (AccessorRelation.OWNED_BY_SENDER if owner.address == accessor
                else AccessorRelation.OWNED_BY_OTHER)
    return AccessorRelation.SHARED if isinstance(owner, Shared) else AccessorRelation.IMMUTABLE


_K = ObjectErrorKind
_A = AccessType
_R = AccessorRelation

#: OBJ-ACCESS-1..5: the access matrix: (access, relation) -> the kind that refuses it, or None
#: when it is allowed. Every cell is a conformance vector.
ACCESS_MATRIX: dict[tuple[AccessType, AccessorRelation], ObjectErrorKind | None] = {
    **{(a, _R.OWNED_BY_SENDER): None for a in AccessType},
    **{(a, _R.OWNED_BY_OTHER): _K.NOT_OWNER for a in AccessType},
    (_A.READ, _R.SHARED): None,
    (_A.WRITE, _R.SHARED): None,
    (_A.TRANSFER, _R.SHARED): _K.SHARED_OBJECT_TRANSFER,
    (_A.DELETE, _R.SHARED): None,
    (_A.FREEZE, _R.SHARED): _K.SHARED_OBJECT_FREEZE,
    (_A.SHARE, _R.SHARED): None,
    (_A.READ, _R.IMMUTABLE): None,
    **{(a, _R.IMMUTABLE): _K.IMMUTABLE_OBJECT_MUTATION for a in AccessType if a != _A.READ},
}


def access_denial(owner: Owner, accessor: bytes, access: AccessType) -> ObjectErrorKind | None:
    """OBJ-ACCESS-1..5: the kind refusing ``access`` by ``accessor`` to an object owned by
    ``owner``, or None when the access matrix allows it."""
    return ACCESS_MATRIX[(access, relation(owner, accessor))]


# --- The canonical record (OBJ-ENC-*) ---------------------------------------------------------

class ObjectRecordError(SuperVMError):
    """OBJ-ENC-1: bytes under an object key are not a canonical object record (a storage
    written by something else than this package)."""


_LIVE, _TOMBSTONE = 0x01, 0x00
_OWNER_ADDRESS, _OWNER_SHARED, _OWNER_IMMUTABLE = 0x00, 0x01, 0x02


def object_key(object_id: bytes) -> bytes:
    """OBJ-ENC-2: the storage key of an object (or of its tombstone)."""
    return OBJECT_PREFIX + object_id


def encode_owner(owner: Owner) -> bytes:
    """OBJ-ENC-1: ``0x00 || address`` | ``0x01 || initial_shared_version (u64 LE)`` | ``0x02``."""
    if isinstance(owner, AddressOwner):
        return bytes([_OWNER_ADDRESS]) + owner.address
    if isinstance(owner, Shared):
        return bytes([_OWNER_SHARED]) + struct.pack("<Q", owner.initial_shared_version)
    return bytes([_OWNER_IMMUTABLE])


def encode_object(obj: ObjectData) -> bytes:
    """OBJ-ENC-1: ``0x01 || version (u64 LE) || owner || len(type_tag) (u16 LE) || type_tag ||
    count (u32 LE) || (len(name) (u32 LE) || name || len(value) (u32 LE) || value)*``, the
    fields in ascending byte order of their names."""
    tag = obj.type_tag.encode("utf-8")
    out = bytearray([_LIVE])
    out += struct.pack("<Q", obj.version) + encode_owner(obj.owner)
    out += struct.pack("<H", len(tag)) + tag + struct.pack("<I", len(obj.state))
    for name, value in sorted(obj.state.items()):
        out += struct.pack("<I", len(name)) + name + struct.pack("<I", len(value)) + value
    return bytes(out)


def encode_tombstone(version: int) -> bytes:
    """OBJ-ENC-1: a deleted object: ``0x00 || version (u64 LE)``, its deletion version."""
    return bytes([_TOMBSTONE]) + struct.pack("<Q", version)


@dataclass(frozen=True, slots=True)
class Tombstone:
    """OBJ-ID-2: what is left of a deleted object: its id and the version it was deleted at."""

    id: bytes
    version: int


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise ObjectRecordError(f"an object record ends early: expected {n} more bytes at "
                                    f"offset {self.pos}, found {len(self.data) - self.pos}")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def u(self, fmt: str, n: int) -> int:
        value: int = struct.unpack(fmt, self.take(n))[0]
        return value


def decode_record(object_id: bytes, data: bytes) -> ObjectData | Tombstone:
    """OBJ-ENC-1: the inverse of `encode_object` and `encode_tombstone`; anything else
    (trailing bytes included) is `ObjectRecordError`."""
    r = _Reader(data)
    try:
        tag_byte = r.take(1)[0]
        if tag_byte == _TOMBSTONE:
            version = r.u("<Q", 8)
            result: ObjectData | Tombstone = Tombstone(object_id, check_version(version))
        elif tag_byte == _LIVE:
            version = r.u("<Q", 8)
            kind = r.take(1)[0]
            owner: Owner
            if kind == _OWNER_ADDRESS:
                owner = AddressOwner(r.take(ID_LENGTH))
            elif kind == _OWNER_SHARED:
                owner = Shared(r.u("<Q", 8))
            elif kind == _OWNER_IMMUTABLE:
                owner = Immutable()
            else:
                raise ObjectRecordError(f"expected an owner tag 0, 1 or 2, found {kind}")
            tag = r.take(r.u("<H", 2)).decode("utf-8")
            state: dict[bytes, bytes] = {}
            for _ in range(r.u("<I", 4)):
                name = r.take(r.u("<I", 4))
                state[name] = r.take(r.u("<I", 4))
            if list(state) != sorted(state) or encode_object(
                    ObjectData(object_id, version, owner, tag, state)) != data:
                raise ObjectRecordError("the record is not in canonical form")
            result = ObjectData(object_id, version, owner, tag, state)
        else:
            raise ObjectRecordError(f"expected a record tag 0 or 1, found {tag_byte}")
    except (InvalidArgumentError, UnicodeDecodeError) as e:
        raise ObjectRecordError(f"object {shown(object_id)}: {e}") from e
    if r.pos != len(data):
        raise ObjectRecordError(f"object {shown(object_id)}: {len(data) - r.pos} trailing bytes")
    return result


__all__ = [
    "ACCESS_MATRIX", "ID_LENGTH", "MAX_VERSION", "OBJECT_PREFIX", "AccessType", "AccessorRelation",
    "AddressOwner", "Immutable", "ObjectData", "ObjectRecordError", "Owner", "OwnershipType",
    "Shared", "Tombstone", "access_denial", "check_id", "check_owner", "check_version",
    "decode_record", "encode_object", "encode_owner", "encode_tombstone", "object_key",
    "ownership_type", "relation", "show_id",
]
