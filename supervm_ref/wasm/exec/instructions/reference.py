"""Reference instructions (WebAssembly spec section 4.4.2).

A reference payload is None (null), a function address (an int) or an `ExternRef`
(`supervm_ref.wasm.runtime.values`).
"""

from __future__ import annotations

from typing import Any

from ..code import BindContext, Definition, Stack, no_operand


def ref_null(stack: Stack, _: None) -> None:
    """4.4.2 ``ref.null t``: push the null reference (of either reference type: the payload
    does not carry the type)."""
    stack.append(None)


def ref_is_null(stack: Stack, _: None) -> None:
    """4.4.2 ``ref.is_null``: pop a reference; push the i32 1 if it is null, else 0."""
    stack[-1] = 1 if stack[-1] is None else 0


def ref_func(stack: Stack, funcaddr: int) -> None:
    """4.4.2 ``ref.func x``: push a reference to the function ``F.module.funcaddrs[x]``."""
    stack.append(funcaddr)


def _bind_funcaddr(ctx: BindContext, imm: tuple[Any, ...]) -> int:
    """``ref.func x``: the address of function ``x`` of the module instance."""
    return ctx.module.funcaddrs[imm[0]]


#: The definitions of the reference instructions (see `supervm_ref.wasm.exec.code`).
DEFINITIONS: dict[str, Definition] = {
    "ref.null": Definition(ref_null, no_operand, 1),
    "ref.is_null": Definition(ref_is_null, no_operand, 0),
    "ref.func": Definition(ref_func, _bind_funcaddr, 1),
}
