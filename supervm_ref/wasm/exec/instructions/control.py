"""Control instructions (WebAssembly spec sections 4.4.8-4.4.10).

Pre-decoding (`supervm_ref.wasm.exec.compile`) resolves the structured instructions, so they
leave only this behind at run time:

- ``block bt`` and ``loop bt`` (4.4.8) enter a block: nothing happens to the stack; their label
  becomes a position in the code (after the block's ``end`` for ``block``, the start of the
  body for ``loop``) with the operand height and arity a branch to it restores (`Branch`).
- ``if bt`` pops the condition and enters the first or the second sequence: `if_`; the
  ``else`` reached at the end of the first sequence continues after the ``end``: `else_`.
- ``end`` of a block (4.4.9, exiting a block normally) leaves the block's results where they
  are; the ``end`` of the function body returns from the function (4.4.10): `return_`.

Every other control instruction is a handler here. Branches return the position to continue
at; ``call`` and ``call_indirect`` return the function instance to invoke, and the machine
invokes it (4.4.10: a new frame for a WebAssembly function, the host code for a host
function); ``return`` returns `RETURN`.
"""

from __future__ import annotations

from typing import Any, cast

from ...errors import Trap, TrapKind
from ...runtime.store import FuncInst, Store, TableInst
from ...structure.types import FuncType
from ..code import RETURN, BindContext, Branch, Definition, Return, Stack, no_operand


def nop(stack: Stack, _: None) -> None:
    """4.4.8 ``nop``: do nothing."""
    return None


def unreachable(stack: Stack, _: None) -> None:
    """4.4.8 ``unreachable``: trap."""
    raise Trap(TrapKind.UNREACHABLE)


def if_(stack: Stack, else_target: int) -> int | None:
    """4.4.8 ``if bt instr1* else instr2* end``: pop the i32 ``c``; if it is non-zero, continue
    with ``instr1*`` (the next instruction), else with ``instr2*`` (at ``else_target``, which is
    past the ``end`` when there is no ``else``)."""
    if stack.pop():
        return None
    return else_target


def else_(stack: Stack, end_target: int) -> int:
    """4.4.9 exiting ``instr1*`` of an ``if`` at its ``else``: continue after the ``end``."""
    return end_target


def br(stack: Stack, branch: Branch) -> int:
    """4.4.8 ``br l``: keep the label's ``arity`` values from the top of the stack, pop every
    value down to the label's ``height`` (the values of the blocks being exited), put the kept
    values back, and continue at the label's ``target`` (the end of a ``block`` or ``if``, the
    start of a ``loop``)."""
    target, height, arity = branch
    if arity:
        stack[height:] = stack[len(stack) - arity:]
    else:
        del stack[height:]
    return target


def br_if(stack: Stack, branch: Branch) -> int | None:
    """4.4.8 ``br_if l``: pop the i32 ``c``; if it is non-zero, ``br l``, else continue."""
    if stack.pop():
        return br(stack, branch)
    return None


def br_table(stack: Stack, operand: tuple[tuple[Branch, ...], Branch]) -> int:
    """4.4.8 ``br_table l* l_N``: pop the i32 ``i``; ``br l[i]`` if ``i`` indexes ``l*``, else
    ``br l_N``."""
    branches, default = operand
    i = stack.pop()
    return br(stack, branches[i] if i < len(branches) else default)


def return_(stack: Stack, arity: int) -> Return:
    """4.4.8 ``return``: keep the function's ``arity`` results from the top of the stack and
    leave the frame (everything else of the frame, locals included, is discarded); the machine
    pushes the results onto the caller's stack."""
    del stack[:len(stack) - arity]
    return RETURN


def call(stack: Stack, callee: FuncInst) -> FuncInst:
    """4.4.8 ``call x``: invoke the function instance ``S.funcs[F.module.funcaddrs[x]]`` (the
    machine pops its arguments, 4.4.10)."""
    return callee


def call_indirect(stack: Stack, operand: tuple[Store, TableInst, FuncType]) -> FuncInst:
    """4.4.8 ``call_indirect x y``: call the function that element ``i`` of table ``x``
    references, after checking that its type is ``F.module.types[y]``."""
    store, tab, expected = operand
    # 1. Pop the index i; it must be within the table.
    i = stack.pop()
    if i >= len(tab.elem):
        raise Trap(TrapKind.UNDEFINED_ELEMENT, f"index {i} of {len(tab.elem)}")
    # 2. The element must be a reference, not null.
    addr = tab.elem[i]
    if addr is None:
        raise Trap(TrapKind.UNINITIALIZED_ELEMENT, f"index {i}")
    # 3. The function's type must be the expected one.
    callee = store.funcs[cast(int, addr)]  # validation: the table's elements are funcrefs
    if callee.type != expected:
        raise Trap(TrapKind.INDIRECT_CALL_TYPE_MISMATCH,
                   f"expected {expected}, found {callee.type}")
    # 4. Invoke it.
    return callee


# --- binding the immediates -------------------------------------------------------------------

def _bind_branch(ctx: BindContext, imm: tuple[Any, ...]) -> Branch:
    return ctx.branch(imm[0])


def _bind_table(ctx: BindContext, imm: tuple[Any, ...]) -> tuple[tuple[Branch, ...], Branch]:
    labels, default = imm
    return tuple(ctx.branch(l) for l in labels), ctx.branch(default)


def _bind_arity(ctx: BindContext, imm: tuple[Any, ...]) -> int:
    return ctx.result_arity()


def _callee(ctx: BindContext, imm: tuple[Any, ...]) -> FuncInst:
    """``call x``: the function instance ``S.funcs[F.module.funcaddrs[x]]``."""
    return ctx.store.funcs[ctx.module.funcaddrs[imm[0]]]


def _call_effect(ctx: BindContext, imm: tuple[Any, ...]) -> int:
    t = _callee(ctx, imm).type
    return len(t.results) - len(t.params)


def _bind_indirect(ctx: BindContext, imm: tuple[Any, ...]) -> tuple[Store, TableInst, FuncType]:
    typeidx, tableidx = imm
    return (ctx.store, ctx.store.tables[ctx.module.tableaddrs[tableidx]],
            ctx.module.types[typeidx])


def _call_indirect_effect(ctx: BindContext, imm: tuple[Any, ...]) -> int:
    t = ctx.module.types[imm[0]]
    return len(t.results) - len(t.params) - 1  # the index is popped too


#: The structured instructions, resolved by pre-decoding (see the module docstring).
STRUCTURED = frozenset({"block", "loop", "if", "else", "end"})

#: The definitions of the other control instructions (see `supervm_ref.wasm.exec.code`).
DEFINITIONS: dict[str, Definition] = {
    "nop": Definition(nop, no_operand, 0),
    "unreachable": Definition(unreachable, no_operand, 0),
    "br": Definition(br, _bind_branch, 0),
    "br_if": Definition(br_if, _bind_branch, -1),
    "br_table": Definition(br_table, _bind_table, -1),
    "return": Definition(return_, _bind_arity, 0),
    "call": Definition(call, _callee, _call_effect),
    "call_indirect": Definition(call_indirect, _bind_indirect, _call_indirect_effect),
}
