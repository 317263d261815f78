"""Validation of modules (WebAssembly spec section 3.4).

`validate_module` checks a whole module: it builds the context C of spec 3.4.10 from the
module's definitions and imports, and the restricted context C' (only imported globals) for
constant expressions, then validates every component in a fixed order (so that a module with
several faults always reports the same one): imports, tables, memories, globals, element
segments, data segments, function bodies, the start function, exports, and finally the
single-memory restriction of WebAssembly 2.0.

`module_import_types` and `module_export_types` give the external types of imports and exports
(spec 3.4.9 and 3.4.8), used by the embedding interface (appendix A.1 ``module_imports`` /
``module_exports``) and by instantiation.
"""

from __future__ import annotations

from dataclasses import replace

from ..errors import ValidationError
from ..structure.module import (
    DataModeActive,
    ElemModeActive,
    Expr,
    Module,
)
from ..structure.types import (
    ExternType,
    GlobalType,
    MemType,
    TableType,
    ValType,
)
from .constant import validate_constant_expr
from .context import Context, lookup
from .instructions import validate_expr
from .shape import check_module_shape
from .types import validate_memtype, validate_tabletype

#: Instructions that need the data count section (spec 5.5.15): without it a single-pass
#: decoder could not check their data segment index.
DATA_COUNT_OPS = frozenset({"memory.init", "data.drop"})


def _imported(module: Module, kind: str) -> list[object]:
    """The types of the imports of one kind, in import order (spec 2.5.11 ``ext.funcs`` etc.)."""
    return [imp.desc.type for imp in module.imports if imp.desc.kind == kind]


def _function_references(module: Module) -> frozenset[int]:
    """C.refs (spec 3.4.10): the function indices occurring in the module outside function
    bodies and the start function: in ``ref.func`` of global initialisers, element segments
    (items and offsets) and data segment offsets, and in function exports."""
    exprs: list[Expr] = [g.init for g in module.globals]
    for elem in module.elems:
        exprs.extend(elem.init)
        if isinstance(elem.mode, ElemModeActive):
            exprs.append(elem.mode.offset)
    for data in module.datas:
        if isinstance(data.mode, DataModeActive):
            exprs.append(data.mode.offset)
    refs = {instr.imm[0] for expr in exprs for instr in expr if instr.op == "ref.func"}
    refs.update(e.desc.index for e in module.exports if e.desc.kind == "func")
    return frozenset(refs)


def module_context(module: Module) -> Context:
    """The context C of spec 3.4.10: the types of all imported and defined functions, tables,
    memories and globals (imports first), the element segments' types, the number of data
    segments and C.refs. Resolving a function's type index may fail with "unknown type".
    ``module`` must have passed `check_module_shape`."""
    types = tuple(module.types)
    funcs = [lookup(types, x, "type") for x in _imported(module, "func")]
    funcs += [lookup(types, f.type_idx, "type") for f in module.funcs]
    tables = [t for t in _imported(module, "table") if isinstance(t, TableType)]
    tables += [t.type for t in module.tables]
    mems = [m for m in _imported(module, "memory") if isinstance(m, MemType)]
    mems += [m.type for m in module.mems]
    globals_ = [g for g in _imported(module, "global") if isinstance(g, GlobalType)]
    globals_ += [g.type for g in module.globals]
    return Context(
        types=types,
        funcs=tuple(funcs),
        tables=tuple(tables),
        mems=tuple(mems),
        globals=tuple(globals_),
        elems=tuple(e.type for e in module.elems),
        datas=len(module.datas),
        refs=_function_references(module),
    )


def constant_context(module: Module, c: Context) -> Context:
    """The context C' of spec 3.4.10 for constant expressions: C with only the imported
    globals."""
    imported = tuple(g for g in _imported(module, "global") if isinstance(g, GlobalType))
    return replace(c, globals=imported)


def _check_data_count(module: Module) -> None:
    """The data count section (spec 5.5.15): if present it must equal the number of data
    segments, and ``memory.init``/``data.drop`` may only refer to data segments when it is
    present. The decoder enforces both for binaries; this guards modules built by hand.

    Like the decoder, a module without data segments is not rejected here: its
    ``memory.init``/``data.drop`` fail validation with "unknown data segment", as the official
    suite expects of the binaries wast2json writes without a data count section."""
    if module.data_count is not None:
        if module.data_count != len(module.datas):
            raise ValidationError("data count and data section have inconsistent lengths")
        return
    if not module.datas:
        return
    for func in module.funcs:
        for instr in func.body:
            if instr.op in DATA_COUNT_OPS:
                raise ValidationError(f"data count section required for {instr.op}")


def _validate_imports(module: Module, c: Context) -> None:
    """Imports (spec 3.4.9): a function import's type index must be defined (already checked
    when C was built); table and memory types must be valid."""
    for imp in module.imports:
        if isinstance(imp.desc.type, TableType):
            validate_tabletype(imp.desc.type)
        elif isinstance(imp.desc.type, MemType):
            validate_memtype(imp.desc.type)


def _validate_elems(module: Module, c_const: Context) -> None:
    """Element segments (spec 3.4.5): every item is a constant expression of the segment's
    reference type; an active segment's table must exist and hold that type, and its offset is
    a constant i32 expression."""
    for elem in module.elems:
        for item in elem.init:
            validate_constant_expr(c_const, item, elem.type)
        if isinstance(elem.mode, ElemModeActive):
            table = c_const.table(elem.mode.table)
            if table.elem_type != elem.type:
                raise ValidationError(
                    f"type mismatch: {elem.type.value} segment for a "
                    f"{table.elem_type.value} table")
            validate_constant_expr(c_const, elem.mode.offset, ValType.I32)


def _validate_datas(module: Module, c_const: Context) -> None:
    """Data segments (spec 3.4.6): an active segment's memory must exist and its offset is a
    constant i32 expression."""
    for data in module.datas:
        if isinstance(data.mode, DataModeActive):
            c_const.mem(data.mode.memory)
            validate_constant_expr(c_const, data.mode.offset, ValType.I32)


def _validate_funcs(module: Module, c: Context) -> None:
    """Functions (spec 3.4.1): under C with C.locals = parameters ++ locals and C.return = the
    results, the body is an expression of the result type."""
    first = len(c.funcs) - len(module.funcs)
    for i, func in enumerate(module.funcs):
        ft = c.funcs[first + i]
        c_func = c.with_function(ft.params, tuple(func.locals), ft.results)
        try:
            validate_expr(c_func, func.body, ft.results)
        except ValidationError as e:
            raise ValidationError(f"{e.message} (in function {first + i})") from None


def _validate_start(module: Module, c: Context) -> None:
    """The start function (spec 3.4.7): C.funcs[x] must be defined and of type [] -> []."""
    if module.start is None:
        return
    ft = c.func(module.start)
    if ft.params or ft.results:
        raise ValidationError(f"start function must have type [] -> [], has {ft}")


def _validate_exports(module: Module, c: Context) -> None:
    """Exports (spec 3.4.8, 3.4.10): each exported index must be defined, and export names must
    be distinct."""
    names: set[str] = set()
    for export in module.exports:
        export_type(c, export.desc.kind, export.desc.index)
        if export.name in names:
            raise ValidationError(f"duplicate export name {export.name[:60]!r}")
        names.add(export.name)


def export_type(c: Context, kind: str, index: int) -> ExternType:
    """The external type of an export description (spec 3.4.8), looked up in C."""
    if kind == "func":
        return c.func(index)
    if kind == "table":
        return c.table(index)
    if kind == "memory":
        return c.mem(index)
    return c.global_(index)


def validate_module(module: Module) -> None:
    """Modules (spec 3.4.10): raise ValidationError unless ``module`` is valid.

    Never raises anything else, whatever Python objects the module is built from (rule
    WASM-ERR-1): its structure is checked first (`shape.check_module_shape`) and every index
    lookup is guarded.
    """
    check_module_shape(module)
    _check_data_count(module)
    c = module_context(module)
    c_const = constant_context(module, c)
    _validate_imports(module, c)
    for table in module.tables:
        validate_tabletype(table.type)
    for mem in module.mems:
        validate_memtype(mem.type)
    for g in module.globals:
        validate_constant_expr(c_const, g.init, g.type.val_type)
    _validate_elems(module, c_const)
    _validate_datas(module, c_const)
    _validate_funcs(module, c)
    _validate_start(module, c)
    _validate_exports(module, c)
    if len(c.mems) > 1:
        raise ValidationError(f"multiple memories ({len(c.mems)}) are not allowed")


def module_import_types(module: Module) -> list[ExternType]:
    """The external type of each import, in order (spec 3.4.9; appendix A.1
    ``module_imports``): a function import's type index is resolved to its FuncType. Raises
    ValidationError only if the module is not valid."""
    check_module_shape(module)
    result: list[ExternType] = []
    for imp in module.imports:
        t = imp.desc.type
        if imp.desc.kind == "func":
            result.append(lookup(module.types, t, "type"))
        elif isinstance(t, (TableType, MemType, GlobalType)):
            result.append(t)
    return result


def module_export_types(module: Module) -> list[ExternType]:
    """The external type of each export, in order (spec 3.4.8; appendix A.1
    ``module_exports``). Raises ValidationError only if the module is not valid."""
    check_module_shape(module)
    c = module_context(module)
    return [export_type(c, e.desc.kind, e.desc.index) for e in module.exports]

