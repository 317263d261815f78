"""Validation contexts (WebAssembly spec section 3.1.1).

A context C records, for each index space, the types of the entities in scope: C.types,
C.funcs, C.tables, C.mems, C.globals, C.elems, C.datas, C.locals, C.return and C.refs. Labels
(C.labels) are not stored here: the validation algorithm of appendix A.3 keeps them on its
control stack (see `instructions.py`).

Every lookup is guarded: an index that is not in the context raises
``ValidationError("unknown <space> <index>")``, the message of the official test suite.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

from ..errors import ValidationError
from ..structure.types import FuncType, GlobalType, MemType, TableType, ValType

T = TypeVar("T")


def lookup(space: Sequence[T], index: object, name: str) -> T:
    """``space[index]`` if the index is in range, else ValidationError("unknown <name> i")
    (spec 3.1.1: "C.space[x] must be defined")."""
    if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(space):
        return space[index]
    raise ValidationError(f"unknown {name} {show_index(index)}")


def show_index(index: object) -> str:
    """An index for an error message (never formats an unbounded int)."""
    if isinstance(index, int) and 0 <= index <= 0xFFFF_FFFF:
        return str(index)
    return "(out of range)"


@dataclass(frozen=True)
class Context:
    """A validation context C (spec 3.1.1). ``datas`` is the number of data segments (the spec
    records only ``ok`` for each); ``return_`` is None outside functions."""

    types: tuple[FuncType, ...] = ()
    funcs: tuple[FuncType, ...] = ()
    tables: tuple[TableType, ...] = ()
    mems: tuple[MemType, ...] = ()
    globals: tuple[GlobalType, ...] = ()
    elems: tuple[ValType, ...] = ()
    datas: int = 0
    locals: tuple[ValType, ...] = ()
    return_: tuple[ValType, ...] | None = None
    refs: frozenset[int] = field(default_factory=frozenset)

    def type_(self, x: int) -> FuncType:
        """C.types[x]."""
        return lookup(self.types, x, "type")

    def func(self, x: int) -> FuncType:
        """C.funcs[x]."""
        return lookup(self.funcs, x, "function")

    def table(self, x: int) -> TableType:
        """C.tables[x]."""
        return lookup(self.tables, x, "table")

    def mem(self, x: int) -> MemType:
        """C.mems[x]."""
        return lookup(self.mems, x, "memory")

    def global_(self, x: int) -> GlobalType:
        """C.globals[x]."""
        return lookup(self.globals, x, "global")

    def elem(self, x: int) -> ValType:
        """C.elems[x]: the reference type of element segment x."""
        return lookup(self.elems, x, "elem segment")

    def data(self, x: int) -> None:
        """Check that C.datas[x] is defined."""
        if not (isinstance(x, int) and not isinstance(x, bool) and 0 <= x < self.datas):
            raise ValidationError(f"unknown data segment {show_index(x)}")

    def local(self, x: int) -> ValType:
        """C.locals[x]."""
        return lookup(self.locals, x, "local")

    def with_function(self, params: tuple[ValType, ...], locals_: tuple[ValType, ...],
                      results: tuple[ValType, ...]) -> Context:
        """The context C' for a function body (spec 3.4.1): C with C.locals set to the
        parameters followed by the declared locals, and C.return set to the results."""
        return replace(self, locals=tuple(params) + tuple(locals_), return_=tuple(results))
