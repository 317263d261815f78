"""Parametric instructions (WebAssembly spec section 4.4.4)."""

from __future__ import annotations

from ..code import Definition, Stack, no_operand


def drop(stack: Stack, _: None) -> None:
    """4.4.4 ``drop``: pop a value and discard it."""
    stack.pop()


def select(stack: Stack, _: None) -> None:
    """4.4.4 ``select (t*)?``: pop the i32 ``c``, then ``val2``, then ``val1``; push ``val1``
    if ``c`` is non-zero, else ``val2``. (The optional type annotation only matters for
    validation.)"""
    c = stack.pop()
    val2 = stack.pop()
    if not c:
        stack[-1] = val2


#: The definitions of the parametric instructions (see `supervm_ref.wasm.exec.code`).
DEFINITIONS: dict[str, Definition] = {
    "drop": Definition(drop, no_operand, -1),
    "select": Definition(select, no_operand, -2),
}
