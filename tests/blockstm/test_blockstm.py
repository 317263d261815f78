"""Block-STM (spec/scheduling.md): one or more tests per rule, on hand-built blocks and states.

The generated-block properties (parallel == sequential for any block and schedule) are in
tests/blockstm/test_blockstm_props.py.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping

import pytest

from supervm_ref.bench import parallel
from supervm_ref.blockstm import (
    BatchResult,
    CostModel,
    MvccScheduler,
    RandomSchedule,
    ReadRecord,
    ScanRecord,
    ScriptedSchedule,
    StoreFailed,
    TimedSchedule,
    Transaction,
    TxnFailure,
    TxnView,
    execute_sequential,
)
from supervm_ref.blockstm.errors import (
    BlockStmError,
    BlockStmErrorKind,
    InvalidArgument,
    InvariantViolated,
    SimulationStalled,
    WorkerCrashed,
)
from supervm_ref.blockstm.mock import (
    MockOp,
    MockProgram,
    account_key,
    decode_balance,
    encode_balance,
    p2p_transfer,
    universe_of,
)
from supervm_ref.blockstm.mv_memory import (
    ESTIMATE,
    MVMemory,
    ReadDependency,
    ReadDescriptor,
    ReadStorage,
    ReadVersion,
    ScanDescriptor,
    ScanVersions,
    TxnVersion,
)
from supervm_ref.blockstm.scheduler import Scheduler, SchedulerTask, Status, TaskKind
from supervm_ref.blockstm.simulator import critical_path, simulate, speedup_bound
from supervm_ref.blockstm.transaction import (
    RecordingView,
    TxnOutcome,
    normalize_transactions,
    run_body,
)
from supervm_ref.blockstm.vm import BlockStore, ReadRequest, VmExecution
from supervm_ref.blockstm.worker import BlockExecution, StepKind, Worker
from supervm_ref.runtime.storage import MemoryStorage

from .test_blockstm_props import generated_block

# --- helpers --------------------------------------------------------------------------------


class DictStore:
    """A duck-typed store: ``get``, ``set`` and ``delete`` over a dict, and no ``scan``."""

    def __init__(self, data: dict[bytes, bytes]) -> None:
        self.data = dict(data)

    def get(self, key: bytes) -> bytes | None:
        return self.data.get(key)

    def set(self, key: bytes, value: bytes) -> None:
        self.data[key] = value

    def delete(self, key: bytes) -> None:
        self.data.pop(key, None)


def store_of(**items: int) -> MemoryStorage:
    """A store of 8-byte balances under the given names."""
    return MemoryStorage({k.encode(): encode_balance(v) for k, v in items.items()})


def incr(key: bytes, by: int = 1, gas: int = 10) -> Transaction:
    """Read ``key`` and write it back plus ``by``; output the new value."""

    def body(view: TxnView) -> int:
        value = decode_balance(view.read(key)) + by
        view.write(key, encode_balance(value))
        return value

    return Transaction(body, gas, f"incr {key!r}")


def block_of(n: int, keys: int = 3) -> list[Transaction]:
    """``n`` increments over ``keys`` keys, round robin."""
    return [incr(b"k%d" % (i % keys), i + 1) for i in range(n)]


def both(store_items: dict[bytes, bytes], block: list[Transaction],
         scheduler: MvccScheduler) -> tuple[BatchResult, BatchResult, MemoryStorage,
                                             MemoryStorage]:
    """(parallel result, sequential result, parallel store, sequential store)."""
    parallel_store, sequential_store = MemoryStorage(store_items), MemoryStorage(store_items)
    return (scheduler.execute_batch(parallel_store, block),
            execute_sequential(sequential_store, block), parallel_store, sequential_store)


def take_executions(s: Scheduler, count: int) -> list[SchedulerTask]:
    """Call next_task until ``count`` execution tasks were handed out (validations of
    not-yet-executed transactions fail in between); returns them."""
    tasks: list[SchedulerTask] = []
    while len(tasks) < count:
        task = s.next_task()
        if task is not None:
            tasks.append(task)
    return tasks


def block_execution(block: list[Transaction], store: MemoryStorage | None = None
                    ) -> BlockExecution:
    """A fresh shared state for ``block``."""
    return BlockExecution.start(normalize_transactions(block),
                                BlockStore.of(store or MemoryStorage()))


# --- SCHED-RESULT-1 ----------------------------------------------------------------------------


def test_result_equals_sequential_on_a_contended_block() -> None:
    """SCHED-RESULT-1: outputs, reads, write set and final store equal sequential execution."""
    block = [*block_of(40, keys=2), p2p_transfer(b"k0", b"k1", 5, 7)]
    for workers in (1, 2, 4, 8, 32):
        par, seq, par_store, seq_store = both({b"k0": encode_balance(3)}, block,
                                              MvccScheduler(workers=workers))
        assert par == seq
        assert par.outputs == seq.outputs and par.reads == seq.reads
        assert par_store.items() == seq_store.items()
        assert par.stats.executions >= len(block)


def test_result_applies_write_set_in_key_order_with_deletions() -> None:
    """SCHED-RESULT-1: the final write set (key order, None = deleted) is applied to the store;
    keys written then deleted are deleted, a failed transaction's writes never land."""

    def delete_a(view: TxnView) -> None:
        view.delete(b"a")

    def write_then_fail(view: TxnView) -> None:
        view.write(b"z", b"never")
        raise ValueError("no")

    store = MemoryStorage({b"a": b"1", b"b": b"2"})
    block = [Transaction(delete_a), incr(b"c"), Transaction(write_then_fail)]
    result = MvccScheduler(workers=3).execute_batch(store, block)
    assert result.write_set == ((b"a", None), (b"c", encode_balance(1)))
    assert store.items() == [(b"b", b"2"), (b"c", encode_balance(1))]
    assert result.outputs[2] == TxnFailure("ValueError", "no")


# --- SCHED-TXN-* -------------------------------------------------------------------------------


def test_view_reads_own_writes_and_records_every_read() -> None:
    """SCHED-TXN-1: own writes answer reads; every read is recorded; outside reads listed."""
    outside = {b"x": b"1"}
    view = RecordingView(outside.get)
    assert view.read(b"x") == b"1"
    view.write(bytearray(b"x"), memoryview(b"2"))  # type: ignore[arg-type]
    assert view.read(b"x") == b"2"
    view.delete(b"x")
    assert view.read(b"x") is None
    assert view.read(b"y") is None
    assert view.reads == [ReadRecord(b"x", b"1"), ReadRecord(b"x", b"2"),
                          ReadRecord(b"x", None), ReadRecord(b"y", None)]
    assert view.outside_reads == [b"x", b"y"]
    assert view.writes == {b"x": None}


def test_view_rejects_bad_keys_and_values_as_failures() -> None:
    """SCHED-TXN-1, SCHED-TXN-3: a non-bytes key or value fails the transaction (INVALID_ACCESS),
    in both executors alike."""

    def bad_key(view: TxnView) -> None:
        view.read("text")  # type: ignore[arg-type]

    def bad_value(view: TxnView) -> None:
        view.write(b"k", 5)  # type: ignore[arg-type]

    block = [Transaction(bad_key), Transaction(bad_value), incr(b"k")]
    par, seq, _, _ = both({}, block, MvccScheduler(workers=2))
    assert par == seq
    assert isinstance(par.outputs[0], TxnFailure) and par.outputs[0].kind == "InvalidAccess"
    assert "a value must be bytes" in par.outputs[1].message  # type: ignore[attr-defined]
    assert par.outputs[2] == 1


def test_failure_discards_writes_keeps_reads() -> None:
    """SCHED-TXN-3: a failed body's output is a TxnFailure value, its writes are discarded and
    its reads kept."""

    def body(view: TxnView) -> None:
        view.read(b"a")
        view.write(b"a", b"x")
        raise RuntimeError("boom")

    outcome = run_body(Transaction(body), RecordingView({b"a": b"0"}.get))
    assert outcome.failed and outcome.output == TxnFailure("RuntimeError", "boom")
    assert outcome.write_set == () and outcome.reads == (ReadRecord(b"a", b"0"),)
    assert TxnFailure("RuntimeError", "boom") == TxnFailure("RuntimeError", "boom")


def test_transactions_forms_and_gas() -> None:
    """SCHED-TXN-4, SCHED-API-1: Transaction, plain callable (gas 1) and (id, callable) pairs;
    gas must be a non-negative integer."""

    def body(view: TxnView) -> int:
        return 7

    block = normalize_transactions([Transaction(body, 5), body, (42, body)])
    assert [t.gas for t in block] == [5, 1, 1]
    assert block[2].label == "42"
    for bad in ([Transaction(body, -1)], [Transaction(body, True)],
                [Transaction(body, 1.5)], [3], ["x"], 5, "abc"):  # type: ignore[arg-type]
        with pytest.raises(InvalidArgument):
            normalize_transactions(bad)  # type: ignore[arg-type]
    result = MvccScheduler(workers=2).execute_batch(MemoryStorage(), [body, (1, body)])
    assert result.outputs == (7, 7) and result.stats.sequential_cost == 2


def test_body_reading_in_finally_equals_sequential() -> None:
    """SCHED-TXN-2, SCHED-VM-1: a body runs once per incarnation, so reads in a ``finally:``
    block (or a context manager's ``__exit__``) are ordinary reads, in parallel as in
    sequential execution -- also when the execution is abandoned on a dependency meanwhile."""

    def careful(i: int) -> Transaction:
        def body(view: TxnView) -> int:
            try:
                a = decode_balance(view.read(b"a"))
                view.write(b"a", encode_balance(a + 1))
                return a
            finally:
                view.write(b"seen%d" % i, view.read(b"b") or b"-")
                view.write(b"b", encode_balance(i))
        return Transaction(body, 10)

    block = [careful(i) for i in range(12)]
    seq_store = MemoryStorage()
    seq = execute_sequential(seq_store, block)
    for workers in (1, 3, 8):
        for seed in range(5):
            store = MemoryStorage()
            par = MvccScheduler(workers=workers, schedule=RandomSchedule(seed)).execute_batch(
                store, block)
            assert par == seq and store.items() == seq_store.items()


def test_body_catching_the_control_signal_is_harmless() -> None:
    """SCHED-VM-2, SCHED-VM-3: a body that catches every exception, the executor's
    ``ExecutionAbandoned`` included, still gives the sequential result: an abandoned
    execution's outcome is never used, and any access it makes while unwinding raises the
    signal again."""

    def greedy(i: int) -> Transaction:
        def body(view: TxnView) -> int:
            try:
                value = decode_balance(view.read(b"k"))
            except BaseException:
                with contextlib.suppress(BaseException):
                    view.read(b"other")
                return -1
            view.write(b"k", encode_balance(value + i))
            return value
        return Transaction(body, 3)

    block = [greedy(i) for i in range(10)]
    seq = execute_sequential(MemoryStorage(), block)
    assert -1 not in seq.outputs
    for seed in range(10):
        par = MvccScheduler(workers=4, schedule=RandomSchedule(seed)).execute_batch(
            MemoryStorage(), block)
        assert par == seq


# --- SCHED-SEQ-1 -------------------------------------------------------------------------------


def test_sequential_baseline() -> None:
    """SCHED-SEQ-1: block order, successful writes visible to later transactions, the final
    write set applied to the store."""
    store = store_of(a=10)
    result = execute_sequential(store, [p2p_transfer(b"a", b"b", 4, 1),
                                        p2p_transfer(b"a", b"b", 7, 1),
                                        p2p_transfer(b"b", b"a", 1, 1)])
    assert result.outputs[0] == 6
    assert result.outputs[1] == TxnFailure("InsufficientBalance", "b'a' holds 6, needs 7")
    assert result.outputs[2] == 3
    assert result.reads[2] == (ReadRecord(b"b", encode_balance(4)),
                               ReadRecord(b"a", encode_balance(6)))
    assert decode_balance(store.get(b"a")) == 7 and decode_balance(store.get(b"b")) == 3
    assert result.stats.executions == 3 and result.stats.mode == "sequential"


# --- SCHED-MEM-* -------------------------------------------------------------------------------


def test_memory_read_takes_highest_lower_entry() -> None:
    """SCHED-MEM-1, SCHED-MEM-2, SCHED-MEM-4: the entry of the highest index below the reader;
    storage when none; a dependency on an ESTIMATE."""
    memory = MVMemory(6)
    assert memory.read(b"x", 3) == ReadStorage()
    memory.write(b"x", TxnVersion(1, 0), b"one")
    memory.write(b"x", TxnVersion(4, 2), None)
    assert memory.read(b"x", 1) == ReadStorage()
    assert memory.read(b"x", 2) == ReadVersion(TxnVersion(1, 0), b"one")
    assert memory.read(b"x", 4) == ReadVersion(TxnVersion(1, 0), b"one")
    assert memory.read(b"x", 5) == ReadVersion(TxnVersion(4, 2), None)
    memory.finish_record(1, frozenset({b"x"}), ())
    memory.mark_estimate(b"x", 1)
    assert memory.read(b"x", 3) == ReadDependency(1)
    assert repr(ESTIMATE) == "ESTIMATE"


def test_memory_record_and_wrote_new_location() -> None:
    """SCHED-MEM-3: unwritten locations are removed; wrote_new_location only when the set
    grows; removing a missing entry is an invariant violation."""
    memory = MVMemory(2)
    for loc in (b"a", b"b"):
        memory.write(loc, TxnVersion(0, 0), b"v")
    assert memory.finish_record(0, frozenset({b"a", b"b"}), ()) is True
    memory.write(b"a", TxnVersion(0, 1), b"w")
    assert memory.unwritten_locations(0, frozenset({b"a"})) == [b"b"]
    memory.remove(b"b", 0)
    assert memory.finish_record(0, frozenset({b"a"}), ()) is False
    assert memory.read(b"b", 1) == ReadStorage()
    assert memory.written_locations(0) == [b"a"]
    memory.write(b"c", TxnVersion(0, 2), b"c")
    assert memory.finish_record(0, frozenset({b"a", b"c"}), ()) is True
    with pytest.raises(InvariantViolated):
        memory.remove(b"b", 0)
    with pytest.raises(InvariantViolated):
        memory.remove(b"never", 0)
    with pytest.raises(InvariantViolated):
        memory.write(b"a", TxnVersion(2, 0), b"out of block")


def test_memory_validation_is_by_version_not_value() -> None:
    """SCHED-MEM-5: the same value written by a new incarnation invalidates the old read; a
    storage read stays valid until someone writes; a dependency is never valid."""
    memory = MVMemory(3)
    memory.write(b"x", TxnVersion(0, 0), b"same")
    seen = ReadDescriptor(b"x", TxnVersion(0, 0))
    assert memory.validate_read(seen, 2)
    memory.write(b"x", TxnVersion(0, 1), b"same")
    assert not memory.validate_read(seen, 2)
    assert memory.validate_read(ReadDescriptor(b"y", None), 2)
    memory.write(b"y", TxnVersion(1, 0), b"new")
    assert not memory.validate_read(ReadDescriptor(b"y", None), 2)
    memory.finish_record(1, frozenset({b"y"}), (seen,))
    memory.mark_estimate(b"y", 1)
    assert not memory.validate_read(ReadDescriptor(b"y", TxnVersion(1, 0)), 2)
    assert memory.read_set(1) == (seen,)


def test_memory_snapshot() -> None:
    """SCHED-MEM-6: the final value per written location, key order, deletions as None; an
    ESTIMATE left behind is an invariant violation."""
    memory = MVMemory(2)
    memory.write(b"b", TxnVersion(0, 0), b"0")
    memory.write(b"b", TxnVersion(1, 0), None)
    memory.write(b"a", TxnVersion(0, 0), b"a0")
    memory.write(b"c", TxnVersion(1, 0), b"c1")
    memory.remove(b"c", 1)
    assert memory.snapshot() == ((b"a", b"a0"), (b"b", None))
    memory.finish_record(0, frozenset({b"a", b"b"}), ())
    memory.mark_estimate(b"a", 0)
    with pytest.raises(InvariantViolated):
        memory.snapshot()


def test_memory_convert_writes_to_estimates() -> None:
    """SCHED-MEM-7: every last-written location of the aborted transaction becomes ESTIMATE;
    marking a location it has no entry at is an invariant violation."""
    memory = MVMemory(3)
    for loc in (b"p", b"q"):
        memory.write(loc, TxnVersion(1, 0), b"v")
    memory.finish_record(1, frozenset({b"p", b"q"}), ())
    for loc in memory.written_locations(1):
        memory.mark_estimate(loc, 1)
    assert memory.read(b"p", 2) == memory.read(b"q", 2) == ReadDependency(1)
    with pytest.raises(InvariantViolated):
        memory.mark_estimate(b"p", 0)
    with pytest.raises(InvariantViolated):
        memory.mark_estimate(b"zz", 1)
    with pytest.raises(InvalidArgument):
        MVMemory(-1)


# --- SCHED-VM-* --------------------------------------------------------------------------------


def test_vm_execution_one_read_at_a_time() -> None:
    """SCHED-VM-1, SCHED-VM-2: the body runs once, suspended at each outside read; storage and
    versioned reads are recorded in the read set; a dependency stops the execution, which is
    abandoned (the body unwinds)."""
    memory = MVMemory(3)
    memory.write(b"b", TxnVersion(0, 4), encode_balance(9))
    storage = BlockStore.of(MemoryStorage({b"a": encode_balance(5)}))
    runs = []

    def transfer(view: TxnView) -> object:
        runs.append(1)
        return p2p_transfer(b"a", b"b", 2, 1).body(view)

    execution = VmExecution(Transaction(transfer), 1, memory, storage)
    assert execution.start() == ReadRequest(b"a")
    assert execution.perform(ReadRequest(b"a")) is None
    assert execution.resume() == ReadRequest(b"b")
    assert execution.perform(ReadRequest(b"b")) is None
    outcome = execution.resume()
    assert isinstance(outcome, TxnOutcome)
    assert outcome.output == 3 and len(runs) == 1
    assert outcome.write_set == ((b"a", encode_balance(3)), (b"b", encode_balance(11)))
    assert execution.read_set() == (ReadDescriptor(b"a", None),
                                    ReadDescriptor(b"b", TxnVersion(0, 4)))
    memory.finish_record(0, frozenset({b"b"}), ())
    memory.mark_estimate(b"b", 0)
    unwound = []

    def blocked_body(view: TxnView) -> None:
        try:
            view.read(b"b")
        finally:
            unwound.append(True)

    blocked = VmExecution(Transaction(blocked_body), 2, memory, storage)
    assert blocked.start() == ReadRequest(b"b")
    assert blocked.perform(ReadRequest(b"b")) == 0
    assert blocked.read_set() == () and not unwound
    blocked.abandon()
    assert unwound == [True]


# --- SCHED-STATUS-*, SCHED-SCHED-* -------------------------------------------------------------


def test_initial_tasks_lowest_index_first() -> None:
    """SCHED-SCHED-1, SCHED-SCHED-3, SCHED-SCHED-4: executions are handed out in index order,
    each transaction once; while validation_idx < execution_idx the next task is a validation,
    and validating a transaction that is not EXECUTED gives nothing but moves the index."""
    s = Scheduler(3)
    assert s.status(0) == (0, Status.READY_TO_EXECUTE)
    assert s.next_task() == SchedulerTask(TaskKind.EXECUTION, TxnVersion(0, 0))
    assert s.next_task() is None                    # validation of 0: still EXECUTING
    assert s.validation_idx.load() == 1
    assert s.next_task() == SchedulerTask(TaskKind.EXECUTION, TxnVersion(1, 0))
    assert s.status(1) == (0, Status.EXECUTING)
    assert s.num_active_tasks.load() == 2
    assert s.finish_execution(0, 0, wrote_new_location=True) is None
    assert s.validation_idx.load() == 0             # validation passed 0: back to it
    assert s.next_task() == SchedulerTask(TaskKind.VALIDATION, TxnVersion(0, 0))
    assert s.next_task() is None                    # 1 is still EXECUTING
    assert s.validation_idx.load() == 2
    assert s.next_task() == SchedulerTask(TaskKind.EXECUTION, TxnVersion(2, 0))
    assert s.try_incarnate(2) is None and s.try_incarnate(7) is None
    with pytest.raises(InvalidArgument):
        Scheduler(-1)


def test_decrease_indices_count() -> None:
    """SCHED-SCHED-2: decreases take the minimum and are counted."""
    s = Scheduler(10)
    for _ in range(5):
        s.execution_idx.fetch_and_increment()
    s.decrease_execution_idx(7)
    assert s.execution_idx.load() == 5
    s.decrease_execution_idx(2)
    s.decrease_validation_idx(0)
    assert s.execution_idx.load() == 2 and s.validation_idx.load() == 0
    assert s.decrease_cnt.load() == 3


def test_status_transitions_are_checked() -> None:
    """SCHED-STATUS-1, SCHED-STATUS-2: only the listed transitions; set_ready_status bumps the
    incarnation; anything else is an invariant violation."""
    s = Scheduler(2)
    with pytest.raises(InvariantViolated):
        s.finish_execution(0, 0, False)          # READY -> EXECUTED is not a transition
    with pytest.raises(InvariantViolated):
        s.set_ready_status(0)                    # READY -> READY is not either
    take_executions(s, 2)
    with pytest.raises(InvariantViolated):
        s.finish_execution(0, 3, False)          # wrong incarnation
    assert s.finish_execution(0, 0, False) == SchedulerTask(TaskKind.VALIDATION, TxnVersion(0, 0))
    assert s.try_validation_abort(0, 0)
    assert s.status(0) == (0, Status.ABORTING)
    s.set_ready_status(0)
    assert s.status(0) == (1, Status.READY_TO_EXECUTE)


def test_finish_execution_revalidates_when_write_set_grows() -> None:
    """SCHED-SCHED-5: past validation, a new location lowers validation_idx to the transaction;
    otherwise its own validation task is returned; before validation, nothing."""
    s = Scheduler(3)
    take_executions(s, 3)
    assert s.validation_idx.load() == 2
    assert s.finish_execution(1, 0, wrote_new_location=True) is None
    assert s.validation_idx.load() == 1
    assert s.finish_execution(2, 0, wrote_new_location=True) is None   # not validated yet
    assert s.validation_idx.load() == 1
    assert s.next_task() == SchedulerTask(TaskKind.VALIDATION, TxnVersion(1, 0))
    assert s.next_task() == SchedulerTask(TaskKind.VALIDATION, TxnVersion(2, 0))
    assert s.validation_idx.load() == 3
    assert s.finish_execution(0, 0, wrote_new_location=True) is None
    assert s.validation_idx.load() == 0
    # An incarnation that wrote no new location: only itself is validated.
    s2 = Scheduler(2)
    take_executions(s2, 2)
    s2.finish_execution(1, 0, True)
    assert s2.next_task() == SchedulerTask(TaskKind.VALIDATION, TxnVersion(1, 0))
    active = s2.num_active_tasks.load()
    assert s2.finish_execution(0, 0, False) == SchedulerTask(TaskKind.VALIDATION, TxnVersion(0, 0))
    assert s2.num_active_tasks.load() == active   # the task count carries over
    assert s2.validation_idx.load() == 2


def test_dependencies_suspend_and_resume() -> None:
    """SCHED-SCHED-6: add_dependency suspends (ABORTING) unless the blocker is EXECUTED; the
    blocker's finish_execution resumes it with a new incarnation and lowers execution_idx."""
    s = Scheduler(3)
    take_executions(s, 3)
    active = s.num_active_tasks.load()
    assert s.add_dependency(2, 0) is True
    assert s.status(2) == (0, Status.ABORTING)
    assert s.num_active_tasks.load() == active - 1
    assert s.finish_execution(1, 0, False) == SchedulerTask(TaskKind.VALIDATION, TxnVersion(1, 0))
    assert s.add_dependency(0, 1) is False      # transaction 1 is EXECUTED: re-execute now
    assert s.status(0) == (0, Status.EXECUTING) and s.execution_idx.load() == 3
    assert s.finish_execution(0, 0, False) == SchedulerTask(TaskKind.VALIDATION, TxnVersion(0, 0))
    assert s.status(2) == (1, Status.READY_TO_EXECUTE)
    assert s.execution_idx.load() == 2
    assert s.next_task() == SchedulerTask(TaskKind.EXECUTION, TxnVersion(2, 1))


def test_validation_abort_at_most_once_and_reexecution() -> None:
    """SCHED-SCHED-7: an incarnation is aborted at most once; an abort schedules validation of
    the higher transactions and returns the re-execution when execution passed it."""
    s = Scheduler(3)
    take_executions(s, 3)
    for i in range(3):
        s.finish_execution(i, 0, True)
    decreases = s.decrease_cnt.load()
    assert s.try_validation_abort(1, 0) is True
    assert s.try_validation_abort(1, 0) is False       # second failed validation: no abort
    assert s.try_validation_abort(0, 5) is False       # not its incarnation
    assert s.finish_validation(1, aborted=True) == SchedulerTask(TaskKind.EXECUTION,
                                                                 TxnVersion(1, 1))
    assert s.status(1) == (1, Status.EXECUTING)
    assert s.validation_idx.load() == 0 and s.decrease_cnt.load() == decreases + 1
    active = s.num_active_tasks.load()
    assert s.finish_validation(1, aborted=False) is None
    assert s.num_active_tasks.load() == active - 1


def test_check_done() -> None:
    """SCHED-SCHED-8: done only when both indices passed the block and no task is active."""
    s = Scheduler(1)
    assert s.next_task() == SchedulerTask(TaskKind.EXECUTION, TxnVersion(0, 0))
    assert s.next_task() is None and not s.done()   # validation finds it EXECUTING
    assert s.finish_execution(0, 0, True) is None
    assert s.validation_idx.load() == 0
    assert s.next_task() == SchedulerTask(TaskKind.VALIDATION, TxnVersion(0, 0))
    s.check_done()
    assert not s.done()                             # a task is active
    assert s.finish_validation(0, aborted=False) is None
    assert s.next_task() is None and s.done()
    empty = Scheduler(0)
    assert empty.next_task() is None and empty.done()


def test_skip_failing_polls_matches_next_task() -> None:
    """SCHED-SIM-5: skip_failing_polls moves exactly as that many failing next_task calls and
    stops before the first call that hands out a task."""
    def fresh() -> Scheduler:
        s = Scheduler(6)
        take_executions(s, 6)
        s.add_dependency(3, 2)
        s.add_dependency(4, 2)
        s.finish_execution(5, 0, True)
        s.decrease_execution_idx(1)
        return s
    bulk, one_by_one = fresh(), fresh()
    performed = bulk.skip_failing_polls(100)
    assert performed == 5   # executions 1..5 are not READY; then validation of 5 is possible
    for _ in range(performed):
        assert one_by_one.next_task() is None
    assert bulk.progress_marker()[:5] == one_by_one.progress_marker()[:5]
    assert bulk.next_task() == one_by_one.next_task() == SchedulerTask(TaskKind.VALIDATION,
                                                              TxnVersion(5, 0))
    assert bulk.skip_failing_polls(0) == 0
    assert fresh().skip_failing_polls(2) == 2


# --- SCHED-WORKER-* ----------------------------------------------------------------------------


def test_worker_steps_for_one_transaction() -> None:
    """SCHED-WORKER-1..4, SCHED-WORKER-2: the exact steps of one worker on one transfer."""
    block = block_execution([p2p_transfer(b"a", b"b", 1, 50)], store_of(a=5))
    steps = list(Worker(0, block).steps())
    assert [s.kind for s in steps] == [
        StepKind.NEXT_TASK, StepKind.EXECUTION_READ, StepKind.EXECUTION_READ,
        StepKind.EXECUTE, StepKind.WRITE, StepKind.WRITE, StepKind.RECORD,
        StepKind.FINISH_EXECUTION, StepKind.NEXT_TASK, StepKind.VALIDATION_READ,
        StepKind.VALIDATION_READ, StepKind.FINISH_VALIDATION, StepKind.IDLE]
    assert steps[3].gas == 50 and all(s.txn_idx == 0 for s in steps[:-1])
    assert block.scheduler.done()


def test_worker_dependency_and_abort_paths() -> None:
    """SCHED-WORKER-3, SCHED-WORKER-4: a failed validation aborts and converts the writes to
    ESTIMATEs and the re-execution follows at once; a read of an ESTIMATE suspends."""
    K = StepKind
    block = block_execution([incr(b"k"), incr(b"k")])
    w0, w1 = Worker(0, block), Worker(1, block)
    g0, g1 = w0.steps(), w1.steps()
    assert next(g0).kind is K.NEXT_TASK                   # w0 takes transaction 0
    # w1: validating 0 gives nothing, then it executes 1 on storage (k absent).
    assert [next(g1).kind for _ in range(7)] == [
        K.IDLE, K.NEXT_TASK, K.EXECUTION_READ, K.EXECUTE, K.WRITE, K.RECORD,
        K.FINISH_EXECUTION]
    # w0 finishes 0: k is a new location and validation passed 0, so all is validated again.
    assert [next(g0).kind for _ in range(5)] == [
        K.EXECUTION_READ, K.EXECUTE, K.WRITE, K.RECORD, K.FINISH_EXECUTION]
    # w1 validates 0 (fine), then 1: k changed -> abort, ESTIMATE, re-execution handed back.
    assert [next(g1).kind for _ in range(9)] == [
        K.NEXT_TASK, K.VALIDATION_READ, K.FINISH_VALIDATION, K.NEXT_TASK, K.VALIDATION_READ,
        K.ABORT, K.ESTIMATE, K.FINISH_VALIDATION, K.EXECUTION_READ]
    assert w1.counters.aborts == 1 and w1.counters.validation_failures == 1
    assert block.scheduler.status(1) == (1, Status.EXECUTING)
    assert block.memory.read(b"k", 2) == ReadDependency(1)
    rest = list(g1) + list(g0)
    assert K.EXECUTE in [s.kind for s in rest]
    assert block.scheduler.done() and block.last_outcomes[1].output == 2  # type: ignore[union-attr]
    # A dependency: transaction 1 reads the ESTIMATE of transaction 0, which is EXECUTING.
    block = block_execution([incr(b"k"), incr(b"k")])
    block.memory.write(b"k", TxnVersion(0, 0), b"")
    block.memory.finish_record(0, frozenset({b"k"}), ())
    block.memory.mark_estimate(b"k", 0)
    assert block.scheduler.next_task() == SchedulerTask(TaskKind.EXECUTION, TxnVersion(0, 0))
    worker = Worker(1, block)
    g = worker.steps()
    assert [next(g).kind for _ in range(5)] == [K.IDLE, K.NEXT_TASK, K.EXECUTION_READ,
                                                K.DEPENDENCY, K.IDLE]
    assert worker.counters.dependencies == 1 and worker.counters.vm_runs == 1
    assert block.scheduler.status(1) == (0, Status.ABORTING)


# --- SCHED-SIM-* -------------------------------------------------------------------------------


def test_schedules_choose_as_documented() -> None:
    """SCHED-SIM-1: timed = smallest (start, rank); random and scripted pick candidates."""
    timed = TimedSchedule(3)
    assert timed.choose([0, 1, 2], [5, 2, 9]) == 1
    tied = timed.choose([0, 1, 2], [1, 1, 1])
    assert tied == min((0, 1, 2), key=timed.rank)
    assert RandomSchedule(1).choose([4, 7], [0, 0]) in (4, 7)
    scripted = ScriptedSchedule([5, 0], then=TimedSchedule(0))
    assert scripted.choose([0, 1, 2], [0, 0, 0]) == 2
    assert scripted.choose([0, 1, 2], [0, 0, 0]) == 0
    assert scripted.choose([0, 1, 2], [9, 1, 9]) == 1


def test_cost_model_and_makespan_of_one_worker() -> None:
    """SCHED-SIM-2: one worker's makespan is the sum of its steps' costs: gas for execute,
    validation_read per validation read, step for the rest; speedup = gas / makespan."""
    block = [p2p_transfer(b"a", b"b", 1, 100), p2p_transfer(b"b", b"c", 1, 30)]
    costs = CostModel(step=2, validation_read=5)
    result = MvccScheduler(workers=1, costs=costs).execute_batch(store_of(a=9), block)
    # Per transfer: next_task, 2 reads, 2 writes, record, finish (7 steps), next_task,
    # finish_validation (2 steps), 2 validation reads; one last idle step ends the block.
    assert result.stats.makespan == 130 + 2 * (9 * 2 + 2 * 5) + 2
    assert result.stats.speedup == 130 / result.stats.makespan
    for bad in (0, -1, True, 1.5):
        with pytest.raises(InvalidArgument):
            CostModel(step=bad)  # type: ignore[arg-type]


def test_parking_and_stall_detection() -> None:
    """SCHED-SIM-3: idle workers are parked and woken, so a block with many workers and few
    transactions ends; a step budget that runs out raises SimulationStalled."""
    result = MvccScheduler(workers=32).execute_batch(MemoryStorage(), block_of(3))
    assert result.outputs == (1, 2, 3)
    assert result.stats.steps < 400
    with pytest.raises(SimulationStalled) as info:
        MvccScheduler(workers=2, max_steps=5).execute_batch(MemoryStorage(), block_of(4))
    assert info.value.kind is BlockStmErrorKind.SIMULATION_STALLED


def test_critical_path_and_bound() -> None:
    """SCHED-SIM-4: longest gas-weighted chain of read-after-write dependencies; the bound is
    min(workers, total / chain); own-write reads are no dependency."""

    def blind_then_read(view: TxnView) -> None:
        view.write(b"x", b"1")
        view.read(b"x")

    block = [incr(b"x", gas=10), incr(b"y", gas=2), incr(b"x", gas=5),
             Transaction(blind_then_read, 7), incr(b"x", gas=1)]
    seq = execute_sequential(MemoryStorage(), block)
    assert critical_path(block, seq.outcomes) == 15     # 10 -> 5; the blind write cuts x's chain
    without_blind = block[:3] + block[4:]
    seq = execute_sequential(MemoryStorage(), without_blind)
    assert critical_path(without_blind, seq.outcomes) == 16     # 10 -> 5 -> 1
    assert speedup_bound(43, 8, 4) == 4.0
    assert speedup_bound(43, 20, 4) == 43 / 20
    assert speedup_bound(0, 0, 3) == 3.0
    assert critical_path([], []) == 0


def test_fast_forward_is_exact() -> None:
    """SCHED-SIM-5: with and without fast-forwarding idle polls, the same steps are taken."""
    initial, block = parallel.p2p_block(3, 120, seed=5, gas=40)
    reports = []
    for fast in (True, False):
        b = block_execution(block, MemoryStorage(initial))
        r = simulate(b, 16, TimedSchedule(2, fast_forward=fast))
        reports.append((r.makespan, r.steps, r.step_counts))
    assert reports[0] == reports[1]
    assert reports[0][2]["idle"] > 100


def test_simulation_is_deterministic() -> None:
    """SCHED-SIM-1: the same seed gives the same statistics; the result never depends on it."""
    block = block_of(60, keys=4)
    runs = [MvccScheduler(workers=8, seed=seed).execute_batch(MemoryStorage(), block)
            for seed in (1, 1, 2)]
    assert runs[0].stats == runs[1].stats
    assert runs[0] == runs[1] == runs[2]


# --- SCHED-THREADS-1 ---------------------------------------------------------------------------


@pytest.mark.parametrize("threads", [2, 4])
def test_threads_equal_sequential(threads: int, preemptive: None) -> None:
    """SCHED-THREADS-1, SCHED-RESULT-1: real threads give the sequential result."""
    universe = universe_of(4)
    programs = [MockProgram(universe, (MockOp("read", i % 4), MockOp("read", 1, True),
                                       MockOp("write", i % 3, True, i),
                                       MockOp("fail", 0, False, 5)), seed=i)
                for i in range(60)]
    blocks = [block_of(80, keys=3), [p.transaction() for p in programs],
              parallel.p2p_block(5, 100, seed=threads)[1]]
    initial = {b"k1": b"\x01\x02", **parallel.p2p_block(5, 0, 0)[0]}
    for block in blocks:
        par, seq, par_store, seq_store = both(initial, block,
                                              MvccScheduler(workers=threads, mode="threads"))
        assert par == seq and par_store.items() == seq_store.items()
        assert par.stats.mode == "threads" and par.stats.makespan is None
        assert par.stats.speedup is None


def test_worker_crash_is_reported(preemptive: None) -> None:
    """SCHED-THREADS-1: a worker's error stops the others and is raised, typed."""

    class Boom(BaseException):
        pass

    def explode(view: TxnView) -> None:
        raise Boom("escaped the body")

    with pytest.raises(WorkerCrashed) as info:
        MvccScheduler(workers=2, mode="threads").execute_batch(
            MemoryStorage(), [*block_of(5), Transaction(explode)])
    assert "Boom" in str(info.value)


# --- SCHED-API-* -------------------------------------------------------------------------------


def test_api_validation_errors() -> None:
    """SCHED-API-1, SCHED-API-3: bad configuration and bad stores are typed errors."""
    for kwargs in ({"workers": 0}, {"workers": True}, {"mode": "gpu"}, {"seed": "x"},
                   {"costs": object()}, {"max_steps": 0},
                   {"mode": "threads", "schedule": TimedSchedule()}):
        with pytest.raises(InvalidArgument) as info:
            MvccScheduler(**kwargs)
        assert isinstance(info.value, BlockStmError)
        assert info.value.kind is BlockStmErrorKind.INVALID_ARGUMENT
    with pytest.raises(InvalidArgument):
        MvccScheduler().execute_batch(object(), [])  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument):
        simulate(block_execution([]), 0, TimedSchedule())


def test_api_schedule_is_validated() -> None:
    """SCHED-API-3 (review regression): a schedule without a callable choose is rejected by
    the constructor and by simulate, and a schedule that chooses a worker outside the
    candidates is INVALID_ARGUMENT, not IndexError."""
    class NoChoose:
        choose = 5

    for bad in (5, object(), NoChoose()):
        with pytest.raises(InvalidArgument) as info:
            MvccScheduler(workers=2, schedule=bad)  # type: ignore[arg-type]
        assert info.value.kind is BlockStmErrorKind.INVALID_ARGUMENT
        with pytest.raises(InvalidArgument):
            simulate(block_execution([]), 2, bad)  # type: ignore[arg-type]

    class Chooses:
        def __init__(self, worker: object) -> None:
            self.worker = worker

        def choose(self, candidates: list[int], start_times: list[int]) -> object:
            return self.worker

    for worker in (99, -1, True, "0", None):
        scheduler = MvccScheduler(workers=2, schedule=Chooses(worker))  # type: ignore[arg-type]
        with pytest.raises(InvalidArgument) as info:
            scheduler.execute_batch(MemoryStorage(), [lambda v: v.read(b"a")])
        assert "not one of the candidate workers" in str(info.value)
    class Last:
        def choose(self, candidates: list[int], start_times: list[int]) -> int:
            return candidates[-1]

    # a schedule that always picks a candidate still works
    result = MvccScheduler(workers=2, schedule=Last()).execute_batch(
        MemoryStorage(), [lambda v: v.read(b"a")])
    assert result.outputs == (None,)


def test_api_duck_typed_store_and_empty_block() -> None:
    """SCHED-API-1: any object with get/set/delete works; an empty block is valid."""
    def body(view: TxnView) -> None:
        view.delete(b"gone")
        view.write(b"new", b"1")

    store = DictStore({b"gone": b"x"})
    result = MvccScheduler(workers=3).execute_batch(store, [body])
    assert store.data == {b"new": b"1"} and result.outputs == (None,)
    empty = MvccScheduler(workers=3).execute_batch(store, [])
    assert empty.outputs == () and empty.write_set == () and empty.stats.executions == 0
    assert empty.stats.executions_per_txn == 0.0


def test_api_stats_accumulate() -> None:
    """SCHED-API-2: per-batch statistics and totals over batches."""
    scheduler = MvccScheduler(workers=4)
    first = scheduler.execute_batch(MemoryStorage(), block_of(20, keys=1))
    second = scheduler.execute_batch(MemoryStorage(), block_of(5, keys=5))
    totals = scheduler.stats()
    assert totals.batches == 2 and totals.transactions == 25
    assert totals.executions == first.stats.executions + second.stats.executions
    assert totals.validations == first.stats.validations + second.stats.validations
    assert totals.aborts == first.stats.aborts + second.stats.aborts
    assert totals.dependencies == first.stats.dependencies + second.stats.dependencies
    assert totals.last_batch == second.stats
    assert first.stats.executions > 20      # one key: re-executions are unavoidable
    assert first.stats.vm_runs >= first.stats.executions
    assert first.stats.validation_failures >= first.stats.aborts
    assert MvccScheduler().stats().batches == 0


# --- SCHED-MOCK-*, SCHED-BENCH-* ---------------------------------------------------------------


def test_p2p_transfer() -> None:
    """SCHED-MOCK-1: reads sender then receiver, writes both, fails without funds."""
    store = store_of(s=5)
    result = execute_sequential(store, [p2p_transfer(b"s", b"r", 5, 1),
                                        p2p_transfer(b"s", b"r", 1, 1)])
    assert result.outputs[0] == 0 and isinstance(result.outputs[1], TxnFailure)
    assert [r.key for r in result.reads[0]] == [b"s", b"r"]
    assert decode_balance(store.get(b"r")) == 5 and decode_balance(store.get(b"s")) == 0
    assert account_key(7) == b"balance/000007"


def test_mock_program_sets_depend_on_values() -> None:
    """SCHED-MOCK-2: dynamic keys follow the values read; fail ops fail on the accumulator."""
    universe = universe_of(5)
    program = MockProgram(universe, (MockOp("read", 0), MockOp("write", 0, True, 3),
                                     MockOp("delete", 2, True), MockOp("fail", 0, False, 1)),
                          seed=1)
    outcome_a = run_body(program.transaction(), RecordingView({b"k0": b"\x00"}.get))
    program_ok = MockProgram(universe, program.ops[:3], seed=1)
    outcome_b = run_body(program_ok.transaction(), RecordingView({b"k0": b"\x00"}.get))
    outcome_c = run_body(program_ok.transaction(), RecordingView({b"k0": b"\x01"}.get))
    assert outcome_a.failed and outcome_a.output.kind == "MockFailure"  # type: ignore[attr-defined]
    assert not outcome_b.failed
    assert [k for k, _ in outcome_b.write_set] != [k for k, _ in outcome_c.write_set]


def test_bench_p2p_block_and_table() -> None:
    """SCHED-BENCH-1, SCHED-BENCH-2: the workload, a small run of the table, and its text."""
    initial, block = parallel.p2p_block(2, 30, seed=1)
    assert len(initial) == 2 and len(block) == 30
    assert all(t.gas == parallel.P2P_GAS for t in block)
    seq = execute_sequential(MemoryStorage(initial), block)
    assert critical_path(block, seq.outcomes) == 30 * parallel.P2P_GAS   # fully serial
    report = parallel.run(quick=True, block_size=60, accounts=(2, 10_000), workers=(1, 4),
                          threads=(1, 2), contract_accounts=())
    assert report.ok and len(report.cells) == 4 and len(report.threads) == 3
    cell = {(c.accounts, c.workers): c for c in report.cells}
    assert cell[(2, 4)].bound == 1.0 and cell[(10_000, 4)].bound > 3
    assert cell[(10_000, 4)].speedup > 3 and cell[(2, 1)].speedup <= 1
    assert all(0 < c.fraction_of_bound <= 1.0 for c in report.cells)
    text = parallel.format_table(report)
    assert "accounts" in text and "of bound" in text and "GIL" in text
    assert '"benchmark": "parallel"' in parallel.to_json(report)


def test_bench_contract_rows_run_the_contract_once_per_incarnation() -> None:
    """SCHED-BENCH-3, SCHED-VM-1: the token-contract block runs the contract exactly once per
    transaction sequentially and when nothing conflicts (1,000 accounts, 8 workers: at least
    one run per recorded execution, never the k+1 runs of a replay), and every run equals the
    sequential result."""
    rows = parallel.contract_rows([1_000], 40, seed=2)
    assert [(r.mode, r.workers) for r in rows] == [("sequential", 0),
                                                    *parallel.CONTRACT_RUNS]
    assert all(r.ok for r in rows)
    by_mode = {(r.mode, r.workers): r for r in rows}
    assert by_mode[("sequential", 0)].wasm_runs_per_txn == 1.0
    for row in rows:
        assert row.executions_per_txn <= row.wasm_runs_per_txn < 2 * row.executions_per_txn
    runtime = parallel.CountingRuntime()
    initial, block = parallel.token_block(runtime, 3, 30, seed=1)
    MvccScheduler(workers=1).execute_batch(MemoryStorage(initial), block)
    assert runtime.calls == 30   # one worker: one incarnation each
    text = parallel.format_table(parallel.ParallelReport(
        quick=True, block_size=0, gas=1, step_cost=1, validation_read_cost=1, seed=2,
        python="3", contract_block_size=40, contract=rows))
    assert "wasm runs/txn" in text and "WRONG" not in text


# --- SCHED-MEM-8: scans ---------------------------------------------------------------------------


def _storage_scan(items: dict[bytes, bytes]) -> Callable[[bytes, int], list[tuple[bytes, bytes]]]:
    return MemoryStorage(items).scan


def test_scan_merges_the_memory_over_storage() -> None:
    """SCHED-MEM-8: a scan sees, in key order, the highest entry below the reader of every
    location under the prefix (a deletion hides the key) over the store's entries, with their
    versions (None: storage), up to the limit."""
    memory = MVMemory(4)
    memory.write(b"a2", TxnVersion(0, 0), b"new")       # overrides storage
    memory.write(b"a1", TxnVersion(1, 3), None)         # deletes a storage key
    memory.write(b"a3", TxnVersion(2, 0), b"ins")       # an insert by a transaction above 2
    scan = _storage_scan({b"a1": b"s1", b"a2": b"s2", b"a4": b"s4", b"b": b"x"})
    result = memory.scan(b"a", 10, 2, scan)
    assert isinstance(result, ScanVersions)
    assert result.entries == ((b"a2", b"new", TxnVersion(0, 0)), (b"a4", b"s4", None))
    assert memory.scan(b"a", 10, 3, scan).entries == (   # type: ignore[union-attr]
        (b"a2", b"new", TxnVersion(0, 0)), (b"a3", b"ins", TxnVersion(2, 0)), (b"a4", b"s4", None))
    assert memory.scan(b"a", 1, 3, scan).entries == (   # type: ignore[union-attr]
        (b"a2", b"new", TxnVersion(0, 0)),)
    assert memory.scan(b"a", 0, 3, scan) == ScanVersions(())
    # The store is asked for the limit plus one entry per location under the prefix.
    asked = []

    def counting(prefix: bytes, limit: int) -> list[tuple[bytes, bytes]]:
        asked.append(limit)
        return scan(prefix, limit)

    memory.scan(b"a", 1, 3, counting)
    assert asked == [1 + 3]


def test_scan_meets_an_estimate_only_before_its_limit() -> None:
    """SCHED-MEM-8: an ESTIMATE at a key the scan reaches before it has ``limit`` entries is a
    dependency on its writer; one after that point does not matter."""
    memory = MVMemory(3)
    memory.write(b"k5", TxnVersion(0, 0), b"v")
    memory.finish_record(0, frozenset({b"k5"}), ())
    memory.mark_estimate(b"k5", 0)
    scan = _storage_scan({b"k1": b"1", b"k9": b"9"})
    assert memory.scan(b"k", 2, 1, scan) == ReadDependency(0)
    assert memory.scan(b"k", 1, 1, scan) == ScanVersions(((b"k1", b"1", None),))


def test_scan_validation_catches_phantoms() -> None:
    """SCHED-MEM-8: a recorded scan is valid only while running it again gives the same keys
    and versions: a lower transaction's insert (a phantom), deletion or rewrite under the
    prefix invalidates it; a write outside the prefix or beyond the limit does not."""
    scan = _storage_scan({b"p1": b"1", b"p3": b"3"})
    memory = MVMemory(3)
    first = memory.scan(b"p", 2, 2, scan)
    assert isinstance(first, ScanVersions)
    descriptor = ScanDescriptor(b"p", 2, tuple((k, v) for k, _, v in first.entries))
    assert memory.validate(descriptor, 2, scan)
    memory.write(b"q", TxnVersion(0, 0), b"outside")
    memory.write(b"p4", TxnVersion(0, 0), b"beyond the limit")
    assert memory.validate(descriptor, 2, scan)
    memory.write(b"p2", TxnVersion(1, 0), b"phantom")
    assert not memory.validate(descriptor, 2, scan)
    memory.remove(b"p2", 1)
    assert memory.validate(descriptor, 2, scan)
    memory.write(b"p3", TxnVersion(1, 1), None)
    assert not memory.validate(descriptor, 2, scan)
    memory.write(b"p3", TxnVersion(1, 2), b"3")   # the same value, another version
    assert not memory.validate(descriptor, 2, scan)


def test_scans_in_blocks_equal_sequential() -> None:
    """SCHED-RESULT-1, SCHED-TXN-1, SCHED-MEM-8: transactions that count and extend a prefix
    (each scan depends on every insert before it) give the sequential result under any
    schedule; the scans are recorded among the reads."""

    def register(i: int) -> Transaction:
        def body(view: TxnView) -> int:
            members = view.scan(b"member/", 100)
            view.write(b"member/%03d" % (i * 7 % 13), b"%d" % len(members))
            if i % 4 == 3 and members:
                view.delete(members[0][0])
            return len(members)
        return Transaction(body, 5 + i % 3)

    block = [register(i) for i in range(13)]
    seq_store = MemoryStorage({b"member/000": b"x", b"other": b"y"})
    seq = execute_sequential(seq_store, block)
    assert any(isinstance(r, ScanRecord) for reads in seq.reads for r in reads)
    for workers in (2, 4, 13):
        for schedule in (TimedSchedule(workers), RandomSchedule(workers)):
            store = MemoryStorage({b"member/000": b"x", b"other": b"y"})
            par = MvccScheduler(workers=workers, schedule=schedule).execute_batch(store, block)
            assert par == seq and store.items() == seq_store.items()
    store = MemoryStorage({b"member/000": b"x", b"other": b"y"})
    assert MvccScheduler(workers=3, mode="threads").execute_batch(store, block) == seq


def test_scan_on_a_store_without_scan_fails_the_transaction() -> None:
    """SCHED-API-1, SCHED-TXN-3: on a store that has no ``scan``, a scan fails its transaction
    with InvalidAccess, in parallel as in sequential execution; reads still work."""
    def scanner(view: TxnView) -> int:
        return len(view.scan(b"", 5))

    def reader(view: TxnView) -> bytes | None:
        return view.read(b"a")

    seq = execute_sequential(DictStore({b"a": b"1"}), [scanner, reader])
    assert isinstance(seq.outputs[0], TxnFailure) and seq.outputs[0].kind == "InvalidAccess"
    assert seq.outputs[1] == b"1"
    assert MvccScheduler(workers=2).execute_batch(DictStore({b"a": b"1"}),
                                                  [scanner, reader]) == seq


# --- SCHED-RESULT-2: the store ---------------------------------------------------------------


class FlakyStore(MemoryStorage):
    """A storage whose ``get`` of one key raises, or whose ``fail_set_after + 1``-th ``set`` or
    ``delete`` (just that one) or every ``apply_batch`` raises."""

    def __init__(self, items: dict[bytes, bytes], fail_get: bytes | None = None,
                 fail_set_after: int | None = None, batch: bool = True) -> None:
        super().__init__(items)
        self.fail_get = fail_get
        self.fail_set_after = fail_set_after
        self.sets = 0
        if not batch:
            self.apply_batch = None  # type: ignore[assignment,method-assign]

    def get(self, key: bytes) -> bytes | None:
        if key == self.fail_get:
            raise KeyError(key)
        return super().get(key)

    def set(self, key: bytes, value: bytes) -> None:
        self._count()
        super().set(key, value)

    def delete(self, key: bytes) -> None:
        self._count()
        super().delete(key)

    def _count(self) -> None:
        self.sets += 1
        if self.sets - 1 == self.fail_set_after:
            raise OSError("disk full")

    def apply_batch(self, writes: Mapping[bytes, bytes | None]) -> None:
        if self.fail_set_after is not None:
            raise OSError("disk full")
        super().apply_batch(writes)


@pytest.mark.parametrize("mode", ["simulated", "threads", "sequential"])
def test_a_store_whose_get_raises_fails_the_batch(mode: str) -> None:
    """SCHED-RESULT-2, SCHED-API-3: a store whose ``get`` raises is STORE_FAILED for the whole
    batch -- the same typed error in the simulator, on threads and in the sequential baseline
    -- never a transaction's failure, and the store is unchanged."""
    initial = {account_key(i): encode_balance(10) for i in range(4)}
    block = [p2p_transfer(account_key(i % 4), account_key((i + 1) % 4), 1, 1)
             for i in range(8)]
    store = FlakyStore(initial, fail_get=account_key(2))
    with pytest.raises(StoreFailed) as info:
        if mode == "sequential":
            execute_sequential(store, block)
        else:
            MvccScheduler(workers=3, mode=mode).execute_batch(store, block)
    assert info.value.kind is BlockStmErrorKind.STORE_FAILED
    assert isinstance(info.value.cause, KeyError)
    assert store.items() == sorted(initial.items())


@pytest.mark.parametrize("batch", [True, False])
def test_the_write_set_reaches_the_store_all_or_nothing(batch: bool) -> None:
    """SCHED-RESULT-2: the final write set goes through ``apply_batch`` when the store has it;
    otherwise key by key, and a store failing part-way gets the keys already written put
    back. Either way the batch is STORE_FAILED and the store is as before."""
    initial = {account_key(i): encode_balance(10) for i in range(6)}
    block = [p2p_transfer(account_key(i), account_key(i + 1), 1, 1) for i in range(5)]
    store = FlakyStore(initial, fail_set_after=3, batch=batch)
    with pytest.raises(StoreFailed):
        MvccScheduler(workers=2).execute_batch(store, block)
    assert store.items() == sorted(initial.items())
    store.sets = 0
    with pytest.raises(StoreFailed):
        execute_sequential(store, block)
    assert store.items() == sorted(initial.items())
    healthy = FlakyStore(initial, batch=batch)
    MvccScheduler(workers=2).execute_batch(healthy, block)
    assert decode_balance(healthy.get(account_key(5))) == 11


@pytest.mark.parametrize("mode", ["simulated", "threads"])
def test_bodies_on_their_own_threads_equal_sequential(mode: str) -> None:
    """SCHED-VM-1, SCHED-TXN-4: transactions asking for a thread of their own (as contract
    calls on wasmtime do) run there, suspended at each read exactly like the others, and give
    the sequential result; so does a block mixing both kinds."""
    initial, plain = generated_block(60, 4, 11)
    own = [Transaction(t.body, t.gas, t.label, own_thread=True) for t in plain]
    mixed = [t if i % 2 else own[i] for i, t in enumerate(plain)]
    for block in (own, mixed):
        seq = execute_sequential(MemoryStorage(initial), block)
        par = MvccScheduler(workers=4, mode=mode, seed=3).execute_batch(MemoryStorage(initial),
                                                                         block)
        assert par == seq
        assert par.stats.vm_runs >= len(block)


# --- Review regressions ----------------------------------------------------------------------


def test_nested_batch_reading_the_outer_view_equals_sequential() -> None:
    """SCHED-VM-1, SCHED-RESULT-1: a body that runs an inner batch whose transactions read the
    outer transaction's view: each outer read suspends the outer execution from inside the
    inner one and resumes exactly there; parallel equals sequential."""

    def outer(view: TxnView) -> object:
        inner = [Transaction(lambda v, i=i: (view.read(b"k%d" % i), v.read(b"x")))
                 for i in range(3)]
        return MvccScheduler(workers=2).execute_batch(MemoryStorage({b"x": b"1"}),
                                                      inner).outputs

    def writer(view: TxnView) -> None:
        view.write(b"k1", b"B")

    block = [Transaction(outer), Transaction(writer), Transaction(outer)]
    initial = {b"k0": b"a", b"k1": b"b"}
    seq = execute_sequential(MemoryStorage(initial), block)
    assert seq.outputs[0] == ((b"a", b"1"), (b"b", b"1"), (None, b"1"))
    for seed in range(6):
        par = MvccScheduler(workers=3, schedule=RandomSchedule(seed)).execute_batch(
            MemoryStorage(initial), block)
        assert par == seq


def test_a_view_is_used_only_on_its_bodys_thread() -> None:
    """SCHED-TXN-1: using a transaction's view from another thread is InvalidAccess -- in the
    sequential baseline and under Block-STM alike, with the same deterministic message."""
    import concurrent.futures

    def via_thread(view: TxnView) -> object:
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(view.read, b"a").result()

    seq = execute_sequential(MemoryStorage({b"a": b"1"}), [via_thread])
    assert isinstance(seq.outputs[0], TxnFailure) and seq.outputs[0].kind == "InvalidAccess"
    for mode in ("simulated", "threads"):
        par = MvccScheduler(workers=2, mode=mode).execute_batch(MemoryStorage({b"a": b"1"}),
                                                                [via_thread])
        assert par == seq


@pytest.mark.parametrize("bad", [[], {}, "seed", 1.5, None, True])
def test_schedule_seeds_are_integers(bad: object) -> None:
    """SCHED-API-3: a schedule's seed is an int; anything else is INVALID_ARGUMENT."""
    for make in (TimedSchedule, RandomSchedule):
        with pytest.raises(InvalidArgument):
            make(bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument):
        ScriptedSchedule([1, bad], RandomSchedule(0))  # type: ignore[list-item]
    with pytest.raises(InvalidArgument):
        ScriptedSchedule([1], bad)  # type: ignore[arg-type]
