"""The ``spectest`` host module that every test script may import from.

The official suite's scripts import from a module named ``spectest``, which the reference
interpreter provides (``interpreter/host/spectest.ml``). This is the same module, built with
the public embedding API (spec appendix A.1) in a given store:

- functions ``print``, ``print_i32``, ``print_i64``, ``print_f32``, ``print_f64``,
  ``print_i32_f32``, ``print_f64_f64``: accept their arguments, return nothing and (unlike the
  reference interpreter) print nothing, so runs stay quiet and deterministic;
- immutable globals ``global_i32`` = 666, ``global_i64`` = 666, ``global_f32`` = 666.6,
  ``global_f64`` = 666.6;
- ``table``: a funcref table with limits 10..20;
- ``memory``: a memory with limits 1..2 pages.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ..runtime.store import ExternVal, ModuleInst, Store
from ..runtime.values import Value
from ..structure.types import FuncType, GlobalType, Limits, MemType, TableType, ValType

I32, I64, F32, F64 = ValType.I32, ValType.I64, ValType.F32, ValType.F64

#: The printing functions and their parameter types.
PRINT_FUNCTIONS: dict[str, tuple[ValType, ...]] = {
    "print": (),
    "print_i32": (I32,),
    "print_i64": (I64,),
    "print_f32": (F32,),
    "print_f64": (F64,),
    "print_i32_f32": (I32, F32),
    "print_f64_f64": (F64, F64),
}

#: The globals and their values.
GLOBALS: dict[str, Value] = {
    "global_i32": Value.i32(666),
    "global_i64": Value.i64(666),
    "global_f32": Value.f32(666.6),
    "global_f64": Value.f64(666.6),
}

TABLE_TYPE = TableType(Limits(10, 20), ValType.FUNCREF)
MEMORY_TYPE = MemType(Limits(1, 2))


def _print(caller: Any, *args: Any) -> tuple[()]:
    """A ``spectest.print*`` function: does nothing and returns no result."""
    return ()


def spectest_exports(api: ModuleType, store: Store) -> dict[str, ExternVal]:
    """Allocate the ``spectest`` host module's functions, globals, table and memory in
    ``store`` through the embedding API ``api`` (``func_alloc``, ``global_alloc``,
    ``table_alloc``, ``mem_alloc``, spec A.1) and return its exports by name."""
    exports: dict[str, ExternVal] = {}
    for name, params in PRINT_FUNCTIONS.items():
        exports[name] = ExternVal("func", api.func_alloc(store, FuncType(params, ()), _print))
    for name, value in GLOBALS.items():
        addr = api.global_alloc(store, GlobalType(False, value.type), value)
        exports[name] = ExternVal("global", addr)
    exports["table"] = ExternVal("table", api.table_alloc(store, TABLE_TYPE))
    exports["memory"] = ExternVal("memory", api.mem_alloc(store, MEMORY_TYPE))
    return exports


def spectest_instance(api: ModuleType, store: Store) -> ModuleInst:
    """The ``spectest`` host module as a module instance (spec 4.2.5) whose only content is
    its exports, so scripts can import from it like from any registered module."""
    return ModuleInst(exports=spectest_exports(api, store))
