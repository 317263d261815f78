"""Properties of Block-STM (spec/scheduling.md): for any block and any schedule, parallel
execution equals sequential execution in block order (SCHED-RESULT-1) -- outputs, every value
read in the final incarnation, final write set and final store -- like the proptests of Aptos'
block executor against its sequential baseline.

Blocks are mock programs (SCHED-MOCK-2) over universes of 2-10 keys, whose read and write sets
depend on the values they read, which delete keys and fail on purpose; and p2p transfers
(SCHED-MOCK-1) that may fail for lack of funds. Schedules are timed (seeded ties), uniformly
random, or a hypothesis-drawn script of worker choices followed by a random tail; 1-32 workers.

Example counts (kept modest so that the file runs in about 20 s here, well under 60 s on
two CI cores):
- small blocks (1-30 transactions, every op drawn by hypothesis): 300 examples;
- large blocks (1-500 transactions, generated from a drawn seed): 50 examples;
- p2p blocks (2-10 accounts, 1-500 transfers): 30 examples;
- fast-forward exactness (SCHED-SIM-5, 1-150 transactions): 40 examples;
- skip_failing_polls from reachable states: 100 examples;
- real threads (2 and 4 workers, 50-300 transactions): 12 examples.
A simulation is capped at 5 000 000 steps (the worst block seen, 500 transfers between 2
accounts, takes about 1 400 000), so a livelock fails instead of hanging.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supervm_ref.blockstm import (
    MvccScheduler,
    RandomSchedule,
    ScriptedSchedule,
    TimedSchedule,
    Transaction,
    execute_sequential,
)
from supervm_ref.blockstm.mock import (
    MockOp,
    MockProgram,
    account_key,
    encode_balance,
    p2p_transfer,
    universe_of,
)
from supervm_ref.blockstm.simulator import Schedule, simulate
from supervm_ref.blockstm.transaction import normalize_transactions
from supervm_ref.blockstm.vm import BlockStore
from supervm_ref.blockstm.worker import BlockExecution, Worker
from supervm_ref.runtime.storage import MemoryStorage

OP_KINDS = ("read", "read", "scan", "write", "write", "delete", "fail")
MAX_STEPS = 5_000_000   # a livelock would fail the test instead of hanging it

common = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                        HealthCheck.data_too_large])


class PlainTimed:
    """TimedSchedule's choice without being a TimedSchedule: the simulator then takes every
    step one by one (no heap, no fast-forward)."""

    def __init__(self, seed: int) -> None:
        self.timed = TimedSchedule(seed, fast_forward=False)

    def choose(self, candidates: Sequence[int], start_times: Sequence[int]) -> int:
        return self.timed.choose(candidates, start_times)


@st.composite
def schedules(draw: st.DrawFn) -> Schedule:
    """SCHED-SIM-1: a timed, random or scripted schedule."""
    seed = draw(st.integers(0, 2**32 - 1))
    kind = draw(st.sampled_from(["timed", "random", "scripted"]))
    if kind == "timed":
        return TimedSchedule(seed)
    if kind == "random":
        return RandomSchedule(seed)
    choices = draw(st.lists(st.integers(0, 31), max_size=300))
    return ScriptedSchedule(choices, RandomSchedule(seed))


@st.composite
def programs(draw: st.DrawFn, universe: tuple[bytes, ...]) -> MockProgram:
    """SCHED-MOCK-2: a mock program, every op drawn."""
    ops = draw(st.lists(st.builds(MockOp, st.sampled_from(OP_KINDS),
                                  st.integers(0, len(universe) - 1), st.booleans(),
                                  st.integers(1, 12)), max_size=6))
    return MockProgram(universe, tuple(ops), draw(st.integers(0, 2**16)),
                       draw(st.integers(1, 200)))


@st.composite
def initial_states(draw: st.DrawFn, universe: tuple[bytes, ...]) -> dict[bytes, bytes]:
    """Some keys of the universe set to short values."""
    return draw(st.dictionaries(st.sampled_from(universe), st.binary(min_size=0, max_size=4)))


@st.composite
def small_blocks(draw: st.DrawFn) -> tuple[dict[bytes, bytes], list[Transaction]]:
    """1-30 drawn mock programs over 2-10 keys, and an initial state."""
    universe = universe_of(draw(st.integers(2, 10)))
    block = draw(st.lists(programs(universe), min_size=1, max_size=30))
    return draw(initial_states(universe)), [p.transaction() for p in block]


def generated_block(size: int, keys: int, seed: int) -> tuple[dict[bytes, bytes],
                                                              list[Transaction]]:
    """A block of ``size`` mock programs over ``keys`` keys built from ``seed``."""
    rng = random.Random(seed)
    universe = universe_of(keys)
    block = []
    for _ in range(size):
        ops = tuple(MockOp(rng.choice(OP_KINDS), rng.randrange(keys), rng.random() < 0.5,
                           rng.randrange(1, 13)) for _ in range(rng.randrange(7)))
        block.append(MockProgram(universe, ops, rng.randrange(2**16),
                                 rng.randrange(1, 201)).transaction())
    initial = {k: rng.randbytes(rng.randrange(5)) for k in universe if rng.random() < 0.6}
    return initial, block


def assert_parallel_equals_sequential(initial: dict[bytes, bytes], block: list[Transaction],
                                      scheduler: MvccScheduler) -> None:
    """SCHED-RESULT-1 in full: result and final store."""
    parallel_store, sequential_store = MemoryStorage(initial), MemoryStorage(initial)
    parallel = scheduler.execute_batch(parallel_store, block)
    sequential = execute_sequential(sequential_store, block)
    assert parallel.outputs == sequential.outputs
    assert parallel.reads == sequential.reads
    assert parallel.write_set == sequential.write_set
    assert parallel_store.items() == sequential_store.items()
    assert parallel.stats.executions >= len(block)


@pytest.mark.slow
@settings(common, max_examples=300)
@given(small_blocks(), st.integers(1, 32), schedules())
def test_small_blocks_any_schedule(case: tuple[dict[bytes, bytes], list[Transaction]],
                                   workers: int, schedule: Schedule) -> None:
    """SCHED-RESULT-1, SCHED-SIM-1, SCHED-MOCK-2: drawn blocks, drawn schedules."""
    initial, block = case
    assert_parallel_equals_sequential(
        initial, block, MvccScheduler(workers=workers, schedule=schedule, max_steps=MAX_STEPS))


@pytest.mark.slow
@settings(common, max_examples=50)
@given(st.integers(1, 500), st.integers(2, 10), st.integers(0, 2**32 - 1),
       st.integers(1, 32), schedules())
def test_large_blocks_any_schedule(size: int, keys: int, seed: int, workers: int,
                                   schedule: Schedule) -> None:
    """SCHED-RESULT-1: blocks of up to 500 transactions generated from a drawn seed."""
    initial, block = generated_block(size, keys, seed)
    assert_parallel_equals_sequential(
        initial, block, MvccScheduler(workers=workers, schedule=schedule, max_steps=MAX_STEPS))


@pytest.mark.slow
@settings(common, max_examples=30)
@given(st.integers(2, 10), st.integers(1, 500), st.integers(0, 2**32 - 1), st.integers(1, 32),
       schedules())
def test_p2p_blocks_any_schedule(accounts: int, size: int, seed: int, workers: int,
                                 schedule: Schedule) -> None:
    """SCHED-RESULT-1, SCHED-MOCK-1: transfers with low balances, so that some fail."""
    rng = random.Random(seed)
    initial = {account_key(i): encode_balance(rng.randrange(20)) for i in range(accounts)}
    block = [p2p_transfer(account_key(rng.randrange(accounts)),
                          account_key(rng.randrange(accounts)), rng.randrange(1, 8),
                          rng.randrange(1, 1000)) for _ in range(size)]
    assert_parallel_equals_sequential(
        initial, block, MvccScheduler(workers=workers, schedule=schedule, max_steps=MAX_STEPS))


@pytest.mark.slow
@settings(common, max_examples=40)
@given(st.integers(1, 150), st.integers(2, 10), st.integers(0, 2**32 - 1), st.integers(2, 32),
       st.integers(0, 2**32 - 1))
def test_fast_forward_takes_the_same_steps(size: int, keys: int, seed: int, workers: int,
                                           schedule_seed: int) -> None:
    """SCHED-SIM-5: the timed schedule with fast-forwarded polls, without, and taken one step
    at a time by the generic loop, give the same makespan, steps and result."""
    initial, block = generated_block(size, keys, seed)
    reports = []
    for schedule in (TimedSchedule(schedule_seed), TimedSchedule(schedule_seed, False),
                     PlainTimed(schedule_seed)):
        execution = BlockExecution.start(normalize_transactions(block),
                                         BlockStore.of(MemoryStorage(initial)))
        report = simulate(execution, workers, schedule, max_steps=MAX_STEPS)
        outputs = [o.output if o else None for o in execution.last_outcomes]
        reports.append((report.makespan, report.steps, report.step_counts, outputs,
                        execution.memory.snapshot()))
    assert reports[0] == reports[1] == reports[2]


@settings(common, max_examples=100)
@given(st.integers(1, 40), st.integers(2, 6), st.integers(0, 2**32 - 1), st.integers(1, 8),
       st.integers(0, 2**32 - 1), st.integers(0, 2000), st.integers(0, 200))
def test_skip_failing_polls_equals_next_task(size: int, keys: int, seed: int, workers: int,
                                             script_seed: int, script_length: int,
                                             limit: int) -> None:
    """SCHED-SIM-5: from any reachable state (``script_length`` steps of random workers),
    skip_failing_polls(limit) leaves the scheduler as that many next_task calls would, each of
    which returns no task; and the call after them (if under the limit) is not a skip."""
    initial, block = generated_block(size, keys, seed)

    def reach() -> BlockExecution:
        execution = BlockExecution.start(normalize_transactions(block),
                                         BlockStore.of(MemoryStorage(initial)))
        running: list[Iterator[object]] = [Worker(i, execution).steps()
                                           for i in range(workers)]
        rng = random.Random(script_seed)
        for _ in range(script_length):
            next(running[rng.randrange(workers)], None)
        return execution

    bulk, one_by_one = reach().scheduler, reach().scheduler
    assert bulk.progress_marker() == one_by_one.progress_marker()
    performed = bulk.skip_failing_polls(limit)
    assert 0 <= performed <= limit
    for _ in range(performed):
        before = one_by_one.progress_marker()
        assert one_by_one.next_task() is None
        assert one_by_one.progress_marker()[:2] != before[:2]     # an index moved
    assert bulk.progress_marker() == one_by_one.progress_marker()
    if performed < limit and not one_by_one.done():
        before = one_by_one.progress_marker()
        task = one_by_one.next_task()
        assert task is not None or one_by_one.progress_marker()[:2] == before[:2]


@settings(common, max_examples=12)
@given(st.integers(50, 300), st.integers(2, 10), st.integers(0, 2**32 - 1),
       st.sampled_from([2, 4]))
def test_threads_equal_sequential(preemptive: None, size: int, keys: int, seed: int,
                                  threads: int) -> None:
    """SCHED-THREADS-1, SCHED-RESULT-1: real threads, generated blocks."""
    initial, block = generated_block(size, keys, seed)
    assert_parallel_equals_sequential(initial, block,
                                      MvccScheduler(workers=threads, mode="threads"))
