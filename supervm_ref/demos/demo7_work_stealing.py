"""Demo 7 of the seed: the work-stealing scheduler (spec/scheduling.md, PAR-DEMO-3).

The seed's four examples: 20 tasks on 4 workers; tasks of different priorities; a failing
task; 1000 tasks on 8 workers; and transfers between accounts run by the workers through a
shared `ParallelScheduler`. Only figures that do not depend on thread timing are printed (no
durations, no steal counts, no per-worker order).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from ..config import Config
from ..parallel.errors import TxError
from ..parallel.scheduler import ParallelScheduler
from ..parallel.state_manager import StateManager
from ..parallel.work_stealing import Task, WorkStealingScheduler, scheduling_order

#: (transaction id, from, to, amount) of the transfer example; every balance suffices in any
#: order, so the final balances do not depend on which worker runs what when.
TRANSFERS = ((1, b"alice", b"bob", 100), (2, b"bob", b"charlie", 50),
             (3, b"charlie", b"alice", 30))
ACCOUNTS = ((b"alice", b"1000"), (b"bob", b"500"), (b"charlie", b"200"))


def transfer(scheduler: ParallelScheduler, source: bytes, target: bytes, amount: int) -> None:
    """Move ``amount`` from ``source`` to ``target`` atomically; TxError if it is short."""

    def op(manager: StateManager) -> None:
        storage = manager.get_storage()
        have = int(storage.get(source) or b"0")
        if have < amount:
            raise TxError(f"{source.decode()}: insufficient balance")
        storage.set(source, str(have - amount).encode())
        storage.set(target, str(int(storage.get(target) or b"0") + amount).encode())

    scheduler.execute_with_snapshot(op)


def run(log: Callable[[str], None], config: Config) -> None:
    """PAR-DEMO-3: print the demo 7 lines."""
    log("Demo 7: work-stealing scheduler")

    # Example 1: basic work stealing.
    ws = WorkStealingScheduler(4)
    ws.submit_tasks([Task(i, 100) for i in range(1, 21)])
    seen: list[int] = []
    lock = threading.Lock()

    def record(tx_id: int) -> None:
        with lock:
            seen.append(tx_id)

    result = ws.execute_all(record)
    log(f"  Basic: 4 workers, 20 tasks -> {result.stats.successful_txs} succeeded, "
        f"{result.stats.failed_txs} failed, each exactly once: "
        f"{sorted(seen) == list(range(1, 21))}")

    # Example 2: priorities.
    tasks = [Task(1, 255), Task(2, 128), Task(3, 50), Task(4, 200)]
    planned = [t.tx_id for t in scheduling_order(tasks)]
    single = WorkStealingScheduler(1)
    single.submit_tasks(tasks)
    ran = single.execute_all(lambda tx_id: None).execution_order()
    log("  Priorities: " + ", ".join(f"task {t.tx_id} ({t.priority})" for t in tasks)
        + f" -> scheduling order {planned}; 1 worker ran {ran}")

    # Example 3: errors are reported per task.
    ws = WorkStealingScheduler(2)
    ws.submit_tasks([Task(1, 100), Task(2, 100)])

    def fail_two(tx_id: int) -> None:
        if tx_id == 2:
            raise TxError("Simulated error")

    result = ws.execute_all(fail_two)
    errors = "; ".join(f"task {tx}: {err}" for tx, err in result.errors)
    log(f"  Errors: 2 tasks -> {result.stats.successful_txs} succeeded, "
        f"{result.stats.failed_txs} failed ({errors})")

    # Example 4: many tasks.
    ws = WorkStealingScheduler(8)
    ws.submit_tasks([Task(i, i % 256) for i in range(1, 1001)])
    result = ws.execute_all(lambda tx_id: sum(i * tx_id for i in range(100)))
    stats = ws.get_stats()
    log(f"  Large: 8 workers, 1000 tasks -> {stats.successful_txs} succeeded, "
        f"{stats.failed_txs} failed, success rate {stats.success_rate() * 100:.2f}%")

    # Example 5: transfers through the shared ParallelScheduler.
    ws = WorkStealingScheduler(4)
    shared = ws.get_scheduler()
    shared.get_state_manager().batch_write(ACCOUNTS)
    ws.submit_tasks([Task(tx_id, 100) for tx_id, *_ in TRANSFERS])
    by_id = {tx_id: (source, target, amount) for tx_id, source, target, amount in TRANSFERS}
    ws.execute_all(lambda tx_id: transfer(shared, *by_id[tx_id]))
    balances = ", ".join(f"{name.decode()} {(shared.get_storage().get(name) or b'0').decode()}"
                         for name, _ in ACCOUNTS)
    s = shared.get_stats()
    log(f"  Transfers: {balances}; {s.successful_txs} committed, "
        f"{s.rollback_count} rolled back")
