"""``MvccScheduler``: the seed's parallel transaction scheduler, as Block-STM (spec/scheduling.md,
SCHED-API-*).

``MvccScheduler(workers=N, mode="simulated" | "threads", seed=...)`` executes a block with
``execute_batch(store, transactions)``: the transactions run optimistically on N workers against
a multi-version memory, and the result -- every output, every value read, the final state -- is
the result of running them one after the other in block order (SCHED-RESULT-1). ``stats()``
gives the counters of the batches so far.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import shown
from .errors import InvalidArgument, InvariantViolated
from .result import BatchResult, BatchStats
from .simulator import (
    DEFAULT_COSTS,
    CostModel,
    Schedule,
    TimedSchedule,
    check_schedule,
    simulate,
)
from .store import BatchStore, apply_write_set, check_store
from .threads import run_on_threads
from .transaction import TxnOutcome, normalize_transactions
from .vm import BlockStore
from .worker import BlockExecution, WorkerCounters

MODES = ("simulated", "threads")

#: SCHED-API-1: the most workers a scheduler may have (virtual workers or threads).
MAX_WORKERS = 1024


@dataclass(frozen=True)
class SchedulerStats:
    """SCHED-API-2: the totals over every batch this scheduler executed, and the last batch's
    statistics."""

    batches: int
    transactions: int
    executions: int
    validations: int
    aborts: int
    dependencies: int
    last_batch: BatchStats | None


class MvccScheduler:
    """The Block-STM executor (SCHED-API-1).

    ``workers``: number of workers (virtual in the simulator, threads otherwise), 1 to
    `MAX_WORKERS`.
    ``mode``: ``"simulated"`` (deterministic, virtual time) or ``"threads"``.
    ``seed``: breaks ties between simulated workers ready at the same time.
    ``costs``: the simulator's cost model (SCHED-SIM-2).
    ``schedule``: replaces the timed schedule of the simulator (e.g. a scripted one); it is
    stateful, so give each batch its own.
    ``max_steps``: a budget of simulated steps (None: unlimited).
    """

    def __init__(self, workers: int = 4, mode: str = "simulated", seed: int = 0,
                 costs: CostModel = DEFAULT_COSTS, schedule: Schedule | None = None,
                 max_steps: int | None = None) -> None:
        if isinstance(workers, bool) or not isinstance(workers, int) \
                or not 1 <= workers <= MAX_WORKERS:
            raise InvalidArgument(f"workers must be an integer in [1, {MAX_WORKERS}], found "
                                  f"{shown(workers, 40)}")
        if mode not in MODES:
            raise InvalidArgument(f"mode must be one of {', '.join(MODES)}, found {shown(mode)}")
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise InvalidArgument(f"seed must be an integer, found {shown(seed)}")
        if not isinstance(costs, CostModel):
            raise InvalidArgument(f"costs must be a CostModel, found {type(costs).__name__}")
        if max_steps is not None and (isinstance(max_steps, bool)
                                      or not isinstance(max_steps, int) or max_steps < 1):
            raise InvalidArgument(f"max_steps must be None or an integer >= 1, "
                                  f"found {shown(max_steps)}")
        if mode == "threads" and schedule is not None:
            raise InvalidArgument("a schedule only applies to mode='simulated'")
        if schedule is not None:
            check_schedule(schedule)
        self.workers = workers
        self.mode = mode
        self.seed = seed
        self.costs = costs
        self.schedule = schedule
        self.max_steps = max_steps
        self._totals = SchedulerStats(0, 0, 0, 0, 0, 0, None)

    def execute_batch(self, store: BatchStore, transactions: Iterable[object]) -> BatchResult:
        """SCHED-API-1: execute ``transactions`` in parallel against ``store``; apply the final
        write set to ``store`` and return outputs, write set and reads (SCHED-RESULT-1)."""
        check_store(store)
        block = normalize_transactions(transactions)
        execution = BlockExecution.start(block, BlockStore.of(store))
        makespan: int | None = None
        counters: WorkerCounters
        if self.mode == "simulated":
            schedule = self.schedule if self.schedule is not None else TimedSchedule(self.seed)
            report = simulate(execution, self.workers, schedule, self.costs, self.max_steps)
            makespan, counters = report.makespan, report.counters
        else:
            counters = run_on_threads(execution, self.workers).counters
        write_set = execution.memory.snapshot()
        outcomes = tuple(_final(execution.last_outcomes, i) for i in range(len(block)))
        apply_write_set(store, write_set)
        stats = BatchStats(mode=self.mode, workers=self.workers, transactions=len(block),
                           executions=counters.executions, vm_runs=counters.vm_runs,
                           validations=counters.validations,
                           validation_failures=counters.validation_failures,
                           aborts=counters.aborts, dependencies=counters.dependencies,
                           steps=counters.steps, sequential_cost=sum(t.gas for t in block),
                           makespan=makespan)
        t = self._totals
        self._totals = SchedulerStats(t.batches + 1, t.transactions + len(block),
                                      t.executions + stats.executions,
                                      t.validations + stats.validations,
                                      t.aborts + stats.aborts,
                                      t.dependencies + stats.dependencies, stats)
        return BatchResult(tuple(o.output for o in outcomes), write_set,
                           tuple(o.reads for o in outcomes), stats, outcomes)

    def stats(self) -> SchedulerStats:
        """SCHED-API-2: totals over the batches so far, and the last batch's statistics."""
        return self._totals


def _final(last_outcomes: list[TxnOutcome | None], txn_idx: int) -> TxnOutcome:
    """The outcome of the final incarnation of ``txn_idx``; every transaction has one once the
    scheduler is done (SCHED-SCHED-8)."""
    outcome = last_outcomes[txn_idx]
    if outcome is None:
        raise InvariantViolated(f"transaction {txn_idx} has no recorded execution at the end")
    return outcome
