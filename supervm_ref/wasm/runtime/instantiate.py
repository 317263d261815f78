"""Modules at runtime: external typing, allocation and instantiation (WebAssembly spec 4.5).

`instantiate` follows spec 4.5.4 step by step: check the imports, allocate the module's
functions (so ``ref.func`` in constant expressions can refer to them), evaluate the global and
element initialisers, allocate the rest, run the active element and data segments in order
(a segment that does not fit traps, and segments already copied stay copied, as the spec
prescribes), then run the start function.
"""

from __future__ import annotations

from typing import Any

from ...errors import shown
from ..errors import LinkError, Trap, TrapKind
from ..limits import PAGE_SIZE
from ..structure.module import (
    DataModeActive,
    ElemModeActive,
    ElemModeDeclarative,
    Expr,
    Module,
)
from ..structure.types import ExternType, FuncType, GlobalType, Limits, MemType, TableType
from .store import (
    DataInst,
    ElemInst,
    ExternVal,
    GlobalInst,
    MemInst,
    ModuleInst,
    Store,
    TableInst,
    WasmFuncInst,
)
from .values import Payload


def extern_type(store: Store, ev: ExternVal) -> ExternType:
    """4.5.1 external typing: the type of an external value, with the *current* size of a
    table or memory as its minimum (growing changes the type, spec 4.5.3.8-9)."""
    kind, addr = ev.kind, ev.addr
    pools: dict[str, list[Any]] = {"func": store.funcs, "table": store.tables,
                                   "memory": store.mems, "global": store.globals}
    pool = pools.get(kind)
    if pool is None or type(addr) is not int or not 0 <= addr < len(pool):
        raise LinkError(f"external value {kind} {shown(addr)} does not exist in the store")
    if kind == "func":
        t: FuncType = store.funcs[addr].type
        return t
    if kind == "table":
        tab = store.tables[addr]
        return TableType(Limits(len(tab.elem), tab.type.limits.max), tab.type.elem_type)
    if kind == "memory":
        mem = store.mems[addr]
        return MemType(Limits(len(mem.data) // PAGE_SIZE, mem.type.limits.max))
    g: GlobalType = store.globals[addr].type
    return g


def limits_match(actual: Limits, expected: Limits) -> bool:
    """4.5.2 limits subtyping: at least the minimum, and within the maximum if one is required."""
    if actual.min < expected.min:
        return False
    if expected.max is None:
        return True
    return actual.max is not None and actual.max <= expected.max


def extern_type_matches(actual: ExternType, expected: ExternType) -> bool:
    """4.5.2 import matching of external types."""
    if isinstance(expected, FuncType):
        return isinstance(actual, FuncType) and actual == expected
    if isinstance(expected, TableType):
        return (isinstance(actual, TableType) and actual.elem_type is expected.elem_type
                and limits_match(actual.limits, expected.limits))
    if isinstance(expected, MemType):
        return isinstance(actual, MemType) and limits_match(actual.limits, expected.limits)
    return isinstance(actual, GlobalType) and actual == expected


def evaluate_constant(store: Store, expr: Expr, globaladdrs: list[int],
                      funcaddrs: list[int]) -> Payload:
    """3.3.10 / 4.4.9: evaluate a (validated) constant expression."""
    value: Payload = None
    for ins in expr:
        op = ins.op
        if op in ("i32.const", "i64.const", "f32.const", "f64.const"):
            value = ins.imm[0]
        elif op == "ref.null":
            value = None
        elif op == "ref.func":
            value = funcaddrs[ins.imm[0]]
        elif op == "global.get":
            value = store.globals[globaladdrs[ins.imm[0]]].value
        elif op == "end":
            break
    return value


def instantiate(store: Store, module: Module, import_types: list[ExternType],
                externvals: list[ExternVal], gas_limit: int | None) -> ModuleInst:
    """4.5.4 instantiation of a validated module whose imports have ``import_types``
    (rule WASM-LINK-1)."""
    # 1. Imports: as many as declared, each of a matching type (WASM-ERR-4).
    if len(externvals) != len(import_types):
        raise LinkError(f"module needs {len(import_types)} imports, got {len(externvals)}")
    for imp, ev, expected in zip(module.imports, externvals, import_types):
        if not isinstance(ev, ExternVal) or ev.kind != imp.desc.kind:
            raise LinkError(f"incompatible import type for {imp.module}.{imp.name}: expected a "
                            f"{imp.desc.kind}, got {getattr(ev, 'kind', ev)!r}")
        actual = extern_type(store, ev)
        if not extern_type_matches(actual, expected):
            raise LinkError(f"incompatible import type for {imp.module}.{imp.name}: expected "
                            f"{expected}, got {actual}")

    # 2. Engine limits on declared sizes (WASM-LIMIT-3, WASM-LIMIT-4).
    for mem in module.mems:
        if mem.type.limits.min > store.limits.max_memory_pages:
            raise LinkError(f"memory minimum {mem.type.limits.min} pages exceeds the engine "
                            f"limit of {store.limits.max_memory_pages}")
    for table in module.tables:
        if table.type.limits.min > store.limits.max_table_size:
            raise LinkError(f"table minimum {table.type.limits.min} exceeds the engine limit of "
                            f"{store.limits.max_table_size}")

    inst = ModuleInst(types=module.types)
    for imp, ev in zip(module.imports, externvals):
        {"func": inst.funcaddrs, "table": inst.tableaddrs, "memory": inst.memaddrs,
         "global": inst.globaladdrs}[imp.desc.kind].append(ev.addr)

    # 3. Functions first: constant expressions may take their references.
    for func in module.funcs:
        store.funcs.append(WasmFuncInst(module.types[func.type_idx], inst, func))
        inst.funcaddrs.append(len(store.funcs) - 1)

    # 4. Initial values of globals and element segments, seeing only imported globals.
    imported_globals = list(inst.globaladdrs)
    global_values = [evaluate_constant(store, g.init, imported_globals, inst.funcaddrs)
                     for g in module.globals]
    elem_refs = [[evaluate_constant(store, e, imported_globals, inst.funcaddrs) for e in el.init]
                 for el in module.elems]

    # 5. Allocate tables, memories, globals, segments (4.5.3).
    for table in module.tables:
        store.tables.append(TableInst(table.type, [None] * table.type.limits.min))
        inst.tableaddrs.append(len(store.tables) - 1)
    for mem in module.mems:
        store.mems.append(MemInst(mem.type, bytearray(mem.type.limits.min * PAGE_SIZE)))
        inst.memaddrs.append(len(store.mems) - 1)
    for g, value in zip(module.globals, global_values):
        store.globals.append(GlobalInst(g.type, value))
        inst.globaladdrs.append(len(store.globals) - 1)
    for el, refs in zip(module.elems, elem_refs):
        store.elems.append(ElemInst(el.type, refs))
        inst.elemaddrs.append(len(store.elems) - 1)
    for data in module.datas:
        store.datas.append(DataInst(data.init))
        inst.dataaddrs.append(len(store.datas) - 1)
    pools = {"func": inst.funcaddrs, "table": inst.tableaddrs, "memory": inst.memaddrs,
             "global": inst.globaladdrs}
    for export in module.exports:
        inst.exports[export.name] = ExternVal(export.desc.kind,
                                              pools[export.desc.kind][export.desc.index])

    # 6. Active element segments, in order: table.init then elem.drop; declarative: drop.
    for i, el in enumerate(module.elems):
        seg = store.elems[inst.elemaddrs[i]]
        if isinstance(el.mode, ElemModeActive):
            offset = evaluate_constant(store, el.mode.offset, inst.globaladdrs, inst.funcaddrs)
            tab = store.tables[inst.tableaddrs[el.mode.table]]
            n = len(seg.elem)
            if not isinstance(offset, int) or offset + n > len(tab.elem):
                raise Trap(TrapKind.TABLE_OUT_OF_BOUNDS,
                           f"element segment {i} of {n} at {offset}, table size {len(tab.elem)}")
            tab.elem[offset:offset + n] = seg.elem
            seg.elem = []
        elif isinstance(el.mode, ElemModeDeclarative):
            seg.elem = []

    # 7. Active data segments, in order: memory.init then data.drop.
    for i, data in enumerate(module.datas):
        if isinstance(data.mode, DataModeActive):
            dseg = store.datas[inst.dataaddrs[i]]
            offset = evaluate_constant(store, data.mode.offset, inst.globaladdrs, inst.funcaddrs)
            mem_data = store.mems[inst.memaddrs[data.mode.memory]].data
            n = len(dseg.data)
            if not isinstance(offset, int) or offset + n > len(mem_data):
                raise Trap(TrapKind.MEMORY_OUT_OF_BOUNDS,
                           f"data segment {i} of {n} bytes at {offset}, memory size "
                           f"{len(mem_data)}")
            mem_data[offset:offset + n] = dseg.data
            dseg.data = b""

    # 8. The start function.
    if module.start is not None:
        from ..exec.machine import invoke

        invoke(store, inst.funcaddrs[module.start], [], gas_limit)
    return inst
