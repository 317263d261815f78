"""Well-formedness of the abstract syntax itself (WebAssembly spec chapter 2, as Python objects).

The specification's validation rules (chapter 3) start from a module that *is* abstract syntax:
every field has the right sort (a value type is one of the six value types, an index is a
natural number, an ``i32.const`` carries a 32-bit integer...). The binary decoder only ever
builds such modules, but `validate_module` may also be given a `Module` built by hand from
arbitrary Python objects. This pass checks the sorts of every part, so that the validation proper
(`module.py`, `instructions.py`) can rely on them and never fails with anything but
`ValidationError` (rule WASM-ERR-1). It is not part of the specification's validation: a
failure here means "this is not a WebAssembly module at all".

The pass is iterative; nothing here recurses over the input.
"""

from __future__ import annotations

from typing import Any

from ..errors import ValidationError
from ..structure.instructions import INSTRUCTIONS, Instruction
from ..structure.module import (
    Data,
    DataModeActive,
    DataModePassive,
    Elem,
    ElemModeActive,
    ElemModeDeclarative,
    ElemModePassive,
    Export,
    ExportDesc,
    Func,
    Global,
    Import,
    ImportDesc,
    Mem,
    Module,
    Table,
)
from ..structure.types import FuncType, GlobalType, Limits, MemType, TableType, ValType

U32 = 0xFFFF_FFFF
U64 = 0xFFFF_FFFF_FFFF_FFFF

#: The immediate kind of every mnemonic. ``select`` has two encodings (untyped, 0x1B, and typed,
#: 0x1C); its immediates are checked specially.
IMMEDIATE_KIND: dict[str, str] = {
    info.op: info.imm for info in INSTRUCTIONS.values() if info.op != "select"
}

#: The external kinds of imports and exports (spec 2.5.10, 2.5.11).
EXTERN_KINDS = ("func", "table", "memory", "global")


def malformed(what: str) -> ValidationError:
    """The error for a part of a hand-built module that is not abstract syntax at all."""
    return ValidationError(f"malformed module structure: {what}")


def is_nat(x: object, bound: int | None = None) -> bool:
    """True if ``x`` is a (non-bool) int in ``[0, bound]`` (unbounded when bound is None)."""
    if not isinstance(x, int) or isinstance(x, bool) or x < 0:
        return False
    return bound is None or x <= bound


def _seq(x: object, what: str) -> tuple[Any, ...] | list[Any]:
    """``x`` as a sequence (tuple or list only: strings and other iterables are not vectors)."""
    if not isinstance(x, (tuple, list)):
        raise malformed(f"{what} must be a tuple, got {type(x).__name__}")
    return x


def _valtype(t: object, what: str) -> None:
    if not isinstance(t, ValType):
        raise malformed(f"{what} must be a ValType, got {type(t).__name__}")


def _reftype(t: object, what: str) -> None:
    if not isinstance(t, ValType) or not t.is_ref:
        raise malformed(f"{what} must be a reference type, got {type(t).__name__}")


def _valtypes(ts: object, what: str) -> None:
    for t in _seq(ts, what):
        _valtype(t, what)


def _nat(x: object, what: str, bound: int | None = U32) -> None:
    if not is_nat(x, bound):
        raise malformed(f"{what} must be a natural number{' below 2**32' if bound == U32 else ''},"
                        f" got {type(x).__name__}")


def check_functype(ft: object, what: str) -> None:
    """A function type [t1*] -> [t2*] (spec 2.3.5)."""
    if not isinstance(ft, FuncType):
        raise malformed(f"{what} must be a FuncType")
    _valtypes(ft.params, f"{what} parameters")
    _valtypes(ft.results, f"{what} results")


def check_limits(lim: object, what: str) -> None:
    """Limits {min, max?} (spec 2.3.6): natural numbers; their ranges are validation's job."""
    if not isinstance(lim, Limits):
        raise malformed(f"{what} limits must be Limits")
    _nat(lim.min, f"{what} minimum", None)
    if lim.max is not None:
        _nat(lim.max, f"{what} maximum", None)


def check_tabletype(tt: object, what: str) -> None:
    """A table type (spec 2.3.8)."""
    if not isinstance(tt, TableType):
        raise malformed(f"{what} must be a TableType")
    check_limits(tt.limits, what)
    _reftype(tt.elem_type, f"{what} element type")


def check_memtype(mt: object, what: str) -> None:
    """A memory type (spec 2.3.7)."""
    if not isinstance(mt, MemType):
        raise malformed(f"{what} must be a MemType")
    check_limits(mt.limits, what)


def check_globaltype(gt: object, what: str) -> None:
    """A global type (spec 2.3.9)."""
    if not isinstance(gt, GlobalType):
        raise malformed(f"{what} must be a GlobalType")
    if not isinstance(gt.mutable, bool):
        raise malformed(f"{what} mutability must be a bool")
    _valtype(gt.val_type, f"{what} value type")


def _imm_ok(kind: str, imm: tuple[Any, ...]) -> bool:
    """True if ``imm`` has the shape of immediates of ``kind`` (see structure/instructions.py)."""
    if kind in ("none", "mem"):
        return imm == ()
    if len(imm) == 1:
        (x,) = imm
        if kind == "blocktype":
            return x is None or isinstance(x, ValType) or is_nat(x, U32)
        if kind in ("label", "func", "local", "global", "table", "elem", "data", "mem_init"):
            return is_nat(x, U32)
        if kind in ("i32", "f32"):
            return is_nat(x, U32)
        if kind in ("i64", "f64"):
            return is_nat(x, U64)
        if kind == "reftype":
            return isinstance(x, ValType) and x.is_ref
        if kind == "select_t":
            return isinstance(x, tuple) and all(isinstance(t, ValType) for t in x)
        return False
    if len(imm) == 2:
        a, b = imm
        if kind == "br_table":
            return (isinstance(a, tuple) and all(is_nat(x, U32) for x in a)
                    and is_nat(b, U32))
        if kind in ("call_ind", "table_init", "table_copy", "memarg"):
            return is_nat(a, U32) and is_nat(b, U32)
    return False


def check_instruction(instr: object, what: str) -> None:
    """One instruction (spec 2.4): a known mnemonic with immediates of the right shape."""
    if not isinstance(instr, Instruction):
        raise malformed(f"{what} must be an Instruction, got {type(instr).__name__}")
    op, imm = instr.op, instr.imm
    if not isinstance(op, str) or not isinstance(imm, tuple):
        raise malformed(f"{what} has a non-string mnemonic or non-tuple immediates")
    if op == "select":
        ok = _imm_ok("none", imm) or _imm_ok("select_t", imm)
    else:
        kind = IMMEDIATE_KIND.get(op)
        if kind is None:
            raise malformed(f"{what}: unknown instruction {op[:40]!r}")
        ok = _imm_ok(kind, imm)
    if not ok:
        raise malformed(f"{what}: bad immediates for {op}")


def check_expr(expr: object, what: str) -> None:
    """An instruction sequence (a function body or a constant expression)."""
    for i, instr in enumerate(_seq(expr, what)):
        check_instruction(instr, f"{what} instruction {i}")


def _check_import(imp: object, i: int) -> None:
    what = f"import {i}"
    if not isinstance(imp, Import) or not isinstance(imp.desc, ImportDesc):
        raise malformed(f"{what} must be an Import with an ImportDesc")
    if not isinstance(imp.module, str) or not isinstance(imp.name, str):
        raise malformed(f"{what} names must be strings")
    kind, t = imp.desc.kind, imp.desc.type
    if not isinstance(kind, str):
        raise malformed(f"{what} kind must be a string")
    if kind == "func":
        _nat(t, f"{what} type index")
    elif kind == "table":
        check_tabletype(t, what)
    elif kind == "memory":
        check_memtype(t, what)
    elif kind == "global":
        check_globaltype(t, what)
    else:
        raise malformed(f"{what} has unknown kind {kind[:40]!r}")


def _check_elem(elem: object, i: int) -> None:
    what = f"element segment {i}"
    if not isinstance(elem, Elem):
        raise malformed(f"{what} must be an Elem")
    _reftype(elem.type, f"{what} type")
    for j, e in enumerate(_seq(elem.init, f"{what} init")):
        check_expr(e, f"{what} item {j}")
    mode = elem.mode
    if isinstance(mode, ElemModeActive):
        _nat(mode.table, f"{what} table index")
        check_expr(mode.offset, f"{what} offset")
    elif not isinstance(mode, (ElemModePassive, ElemModeDeclarative)):
        raise malformed(f"{what} has an unknown mode")


def _check_data(data: object, i: int) -> None:
    what = f"data segment {i}"
    if not isinstance(data, Data) or not isinstance(data.init, (bytes, bytearray)):
        raise malformed(f"{what} must be a Data with bytes")
    mode = data.mode
    if isinstance(mode, DataModeActive):
        _nat(mode.memory, f"{what} memory index")
        check_expr(mode.offset, f"{what} offset")
    elif not isinstance(mode, DataModePassive):
        raise malformed(f"{what} has an unknown mode")


def check_module_shape(module: object) -> None:
    """Check that ``module`` is abstract syntax of a module (spec 2.5): every component has the
    sort the specification gives it. Raises ValidationError("malformed module structure...")."""
    if not isinstance(module, Module):
        raise malformed(f"expected a Module, got {type(module).__name__}")
    for i, ft in enumerate(_seq(module.types, "types")):
        check_functype(ft, f"type {i}")
    for i, imp in enumerate(_seq(module.imports, "imports")):
        _check_import(imp, i)
    for i, f in enumerate(_seq(module.funcs, "funcs")):
        if not isinstance(f, Func):
            raise malformed(f"function {i} must be a Func")
        _nat(f.type_idx, f"function {i} type index")
        _valtypes(f.locals, f"function {i} locals")
        check_expr(f.body, f"function {i} body")
    for i, t in enumerate(_seq(module.tables, "tables")):
        if not isinstance(t, Table):
            raise malformed(f"table {i} must be a Table")
        check_tabletype(t.type, f"table {i}")
    for i, m in enumerate(_seq(module.mems, "mems")):
        if not isinstance(m, Mem):
            raise malformed(f"memory {i} must be a Mem")
        check_memtype(m.type, f"memory {i}")
    for i, g in enumerate(_seq(module.globals, "globals")):
        if not isinstance(g, Global):
            raise malformed(f"global {i} must be a Global")
        check_globaltype(g.type, f"global {i}")
        check_expr(g.init, f"global {i} initializer")
    for i, e in enumerate(_seq(module.elems, "elems")):
        _check_elem(e, i)
    for i, d in enumerate(_seq(module.datas, "datas")):
        _check_data(d, i)
    if module.start is not None:
        _nat(module.start, "start function index")
    for i, ex in enumerate(_seq(module.exports, "exports")):
        if not isinstance(ex, Export) or not isinstance(ex.desc, ExportDesc):
            raise malformed(f"export {i} must be an Export with an ExportDesc")
        if not isinstance(ex.name, str):
            raise malformed(f"export {i} name must be a string")
        if not isinstance(ex.desc.kind, str) or ex.desc.kind not in EXTERN_KINDS:
            raise malformed(f"export {i} has an unknown kind")
        _nat(ex.desc.index, f"export {i} index")
    if module.data_count is not None:
        _nat(module.data_count, "data count")
