"""Executing one incarnation: the paper's ``VM.execute`` (spec/scheduling.md, SCHED-VM-*).

A read of a location the incarnation wrote itself returns its own value. Any other read asks
the multi-version memory: a *version* (recorded in the read set with its version), *storage*
(recorded as read from storage) or a *dependency* on an ESTIMATE, which stops the execution. A
scan asks the memory for a prefix range the same way (SCHED-MEM-8). Writes are buffered; the
finished execution gives the transaction's outcome, its write set and its read set.

The body runs *once* per incarnation, as a coroutine (`coroutine.py`) suspended at each outside
access: `start` and `resume` run it up to its next request, `perform` makes that request as one
step of the worker (SCHED-WORKER-2), and `abandon` unwinds it when the execution stops on a
dependency. Neither the body nor the engine running inside it knows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..errors import shown
from .coroutine import NEEDS_OWN_THREAD, Ask, BodyCoroutine, Finished, Raise, body_coroutine
from .errors import InvalidAccess, InvariantViolated, StoreFailed
from .mv_memory import (
    AccessDescriptor,
    MVMemory,
    ReadDependency,
    ReadDescriptor,
    ReadVersion,
    ScanDescriptor,
    StorageScan,
)
from .transaction import Entries, Key, MaybeValue, RecordingView, Transaction, TxnOutcome, run_body


@dataclass(frozen=True)
class ReadRequest:
    """The body asks for the value of ``key`` before the transaction (SCHED-VM-2)."""

    key: Key


@dataclass(frozen=True)
class ScanRequest:
    """The body asks for up to ``limit`` entries under ``prefix`` before the transaction
    (SCHED-VM-2, SCHED-MEM-8)."""

    prefix: Key
    limit: int


Request = ReadRequest | ScanRequest


@dataclass(frozen=True)
class BlockStore:
    """The store a block reads, as the executor uses it: ``get`` and ``scan`` (None when the
    store has none: a scan then fails its transaction with `InvalidAccess`). A failure of the
    store is `StoreFailed` (SCHED-RESULT-2), never the transaction's."""

    get: Callable[[Key], MaybeValue]
    scan: StorageScan | None

    @classmethod
    def of(cls, store: object) -> BlockStore:
        """The executor's access to ``store`` (checked by `check_store`)."""
        get = store.get  # type: ignore[attr-defined]
        scan = getattr(store, "scan", None)

        def checked_get(key: Key) -> MaybeValue:
            try:
                value = get(key)
            except Exception as e:
                raise StoreFailed("get", e) from e
            if value is not None and not isinstance(value, bytes):
                raise StoreFailed("get", TypeError(f"get returned a {type(value).__name__}"))
            return value

        def checked_scan(prefix: Key, limit: int) -> list[tuple[Key, bytes]]:
            try:
                entries = list(scan(prefix, limit))  # type: ignore[misc]
            except Exception as e:
                raise StoreFailed("scan", e) from e
            if not all(isinstance(e, tuple) and len(e) == 2 and isinstance(e[0], bytes)
                       and isinstance(e[1], bytes) for e in entries):
                raise StoreFailed("scan", TypeError("scan returned something other than "
                                                    "(bytes, bytes) pairs"))
            return entries

        return cls(checked_get, checked_scan if callable(scan) else None)


class VmExecution:
    """``VM.execute(txn_idx)`` for one incarnation: the body run once, one outside access at a
    time (SCHED-VM-1)."""

    def __init__(self, txn: Transaction, txn_idx: int, memory: MVMemory, store: BlockStore,
                 own_thread: bool = False) -> None:
        self.txn = txn
        self.txn_idx = txn_idx
        self.memory = memory
        self.store = store
        #: Whether the body runs on an OS thread of its own: asked for (SCHED-TXN-4), known
        #: from an earlier incarnation, or found out during this one (RT-BACKEND-3).
        self.own_thread = own_thread or txn.own_thread
        self._coroutine: BodyCoroutine = body_coroutine(self._run, self.own_thread)
        self._read_set: list[AccessDescriptor] = []
        self._answer: object = None

    def _run(self, ask: Ask) -> TxnOutcome:
        """The body on a view whose outside accesses are requests to the worker."""
        def outside(key: Key) -> MaybeValue:
            value: MaybeValue = ask(ReadRequest(key))
            return value

        def outside_scan(prefix: Key, limit: int) -> Entries:
            entries: Entries = ask(ScanRequest(prefix, limit))
            return entries

        return run_body(self.txn, RecordingView(outside, outside_scan))

    def start(self) -> Request | TxnOutcome:
        """SCHED-VM-1: run the body up to its first outside access (or its end). Touches no
        shared state."""
        return self._next(self._coroutine.start())

    def resume(self) -> Request | TxnOutcome:
        """SCHED-VM-1: give the body the answer of the last `perform` and run it up to its next
        outside access (or its end). Touches no shared state."""
        return self._next(self._coroutine.send(self._answer))

    def _next(self, result: object) -> Request | TxnOutcome:
        if result is NEEDS_OWN_THREAD:
            # SCHED-VM-1, RT-BACKEND-3: the body was about to run native code on a greenlet;
            # it has unwound. Run it again from the start on a thread of its own (the accesses
            # made so far are made again).
            self.own_thread = True
            self._read_set.clear()
            self._coroutine = body_coroutine(self._run, True)
            return self._next(self._coroutine.start())
        if isinstance(result, Finished):
            outcome = result.outcome
            if not isinstance(outcome, TxnOutcome):  # pragma: no cover - run_body's result
                raise InvariantViolated("a body run must end with a TxnOutcome")
            return outcome
        if not isinstance(result, ReadRequest | ScanRequest):  # pragma: no cover
            raise InvariantViolated(f"unexpected request {shown(result, 80)}")
        return result

    def perform(self, request: Request) -> int | None:
        """SCHED-VM-2: one access of the multi-version memory (one step). A version or storage
        read, or a scan's entries, is recorded in the read set and kept as the answer for
        `resume`; a dependency returns the blocking transaction's index (nothing recorded: the
        execution stops, `abandon`). A store failure raises `StoreFailed`."""
        if isinstance(request, ReadRequest):
            result = self.memory.read(request.key, self.txn_idx)
            if isinstance(result, ReadDependency):
                return result.blocking_txn_idx
            if isinstance(result, ReadVersion):
                self._read_set.append(ReadDescriptor(request.key, result.version))
                self._answer = result.value
            else:
                self._read_set.append(ReadDescriptor(request.key, None))
                self._answer = self.store.get(request.key)
            return None
        if self.store.scan is None:
            self._answer = Raise(InvalidAccess("the store of this batch has no scan"))
            return None
        scan = self.memory.scan(request.prefix, request.limit, self.txn_idx, self.store.scan)
        if isinstance(scan, ReadDependency):
            return scan.blocking_txn_idx
        self._read_set.append(ScanDescriptor(request.prefix, request.limit,
                                             tuple((k, v) for k, _, v in scan.entries)))
        self._answer = tuple((k, value) for k, value, _ in scan.entries)
        return None

    def abandon(self) -> None:
        """SCHED-VM-2: the execution stopped on a dependency (or its worker is stopping):
        unwind the suspended body."""
        self._coroutine.abandon()

    def read_set(self) -> tuple[AccessDescriptor, ...]:
        """SCHED-VM-1: the read set of the execution: every memory access with its version
        (None: storage), in order."""
        return tuple(self._read_set)
