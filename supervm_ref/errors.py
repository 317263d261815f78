"""The root of supervm-ref's errors (spec/runtime.md, RT-API-2).

Every exception the package raises on purpose is a `SuperVMError`, so a user can catch them all
with one ``except`` clause; each area refines it (the engine's `WasmError`, the runtime's
`ExecutionError`, `MvccError`, `BlockStmError`, `ParallelError`, ...). A Python exception of
another class (``TypeError``, ``IndexError``, ``RecursionError``, ...) leaving a public function
is a bug.
"""

from __future__ import annotations


class SuperVMError(Exception):
    """RT-API-2: the base of every error supervm-ref raises on purpose."""


class InvalidArgumentError(SuperVMError):
    """RT-API-3: a public function was given an argument of the wrong type or out of its
    documented range; nothing has changed. ``argument`` names it, ``expected`` says what was
    expected and ``found`` is what was given."""

    def __init__(self, argument: str, expected: str, found: object) -> None:
        self.argument = argument
        self.expected = expected
        self.found = found
        super().__init__(f"{argument}: expected {expected}, found {describe(found)}")


class ConfigError(SuperVMError):
    """RT-CONFIG-1: a configuration that cannot be used (a file, an environment variable, a
    value given to a configuration class), with the reason. Defined here so that every
    configuration class can raise it; ``supervm_ref.config.ConfigError`` is this class."""


def shown(value: object, width: int = 60) -> str:
    """RT-API-2: ``repr(value)`` for an error message, at most ``width`` characters, never
    failing: a repr that raises, or an integer too long for Python to print (over 4,300
    digits), is described instead, so a bad argument always gets its typed error."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 4000:
        return f"<an integer of {value.bit_length()} bits>"
    try:
        text = repr(value)
    except Exception:  # a repr that fails must not hide the real error
        return f"<a {type(value).__name__} that cannot be printed>"
    if not isinstance(text, str):  # pragma: no cover - repr always returns a str
        return f"<a {type(value).__name__}>"
    return text if len(text) <= width else text[:width - 3] + "..."


def describe(value: object) -> str:
    """A short description of ``value`` for an error message: its type and a bounded repr."""
    return f"{type(value).__name__} {shown(value)}"


def require_int(value: object, argument: str, minimum: int, maximum: int) -> int:
    """RT-API-3: ``value`` must be an ``int`` (not a ``bool``) in ``[minimum, maximum]``."""
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise InvalidArgumentError(argument, f"an integer in [{minimum}, {maximum}]", value)
    return value
