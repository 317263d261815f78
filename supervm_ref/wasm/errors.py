"""Errors of the WebAssembly engine (spec/wasm.md, rules WASM-ERR-*).

The WebAssembly specification distinguishes four ways a module or a call can fail: the binary is
*malformed* (section 5, binary format), the module is *invalid* (section 3, validation), it is
*unlinkable* (section 4.5.4, instantiation), or execution *traps* (section 4.4). Each is a class
here, and so is a fifth, allowed by the spec's appendix A.2: the binary is larger than the
engine's code-size limits (`CodeTooLarge`). Every failure that leaves the engine's public API is
one of these classes (rule WASM-ERR-1); no other Python exception escapes.
"""

from __future__ import annotations

from enum import StrEnum

from ..errors import SuperVMError


class TrapKind(StrEnum):
    """The kinds of trap (rule WASM-ERR-5). The value is the message used by the official test
    suite where one exists, so a trap can be compared with an ``assert_trap`` text."""

    UNREACHABLE = "unreachable"
    MEMORY_OUT_OF_BOUNDS = "out of bounds memory access"
    TABLE_OUT_OF_BOUNDS = "out of bounds table access"
    UNDEFINED_ELEMENT = "undefined element"
    UNINITIALIZED_ELEMENT = "uninitialized element"
    INDIRECT_CALL_TYPE_MISMATCH = "indirect call type mismatch"
    INTEGER_DIVIDE_BY_ZERO = "integer divide by zero"
    INTEGER_OVERFLOW = "integer overflow"
    INVALID_CONVERSION = "invalid conversion to integer"
    CALL_STACK_EXHAUSTED = "call stack exhausted"
    OUT_OF_GAS = "out of gas"
    HOST_ERROR = "host error"


class WasmError(SuperVMError):
    """Base class of every error the engine raises (rule WASM-ERR-1).

    ``kind`` is a short, stable, machine-readable name; ``message`` says what was expected and
    what was found.
    """

    kind: str

    def __init__(self, message: str, kind: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind or type(self).__name__

    def __str__(self) -> str:
        return self.message


class DecodeError(WasmError):
    """The binary is malformed (spec section 5; rule WASM-ERR-2). ``offset`` is the byte offset
    in the binary where decoding failed, when known."""

    def __init__(self, message: str, offset: int | None = None) -> None:
        where = f" at byte {offset}" if offset is not None else ""
        super().__init__(message + where, "malformed")
        self.reason = message
        self.offset = offset


class ValidationError(WasmError):
    """The module is invalid (spec section 3; rule WASM-ERR-3)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "invalid")


class CodeTooLarge(WasmError):
    """The binary exceeds a code-size limit of the engine (rules WASM-LIMIT-8, WASM-LIMIT-9):
    the module is neither malformed nor invalid, but larger than this engine accepts.

    ``limit_name`` is the `EngineLimits` field (``"max_module_bytes"``,
    ``"max_function_instructions"``), ``limit`` its value, ``found`` the size found (for an
    instruction count, the count the decoder had reached when it stopped: ``limit + 1``, the
    body may be longer) and ``offset`` the byte offset where the decoder stopped, when it had
    started."""

    def __init__(self, what: str, limit_name: str, limit: int, found: int, detail: str,
                 offset: int | None = None) -> None:
        super().__init__(f"{what} exceeds {limit_name} = {limit}: {detail}", "code_too_large")
        self.limit_name = limit_name
        self.limit = limit
        self.found = found
        self.offset = offset


class EncodeError(WasmError):
    """A `Module` cannot be written in the binary format (rule WASM-ENC-6): an index or a
    value out of range, an instruction outside the profile, immediates of the wrong shape."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "unencodable")


class LinkError(WasmError):
    """The module cannot be instantiated with the given imports, or its declared sizes exceed the
    engine limits (spec section 4.5.4; rule WASM-ERR-4)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "unlinkable")


class Trap(WasmError):
    """Execution trapped (spec section 4.4; rule WASM-ERR-5). ``trap_kind`` is a TrapKind;
    ``gas_used`` is filled in by the invocation that observed the trap when it ran with a gas
    limit."""

    def __init__(self, trap_kind: TrapKind, detail: str = "") -> None:
        message = trap_kind.value + (f": {detail}" if detail else "")
        super().__init__(message, trap_kind.name.lower())
        self.trap_kind = trap_kind
        self.gas_used: int | None = None
