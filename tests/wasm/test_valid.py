"""Tests of validation (WebAssembly spec chapter 3, appendix A.3): hand-built modules, property
tests on arbitrary (nonsense) modules, and, when the binary decoder exists, the official suite."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supervm_ref.wasm.errors import DecodeError, ValidationError
from supervm_ref.wasm.structure.instructions import INSTRUCTIONS, Instruction
from supervm_ref.wasm.structure.module import (
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
from supervm_ref.wasm.structure.types import (
    FuncType,
    GlobalType,
    Limits,
    MemType,
    TableType,
    ValType,
)
from supervm_ref.wasm.valid.instructions import RULES
from supervm_ref.wasm.valid.module import (
    module_export_types,
    module_import_types,
    validate_module,
)

from ..support import external_dir

I32, I64, F32, F64 = ValType.I32, ValType.I64, ValType.F32, ValType.F64
FUNCREF, EXTERNREF = ValType.FUNCREF, ValType.EXTERNREF
END = Instruction("end")


def ins(op: str, *imm: Any) -> Instruction:
    """An instruction, written like the text format: ins("br_table", (0, 1), 2)."""
    return Instruction(op, tuple(imm))


def func_module(body: list[Instruction], params: tuple[ValType, ...] = (),
                results: tuple[ValType, ...] = (), locals_: tuple[ValType, ...] = (),
                **fields: Any) -> Module:
    """A module whose function 0 (type 0) has the given body (``end`` appended)."""
    types = (FuncType(params, results), *fields.pop("types", ()))
    return Module(types=types, funcs=(Func(0, locals_, (*body, END)),), **fields)


def invalid(module: Module, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate_module(module)
    assert info.value.message.startswith(message), info.value.message


def valid(module: Module) -> None:
    validate_module(module)


MEM = (Mem(MemType(Limits(1))),)
TABLE = (Table(TableType(Limits(1), FUNCREF)),)


# --- Numeric, parametric and variable instructions -------------------------------------------

def test_every_instruction_has_a_typing_rule() -> None:
    assert set(RULES) == {info.op for info in INSTRUCTIONS.values()}


def test_simple_function_is_valid() -> None:
    valid(func_module([ins("local.get", 0), ins("local.get", 1), ins("i32.add")],
                      params=(I32, I32), results=(I32,)))


def test_operand_type_mismatch() -> None:
    invalid(func_module([ins("i64.const", 1), ins("i32.const", 2), ins("i32.add")], results=(I32,)),
            "type mismatch")


def test_missing_and_extra_results() -> None:
    invalid(func_module([], results=(I32,)), "type mismatch")
    invalid(func_module([ins("i32.const", 1)]), "type mismatch")
    invalid(func_module([ins("f32.const", 0)], results=(I32,)), "type mismatch")


def test_locals_follow_parameters() -> None:
    valid(func_module([ins("local.get", 1)], params=(I32,), results=(F64,), locals_=(F64,)))
    invalid(func_module([ins("local.get", 2)], params=(I32,), locals_=(F64,)), "unknown local")
    invalid(func_module([ins("i32.const", 0), ins("local.set", 0)], locals_=(I64,)),
            "type mismatch")
    valid(func_module([ins("i64.const", 0), ins("local.tee", 0)], results=(I64,), locals_=(I64,)))


def test_globals() -> None:
    g_mut = Global(GlobalType(True, I32), (ins("i32.const", 0), END))
    g_const = Global(GlobalType(False, I32), (ins("i32.const", 0), END))
    valid(func_module([ins("i32.const", 1), ins("global.set", 0)], globals=(g_mut,)))
    invalid(func_module([ins("i32.const", 1), ins("global.set", 0)], globals=(g_const,)),
            "global is immutable")
    invalid(func_module([ins("global.get", 1), ins("drop")], globals=(g_const,)),
            "unknown global")
    invalid(func_module([ins("f32.const", 0), ins("global.set", 0)], globals=(g_mut,)),
            "type mismatch")


def test_untyped_select_only_on_numbers() -> None:
    valid(func_module([ins("f64.const", 0), ins("f64.const", 0), ins("i32.const", 1),
                       ins("select")], results=(F64,)))
    invalid(func_module([ins("ref.null", FUNCREF), ins("ref.null", FUNCREF), ins("i32.const", 1),
                         ins("select"), ins("drop")]), "type mismatch")
    invalid(func_module([ins("i32.const", 0), ins("i64.const", 0), ins("i32.const", 1),
                         ins("select"), ins("drop")]), "type mismatch")


def test_typed_select() -> None:
    valid(func_module([ins("ref.null", EXTERNREF), ins("ref.null", EXTERNREF), ins("i32.const", 1),
                       ins("select", (EXTERNREF,))], results=(EXTERNREF,)))
    invalid(func_module([ins("i32.const", 0), ins("i32.const", 0), ins("i32.const", 1),
                         ins("select", ())]), "invalid result arity")
    invalid(func_module([ins("i32.const", 0), ins("i32.const", 0), ins("i32.const", 0),
                         ins("i32.const", 0), ins("i32.const", 1), ins("select", (I32, I32))],
                        results=(I32, I32)), "invalid result arity")


# --- Control instructions ------------------------------------------------------------------

def test_multi_value_block_with_type_index() -> None:
    # type 1: [i32 i32] -> [i32 i64]
    body = [ins("i32.const", 1), ins("i32.const", 2), ins("block", 1), ins("i32.add"),
            ins("i64.const", 3), ins("end"), ins("drop")]
    valid(func_module(body, results=(I32,), types=(FuncType((I32, I32), (I32, I64)),)))
    invalid(func_module([ins("block", 5), ins("end")]), "unknown type")


def test_loop_label_carries_parameters() -> None:
    types = (FuncType((I32,), (I32,)),)
    valid(func_module([ins("i32.const", 1), ins("loop", 1), ins("br", 0), ins("end")],
                      results=(I32,), types=types))
    invalid(func_module([ins("i32.const", 1), ins("loop", 1), ins("i64.const", 0), ins("br", 0),
                         ins("end")], results=(I32,), types=types), "type mismatch")


def test_if_without_else_needs_equal_types() -> None:
    valid(func_module([ins("i32.const", 0), ins("if", None), ins("end")]))
    invalid(func_module([ins("i32.const", 0), ins("if", I32), ins("i32.const", 1), ins("end")],
                        results=(I32,)), "type mismatch")
    valid(func_module([ins("i32.const", 0), ins("if", I32), ins("i32.const", 1), ins("else"),
                       ins("i32.const", 2), ins("end")], results=(I32,)))
    invalid(func_module([ins("i64.const", 0), ins("if", None), ins("end")]), "type mismatch")


def test_unreachable_is_polymorphic() -> None:
    valid(func_module([ins("unreachable"), ins("i32.add")], results=(I32,)))
    valid(func_module([ins("unreachable"), ins("select")], results=(I64,)))
    valid(func_module([ins("unreachable"), ins("ref.is_null")], results=(I32,)))
    invalid(func_module([ins("return")], results=(I32,)), "type mismatch")
    invalid(func_module([ins("unreachable"), ins("i64.const", 0), ins("i32.add")], results=(I32,)),
            "type mismatch")
    valid(func_module([ins("unreachable"), ins("br_table", (0,), 0)], results=(F32,)))


def test_branches() -> None:
    valid(func_module([ins("block", I32), ins("i32.const", 1), ins("br", 0), ins("end")],
                      results=(I32,)))
    invalid(func_module([ins("br", 1)]), "unknown label")
    invalid(func_module([ins("i32.const", 0), ins("br_if", 3)]), "unknown label")
    valid(func_module([ins("block", I32), ins("i32.const", 1), ins("i32.const", 0), ins("br_if", 0),
                       ins("end")], results=(I32,)))


def test_br_table_arity_must_agree() -> None:
    ok = [ins("block", I32), ins("block", I32), ins("i32.const", 7), ins("i32.const", 0),
          ins("br_table", (0,), 1), ins("end"), ins("end")]
    valid(func_module(ok, results=(I32,)))
    bad = [ins("block", None), ins("block", I32), ins("i32.const", 7), ins("i32.const", 0),
           ins("br_table", (0,), 1), ins("end"), ins("drop"), ins("end")]
    invalid(func_module(bad), "type mismatch")
    # Same arity but different types: valid only with an unknown operand.
    mixed = [ins("block", F32), ins("block", I32), ins("unreachable"), ins("br_table", (0,), 1),
             ins("end"), ins("drop"), ins("f32.const", 0), ins("end"), ins("drop")]
    valid(func_module(mixed))
    invalid(func_module([ins("i32.const", 0), ins("br_table", (0, 9), 0)]), "unknown label")


def test_calls() -> None:
    callee = Func(1, (), (ins("local.get", 0), END))
    types = (FuncType((), (I64,)), FuncType((I64,), (I64,)))
    m = Module(types=types, funcs=(Func(0, (), (ins("i64.const", 1), ins("call", 1), END)), callee))
    valid(m)
    invalid(func_module([ins("call", 4)]), "unknown function")
    valid(func_module([ins("i32.const", 0), ins("call_indirect", 0, 0)], tables=TABLE))
    invalid(func_module([ins("i32.const", 0), ins("call_indirect", 0, 0)]), "unknown table")
    invalid(func_module([ins("i32.const", 0), ins("call_indirect", 3, 0)], tables=TABLE),
            "unknown type")
    ext = (Table(TableType(Limits(1), EXTERNREF)),)
    invalid(func_module([ins("i32.const", 0), ins("call_indirect", 0, 0)], tables=ext),
            "type mismatch")


def test_deep_nesting_is_iterative() -> None:
    depth = 50_000
    body = [ins("block", None)] * depth + [ins("end")] * depth
    valid(func_module(body))
    invalid(func_module([ins("block", None)] * depth), "expression is missing its final end")


def test_structure_errors_in_flat_sequences() -> None:
    invalid(Module(types=(FuncType((), ()),), funcs=(Func(0, (), ()),)), "expression")
    invalid(Module(types=(FuncType((), ()),), funcs=(Func(0, (), (END, END)),)), "instruction")
    invalid(func_module([ins("else")]), "else")


# --- References and tables -----------------------------------------------------------------

def test_ref_func_needs_declaration() -> None:
    body = [ins("ref.func", 0), ins("drop")]
    invalid(func_module(body), "undeclared function reference")
    declared = Elem(FUNCREF, ((ins("ref.func", 0), END),), ElemModeDeclarative())
    valid(func_module(body, elems=(declared,)))
    valid(func_module(body, exports=(Export("f", ExportDesc("func", 0)),)))
    g = Global(GlobalType(False, FUNCREF), (ins("ref.func", 0), END))
    valid(func_module(body, globals=(g,)))
    invalid(func_module([ins("ref.func", 3), ins("drop")]), "unknown function")


def test_table_instructions() -> None:
    ext = (Table(TableType(Limits(1), EXTERNREF)),)
    valid(func_module([ins("i32.const", 0), ins("table.get", 0)], results=(EXTERNREF,),
                      tables=ext))
    invalid(func_module([ins("i32.const", 0), ins("ref.null", FUNCREF), ins("table.set", 0)],
                        tables=ext), "type mismatch")
    valid(func_module([ins("ref.null", EXTERNREF), ins("i32.const", 1), ins("table.grow", 0)],
                      results=(I32,), tables=ext))
    valid(func_module([ins("i32.const", 0), ins("ref.null", EXTERNREF), ins("i32.const", 1),
                       ins("table.fill", 0), ins("table.size", 0)], results=(I32,), tables=ext))
    three = [ins("i32.const", 0)] * 3
    invalid(func_module([*three, ins("table.copy", 0, 1)], tables=TABLE + ext), "type mismatch")
    valid(func_module([*three, ins("table.copy", 1, 1)], tables=TABLE + ext))
    passive = Elem(FUNCREF, (), ElemModePassive())
    valid(func_module([*three, ins("table.init", 0, 0), ins("elem.drop", 0)], tables=TABLE,
                      elems=(passive,)))
    invalid(func_module([*three, ins("table.init", 0, 1)], tables=TABLE + ext,
                        elems=(passive,)), "type mismatch")
    invalid(func_module([*three, ins("table.init", 1, 0)], tables=TABLE, elems=(passive,)),
            "unknown elem segment 1")
    invalid(func_module([ins("elem.drop", 0)]), "unknown elem segment 0")
    invalid(func_module([ins("table.size", 0), ins("drop")]), "unknown table 0")


# --- Memory -------------------------------------------------------------------------------------

def test_memory_instructions() -> None:
    valid(func_module([ins("i32.const", 0), ins("i64.load32_s", 2, 0)], results=(I64,), mems=MEM))
    invalid(func_module([ins("i32.const", 0), ins("i64.load32_s", 3, 0)], results=(I64,),
                        mems=MEM), "alignment must not be larger than natural")
    invalid(func_module([ins("i32.const", 0), ins("i32.load8_u", 1, 0)], results=(I32,),
                        mems=MEM), "alignment must not be larger than natural")
    invalid(func_module([ins("i32.const", 0), ins("i32.load", 0xFFFFFFFF, 0)], results=(I32,),
                        mems=MEM), "alignment must not be larger than natural")
    valid(func_module([ins("i32.const", 0), ins("f64.const", 0), ins("f64.store", 3, 8)], mems=MEM))
    invalid(func_module([ins("i32.const", 0), ins("i32.const", 0), ins("f64.store", 3, 8)],
                        mems=MEM), "type mismatch")
    invalid(func_module([ins("memory.size"), ins("drop")]), "unknown memory 0")
    three = [ins("i32.const", 0)] * 3
    valid(func_module([*three, ins("memory.copy"), *three, ins("memory.fill")], mems=MEM))
    invalid(func_module([*three, ins("memory.fill")]), "unknown memory")


def test_memory_init_and_data_count() -> None:
    three = [ins("i32.const", 0)] * 3
    data = (Data(b"ab", DataModePassive()),)
    valid(func_module([*three, ins("memory.init", 0), ins("data.drop", 0)], mems=MEM, datas=data,
                      data_count=1))
    invalid(func_module([*three, ins("memory.init", 1)], mems=MEM, datas=data, data_count=1),
            "unknown data segment 1")
    invalid(func_module([*three, ins("memory.init", 0)], datas=data, data_count=1),
            "unknown memory 0")
    invalid(func_module([ins("data.drop", 0)], mems=MEM, datas=data), "data count section")
    # Without data segments the index is simply unknown (as in the official suite's binaries).
    invalid(func_module([ins("data.drop", 0)], mems=MEM), "unknown data segment 0")
    invalid(func_module([*three, ins("memory.init", 0)]), "unknown memory 0")
    invalid(func_module([], mems=MEM, datas=data, data_count=2), "data count")


# --- Constant expressions and segments -------------------------------------------------------

def _imported_global(mutable: bool, t: ValType = I32) -> Import:
    return Import("env", "g", ImportDesc("global", GlobalType(mutable, t)))


def test_constant_expressions() -> None:
    def glob(*init: Instruction, t: ValType = I32) -> Global:
        return Global(GlobalType(False, t), (*init, END))

    valid(Module(globals=(glob(ins("i32.const", 5)),)))
    invalid(Module(globals=(glob(ins("i32.const", 1), ins("i32.const", 2), ins("i32.add")),)),
            "constant expression required")
    invalid(Module(globals=(glob(ins("nop")),)), "constant expression required")
    invalid(Module(globals=(glob(ins("i64.const", 1)),)), "type mismatch")
    invalid(Module(globals=(glob(),)), "type mismatch")
    invalid(Module(globals=(glob(ins("i32.const", 1), ins("i32.const", 2)),)), "type mismatch")
    valid(Module(imports=(_imported_global(False),), globals=(glob(ins("global.get", 0)),)))
    invalid(Module(imports=(_imported_global(True),), globals=(glob(ins("global.get", 0)),)),
            "constant expression required")
    # Only imported globals are visible in constant expressions.
    invalid(Module(globals=(glob(ins("i32.const", 0)), glob(ins("global.get", 0)))),
            "unknown global")
    valid(Module(globals=(glob(ins("ref.null", EXTERNREF), t=EXTERNREF),)))
    invalid(Module(globals=(glob(ins("ref.func", 7), t=FUNCREF),)), "unknown function 7")


def test_element_segments() -> None:
    f = Func(0, (), (END,))
    types = (FuncType((), ()),)
    off = (ins("i32.const", 0), END)
    item = (ins("ref.func", 0), END)
    valid(Module(types=types, funcs=(f,), tables=TABLE,
                 elems=(Elem(FUNCREF, (item,), ElemModeActive(0, off)),)))
    invalid(Module(types=types, funcs=(f,),
                   elems=(Elem(FUNCREF, (item,), ElemModeActive(0, off)),)), "unknown table")
    invalid(Module(types=types, funcs=(f,), tables=TABLE,
                   elems=(Elem(EXTERNREF, (), ElemModeActive(0, off)),)), "type mismatch")
    invalid(Module(types=types, funcs=(f,), tables=TABLE,
                   elems=(Elem(FUNCREF, (item,), ElemModeActive(0, (ins("i64.const", 0), END))),
                          )), "type mismatch")
    invalid(Module(elems=(Elem(EXTERNREF, (item,), ElemModePassive()),), types=types,
                   funcs=(f,)), "type mismatch")
    g = Global(GlobalType(False, I32), off)
    invalid(Module(types=types, funcs=(f,), tables=TABLE, globals=(g,),
                   elems=(Elem(FUNCREF, (), ElemModeActive(0, (ins("global.get", 0), END))),)),
            "unknown global")


def test_data_segments() -> None:
    off = (ins("i32.const", 0), END)
    valid(Module(mems=MEM, datas=(Data(b"x", DataModeActive(0, off)),)))
    invalid(Module(datas=(Data(b"x", DataModeActive(0, off)),)), "unknown memory 0")
    invalid(Module(mems=MEM, datas=(Data(b"x", DataModeActive(1, off)),)), "unknown memory 1")
    invalid(Module(mems=MEM, datas=(Data(b"", DataModeActive(0, (ins("f32.const", 0), END))),)),
            "type mismatch")
    invalid(Module(imports=(_imported_global(True),), mems=MEM,
                   datas=(Data(b"", DataModeActive(0, (ins("global.get", 0), END))),)),
            "constant expression required")


# --- Module-level rules ----------------------------------------------------------------------

def test_limits() -> None:
    valid(Module(mems=(Mem(MemType(Limits(0, 65536))),)))
    invalid(Module(mems=(Mem(MemType(Limits(65537))),)), "memory size must be at most 65536")
    invalid(Module(mems=(Mem(MemType(Limits(0, 1 << 40))),)), "memory size must be at most")
    invalid(Module(mems=(Mem(MemType(Limits(2, 1))),)),
            "size minimum must not be greater than maximum")
    valid(Module(tables=(Table(TableType(Limits(0xFFFFFFFF, 0xFFFFFFFF), FUNCREF)),)))
    invalid(Module(tables=(Table(TableType(Limits(1 << 32), FUNCREF)),)), "table size")
    invalid(Module(tables=(Table(TableType(Limits(3, 2), FUNCREF)),)),
            "size minimum must not be greater than maximum")
    imported = Import("m", "t", ImportDesc("table", TableType(Limits(3, 2), EXTERNREF)))
    invalid(Module(imports=(imported,)), "size minimum must not be greater than maximum")


def test_multiple_memories() -> None:
    """WASM-PROFILE-2: more than one memory is invalid (2.0), not malformed."""
    imp = Import("m", "mem", ImportDesc("memory", MemType(Limits(0))))
    invalid(Module(mems=MEM + MEM), "multiple memories")
    invalid(Module(imports=(imp,), mems=MEM), "multiple memories")
    valid(Module(imports=(imp,)))


def test_exports() -> None:
    base = func_module([], mems=MEM, tables=TABLE,
                       globals=(Global(GlobalType(True, I32), (ins("i32.const", 0), END)),))
    ok = (Export("f", ExportDesc("func", 0)), Export("m", ExportDesc("memory", 0)),
          Export("t", ExportDesc("table", 0)), Export("g", ExportDesc("global", 0)))
    valid(Module(**{**_fields(base), "exports": ok}))
    for kind, message in (("func", "unknown function"), ("memory", "unknown memory"),
                          ("table", "unknown table"), ("global", "unknown global")):
        bad = (Export("x", ExportDesc(kind, 1)),)
        invalid(Module(**{**_fields(base), "exports": bad}), message)
    dup = (Export("a", ExportDesc("func", 0)), Export("a", ExportDesc("memory", 0)))
    invalid(Module(**{**_fields(base), "exports": dup}), "duplicate export name")


def test_start_function() -> None:
    valid(Module(**{**_fields(func_module([])), "start": 0}))
    invalid(Module(**{**_fields(func_module([], params=(I32,))), "start": 0}), "start function")
    invalid(Module(**{**_fields(func_module([ins("i32.const", 0)], results=(I32,))),
                      "start": 0}), "start function")
    invalid(Module(**{**_fields(func_module([])), "start": 1}), "unknown function")


def test_unknown_type_of_function_and_import() -> None:
    invalid(Module(funcs=(Func(0, (), (END,)),)), "unknown type")
    invalid(Module(imports=(Import("m", "f", ImportDesc("func", 2)),)), "unknown type")


def test_import_and_export_types() -> None:
    ft = FuncType((I32,), (I64,))
    gt = GlobalType(True, F32)
    tt = TableType(Limits(0, 5), EXTERNREF)
    mt = MemType(Limits(1, 2))
    imports = (Import("m", "f", ImportDesc("func", 0)),
               Import("m", "g", ImportDesc("global", gt)),
               Import("m", "t", ImportDesc("table", tt)),
               Import("m", "mem", ImportDesc("memory", mt)))
    own = FuncType((), ())
    m = Module(types=(ft, own), imports=imports, funcs=(Func(1, (), (END,)),),
               exports=(Export("a", ExportDesc("func", 1)), Export("b", ExportDesc("func", 0)),
                        Export("c", ExportDesc("global", 0)), Export("d", ExportDesc("table", 0)),
                        Export("e", ExportDesc("memory", 0))))
    validate_module(m)
    assert module_import_types(m) == [ft, gt, tt, mt]
    assert module_export_types(m) == [own, ft, gt, tt, mt]


def _fields(m: Module) -> dict[str, Any]:
    return {name: getattr(m, name) for name in Module.__dataclass_fields__}


# --- Robustness: nonsense modules never raise anything but ValidationError ---------------------

NONSENSE: list[Any] = [None, -1, 0, 1, 2**32, 2**100, True, "i32", b"x", 1.5, (), [], (0,),
                       ((),), ValType.I32, ValType.FUNCREF, object()]


def _expect_only_validation_error(module: Any) -> None:
    """Validation and the import/export type queries either succeed or raise ValidationError
    (any other exception fails the test)."""
    with contextlib.suppress(ValidationError):
        validate_module(module)
    with contextlib.suppress(ValidationError):
        module_import_types(module)
        module_export_types(module)


@pytest.mark.parametrize("field", list(Module.__dataclass_fields__))
@pytest.mark.parametrize("value", NONSENSE, ids=[type(v).__name__ for v in NONSENSE])
def test_nonsense_fields(field: str, value: Any) -> None:
    _expect_only_validation_error(Module(**{field: value}))
    wrapped: dict[str, Any] = {field: (value,)}
    _expect_only_validation_error(Module(**wrapped))


def test_not_a_module() -> None:
    for value in NONSENSE:
        with pytest.raises(ValidationError):
            validate_module(value)


OPS = sorted({info.op for info in INSTRUCTIONS.values()})
junk = st.sampled_from(NONSENSE)
small = st.integers(min_value=0, max_value=4)
immediate = st.one_of(small, junk, st.sampled_from(list(ValType)), st.none(),
                      st.tuples(small), st.tuples(st.sampled_from(list(ValType))),
                      st.integers(min_value=-2, max_value=2**65))
instructions = st.builds(lambda op, imm: Instruction(op, tuple(imm)),
                         st.one_of(st.sampled_from(OPS), st.sampled_from(["bogus", "end"])),
                         st.lists(immediate, max_size=2))
# Mostly well-shaped instructions, so that the typing rules are exercised, not just the shape.
shaped = st.sampled_from([
    ins("i32.const", 0), ins("i64.const", 1), ins("f32.const", 0), ins("f64.const", 0), ins("drop"),
    ins("i32.add"), ins("f64.neg"), ins("select"), ins("select", (I32,)), ins("block", None),
    ins("block", I32), ins("block", 0), ins("block", 1), ins("loop", None), ins("if", None),
    ins("if", I64), ins("else"), END, END, END, ins("br", 0), ins("br", 1), ins("br_if", 0),
    ins("br_table", (0, 1), 0), ins("return"), ins("unreachable"), ins("call", 0), ins("call", 3),
    ins("call_indirect", 0, 0), ins("local.get", 0), ins("local.set", 1), ins("local.tee", 0),
    ins("global.get", 0), ins("global.set", 0), ins("ref.null", FUNCREF), ins("ref.is_null"),
    ins("ref.func", 0), ins("table.get", 0), ins("table.set", 0), ins("table.size", 0),
    ins("table.grow", 0), ins("table.fill", 0), ins("table.copy", 0, 0), ins("table.init", 0, 0),
    ins("elem.drop", 0), ins("memory.size"), ins("memory.grow"), ins("memory.fill"),
    ins("memory.copy"), ins("memory.init", 0), ins("data.drop", 0), ins("i32.load", 2, 0),
    ins("i64.store8", 0, 1), ins("i32.load", 5, 0)])
exprs = st.lists(st.one_of(shaped, shaped, shaped, instructions), max_size=12).map(
    lambda xs: (*xs, END))
valtypes = st.tuples(*[st.sampled_from(list(ValType))] * 2)
limits = st.builds(Limits, st.integers(0, 2**33), st.one_of(st.none(), st.integers(0, 2**33)))


def _modules() -> st.SearchStrategy[Module]:
    functype = st.builds(FuncType, valtypes, st.sampled_from([(), (I32,), (I32, F64)]))
    func = st.builds(Func, small, st.sampled_from([(), (I32,), (I64, FUNCREF)]), exprs)
    table = st.builds(Table, st.builds(TableType, limits, st.sampled_from([FUNCREF, EXTERNREF])))
    mem = st.builds(Mem, st.builds(MemType, limits))
    glob = st.builds(Global, st.builds(GlobalType, st.booleans(), st.sampled_from(list(ValType))),
                     exprs)
    mode = st.one_of(st.builds(ElemModePassive), st.builds(ElemModeDeclarative),
                     st.builds(ElemModeActive, small, exprs))
    elem = st.builds(Elem, st.sampled_from([FUNCREF, EXTERNREF]), st.tuples(exprs), mode)
    dmode = st.one_of(st.builds(DataModePassive), st.builds(DataModeActive, small, exprs))
    data = st.builds(Data, st.just(b"ab"), dmode)
    kinds = st.sampled_from(["func", "table", "memory", "global", "bogus"])
    import_desc = st.one_of(st.builds(ImportDesc, st.just("func"), small),
                            st.builds(ImportDesc, kinds, st.one_of(
                                small, st.builds(GlobalType, st.booleans(),
                                                 st.sampled_from(list(ValType))),
                                st.builds(MemType, limits))))
    imp = st.builds(Import, st.just("m"), st.sampled_from(["a", "b"]), import_desc)
    export = st.builds(Export, st.sampled_from(["a", "b", "c"]), st.builds(ExportDesc, kinds,
                                                                          small))
    return st.builds(
        Module, types=st.lists(functype, max_size=3).map(tuple),
        funcs=st.lists(func, max_size=3).map(tuple), tables=st.lists(table, max_size=2).map(tuple),
        mems=st.lists(mem, max_size=2).map(tuple), globals=st.lists(glob, max_size=2).map(tuple),
        elems=st.lists(elem, max_size=2).map(tuple), datas=st.lists(data, max_size=2).map(tuple),
        start=st.one_of(st.none(), small), imports=st.lists(imp, max_size=3).map(tuple),
        exports=st.lists(export, max_size=3).map(tuple), data_count=st.one_of(st.none(), small))


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_modules())
def test_arbitrary_modules_raise_only_validation_errors(module: Module) -> None:
    _expect_only_validation_error(module)


@settings(max_examples=400, deadline=None)
@given(st.lists(shaped, max_size=30))
def test_arbitrary_bodies_raise_only_validation_errors(body: list[Instruction]) -> None:
    m = func_module(body, params=(I32,), results=(I32,), locals_=(I64,), mems=MEM, tables=TABLE,
                    globals=(Global(GlobalType(True, I32), (ins("i32.const", 0), END)),),
                    elems=(Elem(FUNCREF, (), ElemModeDeclarative()),),
                    datas=(Data(b"", DataModePassive()),), data_count=1)
    _expect_only_validation_error(m)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([I32, I64, F32, F64]), min_size=1, max_size=8),
       st.integers(min_value=0, max_value=7))
def test_straight_line_programs(stack: list[ValType], cut: int) -> None:
    """A well-typed straight-line body (constants, then drops) validates; removing a ``drop``
    leaves an operand behind and fails with a type mismatch."""
    consts = [ins(f"{t.value}.const", 0) for t in stack]
    drops = [ins("drop")] * len(stack)
    valid(func_module(consts + drops))
    keep = cut % len(stack)
    invalid(func_module(consts + drops[:keep] + drops[keep + 1:]), "type mismatch")
    # And what is left may be the function's result, if the types agree.
    valid(func_module(consts + drops[: len(stack) - 1], results=(stack[0],)))


# --- The official test suite (needs the binary decoder) --------------------------------------

EXTERNAL = external_dir()
SUITE = EXTERNAL / "wasm-testsuite" / "json"

MUST_VALIDATE = ("module", "assert_unlinkable", "assert_uninstantiable", "assert_trap")

#: Binaries whose expected message cannot be produced from the binary: wast2json encodes
#: ``(select (result) ...)`` as the untyped select 0x1B, byte-identical to select.1.wasm, which
#: expects "type mismatch". Such a module must still fail validation.
MESSAGE_EXCEPTIONS = {("select.json", "select.2.wasm"): "type mismatch"}


def _suite_cases() -> list[tuple[str, str, str | None]]:
    """(json path, wasm file name, expected invalid message or None for "must validate")."""
    cases: list[tuple[str, str, str | None]] = []
    if not SUITE.is_dir():
        return cases
    for path in sorted(SUITE.glob("*/*.json")):
        for cmd in json.loads(path.read_text())["commands"]:
            filename = cmd.get("filename")
            if not filename or not filename.endswith(".wasm"):
                continue
            if cmd["type"] == "assert_invalid" and cmd.get("module_type") == "binary":
                cases.append((str(path), filename, cmd["text"]))
            elif cmd["type"] in MUST_VALIDATE:
                cases.append((str(path), filename, None))
    return cases


def _decoder() -> Any:
    from supervm_ref.wasm.binary.module import decode_module

    return decode_module


@pytest.mark.usefixtures("suite_dir")  # required: a missing suite fails, it never skips
def test_official_suite_validation() -> None:
    decode = _decoder()
    cases = _suite_cases()
    assert len(cases) > 2000
    failures: list[str] = []
    invalid_ok = valid_ok = 0
    for path, filename, expected in cases:
        data = (Path(path).parent / filename).read_bytes()
        where = f"{Path(path).name}:{filename}"
        try:
            module = decode(data)
        except DecodeError as e:
            failures.append(f"{where}: decode error {e}")
            continue
        try:
            validate_module(module)
        except ValidationError as e:
            if expected is None:
                failures.append(f"{where}: must validate, got {e.message!r}")
            elif not e.message.startswith(
                    MESSAGE_EXCEPTIONS.get((Path(path).name, filename), expected)):
                failures.append(f"{where}: expected {expected!r}, got {e.message!r}")
            else:
                invalid_ok += 1
            continue
        if expected is not None:
            failures.append(f"{where}: must fail with {expected!r}, but validates")
        else:
            valid_ok += 1
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:50])
    assert invalid_ok + valid_ok == len(cases)
    assert invalid_ok == sum(1 for case in cases if case[2] is not None)
