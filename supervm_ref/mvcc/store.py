"""The multi-version store (spec/mvcc.md): `MvccStore`.

The store keeps, for every key, the chain of its committed versions (`versions.py`), a logical
clock (`clock.py`) and the set of active transactions with their snapshots. Transactions
(`txn.py`) read snapshots; `commit` runs the three phases of MVCC-COMMIT-1 — lock the write
set, validate (`validation.py`), install the versions at a new timestamp. Garbage collection
(`gc.py`) drops the versions no active snapshot can see.

Thread safety (MVCC-THREAD-1): one re-entrant store lock makes `begin`, every snapshot read,
every commit (all three phases), abort, GC and the inspection methods atomic with respect to
each other. Commits are therefore serialized; all semantic outcomes depend only on the order
in which these operations take the lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from sortedcontainers import SortedDict

from ..metrics.collector import MetricsCollector
from ..metrics.errors import MetricsError
from ..runtime.errors import StorageWriteError
from ..runtime.storage import Storage, apply_writes, prefix_end
from .clock import LogicalClock
from .errors import FlushFailed, InvalidInput, TxnConflict
from .gc import GcConfig, GcStats, collect
from .history import History
from .inputs import as_bytes
from .locks import KeyLocks
from .txn import Txn, TxnState
from .validation import find_conflict
from .versions import MvccVersion, VersionChain

# The limit used to list a whole `Storage` (its protocol has no unbounded scan).
_EVERYTHING = 2**63 - 1


@dataclass(frozen=True)
class FlushStats:
    """What `MvccStore.flush_to` changed in the target storage (MVCC-FLUSH-1)."""

    keys_written: int
    keys_deleted: int


class MvccStore:
    """Multi-version concurrency control with serializable snapshot transactions (the seed's
    ``MvccStore``). Pass ``history=History()`` to record committed transactions
    (MVCC-HIST-1) and ``metrics=MetricsCollector()`` to count transactions, latencies and GC
    runs (METRIC-HOOK-1)."""

    def __init__(self, *, history: History | None = None,
                 metrics: MetricsCollector | None = None) -> None:
        if history is not None and not isinstance(history, History):
            raise InvalidInput("history", "a History or None", history)
        if metrics is not None and not isinstance(metrics, MetricsCollector):
            raise InvalidInput("metrics", "a MetricsCollector or None", metrics)
        self._lock = threading.RLock()
        self._clock = LogicalClock()
        self._chains: SortedDict = SortedDict()  # key -> VersionChain
        self._active: dict[int, int] = {}  # txn id -> start_ts
        self._locks = KeyLocks()
        self._next_txn_id = 1
        self._gc_config: GcConfig | None = None
        self._commits_since_gc = 0
        self._gc_totals = GcStats()
        self.history = history
        self.metrics = metrics
        self._begun_at: dict[int, float] = {}  # txn id -> begin time on the metrics clock
        #: METRIC-HOOK-2: observations the collector refused (its clock failed); never raised.
        self.metrics_errors = 0

    # -----------------------------------------------------------------------------------------
    # Transactions

    def begin(self) -> Txn:
        """MVCC-TXN-1: a new active transaction whose snapshot (start timestamp) is the last
        commit timestamp; ids are 1, 2, 3, ... in begin order. METRIC-HOOK-1: with a collector,
        ``record_txn_start`` and the begin time on its clock."""
        with self._lock:
            txn = Txn(self, self._next_txn_id, self._clock.now())
            self._next_txn_id += 1
            self._active[txn.txn_id] = txn.start_ts
            if self.metrics is not None:  # METRIC-HOOK-1
                try:
                    self._begun_at[txn.txn_id] = self.metrics.hook_begin()
                except MetricsError:  # METRIC-HOOK-2
                    self.metrics_errors += 1
            return txn

    def _value_at(self, key: bytes, ts: int) -> bytes | None:
        """MVCC-VERSION-2: the committed value of ``key`` at snapshot ``ts``."""
        with self._lock:
            chain: VersionChain | None = self._chains.get(key)
            return None if chain is None else chain.value_at(ts)

    def _scan_at(self, prefix: bytes, ts: int, limit: int) -> list[tuple[bytes, bytes]]:
        """MVCC-VERSION-2: the first ``limit`` live entries with ``prefix`` at snapshot
        ``ts``, in key order."""
        out: list[tuple[bytes, bytes]] = []
        with self._lock:
            for key in self._chains.irange(minimum=prefix, maximum=prefix_end(prefix),
                                           inclusive=(True, False)):
                if len(out) >= limit:
                    break
                value = self._chains[key].value_at(ts)
                if value is not None:
                    out.append((key, value))
        return out

    def _commit(self, txn: Txn) -> int:
        """MVCC-COMMIT-1: commit ``txn`` in three phases, atomically (MVCC-THREAD-1)."""
        with self._lock:
            if txn.is_read_only:
                # MVCC-COMMIT-5: nothing to install, nothing to validate; the transaction
                # serializes at its snapshot.
                self._end(txn, TxnState.COMMITTED, commit_ts=txn.start_ts)
                return txn.start_ts

            writes = txn.write_set()
            # LOCK (MVCC-COMMIT-2): the write set, in ascending key order.
            locked = self._locks.acquire_in_key_order(txn.txn_id, [k for k, _ in writes])
            try:
                # VALIDATE (MVCC-COMMIT-3): nothing the transaction wrote, read or scanned
                # may have a version committed after its snapshot.
                conflict = find_conflict(self._chains, txn.start_ts, [k for k, _ in writes],
                                         txn.read_set(), txn.predicates())
                if conflict is not None:
                    self._end(txn, TxnState.ABORTED, conflict=conflict)
                    raise conflict

                # WRITE (MVCC-COMMIT-4): one new timestamp for every version, installed
                # before anyone else can take the store lock.
                commit_ts = self._clock.advance()
                for key, value in writes:
                    chain = self._chains.get(key)
                    if chain is None:
                        chain = self._chains[key] = VersionChain()
                    chain.install(MvccVersion(commit_ts, value))
            finally:
                self._locks.release(txn.txn_id, locked)
            self._end(txn, TxnState.COMMITTED, commit_ts=commit_ts)
            self._maybe_auto_gc([k for k, _ in writes])
            return commit_ts

    def _abort(self, txn: Txn) -> None:
        """MVCC-ABORT-1: end ``txn``; its buffered writes are simply forgotten."""
        with self._lock:
            self._end(txn, TxnState.ABORTED)

    def _end(self, txn: Txn, state: TxnState, commit_ts: int | None = None,
             conflict: TxnConflict | None = None) -> None:
        """MVCC-TXN-2: mark ``txn`` finished, release its snapshot (MVCC-GC-1) and record it in
        the history when it committed (MVCC-HIST-1). METRIC-HOOK-1: with a collector,
        ``record_txn_commit`` or ``record_txn_abort`` (a conflict is an abort) and the latency
        since begin, in milliseconds on the collector's clock."""
        txn._finish(state, commit_ts, conflict)
        self._active.pop(txn.txn_id, None)
        if state is TxnState.COMMITTED and self.history is not None:
            self.history.record(txn.recorded())
        if self.metrics is not None:  # METRIC-HOOK-1
            begun = self._begun_at.pop(txn.txn_id, None)
            try:
                self.metrics.hook_end(state is TxnState.COMMITTED, begun)
            except MetricsError:  # METRIC-HOOK-2
                self.metrics_errors += 1

    def _observe(self, record: Callable[[], None]) -> None:
        """METRIC-HOOK-2: one observation for the collector; if the collector refuses it (its
        clock returned no number), the store counts it in ``metrics_errors`` and goes on:
        metrics never change an outcome of the store (METRIC-OBS-1)."""
        try:
            record()
        except MetricsError:
            self.metrics_errors += 1

    # -----------------------------------------------------------------------------------------
    # Garbage collection

    def gc_horizon(self) -> int:
        """MVCC-GC-1: the oldest snapshot still in use — the smallest start timestamp of an
        active transaction, or the last commit timestamp when none is active."""
        with self._lock:
            return min(self._active.values(), default=self._clock.now())

    def gc_now(self) -> GcStats:
        """MVCC-GC-2/3/5: collect now; the statistics of this run (METRIC-HOOK-1: given to the
        collector's ``record_gc``)."""
        with self._lock:
            run = collect(self._chains, self.gc_horizon())
            self._gc_totals = self._gc_totals.plus(run)
            self._commits_since_gc = 0
            if self.metrics is not None:
                metrics = self.metrics
                self._observe(lambda: metrics.record_gc(run))
            return run

    def gc_stats(self) -> GcStats:
        """MVCC-GC-5: the totals over every run since the store was created."""
        with self._lock:
            return self._gc_totals

    def enable_auto_gc(self, config: GcConfig) -> None:
        """MVCC-GC-6: collect automatically after commits, as ``config`` says."""
        if not isinstance(config, GcConfig):
            raise InvalidInput("config", "a GcConfig", config)
        with self._lock:
            self._gc_config = config
            self._commits_since_gc = 0

    def disable_auto_gc(self) -> None:
        """MVCC-GC-6: stop collecting automatically."""
        with self._lock:
            self._gc_config = None

    def _maybe_auto_gc(self, written: list[bytes]) -> None:
        """MVCC-GC-6: after a commit that installed versions of ``written``, run GC if the
        configuration asks for it."""
        config = self._gc_config
        if config is None:
            return
        self._commits_since_gc += 1
        due = config.every_n_commits is not None \
            and self._commits_since_gc >= config.every_n_commits
        limit = config.max_versions_per_key
        if limit is not None and any(len(self._chains[k]) > limit for k in written):
            due = True
        if due:
            self.gc_now()

    # -----------------------------------------------------------------------------------------
    # Inspection (MVCC-VIEW-1)

    def last_commit_ts(self) -> int:
        """MVCC-CLOCK-1: the last commit timestamp."""
        with self._lock:
            return self._clock.now()

    def read_latest(self, key: bytes) -> bytes | None:
        """MVCC-VIEW-1: the latest committed value of ``key`` (None: absent)."""
        key = as_bytes(key, "key")
        with self._lock:
            chain: VersionChain | None = self._chains.get(key)
            version = None if chain is None else chain.latest()
            return None if version is None else version.value

    def snapshot_items(self) -> list[tuple[bytes, bytes]]:
        """MVCC-VIEW-1: the latest committed state, every live entry in ascending key order."""
        with self._lock:
            out: list[tuple[bytes, bytes]] = []
            for key, chain in self._chains.items():
                version = chain.latest()
                if version is not None and version.value is not None:
                    out.append((key, version.value))
            return out

    def versions(self, key: bytes) -> list[MvccVersion]:
        """MVCC-VIEW-1: the versions of ``key`` the store still holds, oldest first."""
        key = as_bytes(key, "key")
        with self._lock:
            chain: VersionChain | None = self._chains.get(key)
            return [] if chain is None else chain.versions()

    def version_count(self) -> int:
        """MVCC-VIEW-1: how many versions the store holds, over all keys."""
        with self._lock:
            return sum(len(chain) for chain in self._chains.values())

    def active_snapshots(self) -> list[tuple[int, int]]:
        """MVCC-VIEW-1: the active transactions as (txn id, start timestamp), by id."""
        with self._lock:
            return sorted(self._active.items())

    def held_locks(self) -> list[tuple[bytes, int]]:
        """MVCC-COMMIT-2: the key locks held, as (key, txn id); empty between commits."""
        with self._lock:
            return self._locks.held()

    # -----------------------------------------------------------------------------------------
    # Flushing to a Storage

    def flush_to(self, storage: Storage) -> FlushStats:
        """MVCC-FLUSH-1: make ``storage`` hold exactly the latest committed state: entries the
        store does not have are deleted, entries that differ are written. MVCC-FLUSH-2: the
        changes reach the storage all or nothing (RT-STORAGE-4: one ``apply_batch`` when the
        storage has it); if the storage fails, `FlushFailed` and the storage is as before."""
        if not isinstance(storage, Storage):
            raise InvalidInput("storage", "a Storage (get/set/delete/scan)", storage)
        with self._lock:
            wanted = dict(self.snapshot_items())
            try:
                present = dict(storage.scan(b"", _EVERYTHING))
            except Exception as e:
                raise FlushFailed(e) from e
            stale = sorted(k for k in present if k not in wanted)
            changed = sorted(k for k, v in wanted.items() if present.get(k) != v)
            writes: dict[bytes, bytes | None] = dict.fromkeys(stale)
            writes.update((key, wanted[key]) for key in changed)
            try:
                apply_writes(storage, writes)
            except StorageWriteError as e:
                raise FlushFailed(e.cause, e.partial) from e
            return FlushStats(keys_written=len(changed), keys_deleted=len(stale))

    def flush_to_storage(self, storage: Storage) -> FlushStats:
        """MVCC-FLUSH-1: the seed's name for `flush_to`."""
        return self.flush_to(storage)
