"""The seed's parallel execution engine (spec/scheduling.md, PAR-*): the seed's tests by name
(test_read_write_set_conflicts ... test_work_stealing_with_errors), more cases, properties,
bad input, and demos 5-7."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from supervm_ref.config import Config
from supervm_ref.demos import demo5_parallel, demo6_snapshot, demo7_work_stealing
from supervm_ref.parallel import (
    ConflictDetector,
    ConflictError,
    ConflictKind,
    DependencyGraph,
    ExecutionStats,
    InvalidInput,
    ParallelError,
    ParallelErrorKind,
    ParallelScheduler,
    ReadWriteSet,
    RecordingStorage,
    RetriesExhausted,
    SnapshotError,
    StateManager,
    StorageSnapshot,
    Task,
    TxError,
    WorkStealingScheduler,
    conflict_keys,
    execute_in_batches,
    execute_sequentially,
    execute_with_rw_tracking,
)
from supervm_ref.parallel.work_stealing import scheduling_order
from supervm_ref.runtime.runtime import Runtime
from supervm_ref.runtime.storage import MemoryStorage, Storage

from ..support import wat

K = ParallelErrorKind


def rw(reads: tuple[bytes, ...] = (), writes: tuple[bytes, ...] = (),
       scans: tuple[bytes, ...] = ()) -> ReadWriteSet:
    return ReadWriteSet(reads, writes, scans)


# --- Read/write sets and conflicts (the seed's tests first) --------------------------------------

def test_read_write_set_conflicts() -> None:
    """PAR-RW-2 (seed): a write of key2 conflicts with a read of key2, both ways round."""
    rw1 = ReadWriteSet()
    rw1.add_read(b"key1")
    rw1.add_write(b"key2")
    rw2 = ReadWriteSet()
    rw2.add_read(b"key2")
    assert rw1.conflicts_with(rw2)
    assert rw2.conflicts_with(rw1)


def test_no_conflict() -> None:
    """PAR-RW-2 (seed): disjoint keys never conflict."""
    assert not rw((b"key1",), (b"key1",)).conflicts_with(rw((b"key2",), (b"key2",)))


def test_conflict_kinds() -> None:
    """PAR-RW-2: RAW, WAR and WAW each on their own, with the keys causing them; reads alone
    never conflict."""
    w, r = rw(writes=(b"k",)), rw(reads=(b"k",))
    assert conflict_keys(w, r) == {ConflictKind.RAW: frozenset({b"k"})}
    assert conflict_keys(r, w) == {ConflictKind.WAR: frozenset({b"k"})}
    assert conflict_keys(w, w) == {ConflictKind.WAW: frozenset({b"k"})}
    assert conflict_keys(r, r) == {}
    both = rw((b"k",), (b"k",))
    assert set(conflict_keys(both, both)) == {ConflictKind.RAW, ConflictKind.WAR,
                                              ConflictKind.WAW}


def test_scan_prefix_conflicts() -> None:
    """PAR-RW-1/2: a scan of a prefix reads every key under it, even keys written later."""
    scan = rw(scans=(b"user/",))
    assert conflict_keys(rw(writes=(b"user/9",)), scan) == {
        ConflictKind.RAW: frozenset({b"user/9"})}
    assert conflict_keys(scan, rw(writes=(b"user/1",))) == {
        ConflictKind.WAR: frozenset({b"user/1"})}
    assert not scan.conflicts_with(rw(writes=(b"usex",)))
    assert scan.reads_key(b"user/") and not scan.reads_key(b"use")


@given(st.lists(st.sampled_from([b"a", b"ab", b"b"]), max_size=3),
       st.lists(st.sampled_from([b"a", b"ab", b"b"]), max_size=3),
       st.lists(st.sampled_from([b"a", b"b", b""]), max_size=2),
       st.lists(st.sampled_from([b"a", b"ab", b"b"]), max_size=3),
       st.lists(st.sampled_from([b"a", b"ab", b"b"]), max_size=3),
       st.lists(st.sampled_from([b"a", b"b", b""]), max_size=2))
def test_conflicts_with_is_symmetric(r1: list[bytes], w1: list[bytes], p1: list[bytes],
                                     r2: list[bytes], w2: list[bytes], p2: list[bytes]) -> None:
    """PAR-RW-2: conflicts_with is symmetric, RAW one way is WAR the other way."""
    a, b = ReadWriteSet(r1, w1, p1), ReadWriteSet(r2, w2, p2)
    assert a.conflicts_with(b) == b.conflicts_with(a)
    ab, ba = conflict_keys(a, b), conflict_keys(b, a)
    assert ab.get(ConflictKind.RAW) == ba.get(ConflictKind.WAR)
    assert ab.get(ConflictKind.WAW) == ba.get(ConflictKind.WAW)


def test_rw_set_bad_input() -> None:
    """PAR-ERR-1: keys are bytes; a str, an int or a non-collection is INVALID_ARGUMENT."""
    for bad in ("key", 5, None):
        with pytest.raises(InvalidInput) as e:
            ReadWriteSet().add_read(bad)  # type: ignore[arg-type]
        assert e.value.kind is K.INVALID_ARGUMENT
    with pytest.raises(InvalidInput):
        ReadWriteSet(reads=b"abc")
    with pytest.raises(InvalidInput):
        ReadWriteSet(writes=["k"])  # type: ignore[list-item]


def test_conflicts_with_a_non_rw_set_is_invalid() -> None:
    """PAR-ERR-1 (review regression): conflicts_with / conflict_keys given something that is
    not a ReadWriteSet raise InvalidInput (INVALID_ARGUMENT), not AttributeError."""
    calls: list[Callable[[], object]] = [
        lambda: ReadWriteSet(reads=[b"a"]).conflicts_with(None),  # type: ignore[arg-type]
        lambda: ReadWriteSet(reads=[b"a"]).conflicts_with(
            {"writes": [b"a"]}),  # type: ignore[arg-type]
        lambda: conflict_keys(ReadWriteSet(), "x"),  # type: ignore[arg-type]
        lambda: conflict_keys(None, ReadWriteSet()),  # type: ignore[arg-type]
    ]
    for call in calls:
        with pytest.raises(InvalidInput) as e:
            call()
        assert e.value.kind is K.INVALID_ARGUMENT


# --- Dependency graph and detector ---------------------------------------------------------------

def test_dependency_graph() -> None:
    """PAR-DEP-1/2 (seed): 2 and 3 depend on 1, 4 on 2; readiness follows completion."""
    graph = DependencyGraph()
    graph.add_dependency(2, 1)
    graph.add_dependency(3, 1)
    graph.add_dependency(4, 2)
    all_txs = [1, 2, 3, 4]
    assert graph.get_ready_transactions(all_txs, set()) == [1]
    assert graph.get_ready_transactions(all_txs, {1}) == [2, 3]
    assert graph.get_ready_transactions(all_txs, {1, 2, 3}) == [4]
    assert graph.get_ready_transactions(all_txs, {1, 2, 3, 4}) == []
    assert graph.levels(all_txs) == [[1], [2, 3], [4]]
    graph.add_dependency(4, 2)
    assert graph.get_dependencies(4) == [2] and graph.get_dependencies(1) == []
    assert graph.edges() == [(1, 2), (1, 3), (2, 4)]


def test_dependency_graph_bad_input() -> None:
    """PAR-DEP-1, PAR-BATCH-1: self-dependency, cycles, unknown members, bad ids."""
    graph = DependencyGraph()
    with pytest.raises(InvalidInput) as e:
        graph.add_dependency(1, 1)
    assert e.value.kind is K.INVALID_ARGUMENT
    graph.add_dependency(1, 2)
    graph.add_dependency(2, 1)
    with pytest.raises(InvalidInput) as e:
        graph.levels([1, 2])
    assert e.value.kind is K.DEPENDENCY_CYCLE
    with pytest.raises(InvalidInput) as e:
        graph.levels([1])
    assert e.value.kind is K.UNKNOWN_TX
    for bad in (-1, 2**64, True, "1", 1.0):
        with pytest.raises(InvalidInput) as e:
            graph.add_dependency(bad, 3)  # type: ignore[arg-type]
        assert e.value.kind is K.INVALID_TX_ID
    with pytest.raises(InvalidInput):
        graph.get_ready_transactions([1], 5)  # type: ignore[arg-type]


def test_conflict_detector() -> None:
    """PAR-DEP-3 (seed): tx1 and tx2 write different balances, tx3 reads tx1's."""
    detector = ConflictDetector()
    detector.record(1, rw(writes=(b"balance_alice",)))
    detector.record(2, rw(writes=(b"balance_bob",)))
    detector.record(3, rw(reads=(b"balance_alice",)))
    graph = detector.build_dependency_graph([1, 2, 3])
    assert graph.get_dependencies(1) == [] and graph.get_dependencies(2) == []
    assert graph.get_dependencies(3) == [1]
    assert detector.has_conflict(1, 3) and not detector.has_conflict(1, 2)
    assert detector.parallel_batches([1, 2, 3]) == [[1, 2], [3]]
    [conflict] = detector.find_conflicts([1, 2, 3])
    assert conflict.describe() == "TX1 -> TX3 (RAW on balance_alice)"


def test_detector_depends_on_every_earlier_conflict() -> None:
    """PAR-DEP-3: dependencies are every earlier conflicting tx, in block order; the block
    order decides which is earlier."""
    detector = ConflictDetector()
    for tx in (5, 6, 7):
        detector.record(tx, rw((b"k",), (b"k",)))
    assert detector.build_dependency_graph([7, 5, 6]).get_dependencies(6) == [7, 5]
    assert detector.parallel_batches([7, 5, 6]) == [[7], [5], [6]]
    assert [(c.earlier, c.later) for c in detector.find_conflicts([5, 6, 7])] == [
        (5, 6), (5, 7), (6, 7)]


def test_detector_record_replaces_and_copies() -> None:
    """PAR-DEP-3: record copies the set; a second record replaces the first."""
    detector = ConflictDetector()
    s = rw(writes=(b"a",))
    detector.record(1, s)
    s.add_write(b"b")
    assert detector.get_rw_set(1) == rw(writes=(b"a",))
    detector.record(1, rw(reads=(b"z",)))
    assert detector.get_rw_set(1) == rw(reads=(b"z",))


def test_detector_bad_input() -> None:
    """PAR-DEP-3, PAR-ERR-1: unknown and duplicate transactions are typed errors."""
    detector = ConflictDetector()
    detector.record(1, rw(writes=(b"a",)))
    with pytest.raises(InvalidInput) as e:
        detector.build_dependency_graph([1, 2])
    assert e.value.kind is K.UNKNOWN_TX
    with pytest.raises(InvalidInput) as e:
        detector.parallel_batches([1, 1])
    assert e.value.kind is K.DUPLICATE_TX
    with pytest.raises(InvalidInput) as e:
        detector.has_conflict(1, 9)
    assert e.value.kind is K.UNKNOWN_TX
    with pytest.raises(InvalidInput):
        detector.record(2, {b"a"})  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        detector.find_conflicts(7)  # type: ignore[arg-type]


# --- Batches: properties -------------------------------------------------------------------------

KEYS = [b"a", b"ab", b"b", b"ba", b"c"]
PREFIXES = [b"a", b"b"]


@st.composite
def blocks(draw: st.DrawFn) -> tuple[list[int], dict[int, ReadWriteSet], set[int]]:
    """A block: distinct ids in a random order, a read/write set each, some failing txs."""
    ids = draw(st.lists(st.integers(0, 40), unique=True, max_size=9))
    sets = {tx: ReadWriteSet(draw(st.lists(st.sampled_from(KEYS), max_size=3)),
                             draw(st.lists(st.sampled_from(KEYS), max_size=2)),
                             draw(st.lists(st.sampled_from(PREFIXES), max_size=1)))
            for tx in ids}
    failing = set(draw(st.lists(st.sampled_from(ids), max_size=2))) if ids else set()
    return ids, sets, failing


def block_tx(sets: dict[int, ReadWriteSet], failing: set[int]
             ) -> Callable[[int, Storage], None]:
    """A transaction doing exactly what its set declares: read the keys and scan the
    prefixes, write each written key with a digest of what it saw; a failing one raises
    after writing when the digest is even (so failure depends on the state)."""

    def execute(tx: int, view: Storage) -> None:
        s = sets[tx]
        h = hashlib.sha256(str(tx).encode())
        for key in sorted(s.reads):
            h.update(key + b"=" + (view.get(key) or b"-"))
        for prefix in sorted(s.read_prefixes):
            for key, value in view.scan(prefix, 100):
                h.update(key + b":" + value)
        digest = h.digest()
        for key in sorted(s.writes):
            if digest[0] % 3 == 0:
                view.delete(key)
            else:
                view.set(key, digest[:4])
        if tx in failing and digest[1] % 2 == 0:
            raise TxError(f"tx {tx} fails")

    return execute


@settings(max_examples=150, deadline=None)
@given(blocks(), st.integers(1, 4))
def test_batches_equal_sequential_execution(
        block: tuple[list[int], dict[int, ReadWriteSet], set[int]], workers: int) -> None:
    """PAR-BATCH-1/2/3: every tx is in exactly one batch, batches in block order hold no
    conflicting pair, dependencies come in earlier batches, and running batch by batch on any
    number of workers ends in the state and outcomes of sequential execution."""
    order, sets, failing = block
    detector = ConflictDetector()
    for tx in order:
        detector.record(tx, sets[tx])
    batches = detector.parallel_batches(order)
    assert sorted(tx for b in batches for tx in b) == sorted(order)
    position = {tx: i for i, tx in enumerate(order)}
    level = {tx: n for n, b in enumerate(batches) for tx in b}
    for b in batches:
        assert b == sorted(b, key=position.__getitem__)
        for i, x in enumerate(b):
            for y in b[i + 1:]:
                assert not sets[x].conflicts_with(sets[y])
    graph = detector.build_dependency_graph(order)
    for tx in order:
        assert all(level[d] < level[tx] for d in graph.get_dependencies(tx))
        if graph.get_dependencies(tx):
            assert max(level[d] for d in graph.get_dependencies(tx)) == level[tx] - 1

    initial = {b"a": b"1", b"ba": b"2", b"c": b"3"}
    sequential, batched = MemoryStorage(initial), MemoryStorage(initial)
    execute = block_tx(sets, failing)
    expected = execute_sequentially(sequential, order, execute)
    result = execute_in_batches(batched, order, sets, execute, workers=workers)
    assert batched.items() == sequential.items()
    assert [o.ok for o in result.outcomes] == [o.ok for o in expected]
    assert [o.tx_id for o in result.outcomes] == order
    assert [list(b) for b in result.batches] == batches


def test_undeclared_access_fails_the_transaction() -> None:
    """PAR-BATCH-4: reading, scanning or writing outside the declared set is
    UNDECLARED_ACCESS and the writes are dropped."""
    storage = MemoryStorage({b"x": b"1"})

    def sneaky(tx: int, view: Storage) -> None:
        if tx == 1:
            view.get(b"x")
        if tx == 2:
            view.scan(b"", 10)
        view.set(b"w%d" % tx, b"v")
        if tx == 3:
            view.set(b"other", b"v")

    sets = {1: rw(writes=(b"w1",)), 2: rw(writes=(b"w2",), scans=(b"w",)),
            3: rw(writes=(b"w3",)), 4: rw(writes=(b"w4",))}
    result = execute_in_batches(storage, [1, 2, 3, 4], sets, sneaky)
    kinds = [o.error.kind if o.error else None for o in result.outcomes]
    assert kinds == [K.UNDECLARED_ACCESS] * 3 + [None]
    assert storage.items() == [(b"w4", b"v"), (b"x", b"1")]


def test_undeclared_access_takes_precedence_over_a_failure() -> None:
    """PAR-BATCH-4 (review regression): a run that read an undeclared key and then raised is
    UNDECLARED_ACCESS, not TX_FAILED (its failure may come from what it wrongly read)."""
    def tx(tx_id: int, view: Storage) -> None:
        if tx_id == 1:
            view.set(b"bal", b"100")
        else:
            if view.get(b"bal") is None:
                raise TxError("insufficient balance")
            view.set(b"out", b"paid")

    sets = {1: rw(writes=(b"bal",)), 2: rw(writes=(b"out",))}   # 2 under-declares
    storage = MemoryStorage()
    result = execute_in_batches(storage, [1, 2], sets, tx, workers=2)
    assert result.batches == ((1, 2),)
    errors = [o.error for o in result.outcomes]
    assert errors[0] is None
    assert errors[1] is not None and errors[1].kind is K.UNDECLARED_ACCESS
    assert "bal" in str(errors[1])
    assert storage.items() == [(b"bal", b"100")]


def test_batch_execution_bad_input() -> None:
    """PAR-ERR-1: missing sets, bad worker counts, a non-callable."""
    storage = MemoryStorage()
    with pytest.raises(InvalidInput) as e:
        execute_in_batches(storage, [1], {}, lambda tx, view: None)
    assert e.value.kind is K.UNKNOWN_TX
    for workers in (0, 1025, "2"):
        with pytest.raises(InvalidInput):
            execute_in_batches(storage, [], {}, lambda tx, view: None,
                               workers=workers)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        execute_in_batches(storage, [], {}, None)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        execute_in_batches(storage, [], [], lambda tx, view: None)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput) as e:
        execute_sequentially(storage, [1, 1], lambda tx, view: None)
    assert e.value.kind is K.DUPLICATE_TX


# --- Read/write tracking of contract calls -------------------------------------------------------

SCAN_WAT = """(module
  (import "storage_api" "storage_scan" (func (param i32 i32 i32 i32 i32) (result i32)))
  (import "storage_api" "storage_set" (func (param i32 i32 i32 i32) (result i32)))
  (import "storage_api" "storage_get" (func (param i32 i32) (result i64)))
  (memory (export "memory") 1)
  (data (i32.const 0) "user/")
  (data (i32.const 16) "total")
  (func (export "run") (result i32)
    i32.const 0 i32.const 5 i32.const 10 i32.const 100 i32.const 0 call 0 drop
    i32.const 16 i32.const 5 i32.const 0 i32.const 1 call 1 drop
    i32.const 16 i32.const 5 call 2 drop
    i32.const 0)
  (func (export "fail") (result i32)
    i32.const 16 i32.const 5 i32.const 0 i32.const 1 call 1 drop
    unreachable))"""


def test_execute_with_rw_tracking() -> None:
    """PAR-RW-3: reads, scans and committed writes are recorded; reading one's own write is
    not a read; a failed call writes nothing."""
    storage = MemoryStorage({b"user/1": b"x"})
    runtime = Runtime(storage)
    wasm = wat(SCAN_WAT)
    result = execute_with_rw_tracking(runtime, wasm, "run", 1, 2, tx_id=7)
    assert result.success and result.tx_id == 7
    assert result.read_write_set == rw(writes=(b"total",), scans=(b"user/",))
    assert storage.get(b"total") == b"u"
    failed = execute_with_rw_tracking(runtime, wasm, "fail", 1, 2)
    assert not failed.success and failed.read_write_set == ReadWriteSet()


def test_demo5_contracts_match_their_text() -> None:
    """PAR-DEMO-1: the committed demo 5 modules are wat2wasm of their WAT."""
    for n in (1, 2, 3, 4):
        assert wat(getattr(demo5_parallel, f"TX{n}_WAT")) == getattr(demo5_parallel,
                                                                      f"TX{n}_WASM")


def test_rw_tracking_bad_input() -> None:
    """PAR-ERR-1: bad runtime, code, context or id."""
    runtime = Runtime(MemoryStorage())
    with pytest.raises(InvalidInput):
        execute_with_rw_tracking(None, b"", "run", 0, 0)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        execute_with_rw_tracking(runtime, "wasm", "run", 0, 0)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        execute_with_rw_tracking(runtime, b"", "run", 2**63, 0)
    with pytest.raises(InvalidInput):
        execute_with_rw_tracking(runtime, b"", "run", 0, 0, tx_id=-1)


def test_recording_storage() -> None:
    """PAR-RW-3: RecordingStorage forwards and records each access."""
    base = MemoryStorage({b"a1": b"1"})
    rec = RecordingStorage(base)
    assert rec.get(b"a1") == b"1" and rec.scan(b"a", 5) == [(b"a1", b"1")]
    rec.set(b"b", b"2")
    rec.delete(b"a1")
    assert rec.rw_set == rw((b"a1",), (b"a1", b"b"), (b"a",))
    assert base.items() == [(b"b", b"2")]


# --- State manager -------------------------------------------------------------------------------

def test_snapshot_creation() -> None:
    """PAR-SNAP-1/2 (seed): a snapshot does not freeze the live state."""
    manager = StateManager()
    storage = manager.get_storage()
    storage.set(b"key1", b"value1")
    storage.set(b"key2", b"value2")
    manager.create_snapshot()
    assert manager.snapshot_depth() == 1
    storage.set(b"key1", b"new_value")
    storage.set(b"key3", b"value3")
    assert storage.get(b"key1") == b"new_value" and len(storage) == 3


def test_rollback() -> None:
    """PAR-SNAP-3 (seed): rollback restores the snapshot and pops it."""
    manager = StateManager({b"key1": b"value1"})
    manager.create_snapshot()
    storage = manager.get_storage()
    storage.set(b"key1", b"modified")
    storage.set(b"key2", b"value2")
    manager.rollback()
    assert manager.get_storage() is storage
    assert storage.items() == [(b"key1", b"value1")]
    assert manager.snapshot_depth() == 0


def test_nested_snapshots() -> None:
    """PAR-SNAP-3 (seed): v1 -> snapshot -> v2 -> snapshot -> v3; two rollbacks give v2, v1."""
    manager = StateManager({b"key": b"v1"})
    manager.create_snapshot()
    manager.get_storage().set(b"key", b"v2")
    manager.create_snapshot()
    manager.get_storage().set(b"key", b"v3")
    assert manager.snapshot_depth() == 2
    manager.rollback()
    assert manager.get_storage().get(b"key") == b"v2"
    manager.rollback()
    assert manager.get_storage().get(b"key") == b"v1"
    assert manager.snapshot_depth() == 0


def test_commit() -> None:
    """PAR-SNAP-4 (seed): commit keeps the state; then there is nothing to roll back."""
    manager = StateManager({b"key": b"value1"})
    manager.create_snapshot()
    manager.get_storage().set(b"key", b"value2")
    manager.commit()
    assert manager.snapshot_depth() == 0
    assert manager.get_storage().get(b"key") == b"value2"
    with pytest.raises(SnapshotError) as e:
        manager.rollback()
    assert e.value.kind is K.NO_SNAPSHOT
    assert manager.state() == {b"key": b"value2"}


def test_commit_then_outer_rollback() -> None:
    """PAR-SNAP-4: an inner commit's changes are undone by the outer snapshot's rollback."""
    manager = StateManager({b"k": b"0"})
    manager.create_snapshot()
    manager.create_snapshot()
    manager.get_storage().set(b"k", b"1")
    manager.commit()
    assert manager.state() == {b"k": b"1"}
    manager.rollback()
    assert manager.state() == {b"k": b"0"}


def test_snapshot_with_events() -> None:
    """PAR-SNAP-3 (seed): rollback restores the event list too."""
    manager = StateManager()
    events = manager.get_events()
    events.append(b"event1")
    manager.create_snapshot()
    events.extend([b"event2", b"event3"])
    manager.rollback()
    assert manager.get_events() is events and events == [b"event1"]


def test_no_snapshot_is_a_typed_error() -> None:
    """PAR-SNAP-3/4, PAR-ERR-1: rollback and commit without a snapshot; state untouched."""
    manager = StateManager({b"k": b"v"})
    for operation in (manager.rollback, manager.commit):
        with pytest.raises(SnapshotError) as e:
            operation()
        assert e.value.kind is K.NO_SNAPSHOT and isinstance(e.value, ParallelError)
    assert manager.state() == {b"k": b"v"}


def test_batch_operations() -> None:
    """PAR-SNAP-5 (seed's test_batch_write/read/delete/emit_events)."""
    manager = StateManager()
    assert manager.batch_write([(b"key1", b"value1"), (b"key2", b"value2"),
                                (b"key3", b"value3")]) == 3
    assert manager.batch_read([b"key1", b"key2", b"key_not_exist"]) == [
        (b"key1", b"value1"), (b"key2", b"value2")]
    assert manager.batch_delete([b"key1", b"key2", b"key_not_exist", b"key1"]) == 2
    assert manager.state() == {b"key3": b"value3"}
    assert manager.batch_emit_events([b"event1", b"event2", b"event3"]) == 3
    assert manager.get_events() == [b"event1", b"event2", b"event3"]
    assert manager.batch_write({b"m": b"1"}) == 1


def test_state_manager_bad_input() -> None:
    """PAR-SNAP-5, PAR-ERR-1: bad keys, values, events: nothing is written."""
    manager = StateManager()
    for bad in ([(b"k", b"v"), ("k", b"v")], [(b"k", 1)], [(b"k",)], 5, b"kv"):
        with pytest.raises(InvalidInput):
            manager.batch_write(bad)  # type: ignore[arg-type]
    assert manager.state() == {}
    with pytest.raises(InvalidInput):
        manager.batch_read(["k"])  # type: ignore[list-item]
    with pytest.raises(InvalidInput):
        manager.batch_delete(b"k")
    with pytest.raises(InvalidInput):
        manager.batch_emit_events([b"ok", "text"])  # type: ignore[list-item]
    assert manager.get_events() == []
    with pytest.raises(InvalidInput):
        StateManager({"k": b"v"})  # type: ignore[dict-item]
    snapshot = manager.create_snapshot()
    with pytest.raises(InvalidInput):
        manager.restore(snapshot, 5)
    with pytest.raises(InvalidInput):
        manager.restore("snapshot", 0)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [
    StorageSnapshot(((b"k", "text"),), ()),
    StorageSnapshot(((3, b"v"),), ()),  # type: ignore[arg-type]
    StorageSnapshot(((b"k",),), ()),  # type: ignore[arg-type]
    StorageSnapshot(((b"a", b"1"),), ("event",)),  # type: ignore[arg-type]
    StorageSnapshot(None, ()),  # type: ignore[arg-type]
])
def test_restore_checks_the_snapshot_before_anything_changes(bad: StorageSnapshot) -> None:
    """PAR-SNAP-6: a malformed snapshot is INVALID_ARGUMENT and the live state, the events and
    the snapshot stack are exactly as before; a well-formed one restores in place."""
    manager = StateManager({b"live": b"1", b"other": b"2"})
    manager.batch_emit_events([b"e1"])
    kept = manager.create_snapshot()
    storage, events = manager.get_storage(), manager.get_events()
    with pytest.raises(InvalidInput):
        manager.restore(bad, 0)
    assert manager.state() == {b"live": b"1", b"other": b"2"}
    assert manager.get_events() == [b"e1"] and manager.is_top(kept, 1)
    manager.restore(StorageSnapshot(((b"new", b"3"), (b"other", b"2")), (b"e0",)), 0)
    assert manager.state() == {b"new": b"3", b"other": b"2"} and manager.snapshot_depth() == 0
    assert manager.get_storage() is storage and manager.get_events() is events == [b"e0"]


class SnapshotMachine(RuleBasedStateMachine):
    """PAR-SNAP-1..4: any sequence of writes, deletes, events, snapshots, rollbacks and
    commits; a rollback restores exactly the state at the time of its snapshot."""

    def __init__(self) -> None:
        super().__init__()
        self.manager = StateManager()
        self.model: dict[bytes, bytes] = {}
        self.events: list[bytes] = []
        self.stack: list[tuple[dict[bytes, bytes], list[bytes]]] = []

    @rule(key=st.sampled_from(KEYS), value=st.binary(max_size=3))
    def set(self, key: bytes, value: bytes) -> None:
        self.manager.get_storage().set(key, value)
        self.model[key] = value

    @rule(key=st.sampled_from(KEYS))
    def delete(self, key: bytes) -> None:
        self.manager.get_storage().delete(key)
        self.model.pop(key, None)

    @rule(event=st.binary(max_size=3))
    def emit(self, event: bytes) -> None:
        self.manager.get_events().append(event)
        self.events.append(event)

    @rule()
    def snapshot(self) -> None:
        self.manager.create_snapshot()
        self.stack.append((dict(self.model), list(self.events)))

    @precondition(lambda self: self.stack)
    @rule()
    def rollback(self) -> None:
        self.manager.rollback()
        self.model, self.events = self.stack.pop()

    @precondition(lambda self: self.stack)
    @rule()
    def commit(self) -> None:
        self.manager.commit()
        self.stack.pop()

    @precondition(lambda self: not self.stack)
    @rule()
    def empty_rollback(self) -> None:
        with pytest.raises(SnapshotError):
            self.manager.rollback()

    @invariant()
    def state_matches(self) -> None:
        assert self.manager.state() == dict(sorted(self.model.items()))
        assert self.manager.get_events() == self.events
        assert self.manager.snapshot_depth() == len(self.stack)


TestSnapshotMachine = SnapshotMachine.TestCase
TestSnapshotMachine.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)


# --- Parallel scheduler --------------------------------------------------------------------------

def put(key: bytes, value: bytes) -> Callable[[StateManager], None]:
    def op(manager: StateManager) -> None:
        manager.get_storage().set(key, value)
    return op


def fail_after(op: Callable[[StateManager], object], error: Exception
               ) -> Callable[[StateManager], None]:
    def failing(manager: StateManager) -> None:
        op(manager)
        raise error
    return failing


def test_scheduler_with_snapshot() -> None:
    """PAR-SCHED-1 (seed): a successful operation's value is returned and its write kept."""
    scheduler = ParallelScheduler()

    def op(manager: StateManager) -> int:
        manager.get_storage().set(b"key", b"value")
        return 42

    assert scheduler.execute_with_snapshot(op) == 42
    assert scheduler.get_storage().get(b"key") == b"value"
    assert scheduler.get_state_manager().snapshot_depth() == 0


def test_scheduler_rollback_on_error() -> None:
    """PAR-SCHED-1 (seed): a failing operation's writes and events are undone and its
    error raised."""
    scheduler = ParallelScheduler(StateManager({b"balance": b"100"}))

    def op(manager: StateManager) -> None:
        manager.get_storage().set(b"balance", b"50")
        manager.get_events().append(b"debited")
        raise TxError("Insufficient funds")

    with pytest.raises(TxError) as e:
        scheduler.execute_with_snapshot(op)
    assert e.value.kind is K.TX_FAILED and "Insufficient funds" in str(e.value)
    assert scheduler.get_storage().get(b"balance") == b"100"
    assert scheduler.get_events() == []


def test_scheduler_nested_transactions() -> None:
    """PAR-SCHED-1 (seed): only the successful transaction's data remains."""
    scheduler = ParallelScheduler()
    scheduler.execute_with_snapshot(put(b"user1", b"data1"))
    with pytest.raises(TxError):
        scheduler.execute_with_snapshot(fail_after(put(b"user2", b"data2"),
                                                   TxError("Transaction failed")))
    assert scheduler.get_state_manager().state() == {b"user1": b"data1"}


def test_nested_execute_with_snapshot() -> None:
    """PAR-SCHED-5: an operation may run a nested transaction; the inner failure rolls back
    only the inner changes, and each is counted."""
    scheduler = ParallelScheduler()

    def outer(manager: StateManager) -> None:
        manager.get_storage().set(b"outer", b"1")
        with pytest.raises(TxError):
            scheduler.execute_with_snapshot(fail_after(put(b"inner", b"1"), TxError("no")))
        scheduler.execute_with_snapshot(put(b"inner2", b"1"))

    scheduler.execute_with_snapshot(outer)
    assert scheduler.get_state_manager().state() == {b"inner2": b"1", b"outer": b"1"}
    assert scheduler.get_stats() == ExecutionStats(successful_txs=2, failed_txs=1,
                                                   rollback_count=1)


def test_unexpected_exception_is_wrapped() -> None:
    """PAR-SCHED-2: any other exception is rolled back and raised as UNEXPECTED_EXCEPTION,
    not retryable, with the original as cause."""
    scheduler = ParallelScheduler()
    with pytest.raises(TxError) as e:
        scheduler.execute_with_snapshot(fail_after(put(b"k", b"v"), KeyError("boom")))
    assert e.value.kind is K.UNEXPECTED_EXCEPTION and not e.value.retryable
    assert isinstance(e.value.__cause__, KeyError)
    assert scheduler.get_state_manager().state() == {}


def test_base_exception_rolls_back_and_propagates() -> None:
    """PAR-SCHED-2: a SystemExit is rolled back, not counted, and propagates unchanged."""
    scheduler = ParallelScheduler()
    with pytest.raises(SystemExit):
        scheduler.execute_with_snapshot(fail_after(put(b"k", b"v"), SystemExit(3)))
    assert scheduler.get_state_manager().state() == {}
    assert scheduler.get_state_manager().snapshot_depth() == 0
    assert scheduler.get_stats() == ExecutionStats()


@pytest.mark.parametrize("misuse", ["open", "close"])
def test_unbalanced_snapshots_fail(misuse: str) -> None:
    """PAR-SCHED-1: an operation that opens a snapshot it leaves open, or closes the
    scheduler's, fails with INVALID_ARGUMENT and is rolled back."""
    scheduler = ParallelScheduler(StateManager({b"k": b"0"}))

    def op(manager: StateManager) -> None:
        manager.get_storage().set(b"k", b"1")
        if misuse == "open":
            manager.create_snapshot()
        else:
            manager.commit()

    with pytest.raises(TxError) as e:
        scheduler.execute_with_snapshot(op)
    assert e.value.kind is K.INVALID_ARGUMENT
    assert scheduler.get_state_manager().state() == {b"k": b"0"}
    assert scheduler.get_state_manager().snapshot_depth() == 0


def test_failed_operation_puts_back_the_callers_snapshots() -> None:
    """PAR-SCHED-1 (review regression): an operation that closes the caller's snapshots below
    its own fails and is rolled back with the snapshot stack exactly as before, so the caller's
    next rollback restores the caller's own snapshot."""
    scheduler = ParallelScheduler()
    manager = scheduler.get_state_manager()
    manager.get_storage().set(b"balance", b"100")
    s0 = manager.create_snapshot()
    manager.get_storage().set(b"balance", b"200")
    s1 = manager.create_snapshot()
    manager.get_storage().set(b"balance", b"300")

    def closes_too_much(m: StateManager) -> None:
        m.get_storage().set(b"balance", b"999")
        m.commit()
        m.commit()   # the caller's s1

    with pytest.raises(TxError) as e:
        scheduler.execute_with_snapshot(closes_too_much)
    assert e.value.kind is K.INVALID_ARGUMENT
    assert manager.snapshots() == (s0, s1) and manager.state() == {b"balance": b"300"}
    manager.rollback()
    assert manager.state() == {b"balance": b"200"}


def test_nested_operation_closing_the_enclosing_snapshot() -> None:
    """PAR-SCHED-1/2/4 (review regression): a nested execute_with_snapshot whose operation
    closes its own and the enclosing snapshot fails with a TxError (INVALID_ARGUMENT), is
    rolled back and is counted; the outer operation then fails and rolls back cleanly."""
    scheduler = ParallelScheduler(StateManager({b"k": b"0"}))
    seen: dict[str, object] = {}

    def inner(manager: StateManager) -> str:
        manager.get_storage().set(b"k", b"inner")
        manager.commit()
        manager.commit()   # closes its own snapshot AND the enclosing one
        return "inner done"

    def outer(manager: StateManager) -> None:
        manager.get_storage().set(b"k", b"outer")
        with pytest.raises(TxError) as e:
            scheduler.execute_with_snapshot(inner)
        seen["kind"] = e.value.kind
        seen["state"] = manager.state()
        seen["stats"] = scheduler.get_stats()
        raise TxError("outer gives up")

    with pytest.raises(TxError) as outer_error:
        scheduler.execute_with_snapshot(outer)
    assert outer_error.value.kind is K.TX_FAILED
    assert seen["kind"] is K.INVALID_ARGUMENT
    assert seen["state"] == {b"k": b"outer"}   # the inner snapshot's state
    assert seen["stats"] == ExecutionStats(failed_txs=1, rollback_count=1)
    manager = scheduler.get_state_manager()
    assert manager.state() == {b"k": b"0"} and manager.snapshot_depth() == 0
    assert scheduler.get_stats() == ExecutionStats(failed_txs=2, rollback_count=2)


def test_execution_stats() -> None:
    """PAR-SCHED-4 (seed): 3 successes and 2 failures: total 5, success rate 0.6."""
    scheduler = ParallelScheduler()
    for i in range(3):
        scheduler.execute_with_snapshot(put(b"key%d" % i, b"value"))
    for _ in range(2):
        with pytest.raises(TxError):
            scheduler.execute_with_snapshot(fail_after(put(b"x", b"y"), TxError("Test error")))
    stats = scheduler.get_stats()
    assert (stats.successful_txs, stats.failed_txs, stats.rollback_count) == (3, 2, 2)
    assert stats.total_txs() == 5 and stats.success_rate() == 0.6
    assert stats.rollback_rate() == 0.4
    scheduler.reset_stats()
    assert scheduler.get_stats() == ExecutionStats()
    assert ExecutionStats().success_rate() == 0.0 and ExecutionStats().rollback_rate() == 0.0


def test_retry_mechanism() -> None:
    """PAR-SCHED-3/4 (seed): two conflicts, then success: 2 retries, 2 rollbacks, 2
    conflicts, 1 success."""
    scheduler = ParallelScheduler()
    attempts = 0

    def op(manager: StateManager) -> int:
        nonlocal attempts
        attempts += 1
        manager.get_storage().set(b"key", b"attempt %d" % attempts)
        if attempts < 3:
            raise ConflictError(f"Attempt {attempts} failed")
        return 42

    assert scheduler.execute_with_retry(op, 5) == 42
    assert attempts == 3
    assert scheduler.get_storage().get(b"key") == b"attempt 3"
    assert scheduler.get_stats() == ExecutionStats(successful_txs=1, failed_txs=2,
                                                   rollback_count=2, retry_count=2,
                                                   conflict_count=2)


def test_retry_exhausted() -> None:
    """PAR-SCHED-3 (seed): always conflicting with max_retries 3: 4 attempts, then
    RetriesExhausted carrying the last error."""
    scheduler = ParallelScheduler()
    with pytest.raises(RetriesExhausted) as e:
        scheduler.execute_with_retry(fail_after(put(b"k", b"v"), ConflictError("Always")), 3)
    assert e.value.kind is K.RETRIES_EXHAUSTED and e.value.attempts == 4
    assert "failed after 4 attempts" in str(e.value)
    assert e.value.last_error.kind is K.CONFLICT
    stats = scheduler.get_stats()
    assert (stats.retry_count, stats.failed_txs, stats.rollback_count) == (3, 4, 4)
    assert scheduler.get_state_manager().state() == {}


def test_non_retryable_error_is_not_retried() -> None:
    """PAR-SCHED-3: a plain TxError (or a wrapped exception) is raised after one attempt."""
    scheduler = ParallelScheduler()
    calls = 0

    def op(manager: StateManager) -> None:
        nonlocal calls
        calls += 1
        raise ValueError("bug")

    with pytest.raises(TxError) as e:
        scheduler.execute_with_retry(op, 5)
    assert e.value.kind is K.UNEXPECTED_EXCEPTION and calls == 1
    assert scheduler.get_stats().retry_count == 0


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 5), st.integers(0, 5))
def test_retry_counts(failures: int, max_retries: int) -> None:
    """PAR-SCHED-3/4: success iff failures <= max_retries; counts follow."""
    scheduler = ParallelScheduler()
    seen = 0

    def op(manager: StateManager) -> str:
        nonlocal seen
        seen += 1
        if seen <= failures:
            raise ConflictError("busy")
        return "done"

    if failures <= max_retries:
        assert scheduler.execute_with_retry(op, max_retries) == "done"
    else:
        with pytest.raises(RetriesExhausted):
            scheduler.execute_with_retry(op, max_retries)
    stats = scheduler.get_stats()
    assert stats.retry_count == min(failures, max_retries)
    assert stats.failed_txs == stats.conflict_count == min(failures, max_retries + 1)
    assert stats.successful_txs == (1 if failures <= max_retries else 0)


def test_scheduler_bad_input() -> None:
    """PAR-ERR-1: bad max_retries, operations, state manager."""
    scheduler = ParallelScheduler()
    for bad in (-1, 2**32, 1.5, True, None):
        with pytest.raises(InvalidInput):
            scheduler.execute_with_retry(put(b"k", b"v"), bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        scheduler.execute_with_snapshot(42)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        scheduler.execute_batch([put(b"k", b"v"), "op"])  # type: ignore[list-item]
    with pytest.raises(InvalidInput):
        ParallelScheduler({})  # type: ignore[arg-type]
    assert scheduler.get_stats() == ExecutionStats()
    assert scheduler.get_state_manager().state() == {}


def test_execute_batch() -> None:
    """PAR-SCHED-6 (seed): three operations commit together, one success each."""
    scheduler = ParallelScheduler()
    ops = [put(b"tx%d" % i, b"result%d" % i) for i in (1, 2, 3)]
    assert scheduler.execute_batch(ops) == [None, None, None]
    assert len(scheduler.get_state_manager().state()) == 3
    assert scheduler.get_stats().successful_txs == 3
    assert scheduler.execute_batch([]) == []
    assert scheduler.get_stats() == ExecutionStats(successful_txs=3)


def test_execute_batch_rollback() -> None:
    """PAR-SCHED-6 (seed): one failure rolls back the whole batch; the rest does not run."""
    scheduler = ParallelScheduler()
    ran: list[int] = []

    def third(manager: StateManager) -> None:
        ran.append(3)

    ops = [put(b"tx1", b"r"), fail_after(put(b"tx2", b"r"), ConflictError("Simulated")),
           third]
    with pytest.raises(ConflictError) as e:
        scheduler.execute_batch(ops)
    assert "operation 1" in str(e.value) and ran == []
    assert scheduler.get_state_manager().state() == {}
    assert scheduler.get_stats() == ExecutionStats(failed_txs=1, rollback_count=1,
                                                   conflict_count=1)


def test_scheduler_is_thread_safe() -> None:
    """PAR-SCHED-5: increments from 8 threads through execute_with_snapshot are not lost."""
    scheduler = ParallelScheduler(StateManager({b"n": b"0"}))

    def increment(manager: StateManager) -> None:
        storage = manager.get_storage()
        storage.set(b"n", str(int(storage.get(b"n") or b"0") + 1).encode())

    def worker() -> None:
        for _ in range(50):
            scheduler.execute_with_snapshot(increment)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert scheduler.get_storage().get(b"n") == b"400"
    assert scheduler.get_stats().successful_txs == 400


def test_scheduler_planning() -> None:
    """PAR-DEP-2, PAR-BATCH-1: the seed's record_rw_set / get_parallel_batch."""
    scheduler = ParallelScheduler()
    scheduler.record_rw_set(1, rw(writes=(b"a",)))
    scheduler.record_rw_set(2, rw(writes=(b"b",)))
    scheduler.record_rw_set(3, rw(reads=(b"a",)))
    assert scheduler.get_parallel_batch([1, 2, 3]) == [1, 2]
    scheduler.mark_completed(1)
    scheduler.mark_completed(2)
    assert scheduler.get_parallel_batch([1, 2, 3]) == [3]
    assert scheduler.plan_batches([1, 2, 3]) == [[1, 2], [3]]
    with pytest.raises(InvalidInput):
        scheduler.mark_completed(-5)


# --- Work stealing -------------------------------------------------------------------------------

def test_work_stealing_basic() -> None:
    """PAR-WS-3/4 (seed): 10 tasks on 4 workers all run once."""
    ws = WorkStealingScheduler(4)
    ws.submit_tasks([Task(i, 100) for i in range(1, 11)])
    counter: list[int] = []
    lock = threading.Lock()

    def executor(tx_id: int) -> None:
        with lock:
            counter.append(tx_id)

    result = ws.execute_all(executor)
    assert result.ok and sorted(counter) == list(range(1, 11))
    assert result.executed == list(range(1, 11))
    assert ws.get_stats().successful_txs == 10 and ws.pending() == []


def test_work_stealing_with_priorities() -> None:
    """PAR-WS-2/3 (seed): priorities 255, 128, 50 (and 200): scheduling order by priority;
    one worker runs exactly in that order."""
    tasks = [Task(1, 255), Task(2, 128), Task(3, 50), Task(4, 200)]
    ws = WorkStealingScheduler(2)
    ws.submit_tasks(tasks)
    assert [t.tx_id for t in ws.pending()] == [1, 4, 2, 3]
    result = ws.execute_all(lambda tx_id: None)
    assert [o.tx_id for o in result.outcomes] == [1, 4, 2, 3]
    single = WorkStealingScheduler(1)
    for task in tasks:
        single.submit_task(task)
    assert single.execute_all(lambda tx_id: None).execution_order() == [1, 4, 2, 3]


def test_work_stealing_with_errors() -> None:
    """PAR-WS-4 (seed): task 2 fails; its error is reported, task 1 still succeeds."""
    ws = WorkStealingScheduler(2)
    ws.submit_task(Task(1, 100))
    ws.submit_task(Task(2, 100))

    def executor(tx_id: int) -> None:
        if tx_id == 2:
            raise TxError("Simulated error")

    result = ws.execute_all(executor)
    assert not result.ok and result.executed == [1]
    [(tx, error)] = result.errors
    assert tx == 2 and error.kind is K.TX_FAILED and "Simulated error" in str(error)
    assert (result.stats.successful_txs, result.stats.failed_txs) == (1, 1)


def test_work_stealing_wraps_unexpected_errors() -> None:
    """PAR-WS-4, PAR-SCHED-2: any exception of the executor is a per-task TxError."""
    ws = WorkStealingScheduler(3)
    ws.submit_tasks([Task(i, 0) for i in range(6)])
    result = ws.execute_all(lambda tx_id: 1 // (tx_id % 2))
    assert [tx for tx, _ in result.errors] == [0, 2, 4]
    assert all(e.kind is K.UNEXPECTED_EXCEPTION for _, e in result.errors)


def test_work_stealing_steals_from_the_back() -> None:
    """PAR-WS-3: with 2 workers, whoever takes tasks 1-2 first blocks on task 1 until task 2
    has run; only a steal from the back of its deque can run task 2."""
    ws = WorkStealingScheduler(2)
    ws.submit_tasks([Task(i, 10 - i) for i in (1, 2, 3, 4)])
    done = threading.Event()

    def executor(tx_id: int) -> None:
        if tx_id == 1 and not done.wait(timeout=20):
            raise TxError("task 2 was never stolen")
        if tx_id == 2:
            done.set()

    result = ws.execute_all(executor)
    assert result.ok
    by_id = {o.tx_id: o for o in result.outcomes}
    assert by_id[2].stolen and by_id[2].worker != by_id[1].worker
    assert result.stats.steals >= 1 and ws.get_stats().steals == result.stats.steals


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 2**64 - 1), st.integers(0, 255)),
                unique_by=lambda t: t[0], max_size=40),
       st.integers(1, 6), st.sets(st.integers(0, 39), max_size=5))
def test_every_task_runs_exactly_once(specs: list[tuple[int, int]], workers: int,
                                      failing_positions: set[int]) -> None:
    """PAR-WS-2/3/4: whatever the priorities and worker count, each task runs exactly once,
    outcomes come in (priority desc, submission) order, every failure is reported; with one
    worker tasks start in exactly that order."""
    tasks = [Task(tx, p) for tx, p in specs]
    failing = {tasks[i].tx_id for i in failing_positions if i < len(tasks)}
    runs: list[int] = []
    lock = threading.Lock()

    def executor(tx_id: int) -> None:
        with lock:
            runs.append(tx_id)
        if tx_id in failing:
            raise TxError(f"{tx_id} fails")

    ws = WorkStealingScheduler(workers)
    ws.submit_tasks(tasks)
    result = ws.execute_all(executor)
    expected = [t.tx_id for t in sorted(
        tasks, key=lambda t: (-t.priority, specs.index((t.tx_id, t.priority))))]
    assert sorted(runs) == sorted(t.tx_id for t in tasks)
    assert [o.tx_id for o in result.outcomes] == expected
    assert {tx for tx, _ in result.errors} == failing
    assert result.stats.failed_txs == len(failing)
    assert sorted(o.sequence for o in result.outcomes) == list(range(len(tasks)))
    if workers == 1:
        assert runs == expected and result.execution_order() == expected
        assert result.stats.steals == 0


def test_scheduling_order_is_stable() -> None:
    """PAR-WS-2: equal priorities keep submission order."""
    tasks = [Task(5, 1), Task(3, 2), Task(9, 1), Task(1, 2)]
    assert [t.tx_id for t in scheduling_order(tasks)] == [3, 1, 5, 9]


def test_task_bad_input() -> None:
    """PAR-WS-1, PAR-ERR-1: priorities 0..255 (no bools, floats), ids u64."""
    for bad in (256, -1, True, 1.5, "1", None):
        with pytest.raises(InvalidInput) as e:
            Task(1, bad)  # type: ignore[arg-type]
        assert e.value.kind is K.INVALID_PRIORITY
    for bad_id in (-1, 2**64, False, "7"):
        with pytest.raises(InvalidInput) as e:
            Task(bad_id, 0)  # type: ignore[arg-type]
        assert e.value.kind is K.INVALID_TX_ID
    assert Task(2**64 - 1, 255).priority == 255


def test_work_stealing_bad_input() -> None:
    """PAR-WS-1/2, PAR-ERR-1: worker counts, duplicates (all or nothing), non-tasks."""
    for bad in (0, -2, 1025, 2.0, "4"):
        with pytest.raises(InvalidInput):
            WorkStealingScheduler(bad)  # type: ignore[arg-type]
    assert WorkStealingScheduler().num_workers >= 1
    ws = WorkStealingScheduler(2)
    ws.submit_task(Task(1, 5))
    with pytest.raises(InvalidInput) as e:
        ws.submit_tasks([Task(2, 5), Task(1, 9)])
    assert e.value.kind is K.DUPLICATE_TX
    with pytest.raises(InvalidInput) as e:
        ws.submit_tasks([Task(3, 5), Task(3, 6)])
    assert e.value.kind is K.DUPLICATE_TX
    with pytest.raises(InvalidInput):
        ws.submit_tasks([(4, 5)])  # type: ignore[list-item]
    with pytest.raises(InvalidInput):
        ws.submit_tasks(7)  # type: ignore[arg-type]
    assert [t.tx_id for t in ws.pending()] == [1]
    with pytest.raises(InvalidInput):
        ws.execute_all("run")  # type: ignore[arg-type]
    assert ws.execute_all(lambda tx: None).executed == [1]


def test_work_stealing_base_exception_propagates() -> None:
    """PAR-WS-4: a SystemExit in a worker stops the run and is raised by execute_all."""
    ws = WorkStealingScheduler(2)
    ws.submit_tasks([Task(i, 0) for i in range(5)])

    def executor(tx_id: int) -> None:
        if tx_id == 0:
            raise SystemExit(1)

    with pytest.raises(SystemExit):
        ws.execute_all(executor)


def test_shared_scheduler_transfers() -> None:
    """PAR-WS-5, PAR-SCHED-5: transfers run by 4 workers through the shared scheduler keep
    the total and end in the order-independent balances."""
    ws = WorkStealingScheduler(4)
    shared = ws.get_scheduler()
    shared.get_state_manager().batch_write(demo7_work_stealing.ACCOUNTS)
    ws.submit_tasks([Task(tx, 100) for tx, *_ in demo7_work_stealing.TRANSFERS])
    moves = {tx: (s, t, a) for tx, s, t, a in demo7_work_stealing.TRANSFERS}
    result = ws.execute_all(lambda tx: demo7_work_stealing.transfer(shared, *moves[tx]))
    assert result.ok
    assert shared.get_state_manager().state() == {b"alice": b"930", b"bob": b"550",
                                                   b"charlie": b"220"}
    with pytest.raises(TxError):
        demo7_work_stealing.transfer(shared, b"charlie", b"bob", 1000)


# --- Demos ---------------------------------------------------------------------------------------

def _lines(demo: Callable[[Callable[[str], None], Config], None]) -> list[str]:
    out: list[str] = []
    demo(out.append, Config())
    return out


def test_demo5_output() -> None:
    """PAR-DEMO-1: demo 5 prints its analysis, identically every time."""
    lines = _lines(demo5_parallel.run)
    assert lines == [
        "Demo 5: parallel execution: 4 txs, 3 conflicts, 3 batches",
        "  Executed 4 transactions with read/write tracking:",
        "    TX1: writes alice_balance",
        "    TX2: writes bob_balance",
        "    TX3: reads alice_balance",
        "    TX4: reads alice_balance, writes alice_balance",
        "  Conflicts:",
        "    TX1 -> TX3 (RAW on alice_balance)",
        "    TX1 -> TX4 (RAW on alice_balance; WAW on alice_balance)",
        "    TX3 -> TX4 (WAR on alice_balance)",
        "  Dependencies: TX1: [], TX2: [], TX3: [1], TX4: [1, 3]",
        "  Parallel batches: [[1, 2], [3], [4]]",
        "  Batched execution matches sequential execution: alice_balance=90, bob_balance=200",
    ]
    assert _lines(demo5_parallel.run) == lines


def test_demo6_output() -> None:
    """PAR-DEMO-2: demo 6 prints the seed's scenarios and the statistics."""
    lines = _lines(demo6_snapshot.run)
    assert lines == [
        "Demo 6: state snapshots and rollback",
        "  Scenario 1: deposit 100 COIN -> committed, balance 100 COIN",
        "  Scenario 2: withdraw 150 COIN -> failed (TX_FAILED: insufficient balance: need 150 "
        "COIN, have 100 COIN), rolled back, balance 100 COIN",
        "  Scenario 3: withdraw 30 COIN -> committed, balance 70 COIN; withdraw 100 COIN -> "
        "failed (TX_FAILED: insufficient balance: need 100 COIN, have 70 COIN), rolled back, "
        "balance 70 COIN",
        "  Scenario 4: nested snapshots: v3 at depth 2; rollback -> v2 (depth 1); "
        "rollback -> v1 (depth 0)",
        "  Scenario 5: deposit 5 COIN with retry -> committed on attempt 3, balance 75 COIN",
        "  Events kept: 3 (Deposited 100 COIN, Withdrew 30 COIN, Deposited 5 COIN)",
        "  Stats: 3 committed, 4 failed, 4 rollbacks, 2 retries, 2 conflicts, "
        "success rate 42.86%",
    ]


def test_demo7_output() -> None:
    """PAR-DEMO-3: demo 7's lines do not depend on thread timing (run three times)."""
    expected = [
        "Demo 7: work-stealing scheduler",
        "  Basic: 4 workers, 20 tasks -> 20 succeeded, 0 failed, each exactly once: True",
        "  Priorities: task 1 (255), task 2 (128), task 3 (50), task 4 (200) -> scheduling "
        "order [1, 4, 2, 3]; 1 worker ran [1, 4, 2, 3]",
        "  Errors: 2 tasks -> 1 succeeded, 1 failed (task 2: TX_FAILED: Simulated error)",
        "  Large: 8 workers, 1000 tasks -> 1000 succeeded, 0 failed, success rate 100.00%",
        "  Transfers: alice 930, bob 550, charlie 220; 3 committed, 0 rolled back",
    ]
    for _ in range(3):
        assert _lines(demo7_work_stealing.run) == expected


def test_execute_turns_follows_the_queue_rules() -> None:
    """PAR-WS-6, PAR-WS-3: with workers taking turns, a worker refills ceil(n / workers) tasks
    from the global queue, works its deque from the front and steals from another's back;
    after the given turns the workers go round-robin; a bad turn runs nothing."""
    ws = WorkStealingScheduler(2)
    ws.submit_tasks([Task(i, 0) for i in range(1, 7)])
    with pytest.raises(ParallelError) as e:
        ws.execute_turns([0, 2], lambda tx: None)
    assert e.value.kind == ParallelErrorKind.INVALID_ARGUMENT
    assert [t.tx_id for t in ws.pending()] == [1, 2, 3, 4, 5, 6]
    seen: list[int] = []
    result = ws.execute_turns([0, 1, 1, 1, 1], seen.append)
    # worker 0 takes 1..3 (ceil(6/2)) and runs 1; worker 1 takes 4..5, runs 4, 5, then 6
    # from the global queue, then steals 3 from the back of worker 0's deque; then 0 runs 2.
    assert seen == [1, 4, 5, 6, 3, 2]
    runs = sorted(result.outcomes, key=lambda o: o.sequence)
    assert [(o.tx_id, o.worker, o.stolen) for o in runs] == [
        (1, 0, False), (4, 1, False), (5, 1, False), (6, 1, False), (3, 1, True), (2, 0, False)]
    assert result.stats.steals == 1 and ws.get_stats().successful_txs == 6
    with pytest.raises(ParallelError):
        ws.execute_turns("01", lambda tx: None)  # type: ignore[arg-type]
