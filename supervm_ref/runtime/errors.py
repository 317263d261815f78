"""Errors of the runtime (spec/runtime.md, RT-ERR-*, RT-STORAGE-3, RT-API-*).

`ErrorKind` holds the canonical error kinds of a call: like the exception names of Ethereum's
execution-spec-tests, they are what fixtures record and what every backend maps its own errors
to. The exception classes are what the runtime's public API raises.
"""

from __future__ import annotations

from enum import StrEnum

from ..errors import InvalidArgumentError, SuperVMError
from ..wasm import Trap, TrapKind


class ErrorKind(StrEnum):
    """Why a call failed (RT-ERR-1)."""

    # Before execution starts (RT-ERR-2: no gas is used).
    MALFORMED_MODULE = "MALFORMED_MODULE"
    INVALID_MODULE = "INVALID_MODULE"
    CODE_TOO_LARGE = "CODE_TOO_LARGE"
    UNLINKABLE = "UNLINKABLE"
    START_FUNCTION_NOT_ALLOWED = "START_FUNCTION_NOT_ALLOWED"
    NO_SUCH_FUNCTION = "NO_SUCH_FUNCTION"
    BAD_ARGUMENTS = "BAD_ARGUMENTS"
    # During execution (RT-ERR-3: the whole gas limit is used).
    UNREACHABLE = "UNREACHABLE"
    MEMORY_OUT_OF_BOUNDS = "MEMORY_OUT_OF_BOUNDS"
    TABLE_OUT_OF_BOUNDS = "TABLE_OUT_OF_BOUNDS"
    UNDEFINED_ELEMENT = "UNDEFINED_ELEMENT"
    UNINITIALIZED_ELEMENT = "UNINITIALIZED_ELEMENT"
    INDIRECT_CALL_TYPE_MISMATCH = "INDIRECT_CALL_TYPE_MISMATCH"
    INTEGER_DIVIDE_BY_ZERO = "INTEGER_DIVIDE_BY_ZERO"
    INTEGER_OVERFLOW = "INTEGER_OVERFLOW"
    INVALID_CONVERSION = "INVALID_CONVERSION"
    CALL_STACK_EXHAUSTED = "CALL_STACK_EXHAUSTED"
    OUT_OF_GAS = "OUT_OF_GAS"
    HOST_LIMIT_EXCEEDED = "HOST_LIMIT_EXCEEDED"
    HOST_INVALID_ARGUMENT = "HOST_INVALID_ARGUMENT"
    HOST_ERROR = "HOST_ERROR"

    @property
    def before_execution(self) -> bool:
        """RT-ERR-2: the failures detected before any instruction runs."""
        return self in PRE_EXECUTION


PRE_EXECUTION = frozenset({ErrorKind.MALFORMED_MODULE, ErrorKind.INVALID_MODULE,
                           ErrorKind.CODE_TOO_LARGE,
                           ErrorKind.UNLINKABLE, ErrorKind.START_FUNCTION_NOT_ALLOWED,
                           ErrorKind.NO_SUCH_FUNCTION, ErrorKind.BAD_ARGUMENTS})


class HostTrap(Trap):
    """A trap raised by a host function for a reason of the host ABI (spec/host-abi.md):
    ``error`` is the canonical kind (HOST_LIMIT_EXCEEDED, HOST_INVALID_ARGUMENT, ...)."""

    def __init__(self, error: ErrorKind, detail: str) -> None:
        super().__init__(TrapKind.HOST_ERROR, f"{error.value}: {detail}")
        self.error = error


def error_kind_of_trap(trap: Trap) -> ErrorKind:
    """RT-ERR-1: the canonical kind of an engine trap."""
    if isinstance(trap, HostTrap):
        return trap.error
    return ErrorKind[trap.trap_kind.name]


class ExecutionError(SuperVMError):
    """RT-CALL-4: raised by the seed's convenience methods (`Runtime.execute_add`,
    `Runtime.execute_with_context`) when the call fails or their arguments are bad; ``error``
    is the `ErrorKind`."""

    def __init__(self, error: ErrorKind, message: str) -> None:
        super().__init__(f"{error.value}: {message}")
        self.error = error
        self.detail = message


class PreExecutionFailure(SuperVMError):
    """A failure of RT-CALL-1 steps 1-3 (RT-ERR-2), carried to `Runtime.call`, which turns it
    into a `CallResult`; never leaves the runtime."""

    def __init__(self, error: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.error = error


class StorageInputError(InvalidArgumentError):
    """RT-STORAGE-3: a key, value, prefix, limit or batch given to a storage is not of the
    storage's types (bytes; an integer limit). Nothing was read or written."""


class StorageWriteError(SuperVMError):
    """RT-STORAGE-4: a storage raised while a set of writes was applied to it all or nothing.
    The storage is as before, unless ``partial`` (putting back the keys already written failed
    too). ``cause`` is the storage's exception."""

    def __init__(self, cause: Exception, partial: bool = False) -> None:
        detail = f"{type(cause).__name__}: {cause}"
        if partial:
            detail += ("; putting back the keys already written failed too, so the storage may "
                       "be partly written")
        super().__init__(detail)
        self.cause = cause
        self.partial = partial


class StorageFailure(HostTrap):
    """RT-CALL-5: the storage under a call raised an ``Exception``; the call fails with
    HOST_ERROR (a storage's ``RecursionError`` too: it says nothing about the contract's call
    stack). ``cause`` is the storage's exception."""

    def __init__(self, operation: str, cause: Exception) -> None:
        super().__init__(ErrorKind.HOST_ERROR,
                         f"storage {operation} failed: {type(cause).__name__}: {cause}")
        self.cause = cause


__all__ = ["ErrorKind", "ExecutionError", "HostTrap", "PreExecutionFailure", "StorageFailure",
           "StorageInputError", "StorageWriteError", "error_kind_of_trap"]
