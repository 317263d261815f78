"""``supervm bench persistence``: the MVCC store on RocksDB (spec/persistence.md), in one run.

1. flush: `keys` keys committed (in transactions of `BATCH` writes, not timed), then ONE
   `flush_to_storage` into a fresh database, timed: keys per second and MB per second (of
   `bytes_flushed`, PERSIST-FLUSH-2);
2. reopen: the database closed, then `RocksDBStorage(path)` and `MvccStore.open`, timed; the
   reopened state must hold every key;
3. commits: `commits` one-key commits on a store with auto-flush off and on a store with
   auto-flush on (interval ``interval`` seconds on the default clock), in alternating rounds
   so both see the same machine; commits per second side by side. After `stop_auto_flush`
   the database must equal the store's state.

Timings use the wall clock; nothing measured here feeds back into any result. Progress is
reported only between the timed parts. Everything lives in a temporary directory removed
afterwards.
"""

from __future__ import annotations

import json
import platform
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import SuperVMError
from ..mvcc import MvccStore
from ..persistence import AutoFlushConfig, RocksDBStorage
from . import package_version

FULL_KEYS = 100_000
QUICK_KEYS = 2_000
FULL_COMMITS = 20_000
QUICK_COMMITS = 400
BATCH = 1_000
ROUNDS = 4
VALUE_SIZE = 32
DEFAULT_INTERVAL = 0.05


@dataclass
class PersistenceReport:
    """The whole ``bench persistence`` run (None: the part failed, see ``error``)."""

    quick: bool
    python: str
    rocksdict: str
    keys: int
    commits: int
    interval_seconds: float
    flush_seconds: float | None = None
    flush_keys_per_second: float | None = None
    flush_mb_per_second: float | None = None
    bytes_flushed: int = 0
    reopen_seconds: float | None = None
    commits_per_second_off: float | None = None
    commits_per_second_on: float | None = None
    auto_flushes: int = 0
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Every part ran and every check held."""
        return self.error is None


def _key(i: int) -> bytes:
    return b"key%08d" % i


def _value(i: int) -> bytes:
    return (b"%d:" % i).ljust(VALUE_SIZE, b"v")


def _flush_and_reopen(report: PersistenceReport, root: Path) -> None:
    store = MvccStore()
    for start in range(0, report.keys, BATCH):
        txn = store.begin()
        for i in range(start, min(start + BATCH, report.keys)):
            txn.write(_key(i), _value(i))
        txn.commit()
    path = root / "flush"
    with RocksDBStorage(path) as db:
        begin = time.perf_counter()
        stats = store.flush_to_storage(db)
        report.flush_seconds = time.perf_counter() - begin
    report.bytes_flushed = stats.bytes_flushed
    if report.flush_seconds > 0:
        report.flush_keys_per_second = stats.keys_flushed / report.flush_seconds
        report.flush_mb_per_second = stats.bytes_flushed / 1e6 / report.flush_seconds
    if stats.keys_flushed != report.keys:
        raise ValueError(f"flushed {stats.keys_flushed} keys, expected {report.keys}")
    begin = time.perf_counter()
    with RocksDBStorage(path) as db:
        reopened = MvccStore.open(db)
        report.reopen_seconds = time.perf_counter() - begin
    if len(reopened.snapshot_items()) != report.keys:
        raise ValueError("the reopened store does not hold every key")


def _commit_round(store: MvccStore, start: int, n: int) -> float:
    begin = time.perf_counter()
    for i in range(start, start + n):
        txn = store.begin()
        txn.write(_key(i % 1000), _value(i))
        txn.commit()
    return time.perf_counter() - begin


def _commits(report: PersistenceReport, root: Path,
             progress: Callable[[int, int, str], None] | None) -> None:
    per_round = max(1, report.commits // ROUNDS)
    off_store, on_store = MvccStore(), MvccStore()
    with RocksDBStorage(root / "off") as off_db, RocksDBStorage(root / "on") as on_db:
        on_store.start_auto_flush(on_db, AutoFlushConfig(True, report.interval_seconds, 0))
        off_time = on_time = 0.0
        try:
            for r in range(ROUNDS):
                if progress:
                    progress(2 + r, 2 + ROUNDS, f"commits, round {r + 1} of {ROUNDS}")
                off_time += _commit_round(off_store, r * per_round, per_round)
                on_time += _commit_round(on_store, r * per_round, per_round)
            status = on_store.auto_flush_status()
            report.auto_flushes = 0 if status is None else status.flushes
        finally:
            on_store.stop_auto_flush()
        off_store.flush_to_storage(off_db)
        if on_db.items() != on_store.snapshot_items() or off_db.items() != on_db.items():
            raise ValueError("after stop_auto_flush the database differs from the store")
    total = per_round * ROUNDS
    report.commits = total
    report.commits_per_second_off = total / off_time if off_time > 0 else None
    report.commits_per_second_on = total / on_time if on_time > 0 else None


def run(quick: bool = False, keys: int | None = None, commits: int | None = None,
        interval_seconds: float = DEFAULT_INTERVAL,
        progress: Callable[[int, int, str], None] | None = None) -> PersistenceReport:
    """Run the three parts; ``progress(done, total, label)`` is called between timed parts."""
    report = PersistenceReport(
        quick=quick, python=platform.python_version(), rocksdict=package_version("rocksdict"),
        keys=keys if keys is not None else QUICK_KEYS if quick else FULL_KEYS,
        commits=commits if commits is not None else QUICK_COMMITS if quick else FULL_COMMITS,
        interval_seconds=interval_seconds)
    with tempfile.TemporaryDirectory(prefix="supervm-bench-") as tmp:
        try:
            if progress:
                progress(0, 2 + ROUNDS, f"flush of {report.keys:,} keys, reopen")
            _flush_and_reopen(report, Path(tmp))
            _commits(report, Path(tmp), progress)
        except (SuperVMError, ValueError) as e:  # a benchmark reports failures
            report.error = f"{type(e).__name__}: {e}"
    return report


def _num(x: float | None, spec: str) -> str:
    return "error" if x is None else format(x, spec)


def format_table(report: PersistenceReport) -> str:
    """The report as plain text."""
    lines = [
        f"flush       {report.keys:,} keys in one batch: "
        f"{_num(report.flush_seconds, '.3f')} s, "
        f"{_num(report.flush_keys_per_second, ',.0f')} keys/s, "
        f"{_num(report.flush_mb_per_second, ',.2f')} MB/s ({report.bytes_flushed:,} bytes)",
        f"reopen      {_num(report.reopen_seconds, '.3f')} s (RocksDBStorage + MvccStore.open)",
        "",
        f"commits     {report.commits:,} one-key commits, {ROUNDS} alternating rounds",
        "  auto-flush   commits/s",
        f"  off          {_num(report.commits_per_second_off, ',.0f')}",
        f"  on           {_num(report.commits_per_second_on, ',.0f')}  "
        f"({report.auto_flushes} background flushes, interval {report.interval_seconds:g} s)",
        "",
        f"Python {report.python}, rocksdict {report.rocksdict}, "
        + ("quick sizes." if report.quick else "full sizes."),
    ]
    if report.error:
        lines.append(f"error: {report.error}")
    return "\n".join(lines)


def to_json(report: PersistenceReport) -> str:
    """The report as JSON (stable keys, see `PersistenceReport`)."""
    data = asdict(report)
    data["benchmark"] = "persistence"
    data["ok"] = report.ok
    return json.dumps(data, indent=2, sort_keys=True)
