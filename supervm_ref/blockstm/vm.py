"""Executing one incarnation: the paper's ``VM.execute`` (spec/scheduling.md, SCHED-VM-*).

A read of a location the incarnation wrote itself returns its own value. Any other read asks
the multi-version memory: a *version* (recorded in the read set with its version), *storage*
(recorded as read from storage) or a *dependency* on an ESTIMATE, which stops the execution.
Writes are buffered; the finished execution gives the transaction's outcome, its write set and
its read set.

A transaction body is an ordinary Python function, yet each memory read must be a step of its
own so that other workers can act between two reads (SCHED-WORKER-2). `VmExecution` therefore
runs the body *from the start* each time, answering the reads made so far from what the memory
returned, until the body either finishes or asks for a read not yet made; the worker then makes
that read as one step and runs the body again. This is sound because a body is a deterministic
function of the values it reads (SCHED-TXN-2) -- the same assumption Block-STM itself makes;
a body that asks for different keys on a replay is rejected (`NondeterministicTransaction`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .errors import NondeterministicTransaction
from .mv_memory import MVMemory, ReadDependency, ReadDescriptor, ReadVersion
from .transaction import Key, MaybeValue, RecordingView, Transaction, TxnOutcome, run_body


class PendingRead(BaseException):
    """Control signal: the body asked for a read that this run cannot answer yet. A
    ``BaseException``, so that a body's ``except Exception`` cannot swallow it."""

    def __init__(self, key: Key) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class _Answer:
    """A memory read made for this incarnation: its location, value and read-set entry."""

    key: Key
    value: MaybeValue
    descriptor: ReadDescriptor


class VmExecution:
    """``VM.execute(txn_idx)`` for one incarnation, advanced one memory read at a time
    (SCHED-VM-1)."""

    def __init__(self, txn: Transaction, txn_idx: int, memory: MVMemory,
                 storage_get: Callable[[Key], MaybeValue]) -> None:
        self.txn = txn
        self.txn_idx = txn_idx
        self.memory = memory
        self.storage_get = storage_get
        self._answers: list[_Answer] = []
        self._replayed = 0
        self._misbehaved: str | None = None

    def run_until_read(self) -> Key | TxnOutcome:
        """SCHED-VM-1: run the body from the start with the reads made so far; return the key of
        the next read it needs from the memory, or its outcome when it finished. Touches no
        shared state."""
        self._replayed = 0
        self._misbehaved = None
        view = RecordingView(outside=self._answer)
        try:
            outcome = run_body(self.txn, view)
        except PendingRead as pending:
            if self._misbehaved is not None:
                raise NondeterministicTransaction(self._misbehaved) from None
            return pending.key
        if self._misbehaved is not None:
            raise NondeterministicTransaction(self._misbehaved)
        if self._replayed != len(self._answers):
            raise NondeterministicTransaction(
                f"transaction {self.txn_idx} made {self._replayed} reads on a replay after "
                f"{len(self._answers)} on the run before")
        return outcome

    def _answer(self, key: Key) -> MaybeValue:
        """The view's ``outside``: the next recorded answer, or a `PendingRead`."""
        if self._replayed < len(self._answers):
            answer = self._answers[self._replayed]
            if answer.key != key:
                self._misbehaved = (f"transaction {self.txn_idx} read {key!r} as read number "
                                    f"{self._replayed} on a replay, {answer.key!r} before")
                raise PendingRead(key)
            self._replayed += 1
            return answer.value
        if self._replayed > len(self._answers):
            self._misbehaved = f"transaction {self.txn_idx} swallowed the executor's signal"
        self._replayed += 1
        raise PendingRead(key)

    def read(self, key: Key) -> int | None:
        """SCHED-VM-2: one read of ``key`` from the multi-version memory (one step). A version
        or storage read is recorded for the next run; a dependency returns the blocking
        transaction's index and ends the execution."""
        result = self.memory.read(key, self.txn_idx)
        if isinstance(result, ReadDependency):
            return result.blocking_txn_idx
        if isinstance(result, ReadVersion):
            answer = _Answer(key, result.value, ReadDescriptor(key, result.version))
        else:
            answer = _Answer(key, self.storage_get(key), ReadDescriptor(key, None))
        self._answers.append(answer)
        return None

    def read_set(self) -> tuple[ReadDescriptor, ...]:
        """SCHED-VM-1: the read set of the execution: every memory read with its version
        (None: storage), in order."""
        return tuple(a.descriptor for a in self._answers)
