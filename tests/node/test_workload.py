"""The node's state and workload in process (spec/node.md NODE-STATE-1, NODE-WORK-1/2)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supervm_ref import MemoryStorage
from supervm_ref.mvcc import MvccStore
from supervm_ref.node import MvccStorage, Node, NodeConfig, WorkloadConfig
from supervm_ref.node.workload import ACCOUNTS, GENESIS_BALANCE, rounds_done, token_total
from supervm_ref.persistence import AutoFlushConfig, RocksDBStorage
from supervm_ref.runtime.errors import StorageInputError

KEYS = st.binary(min_size=0, max_size=3)
OPS = st.lists(st.one_of(
    st.tuples(st.just("set"), KEYS, st.binary(max_size=3)),
    st.tuples(st.just("delete"), KEYS, st.none()),
    st.tuples(st.just("batch"), st.dictionaries(KEYS, st.none() | st.binary(max_size=3),
                                                max_size=4), st.none()),
    st.tuples(st.just("scan"), KEYS, st.integers(-1, 5)),
), max_size=30)


@settings(max_examples=60, deadline=None)
@given(OPS)
def test_mvcc_storage_behaves_as_a_memory_storage(ops: list[tuple[str, object, object]]) -> None:
    """NODE-STATE-1, RT-STORAGE-1/2: every operation sequence reads the same on MvccStorage
    as on MemoryStorage, and every write (a whole batch included) is one committed
    transaction."""
    store = MvccStore()
    ours, reference = MvccStorage(store), MemoryStorage()
    for op, a, b in ops:
        before = store.last_commit_ts()
        if op == "set":
            ours.set(a, b)  # type: ignore[arg-type]
            reference.set(a, b)  # type: ignore[arg-type]
        elif op == "delete":
            ours.delete(a)  # type: ignore[arg-type]
            reference.delete(a)  # type: ignore[arg-type]
        elif op == "batch":
            ours.apply_batch(a)  # type: ignore[arg-type]
            reference.apply_batch(a)  # type: ignore[arg-type]
        else:
            assert ours.scan(a, b) == reference.scan(a, b)  # type: ignore[arg-type]
            continue
        wrote = op != "batch" or bool(a)  # an empty batch installs nothing (MVCC-COMMIT-5)
        assert store.last_commit_ts() == before + wrote
    assert store.snapshot_items() == reference.scan(b"", 2**31)


def test_mvcc_storage_refuses_what_memory_storage_refuses() -> None:
    """NODE-STATE-1, RT-STORAGE-3: wrong types are `StorageInputError`; nothing commits."""
    store = MvccStore()
    storage = MvccStorage(store)
    for call in (lambda: storage.get("k"), lambda: storage.set(b"k", "v"),
                 lambda: storage.scan(b"", True), lambda: storage.apply_batch({b"k": 3}),
                 lambda: storage.delete(None)):
        with pytest.raises(StorageInputError):
            call()  # type: ignore[no-untyped-call]
    assert store.last_commit_ts() == 0


def _node(data: Path, rounds: int, seed: int = 7) -> Node:
    return Node(NodeConfig(data_dir=data, port=0, interval_seconds=0.0, rounds=rounds,
                           auto_flush=AutoFlushConfig(True, 3600, 2),
                           workload=WorkloadConfig(seed=seed)), log=lambda line: None)


def test_rounds_are_a_function_of_the_seed_and_the_state(tmp_path: Path) -> None:
    """NODE-WORK-1/2, NODE-RESUME-1: two nodes with one seed end in the same state; three
    rounds in one run equal one round then two after a restart; the supply is conserved."""
    one = _node(tmp_path / "a", 3)
    results = []
    report = one.run(on_round=results.append)
    assert report.rounds_total == 3 and report.token_total == ACCOUNTS * GENESIS_BALANCE
    assert all(r.block_failed == 0 and r.block_ok > 0 for r in results)
    assert sum(r.transfers_committed for r in results) > 0
    first = _node(tmp_path / "b", 1)
    first.run()
    second = _node(tmp_path / "b", 2)
    second.run()
    states = []
    for name in ("a", "b"):
        with RocksDBStorage(str(tmp_path / name), read_only=True) as db:
            store = MvccStore.open(db)
            assert rounds_done(store) == 3 and token_total(store) == ACCOUNTS * GENESIS_BALANCE
            states.append(store.snapshot_items())
    assert states[0] == states[1]
