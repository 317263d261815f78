"""Errors of the object model (spec/objects.md, OBJ-ERR-1).

Every rule of spec/objects.md that can be broken has a canonical error kind: a lower-case snake
string, the value of `ObjectErrorKind`. Receipts and fixtures record the kind; `ObjectError`
carries it when the `OwnershipManager` refuses an operation.
"""

from __future__ import annotations

from enum import StrEnum

from ..errors import SuperVMError


class ObjectErrorKind(StrEnum):
    """OBJ-ERR-1: why an object operation or a transaction's input was refused."""

    OBJECT_NOT_FOUND = "object_not_found"
    """OBJ-ID-2: no live object has the id (never created, or deleted)."""
    OBJECT_ALREADY_EXISTS = "object_already_exists"
    """OBJ-ID-2: an id that exists or existed (a tombstone) cannot be created again."""
    NOT_OWNER = "not_owner"
    """OBJ-ACCESS-2: an owned object used by someone other than its owner."""
    IMMUTABLE_OBJECT_MUTATION = "immutable_object_mutation"
    """OBJ-ACCESS-3: a write, transfer, deletion, freeze or share of an immutable object."""
    SHARED_OBJECT_TRANSFER = "shared_object_transfer"
    """OBJ-ACCESS-4: a shared object cannot be transferred."""
    SHARED_OBJECT_FREEZE = "shared_object_freeze"
    """OBJ-ACCESS-4: a shared object cannot be frozen."""
    DUPLICATE_INPUT = "duplicate_input"
    """OBJ-INPUT-2: an object named twice among a transaction's inputs."""
    STALE_OBJECT_VERSION = "stale_object_version"
    """OBJ-INPUT-3: an owned or immutable input names a version older than the current one."""
    OBJECT_VERSION_UNAVAILABLE = "object_version_unavailable"
    """OBJ-INPUT-3: an owned or immutable input names a version newer than the current one."""
    SHARED_VERSION_MISMATCH = "shared_version_mismatch"
    """OBJ-INPUT-4: a shared input names another initial shared version than the object's."""
    INPUT_KIND_MISMATCH = "input_kind_mismatch"
    """OBJ-INPUT-5: an input declared shared is not shared, or one declared owned/immutable
    is shared."""
    IMMUTABLE_INPUT_MUTABLE = "immutable_input_mutable"
    """OBJ-INPUT-6: an immutable object declared as a mutable input."""
    OBJECT_SLOT_UNDECLARED = "object_slot_undeclared"
    """OBJ-STORE-2: a contract or an op used a slot the transaction did not declare."""
    OBJECT_SLOT_READ_ONLY = "object_slot_read_only"
    """OBJ-STORE-3: a write, deletion or op on a slot declared read-only."""
    OBJECT_SLOT_DELETED = "object_slot_deleted"
    """OBJ-OP-2: an op on a slot whose object an earlier op of the transaction deleted."""
    VERSION_OVERFLOW = "version_overflow"
    """OBJ-VERSION-1: the next version would exceed 2**64 - 1."""


class ObjectError(SuperVMError):
    """OBJ-ERR-1: an object operation was refused; ``kind`` is the canonical `ObjectErrorKind`
    and nothing has changed. The message says what was expected and what was found."""

    def __init__(self, kind: ObjectErrorKind, message: str) -> None:
        super().__init__(f"{kind.value}: {message}")
        self.kind = kind
        self.detail = message


__all__ = ["ObjectError", "ObjectErrorKind"]
