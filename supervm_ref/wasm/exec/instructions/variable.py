"""Variable instructions (WebAssembly spec section 4.4.5).

An activation keeps its locals in the first slots of its value stack (`code.Stack`): local
``x`` is ``stack[x]``. Globals are bound when the function is pre-decoded: the operand of
``global.get x`` is the global instance ``S.globals[F.module.globaladdrs[x]]`` itself.
"""

from __future__ import annotations

from typing import Any

from ...runtime.store import GlobalInst
from ..code import BindContext, Definition, Stack, first_immediate


def local_get(stack: Stack, x: int) -> None:
    """4.4.5 ``local.get x``: push the value of local ``x``."""
    stack.append(stack[x])


def local_set(stack: Stack, x: int) -> None:
    """4.4.5 ``local.set x``: pop a value; it becomes the value of local ``x``."""
    stack[x] = stack.pop()


def local_tee(stack: Stack, x: int) -> None:
    """4.4.5 ``local.tee x``: the value on top of the stack (left there) becomes the value of
    local ``x`` (the spec's "duplicate, then ``local.set``")."""
    stack[x] = stack[-1]


def global_get(stack: Stack, glob: GlobalInst) -> None:
    """4.4.5 ``global.get x``: push the value of the global."""
    stack.append(glob.value)


def global_set(stack: Stack, glob: GlobalInst) -> None:
    """4.4.5 ``global.set x``: pop a value; it becomes the value of the global."""
    glob.value = stack.pop()


def _bind_global(ctx: BindContext, imm: tuple[Any, ...]) -> GlobalInst:
    """``global.get/set x``: the global instance ``S.globals[F.module.globaladdrs[x]]``."""
    return ctx.store.globals[ctx.module.globaladdrs[imm[0]]]


#: The definitions of the variable instructions (see `supervm_ref.wasm.exec.code`).
DEFINITIONS: dict[str, Definition] = {
    "local.get": Definition(local_get, first_immediate, 1),
    "local.set": Definition(local_set, first_immediate, -1),
    "local.tee": Definition(local_tee, first_immediate, 0),
    "global.get": Definition(global_get, _bind_global, 1),
    "global.set": Definition(global_set, _bind_global, -1),
}
