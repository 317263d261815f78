"""Typed errors of the parallel execution engine (spec/scheduling.md, PAR-ERR-1).

Every failure of the public API of `supervm_ref.parallel` is a `ParallelError` carrying a
`ParallelErrorKind`, the canonical name a fixture or another implementation maps its own
errors to. Transactions signal failure by raising a `TxError` (the seed's ``Err(String)``);
`ConflictError` is the retryable one.
"""

from __future__ import annotations

from enum import StrEnum

from ..errors import SuperVMError


class ParallelErrorKind(StrEnum):
    """Why an operation of the parallel engine failed (PAR-ERR-1)."""

    # Bad input to the API (nothing changed).
    INVALID_ARGUMENT = "INVALID_ARGUMENT"
    INVALID_PRIORITY = "INVALID_PRIORITY"
    INVALID_TX_ID = "INVALID_TX_ID"
    DUPLICATE_TX = "DUPLICATE_TX"
    UNKNOWN_TX = "UNKNOWN_TX"
    DEPENDENCY_CYCLE = "DEPENDENCY_CYCLE"
    # State manager misuse.
    NO_SNAPSHOT = "NO_SNAPSHOT"
    # Transaction failures.
    TX_FAILED = "TX_FAILED"
    CONFLICT = "CONFLICT"
    UNEXPECTED_EXCEPTION = "UNEXPECTED_EXCEPTION"
    UNDECLARED_ACCESS = "UNDECLARED_ACCESS"
    RETRIES_EXHAUSTED = "RETRIES_EXHAUSTED"


class ParallelError(SuperVMError):
    """Base of every error of `supervm_ref.parallel`; ``kind`` is its canonical name."""

    def __init__(self, kind: ParallelErrorKind, message: str) -> None:
        super().__init__(f"{kind.value}: {message}")
        self.kind = kind
        self.detail = message


class InvalidInput(ParallelError):
    """An argument of the wrong type or out of range (PAR-ERR-1); raised before any state
    changes."""


class SnapshotError(ParallelError):
    """`StateManager.rollback` or `StateManager.commit` with no snapshot to act on
    (PAR-SNAP-3, PAR-SNAP-4)."""

    def __init__(self, operation: str) -> None:
        super().__init__(ParallelErrorKind.NO_SNAPSHOT,
                         f"no snapshot available to {operation} (snapshot depth is 0)")
        self.operation = operation


class TxError(ParallelError):
    """A transaction failed (the seed's ``Err(String)``): raised by a transaction function to
    abort it, and by the schedulers when they report a failure (PAR-SCHED-2).

    ``retryable`` says whether `ParallelScheduler.execute_with_retry` may run it again
    (PAR-SCHED-3); a plain failure is not retryable."""

    def __init__(self, message: str, *, retryable: bool = False,
                 kind: ParallelErrorKind = ParallelErrorKind.TX_FAILED) -> None:
        super().__init__(kind, message)
        self.retryable = retryable


class ConflictError(TxError):
    """A transaction aborted because of a conflict with another one; retryable
    (PAR-SCHED-3)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=True, kind=ParallelErrorKind.CONFLICT)


class RetriesExhausted(TxError):
    """`execute_with_retry` gave up: ``attempts`` runs all failed with a retryable error,
    the last being ``last_error`` (PAR-SCHED-3)."""

    def __init__(self, attempts: int, last_error: TxError) -> None:
        super().__init__(f"failed after {attempts} attempts: {last_error.detail}",
                         kind=ParallelErrorKind.RETRIES_EXHAUSTED)
        self.attempts = attempts
        self.last_error = last_error


def as_tx_error(exc: Exception) -> TxError:
    """PAR-SCHED-2: a transaction's failure as a `TxError`: a `TxError` as is, any other
    exception wrapped (kind UNEXPECTED_EXCEPTION, not retryable, the original as
    ``__cause__``)."""
    if isinstance(exc, TxError):
        return exc
    wrapped = TxError(f"{type(exc).__name__}: {exc}",
                      kind=ParallelErrorKind.UNEXPECTED_EXCEPTION)
    wrapped.__cause__ = exc
    return wrapped
