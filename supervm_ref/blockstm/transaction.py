"""The transaction interface (spec/scheduling.md, rules SCHED-TXN-*).

A transaction is a function of a *view*: it reads keys, scans prefixes, writes and deletes keys
through the view, and returns an output. Every read and scan through the view is recorded with
what it returned. If
the body raises, the transaction *fails*: its output is a `TxnFailure` and its writes are
discarded, exactly as in sequential execution. Keys and values are byte strings, like the
storage the batch runs against (RT-STORAGE-1); a deletion is written as the value ``None``.

The same view class serves the sequential baseline (reads go to the state built so far) and
Block-STM (reads go to the multi-version memory), so both execute a body identically.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ..errors import shown
from .errors import InvalidAccess, InvalidArgument

Key = bytes
#: A value, or None for "absent" (read) and "delete" (write).
MaybeValue = bytes | None

#: The execution cost a transaction declares when it gives none (SCHED-TXN-4).
DEFAULT_GAS = 1
#: SCHED-TXN-4: the largest execution cost a transaction may declare.
MAX_GAS = (1 << 64) - 1


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

    def scan(self, prefix: Key, limit: int) -> list[tuple[Key, bytes]]:
        """Up to ``limit`` entries whose key starts with ``prefix``, in ascending key order
        (RT-STORAGE-2)."""
        ...


#: A scan's entries: (key, value) pairs in ascending key order.
Entries = tuple[tuple[Key, bytes], ...]

#: A transaction body: a deterministic function of the values it reads (SCHED-TXN-2).
Body = Callable[[TxnView], object]


@dataclass(frozen=True)
class Transaction:
    """One transaction of a block (SCHED-TXN-1, SCHED-TXN-4): its body, the gas one execution
    of it costs (the simulator's execution cost, SCHED-SIM-2), a label for reports, and whether
    its body must run on an OS thread of its own when suspended (SCHED-VM-1: bodies that run
    native code keeping per-thread state, like a wasmtime call)."""

    body: Body
    gas: int = DEFAULT_GAS
    label: str = ""
    own_thread: bool = False


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
class ScanRecord:
    """One scan through the view and the entries it returned (SCHED-TXN-1)."""

    prefix: Key
    limit: int
    entries: Entries


#: A read or a scan, as recorded.
Access = ReadRecord | ScanRecord


@dataclass(frozen=True)
class TxnOutcome:
    """What one execution of a body produced (SCHED-TXN-1, SCHED-TXN-3).

    ``write_set`` holds the last value written to each key, in order of first write, and is
    empty when the body failed. ``reads`` are all reads and scans in order, including reads
    answered from the transaction's own writes; ``outside_reads`` are the keys of the reads
    that were not (the transaction's read-after-write dependencies, used by SCHED-BENCH-2;
    scans are not counted there)."""

    output: object
    write_set: tuple[tuple[Key, MaybeValue], ...]
    reads: tuple[Access, ...]
    outside_reads: tuple[Key, ...]
    failed: bool


def _copied(data: bytearray | memoryview, what: str) -> bytes:
    try:
        return bytes(data)
    except ValueError:  # a released memoryview
        raise InvalidAccess(f"a {what} must be bytes, found a released memoryview") from None


def check_key(key: object) -> Key:
    """SCHED-TXN-1: a key is a byte string (bytearray and memoryview are copied to bytes)."""
    if isinstance(key, bytes):
        return key
    if isinstance(key, bytearray | memoryview):
        return _copied(key, "key")
    raise InvalidAccess(f"a key must be bytes, found {type(key).__name__}")


def check_limit(limit: object) -> int:
    """SCHED-TXN-1: a scan limit is an ``int`` (not a ``bool``); 0 or less returns nothing."""
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise InvalidAccess(f"a scan limit must be an integer, found {type(limit).__name__}")
    return limit


def check_value(value: object) -> bytes:
    """SCHED-TXN-1: a written value is a byte string (use ``delete`` to remove a key)."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, bytearray | memoryview):
        return _copied(value, "value")
    raise InvalidAccess(f"a value must be bytes, found {type(value).__name__}")


def _no_scan(prefix: Key, limit: int) -> Entries:
    """The ``outside_scan`` of a view whose executor offers no scan."""
    raise InvalidAccess("this view has no scan")


@dataclass
class RecordingView:
    """The view of one execution (SCHED-TXN-1): writes go to a private buffer; a read of a key
    this execution wrote returns the buffered value, any other read asks ``outside`` (the state
    before the transaction, however the executor provides it); a scan merges the buffer over
    ``outside_scan`` of the same prefix. Every read and scan is recorded."""

    outside: Callable[[Key], MaybeValue]
    outside_scan: Callable[[Key, int], Entries] = field(default=lambda p, n: _no_scan(p, n))
    writes: dict[Key, MaybeValue] = field(default_factory=dict)
    reads: list[Access] = field(default_factory=list)
    outside_reads: list[Key] = field(default_factory=list)
    #: SCHED-TXN-1: the thread the body runs on, the only one that may use the view.
    thread: int = field(default_factory=threading.get_ident)

    def _check_thread(self) -> None:
        if threading.get_ident() != self.thread:
            raise InvalidAccess("a transaction's view may be used only on the thread that "
                                "runs its body")

    def read(self, key: Key) -> MaybeValue:
        """SCHED-TXN-1: own writes first, then the outside; the read is recorded."""
        self._check_thread()
        key = check_key(key)
        if key in self.writes:
            value = self.writes[key]
        else:
            value = self.outside(key)
            self.outside_reads.append(key)
        self.reads.append(ReadRecord(key, value))
        return value

    def scan(self, prefix: Key, limit: int) -> list[tuple[Key, bytes]]:
        """SCHED-TXN-1: the first ``limit`` live entries under ``prefix`` in key order: the
        outside's entries with the execution's own writes and deletions over them. Each own
        write under the prefix can hide at most one outside entry, so the outside is asked for
        ``limit`` plus that many. The scan is recorded."""
        self._check_thread()
        prefix = check_key(prefix)
        limit = check_limit(limit)
        own = {k: v for k, v in self.writes.items() if k.startswith(prefix)}
        entries = merge_scan(own, prefix, limit, self.outside_scan)
        self.reads.append(ScanRecord(prefix, limit, entries))
        return list(entries)

    def write(self, key: Key, value: bytes) -> None:
        """SCHED-TXN-1: buffer ``key := value``."""
        self._check_thread()
        key = check_key(key)
        self.writes[key] = check_value(value)

    def delete(self, key: Key) -> None:
        """SCHED-TXN-1: buffer the deletion of ``key``."""
        self._check_thread()
        self.writes[check_key(key)] = None


def merge_scan(upper: Mapping[Key, MaybeValue], prefix: Key, limit: int,
               below: Callable[[Key, int], Sequence[tuple[Key, bytes]]]) -> Entries:
    """RT-STORAGE-2 over two layers: the first ``limit`` live entries under ``prefix`` of
    ``upper`` (the upper layer's keys under the prefix, each a value or None for deleted) over
    ``below``, which is asked for ``limit`` plus ``len(upper)`` entries (each upper key can
    hide one entry below). A limit of 0 or less asks nothing and returns nothing."""
    if limit <= 0:
        return ()
    merged: dict[Key, MaybeValue] = dict(below(prefix, limit + len(upper)))
    merged.update(upper)
    return tuple(sorted((k, v) for k, v in merged.items() if v is not None))[:limit]


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
        return TxnOutcome(TxnFailure(type(e).__name__, _message(e)), (), tuple(view.reads),
                          tuple(view.outside_reads), True)
    return TxnOutcome(output, tuple(view.writes.items()), tuple(view.reads),
                      tuple(view.outside_reads), False)


def _message(e: Exception) -> str:
    """The message of a body's exception (one whose ``__str__`` fails still gets one)."""
    try:
        return str(e)
    except Exception:
        return f"<{type(e).__name__} with an unprintable message>"


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
        if isinstance(txn.gas, bool) or not isinstance(txn.gas, int) \
                or not 0 <= txn.gas <= MAX_GAS:
            raise InvalidArgument(f"transaction {i}: gas must be an integer in [0, 2**64 - 1], "
                                  f"found {shown(txn.gas, 40)}")
        if not isinstance(txn.own_thread, bool):
            raise InvalidArgument(f"transaction {i}: own_thread must be a bool, found "
                                  f"{type(txn.own_thread).__name__}")
        block.append(txn)
    return tuple(block)
