"""Canonical error kinds of a call (spec/runtime.md, RT-ERR-*).

Like the exception names of Ethereum's execution-spec-tests, these names are what fixtures
record and what every backend maps its own errors to.
"""

from __future__ import annotations

from enum import StrEnum

from ..wasm.errors import Trap, TrapKind


class ErrorKind(StrEnum):
    """Why a call failed (RT-ERR-1)."""

    # Before execution starts (RT-ERR-2: no gas is used).
    MALFORMED_MODULE = "MALFORMED_MODULE"
    INVALID_MODULE = "INVALID_MODULE"
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
