"""Table instructions (WebAssembly spec section 4.4.6)."""

from __future__ import annotations

from typing import Any

from ...errors import Trap, TrapKind
from ...runtime.store import ElemInst, Store, TableInst
from ...runtime.values import MASK32, Payload


def _out_of_bounds(i: int, n: int, size: int) -> Trap:
    return Trap(TrapKind.TABLE_OUT_OF_BOUNDS, f"access of {n} elements at {i}, table size {size}")


def table_get(stack: list[Any], tab: TableInst) -> None:
    """4.4.6 ``table.get x``."""
    i = stack[-1]
    if i >= len(tab.elem):
        raise _out_of_bounds(i, 1, len(tab.elem))
    stack[-1] = tab.elem[i]


def table_set(stack: list[Any], tab: TableInst) -> None:
    """4.4.6 ``table.set x``."""
    val = stack.pop()
    i = stack.pop()
    if i >= len(tab.elem):
        raise _out_of_bounds(i, 1, len(tab.elem))
    tab.elem[i] = val


def table_size(stack: list[Any], tab: TableInst) -> None:
    """4.4.6 ``table.size x``."""
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


def table_grow(stack: list[Any], store: Store, tab: TableInst) -> None:
    """4.4.6 ``table.grow x``: push the old size, or -1."""
    n = stack.pop()
    init = stack[-1]
    stack[-1] = grow_table(store, tab, n, init)


def table_fill(stack: list[Any], tab: TableInst) -> None:
    """4.4.6 ``table.fill x``: trap if out of bounds (before anything is written)."""
    n = stack.pop()
    val = stack.pop()
    i = stack.pop()
    if i + n > len(tab.elem):
        raise _out_of_bounds(i, n, len(tab.elem))
    tab.elem[i:i + n] = [val] * n


def table_copy(stack: list[Any], dst: TableInst, src: TableInst) -> None:
    """4.4.6 ``table.copy x y``: overlap allowed."""
    n = stack.pop()
    s = stack.pop()
    d = stack.pop()
    if s + n > len(src.elem) or d + n > len(dst.elem):
        raise _out_of_bounds(max(s, d), n, min(len(src.elem), len(dst.elem)))
    dst.elem[d:d + n] = src.elem[s:s + n]


def table_init(stack: list[Any], tab: TableInst, seg: ElemInst) -> None:
    """4.4.6 ``table.init x y``: copy ``n`` references of element segment ``y``."""
    n = stack.pop()
    s = stack.pop()
    d = stack.pop()
    if s + n > len(seg.elem) or d + n > len(tab.elem):
        raise _out_of_bounds(d, n, len(tab.elem))
    tab.elem[d:d + n] = seg.elem[s:s + n]


def elem_drop(stack: list[Any], seg: ElemInst) -> None:
    """4.4.6 ``elem.drop x``."""
    seg.elem = []
