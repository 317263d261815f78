"""The deterministic simulator: N virtual workers on one thread (spec/scheduling.md,
SCHED-SIM-*).

Each virtual worker is a `Worker` whose steps the simulator takes one at a time; a `Schedule`
chooses which worker takes the next step -- the earliest in virtual time (`TimedSchedule`,
ties broken by a seeded generator), any worker at random (`RandomSchedule`), or a scripted
list of choices such as a hypothesis strategy draws (`ScriptedSchedule`).

Virtual time: a step's action happens when the step starts; the worker is then busy for the
step's cost (`CostModel`): the transaction's gas for the VM's computation, small constants for
everything else. A step starts no earlier than its worker is free and no earlier than the step
before it started, so any order of steps is also a consistent timeline; the *makespan* is the
time the last worker is free. Under `TimedSchedule` steps are taken in order of start time --
a discrete-event simulation of N workers running in parallel.

An idle worker (``next_task`` gave nothing and changed nothing) would only spin: it is parked
until a step changes the scheduler (SCHED-SIM-3), which gives the same result as spinning
without simulating the spins.
"""

from __future__ import annotations

import heapq
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ..errors import shown
from .errors import InvalidArgument, SimulationStalled
from .transaction import Key, Transaction, TxnOutcome
from .worker import BlockExecution, Step, StepKind, Worker, WorkerCounters


@dataclass(frozen=True)
class CostModel:
    """SCHED-SIM-2: the virtual time a step takes. The VM's computation costs the gas of the
    transaction; a validation read costs ``validation_read``; every other step (a scheduler
    call, one location written, removed or marked, an execution's read) costs ``step``. One
    unit is about one synchronised operation on shared state."""

    step: int = 1
    validation_read: int = 1

    def __post_init__(self) -> None:
        for name in ("step", "validation_read"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InvalidArgument(f"cost {name} must be an integer >= 1, found {shown(value)}")

    def cost(self, step: Step) -> int:
        """SCHED-SIM-2: the cost of ``step``."""
        if step.kind is StepKind.EXECUTE:
            return step.gas
        if step.kind is StepKind.VALIDATION_READ:
            return self.validation_read
        return self.step


DEFAULT_COSTS = CostModel()


class Schedule(Protocol):
    """SCHED-SIM-1: chooses which worker takes the next step."""

    def choose(self, candidates: Sequence[int], start_times: Sequence[int]) -> int:
        """One of ``candidates`` (worker ids in increasing order; ``start_times[i]`` is when
        ``candidates[i]``'s next step would start)."""
        ...


def check_seed(seed: object) -> int:
    """SCHED-API-3: a schedule's seed is an ``int`` (not a ``bool``); INVALID_ARGUMENT
    otherwise."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise InvalidArgument(f"a schedule's seed must be an integer, found "
                              f"{type(seed).__name__}")
    return seed


class TimedSchedule:
    """SCHED-SIM-1: the worker whose next step starts first; among workers starting at the same
    time, the one of lowest *rank*, a random order of the workers fixed by ``seed``. With
    ``fast_forward``, runs of idle polls are simulated in bulk (SCHED-SIM-5), which takes
    exactly the same steps."""

    def __init__(self, seed: int = 0, fast_forward: bool = True) -> None:
        self._rng = random.Random(check_seed(seed))
        self._ranks: dict[int, float] = {}
        self.fast_forward = bool(fast_forward)

    def rank(self, worker: int) -> tuple[float, int]:
        """The tie-breaking rank of ``worker`` (drawn the first time it is asked for)."""
        if worker not in self._ranks:
            self._ranks[worker] = self._rng.random()
        return self._ranks[worker], worker

    def choose(self, candidates: Sequence[int], start_times: Sequence[int]) -> int:
        """The candidate with the smallest (start time, rank)."""
        return min(zip(start_times, map(self.rank, candidates), candidates))[2]


class RandomSchedule:
    """SCHED-SIM-1: any candidate, uniformly, from a generator seeded with ``seed`` (times are
    ignored: an adversarial interleaving, not a performance model)."""

    def __init__(self, seed: int = 0) -> None:
        self._rng = random.Random(check_seed(seed))

    def choose(self, candidates: Sequence[int], start_times: Sequence[int]) -> int:
        """A uniformly random candidate."""
        return self._rng.choice(list(candidates))


class ScriptedSchedule:
    """SCHED-SIM-1: the i-th step goes to ``candidates[choices[i] % len(candidates)]``; after
    the script, ``then`` decides (a hypothesis strategy draws the script)."""

    def __init__(self, choices: Sequence[int], then: Schedule) -> None:
        if isinstance(choices, str | bytes) or not isinstance(choices, Sequence) or any(
                isinstance(c, bool) or not isinstance(c, int) or c < 0 for c in choices):
            raise InvalidArgument("choices must be a sequence of integers >= 0")
        check_schedule(then)
        self._choices = list(choices)
        self._position = 0
        self._then = then

    def choose(self, candidates: Sequence[int], start_times: Sequence[int]) -> int:
        """The scripted candidate while the script lasts."""
        if self._position < len(self._choices):
            choice = self._choices[self._position]
            self._position += 1
            return candidates[choice % len(candidates)]
        return self._then.choose(candidates, start_times)


@dataclass
class SimulationReport:
    """SCHED-SIM-2: what a simulated block took: the makespan in cost units, the number of
    steps of each kind, and the workers' counters summed."""

    workers: int
    makespan: int
    steps: int
    step_counts: dict[str, int] = field(default_factory=dict)
    counters: WorkerCounters = field(default_factory=WorkerCounters)


def check_schedule(schedule: object) -> None:
    """SCHED-API-3: a schedule is an object with a callable ``choose`` (INVALID_ARGUMENT
    otherwise)."""
    if not callable(getattr(schedule, "choose", None)):
        raise InvalidArgument(f"schedule must have a choose(candidates, start_times) method, "
                              f"found {type(schedule).__name__}")


def simulate(block: BlockExecution, workers: int, schedule: Schedule,
             costs: CostModel = DEFAULT_COSTS, max_steps: int | None = None) -> SimulationReport:
    """SCHED-SIM-1/2/3, SCHED-SIM-5: run ``block`` to the end on ``workers`` virtual workers,
    taking one step at a time from the worker ``schedule`` chooses."""
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise InvalidArgument(f"workers must be an integer >= 1, found {shown(workers)}")
    check_schedule(schedule)
    simulation = _Simulation(block, workers, schedule, costs, max_steps)
    try:
        simulation.run()
    finally:
        simulation.close()
    return simulation.report()


class _Simulation:
    """The state of one simulated block: the workers' generators and clocks."""

    def __init__(self, block: BlockExecution, workers: int, schedule: Schedule,
                 costs: CostModel, max_steps: int | None) -> None:
        self.block = block
        self.scheduler = block.scheduler
        self.schedule = schedule
        self.costs = costs
        self.max_steps = max_steps
        self.pool = [Worker(i, block) for i in range(workers)]
        self.running = {w.worker_id: w.steps() for w in self.pool}  # in worker order
        self.clock = [0] * workers          # when each worker is free
        self.polling = [False] * workers    # its last step was IDLE: its next one polls again
        self.parked: set[int] = set()       # idle workers waiting for the scheduler to change
        self.last_start = 0
        self.steps = 0
        self.kinds: Counter[StepKind] = Counter()

    def run(self) -> None:
        """Take steps until every worker has left its loop."""
        if isinstance(self.schedule, TimedSchedule):
            self._run_timed(self.schedule)
        else:
            self._run_any()

    def _run_any(self) -> None:
        """Any schedule: offer every running, unparked worker to ``schedule.choose``."""
        while self.running:
            candidates = [w for w in self.running if w not in self.parked]
            if not candidates:
                self._stalled()
            self._check_budget()
            start_times = [max(self.clock[w], self.last_start) for w in candidates]
            chosen = self.schedule.choose(list(candidates), start_times)
            # SCHED-API-3: a schedule may only choose one of the candidates it was offered.
            if isinstance(chosen, bool) or not isinstance(chosen, int) or chosen not in candidates:
                raise InvalidArgument(f"the schedule chose {shown(chosen)}, which is not one of "
                                      f"the candidate workers {candidates}")
            self.take_step(chosen)

    def _run_timed(self, schedule: TimedSchedule) -> None:
        """`TimedSchedule`: the same choice as ``_run_any`` would make -- smallest (start time,
        rank) -- kept in a heap. Here no unparked worker's clock is behind ``last_start``, so a
        worker's start time is its clock."""
        heap = [(self.clock[w], schedule.rank(w), w) for w in self.running]
        heapq.heapify(heap)
        while heap:
            if schedule.fast_forward and self.polling[heap[0][2]] and self.fast_forward_polls():
                heap = [(self.clock[w], schedule.rank(w), w) for w in self.running]
                heapq.heapify(heap)
            self._check_budget()
            _, rank, worker = heapq.heappop(heap)
            woken = list(self.parked)
            self.take_step(worker)
            if worker in self.running and worker not in self.parked:
                heapq.heappush(heap, (self.clock[worker], rank, worker))
            if woken and not self.parked:
                for w in woken:
                    heapq.heappush(heap, (self.clock[w], schedule.rank(w), w))
        if self.running:
            self._stalled()

    def close(self) -> None:
        """Stop every worker still running (after an error): each abandons the execution it is
        in, on this thread (SCHED-VM-2)."""
        for steps in self.running.values():
            steps.close()

    def _stalled(self) -> None:
        raise SimulationStalled(f"all {len(self.running)} running workers are idle and the "
                                f"scheduler cannot change, yet the block is not done")

    def _check_budget(self) -> None:
        if self.max_steps is not None and self.steps >= self.max_steps:
            raise SimulationStalled(f"step budget of {self.max_steps} steps exhausted")

    def take_step(self, worker: int) -> None:
        """SCHED-SIM-1/2/3: let ``worker`` take its next step at its start time. A step that
        changes the scheduler wakes every parked worker; an idle step that changes nothing
        parks its worker."""
        start = max(self.clock[worker], self.last_start)
        before = self.scheduler.progress_marker()
        try:
            step = next(self.running[worker])
        except StopIteration:       # the worker saw the done marker and left its loop
            del self.running[worker]
            return
        self.steps += 1
        self.kinds[step.kind] += 1
        self.last_start = start
        self.clock[worker] = start + self.costs.cost(step)
        self.polling[worker] = step.kind is StepKind.IDLE
        if self.scheduler.progress_marker() != before:
            for w in self.parked:   # SCHED-SIM-3: they would see the change when spinning
                self.clock[w] = max(self.clock[w], self.last_start)
            self.parked.clear()
        elif step.kind is StepKind.IDLE and not self.scheduler.done():
            self.parked.add(worker)

    def fast_forward_polls(self) -> bool:
        """SCHED-SIM-5: under `TimedSchedule`, the polls of idle workers that come before the
        next step of any other worker, and that only skip a transaction, are taken in bulk:
        the scheduler applies them (`Scheduler.skip_failing_polls`) and the polling workers'
        clocks advance as if each poll had been a step -- in (start time, rank) order, the
        order the schedule would have taken them in one at a time."""
        if self.parked or self.scheduler.done():
            return False
        schedule = self.schedule
        if not isinstance(schedule, TimedSchedule):
            return False
        pollers = [w for w in self.running if self.polling[w]]
        if not pollers:
            return False
        others = [w for w in self.running if not self.polling[w]]
        period = self.costs.step   # the cost of an IDLE step
        if others:
            bound: tuple[int, tuple[float, int]] | None = min(
                (self.clock[w], schedule.rank(w)) for w in others)
        else:
            bound = None
        # How many poll events come strictly before the bound, in (time, rank) order.
        if bound is None:
            limit = 2 * (self.scheduler.block_size + 1)   # more than any run of skips
        else:
            limit = sum(_events_before(self.clock[w], schedule.rank(w), period, bound)
                        for w in pollers)
        if self.max_steps is not None:
            limit = min(limit, self.max_steps - self.steps)
        if limit <= 0:
            return False
        performed = self.scheduler.skip_failing_polls(limit)
        if performed == 0:
            return False
        # The time of the last poll performed: the smallest t with `performed` events <= t.
        first = min(self.clock[w] for w in pollers)
        low, high = first, first + performed * period
        while low < high:
            middle = (low + high) // 2
            if sum(_events_until(self.clock[w], period, middle) for w in pollers) >= performed:
                high = middle
            else:
                low = middle + 1
        last_time = low
        remaining = performed - sum(_events_until(self.clock[w], period, last_time - 1)
                                    for w in pollers)
        at_last_time = sorted((w for w in pollers if self.clock[w] <= last_time
                               and (last_time - self.clock[w]) % period == 0),
                              key=schedule.rank)
        for w in pollers:
            taken = _events_until(self.clock[w], period, last_time - 1)
            if w in at_last_time[:remaining]:
                taken += 1
            self.clock[w] += taken * period
        self.steps += performed
        self.kinds[StepKind.IDLE] += performed
        self.last_start = last_time
        return True

    def report(self) -> SimulationReport:
        """The makespan, the step counts and the workers' counters summed."""
        total = WorkerCounters()
        for w in self.pool:
            for name in vars(total):
                setattr(total, name, getattr(total, name) + getattr(w.counters, name))
        total.steps = self.steps
        return SimulationReport(len(self.pool), max(self.clock), self.steps,
                                {k.value: self.kinds[k] for k in StepKind if self.kinds[k]},
                                total)


def _events_until(clock: int, period: int, time: int) -> int:
    """How many polls a worker free at ``clock`` and polling every ``period`` starts at or
    before ``time``."""
    return 0 if time < clock else (time - clock) // period + 1


def _events_before(clock: int, rank: tuple[float, int], period: int,
                   bound: tuple[int, tuple[float, int]]) -> int:
    """How many of those polls come strictly before the step at (time, rank) ``bound``."""
    time, bound_rank = bound
    before = _events_until(clock, period, time - 1)
    if clock <= time and (time - clock) % period == 0 and rank < bound_rank:
        before += 1
    return before


def critical_path(transactions: Sequence[Transaction], outcomes: Sequence[TxnOutcome]) -> int:
    """SCHED-SIM-4: the longest chain of read-after-write dependencies in block order, weighted
    by gas: transaction ``j`` depends on the last transaction before it that wrote a key ``j``
    read from outside its own writes (as sequential execution found them)."""
    chain = [0] * len(transactions)
    last_writer: dict[Key, int] = {}
    for j, (txn, outcome) in enumerate(zip(transactions, outcomes)):
        longest_before = max((chain[last_writer[k]] for k in outcome.outside_reads
                              if k in last_writer), default=0)
        chain[j] = longest_before + txn.gas
        for key, _ in outcome.write_set:
            last_writer[key] = j
    return max(chain, default=0)


def speedup_bound(total_gas: int, critical_path_gas: int, workers: int) -> float:
    """SCHED-SIM-4: no schedule beats ``min(workers, total gas / critical path)``."""
    if critical_path_gas <= 0:
        return float(workers)
    return min(float(workers), total_gas / critical_path_gas)
