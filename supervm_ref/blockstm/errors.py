"""Errors of the Block-STM executor (spec/scheduling.md, rule SCHED-API-3).

Every error the package raises is a `BlockStmError` with a ``kind`` naming the broken rule's
family; messages say what was expected and what was found. A *failing transaction* is not an
error of the executor: its output is a `TxnFailure` value (SCHED-TXN-3).
"""

from __future__ import annotations

from enum import StrEnum

from ..errors import SuperVMError


class BlockStmErrorKind(StrEnum):
    """Why the executor refused a request or stopped (SCHED-API-3)."""

    INVALID_ARGUMENT = "INVALID_ARGUMENT"          # a bad batch, store or configuration
    INVALID_ACCESS = "INVALID_ACCESS"              # a transaction misused its view
    SIMULATION_STALLED = "SIMULATION_STALLED"      # no worker can make progress
    INVARIANT_VIOLATED = "INVARIANT_VIOLATED"      # an internal rule was broken (a bug)
    WORKER_CRASHED = "WORKER_CRASHED"              # a worker thread raised
    STORE_FAILED = "STORE_FAILED"                  # the batch's store raised


class BlockStmError(SuperVMError):
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


class StoreFailed(BlockStmError):
    """The store a batch runs against raised while it was read or written (SCHED-RESULT-2):
    the batch is not executed and the store is as before. ``cause`` is the store's
    exception."""

    kind = BlockStmErrorKind.STORE_FAILED

    def __init__(self, operation: str, cause: BaseException) -> None:
        super().__init__(f"the store failed during {operation}: {type(cause).__name__}: {cause}")
        self.operation = operation
        self.cause = cause
