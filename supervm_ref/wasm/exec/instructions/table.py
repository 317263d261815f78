"""Table instructions (WebAssembly spec section 4.4.6).

Tables and element segments are bound when the function is pre-decoded: the operand of
``table.get x`` is the table instance ``S.tables[F.module.tableaddrs[x]]`` itself.
"""

from __future__ import annotations

from typing import Any

from ...errors import Trap, TrapKind
from ...runtime.store import ElemInst, Store, TableInst
from ...runtime.values import MASK32, Payload
from ..code import BindContext, Definition, Stack


def _out_of_bounds(i: int, n: int, size: int) -> Trap:
    return Trap(TrapKind.TABLE_OUT_OF_BOUNDS, f"access of {n} elements at {i}, table size {size}")


def table_get(stack: Stack, tab: TableInst) -> None:
    """4.4.6 ``table.get x``: pop the index ``i``; push ``tab.elem[i]``, or trap if ``i`` is
    out of bounds."""
    i = stack[-1]
    if i >= len(tab.elem):
        raise _out_of_bounds(i, 1, len(tab.elem))
    stack[-1] = tab.elem[i]


def table_set(stack: Stack, tab: TableInst) -> None:
    """4.4.6 ``table.set x``: pop the reference ``val``, then the index ``i``; set
    ``tab.elem[i]`` to ``val``, or trap if ``i`` is out of bounds."""
    val = stack.pop()
    i = stack.pop()
    if i >= len(tab.elem):
        raise _out_of_bounds(i, 1, len(tab.elem))
    tab.elem[i] = val


def table_size(stack: Stack, tab: TableInst) -> None:
    """4.4.6 ``table.size x``: push the number of elements."""
    stack.append(len(tab.elem))


def grow_table(store: Store, tab: TableInst, n: int, init: Payload) -> int:
    """4.5.3.8 growing tables, bounded by the declared maximum, 2**32-1 and the engine limit
    (WASM-LIMIT-4). Returns the old size, or 2**32-1 (i.e. -1) on failure."""
    old = len(tab.elem)
    new = old + n
    declared = tab.type.limits.max
    if new > MASK32 or (declared is not None and new > declared) \
            or new > store.limits.max_table_size:
        return MASK32
    tab.elem.extend([init] * n)
    return old


def table_grow(stack: Stack, operand: tuple[Store, TableInst]) -> None:
    """4.4.6 ``table.grow x``: pop ``n``, then the reference ``val``; grow the table by ``n``
    elements set to ``val`` and push the old size, or push -1 if it cannot grow."""
    store, tab = operand
    n = stack.pop()
    val = stack[-1]
    stack[-1] = grow_table(store, tab, n, val)


def table_fill(stack: Stack, tab: TableInst) -> None:
    """4.4.6 ``table.fill x``: pop ``n``, the reference ``val`` and ``i``; set ``n`` elements
    from ``i`` to ``val``, or trap if the range is out of bounds (before anything is
    written)."""
    n = stack.pop()
    val = stack.pop()
    i = stack.pop()
    if i + n > len(tab.elem):
        raise _out_of_bounds(i, n, len(tab.elem))
    tab.elem[i:i + n] = [val] * n


def table_copy(stack: Stack, tables: tuple[TableInst, TableInst]) -> None:
    """4.4.6 ``table.copy x y``: pop ``n``, ``s`` and ``d``; copy ``n`` elements of table ``y``
    from ``s`` to table ``x`` at ``d`` (the ranges may overlap), or trap if either range is
    out of bounds."""
    dst, src = tables
    n = stack.pop()
    s = stack.pop()
    d = stack.pop()
    if s + n > len(src.elem) or d + n > len(dst.elem):
        raise _out_of_bounds(max(s, d), n, min(len(src.elem), len(dst.elem)))
    dst.elem[d:d + n] = src.elem[s:s + n]


def table_init(stack: Stack, operand: tuple[TableInst, ElemInst]) -> None:
    """4.4.6 ``table.init x y``: pop ``n``, ``s`` and ``d``; copy ``n`` references of element
    segment ``y`` from ``s`` to table ``x`` at ``d``, or trap if either range is out of
    bounds."""
    tab, seg = operand
    n = stack.pop()
    s = stack.pop()
    d = stack.pop()
    if s + n > len(seg.elem) or d + n > len(tab.elem):
        raise _out_of_bounds(d, n, len(tab.elem))
    tab.elem[d:d + n] = seg.elem[s:s + n]


def elem_drop(stack: Stack, seg: ElemInst) -> None:
    """4.4.6 ``elem.drop x``: the element segment becomes empty."""
    seg.elem = []


# --- binding the immediates -------------------------------------------------------------------

def _table(ctx: BindContext, x: int) -> TableInst:
    """The table instance ``S.tables[F.module.tableaddrs[x]]``."""
    return ctx.store.tables[ctx.module.tableaddrs[x]]


def _elem(ctx: BindContext, y: int) -> ElemInst:
    """The element instance ``S.elems[F.module.elemaddrs[y]]``."""
    return ctx.store.elems[ctx.module.elemaddrs[y]]


def _bind_table(ctx: BindContext, imm: tuple[Any, ...]) -> TableInst:
    return _table(ctx, imm[0])


def _bind_grow(ctx: BindContext, imm: tuple[Any, ...]) -> tuple[Store, TableInst]:
    return ctx.store, _table(ctx, imm[0])


def _bind_copy(ctx: BindContext, imm: tuple[Any, ...]) -> tuple[TableInst, TableInst]:
    dst, src = imm
    return _table(ctx, dst), _table(ctx, src)


def _bind_init(ctx: BindContext, imm: tuple[Any, ...]) -> tuple[TableInst, ElemInst]:
    elemidx, tableidx = imm
    return _table(ctx, tableidx), _elem(ctx, elemidx)


def _bind_elem(ctx: BindContext, imm: tuple[Any, ...]) -> ElemInst:
    return _elem(ctx, imm[0])


#: The definitions of the table instructions (see `supervm_ref.wasm.exec.code`).
DEFINITIONS: dict[str, Definition] = {
    "table.get": Definition(table_get, _bind_table, 0),
    "table.set": Definition(table_set, _bind_table, -2),
    "table.size": Definition(table_size, _bind_table, 1),
    "table.grow": Definition(table_grow, _bind_grow, -1),
    "table.fill": Definition(table_fill, _bind_table, -3),
    "table.copy": Definition(table_copy, _bind_copy, -3),
    "table.init": Definition(table_init, _bind_init, -3),
    "elem.drop": Definition(elem_drop, _bind_elem, 0),
}
