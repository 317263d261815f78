"""Executing one transaction over objects (spec/routing.md, ROUTE-EXEC-*; spec/objects.md,
OBJ-INPUT-*, OBJ-STORE-*, OBJ-OP-*, OBJ-VERSION-*).

`execute_in_view` is the whole of a transaction's execution, as a function of a view of the
state (`TxnView`, SCHED-TXN-1): every object it reads and every record it writes goes through
the view, so the fast path (a view over the storage), Block-STM (a view over the multi-version
memory) and the sequential replay run the very same steps:

1. INPUTS -- the input checks (OBJ-INPUT-*); a failure *rejects* the transaction: nothing is
   written;
2. CALL -- the contract call over the slots (OBJ-STORE-*), through `ObjectSlotStorage`;
3. OPS -- transfer, delete, freeze, share of slots (OBJ-OP-*);
4. EFFECTS -- every written object gets the Lamport version (OBJ-VERSION-2). A failure in
   steps 2-3 *fails* the transaction: only its mutable inputs get the new version
   (OBJ-VERSION-4).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum, auto

from ..blockstm.contract import CallingRuntime
from ..blockstm.transaction import TxnView
from ..errors import SuperVMError
from ..objects.errors import ObjectErrorKind
from ..objects.types import (
    MAX_VERSION,
    AccessType,
    AddressOwner,
    Immutable,
    ObjectData,
    Owner,
    Shared,
    Tombstone,
    access_denial,
    decode_record,
    encode_object,
    encode_tombstone,
    object_key,
)
from ..runtime.context import BlockContext
from ..runtime.storage import as_bytes, as_limit, as_writes
from .transaction import OpKind, VmTransaction

K = ObjectErrorKind

#: OBJ-OP-1: the access an op needs (the row of the access matrix).
OP_ACCESS = {OpKind.TRANSFER: AccessType.TRANSFER, OpKind.DELETE: AccessType.DELETE,
             OpKind.FREEZE: AccessType.FREEZE, OpKind.SHARE: AccessType.SHARE}


class ExecutionStatus(StrEnum):
    """ROUTE-EXEC-1: how a transaction ended."""

    SUCCESS = "success"
    """Everything applied."""
    FAILED = "failed"
    """The inputs were accepted, then the call or an op failed: only the mutable inputs'
    versions changed (OBJ-VERSION-4)."""
    REJECTED = "rejected"
    """An input check (or the proof) failed: nothing changed (OBJ-VERSION-5)."""


@dataclass(frozen=True)
class TransactionEffects:
    """ROUTE-EXEC-1: what executing a transaction did: its status, its canonical error kind
    (None on success), the gas its call used (0 without a call), the call's events (only on
    success), and the objects created, mutated and deleted with their new versions, in slot
    order; ``lamport_version`` is the version it gave every object it wrote (None when
    rejected)."""

    status: ExecutionStatus
    error: str | None = None
    gas_used: int = 0
    events: tuple[bytes, ...] = ()
    created: tuple[tuple[bytes, int], ...] = ()
    mutated: tuple[tuple[bytes, int], ...] = ()
    deleted: tuple[tuple[bytes, int], ...] = ()
    lamport_version: int | None = None


def rejected(kind: str) -> TransactionEffects:
    """ROUTE-EXEC-1, OBJ-VERSION-5: a rejection (nothing written)."""
    return TransactionEffects(ExecutionStatus.REJECTED, kind)


# --- Object-scoped storage (OBJ-STORE-*) -------------------------------------------------------

class SlotAccess(StrEnum):
    """OBJ-STORE-1: what a contract may do with a slot."""

    WRITABLE = auto()
    READ_ONLY = auto()
    IMMUTABLE = auto()


class SlotViolation(SuperVMError):
    """OBJ-STORE-2/3: a contract used storage outside what its transaction declared; raised
    inside the call (which then fails), recorded as `ObjectSlotStorage.violation`."""

    def __init__(self, kind: ObjectErrorKind, message: str) -> None:
        super().__init__(f"{kind.value}: {message}")
        self.kind = kind


class ObjectSlotStorage:
    """OBJ-STORE-1..4: the `Storage` a transaction's call runs against. Key byte 0 is a slot
    (the inputs in order, then the created objects), the rest a field name of that object's
    state. A read or scan of an undeclared slot, or a write or deletion of a read-only or
    immutable slot, raises `SlotViolation` and records the first one in ``violation``."""

    def __init__(self, states: list[dict[bytes, bytes]], access: list[SlotAccess]) -> None:
        self.states = states
        self.access = access
        self.violation: ObjectErrorKind | None = None

    def _violate(self, kind: ObjectErrorKind, message: str) -> SlotViolation:
        if self.violation is None:
            self.violation = kind
        return SlotViolation(kind, message)

    def _slot(self, key: bytes, write: bool) -> int:
        if not key or key[0] >= len(self.states):
            raise self._violate(K.OBJECT_SLOT_UNDECLARED,
                                f"expected a key whose first byte is a slot below "
                                f"{len(self.states)}, found {key[:1].hex() or 'an empty key'}")
        slot = key[0]
        if write and self.access[slot] != SlotAccess.WRITABLE:
            kind = (K.IMMUTABLE_OBJECT_MUTATION if self.access[slot] == SlotAccess.IMMUTABLE
                    else K.OBJECT_SLOT_READ_ONLY)
            raise self._violate(kind, f"slot {slot} is {self.access[slot].value}")
        return slot

    def get(self, key: bytes) -> bytes | None:
        """OBJ-STORE-1/2: field ``key[1:]`` of slot ``key[0]``."""
        key = as_bytes(key, "key")
        return self.states[self._slot(key, False)].get(key[1:])

    def scan(self, prefix: bytes, limit: int) -> list[tuple[bytes, bytes]]:
        """OBJ-STORE-1/2: the fields of slot ``prefix[0]`` starting with ``prefix[1:]``; an
        empty prefix spans every slot and is a violation."""
        prefix = as_bytes(prefix, "prefix")
        limit = as_limit(limit)
        slot = self._slot(prefix, False)
        state = self.states[slot]
        names = [n for n in sorted(state) if n.startswith(prefix[1:])]
        return [(bytes([slot]) + n, state[n]) for n in names[:max(limit, 0)]]

    def apply_batch(self, writes: Mapping[bytes, bytes | None]) -> None:
        """OBJ-STORE-3, RT-ATOMIC-3: a successful call's writes, all checked first."""
        batch = as_writes(writes)
        slots = [self._slot(key, True) for key in batch]
        for slot, (key, value) in zip(slots, batch.items()):
            if value is None:
                self.states[slot].pop(key[1:], None)
            else:
                self.states[slot][key[1:]] = value

    def set(self, key: bytes, value: bytes) -> None:
        """OBJ-STORE-3: one write."""
        self.apply_batch({key: value})

    def delete(self, key: bytes) -> None:
        """OBJ-STORE-3: one deletion."""
        self.apply_batch({key: None})


# --- The steps ---------------------------------------------------------------------------------

def read_record(view: TxnView, object_id: bytes) -> ObjectData | Tombstone | None:
    """OBJ-ENC-2: the record of ``object_id`` as the view sees it."""
    data = view.read(object_key(object_id))
    return None if data is None else decode_record(object_id, data)


def check_inputs(view: TxnView, tx: VmTransaction) -> list[ObjectData] | str:
    """OBJ-INPUT-1..6: the input objects in order, or the kind rejecting the transaction.
    Duplicates are checked before anything is read (OBJ-INPUT-2)."""
    ids = [inp.id for inp in tx.inputs]
    if len(set(ids)) != len(ids):
        return K.DUPLICATE_INPUT
    objects: list[ObjectData] = []
    for inp in tx.inputs:
        obj = read_record(view, inp.id)
        if not isinstance(obj, ObjectData):  # OBJ-INPUT-1
            return K.OBJECT_NOT_FOUND
        owner = obj.owner
        if inp.shared != isinstance(owner, Shared):  # OBJ-INPUT-5
            return K.INPUT_KIND_MISMATCH
        if isinstance(owner, Shared):  # OBJ-INPUT-4
            if inp.version != owner.initial_shared_version:
                return K.SHARED_VERSION_MISMATCH
        else:
            if isinstance(owner, AddressOwner) and owner.address != tx.sender:  # OBJ-INPUT-1
                return K.NOT_OWNER
            if isinstance(owner, Immutable) and inp.mutable:  # OBJ-INPUT-6
                return K.IMMUTABLE_INPUT_MUTABLE
            if inp.version < obj.version:  # OBJ-INPUT-3
                return K.STALE_OBJECT_VERSION
            if inp.version > obj.version:
                return K.OBJECT_VERSION_UNAVAILABLE
        objects.append(obj)
    return objects


@dataclass
class _Slot:
    """A slot while the transaction runs: its object (owner and state as changed so far)."""

    id: bytes
    owner: Owner
    type_tag: str
    state: dict[bytes, bytes]
    access: SlotAccess
    deleted: bool = False


class _Failure(SuperVMError):
    """A failure of the CALL or OPS step, carrying its kind; never leaves this module."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def _apply_op(slots: list[_Slot], sender: bytes, kind: OpKind, slot: int,
              recipient: bytes | None, lamport: int) -> None:
    """OBJ-OP-1..3: one op; `_Failure` with its kind when refused."""
    if slot >= len(slots):
        raise _Failure(K.OBJECT_SLOT_UNDECLARED)
    s = slots[slot]
    if s.deleted:
        raise _Failure(K.OBJECT_SLOT_DELETED)
    denial = access_denial(s.owner, sender, OP_ACCESS[kind])  # OBJ-ACCESS-*
    if denial is not None:
        raise _Failure(denial)
    if s.access != SlotAccess.WRITABLE:  # OBJ-OP-2: ops take objects by value
        raise _Failure(K.OBJECT_SLOT_READ_ONLY)
    if kind == OpKind.TRANSFER:
        assert recipient is not None  # ObjectOp guarantees it
        s.owner = AddressOwner(recipient)
    elif kind == OpKind.DELETE:
        s.deleted = True
    elif kind == OpKind.FREEZE:
        s.owner = Immutable()
    elif not isinstance(s.owner, Shared):  # SHARE; re-sharing a shared object changes nothing
        s.owner = Shared(lamport)


def execute_in_view(view: TxnView, tx: VmTransaction, runtime: CallingRuntime,
                    context: BlockContext | None = None) -> TransactionEffects:
    """ROUTE-EXEC-1..3: execute ``tx`` against ``view``: input checks, the call (on
    ``runtime``), the ops, the effects with their Lamport versions. Never raises for anything
    the transaction does."""
    # INPUTS (OBJ-INPUT-*): a failure rejects the transaction, nothing is written.
    inputs = check_inputs(view, tx)
    if isinstance(inputs, str):
        return rejected(inputs)
    created_ids = [tx.created_id(k) for k in range(len(tx.creates))]
    for cid in created_ids:  # OBJ-ID-2
        if view.read(object_key(cid)) is not None:
            return rejected(K.OBJECT_ALREADY_EXISTS)
    lamport = 1 + max((o.version for o in inputs), default=0)  # OBJ-VERSION-2
    if lamport > MAX_VERSION:
        return rejected(K.VERSION_OVERFLOW)

    slots = [_Slot(o.id, o.owner, o.type_tag, dict(o.state),
                   SlotAccess.IMMUTABLE if isinstance(o.owner, Immutable)
                   else SlotAccess.WRITABLE if inp.mutable else SlotAccess.READ_ONLY)
             for o, inp in zip(inputs, tx.inputs)]
    slots += [_Slot(cid, AddressOwner(tx.sender), cr.type_tag, {}, SlotAccess.WRITABLE)
              for cid, cr in zip(created_ids, tx.creates)]
    gas_used = 0
    events: tuple[bytes, ...] = ()
    try:
        # CALL (OBJ-STORE-*): the call's writes reach the slots only if it succeeds.
        if tx.call is not None:
            adapter = ObjectSlotStorage([dict(s.state) for s in slots],
                                        [s.access for s in slots])
            result = runtime.call(tx.call.code, tx.call.function, tx.call.args,
                                  context=context, gas_limit=tx.call.gas_limit, storage=adapter)
            gas_used = result.gas_used
            if adapter.violation is not None:
                raise _Failure(adapter.violation)
            if result.error is not None:
                raise _Failure(result.error.value.lower())  # ROUTE-EXEC-2
            for s, state in zip(slots, adapter.states):
                s.state = state
            events = result.events
        # OPS (OBJ-OP-*).
        for op in tx.ops:
            _apply_op(slots, tx.sender, op.kind, op.slot, op.recipient, lamport)
    except _Failure as f:
        # OBJ-VERSION-4: a failed transaction bumps its mutable inputs and nothing else.
        bumped: list[tuple[bytes, int]] = []
        for obj, inp in zip(inputs, tx.inputs):
            if inp.mutable:
                view.write(object_key(obj.id), encode_object(obj.replace(version=lamport)))
                bumped.append((obj.id, lamport))
        return TransactionEffects(ExecutionStatus.FAILED, f.kind, gas_used, (), (),
                                  tuple(bumped), (), lamport)

    # EFFECTS (OBJ-VERSION-2/3): every written object gets the Lamport version.
    created: list[tuple[bytes, int]] = []
    mutated: list[tuple[bytes, int]] = []
    deleted: list[tuple[bytes, int]] = []
    for i, s in enumerate(slots):
        is_input = i < len(tx.inputs)
        if is_input and s.access != SlotAccess.WRITABLE:
            continue  # read-only and immutable inputs are not written
        key = object_key(s.id)
        if s.deleted:
            view.write(key, encode_tombstone(lamport))
            deleted.append((s.id, lamport))
            continue
        view.write(key, encode_object(ObjectData(s.id, lamport, s.owner, s.type_tag, s.state)))
        (mutated if is_input else created).append((s.id, lamport))
    return TransactionEffects(ExecutionStatus.SUCCESS, None, gas_used, tuple(events),
                              tuple(created), tuple(mutated), tuple(deleted), lamport)


__all__ = ["ExecutionStatus", "ObjectSlotStorage", "SlotAccess", "SlotViolation",
           "TransactionEffects", "check_inputs", "execute_in_view", "read_record", "rejected"]
