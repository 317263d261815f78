"""Random interleavings of many transactions against an independent model (spec/mvcc.md).

A hypothesis state machine begins, reads, writes, deletes, scans, commits and aborts
transactions over a small key universe, and collects garbage, with auto GC switched on and
off. The model keeps every committed version forever (it never collects), and computes on its
own what each read must return (MVCC-READ-1, MVCC-SCAN-1) and which conflict, if any, each commit
must report (MVCC-COMMIT-3). After every step it checks that

(a) the committed history's dependency graph (ww, wr, rw edges per Adya) has no cycle
    (MVCC-SER-1, MVCC-HIST-2);
(b) garbage collection changes nothing any open transaction reads (MVCC-GC-4): checked
    around every manual GC, and every read after any GC (manual or automatic) is compared
    with the never-collecting model; the store's chains are suffixes of the model's and,
    after a manual GC, exactly what MVCC-GC-2/3 keep;
(c) the serial execution of the committed transactions in commit-timestamp order reproduces
    every value they read and the store's final state (MVCC-SER-1, MVCC-HIST-3).
"""

from __future__ import annotations

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from supervm_ref.mvcc import (
    GcConfig,
    History,
    MvccStore,
    Txn,
    TxnConflict,
    dependency_graph,
    serial_replay,
)

pytestmark = pytest.mark.slow

KEYS = [b"a", b"a1", b"ab", b"b", b"b1", b"c"]
PREFIXES = [b"", b"a", b"a1", b"b", b"c", b"d"]
VALUES = [b"0", b"1", b"2"]
MAX_OPEN = 5
OPS = ["read", "write", "delete", "scan", "copy"]


class MvccMachine(RuleBasedStateMachine):
    """Drives one MvccStore and an independent model of its rules."""

    def __init__(self) -> None:
        super().__init__()
        self.history = History()
        self.store = MvccStore(history=self.history)
        self.open: dict[int, Txn] = {}
        # The model: every committed version (ts, key, value) and the clock.
        self.versions: list[tuple[int, bytes, bytes | None]] = []
        self.clock = 0
        # Per open transaction: its writes, read set and predicates, as the model sees them.
        self.own: dict[int, dict[bytes, bytes | None]] = {}
        self.read_keys: dict[int, set[bytes]] = {}
        self.scanned: dict[int, set[bytes]] = {}

    # --- The model ---------------------------------------------------------------------------

    def model_value(self, key: bytes, ts: int) -> bytes | None:
        """MVCC-VERSION-2 on the never-collected model."""
        seen = [(t, v) for t, k, v in self.versions if k == key and t <= ts]
        return max(seen, key=lambda tv: tv[0])[1] if seen else None

    def model_read(self, txn: Txn, key: bytes) -> bytes | None:
        """MVCC-READ-1."""
        own = self.own[txn.txn_id]
        return own[key] if key in own else self.model_value(key, txn.start_ts)

    def model_scan(self, txn: Txn, prefix: bytes, limit: int) -> list[tuple[bytes, bytes]]:
        """MVCC-SCAN-1."""
        keys = {k for _, k, _ in self.versions} | set(self.own[txn.txn_id])
        live = [(k, self.model_read(txn, k)) for k in sorted(keys) if k.startswith(prefix)]
        return [(k, v) for k, v in live if v is not None][:max(limit, 0)]

    def model_conflict(self, txn: Txn) -> tuple[str, bytes, int] | None:
        """MVCC-COMMIT-3: (kind, key, oldest later ts) of the first failed check."""
        def later(key: bytes) -> int | None:
            stamps = [t for t, k, _ in self.versions if k == key and t > txn.start_ts]
            return min(stamps) if stamps else None

        for kind, keys in (("WRITE_WRITE", sorted(self.own[txn.txn_id])),
                           ("READ_WRITE", sorted(self.read_keys[txn.txn_id]))):
            for key in keys:
                ts = later(key)
                if ts is not None:
                    return kind, key, ts
        every_key = sorted({k for _, k, _ in self.versions})
        for prefix in sorted(self.scanned[txn.txn_id]):
            for key in every_key:
                ts = later(key) if key.startswith(prefix) else None
                if ts is not None:
                    return "PREDICATE", key, ts
        return None

    def forget(self, txn: Txn) -> None:
        del self.open[txn.txn_id], self.own[txn.txn_id]
        del self.read_keys[txn.txn_id], self.scanned[txn.txn_id]

    def pick(self, data: st.DataObject) -> Txn:
        return self.open[data.draw(st.sampled_from(sorted(self.open)), label="txn")]

    # --- Operations, each checked against the model -----------------------------------------

    def do_begin(self) -> Txn:
        """MVCC-TXN-1: the snapshot is the last commit."""
        txn = self.store.begin()
        assert txn.start_ts == self.clock
        self.open[txn.txn_id] = txn
        self.own[txn.txn_id] = {}
        self.read_keys[txn.txn_id] = set()
        self.scanned[txn.txn_id] = set()
        return txn

    def do_read(self, txn: Txn, key: bytes) -> bytes | None:
        """MVCC-READ-1."""
        value = txn.read(key)
        assert value == self.model_read(txn, key)
        if key not in self.own[txn.txn_id]:
            self.read_keys[txn.txn_id].add(key)
        return value

    def do_scan(self, txn: Txn, prefix: bytes, limit: int) -> None:
        """MVCC-SCAN-1/2."""
        assert txn.scan(prefix, limit) == self.model_scan(txn, prefix, limit)
        self.scanned[txn.txn_id].add(prefix)

    def do_write(self, txn: Txn, key: bytes, value: bytes | None) -> None:
        """MVCC-WRITE-1 (None: delete)."""
        if value is None:
            txn.delete(key)
        else:
            txn.write(key, value)
        self.own[txn.txn_id][key] = value

    def do_op(self, txn: Txn, op: str, key: bytes, value: bytes) -> None:
        """One operation by name; ``copy`` reads ``key`` and writes what it read (or "0") to
        the next key: the read-then-write pattern of write skew and lost updates."""
        if op == "read":
            self.do_read(txn, key)
        elif op == "scan":
            self.do_scan(txn, key[:1], 3)
        elif op == "write":
            self.do_write(txn, key, value)
        elif op == "delete":
            self.do_write(txn, key, None)
        else:
            read = self.do_read(txn, key)
            self.do_write(txn, KEYS[(KEYS.index(key) + 1) % len(KEYS)], read or b"0")

    def finish(self, txn: Txn) -> None:
        """MVCC-COMMIT-1..5: the store reports exactly the model's conflict, or commits at
        the model's next timestamp (a read-only transaction at its snapshot)."""
        own = self.own[txn.txn_id]
        expected = None if not own else self.model_conflict(txn)
        try:
            ts = txn.commit()
        except TxnConflict as c:
            assert expected == (c.kind.value, c.key, c.conflicting_ts)
        else:
            assert expected is None
            if own:
                self.clock += 1
                assert ts == self.clock
                self.versions.extend((ts, k, v) for k, v in sorted(own.items()))
            else:
                assert ts == txn.start_ts  # MVCC-COMMIT-5
        self.forget(txn)

    # --- Rules: single steps of long-lived transactions --------------------------------------

    @precondition(lambda self: len(self.open) < MAX_OPEN)
    @rule()
    def begin(self) -> None:
        """MVCC-TXN-1."""
        self.do_begin()

    @precondition(lambda self: self.open)
    @rule(data=st.data(), op=st.sampled_from(OPS), key=st.sampled_from(KEYS),
          value=st.sampled_from(VALUES))
    def step(self, data: st.DataObject, op: str, key: bytes, value: bytes) -> None:
        """One operation of an open transaction."""
        self.do_op(self.pick(data), op, key, value)

    @precondition(lambda self: self.open)
    @rule(data=st.data(), prefix=st.sampled_from(PREFIXES), limit=st.integers(0, 4))
    def scan(self, data: st.DataObject, prefix: bytes, limit: int) -> None:
        """MVCC-SCAN-1/2 with any prefix and limit."""
        self.do_scan(self.pick(data), prefix, limit)

    @precondition(lambda self: self.open)
    @rule(data=st.data())
    def commit(self, data: st.DataObject) -> None:
        """MVCC-COMMIT-1..5."""
        self.finish(self.pick(data))

    @precondition(lambda self: self.open)
    @rule(data=st.data())
    def abort(self, data: st.DataObject) -> None:
        """MVCC-ABORT-1."""
        txn = self.pick(data)
        txn.abort()
        self.forget(txn)

    # --- Rule: a round of concurrent transactions --------------------------------------------

    @rule(n=st.integers(1, 3), data=st.data())
    def round(self, n: int, data: st.DataObject) -> None:
        """``n`` transactions begin together, interleave a few operations, then end in a
        drawn order (a few abort): dense concurrency, so validation has work to do."""
        txns = [self.do_begin() for _ in range(n)]
        ops = data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from(OPS),
                                           st.sampled_from(KEYS), st.sampled_from(VALUES)),
                                 max_size=3 * n), label="ops")
        for i, op, key, value in ops:
            self.do_op(txns[i], op, key, value)
        order = data.draw(st.permutations(range(n)), label="order")
        aborts = data.draw(st.sets(st.integers(0, n - 1), max_size=1), label="aborts")
        for i in order:
            if i in aborts:
                txns[i].abort()
                self.forget(txns[i])
            else:
                self.finish(txns[i])

    @rule(action=st.sampled_from(["gc", "gc", "gc", "auto", "off"]),
          every=st.integers(1, 3), longest=st.none() | st.integers(1, 3))
    def collect(self, action: str, every: int, longest: int | None) -> None:
        """(b) MVCC-GC-4: every open transaction's snapshot reads, and the latest state, are
        the same before and after GC (and equal the model's); MVCC-GC-1/2/3: the horizon and
        what is kept are exactly the rule's. MVCC-GC-6: auto GC is switched on or off."""
        if action == "auto":
            self.store.enable_auto_gc(GcConfig(every, longest))
            return
        if action == "off":
            self.store.disable_auto_gc()
            return

        def view() -> list[object]:
            out: list[object] = [self.store.snapshot_items()]
            for tid in sorted(self.open):
                ts = self.open[tid].start_ts
                out.append([self.store._value_at(k, ts) for k in KEYS])
                out.append(self.store._scan_at(b"", ts, 100))
            return out

        before = view()
        horizon = self.store.gc_horizon()
        assert horizon == min((t.start_ts for t in self.open.values()), default=self.clock)
        self.store.gc_now()
        assert view() == before
        for tid in sorted(self.open):
            ts = self.open[tid].start_ts
            assert [self.store._value_at(k, ts) for k in KEYS] == \
                [self.model_value(k, ts) for k in KEYS]
        # MVCC-GC-2/3 exactly: from the model's full chain, keep the version visible at the
        # horizon (unless it is a tombstone) and everything newer.
        for key in KEYS:
            full = [(t, v) for t, k, v in self.versions if k == key]
            base = max((i for i, (t, _) in enumerate(full) if t <= horizon), default=None)
            keep_from = 0 if base is None else base + (full[base][1] is None)
            assert [(v.commit_ts, v.value) for v in self.store.versions(key)] == \
                full[keep_from:]

    # --- Invariants ---------------------------------------------------------------------------

    @invariant()
    def dependency_graph_is_acyclic(self) -> None:
        """(a) MVCC-SER-1, MVCC-HIST-2."""
        cycle = dependency_graph(self.history).find_cycle()
        assert cycle is None, cycle

    @invariant()
    def serial_replay_agrees(self) -> None:
        """(c) MVCC-SER-1, MVCC-HIST-3: the serial execution in commit order gives every read
        value and the final state."""
        replay = serial_replay(self.history)
        assert replay.mismatches == []
        assert replay.final_state == dict(self.store.snapshot_items())

    @invariant()
    def store_matches_model(self) -> None:
        """MVCC-GC-2, MVCC-COMMIT-2, MVCC-VIEW-1: the latest state is the model's; each chain
        is a suffix of the model's versions of the key (GC drops only the oldest); no lock
        is held between operations; the active snapshots are the open transactions."""
        assert self.store.last_commit_ts() == self.clock
        assert self.store.snapshot_items() == [
            (k, v) for k in sorted({k for _, k, _ in self.versions})
            if (v := self.model_value(k, self.clock)) is not None]
        for key in KEYS:
            kept = [(v.commit_ts, v.value) for v in self.store.versions(key)]
            full = [(t, v) for t, k, v in self.versions if k == key]
            assert kept == full[len(full) - len(kept):]
        assert self.store.held_locks() == []
        assert self.store.active_snapshots() == sorted(
            (tid, t.start_ts) for tid, t in self.open.items())

    def teardown(self) -> None:
        for txn in list(self.open.values()):
            txn.abort()


MvccMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=60,
                                         deadline=None)
TestMvccMachine = MvccMachine.TestCase
