"""The result of executing a block (spec/scheduling.md, SCHED-RESULT-1, SCHED-API-2).

Two results are equal when their outputs, final write sets and per-transaction reads are equal;
statistics and the per-transaction outcomes kept for tools never take part in the comparison.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .transaction import Access, Key, MaybeValue, TxnOutcome


@dataclass(frozen=True)
class BatchStats:
    """SCHED-API-2: how a block was executed. ``makespan`` and ``speedup`` exist only in the
    simulator (virtual time); ``sequential_cost`` is the sum of the transactions' gas."""

    mode: str
    workers: int
    transactions: int
    executions: int
    vm_runs: int
    validations: int
    validation_failures: int
    aborts: int
    dependencies: int
    steps: int
    sequential_cost: int
    makespan: int | None = None

    @property
    def speedup(self) -> float | None:
        """SCHED-SIM-2: sequential cost over makespan (None outside the simulator)."""
        if self.makespan is None or self.makespan == 0:
            return None
        return self.sequential_cost / self.makespan

    @property
    def executions_per_txn(self) -> float:
        """Recorded executions per transaction (1.0: nothing was re-executed)."""
        return self.executions / self.transactions if self.transactions else 0.0


@dataclass(frozen=True)
class BatchResult:
    """SCHED-RESULT-1: per transaction its output (a `TxnFailure` when it failed) and the reads
    and scans of its final incarnation; the final write set (key order, None: deleted), which
    has been applied to the store."""

    outputs: tuple[object, ...]
    write_set: tuple[tuple[Key, MaybeValue], ...]
    reads: tuple[tuple[Access, ...], ...]
    stats: BatchStats = field(compare=False)
    outcomes: tuple[TxnOutcome, ...] = field(compare=False, repr=False, default=())
