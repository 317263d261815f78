"""The transaction interface (spec/scheduling.md, rules SCHED-TXN-*).

A transaction is a function of a *view*: it reads keys, writes and deletes keys through the view,
and returns an output. Every read through the view is recorded with the value it returned. If
the body raises, the transaction *fails*: its output is a `TxnFailure` and its writes are
discarded, exactly as in sequential execution. Keys and values are byte strings, like the
storage the batch runs against (RT-STORAGE-1); a deletion is written as the value ``None``.

The same view class serves the sequential baseline (reads go to the state built so far) and
Block-STM (reads go to the multi-version memory), so both execute a body identically.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from .errors import InvalidAccess, InvalidArgument

Key = bytes
#: A value, or None for "absent" (read) and "delete" (write).
MaybeValue = bytes | None

#: The execution cost a transaction declares when it gives none (SCHED-TXN-4).
DEFAULT_GAS = 1


class TxnView(Protocol):
    """What a transaction body sees (SCHED-TXN-1)."""

    def read(self, key: Key) -> MaybeValue:
        """The value of ``key``, or None when absent."""
        ...

    def write(self, key: Key, value: bytes) -> None:
        """Set ``key`` to ``value``."""
        ...

    def delete(self, key: Key) -> None:
        """Remove ``key``."""
        ...


#: A transaction body: a deterministic function of the values it reads (SCHED-TXN-2).
Body = Callable[[TxnView], object]


@dataclass(frozen=True)
class Transaction:
    """One transaction of a block (SCHED-TXN-1, SCHED-TXN-4): its body, the gas one execution
    of it costs (the simulator's execution cost, SCHED-SIM-2) and a label for reports."""

    body: Body
    gas: int = DEFAULT_GAS
    label: str = ""


@dataclass(frozen=True)
class TxnFailure:
    """The output of a failed transaction (SCHED-TXN-3): the exception's class name and
    message. A value, so two runs that fail the same way compare equal."""

    kind: str
    message: str


@dataclass(frozen=True)
class ReadRecord:
    """One read through the view and the value it returned (SCHED-TXN-1)."""

    key: Key
    value: MaybeValue


@dataclass(frozen=True)
class TxnOutcome:
    """What one execution of a body produced (SCHED-TXN-1, SCHED-TXN-3).

    ``write_set`` holds the last value written to each key, in order of first write, and is
    empty when the body failed. ``reads`` are all reads in order, including reads answered
    from the transaction's own writes; ``outside_reads`` are the keys of the reads that were
    not (the transaction's read-after-write dependencies, used by SCHED-BENCH-2)."""

    output: object
    write_set: tuple[tuple[Key, MaybeValue], ...]
    reads: tuple[ReadRecord, ...]
    outside_reads: tuple[Key, ...]
    failed: bool


def check_key(key: object) -> Key:
    """SCHED-TXN-1: a key is a byte string (bytearray and memoryview are copied to bytes)."""
    if isinstance(key, bytes):
        return key
    if isinstance(key, bytearray | memoryview):
        return bytes(key)
    raise InvalidAccess(f"a key must be bytes, found {type(key).__name__}")


def check_value(value: object) -> bytes:
    """SCHED-TXN-1: a written value is a byte string (use ``delete`` to remove a key)."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    raise InvalidAccess(f"a value must be bytes, found {type(value).__name__}")


@dataclass
class RecordingView:
    """The view of one execution (SCHED-TXN-1): writes go to a private buffer; a read of a key
    this execution wrote returns the buffered value, any other read asks ``outside`` (the state
    before the transaction, however the executor provides it). Every read is recorded."""

    outside: Callable[[Key], MaybeValue]
    writes: dict[Key, MaybeValue] = field(default_factory=dict)
    reads: list[ReadRecord] = field(default_factory=list)
    outside_reads: list[Key] = field(default_factory=list)

    def read(self, key: Key) -> MaybeValue:
        """SCHED-TXN-1: own writes first, then the outside; the read is recorded."""
        key = check_key(key)
        if key in self.writes:
            value = self.writes[key]
        else:
            value = self.outside(key)
            self.outside_reads.append(key)
        self.reads.append(ReadRecord(key, value))
        return value

    def write(self, key: Key, value: bytes) -> None:
        """SCHED-TXN-1: buffer ``key := value``."""
        self.writes[check_key(key)] = check_value(value)

    def delete(self, key: Key) -> None:
        """SCHED-TXN-1: buffer the deletion of ``key``."""
        self.writes[check_key(key)] = None


def run_body(txn: Transaction, view: RecordingView) -> TxnOutcome:
    """Run ``txn``'s body on ``view`` (SCHED-TXN-1, SCHED-TXN-3).

    An ``Exception`` from the body is the transaction's failure: the output is a `TxnFailure`
    and the write set is empty, but the reads stay recorded (the failure may depend on them).
    A ``BaseException`` that is not an ``Exception`` (the executor's control signals,
    KeyboardInterrupt) passes through.
    """
    try:
        output = txn.body(view)
    except Exception as e:  # any failure of the body is its output (SCHED-TXN-3)
        return TxnOutcome(TxnFailure(type(e).__name__, str(e)), (), tuple(view.reads),
                          tuple(view.outside_reads), True)
    return TxnOutcome(output, tuple(view.writes.items()), tuple(view.reads),
                      tuple(view.outside_reads), False)


def normalize_transactions(transactions: Iterable[object]) -> tuple[Transaction, ...]:
    """The block as `Transaction`s (SCHED-API-1, SCHED-API-3). Accepted items: a `Transaction`;
    a plain callable (gas `DEFAULT_GAS`); or the seed's ``(id, callable)`` pair, the id becoming
    the label. Anything else, or a negative or non-integer gas, is `InvalidArgument`."""
    if isinstance(transactions, str | bytes) or not isinstance(transactions, Iterable):
        raise InvalidArgument(f"transactions must be a sequence, found "
                              f"{type(transactions).__name__}")
    block: list[Transaction] = []
    for i, item in enumerate(transactions):
        if isinstance(item, Transaction):
            txn = item
        elif callable(item):
            txn = Transaction(item)
        elif (isinstance(item, Sequence) and not isinstance(item, str | bytes) and len(item) == 2
              and callable(item[1])):
            txn = Transaction(item[1], label=str(item[0]))
        else:
            raise InvalidArgument(f"transaction {i}: expected a Transaction, a callable or an "
                                  f"(id, callable) pair, found {type(item).__name__}")
        if not callable(txn.body):
            raise InvalidArgument(f"transaction {i}: the body is not callable")
        if isinstance(txn.gas, bool) or not isinstance(txn.gas, int) or txn.gas < 0:
            raise InvalidArgument(f"transaction {i}: gas must be a non-negative integer, "
                                  f"found {txn.gas!r}")
        block.append(txn)
    return tuple(block)
