"""Types (WebAssembly spec section 2.3).

Value types, function types, limits, and the types of memories, tables, globals and external
values. The profile of SuperVM (spec/wasm.md, WASM-PROFILE-1) has no vector type: ``v128`` is
rejected by the decoder.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ValType(StrEnum):
    """Value types (spec 2.3.1-2.3.4): number types and reference types."""

    I32 = "i32"
    I64 = "i64"
    F32 = "f32"
    F64 = "f64"
    FUNCREF = "funcref"
    EXTERNREF = "externref"

    @property
    def is_num(self) -> bool:
        """True for the number types i32, i64, f32, f64."""
        return self in NUM_TYPES

    @property
    def is_ref(self) -> bool:
        """True for the reference types funcref and externref."""
        return self in REF_TYPES

    def __str__(self) -> str:
        return self.value


NUM_TYPES = frozenset({ValType.I32, ValType.I64, ValType.F32, ValType.F64})
REF_TYPES = frozenset({ValType.FUNCREF, ValType.EXTERNREF})

#: Bit width of each number type.
BIT_WIDTH = {ValType.I32: 32, ValType.I64: 64, ValType.F32: 32, ValType.F64: 64}


@dataclass(frozen=True, slots=True)
class FuncType:
    """Function types [t1*] -> [t2*] (spec 2.3.5)."""

    params: tuple[ValType, ...]
    results: tuple[ValType, ...]

    def __str__(self) -> str:
        p = " ".join(t.value for t in self.params)
        r = " ".join(t.value for t in self.results)
        return f"[{p}] -> [{r}]"


@dataclass(frozen=True, slots=True)
class Limits:
    """Limits {min, max?} (spec 2.3.6)."""

    min: int
    max: int | None = None


@dataclass(frozen=True, slots=True)
class MemType:
    """Memory types (spec 2.3.7): limits in units of pages."""

    limits: Limits


@dataclass(frozen=True, slots=True)
class TableType:
    """Table types (spec 2.3.8): limits in elements, and the reference type of the elements."""

    limits: Limits
    elem_type: ValType


@dataclass(frozen=True, slots=True)
class GlobalType:
    """Global types (spec 2.3.9): mutability and value type."""

    mutable: bool
    val_type: ValType


#: External types (spec 2.3.10): func (a FuncType), table, mem, global.
ExternType = FuncType | TableType | MemType | GlobalType


def extern_kind(t: ExternType) -> str:
    """The kind of an external type: "func", "table", "memory" or "global"."""
    if isinstance(t, FuncType):
        return "func"
    if isinstance(t, TableType):
        return "table"
    if isinstance(t, MemType):
        return "memory"
    return "global"
