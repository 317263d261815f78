"""Demo 6 of the seed: state snapshots and rollback (spec/scheduling.md, PAR-DEMO-2).

The seed's scenarios on a `ParallelScheduler`: a deposit that commits, a withdrawal that fails
and is rolled back, two withdrawals of which only the second fails; then nested snapshots on a
`StateManager`, and a transaction retried after simulated conflicts. Every withdrawal debits
first and checks afterwards, so a rollback has something to undo.
"""

from __future__ import annotations

from collections.abc import Callable

from ..config import Config
from ..parallel.errors import ConflictError, TxError
from ..parallel.scheduler import ParallelScheduler
from ..parallel.state_manager import StateManager

BALANCE = b"account_balance"


def balance_of(manager: StateManager) -> int:
    """The account balance (0 when unset)."""
    value = manager.get_storage().get(BALANCE)
    return 0 if value is None else int(value)


def deposit(amount: int) -> Callable[[StateManager], int]:
    """An operation that credits ``amount`` and emits an event; returns the new balance."""

    def op(manager: StateManager) -> int:
        new = balance_of(manager) + amount
        manager.get_storage().set(BALANCE, str(new).encode())
        manager.get_events().append(f"Deposited {amount} COIN".encode())
        return new

    return op


def withdraw(amount: int) -> Callable[[StateManager], int]:
    """An operation that debits ``amount`` and emits an event, then fails (TxError) if the
    balance went negative; returns the new balance."""

    def op(manager: StateManager) -> int:
        before = balance_of(manager)
        new = before - amount
        manager.get_storage().set(BALANCE, str(new).encode())
        manager.get_events().append(f"Withdrew {amount} COIN".encode())
        if new < 0:
            raise TxError(f"insufficient balance: need {amount} COIN, have {before} COIN")
        return new

    return op


def _attempt(scheduler: ParallelScheduler, what: str,
             op: Callable[[StateManager], int]) -> str:
    """Run ``op`` under a snapshot and describe the outcome."""
    try:
        scheduler.execute_with_snapshot(op)
    except TxError as e:
        return (f"{what} -> failed ({e}), rolled back, "
                f"balance {balance_of(scheduler.get_state_manager())} COIN")
    return f"{what} -> committed, balance {balance_of(scheduler.get_state_manager())} COIN"


def run(log: Callable[[str], None], config: Config) -> None:
    """PAR-DEMO-2: print the demo 6 lines."""
    scheduler = ParallelScheduler()
    log("Demo 6: state snapshots and rollback")
    log("  Scenario 1: " + _attempt(scheduler, "deposit 100 COIN", deposit(100)))
    log("  Scenario 2: " + _attempt(scheduler, "withdraw 150 COIN", withdraw(150)))
    log("  Scenario 3: " + _attempt(scheduler, "withdraw 30 COIN", withdraw(30)) + "; "
        + _attempt(scheduler, "withdraw 100 COIN", withdraw(100)))

    # Nested snapshots on a state manager of its own.
    manager = StateManager({b"key": b"v1"})
    manager.create_snapshot()
    manager.get_storage().set(b"key", b"v2")
    manager.create_snapshot()
    manager.get_storage().set(b"key", b"v3")
    steps = [f"v3 at depth {manager.snapshot_depth()}"]
    for _ in range(2):
        manager.rollback()
        value = (manager.get_storage().get(b"key") or b"").decode()
        steps.append(f"rollback -> {value} (depth {manager.snapshot_depth()})")
    log("  Scenario 4: nested snapshots: " + "; ".join(steps))

    # A transaction that meets two (simulated) conflicts, then commits.
    attempts = 0

    def contended_deposit(manager: StateManager) -> int:
        nonlocal attempts
        attempts += 1
        new = deposit(5)(manager)
        if attempts < 3:
            raise ConflictError(f"simulated conflict on attempt {attempts}")
        return new

    new_balance = scheduler.execute_with_retry(contended_deposit, max_retries=3)
    log(f"  Scenario 5: deposit 5 COIN with retry -> committed on attempt {attempts}, "
        f"balance {new_balance} COIN")

    events = [e.decode() for e in scheduler.get_events()]
    log(f"  Events kept: {len(events)} ({', '.join(events)})")
    s = scheduler.get_stats()
    log(f"  Stats: {s.successful_txs} committed, {s.failed_txs} failed, "
        f"{s.rollback_count} rollbacks, {s.retry_count} retries, {s.conflict_count} conflicts, "
        f"success rate {s.success_rate() * 100:.2f}%")
