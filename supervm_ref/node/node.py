"""The running node (spec/node.md, NODE-*): what ``supervm demo`` does after the demos when
not given ``--once``, like the seed's node.

A `Node` opens (or creates) its RocksDB database in the data directory, rebuilds its
`MvccStore` from it (PERSIST rules), creates the genesis state once, and runs rounds of the
workload (`workload.py`) on a `SuperVM` whose objects live in the store (`MvccStorage`). The
store auto-flushes to the database on a timer and every N blocks; `/metrics` and `/summary`
are served on the loopback interface. `stop()` (Ctrl-C, SIGTERM) ends the loop between rounds,
stops the auto-flush — which flushes what is pending — and closes the database, so a node
restarted on the same directory resumes exactly where it stopped (NODE-RESUME-1).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..bench.mixed_path import BlockObserver, default_zk_backend
from ..demos.world import VK_ID, proof_documents
from ..errors import InvalidArgumentError
from ..metrics import MetricsCollector, MetricsServer, summary_of
from ..mvcc import MvccStore
from ..persistence import AutoFlushConfig, AutoFlushFailed, RocksDBStorage
from ..privacy import VerifyingKeyRegistry, parse_verifying_key
from ..routing import AdaptiveRouter, SuperVM
from .mvcc_storage import MvccStorage
from .workload import (
    RoundResult,
    WorkloadConfig,
    create_genesis,
    genesis_done,
    rounds_done,
    run_round,
    token_total,
)

#: The seed's metrics port.
DEFAULT_PORT = 8080

#: NODE-RESUME-1: the shortest pause between rounds, so a background flush waiting for the
#: round lock is never starved by back-to-back rounds (`--interval 0`).
_YIELD_SECONDS = 0.001


@dataclass(frozen=True)
class NodeConfig:
    """NODE-RUN-1: where the node keeps its state, where it serves metrics, how often it runs a
    round and flushes, and its workload. ``rounds`` stops it after that many rounds (None:
    until stopped)."""

    data_dir: Path
    port: int = DEFAULT_PORT
    host: str = "127.0.0.1"
    interval_seconds: float = 1.0
    auto_flush: AutoFlushConfig = field(
        default_factory=lambda: AutoFlushConfig(enable=True, interval_seconds=5,
                                                block_trigger_threshold=10))
    workload: WorkloadConfig = field(default_factory=WorkloadConfig)
    rounds: int | None = None
    zk_backend: str | None = None  # None: fast when installed, else reference


@dataclass(frozen=True)
class NodeReport:
    """What a node run did: rounds run now, the state's round count, the flush point of the
    last flush, the token total (NODE-WORK-2)."""

    rounds_run: int
    rounds_total: int
    flush_point: int
    token_total: int


class Node:
    """NODE-RUN-1: the seed's running node over a data directory."""

    def __init__(self, config: NodeConfig, *, log: Callable[[str], None] = print,
                 stop: threading.Event | None = None) -> None:
        """NODE-RUN-1: bind the metrics server first (a port in use changes nothing on disk),
        then open the database, rebuild the store and create the genesis once. ``stop`` is the
        event `stop()` sets (a signal handler installed before the node exists may set it):
        once set, startup ends before the database is opened, or `run` runs no round."""
        if not isinstance(config, NodeConfig):
            raise InvalidArgumentError("config", "a NodeConfig", config)
        if stop is not None and not isinstance(stop, threading.Event):
            raise InvalidArgumentError("stop", "a threading.Event or None", stop)
        self.config = config
        self.log = log
        self._stop = threading.Event() if stop is None else stop
        # NODE-RESUME-1: held over each round; every background flush takes it
        self._round = threading.Lock()
        self.metrics = MetricsCollector()
        self.store = MvccStore()  # until the database is open: an empty state
        self.storage = MvccStorage(self.store)
        registry = VerifyingKeyRegistry()
        registry.register(VK_ID, parse_verifying_key(proof_documents()[0]))
        self.observer = BlockObserver(AdaptiveRouter())
        self.vm = SuperVM(self.storage, router=self.observer, registry=registry,
                          zk_backend=config.zk_backend or default_zk_backend())
        self.server = MetricsServer(port=config.port, host=config.host,
                                    registries=[self.metrics, self.vm], summary=self.summary)
        self.server.start()
        self.db: RocksDBStorage | None = None
        try:
            if self._stop.is_set():
                return
            self.db = RocksDBStorage(str(config.data_dir))
            self.store = MvccStore.open(self.db, metrics=self.metrics)
            self.storage.store = self.store
            if genesis_done(self.store):
                log(f"resumed {config.data_dir} at round {rounds_done(self.store)}, flush "
                    f"point {self.store.flush_point()}")
            else:
                create_genesis(self.vm, self.store)
                log(f"new state in {config.data_dir}: genesis created")
        except BaseException:
            self.server.stop()
            if self.db is not None:
                self.db.close()
            raise
        self.rounds_run = 0

    def summary(self) -> dict[str, Any]:
        """NODE-HTTP-1: ``/summary``: the sections of the store's collector and the SuperVM
        (METRIC-HTTP-2) and ``node``."""
        return {**summary_of([self.metrics, self.vm]),
                "node": {"rounds": rounds_done(self.store),
                         "flush_point": self.store.flush_point(),
                         "token_total": token_total(self.store)}}

    def stop(self) -> None:
        """NODE-STOP-1: end the loop after the current round (safe from a signal handler)."""
        self._stop.set()

    def run(self, on_round: Callable[[RoundResult], None] | None = None) -> NodeReport:
        """NODE-RUN-1, NODE-STOP-1, NODE-RESUME-1: auto-flush and run rounds until stopped
        (or ``config.rounds``); then a final flush, and the database is closed. Each round
        runs holding the round lock that every background flush takes, so a flush holds a
        round's transactions all or none. After each round the auto-flush's status is
        checked: a background flush that failed is followed by a flush in the foreground and
        a new auto-flush; if that flush fails too, the node stops with the error."""
        if self.db is None:  # stopped during startup: nothing was opened
            self.server.stop()
            return NodeReport(0, 0, 0, 0)
        db = self.db
        self.log(f"serving metrics on http://{self.config.host}:{self.server.port}/metrics "
                 f"and /summary")
        try:
            self.store.start_auto_flush(db, self.config.auto_flush, guard=self._round)
            try:
                while not self._stop.is_set():
                    self._round.acquire()
                    try:
                        result = run_round(self.vm, self.store, self.config.workload)
                        self.observer.flush()
                        self.store.notify_block()
                    except BaseException:
                        # a round cut short is never flushed: stop holding the round lock
                        try:
                            self.store.stop_auto_flush(final_flush=False)
                        except AutoFlushFailed:
                            pass  # the round's own error is the one to report
                        finally:
                            self._round.release()
                        raise
                    self._round.release()
                    self.rounds_run += 1
                    if on_round is not None:
                        on_round(result)
                    self._check_auto_flush(db)
                    if self.config.rounds is not None and \
                            self.rounds_run >= self.config.rounds:
                        break
                    # at least a moment: a background flush waiting for the round lock gets it
                    self._stop.wait(max(self.config.interval_seconds, _YIELD_SECONDS))
            finally:
                self._stop_auto_flush()
        except BaseException:
            db.close()
            raise
        finally:
            self.server.stop()
        report = NodeReport(self.rounds_run, rounds_done(self.store), self.store.flush_point(),
                            token_total(self.store))
        db.close()
        return report

    def _check_auto_flush(self, db: RocksDBStorage) -> None:
        """NODE-RESUME-1: a failed background flush is never left unnoticed: flush in the
        foreground (stop_auto_flush, PERSIST-AUTO-4) and start the auto-flush again."""
        status = self.store.auto_flush_status()
        if status is None or status.error is None:
            return
        self.log(f"auto-flush failed ({status.error}); flushing in the foreground")
        self._stop_auto_flush()
        self.log(f"flushed in the foreground at flush point {self.store.flush_point()}; "
                 "auto-flush restarted")
        self.store.start_auto_flush(db, self.config.auto_flush, guard=self._round)

    def _stop_auto_flush(self) -> None:
        """PERSIST-AUTO-4: stop the auto-flush; a background failure whose final flush
        succeeded lost nothing (logged); a final flush that failed is raised."""
        try:
            self.store.stop_auto_flush()
        except AutoFlushFailed as e:
            if e.final_error is not None:
                raise
            self.log(f"auto-flush failed ({e.cause}); the final flush succeeded")
