"""The collaborative scheduler of Block-STM (spec/scheduling.md, rules SCHED-STATUS-*,
SCHED-SCHED-*).

Two shared indices hand out work lowest-index-first: ``execution_idx`` (the next transaction to
try to execute) and ``validation_idx`` (the next one to validate). Aborts and dependencies
*decrease* them, re-sweeping higher transactions; ``decrease_cnt`` counts decreases so that
``check_done`` can tell a stable "nothing left" from a racing decrease, and ``num_active_tasks``
counts tasks handed out and not yet finished. Each transaction has a status (incarnation
number, one of READY_TO_EXECUTE / EXECUTING / EXECUTED / ABORTING) under its own lock, and a
set of transactions waiting for it (``txn_dependency``), under another lock.

The code follows the paper's Algorithms 4 and 5 function by function. Each public method is
one scheduler action: the simulator runs one per step (SCHED-WORKER-2); on real threads the
locks and atomic counters below give the atomicity the paper assumes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import Enum

from ..errors import shown
from .errors import InvalidArgument, InvariantViolated
from .mv_memory import TxnVersion


class TaskKind(Enum):
    """What a worker is asked to do with a version (SCHED-SCHED-1)."""

    EXECUTION = "execution"
    VALIDATION = "validation"


@dataclass(frozen=True)
class SchedulerTask:
    """A task: execute or validate ``version`` (SCHED-SCHED-1)."""

    kind: TaskKind
    version: TxnVersion


class Status(Enum):
    """The status of a transaction's current incarnation (SCHED-STATUS-1)."""

    READY_TO_EXECUTE = "READY_TO_EXECUTE"
    EXECUTING = "EXECUTING"
    EXECUTED = "EXECUTED"
    ABORTING = "ABORTING"


class AtomicCounter:
    """An atomic integer (the paper's atomic variables): every operation is indivisible."""

    def __init__(self, value: int = 0) -> None:
        self._value = value
        self._lock = threading.Lock()

    def load(self) -> int:
        """The current value (reading one reference is atomic in CPython: no lock needed)."""
        return self._value

    def fetch_and_increment(self) -> int:
        """Add one; return the value before."""
        with self._lock:
            value = self._value
            self._value = value + 1
            return value

    def add(self, amount: int) -> None:
        """Add ``amount``."""
        with self._lock:
            self._value += amount

    def increment(self) -> None:
        """Add one."""
        with self._lock:
            self._value += 1

    def decrement(self) -> None:
        """Subtract one."""
        with self._lock:
            self._value -= 1

    def store_min(self, target: int) -> None:
        """Lower the value to ``target`` if it is higher."""
        with self._lock:
            self._value = min(self._value, target)


class _TxnStatus:
    """``txn_status[i]``: (incarnation number, status) under a lock (SCHED-STATUS-1)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.incarnation = 0
        self.status = Status.READY_TO_EXECUTE


class _TxnDependency:
    """``txn_dependency[i]``: the transactions waiting for ``i`` to execute, under a lock
    (SCHED-SCHED-6)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.waiting: set[int] = set()


class Scheduler:
    """The scheduler of one block of ``block_size`` transactions (SCHED-SCHED-1)."""

    def __init__(self, block_size: int) -> None:
        if isinstance(block_size, bool) or not isinstance(block_size, int) or block_size < 0:
            raise InvalidArgument(f"block size must be a non-negative integer, "
                                  f"found {shown(block_size)}")
        self.block_size = block_size
        self.execution_idx = AtomicCounter(0)
        self.validation_idx = AtomicCounter(0)
        self.decrease_cnt = AtomicCounter(0)
        self.num_active_tasks = AtomicCounter(0)
        self.done_marker = False
        self._txn_status = [_TxnStatus() for _ in range(block_size)]
        self._txn_dependency = [_TxnDependency() for _ in range(block_size)]
        # Counts status transitions; only `progress_marker` reads it (for the simulator).
        self._status_changes = AtomicCounter(0)

    # --- statuses (SCHED-STATUS-1) ----------------------------------------------------------------

    def _transition(self, txn_idx: int, expected: Status, new: Status) -> None:
        """Move ``txn_idx`` from ``expected`` to ``new``; the caller holds the status lock.
        Any other current status breaks SCHED-STATUS-1."""
        entry = self._txn_status[txn_idx]
        if entry.status is not expected:
            raise InvariantViolated(f"transaction {txn_idx} (incarnation {entry.incarnation}) "
                                    f"is {entry.status.value}, expected {expected.value} "
                                    f"before {new.value}")
        entry.status = new
        self._status_changes.increment()

    def status(self, txn_idx: int) -> tuple[int, Status]:
        """SCHED-STATUS-1: (incarnation number, status) of ``txn_idx``."""
        entry = self._txn_status[txn_idx]
        with entry.lock:
            return entry.incarnation, entry.status

    # --- the indices and the end of the block (SCHED-SCHED-2, SCHED-SCHED-8) --------------------

    def decrease_execution_idx(self, target_idx: int) -> None:
        """SCHED-SCHED-2: ``execution_idx := min(execution_idx, target_idx)``; count it."""
        self.execution_idx.store_min(target_idx)
        self.decrease_cnt.increment()

    def decrease_validation_idx(self, target_idx: int) -> None:
        """SCHED-SCHED-2: ``validation_idx := min(validation_idx, target_idx)``; count it."""
        self.validation_idx.store_min(target_idx)
        self.decrease_cnt.increment()

    def done(self) -> bool:
        """SCHED-SCHED-8: whether the block is finished."""
        return self.done_marker

    def halt(self) -> None:
        """SCHED-THREADS-1: stop every worker now (a worker thread crashed); the block's
        result is then not used."""
        self.done_marker = True

    def check_done(self) -> None:
        """SCHED-SCHED-8: set the done marker when both indices are past the block, no task is
        active, and no decrease happened while looking (``decrease_cnt`` read before and
        after)."""
        observed_cnt = self.decrease_cnt.load()
        if (min(self.execution_idx.load(), self.validation_idx.load()) >= self.block_size
                and self.num_active_tasks.load() == 0
                and observed_cnt == self.decrease_cnt.load()):
            self.done_marker = True

    # --- handing out tasks (SCHED-SCHED-3, SCHED-SCHED-4) -------------------------------------

    def try_incarnate(self, txn_idx: int) -> TxnVersion | None:
        """SCHED-SCHED-4: if ``txn_idx`` is in the block and READY_TO_EXECUTE, make it EXECUTING
        and return its version; otherwise None. (The caller settles ``num_active_tasks``.)"""
        if txn_idx < self.block_size:
            entry = self._txn_status[txn_idx]
            with entry.lock:
                if entry.status is Status.READY_TO_EXECUTE:
                    self._transition(txn_idx, Status.READY_TO_EXECUTE, Status.EXECUTING)
                    return TxnVersion(txn_idx, entry.incarnation)
        return None

    def next_version_to_execute(self) -> TxnVersion | None:
        """SCHED-SCHED-3: take the transaction at ``execution_idx`` (incrementing it) and try to
        incarnate it; None when the index is past the block (then check for the end) or the
        transaction is not ready."""
        if self.execution_idx.load() >= self.block_size:
            self.check_done()
            return None
        self.num_active_tasks.increment()
        idx_to_execute = self.execution_idx.fetch_and_increment()
        version = self.try_incarnate(idx_to_execute)
        if version is None:
            self.num_active_tasks.decrement()
        return version

    def next_version_to_validate(self) -> TxnVersion | None:
        """SCHED-SCHED-3: take the transaction at ``validation_idx`` (incrementing it); its
        version when it is EXECUTED, None otherwise (or past the block: check for the end)."""
        if self.validation_idx.load() >= self.block_size:
            self.check_done()
            return None
        self.num_active_tasks.increment()
        idx_to_validate = self.validation_idx.fetch_and_increment()
        if idx_to_validate < self.block_size:
            entry = self._txn_status[idx_to_validate]
            with entry.lock:
                if entry.status is Status.EXECUTED:
                    return TxnVersion(idx_to_validate, entry.incarnation)
        self.num_active_tasks.decrement()
        return None

    def next_task(self) -> SchedulerTask | None:
        """SCHED-SCHED-3: a validation task while ``validation_idx < execution_idx``, otherwise an
        execution task -- always the lowest index first; None when there is none right now."""
        if self.validation_idx.load() < self.execution_idx.load():
            version = self.next_version_to_validate()
            if version is not None:
                return SchedulerTask(TaskKind.VALIDATION, version)
        else:
            version = self.next_version_to_execute()
            if version is not None:
                return SchedulerTask(TaskKind.EXECUTION, version)
        return None

    # --- dependencies (SCHED-SCHED-6) -------------------------------------------------------------

    def add_dependency(self, txn_idx: int, blocking_txn_idx: int) -> bool:
        """SCHED-SCHED-6: ``txn_idx`` read an ESTIMATE of ``blocking_txn_idx``. If the blocking
        transaction is EXECUTED already, return False (the caller re-executes at once).
        Otherwise ``txn_idx`` becomes ABORTING, waits in ``txn_dependency[blocking_txn_idx]``,
        its execution task ends, and True is returned."""
        dependency = self._txn_dependency[blocking_txn_idx]
        with dependency.lock:
            blocking = self._txn_status[blocking_txn_idx]
            with blocking.lock:
                if blocking.status is Status.EXECUTED:
                    return False
            entry = self._txn_status[txn_idx]
            with entry.lock:
                self._transition(txn_idx, Status.EXECUTING, Status.ABORTING)
            dependency.waiting.add(txn_idx)
        self.num_active_tasks.decrement()
        return True

    def set_ready_status(self, txn_idx: int) -> None:
        """SCHED-STATUS-2: an ABORTING transaction becomes READY_TO_EXECUTE with the next
        incarnation number."""
        entry = self._txn_status[txn_idx]
        with entry.lock:
            self._transition(txn_idx, Status.ABORTING, Status.READY_TO_EXECUTE)
            entry.incarnation += 1

    def resume_dependencies(self, dependent_txn_indices: list[int]) -> None:
        """SCHED-SCHED-6: make every waiting transaction ready again and lower
        ``execution_idx`` to the smallest of them."""
        for dep_txn_idx in dependent_txn_indices:
            self.set_ready_status(dep_txn_idx)
        if dependent_txn_indices:
            self.decrease_execution_idx(min(dependent_txn_indices))

    # --- finishing tasks (SCHED-SCHED-5, SCHED-SCHED-7) ----------------------------------------

    def finish_execution(self, txn_idx: int, incarnation: int,
                         wrote_new_location: bool) -> SchedulerTask | None:
        """SCHED-SCHED-5: the execution of (``txn_idx``, ``incarnation``) is recorded. The
        transaction becomes EXECUTED and its waiting transactions resume. If validation already
        passed ``txn_idx``: when the incarnation wrote a new location, every transaction from
        ``txn_idx`` on must be validated again (``validation_idx`` decreases); otherwise only
        this one, whose validation task is returned to the caller."""
        entry = self._txn_status[txn_idx]
        with entry.lock:
            if entry.incarnation != incarnation:
                raise InvariantViolated(f"finish_execution of incarnation {incarnation} of "
                                        f"transaction {txn_idx}, current {entry.incarnation}")
            self._transition(txn_idx, Status.EXECUTING, Status.EXECUTED)
        dependency = self._txn_dependency[txn_idx]
        with dependency.lock:
            waiting, dependency.waiting = dependency.waiting, set()
        self.resume_dependencies(sorted(waiting))
        if self.validation_idx.load() > txn_idx:
            if wrote_new_location:
                self.decrease_validation_idx(txn_idx)
            else:
                return SchedulerTask(TaskKind.VALIDATION, TxnVersion(txn_idx, incarnation))
        self.num_active_tasks.decrement()
        return None

    def try_validation_abort(self, txn_idx: int, incarnation: int) -> bool:
        """SCHED-SCHED-7: a validation of (``txn_idx``, ``incarnation``) failed. Only if that
        incarnation is still the EXECUTED one does it become ABORTING and True is returned: each
        incarnation is aborted at most once."""
        entry = self._txn_status[txn_idx]
        with entry.lock:
            if entry.incarnation == incarnation and entry.status is Status.EXECUTED:
                self._transition(txn_idx, Status.EXECUTED, Status.ABORTING)
                return True
        return False

    def finish_validation(self, txn_idx: int, aborted: bool) -> SchedulerTask | None:
        """SCHED-SCHED-7: end a validation task. After an abort the transaction becomes ready
        with a new incarnation, every higher transaction must be validated again, and, when
        ``execution_idx`` already passed it, the re-execution is returned to the caller."""
        if aborted:
            self.set_ready_status(txn_idx)
            self.decrease_validation_idx(txn_idx + 1)
            if self.execution_idx.load() > txn_idx:
                version = self.try_incarnate(txn_idx)
                if version is not None:
                    return SchedulerTask(TaskKind.EXECUTION, version)
        self.num_active_tasks.decrement()
        return None

    # --- for the simulator ------------------------------------------------------------------------

    def skip_failing_polls(self, limit: int) -> int:
        """SCHED-SIM-5: the effect of up to ``limit`` consecutive `next_task` calls that each
        return None by *skipping* a transaction -- moving an index that is inside the block past
        a transaction that cannot be handed out (validation: not EXECUTED; execution: not
        READY_TO_EXECUTE). Stops before the first call that would do anything else (hand out a
        task, or find its index past the block). Returns the number of calls performed.

        Such a call increments ``num_active_tasks`` and decrements it again and changes no
        status, so only the index moves; with no other action in between this equals calling
        `next_task` that many times. For the simulator only (one thread): statuses are read
        without their locks."""
        execution_idx = start_execution_idx = self.execution_idx.load()
        validation_idx = start_validation_idx = self.validation_idx.load()
        statuses = self._txn_status
        performed = 0
        while performed < limit:
            if validation_idx < execution_idx:     # next_task would validate
                if (validation_idx >= self.block_size
                        or statuses[validation_idx].status is Status.EXECUTED):
                    break
                validation_idx += 1
            else:                                   # next_task would execute
                if (execution_idx >= self.block_size
                        or statuses[execution_idx].status is Status.READY_TO_EXECUTE):
                    break
                execution_idx += 1
            performed += 1
        self.execution_idx.add(execution_idx - start_execution_idx)
        self.validation_idx.add(validation_idx - start_validation_idx)
        return performed

    def progress_marker(self) -> tuple[int, int, int, int, bool, int]:
        """SCHED-SIM-3: a value that changes whenever the scheduler's state changes (indices,
        counters, done marker, any status transition). Equal markers before and after a step
        mean the step changed nothing that ``next_task`` looks at."""
        return (self.execution_idx.load(), self.validation_idx.load(), self.decrease_cnt.load(),
                self.num_active_tasks.load(), self.done_marker, self._status_changes.load())
