"""Modules (WebAssembly spec section 2.5).

A decoded module is a tree of frozen dataclasses mirroring the abstract syntax. Function bodies
and constant expressions are *flat* sequences of `Instruction` exactly as they appear in the
binary format (``block``/``loop``/``if`` ... ``else`` ... ``end`` markers included), which is the
form the spec's validation algorithm (appendix A.3) and our pre-decoder consume.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .instructions import Instruction
from .types import FuncType, GlobalType, MemType, TableType, ValType

#: A constant expression (spec 2.4.9): a flat instruction sequence ending with ``end``.
Expr = tuple[Instruction, ...]


@dataclass(frozen=True, slots=True)
class Func:
    """Functions (spec 2.5.3): type index, the declared locals (expanded, one entry per local,
    parameters not included) and the body (ending with ``end``)."""

    type_idx: int
    locals: tuple[ValType, ...]
    body: Expr


@dataclass(frozen=True, slots=True)
class Table:
    """Tables (spec 2.5.4)."""

    type: TableType


@dataclass(frozen=True, slots=True)
class Mem:
    """Memories (spec 2.5.5)."""

    type: MemType


@dataclass(frozen=True, slots=True)
class Global:
    """Globals (spec 2.5.6)."""

    type: GlobalType
    init: Expr


@dataclass(frozen=True, slots=True)
class ElemModePassive:
    """Passive element segment mode."""


@dataclass(frozen=True, slots=True)
class ElemModeDeclarative:
    """Declarative element segment mode."""


@dataclass(frozen=True, slots=True)
class ElemModeActive:
    """Active element segment mode: copied into ``table`` at ``offset`` on instantiation."""

    table: int
    offset: Expr


ElemMode = ElemModePassive | ElemModeDeclarative | ElemModeActive


@dataclass(frozen=True, slots=True)
class Elem:
    """Element segments (spec 2.5.7): a reference type and one constant expression per element.
    The binary's function-index forms are decoded to ``ref.func x`` expressions."""

    type: ValType
    init: tuple[Expr, ...]
    mode: ElemMode


@dataclass(frozen=True, slots=True)
class DataModePassive:
    """Passive data segment mode."""


@dataclass(frozen=True, slots=True)
class DataModeActive:
    """Active data segment mode: copied into ``memory`` at ``offset`` on instantiation."""

    memory: int
    offset: Expr


DataMode = DataModePassive | DataModeActive


@dataclass(frozen=True, slots=True)
class Data:
    """Data segments (spec 2.5.8)."""

    init: bytes
    mode: DataMode


@dataclass(frozen=True, slots=True)
class ImportDesc:
    """An import description: ``kind`` is "func", "table", "memory" or "global"; ``type`` is a
    type index (int) for functions, otherwise the TableType, MemType or GlobalType."""

    kind: str
    type: int | TableType | MemType | GlobalType


@dataclass(frozen=True, slots=True)
class Import:
    """Imports (spec 2.5.11)."""

    module: str
    name: str
    desc: ImportDesc


@dataclass(frozen=True, slots=True)
class ExportDesc:
    """An export description: ``kind`` is "func", "table", "memory" or "global" and ``index``
    the index in the corresponding index space."""

    kind: str
    index: int


@dataclass(frozen=True, slots=True)
class Export:
    """Exports (spec 2.5.10)."""

    name: str
    desc: ExportDesc


@dataclass(frozen=True, slots=True)
class CustomSection:
    """A custom section (spec 5.5.3), kept for tools; it has no meaning for execution."""

    name: str
    data: bytes


@dataclass(frozen=True, slots=True, weakref_slot=True)
class Module:
    """Modules (spec 2.5). ``data_count`` is the value of the data count section, if present."""

    types: tuple[FuncType, ...] = ()
    funcs: tuple[Func, ...] = ()
    tables: tuple[Table, ...] = ()
    mems: tuple[Mem, ...] = ()
    globals: tuple[Global, ...] = ()
    elems: tuple[Elem, ...] = ()
    datas: tuple[Data, ...] = ()
    start: int | None = None
    imports: tuple[Import, ...] = ()
    exports: tuple[Export, ...] = ()
    data_count: int | None = None
    customs: tuple[CustomSection, ...] = field(default=(), compare=False)
