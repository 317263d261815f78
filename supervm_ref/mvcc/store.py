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
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sortedcontainers import SortedDict

from ..metrics.collector import MetricsCollector
from ..metrics.errors import MetricsError
from ..persistence.autoflush import (
    AutoFlushConfig,
    AutoFlusher,
    AutoFlushStatus,
    Clock,
    as_clock,
    as_config,
)
from ..persistence.encoding import (
    DEFAULT_CF,
    FLUSH_POINT_KEY,
    FORMAT_VERSION,
    FORMAT_VERSION_KEY,
    HISTORY_CF,
    HISTORY_FLOOR_KEY,
    META_CF,
    encode_u32,
    encode_u64,
    history_key,
    history_value,
    pruned_key,
)
from ..persistence.errors import (
    AutoFlushStateError,
    DatabaseCorrupt,
    FlushPointMismatch,
    PersistenceArgumentError,
)
from ..persistence.layout import check_db, flush_point
from ..persistence.layout import history as db_history
from ..persistence.rocksdb import CfWrite, RocksDBStorage
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
    """What flushing wrote (MVCC-FLUSH-3, the seed's ``FlushStats``): for one run (the value a
    flush returns: ``flush_count`` 1) or the totals since the store was created
    (`MvccStore.flush_stats`). ``keys_flushed`` counts the user keys written or deleted,
    ``bytes_flushed`` adds ``len(key) + len(value)`` for each (0 for a deletion's value)."""

    flush_count: int = 0
    keys_flushed: int = 0
    bytes_flushed: int = 0

    def plus(self, other: FlushStats) -> FlushStats:
        """The sum of two statistics."""
        return FlushStats(self.flush_count + other.flush_count,
                          self.keys_flushed + other.keys_flushed,
                          self.bytes_flushed + other.bytes_flushed)


class MvccStore:
    """Multi-version concurrency control with serializable snapshot transactions (the seed's
    ``MvccStore``). Pass ``history=History()`` to record committed transactions
    (MVCC-HIST-1) and ``metrics=MetricsCollector()`` to count transactions, latencies and GC
    runs (METRIC-HOOK-1)."""

    def __init__(self, *, history: History | None = None,
                 metrics: MetricsCollector | None = None) -> None:
        if history is not None and not isinstance(history, History):
            raise InvalidInput("history", "a History or None", history)
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
        # Persistence (spec/persistence.md): the flush point of the database this store was
        # opened from or flushed to, the versions committed since (None until the first
        # flush_to_storage or open: the first flush writes the versions the store holds), the
        # flush totals, and the auto-flush thread when one runs.
        self._flush_point = 0
        self._pending: dict[bytes, list[MvccVersion]] | None = None
        self._gc_floor = 0  # the largest GC horizon at which GC removed a version
        self._flush_totals = FlushStats()
        self._auto_flusher: AutoFlusher | None = None
        self._auto_flush_lock = threading.Lock()  # start/stop/notify, apart from the store lock
        self.metrics = metrics  # checked, and its hooks bound, by the property below
        #: METRIC-HOOK-2: observations the collector refused (its clock failed); never raised.
        self.metrics_errors = 0

    @property
    def metrics(self) -> MetricsCollector | None:
        """METRIC-HOOK-1: the collector the store's hooks record in (None: no metrics)."""
        return self._metrics

    @metrics.setter
    def metrics(self, metrics: MetricsCollector | None) -> None:
        """METRIC-HOOK-1: attach a collector (or None); its hooks are bound once here, so a
        transaction's begin and end cost one call each. A transaction begun while no collector
        was attached carries no begin time and records no latency."""
        if metrics is not None and not isinstance(metrics, MetricsCollector):
            raise InvalidInput("metrics", "a MetricsCollector or None", metrics)
        self._metrics = metrics
        self._hook_begin: Callable[[], float] | None = None
        self._hook_commit: Callable[[float | None], None] | None = None
        self._hook_abort: Callable[[float | None], None] | None = None
        if metrics is not None:
            self._hook_begin = metrics._hook_begin
            self._hook_commit = metrics._hook_commit
            self._hook_abort = metrics._hook_abort

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
            hook = self._hook_begin
            if hook is not None:  # METRIC-HOOK-1: the begin time travels with the transaction
                try:
                    txn._metrics_begun = hook()
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
                    version = MvccVersion(commit_ts, value)
                    chain.install(version)
                    if self._pending is not None:
                        self._pending.setdefault(key, []).append(version)
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
        committed = state is TxnState.COMMITTED
        if committed and self.history is not None:
            self.history.record(txn.recorded())
        # METRIC-HOOK-1: hook_end(committed, begun), through the half for this outcome (the
        # store's begin time is None or a reading of hook_begin: nothing to check).
        hook = self._hook_commit if committed else self._hook_abort
        if hook is not None:
            try:
                hook(txn._metrics_begun)
            except MetricsError:  # METRIC-HOOK-2
                self.metrics_errors += 1

    def _observe(self, record: Callable[[Any], None], run: Any) -> None:
        """METRIC-HOOK-2: one observation for the collector, ``record(run)``; if the collector
        refuses it (its clock returned no number), the store counts it in ``metrics_errors``
        and goes on: metrics never change an outcome of the store (METRIC-OBS-1)."""
        try:
            record(run)
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
            horizon = self.gc_horizon()
            run = collect(self._chains, horizon)
            if run.versions_cleaned:  # PERSIST-FLUSH-1: history before this is incomplete
                self._gc_floor = max(self._gc_floor, horizon)
            self._gc_totals = self._gc_totals.plus(run)
            self._commits_since_gc = 0
            if self._metrics is not None:
                self._observe(self._metrics.record_gc, run)
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

    def scan_latest(self, prefix: bytes, limit: int) -> list[tuple[bytes, bytes]]:
        """MVCC-VIEW-1: the first ``limit`` live entries under ``prefix`` in the latest
        committed state, in key order (a scan without a transaction)."""
        prefix = as_bytes(prefix, "prefix")
        if isinstance(limit, bool) or not isinstance(limit, int):
            raise InvalidInput("limit", "an integer", limit)
        with self._lock:
            return self._scan_at(prefix, self._clock.now(), limit)

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
            run = FlushStats(1, len(writes), sum(len(k) + len(v or b"") for k, v in
                                                 writes.items()))
            self._flushed(run)
            return run

    def flush_stats(self) -> FlushStats:
        """MVCC-FLUSH-3: the totals over every successful flush (`flush_to` and
        `flush_to_storage`, manual and automatic) since the store was created."""
        with self._lock:
            return self._flush_totals

    def _flushed(self, run: FlushStats) -> None:
        """MVCC-FLUSH-3: the one place where a successful flush's run is added to the totals
        (called with the store lock held); METRIC-HOOK-1: given to the collector's
        ``record_flush``."""
        self._flush_totals = self._flush_totals.plus(run)
        if self._metrics is not None:
            self._observe(self._metrics.record_flush, run)

    # -----------------------------------------------------------------------------------------
    # Persistence on RocksDB (spec/persistence.md)

    def _check_flush_point(self, db: RocksDBStorage) -> int:
        """PERSIST-FLUSH-3: the database must be at this store's flush point; a database at
        flush point 0 must hold no user key and no history."""
        point = flush_point(db)
        if point != self._flush_point:
            raise FlushPointMismatch(self._flush_point, point)
        if point == 0 and (db.scan(b"", 1) or db._cf_scan(HISTORY_CF, b"", 1)):
            raise FlushPointMismatch(0, 0, ", and a database holding entries no flush of this "
                                           "store wrote")
        return point

    def flush_to_storage(self, db: RocksDBStorage) -> FlushStats:
        """PERSIST-FLUSH-1/2/3: write every change committed since the last flush to ``db`` in
        ONE atomic write batch -- the latest value or deletion of each changed key into the
        default column family, each version into ``mvcc_history``, the new flush point (the
        last commit timestamp, taken under the store lock) and the format version into
        ``mvcc_meta`` -- and return the run's `FlushStats` (MVCC-FLUSH-3)."""
        db = check_db(db)
        with self._lock:
            point = self._check_flush_point(db)
            now = self._clock.now()
            if self._pending is None:  # the first flush: every version the store holds
                changed = {key: [v for v in chain.versions() if v.commit_ts > point]
                           for key, chain in self._chains.items()}
            else:
                changed = self._pending
            writes: list[CfWrite] = []
            keys = size = 0
            for key in sorted(changed):
                versions = changed[key]
                if not versions:
                    continue
                latest = versions[-1].value
                writes.append((DEFAULT_CF, key, latest))
                keys += 1
                size += len(key) + (0 if latest is None else len(latest))
                writes.extend((HISTORY_CF, history_key(key, v.commit_ts), history_value(v.value))
                              for v in versions)
            if self._pending is None and self._gc_floor > 0:
                # GC dropped versions before this first flush: the history answers from the
                # largest horizon it collected at on (PERSIST-HIST-1).
                writes.append((META_CF, HISTORY_FLOOR_KEY, encode_u64(self._gc_floor)))
            writes.append((META_CF, FLUSH_POINT_KEY, encode_u64(now)))
            writes.append((META_CF, FORMAT_VERSION_KEY, encode_u32(FORMAT_VERSION)))
            db._write_cf(writes)
            self._pending = {}
            self._flush_point = now
            run = FlushStats(1, keys, size)
            self._flushed(run)
            return run

    def flush_point(self) -> int:
        """PERSIST-FLUSH-1: the last commit timestamp written by this store's last
        `flush_to_storage` (or the flush point it was opened at; 0 before either)."""
        with self._lock:
            return self._flush_point

    @classmethod
    def open(cls, db: RocksDBStorage, *, history: History | None = None,
             metrics: MetricsCollector | None = None) -> MvccStore:
        """PERSIST-OPEN-1: a store rebuilt from ``db``: its clock at the database's flush
        point, each key's latest flushed version at its commit timestamp, and that flush point
        remembered so the next `flush_to_storage` is incremental. A database whose default
        column family is not the history's latest state is `DatabaseCorrupt`. ``history`` and
        ``metrics`` are the constructor's (MVCC-HIST-1, METRIC-HOOK-1)."""
        store = cls(history=history, metrics=metrics)
        db = check_db(db)
        point = flush_point(db)
        live: dict[bytes, bytes] = {}
        for key, versions in db_history(db).items():
            latest = versions[-1]
            if latest.commit_ts > point:
                raise DatabaseCorrupt(f"{HISTORY_CF}: a version of {key.hex()} at "
                                      f"{latest.commit_ts}, after the flush point {point}")
            if latest.value is not None:
                live[key] = latest.value
                chain = store._chains[key] = VersionChain()
                chain.install(MvccVersion(latest.commit_ts, latest.value))
        if dict(db.items()) != live:
            raise DatabaseCorrupt("the default column family is not the latest state of the "
                                  f"{HISTORY_CF} column family")
        store._clock = LogicalClock(point)
        store._flush_point = point
        store._pending = {}
        return store

    def prune_old_versions(self, db: RocksDBStorage, keep_versions: int) -> tuple[int, int]:
        """PERSIST-PRUNE-1/2: remove old versions from ``db``'s history in one atomic batch,
        keeping each key's newest ``keep_versions`` (>= 1) and, whatever that number, the
        version visible at the store's `gc_horizon` and every newer one; mark each key that
        lost versions. Returns (versions removed, keys that lost at least one)."""
        db = check_db(db)
        if isinstance(keep_versions, bool) or not isinstance(keep_versions, int) \
                or keep_versions < 1:
            raise PersistenceArgumentError("keep_versions", "an integer >= 1", keep_versions)
        with self._lock:
            self._check_flush_point(db)
            horizon = self.gc_horizon()
            writes: list[CfWrite] = []
            pruned_versions = pruned_keys = 0
            for key, versions in db_history(db).items():
                keep_from = max(0, len(versions) - keep_versions)
                visible = bisect_right([v.commit_ts for v in versions], horizon) - 1
                # the version a snapshot at the horizon reads, and all newer ones, stay
                keep_from = min(keep_from, max(visible, 0))
                if keep_from == 0:
                    continue
                writes.extend((HISTORY_CF, history_key(key, v.commit_ts), None)
                              for v in versions[:keep_from])
                writes.append((META_CF, pruned_key(key),
                               encode_u64(versions[keep_from - 1].commit_ts)))
                pruned_versions += keep_from
                pruned_keys += 1
            if writes:
                db._write_cf(writes)
            return pruned_versions, pruned_keys


    # -----------------------------------------------------------------------------------------
    # Auto-flush (spec/persistence.md section 7)

    def start_auto_flush(self, db: RocksDBStorage, config: AutoFlushConfig, *,
                         clock: Clock | None = None) -> None:
        """PERSIST-AUTO-2: flush to ``db`` in a background thread when
        ``config.interval_seconds`` have passed on ``clock`` (default: time.monotonic) or after
        ``config.block_trigger_threshold`` blocks (`notify_block`). Already running:
        `AutoFlushStateError`."""
        db = check_db(db)
        config = as_config(config)
        chosen = as_clock(clock)
        with self._auto_flush_lock:
            if self._auto_flusher is not None:
                raise AutoFlushStateError("start_auto_flush: expected auto-flush stopped, "
                                          "found it running")
            self._auto_flusher = AutoFlusher(self, db, config, chosen)

    def notify_block(self) -> None:
        """PERSIST-AUTO-3: one block was produced (the block trigger counts them). Without a
        running auto-flush: `AutoFlushStateError`."""
        with self._auto_flush_lock:
            flusher = self._auto_flusher
            if flusher is None:
                raise AutoFlushStateError("notify_block: expected auto-flush started, found it "
                                          "stopped")
            flusher.notify_block()

    def auto_flush_status(self) -> AutoFlushStatus | None:
        """PERSIST-AUTO-3/4: the running auto-flush's status (None when it is stopped)."""
        with self._auto_flush_lock:
            return None if self._auto_flusher is None else self._auto_flusher.status()

    def stop_auto_flush(self) -> None:
        """PERSIST-AUTO-3/4: stop the thread and flush what is pending; idempotent. A
        background flush that failed is raised now as `AutoFlushFailed`."""
        with self._auto_flush_lock:
            flusher, self._auto_flusher = self._auto_flusher, None
        if flusher is not None:
            flusher.stop()
