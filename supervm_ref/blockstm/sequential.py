"""The baseline: execute the block in block order (spec/scheduling.md, SCHED-SEQ-1).

Each transaction runs on a view of the state left by the transactions before it; a successful
transaction's writes are applied, a failed one's discarded (SCHED-TXN-3). Block-STM must
produce exactly this result (SCHED-RESULT-1).
"""

from __future__ import annotations

from collections.abc import Iterable

from .result import BatchResult, BatchStats
from .store import BatchStore, apply_write_set, check_store
from .transaction import Key, MaybeValue, RecordingView, normalize_transactions, run_body


def execute_sequential(store: BatchStore, transactions: Iterable[object]) -> BatchResult:
    """SCHED-SEQ-1: run ``transactions`` one after the other against ``store``, then apply the
    final write set to ``store``."""
    check_store(store)
    block = normalize_transactions(transactions)
    state: dict[Key, MaybeValue] = {}   # the writes of the transactions so far

    def outside(key: Key) -> MaybeValue:
        return state[key] if key in state else store.get(key)

    outcomes = []
    for txn in block:
        outcome = run_body(txn, RecordingView(outside))
        for key, value in outcome.write_set:
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
