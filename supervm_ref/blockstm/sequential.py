"""The baseline: execute the block in block order (spec/scheduling.md, SCHED-SEQ-1).

Each transaction runs on a view of the state left by the transactions before it; a successful
transaction's writes are applied, a failed one's discarded (SCHED-TXN-3). Block-STM must
produce exactly this result (SCHED-RESULT-1).
"""

from __future__ import annotations

from collections.abc import Iterable

from sortedcontainers import SortedList

from ..runtime.storage import prefix_end
from .coroutine import ExecutionAbandoned
from .errors import InvalidAccess, StoreFailed
from .result import BatchResult, BatchStats
from .store import BatchStore, apply_write_set, check_store
from .transaction import (
    Entries,
    Key,
    MaybeValue,
    RecordingView,
    merge_scan,
    normalize_transactions,
    run_body,
)
from .vm import BlockStore


def execute_sequential(store: BatchStore, transactions: Iterable[object]) -> BatchResult:
    """SCHED-SEQ-1: run ``transactions`` one after the other against ``store``, then apply the
    final write set to ``store`` (SCHED-RESULT-2). A failure of the store is `StoreFailed`
    for the whole batch (the store is then as before), never a transaction's failure."""
    check_store(store)
    block = normalize_transactions(transactions)
    source = BlockStore.of(store)
    state: dict[Key, MaybeValue] = {}  # the writes of the transactions so far
    ordered = SortedList()             # their keys in order, brought up to date by scans
    unordered: list[Key] = []          # keys written since the last scan
    failure: list[StoreFailed] = []    # the store's failure, once one happened

    def stop_on_store_failure(error: StoreFailed) -> ExecutionAbandoned:
        failure.append(error)
        return ExecutionAbandoned()

    def outside(key: Key) -> MaybeValue:
        if failure:
            raise ExecutionAbandoned()
        if key in state:
            value: MaybeValue = state[key]
            return value
        try:
            return source.get(key)
        except StoreFailed as e:
            raise stop_on_store_failure(e) from e

    def outside_scan(prefix: Key, limit: int) -> Entries:
        if failure:
            raise ExecutionAbandoned()
        if source.scan is None:
            raise InvalidAccess("the store of this batch has no scan")
        scan = source.scan
        if unordered:
            ordered.update(unordered)
            unordered.clear()
        upper = {k: state[k] for k in ordered.irange(minimum=prefix, maximum=prefix_end(prefix),
                                                     inclusive=(True, False))}
        try:
            return merge_scan(upper, prefix, limit, scan)
        except StoreFailed as e:
            raise stop_on_store_failure(e) from e

    outcomes = []
    for txn in block:
        try:
            outcome = run_body(txn, RecordingView(outside, outside_scan))
        except ExecutionAbandoned:
            if failure:
                raise failure[0] from failure[0].cause
            raise
        if failure:   # the body swallowed the signal: the store's failure still ends the batch
            raise failure[0] from failure[0].cause
        for key, value in outcome.write_set:
            if key not in state:
                unordered.append(key)
            state[key] = value
        outcomes.append(outcome)
    write_set = tuple(sorted(state.items()))
    apply_write_set(store, write_set)
    n = len(block)
    stats = BatchStats(mode="sequential", workers=1, transactions=n, executions=n, vm_runs=n,
                       validations=0, validation_failures=0, aborts=0, dependencies=0, steps=n,
                       sequential_cost=sum(t.gas for t in block),
                       makespan=sum(t.gas for t in block))
    return BatchResult(tuple(o.output for o in outcomes), write_set,
                       tuple(o.reads for o in outcomes), stats, tuple(outcomes))
