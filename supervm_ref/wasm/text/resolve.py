"""Identifier contexts (WebAssembly spec section 6.6.1, "Contexts") and type uses (6.6.3).

An `IdContext` records the identifiers bound in each index space of a module (types, funcs,
tables, mems, globals, elems, datas), the function types defined so far (explicit ones first,
then those a type use inserts), and for the function being parsed its locals and the stack of
labels.

Rules (spec/wasm-text.md):

- WASM-TEXT-ID-1: an index is a ``u32`` or an identifier bound in its index space; an unbound
  identifier, or one bound twice in the same space, is malformed (``unknown func $f``,
  ``duplicate func``). Labels are bound innermost-first and may shadow each other; an index
  that is a number is kept as is (an unknown number is a validation error, not a text error).
- WASM-TEXT-TYPEUSE-1: a type use ``(type x)`` with inline parameters and results must agree
  with type x (``inline function type``); without ``(type x)`` it denotes the first type index
  whose function type equals the inline one, and when there is none, a new type is appended
  to the module's types, in the order the type uses occur in the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..structure.types import FuncType
from .parser import Cursor
from .values import parse_u32

SPACES = ("type", "func", "table", "memory", "global", "elem", "data")


@dataclass(slots=True)
class IdContext:
    """The identifier context of one module (and of the function being parsed)."""

    names: dict[str, dict[str, int]] = field(
        default_factory=lambda: {s: {} for s in SPACES})
    counts: dict[str, int] = field(default_factory=lambda: {s: 0 for s in SPACES})
    types: list[FuncType] = field(default_factory=list)
    locals: dict[str, int] = field(default_factory=dict)
    labels: list[str | None] = field(default_factory=list)

    def bind(self, c: Cursor, space: str, name: str | None, at: int) -> int:
        """Allocate the next index of ``space``, binding ``name`` to it (WASM-TEXT-ID-1)."""
        index = self.counts[space]
        self.counts[space] = index + 1
        if name is not None:
            bound = self.names[space]
            if name in bound:
                c.fail(f"duplicate {space} {name}", at)
            bound[name] = index
        return index

    def index(self, c: Cursor, space: str) -> int:
        """Consume an index of ``space`` (a u32 or a bound identifier)."""
        t = c.atom()
        if t is None:
            c.unexpected()
        if t.startswith("$"):
            x = self.names[space].get(t)
            if x is None:
                c.fail(f"unknown {space} {t}")
            c.i += 1
            return x
        return c.u32()

    def index_opt(self, c: Cursor, space: str) -> int | None:
        """Consume an index of ``space`` if the current token is a number or identifier."""
        t = c.atom()
        if t is None or not (t[0] == "$" or t[0].isdigit()):
            return None
        return self.index(c, space)

    def local(self, c: Cursor) -> int:
        """Consume a local index."""
        t = c.atom()
        if t is not None and t.startswith("$"):
            x = self.locals.get(t)
            if x is None:
                c.fail(f"unknown local {t}")
            c.i += 1
            return x
        return c.u32()

    def label(self, c: Cursor) -> int:
        """Consume a label index: a depth, or an identifier bound by an enclosing block."""
        t = c.atom()
        if t is not None and t.startswith("$"):
            labels = self.labels
            for depth in range(len(labels)):
                if labels[-1 - depth] == t:
                    c.i += 1
                    return depth
            c.fail(f"unknown label {t}")
        return c.u32()

    def is_index(self, c: Cursor) -> bool:
        """Whether the current token can be an index (a u32 or an identifier)."""
        t = c.atom()
        return t is not None and (t[0] == "$" or (t[0].isdigit() and _is_u32(t)))

    def type_index_of(self, ft: FuncType) -> int:
        """The first type index of ``ft``, appending it if absent (WASM-TEXT-TYPEUSE-1)."""
        try:
            return self.types.index(ft)
        except ValueError:
            self.types.append(ft)
            return len(self.types) - 1


def _is_u32(t: str) -> bool:
    try:
        return parse_u32(t) is not None
    except ValueError:
        return True  # a number too large is still meant as an index: report it there
