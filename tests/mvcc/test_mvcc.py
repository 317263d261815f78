"""Unit tests of the MVCC store, one group per rule of spec/mvcc.md (MVCC-*)."""

from __future__ import annotations

import ast
import threading
import time
from collections.abc import Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supervm_ref.mvcc import (
    ConflictKind,
    FlushFailed,
    FlushStats,
    GcConfig,
    GcStats,
    History,
    InvalidGcConfig,
    InvalidInput,
    InvalidScript,
    MvccError,
    MvccStore,
    MvccVersion,
    ReadOp,
    ScanOp,
    StoreInvariantBroken,
    Txn,
    TxnConflict,
    TxnFinished,
    TxnState,
    WriteOp,
    dependency_graph,
    serial_replay,
)
from supervm_ref.mvcc.clock import LogicalClock
from supervm_ref.mvcc.history import CommittedTxn, EdgeKind
from supervm_ref.mvcc.locks import KeyLocks
from supervm_ref.mvcc.versions import VersionChain
from supervm_ref.runtime.storage import MemoryStorage, Storage

from ..support import REPO


def committed(store: MvccStore, items: dict[bytes, bytes | None]) -> int:
    """Commit ``items`` (None: delete) in one transaction; its commit timestamp."""
    t = store.begin()
    for k, v in items.items():
        if v is None:
            t.delete(k)
        else:
            t.write(k, v)
    return t.commit()


def conflict_of(txn: Txn) -> TxnConflict:
    with pytest.raises(TxnConflict) as info:
        txn.commit()
    return info.value


# ---------------------------------------------------------------------------------------------
# 1. Versions and time


BAD_BYTES = ["text", 1, None, 1.5, [1], memoryview(b"x"), True]


@pytest.mark.parametrize("bad", BAD_BYTES)
def test_keys_values_prefixes_must_be_bytes(bad: object) -> None:
    """MVCC-KEY-1: every non-bytes key, value or prefix is InvalidInput naming the argument,
    and nothing is recorded."""
    store = MvccStore()
    t = store.begin()
    calls = [
        ("key", lambda: t.read(bad)), ("key", lambda: t.write(bad, b"v")),
        ("value", lambda: t.write(b"k", bad)), ("key", lambda: t.delete(bad)),
        ("prefix", lambda: t.scan(bad, 10)), ("key", lambda: t.get(bad)),
        ("key", lambda: store.read_latest(bad)), ("key", lambda: store.versions(bad)),
    ]
    for argument, call in calls:
        with pytest.raises(InvalidInput) as info:
            call()  # type: ignore[no-untyped-call]
        assert info.value.argument == argument
        assert "expected bytes" in str(info.value)
    assert t.is_read_only and t.read_set() == [] and t.predicates() == []
    assert t.commit() == 0


@pytest.mark.parametrize("bad", [True, 1.0, "3", None, b"3"])
def test_scan_limit_must_be_an_int(bad: object) -> None:
    """MVCC-KEY-1: a scan limit that is not an int (a bool included) is InvalidInput."""
    t = MvccStore().begin()
    with pytest.raises(InvalidInput) as info:
        t.scan(b"", bad)  # type: ignore[arg-type]
    assert info.value.argument == "limit"
    assert t.predicates() == []


def test_bytearray_is_copied_and_empty_key_is_a_key() -> None:
    """MVCC-KEY-1: bytearray is accepted and copied; the empty key and value are ordinary;
    a limit of 0 or less returns nothing."""
    store = MvccStore()
    key, value = bytearray(b"k"), bytearray(b"v")
    t = store.begin()
    t.write(key, value)
    t.write(b"", b"")
    key[0], value[0] = ord("x"), ord("y")
    t.commit()
    assert store.snapshot_items() == [(b"", b""), (b"k", b"v")]
    t2 = store.begin()
    assert t2.read(b"") == b""
    assert t2.scan(b"", 0) == [] and t2.scan(b"", -5) == []
    assert t2.scan(b"", 1) == [(b"", b"")]


def test_logical_clock() -> None:
    """MVCC-CLOCK-1: the clock starts at 0 and advances by one."""
    clock = LogicalClock()
    assert clock.now() == 0
    assert [clock.advance(), clock.advance()] == [1, 2]
    assert clock.now() == 2


def test_only_update_commits_move_the_clock() -> None:
    """MVCC-CLOCK-1: update commits take 1, 2, 3; read-only commits, aborts and failed
    commits leave the clock alone."""
    store = MvccStore()
    assert store.last_commit_ts() == 0
    assert committed(store, {b"a": b"1"}) == 1
    ro = store.begin()
    ro.read(b"a")
    assert ro.commit() == 1
    ab = store.begin()
    ab.write(b"a", b"x")
    ab.abort()
    loser = store.begin()
    loser.write(b"a", b"2")
    assert committed(store, {b"a": b"3"}) == 2
    conflict_of(loser)
    assert store.last_commit_ts() == 2
    assert committed(store, {b"b": b"1"}) == 3


def test_each_commit_creates_one_version_per_key() -> None:
    """MVCC-VERSION-1: a commit installs one version per written key (its last write), a
    deletion installs a tombstone, chains are in increasing timestamp order."""
    store = MvccStore()
    t = store.begin()
    t.write(b"k", b"1")
    t.write(b"k", b"2")
    t.commit()
    t = store.begin()
    t.write(b"k", b"3")
    t.delete(b"k")
    t.commit()
    committed(store, {b"k": b"4"})
    assert store.versions(b"k") == [MvccVersion(1, b"2"), MvccVersion(2, None),
                                    MvccVersion(3, b"4")]
    assert store.versions(b"k")[1].is_tombstone
    assert store.version_count() == 3


def test_chain_rejects_out_of_order_versions() -> None:
    """MVCC-VERSION-1: a chain only grows at the new end (a broken invariant is typed)."""
    chain = VersionChain()
    chain.install(MvccVersion(2, b"a"))
    with pytest.raises(StoreInvariantBroken):
        chain.install(MvccVersion(2, b"b"))
    assert chain.versions() == [MvccVersion(2, b"a")]


def test_visibility_at_a_timestamp() -> None:
    """MVCC-VERSION-2: the newest version with commit_ts <= ts; tombstones and no version read
    as absent."""
    chain = VersionChain()
    for v in (MvccVersion(2, b"a"), MvccVersion(4, None), MvccVersion(6, b"c")):
        chain.install(v)
    seen = [chain.value_at(ts) for ts in range(8)]
    assert seen == [None, None, b"a", b"a", None, None, b"c", b"c"]
    assert chain.visible_at(5) == MvccVersion(4, None)
    assert chain.visible_at(1) is None
    assert chain.first_after(2) == MvccVersion(4, None) and chain.first_after(6) is None
    assert chain.latest() == MvccVersion(6, b"c")


# ---------------------------------------------------------------------------------------------
# 2. Transactions


def test_begin_takes_the_last_commit_as_snapshot() -> None:
    """MVCC-TXN-1: ids 1, 2, 3 in begin order; start_ts is the last commit timestamp."""
    store = MvccStore()
    t1 = store.begin()
    committed_ts = committed(store, {b"a": b"1"})  # txn 2
    t3 = store.begin()
    assert (t1.txn_id, t1.start_ts) == (1, 0)
    assert (t3.txn_id, t3.start_ts) == (3, committed_ts)
    assert store.active_snapshots() == [(1, 0), (3, 1)]


@pytest.mark.parametrize("end", ["commit", "abort", "conflict"])
def test_finished_transactions_refuse_everything(end: str) -> None:
    """MVCC-TXN-2: after commit, abort or a failed commit every operation is TxnFinished
    with the state and the operation, and changes nothing."""
    store = MvccStore()
    t = store.begin()
    t.write(b"k", b"mine")
    if end == "conflict":
        committed(store, {b"k": b"theirs"})
        conflict_of(t)
    else:
        getattr(t, end)()
    state = "committed" if end == "commit" else "aborted"
    assert t.state.value == state and not t.is_active
    before = (store.snapshot_items(), store.last_commit_ts())
    ops = {"read": lambda: t.read(b"k"), "write": lambda: t.write(b"k", b"x"),
           "delete": lambda: t.delete(b"k"), "scan": lambda: t.scan(b"", 5),
           "commit": t.commit, "abort": t.abort}
    for name, op in ops.items():
        with pytest.raises(TxnFinished) as info:
            op()  # type: ignore[operator]
        assert (info.value.state, info.value.operation, info.value.txn_id) == (state, name, 1)
        assert "expected an active transaction" in str(info.value)
    assert (store.snapshot_items(), store.last_commit_ts()) == before
    assert store.active_snapshots() == []


def test_a_txn_is_a_storage_for_the_runtime() -> None:
    """MVCC-TXN-3: a Txn is a Storage; a contract call runs inside a transaction and its
    writes become visible when the transaction commits."""
    from supervm_ref.runtime.runtime import Runtime
    from supervm_ref.wasm.runtime.values import Value

    wasm = (REPO / "conformance" / "contracts" / "counter.wasm").read_bytes()
    store = MvccStore()
    t = store.begin()
    assert isinstance(t, Storage)
    result = Runtime(t).call(wasm, "increment", [Value.i64(5)])
    assert result.error is None and result.results == (Value.i64(5),)
    assert store.read_latest(b"counter") is None  # not committed yet
    t.commit()
    assert store.read_latest(b"counter") == (5).to_bytes(8, "little")
    t2 = store.begin()
    t2.set(b"x", b"1")
    assert t2.get(b"x") == b"1"
    t2.delete(b"x")
    assert t2.get(b"x") is None


def test_reads_see_own_writes_then_the_snapshot() -> None:
    """MVCC-READ-1: own writes first (a deletion reads None), else the snapshot; only
    snapshot reads enter the read set, absent keys included; reads repeat."""
    store = MvccStore()
    committed(store, {b"a": b"1", b"b": b"2"})
    t = store.begin()
    committed(store, {b"a": b"changed", b"new": b"x"})
    assert t.read(b"a") == b"1" and t.read(b"new") is None and t.read(b"a") == b"1"
    t.write(b"b", b"mine")
    t.delete(b"a")
    assert t.read(b"b") == b"mine" and t.read(b"a") is None
    assert t.read_set() == [b"a", b"new"]
    t2 = store.begin()
    t2.write(b"z", b"1")
    assert t2.read(b"z") == b"1" and t2.read_set() == []


def test_an_absent_key_read_conflicts_with_its_creation() -> None:
    """MVCC-READ-1, MVCC-COMMIT-3: a key read and found absent is in the read set, so a
    concurrent insert of it aborts the reader."""
    store = MvccStore()
    t = store.begin()
    assert t.read(b"ghost") is None
    t.write(b"other", b"1")
    committed(store, {b"ghost": b"boo"})
    c = conflict_of(t)
    assert (c.kind, c.key) == (ConflictKind.READ_WRITE, b"ghost")


def test_writes_are_invisible_until_commit() -> None:
    """MVCC-WRITE-1: others see nothing before commit, nothing ever after abort; deleting an
    absent key installs a tombstone."""
    store = MvccStore()
    w = store.begin()
    w.write(b"k", b"v")
    other = store.begin()
    assert other.read(b"k") is None and store.read_latest(b"k") is None
    w.abort()
    assert store.begin().read(b"k") is None and store.version_count() == 0
    committed(store, {b"absent": None})
    assert store.versions(b"absent") == [MvccVersion(1, None)]
    assert store.snapshot_items() == []


def test_scan_merges_own_writes() -> None:
    """MVCC-SCAN-1: prefix, ascending order, limit, own writes added or replacing, own
    deletions hiding, keys outside the prefix excluded."""
    store = MvccStore()
    committed(store, {b"a": b"0", b"a1": b"1", b"a2": b"2", b"a\xff": b"f", b"b": b"b",
                      b"a3": b"3"})
    t = store.begin()
    t.write(b"a0", b"mine")
    t.write(b"a2", b"two")
    t.delete(b"a1")
    t.delete(b"a3")
    t.write(b"c", b"elsewhere")
    want = [(b"a", b"0"), (b"a0", b"mine"), (b"a2", b"two"), (b"a\xff", b"f")]
    assert t.scan(b"a", 100) == want
    assert t.scan(b"a", 2) == want[:2]
    assert t.scan(b"a\xff", 9) == [(b"a\xff", b"f")]
    assert t.scan(b"", 100)[-2:] == [(b"b", b"b"), (b"c", b"elsewhere")]
    assert t.scan(b"zz", 5) == []


@settings(max_examples=60, deadline=None)
@given(committed_items=st.dictionaries(st.binary(max_size=2), st.binary(max_size=1),
                                       max_size=8),
       own=st.dictionaries(st.binary(max_size=2), st.none() | st.binary(max_size=1),
                           max_size=6),
       prefix=st.binary(max_size=1), limit=st.integers(-1, 10))
def test_scan_equals_a_merged_model(committed_items: dict[bytes, bytes],
                                    own: dict[bytes, bytes | None], prefix: bytes,
                                    limit: int) -> None:
    """MVCC-SCAN-1: a scan equals filtering, merging and sorting by hand."""
    store = MvccStore()
    if committed_items:
        committed(store, dict(committed_items))
    t = store.begin()
    for k, v in own.items():
        if v is None:
            t.delete(k)
        else:
            t.write(k, v)
    merged: dict[bytes, bytes | None] = {**committed_items, **own}
    model = sorted((k, v) for k, v in merged.items() if v is not None and k.startswith(prefix))
    assert t.scan(prefix, limit) == model[:max(limit, 0)]


def test_a_scan_covers_the_whole_prefix() -> None:
    """MVCC-SCAN-2: the predicate is the whole prefix: an insert beyond the limit, an insert
    after a scan that found nothing, and a scan with limit 0 all conflict."""
    store = MvccStore()
    committed(store, {b"p/1": b"1", b"p/2": b"2"})
    cases = [(1, b"p/9"), (100, b"p/0"), (0, b"p/3")]
    for limit, inserted in cases:
        t = store.begin()
        t.scan(b"p/", limit)
        t.write(b"elsewhere", b"x")
        committed(store, {inserted: b"new"})
        c = conflict_of(t)
        assert (c.kind, c.key, c.prefix) == (ConflictKind.PREDICATE, inserted, b"p/")
    t = store.begin()
    assert t.scan(b"q/", 10) == []
    t.write(b"elsewhere", b"y")
    committed(store, {b"q/x": b"1"})
    assert conflict_of(t).kind is ConflictKind.PREDICATE


def test_a_scan_does_not_cover_other_prefixes() -> None:
    """MVCC-SCAN-2: writes outside every scanned prefix do not conflict."""
    store = MvccStore()
    t = store.begin()
    t.scan(b"p/", 10)
    t.write(b"mine", b"1")
    committed(store, {b"p": b"not under p/", b"q/1": b"x", b"o\xff": b"y"})
    assert t.commit() == 2


# ---------------------------------------------------------------------------------------------
# 3. Commit


def test_commit_is_all_or_nothing() -> None:
    """MVCC-COMMIT-1: a commit returns its timestamp; a failed one installs nothing and leaves
    the transaction aborted with the conflict."""
    store = MvccStore()
    t = store.begin()
    for k in (b"a", b"b", b"c"):
        t.write(k, b"mine")
    committed(store, {b"b": b"theirs"})
    c = conflict_of(t)
    assert t.state is TxnState.ABORTED and t.conflict is c
    assert store.snapshot_items() == [(b"b", b"theirs")]
    assert store.version_count() == 1


def test_write_set_is_locked_in_key_order_during_validation(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """MVCC-COMMIT-2: during validation the write set is locked by the committer, and no
    lock survives a commit, a conflict or an abort."""
    import supervm_ref.mvcc.store as store_module

    seen: list[list[tuple[bytes, int]]] = []
    real = store_module.find_conflict

    def spy(*args: object) -> TxnConflict | None:
        seen.append(store.held_locks())
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(store_module, "find_conflict", spy)
    store = MvccStore()
    t = store.begin()
    for k in (b"c", b"a", b"b"):
        t.write(k, b"v")
    t.commit()
    assert seen == [[(b"a", 1), (b"b", 1), (b"c", 1)]]
    assert store.held_locks() == []
    loser = store.begin()
    loser.write(b"a", b"x")
    committed(store, {b"a": b"y"})
    conflict_of(loser)
    assert store.held_locks() == []


def test_key_locks() -> None:
    """MVCC-COMMIT-2: locks are taken in ascending key order; a lock held by another
    transaction is a broken invariant, and the partial acquisition is undone."""
    locks = KeyLocks()
    assert locks.acquire_in_key_order(1, [b"c", b"a", b"b"]) == [b"a", b"b", b"c"]
    assert locks.holder(b"b") == 1
    with pytest.raises(StoreInvariantBroken) as info:
        locks.acquire_in_key_order(2, [b"0", b"b"])
    assert "locked by transaction 1" in str(info.value)
    assert locks.holder(b"0") is None
    locks.release(1, [b"a", b"b", b"c"])
    assert locks.held() == []


def test_write_write_first_committer_wins() -> None:
    """MVCC-COMMIT-3: a written key with a version after the snapshot aborts the commit."""
    store = MvccStore()
    committed(store, {b"k": b"0"})
    t1, t2 = store.begin(), store.begin()
    t1.write(b"k", b"1")
    t2.write(b"k", b"2")
    assert t1.commit() == 2
    c = conflict_of(t2)
    assert (c.kind, c.key, c.start_ts, c.conflicting_ts) == (ConflictKind.WRITE_WRITE, b"k", 1, 2)
    assert "WRITE_WRITE conflict on key b'k'" in str(c) and "committed at 2" in str(c)
    assert store.read_latest(b"k") == b"1"


def test_read_write_conflict_stops_write_skew() -> None:
    """MVCC-COMMIT-3: a key read from the snapshot and overwritten (or deleted) since
    aborts the reader: write skew cannot commit."""
    store = MvccStore()
    committed(store, {b"x": b"1", b"y": b"1"})
    t1, t2 = store.begin(), store.begin()
    for t in (t1, t2):
        t.read(b"x")
        t.read(b"y")
    t1.write(b"x", b"0")
    t2.write(b"y", b"0")
    t1.commit()
    c = conflict_of(t2)
    assert (c.kind, c.key) == (ConflictKind.READ_WRITE, b"x")
    t3 = store.begin()
    t3.read(b"y")
    t3.write(b"z", b"1")
    committed(store, {b"y": None})
    assert conflict_of(t3).key == b"y"


def test_conflict_check_order() -> None:
    """MVCC-COMMIT-3: write-write is reported before read-write before predicate; keys in
    ascending order; the conflicting timestamp is the oldest after the snapshot."""
    store = MvccStore()
    t = store.begin()
    t.scan(b"p", 10)
    t.read(b"r2")
    t.read(b"r1")
    t.write(b"w2", b"x")
    t.write(b"w1", b"x")
    committed(store, {b"p1": b"1"})  # ts 1
    committed(store, {b"r2": b"1", b"r1": b"1"})  # ts 2
    committed(store, {b"w2": b"1"})  # ts 3
    committed(store, {b"w2": b"2", b"w1": b"1"})  # ts 4
    c = conflict_of(t)
    assert (c.kind, c.key, c.conflicting_ts) == (ConflictKind.WRITE_WRITE, b"w1", 4)
    t = store.begin()
    t.scan(b"p", 10)
    t.read(b"r2")
    t.read(b"r1")
    t.write(b"w", b"x")
    committed(store, {b"p2": b"1", b"r2": b"1"})
    committed(store, {b"r1": b"1"})
    c = conflict_of(t)
    assert (c.kind, c.key) == (ConflictKind.READ_WRITE, b"r1")


def test_commit_installs_atomically() -> None:
    """MVCC-COMMIT-4: one timestamp for the whole write set; a snapshot sees all of it or
    none of it."""
    store = MvccStore()
    before = store.begin()
    ts = committed(store, {b"a": b"1", b"b": b"2", b"c": None})
    after = store.begin()
    assert {v.commit_ts for k in (b"a", b"b", b"c") for v in store.versions(k)} == {ts}
    assert before.scan(b"", 10) == [] and after.scan(b"", 10) == [(b"a", b"1"), (b"b", b"2")]


def test_read_only_commits_without_validation() -> None:
    """MVCC-COMMIT-5: a read-only transaction commits even after what it read changed,
    returns its start_ts, and moves nothing."""
    store = MvccStore()
    committed(store, {b"k": b"0"})
    t = store.begin()
    t.read(b"k")
    t.scan(b"", 10)
    committed(store, {b"k": b"1", b"n": b"new"})
    assert t.is_read_only
    assert t.commit() == 1 and t.commit_ts == 1
    assert store.last_commit_ts() == 2


def test_abort_discards() -> None:
    """MVCC-ABORT-1: an aborted transaction's writes are gone and its snapshot released."""
    store = MvccStore()
    t = store.begin()
    t.write(b"k", b"v")
    t.abort()
    assert t.state is TxnState.ABORTED and store.active_snapshots() == []
    assert store.read_latest(b"k") is None and store.last_commit_ts() == 0


def test_fekete_read_only_anomaly_cannot_happen() -> None:
    """MVCC-SER-2: in Fekete et al.'s history, the update that read before the other's
    commit fails, and the read-only report sees a prefix of the commit order."""
    store = MvccStore(history=History())
    committed(store, {b"x": b"0", b"y": b"0"})
    t2 = store.begin()
    t2.read(b"x")
    t2.read(b"y")
    t1 = store.begin()
    t1.read(b"y")
    t1.write(b"y", b"20")
    t1.commit()
    t3 = store.begin()
    assert (t3.read(b"x"), t3.read(b"y")) == (b"0", b"20")
    t3.commit()
    t2.write(b"x", b"-11")
    assert conflict_of(t2).kind is ConflictKind.READ_WRITE
    assert store.history is not None
    assert dependency_graph(store.history).find_cycle() is None
    assert serial_replay(store.history).mismatches == []


# ---------------------------------------------------------------------------------------------
# 4. Garbage collection


def _three_versions(store: MvccStore, key: bytes = b"k") -> None:
    for v in (b"1", b"2", b"3"):
        committed(store, {key: v})


def test_gc_horizon() -> None:
    """MVCC-GC-1: the oldest active snapshot, or the last commit with none active."""
    store = MvccStore()
    assert store.gc_horizon() == 0
    _three_versions(store)
    assert store.gc_horizon() == 3
    old = store.begin()
    committed(store, {b"k": b"4"})
    young = store.begin()
    assert store.gc_horizon() == 3
    old.abort()
    assert store.gc_horizon() == 4
    young.commit()
    assert store.gc_horizon() == 4


def test_gc_keeps_what_snapshots_can_see() -> None:
    """MVCC-GC-2: keep the version visible at the horizon and everything newer."""
    store = MvccStore()
    _three_versions(store)  # ts 1..3
    reader = store.begin()  # sees ts 3
    committed(store, {b"k": b"4"})
    committed(store, {b"k": b"5"})
    stats = store.gc_now()
    assert stats == GcStats(runs=1, versions_cleaned=2, keys_removed=0)
    assert store.versions(b"k") == [MvccVersion(3, b"3"), MvccVersion(4, b"4"),
                                    MvccVersion(5, b"5")]
    assert reader.read(b"k") == b"3"
    reader.commit()
    assert store.gc_now().versions_cleaned == 2
    assert store.versions(b"k") == [MvccVersion(5, b"5")]


def test_gc_drops_a_tombstone_nobody_needs() -> None:
    """MVCC-GC-3: a tombstone visible at the horizon goes too, with everything older; a key
    with no version left is removed. A tombstone newer than the horizon stays."""
    store = MvccStore()
    committed(store, {b"gone": b"1", b"kept": b"1"})
    committed(store, {b"gone": None})
    pin = store.begin()
    committed(store, {b"kept": None})
    stats = store.gc_now()
    assert stats == GcStats(runs=1, versions_cleaned=2, keys_removed=1)
    assert store.versions(b"gone") == []
    assert store.versions(b"kept") == [MvccVersion(1, b"1"), MvccVersion(3, None)]
    assert pin.read(b"kept") == b"1" and pin.read(b"gone") is None
    pin.abort()
    assert store.gc_now() == GcStats(runs=1, versions_cleaned=2, keys_removed=1)
    assert store.version_count() == 0


@settings(max_examples=40, deadline=None)
@given(script=st.lists(st.tuples(st.sampled_from([b"a", b"b", b"c"]),
                                 st.none() | st.sampled_from([b"1", b"2"])),
                       min_size=1, max_size=12),
       pins=st.sets(st.integers(0, 12), max_size=4))
def test_gc_changes_no_read(script: list[tuple[bytes, bytes | None]], pins: set[int]) -> None:
    """MVCC-GC-4: for snapshots pinned at any points of a history, every read and scan is the
    same before and after GC, and so is the latest state; validation still sees every later
    version."""
    store = MvccStore()
    readers: list[Txn] = []
    for i, (key, value) in enumerate(script):
        if i in pins:
            readers.append(store.begin())
        committed(store, {key: value})

    def view() -> list[object]:
        out: list[object] = [store.snapshot_items()]
        for r in readers:
            out.append([store._value_at(k, r.start_ts) for k in (b"a", b"b", b"c")])
            out.append(store._scan_at(b"", r.start_ts, 10))
        return out

    before = view()
    store.gc_now()
    assert view() == before
    for r in readers:
        assert [r.read(k) for k in (b"a", b"b", b"c")] == before[1 + 2 * readers.index(r)]
        r.write(b"a", b"x")
        later = [k for k in (b"a", b"b", b"c")
                 if any(v.commit_ts > r.start_ts for v in store.versions(k))]
        if later:
            assert conflict_of(r).kind in (ConflictKind.WRITE_WRITE, ConflictKind.READ_WRITE)
        else:
            r.commit()


def test_gc_stats_per_run_and_totals() -> None:
    """MVCC-GC-5: gc_now returns one run's figures; gc_stats the totals."""
    store = MvccStore()
    assert store.gc_stats() == GcStats()
    _three_versions(store, b"a")
    _three_versions(store, b"b")
    assert store.gc_now() == GcStats(1, 4, 0)
    assert store.gc_now() == GcStats(1, 0, 0)
    committed(store, {b"a": None})
    assert store.gc_now() == GcStats(1, 2, 1)
    assert store.gc_stats() == GcStats(runs=3, versions_cleaned=6, keys_removed=1)


def test_auto_gc_every_n_commits() -> None:
    """MVCC-GC-6: GC runs after every n-th update commit; read-only commits and aborts do
    not count; disable_auto_gc stops it."""
    store = MvccStore()
    store.enable_auto_gc(GcConfig(every_n_commits=3))
    for i in range(2):
        committed(store, {b"k": bytes([i])})
        ro = store.begin()
        ro.read(b"k")
        ro.commit()
        store.begin().abort()
    assert store.gc_stats().runs == 0 and len(store.versions(b"k")) == 2
    committed(store, {b"k": b"\x02"})
    assert store.gc_stats() == GcStats(runs=1, versions_cleaned=2, keys_removed=0)
    for i in range(3, 9):
        committed(store, {b"k": bytes([i])})
    assert store.gc_stats().runs == 3
    store.disable_auto_gc()
    for i in range(9, 15):
        committed(store, {b"k": bytes([i])})
    assert store.gc_stats().runs == 3 and len(store.versions(b"k")) == 7


def test_auto_gc_on_long_chains() -> None:
    """MVCC-GC-6: with max_versions_per_key, a commit leaving a written key with more
    versions runs GC; a pinning snapshot keeps what it can see."""
    store = MvccStore()
    store.enable_auto_gc(GcConfig(every_n_commits=None, max_versions_per_key=2))
    committed(store, {b"k": b"1"})
    committed(store, {b"k": b"2"})
    assert store.gc_stats().runs == 0
    committed(store, {b"k": b"3"})
    assert store.gc_stats().runs == 1 and store.versions(b"k") == [MvccVersion(3, b"3")]
    pin = store.begin()
    for v in (b"4", b"5", b"6"):
        committed(store, {b"k": v})
    assert pin.read(b"k") == b"3"
    assert len(store.versions(b"k")) == 4 and store.gc_stats().runs == 3


@pytest.mark.parametrize("kwargs", [
    {"every_n_commits": 0}, {"every_n_commits": -1}, {"every_n_commits": True},
    {"every_n_commits": 1.5}, {"every_n_commits": "3"}, {"max_versions_per_key": 0},
    {"every_n_commits": None}, {"every_n_commits": None, "max_versions_per_key": None},
])
def test_bad_gc_config(kwargs: dict[str, object]) -> None:
    """MVCC-GC-6: fields are None or integers >= 1, and one trigger must be set."""
    with pytest.raises(InvalidGcConfig):
        GcConfig(**kwargs)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        MvccStore().enable_auto_gc({"every_n_commits": 3})  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# 5. The store


def test_views() -> None:
    """MVCC-VIEW-1: latest values, the live state in key order, versions, counts."""
    store = MvccStore()
    committed(store, {b"b": b"2", b"a": b"1", b"c": b"3"})
    committed(store, {b"c": None, b"a": b"one"})
    assert store.read_latest(b"a") == b"one" and store.read_latest(b"c") is None
    assert store.read_latest(b"zz") is None
    assert store.snapshot_items() == [(b"a", b"one"), (b"b", b"2")]
    assert store.versions(b"zz") == [] and store.version_count() == 5
    assert store.last_commit_ts() == 2 and store.active_snapshots() == []


def test_flush_makes_the_storage_equal_the_latest_state() -> None:
    """MVCC-FLUSH-1: stale keys deleted, differing entries written, a second flush does
    nothing; a key whose tombstone GC removed is still deleted from the storage.
    MVCC-FLUSH-3: each run's FlushStats (a deletion counts, with 0 bytes for its value) and
    the totals."""
    storage = MemoryStorage({b"stale": b"x", b"same": b"1", b"gone": b"old"})
    store = MvccStore()
    committed(store, {b"same": b"1", b"new": b"2", b"gone": b"old"})
    committed(store, {b"gone": None})
    store.gc_now()
    assert store.versions(b"gone") == []
    stats = store.flush_to(storage)
    assert stats == FlushStats(1, 3, len(b"new2") + len(b"stale") + len(b"gone"))
    assert storage.items() == store.snapshot_items() == [(b"new", b"2"), (b"same", b"1")]
    again = store.flush_to(storage)
    assert again == FlushStats(1, 0, 0)
    assert store.flush_stats() == stats.plus(again) == FlushStats(2, 3, 13)
    with pytest.raises(InvalidInput):
        store.flush_to({})  # type: ignore[arg-type]


class BrokenStorage(MemoryStorage):
    """A storage whose ``set`` or ``delete`` raises on the ``fail_at``-th call (from 0), whose
    ``scan`` raises when ``scan_fails``, and which has ``apply_batch`` only when ``batch``."""

    def __init__(self, items: dict[bytes, bytes], fail_at: int | None = None,
                 scan_fails: bool = False, batch: bool = False) -> None:
        super().__init__(items)
        self.fail_at = fail_at
        self.scan_fails = scan_fails
        self.calls = 0
        if not batch:
            self.apply_batch = None  # type: ignore[assignment,method-assign]

    def _tick(self) -> None:
        self.calls += 1
        if self.calls - 1 == self.fail_at:
            raise OSError("disk full")

    def set(self, key: bytes, value: bytes) -> None:
        self._tick()
        super().set(key, value)

    def delete(self, key: bytes) -> None:
        self._tick()
        super().delete(key)

    def scan(self, prefix: bytes, limit: int) -> list[tuple[bytes, bytes]]:
        if self.scan_fails:
            raise OSError("cannot list")
        return super().scan(prefix, limit)

    def apply_batch(self, writes: Mapping[bytes, bytes | None]) -> None:
        if self.fail_at is not None:
            raise OSError("disk full")
        super().apply_batch(writes)


@pytest.mark.parametrize("batch", [False, True])
@pytest.mark.parametrize("fail_at", [0, 1, 2, 3])
def test_flush_is_all_or_nothing(batch: bool, fail_at: int) -> None:
    """MVCC-FLUSH-2: a storage that fails in the middle of a flush (after 0-3 of its four
    changes, or in its one apply_batch) is left exactly as before, and the flush raises
    FlushFailed with the storage's error; a storage that cannot be listed likewise."""
    before = {b"stale": b"x", b"old": b"1", b"same": b"s"}
    store = MvccStore()
    committed(store, {b"old": b"2", b"new": b"3", b"same": b"s", b"zz": b"4"})
    storage = BrokenStorage(before, fail_at=fail_at, batch=batch)
    with pytest.raises(FlushFailed) as info:
        store.flush_to(storage)
    assert isinstance(info.value.cause, OSError) and not info.value.partial
    assert storage.items() == sorted(before.items())
    unlisted = BrokenStorage(before, scan_fails=True)
    with pytest.raises(FlushFailed):
        store.flush_to(unlisted)
    assert unlisted.items() == sorted(before.items())
    healthy = BrokenStorage(before, batch=batch)
    assert store.flush_to(healthy).keys_flushed == 4
    assert store.flush_stats().flush_count == 1  # failed flushes are not counted
    assert healthy.items() == store.snapshot_items()


def test_concurrent_threads_serialize() -> None:
    """MVCC-THREAD-1: threads running read-increment-write transactions with retries lose
    no increment: the final counter is the number of successful commits, and every commit
    timestamp is distinct."""
    store = MvccStore(history=History())
    committed(store, {b"n": b"0"})
    stamps: list[int] = []
    guard = threading.Lock()

    def worker() -> None:
        done = 0
        while done < 25:
            t = store.begin()
            n = int(t.read(b"n") or b"0")
            time.sleep(0)  # let another thread interleave between the read and the commit
            t.write(b"n", str(n + 1).encode())
            try:
                ts = t.commit()
            except TxnConflict:
                continue
            with guard:
                stamps.append(ts)
            done += 1

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert store.read_latest(b"n") == b"100"
    assert sorted(stamps) == list(range(2, 102))
    assert store.history is not None
    assert serial_replay(store.history).mismatches == []
    assert store.held_locks() == [] and store.active_snapshots() == []


# ---------------------------------------------------------------------------------------------
# 6. Errors


def test_errors_are_typed_and_the_package_has_no_asserts() -> None:
    """MVCC-ERR-1: every error class is an MvccError; behaviour never rests on `assert`
    (the package must work under python -O)."""
    for cls in (TxnConflict, TxnFinished, InvalidInput, InvalidGcConfig, InvalidScript,
                StoreInvariantBroken):
        assert issubclass(cls, MvccError)
    for path in sorted((REPO / "supervm_ref" / "mvcc").glob("*.py")):
        tree = ast.parse(path.read_text())
        asserts = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Assert)]
        assert asserts == [], f"{path.name} uses assert at lines {asserts}"


def test_history_argument_is_checked() -> None:
    """MVCC-ERR-1: a store's history must be a History."""
    with pytest.raises(InvalidInput):
        MvccStore(history=[])  # type: ignore[arg-type]


def test_history_functions_check_their_arguments() -> None:
    """MVCC-ERR-1 (review regression): History.record, History(committed=...),
    dependency_graph and serial_replay given the wrong types raise InvalidInput, not
    AttributeError."""
    for bad in (None, [], {}, "history"):
        with pytest.raises(InvalidInput):
            dependency_graph(bad)  # type: ignore[arg-type]
        with pytest.raises(InvalidInput):
            serial_replay(bad)  # type: ignore[arg-type]
    history = History()
    with pytest.raises(InvalidInput):
        history.record("x")  # type: ignore[arg-type]
    assert len(history) == 0
    with pytest.raises(InvalidInput):
        History(committed=["x"])  # type: ignore[list-item]
    history.committed.append("x")  # type: ignore[arg-type]  # mutated behind its back
    with pytest.raises(InvalidInput):
        serial_replay(history)
    with pytest.raises(InvalidInput):
        dependency_graph(history)


# ---------------------------------------------------------------------------------------------
# 7. Histories


def test_history_records_committed_transactions() -> None:
    """MVCC-HIST-1: committed transactions with their operations and results; aborted ones
    are not recorded; read-only ones have no commit timestamp."""
    history = History()
    store = MvccStore(history=history)
    t = store.begin()
    t.write(b"a", b"1")
    t.read(b"a")
    t.delete(b"b")
    t.commit()
    ro = store.begin()
    ro.scan(b"", 5)
    ro.commit()
    gone = store.begin()
    gone.write(b"x", b"1")
    gone.abort()
    assert [(c.txn_id, c.start_ts, c.commit_ts) for c in history] == [(1, 0, 1), (2, 1, None)]
    assert history.committed[0].ops == (WriteOp(b"a", b"1"), ReadOp(b"a", b"1"),
                                        WriteOp(b"b", None))
    assert history.committed[1].ops == (ScanOp(b"", 5, ((b"a", b"1"),)),)
    assert history.committed[0].snapshot_reads() == []
    assert [t.txn_id for t in history.serial_order()] == [1, 2]


def _txn(txn_id: int, start: int, commit: int | None, *ops: object) -> CommittedTxn:
    return CommittedTxn(txn_id, start, commit, tuple(ops))  # type: ignore[arg-type]


def test_dependency_graph_edges() -> None:
    """MVCC-HIST-2: ww, wr, rw edges, item and predicate, without self edges or edges from
    the initial version."""
    history = History([
        _txn(1, 0, 1, WriteOp(b"x", b"1"), WriteOp(b"p/a", b"1")),
        _txn(2, 1, 2, ReadOp(b"x", b"1"), WriteOp(b"x", b"2")),
        _txn(3, 1, None, ScanOp(b"p/", 10, ((b"p/a", b"1"),)), ReadOp(b"x", b"1")),
        _txn(4, 2, 3, WriteOp(b"p/b", b"1")),
    ])
    edges = {(e.src, e.dst, e.kind, e.key, e.predicate)
             for e in dependency_graph(history).edges}
    assert edges == {
        (1, 2, EdgeKind.WR, b"x", False), (1, 2, EdgeKind.WW, b"x", False),
        (1, 3, EdgeKind.WR, b"p/a", True), (1, 3, EdgeKind.WR, b"x", False),
        (3, 2, EdgeKind.RW, b"x", False), (3, 4, EdgeKind.RW, b"p/b", True),
    }
    assert dependency_graph(history).find_cycle() is None


def test_dependency_graph_finds_write_skew() -> None:
    """MVCC-HIST-2: a write-skew history (which the store refuses) has an rw cycle, and
    the serial replay shows the read that no serial order explains (MVCC-HIST-3)."""
    history = History([
        _txn(1, 0, 1, WriteOp(b"x", b"1"), WriteOp(b"y", b"1")),
        _txn(2, 1, 2, ReadOp(b"x", b"1"), ReadOp(b"y", b"1"), WriteOp(b"x", b"0")),
        _txn(3, 1, 3, ReadOp(b"x", b"1"), ReadOp(b"y", b"1"), WriteOp(b"y", b"0")),
    ])
    cycle = dependency_graph(history).find_cycle()
    assert cycle is not None
    assert {(e.src, e.dst, e.kind) for e in cycle} == {(2, 3, EdgeKind.RW),
                                                      (3, 2, EdgeKind.RW)}
    replay = serial_replay(history)
    assert [(m.txn_id, m.op_index, m.expected, m.found) for m in replay.mismatches] == [
        (3, 0, b"0", b"1")]
    assert replay.final_state == {b"x": b"0", b"y": b"0"}


def test_serial_replay_checks_scans_and_own_writes() -> None:
    """MVCC-HIST-3: scans are replayed with the transaction's own writes merged; a scan
    result that differs is reported."""
    history = History([
        _txn(1, 0, 1, WriteOp(b"a", b"1"), ScanOp(b"", 5, ((b"a", b"1"),)),
             WriteOp(b"b", b"2"), WriteOp(b"a", None)),
        _txn(2, 1, None, ScanOp(b"", 5, ((b"b", b"2"),)), ScanOp(b"", 0, ())),
        _txn(3, 1, None, ScanOp(b"", 5, ((b"a", b"1"),))),
    ])
    replay = serial_replay(history)
    assert [(m.txn_id, m.op_index) for m in replay.mismatches] == [(3, 0)]
    assert replay.final_state == {b"b": b"2"}
