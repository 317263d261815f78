"""Errors of the Block-STM executor (spec/scheduling.md, rule SCHED-API-3).

Every error the package raises is a `BlockStmError` with a ``kind`` naming the broken rule's
family; messages say what was expected and what was found. A *failing transaction* is not an
error of the executor: its output is a `TxnFailure` value (SCHED-TXN-3).
"""

from __future__ import annotations

from enum import StrEnum


class BlockStmErrorKind(StrEnum):
    """Why the executor refused a request or stopped (SCHED-API-3)."""

    INVALID_ARGUMENT = "INVALID_ARGUMENT"          # a bad batch, store or configuration
    INVALID_ACCESS = "INVALID_ACCESS"              # a transaction misused its view
    NONDETERMINISTIC_TRANSACTION = "NONDETERMINISTIC_TRANSACTION"
    SIMULATION_STALLED = "SIMULATION_STALLED"      # no worker can make progress
    INVARIANT_VIOLATED = "INVARIANT_VIOLATED"      # an internal rule was broken (a bug)
    WORKER_CRASHED = "WORKER_CRASHED"              # a worker thread raised


class BlockStmError(Exception):
    """Base class: ``kind`` is the canonical reason, the message the details."""

    kind: BlockStmErrorKind = BlockStmErrorKind.INVARIANT_VIOLATED

    def __init__(self, message: str) -> None:
        super().__init__(f"{self.kind.value}: {message}")
        self.detail = message


class InvalidArgument(BlockStmError):
    """The caller passed something the API does not accept (SCHED-API-3)."""

    kind = BlockStmErrorKind.INVALID_ARGUMENT


class InvalidAccess(BlockStmError):
    """A transaction body called its view with a bad key or value (SCHED-TXN-1). Raised inside
    the body, so it becomes that transaction's failure (SCHED-TXN-3)."""

    kind = BlockStmErrorKind.INVALID_ACCESS


class NondeterministicTransaction(BlockStmError):
    """A transaction body did not behave as a function of the values it read (SCHED-TXN-2):
    replayed with the same answers it asked for a different key, or it swallowed the
    executor's control signal."""

    kind = BlockStmErrorKind.NONDETERMINISTIC_TRANSACTION


class SimulationStalled(BlockStmError):
    """Every virtual worker is idle and nothing can change, yet the block is not done
    (SCHED-SIM-3), or the step budget ran out."""

    kind = BlockStmErrorKind.SIMULATION_STALLED


class InvariantViolated(BlockStmError):
    """A status transition or bookkeeping rule of the scheduler or the multi-version memory
    was broken (SCHED-STATUS-1, SCHED-MEM-*): a bug in the executor, never the caller's."""

    kind = BlockStmErrorKind.INVARIANT_VIOLATED


class WorkerCrashed(BlockStmError):
    """A worker thread stopped with an exception (SCHED-THREADS-1)."""

    kind = BlockStmErrorKind.WORKER_CRASHED
