"""The seed's ``ParallelScheduler`` and ``ExecutionStats`` (spec/scheduling.md, PAR-SCHED-*).

A `ParallelScheduler` owns a `StateManager` and runs *operations* (Python functions of the
manager: the seed's closures) atomically: `execute_with_snapshot` commits an operation's
changes when it returns and rolls them back when it raises; `execute_with_retry` runs it again
after a retryable failure (a conflict). It also plans parallel batches from recorded read/write
sets (the seed's ``record_rw_set`` / ``get_parallel_batch``).

Operations run one at a time (a re-entrant lock), so several threads — the workers of a
`WorkStealingScheduler` — may share one scheduler; an operation may itself call
`execute_with_snapshot` (a nested transaction with its own snapshot).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from ..runtime.storage import MemoryStorage
from .conflict import ConflictDetector, ReadWriteSet, TxId
from .errors import (
    ConflictError,
    InvalidInput,
    ParallelErrorKind,
    RetriesExhausted,
    TxError,
    as_tx_error,
)
from .state_manager import StateManager
from .validate import require_callable, require_int, require_tx_id

T = TypeVar("T")

#: The seed's ``max_retries`` is a u32.
MAX_RETRIES_LIMIT = 2**32 - 1


@dataclass(frozen=True, slots=True)
class ExecutionStats:
    """PAR-SCHED-4: the seed's ``ExecutionStats``. Counts are of *attempts*: a transaction
    that fails twice and then succeeds under `execute_with_retry` adds 2 to ``failed_txs``,
    2 to ``rollback_count``, 2 to ``retry_count`` and 1 to ``successful_txs``."""

    successful_txs: int = 0
    failed_txs: int = 0
    rollback_count: int = 0
    retry_count: int = 0
    conflict_count: int = 0

    def total_txs(self) -> int:
        """PAR-SCHED-4: successful + failed."""
        return self.successful_txs + self.failed_txs

    def success_rate(self) -> float:
        """PAR-SCHED-4: successful / total as a float, 0.0 when nothing ran."""
        total = self.total_txs()
        return 0.0 if total == 0 else self.successful_txs / total

    def rollback_rate(self) -> float:
        """PAR-SCHED-4: rollbacks / total as a float, 0.0 when nothing ran."""
        total = self.total_txs()
        return 0.0 if total == 0 else self.rollback_count / total


class ParallelScheduler:
    """The seed's ``ParallelScheduler`` (PAR-SCHED-*)."""

    def __init__(self, state_manager: StateManager | None = None) -> None:
        if state_manager is not None and not isinstance(state_manager, StateManager):
            raise InvalidInput(ParallelErrorKind.INVALID_ARGUMENT,
                               f"state_manager must be a StateManager, got "
                               f"{type(state_manager).__name__}")
        self._manager = state_manager if state_manager is not None else StateManager()
        self._lock = threading.RLock()  # PAR-SCHED-5: one operation at a time
        self._detector = ConflictDetector()
        self._completed: set[TxId] = set()
        self._stats = ExecutionStats()

    # --- State and statistics --------------------------------------------------------------

    def get_state_manager(self) -> StateManager:
        """The managed state."""
        return self._manager

    def get_storage(self) -> MemoryStorage:
        """PAR-SNAP-1: the live storage of the managed state."""
        return self._manager.get_storage()

    def get_events(self) -> list[bytes]:
        """PAR-SNAP-1: the live event list of the managed state."""
        return self._manager.get_events()

    def get_stats(self) -> ExecutionStats:
        """PAR-SCHED-4: the counts so far (an immutable copy)."""
        with self._lock:
            return self._stats

    def reset_stats(self) -> None:
        """PAR-SCHED-4: set every count to 0."""
        with self._lock:
            self._stats = ExecutionStats()

    def _count(self, *, ok: int = 0, failed: int = 0, rollback: int = 0, retry: int = 0,
               conflict: int = 0) -> None:
        s = self._stats
        self._stats = ExecutionStats(s.successful_txs + ok, s.failed_txs + failed,
                                     s.rollback_count + rollback, s.retry_count + retry,
                                     s.conflict_count + conflict)

    # --- Atomic execution ------------------------------------------------------------------

    def execute_with_snapshot(self, operation: Callable[[StateManager], T]) -> T:
        """PAR-SCHED-1/2: run ``operation(manager)`` atomically.

        1. take a snapshot of the state;
        2. run the operation;
        3. if it returned: commit the snapshot (keep the changes), count a success, return
           its value;
        4. if it raised: restore the snapshot (undo every change, events included), count a
           failure and a rollback (and a conflict for a `ConflictError`), raise the failure
           as a `TxError` (another exception is wrapped: UNEXPECTED_EXCEPTION).

        An operation that leaves snapshots it opened, or closes one it did not open, fails
        with INVALID_ARGUMENT and is rolled back like any failure (counted as one): the
        state is restored and the snapshot stack is exactly as before step 1 (the caller's
        snapshots an operation closed are put back).
        """
        require_callable(operation, "operation")
        with self._lock:
            manager = self._manager
            # SNAPSHOT
            depth = manager.snapshot_depth()
            below = manager.snapshots()
            snapshot = manager.create_snapshot()
            # OPERATION
            try:
                value = operation(manager)
                if not manager.is_top(snapshot, depth + 1):
                    raise TxError("the operation left the snapshot stack unbalanced "
                                  f"(depth {manager.snapshot_depth()}, expected {depth + 1})",
                                  kind=ParallelErrorKind.INVALID_ARGUMENT)
            except Exception as exc:
                # ROLLBACK
                manager.restore_with_stack(snapshot, below)
                error = as_tx_error(exc)
                self._count(failed=1, rollback=1,
                            conflict=1 if isinstance(error, ConflictError) else 0)
                if error is exc:
                    raise
                raise error from exc
            except BaseException:
                # KeyboardInterrupt and the like: undo, count nothing, let it through.
                manager.restore_with_stack(snapshot, below)
                raise
            # COMMIT
            manager.commit()
            self._count(ok=1)
            return value

    def execute_with_retry(self, operation: Callable[[StateManager], T],
                           max_retries: int) -> T:
        """PAR-SCHED-3: `execute_with_snapshot`, run again after each *retryable* failure
        (``TxError.retryable``, e.g. a `ConflictError`), at most ``max_retries`` more times.

        Each run after the first adds 1 to ``retry_count``. A non-retryable failure is raised
        at once; after ``max_retries + 1`` retryable failures, `RetriesExhausted` (carrying
        the attempt count and the last failure) is raised."""
        require_callable(operation, "operation")
        max_retries = require_int(max_retries, "max_retries", 0, MAX_RETRIES_LIMIT)
        last_error: TxError | None = None
        for attempt in range(max_retries + 1):
            if attempt > 0:
                with self._lock:
                    self._count(retry=1)
            try:
                return self.execute_with_snapshot(operation)
            except TxError as error:
                if not error.retryable:
                    raise
                last_error = error
        if last_error is None:  # unreachable: the loop runs at least once
            raise TxError("no attempt was made", kind=ParallelErrorKind.INVALID_ARGUMENT)
        raise RetriesExhausted(max_retries + 1, last_error) from last_error

    def execute_batch(self, operations: Sequence[Callable[[StateManager], T]]) -> list[T]:
        """PAR-SCHED-6: run the operations in order under one snapshot, all or nothing.

        If all return, commit and count one success per operation; if one raises, the
        remaining ones are not run, every change of the batch is rolled back, one failure and
        one rollback are counted, and the failure is raised as a `TxError` whose message
        names the failing operation's index."""
        ops = list(operations) if isinstance(operations, Iterable) else None
        if ops is None:
            raise InvalidInput(ParallelErrorKind.INVALID_ARGUMENT,
                               "operations must be a sequence of functions")
        for i, op in enumerate(ops):
            require_callable(op, f"operations[{i}]")

        def run_all(manager: StateManager) -> list[T]:
            results: list[T] = []
            for i, op in enumerate(ops):
                try:
                    results.append(op(manager))
                except Exception as exc:
                    error = as_tx_error(exc)
                    message = f"batch execution failed at operation {i}: {error.detail}"
                    if isinstance(error, ConflictError):
                        raise ConflictError(message) from exc
                    raise TxError(message, retryable=error.retryable, kind=error.kind) from exc
            return results

        with self._lock:
            results = self.execute_with_snapshot(run_all)
            # execute_with_snapshot counted the batch as one success: count each operation.
            self._count(ok=len(results) - 1)
            return results

    # --- Planning from read/write sets (the seed's record_rw_set / get_parallel_batch) ----

    def record_rw_set(self, tx_id: TxId, rw_set: ReadWriteSet) -> None:
        """PAR-DEP-3: record the read/write set of ``tx_id``."""
        with self._lock:
            self._detector.record(tx_id, rw_set)

    def mark_completed(self, tx_id: TxId) -> None:
        """PAR-DEP-2: note that ``tx_id`` has run."""
        with self._lock:
            self._completed.add(require_tx_id(tx_id))

    def get_parallel_batch(self, all_txs: Sequence[TxId]) -> list[TxId]:
        """PAR-DEP-2: the transactions of ``all_txs`` (block order) that can run now: not
        completed, and every earlier transaction they conflict with completed."""
        with self._lock:
            graph = self._detector.build_dependency_graph(all_txs)
            return graph.get_ready_transactions(all_txs, self._completed)

    def plan_batches(self, tx_order: Sequence[TxId]) -> list[list[TxId]]:
        """PAR-BATCH-1: the parallel batches of ``tx_order`` from the recorded sets."""
        with self._lock:
            return self._detector.parallel_batches(tx_order)
