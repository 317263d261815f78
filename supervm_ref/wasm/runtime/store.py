"""The store and runtime instances (WebAssembly spec sections 4.2.3-4.2.13).

The store holds every function, table, memory, global, element and data instance ever
allocated; an *address* is an index into the corresponding list. Module instances map a
module's index spaces to addresses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from ..limits import EngineLimits
from ..structure.module import Func
from ..structure.types import FuncType, GlobalType, MemType, TableType, ValType
from .values import Payload

if TYPE_CHECKING:
    from .host import Caller


class HostCode(Protocol):
    """A host function (spec 4.2.6 ``hostfunc``): called with the `Caller` and the argument
    payloads; returns the result payloads as a sequence (empty for no results)."""

    def __call__(self, caller: Caller, *args: Any) -> Any: ...


@dataclass(eq=False, slots=True)
class ExternVal:
    """An external value (spec 4.2.12): ``kind`` is "func", "table", "memory" or "global" and
    ``addr`` the address in the store."""

    kind: str
    addr: int


@dataclass(eq=False, slots=True)
class ModuleInst:
    """Module instances (spec 4.2.5)."""

    types: tuple[FuncType, ...] = ()
    funcaddrs: list[int] = field(default_factory=list)
    tableaddrs: list[int] = field(default_factory=list)
    memaddrs: list[int] = field(default_factory=list)
    globaladdrs: list[int] = field(default_factory=list)
    elemaddrs: list[int] = field(default_factory=list)
    dataaddrs: list[int] = field(default_factory=list)
    exports: dict[str, ExternVal] = field(default_factory=dict)


@dataclass(eq=False, slots=True)
class WasmFuncInst:
    """A function instance of a WebAssembly function (spec 4.2.6). ``compiled`` caches the
    pre-decoded body (`supervm_ref.wasm.exec.compile`), built on first call; ``invocation``
    the code that invokes it from the embedder (`supervm_ref.wasm.exec.machine`)."""

    type: FuncType
    module: ModuleInst
    code: Func
    compiled: Any = None
    invocation: Any = None


@dataclass(eq=False, slots=True)
class HostFuncInst:
    """A function instance of a host function (spec 4.2.6); ``invocation`` caches the code
    that invokes it from the embedder (`supervm_ref.wasm.exec.machine`)."""

    type: FuncType
    hostcode: Callable[..., Any]
    invocation: Any = None


FuncInst = WasmFuncInst | HostFuncInst


@dataclass(eq=False, slots=True)
class TableInst:
    """Table instances (spec 4.2.7): ``elem`` holds reference payloads."""

    type: TableType
    elem: list[Payload]


@dataclass(eq=False, slots=True)
class MemInst:
    """Memory instances (spec 4.2.8): ``data`` is the linear memory, a multiple of 64 KiB."""

    type: MemType
    data: bytearray


@dataclass(eq=False, slots=True)
class GlobalInst:
    """Global instances (spec 4.2.9)."""

    type: GlobalType
    value: Payload


@dataclass(eq=False, slots=True)
class ElemInst:
    """Element instances (spec 4.2.10); a dropped segment has an empty ``elem``."""

    type: ValType
    elem: list[Payload]


@dataclass(eq=False, slots=True)
class DataInst:
    """Data instances (spec 4.2.11); a dropped segment has empty ``data``."""

    data: bytes


@dataclass(eq=False)
class Store:
    """The store (spec 4.2.3), with the engine limits that apply to everything run in it
    (rules WASM-LIMIT-*). A store stays usable after a trap (rule WASM-API-4)."""

    limits: EngineLimits = field(default_factory=EngineLimits)
    funcs: list[FuncInst] = field(default_factory=list)
    tables: list[TableInst] = field(default_factory=list)
    mems: list[MemInst] = field(default_factory=list)
    globals: list[GlobalInst] = field(default_factory=list)
    elems: list[ElemInst] = field(default_factory=list)
    datas: list[DataInst] = field(default_factory=list)
    #: Number of invocations currently nested through host functions (WASM-LIMIT-5).
    reentry_depth: int = 0
