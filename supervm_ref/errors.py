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


def describe(value: object) -> str:
    """A short description of ``value`` for an error message: its type and a bounded repr."""
    try:
        shown = repr(value)
    except Exception:  # a repr that fails must not hide the real error
        shown = "<unprintable>"
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"{type(value).__name__} {shown}"


def require_int(value: object, argument: str, minimum: int, maximum: int) -> int:
    """RT-API-3: ``value`` must be an ``int`` (not a ``bool``) in ``[minimum, maximum]``."""
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise InvalidArgumentError(argument, f"an integer in [{minimum}, {maximum}]", value)
    return value
