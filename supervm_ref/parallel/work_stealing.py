"""The seed's ``WorkStealingScheduler`` and ``Task`` (spec/scheduling.md, PAR-WS-*).

Tasks (transaction ids with a priority 0-255, higher first) are submitted to a global queue;
`WorkStealingScheduler.execute_all` runs a function on every task with N worker threads. Each
worker has its own deque (double-ended queue). A worker looking for work:

1. takes the task at the *front* of its own deque; else
2. moves the next ⌈n / N⌉ tasks (n = tasks left in the global queue, at most `MAX_BATCH`)
   from the global queue to its deque and takes the first; else
3. *steals* the task at the *back* of another worker's deque, looking at workers w+1, w+2, ...
   (mod N) in turn; else
4. stops: no task creates tasks, so once every queue is empty no work can appear.

The global queue is in *scheduling order*: priority descending, then submission order. Each
deque therefore holds a run of consecutive tasks of that order and is worked front to back
(highest priority first), while thieves take its back (lowest priority). With one worker the
tasks run exactly in scheduling order (PAR-WS-3).

Queue operations are serialised by one lock; the function runs outside it.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .conflict import TxId
from .errors import InvalidInput, ParallelErrorKind, TxError, as_tx_error
from .scheduler import ParallelScheduler
from .validate import require_callable, require_int, require_tx_id

#: The most tasks a worker moves from the global queue at once (crossbeam's batch bound).
MAX_BATCH = 32
#: Upper bound on the number of workers (a sanity limit, not a semantic one).
MAX_WORKERS = 1024
#: Worker count when none is given and the CPU count is unknown (as the seed).
DEFAULT_WORKERS = 4


@dataclass(frozen=True, slots=True)
class Task:
    """PAR-WS-1: the seed's ``Task::new(tx_id, priority)``: a transaction id (0..2**64-1) and
    a priority 0..255, higher runs first."""

    tx_id: TxId
    priority: int

    def __post_init__(self) -> None:
        require_tx_id(self.tx_id, "Task.tx_id")
        require_int(self.priority, "Task.priority", 0, 255, ParallelErrorKind.INVALID_PRIORITY)


def scheduling_order(tasks: Iterable[Task]) -> list[Task]:
    """PAR-WS-2: ``tasks`` (given in submission order) sorted by priority, highest first;
    equal priorities keep submission order (a stable sort)."""
    return sorted(tasks, key=lambda task: -task.priority)


@dataclass(frozen=True, slots=True)
class TaskOutcome:
    """PAR-WS-4: what happened to one task: ``error`` is None on success. ``worker`` (which
    worker ran it), ``stolen`` and ``sequence`` (its rank among task starts) depend on thread
    timing when there are several workers."""

    tx_id: TxId
    priority: int
    error: TxError | None
    worker: int
    stolen: bool
    sequence: int

    @property
    def ok(self) -> bool:
        """Whether the function returned for this task."""
        return self.error is None


@dataclass(frozen=True, slots=True)
class WorkStealingStats:
    """PAR-WS-5: tasks that succeeded, failed, and tasks taken by stealing."""

    successful_txs: int = 0
    failed_txs: int = 0
    steals: int = 0

    def total_txs(self) -> int:
        """successful + failed."""
        return self.successful_txs + self.failed_txs

    def success_rate(self) -> float:
        """successful / total as a float, 0.0 when nothing ran."""
        total = self.total_txs()
        return 0.0 if total == 0 else self.successful_txs / total


@dataclass(frozen=True, slots=True)
class WorkStealingResult:
    """PAR-WS-4: one outcome per task, in scheduling order (whatever the thread timing), and
    the run's statistics."""

    outcomes: tuple[TaskOutcome, ...]
    stats: WorkStealingStats

    @property
    def ok(self) -> bool:
        """Whether every task succeeded (the seed's ``Ok``)."""
        return all(o.ok for o in self.outcomes)

    @property
    def executed(self) -> list[TxId]:
        """The ids of the tasks that succeeded, in scheduling order."""
        return [o.tx_id for o in self.outcomes if o.ok]

    @property
    def errors(self) -> list[tuple[TxId, TxError]]:
        """Every failed task with its error, in scheduling order (none is lost)."""
        return [(o.tx_id, o.error) for o in self.outcomes if o.error is not None]

    def execution_order(self) -> list[TxId]:
        """The ids in the order the tasks started (thread-dependent with several workers)."""
        return [o.tx_id for o in sorted(self.outcomes, key=lambda o: o.sequence)]


@dataclass
class _Run:
    """The shared state of one `execute_all`: the queues and what has happened so far."""

    global_queue: deque[Task]
    deques: list[deque[Task]]
    lock: threading.Lock = field(default_factory=threading.Lock)
    started: int = 0
    steals: int = 0
    outcomes: dict[TxId, TaskOutcome] = field(default_factory=dict)
    abort: BaseException | None = None


class WorkStealingScheduler:
    """The seed's ``WorkStealingScheduler::new(Some(n))`` (PAR-WS-*)."""

    def __init__(self, workers: int | None = None) -> None:
        """PAR-WS-1: ``workers`` threads (1..1024); None means the CPU count (4 if
        unknown)."""
        if workers is None:
            workers = min(os.cpu_count() or DEFAULT_WORKERS, MAX_WORKERS)
        self.num_workers = require_int(workers, "workers", 1, MAX_WORKERS)
        self._pending: list[Task] = []
        self._lock = threading.Lock()
        self._stats = WorkStealingStats()
        self._scheduler = ParallelScheduler()

    # --- Submission --------------------------------------------------------------------------

    def submit_task(self, task: Task) -> None:
        """PAR-WS-2: add one task to the global queue."""
        self.submit_tasks([task])

    def submit_tasks(self, tasks: Iterable[Task]) -> None:
        """PAR-WS-2: add tasks to the global queue, in order. All or nothing: each must be a
        `Task` whose id is not already pending (DUPLICATE_TX)."""
        if not isinstance(tasks, Iterable):
            raise InvalidInput(ParallelErrorKind.INVALID_ARGUMENT,
                               f"tasks must be a list of Task, got {type(tasks).__name__}")
        batch = list(tasks)
        with self._lock:
            ids = {t.tx_id for t in self._pending}
            for task in batch:
                if not isinstance(task, Task):
                    raise InvalidInput(ParallelErrorKind.INVALID_ARGUMENT,
                                       f"expected a Task, got {type(task).__name__}")
                if task.tx_id in ids:
                    raise InvalidInput(ParallelErrorKind.DUPLICATE_TX,
                                       f"task {task.tx_id} is already submitted")
                ids.add(task.tx_id)
            self._pending.extend(batch)

    def pending(self) -> list[Task]:
        """The submitted tasks not yet executed, in scheduling order."""
        with self._lock:
            return scheduling_order(self._pending)

    # --- Execution ---------------------------------------------------------------------------

    def execute_all(self, executor: Callable[[TxId], object]) -> WorkStealingResult:
        """PAR-WS-3/4: run ``executor(tx_id)`` once for every pending task on the workers
        (module docstring) and return every task's outcome. A task fails when the executor
        raises (any exception, wrapped as a `TxError`: PAR-SCHED-2); failures do not stop the
        other tasks. The pending queue is emptied."""
        require_callable(executor, "executor")
        with self._lock:
            order = scheduling_order(self._pending)
            self._pending = []
        run = _Run(deque(order), [deque() for _ in range(self.num_workers)])
        threads = [threading.Thread(target=self._worker, args=(run, w, executor),
                                    name=f"supervm-ws-{w}", daemon=True)
                   for w in range(self.num_workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if run.abort is not None:  # KeyboardInterrupt, SystemExit ... in a worker
            raise run.abort
        return self._finish(order, run)

    def _finish(self, order: list[Task], run: _Run) -> WorkStealingResult:
        """PAR-WS-4/5: the result of a run and the totals it adds to."""
        outcomes = tuple(run.outcomes[task.tx_id] for task in order)
        ok = sum(1 for o in outcomes if o.ok)
        stats = WorkStealingStats(ok, len(outcomes) - ok, run.steals)
        with self._lock:
            s = self._stats
            self._stats = WorkStealingStats(s.successful_txs + stats.successful_txs,
                                            s.failed_txs + stats.failed_txs,
                                            s.steals + stats.steals)
        return WorkStealingResult(outcomes, stats)

    def execute_turns(self, turns: Iterable[int], executor: Callable[[TxId], object]
                      ) -> WorkStealingResult:
        """PAR-WS-6: `execute_all` on one thread, the workers taking turns as ``turns`` says.

        On each turn the named worker looks for work exactly as in PAR-WS-3 and, if it finds
        a task, runs ``executor`` on it to completion. When ``turns`` is exhausted the workers
        take turns round-robin (0, 1, ..., N-1, 0, ...) until every task has run. The result,
        the statistics and their totals are those of `execute_all` (PAR-WS-4/5); `worker`,
        `stolen` and `sequence` are now a function of ``turns``, which makes the queue rules
        of PAR-WS-3 observable without thread timing."""
        require_callable(executor, "executor")
        if isinstance(turns, (str, bytes)) or not isinstance(turns, Iterable):
            raise InvalidInput(ParallelErrorKind.INVALID_ARGUMENT,
                               f"turns must be a list of worker indices, got "
                               f"{type(turns).__name__}")
        given = [require_int(w, "turn", 0, self.num_workers - 1) for w in turns]
        with self._lock:
            order = scheduling_order(self._pending)
            self._pending = []
        run = _Run(deque(order), [deque() for _ in range(self.num_workers)])
        rank = 0
        while len(run.outcomes) < len(order):
            if rank < len(given):
                w = given[rank]
            else:
                w = (rank - len(given)) % self.num_workers
            rank += 1
            self._step(run, w, executor)
        return self._finish(order, run)

    def _next_task(self, run: _Run, w: int) -> tuple[Task, bool, int] | None:
        """PAR-WS-3: the next task for worker ``w`` (with whether it was stolen and its start
        sequence number), or None when there is no work left."""
        with run.lock:
            if run.abort is not None:
                return None
            own = run.deques[w]
            task: Task | None = None
            stolen = False
            if own:                                              # 1. own deque, front
                task = own.popleft()
            elif run.global_queue:                               # 2. refill from global
                n = len(run.global_queue)
                take = min(MAX_BATCH, -(-n // self.num_workers))
                for _ in range(take):
                    own.append(run.global_queue.popleft())
                task = own.popleft()
            else:                                                # 3. steal, back
                for k in range(1, self.num_workers):
                    victim = run.deques[(w + k) % self.num_workers]
                    if victim:
                        task = victim.pop()
                        stolen = True
                        run.steals += 1
                        break
            if task is None:                                     # 4. nothing left
                return None
            sequence = run.started
            run.started += 1
            return task, stolen, sequence

    def _step(self, run: _Run, w: int, executor: Callable[[TxId], object]) -> bool:
        """PAR-WS-3/4: worker ``w`` takes its next task and runs ``executor`` on it, recording
        the outcome (an exception is the task's `TxError`); False when there is no work left.
        Anything that is not an `Exception` (Ctrl-C) propagates."""
        nxt = self._next_task(run, w)
        if nxt is None:
            return False
        task, stolen, sequence = nxt
        error: TxError | None = None
        try:
            executor(task.tx_id)
        except Exception as exc:
            error = as_tx_error(exc)
        outcome = TaskOutcome(task.tx_id, task.priority, error, w, stolen, sequence)
        with run.lock:
            run.outcomes[task.tx_id] = outcome
        return True

    def _worker(self, run: _Run, w: int, executor: Callable[[TxId], object]) -> None:
        """One worker thread: take tasks until none is left; an interrupt stops every worker
        and is raised again by `execute_all`."""
        try:
            while self._step(run, w, executor):
                pass
        except BaseException as exc:
            with run.lock:
                run.abort = run.abort or exc

    # --- Statistics and the underlying scheduler --------------------------------------------

    def get_stats(self) -> WorkStealingStats:
        """PAR-WS-5: the counts of every `execute_all` so far."""
        with self._lock:
            return self._stats

    def get_scheduler(self) -> ParallelScheduler:
        """The seed's ``get_scheduler``: a `ParallelScheduler` for executors to run atomic
        operations on shared state (thread-safe: PAR-SCHED-5)."""
        return self._scheduler
