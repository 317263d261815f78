"""The same workers on real threads (spec/scheduling.md, SCHED-THREADS-1).

Each worker runs its steps back to back on its own thread; the scheduler's and the memory's
locks make every step's action atomic. The interleaving is whatever the operating system and
CPython choose, so the counters (executions, validations...) vary from run to run; the result
does not. Under CPython's global interpreter lock the threads take turns, so this mode shows
the algorithm is correct under real preemption, not that it is fast.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from ..errors import shown
from .errors import BlockStmError, InvalidArgument, WorkerCrashed
from .worker import BlockExecution, StepKind, Worker, WorkerCounters


@dataclass
class ThreadsReport:
    """SCHED-THREADS-1: the workers' counters summed."""

    workers: int
    counters: WorkerCounters = field(default_factory=WorkerCounters)


#: Seconds the calling thread waits on a worker at a time (it can be interrupted between).
JOIN_SLICE = 0.05


def run_on_threads(block: BlockExecution, workers: int) -> ThreadsReport:
    """SCHED-THREADS-1: run ``block`` to the end on ``workers`` threads. If a worker raises,
    the others are stopped (the scheduler is halted) and the error is raised here: a
    `BlockStmError` as it is, anything else wrapped in `WorkerCrashed`. An interrupt of the
    calling thread (Ctrl-C) halts the scheduler, waits for the workers and is raised as
    is."""
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise InvalidArgument(f"workers must be an integer >= 1, found {shown(workers)}")
    pool = [Worker(i, block) for i in range(workers)]
    errors: list[BaseException] = []
    errors_lock = threading.Lock()

    def drive(worker: Worker) -> None:
        try:
            for step in worker.steps():
                worker.counters.steps += 1
                if step.kind is StepKind.IDLE:
                    time.sleep(0)  # nothing to do: let another thread run
        except BaseException as e:  # reported to the caller below, never lost
            with errors_lock:
                errors.append(e)
            block.scheduler.halt()

    threads = [threading.Thread(target=drive, args=(w,), name=f"blockstm-worker-{w.worker_id}")
               for w in pool]
    for t in threads:
        t.start()
    try:
        for t in threads:
            while t.is_alive():  # in slices, so that Ctrl-C reaches the waiting thread
                t.join(JOIN_SLICE)
    except BaseException:  # KeyboardInterrupt: stop the workers, then pass it on
        block.scheduler.halt()
        for t in threads:
            t.join()
        raise
    if errors:
        first = errors[0]
        if isinstance(first, BlockStmError):
            raise first
        raise WorkerCrashed(f"{type(first).__name__}: {first}") from first
    total = WorkerCounters()
    for w in pool:
        for name in vars(total):
            setattr(total, name, getattr(total, name) + getattr(w.counters, name))
    return ThreadsReport(workers, total)
