"""A Block-STM worker as a sequence of explicit steps (spec/scheduling.md, SCHED-WORKER-*).

The paper's thread loop (Algorithm 1): while the scheduler is not done, perform the task in
hand -- an execution (``try_execute``) or a validation (``needs_reexecution``), either of which
may hand back a follow-up task -- or ask the scheduler for the next one.

Here that loop is a generator: the code between two ``yield``s is one *step*, making exactly
one action on shared state (a scheduler call, or one location of the multi-version memory), and
the yielded `Step` says what it was. The simulator decides which worker takes the next step;
on real threads each worker simply runs its steps back to back.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from enum import Enum

from .errors import InvariantViolated
from .mv_memory import MVMemory, TxnVersion
from .scheduler import Scheduler, SchedulerTask, TaskKind
from .transaction import Key, Transaction, TxnOutcome
from .vm import BlockStore, VmExecution


class StepKind(Enum):
    """What a step did (SCHED-WORKER-2); the simulator's cost model prices each kind."""

    NEXT_TASK = "next_task"                  # scheduler.next_task() returned a task
    IDLE = "idle"                            # scheduler.next_task() returned none
    EXECUTION_READ = "execution_read"        # one MVMemory.read by an execution
    DEPENDENCY = "dependency"                # scheduler.add_dependency()
    EXECUTE = "execute"                      # the VM's computation (costs the transaction's gas)
    WRITE = "write"                          # one location of apply_write_set
    REMOVE = "remove"                        # one location removed by rcu_update_written_locations
    RECORD = "record"                        # the incarnation's written locations and read set
    FINISH_EXECUTION = "finish_execution"    # scheduler.finish_execution()
    VALIDATION_READ = "validation_read"      # one entry of validate_read_set
    ABORT = "abort"                          # scheduler.try_validation_abort()
    ESTIMATE = "estimate"                    # one location of convert_writes_to_estimates
    FINISH_VALIDATION = "finish_validation"  # scheduler.finish_validation()


@dataclass(frozen=True)
class Step:
    """One step of a worker: its kind, the transaction it concerned (-1: none) and, for an
    EXECUTE step, the gas of the transaction (SCHED-WORKER-2, SCHED-SIM-2)."""

    kind: StepKind
    txn_idx: int = -1
    gas: int = 0


IDLE_STEP = Step(StepKind.IDLE)


@dataclass
class BlockExecution:
    """Everything the workers of one block share (SCHED-WORKER-1): the transactions, the
    storage the block starts from (read-only while the block runs), the multi-version memory,
    the scheduler, the outcome of each transaction's last recorded incarnation, and the
    transactions found to need an OS thread of their own (RT-BACKEND-3)."""

    transactions: tuple[Transaction, ...]
    store: BlockStore
    memory: MVMemory
    scheduler: Scheduler
    last_outcomes: list[TxnOutcome | None]
    own_thread: set[int] = field(default_factory=set)

    @classmethod
    def start(cls, transactions: tuple[Transaction, ...], store: BlockStore) -> BlockExecution:
        """A fresh block: every transaction READY_TO_EXECUTE, incarnation 0, memory empty."""
        n = len(transactions)
        return cls(transactions, store, MVMemory(n), Scheduler(n), [None] * n)


@dataclass
class WorkerCounters:
    """What one worker did (SCHED-API-2)."""

    steps: int = 0
    vm_runs: int = 0          # executions started (including those stopped by a dependency)
    executions: int = 0       # executions recorded (finish_execution)
    dependencies: int = 0     # executions suspended by add_dependency
    validations: int = 0      # validation tasks
    validation_failures: int = 0
    aborts: int = 0           # successful try_validation_abort


@dataclass
class Worker:
    """One worker of a block (SCHED-WORKER-1)."""

    worker_id: int
    block: BlockExecution
    counters: WorkerCounters = field(default_factory=WorkerCounters)

    def steps(self) -> Generator[Step, None, None]:
        """SCHED-WORKER-1: the thread loop of Algorithm 1, one `Step` at a time."""
        scheduler = self.block.scheduler
        task: SchedulerTask | None = None
        while not scheduler.done():
            if task is not None and task.kind is TaskKind.EXECUTION:
                task = yield from self.try_execute(task.version)
            if task is not None and task.kind is TaskKind.VALIDATION:
                task = yield from self.needs_reexecution(task.version)
            if task is None:
                task = scheduler.next_task()
                yield IDLE_STEP if task is None else Step(StepKind.NEXT_TASK,
                                                         task.version.txn_idx)

    def try_execute(self, version: TxnVersion) -> Generator[Step, None, SchedulerTask | None]:
        """SCHED-WORKER-3: execute ``version``. A dependency suspends the transaction (no task
        follows) unless the blocking transaction executed meanwhile, in which case the same
        incarnation runs again at once. A finished execution is recorded in the memory one
        location at a time, then reported to the scheduler."""
        block, memory, scheduler = self.block, self.block.memory, self.block.scheduler
        txn_idx, incarnation = version
        txn = block.transactions[txn_idx]
        while True:
            self.counters.vm_runs += 1
            execution = VmExecution(txn, txn_idx, memory, block.store,
                                    txn_idx in block.own_thread)
            blocking_txn_idx: int | None = None
            finished = False
            try:
                request = execution.start()
                while not isinstance(request, TxnOutcome):
                    blocking_txn_idx = execution.perform(request)
                    yield Step(StepKind.EXECUTION_READ, txn_idx)
                    if blocking_txn_idx is not None:
                        break
                    request = execution.resume()
                finished = isinstance(request, TxnOutcome)
            finally:
                if not finished:  # a dependency, a store failure, or the worker is stopping
                    execution.abandon()
                if execution.own_thread:  # the next incarnation starts on a thread at once
                    block.own_thread.add(txn_idx)
            if isinstance(request, TxnOutcome):
                outcome = request
                break
            if blocking_txn_idx is None:   # unreachable: the loop above left on a dependency
                raise InvariantViolated(f"execution of {txn_idx} stopped without an outcome")
            suspended = scheduler.add_dependency(txn_idx, blocking_txn_idx)
            yield Step(StepKind.DEPENDENCY, txn_idx)
            if suspended:
                self.counters.dependencies += 1
                return None
        yield Step(StepKind.EXECUTE, txn_idx, txn.gas)
        # MVMemory.record(version, read_set, write_set), one location per step.
        new_locations = frozenset(key for key, _ in outcome.write_set)
        for location, value in outcome.write_set:
            memory.write(location, version, value)
            yield Step(StepKind.WRITE, txn_idx)
        for location in memory.unwritten_locations(txn_idx, new_locations):
            memory.remove(location, txn_idx)
            yield Step(StepKind.REMOVE, txn_idx)
        wrote_new_location = memory.finish_record(txn_idx, new_locations, execution.read_set())
        block.last_outcomes[txn_idx] = outcome
        yield Step(StepKind.RECORD, txn_idx)
        task = scheduler.finish_execution(txn_idx, incarnation, wrote_new_location)
        self.counters.executions += 1
        yield Step(StepKind.FINISH_EXECUTION, txn_idx)
        return task

    def needs_reexecution(self, version: TxnVersion) -> Generator[Step, None, SchedulerTask | None]:
        """SCHED-WORKER-4: validate ``version``: re-read its read set one entry per step; if an
        entry changed and this worker wins the abort of that incarnation, turn its writes into
        ESTIMATEs one location per step; then report to the scheduler."""
        memory, scheduler = self.block.memory, self.block.scheduler
        txn_idx, incarnation = version
        self.counters.validations += 1
        read_set_valid = True
        storage_scan = self.block.store.scan
        for descriptor in memory.read_set(txn_idx):
            read_set_valid = memory.validate(descriptor, txn_idx, storage_scan or _no_scan)
            yield Step(StepKind.VALIDATION_READ, txn_idx)
            if not read_set_valid:
                break
        aborted = False
        if not read_set_valid:
            self.counters.validation_failures += 1
            aborted = scheduler.try_validation_abort(txn_idx, incarnation)
            yield Step(StepKind.ABORT, txn_idx)
            if aborted:
                self.counters.aborts += 1
                for location in memory.written_locations(txn_idx):
                    memory.mark_estimate(location, txn_idx)
                    yield Step(StepKind.ESTIMATE, txn_idx)
        task = scheduler.finish_validation(txn_idx, aborted)
        yield Step(StepKind.FINISH_VALIDATION, txn_idx)
        return task


def _no_scan(prefix: Key, limit: int) -> list[tuple[Key, bytes]]:
    """A store without ``scan`` has no entries to scan; no scan descriptor is recorded then
    (the scan fails its transaction), so validation never calls this."""
    return []
