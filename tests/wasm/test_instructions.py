"""One definition per instruction (spec/wasm.md section 9; WebAssembly spec section 4.4).

- Every instruction of the profile has exactly one definition, in the module of its group, and
  pre-decoded code contains nothing but those handlers (plus the run heads of the gas
  optimisation): the machine sequences definitions, it does not define instructions.
- The handlers do what their docstrings say the spec says, checked directly on small stacks.
  (The official suite checks them again end to end: `tests/wasm/test_spectest.py`.)
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from supervm_ref.wasm import embedding as E
from supervm_ref.wasm.errors import Trap, TrapKind
from supervm_ref.wasm.exec import compile as compile_module
from supervm_ref.wasm.exec import machine
from supervm_ref.wasm.exec.code import RETURN, Branch, Definition
from supervm_ref.wasm.exec.instructions import (
    DEFINITIONS,
    control,
    memory,
    numeric,
    parametric,
    reference,
    table,
    variable,
)
from supervm_ref.wasm.exec.machine import _enter
from supervm_ref.wasm.runtime.store import (
    ElemInst,
    GlobalInst,
    HostFuncInst,
    Store,
    TableInst,
)
from supervm_ref.wasm.structure.instructions import (
    INSTRUCTIONS,
    MEMORY_ACCESS,
    NUMERIC_SIGNATURES,
)
from supervm_ref.wasm.structure.types import (
    FuncType,
    GlobalType,
    Limits,
    TableType,
    ValType,
)

from ..support import wat

GROUPS = (numeric, reference, parametric, variable, table, memory, control)


def test_every_instruction_has_exactly_one_definition() -> None:
    """Each mnemonic of the profile is defined by exactly one group module, or is one of the
    structured instructions that pre-decoding resolves (section 9)."""
    mnemonics = {info.op for info in INSTRUCTIONS.values()}
    seen: dict[str, str] = {}
    for group in GROUPS:
        for name in group.DEFINITIONS:
            assert name not in seen, f"{name} defined in {seen[name]} and {group.__name__}"
            seen[name] = group.__name__
    assert set(seen) == set(DEFINITIONS)
    assert set(DEFINITIONS).isdisjoint(control.STRUCTURED)
    assert set(DEFINITIONS) | control.STRUCTURED == mnemonics


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: g.__name__.rsplit(".", 1)[1])
def test_handlers_are_defined_in_their_group(group: Any) -> None:
    """Each handler is a function of the group module that registers it, documented with the
    spec section it implements."""
    for name, d in group.DEFINITIONS.items():
        assert isinstance(d, Definition)
        assert d.handler.__module__ == group.__name__, name
        assert inspect.getdoc(d.handler) and "4.4." in inspect.getdoc(d.handler), name


def test_stack_effects_agree_with_the_instruction_types() -> None:
    """The stack effect of each numeric and memory instruction is its results minus its
    operands, as validation types it (spec 3.3)."""
    for name, (params, results) in NUMERIC_SIGNATURES.items():
        assert DEFINITIONS[name].effect == len(results) - len(params), name
    for name in MEMORY_ACCESS:
        assert DEFINITIONS[name].effect == (0 if ".load" in name else -2), name


def test_pre_decoded_code_holds_only_definitions() -> None:
    """The machine runs nothing but the handlers of the definitions, the three that remain of
    the structured instructions, and the run heads of the gas optimisation."""
    allowed = {d.handler for d in DEFINITIONS.values()}
    allowed |= {control.if_, control.else_, control.return_, compile_module.start_run}
    store = E.store_init()
    inst = E.module_instantiate(store, E.module_decode(wat("""(module
      (memory 1) (table 2 funcref) (global $g (mut i32) (i32.const 0))
      (func $f (export "f") (param i32) (result i32)
        (local i64)
        block (result i32)
          loop
            i32.const 9 local.get 0 i32.eqz br_if 1 drop
            local.get 0 i32.const 1 i32.sub local.set 0
            br 0
          end
          i32.const 0
        end
        if (result i32) i32.const 1 else i32.const 2 end
        i32.const 0 i32.load8_s offset=3 drop
        global.get $g i64.extend_i32_u local.tee 1 drop
        i32.const 0 call_indirect (param i32) (result i32)
        i32.const 5 ref.null func ref.is_null select)
      (elem (i32.const 0) $f))""")), [])
    f = store.funcs[E.instance_export(inst, "f").addr]
    code = _enter(store, f).code  # type: ignore[arg-type]
    assert {handler for handler, _ in code} <= allowed


def test_the_machine_defines_no_instruction() -> None:
    """machine.py names no instruction and no numeric operator: it only calls handlers (and
    builds the embedder's invocation from ``call`` and ``return``)."""
    source = inspect.getsource(machine)
    assert "numerics" not in source
    for name in DEFINITIONS:
        if "." in name:  # dotted mnemonics cannot be mistaken for ordinary words
            assert name not in source, name


# --- the handlers, on small stacks --------------------------------------------------------------


def test_numeric_rules_apply_the_operator_to_the_deeper_operand_first() -> None:
    """4.4.1 ``t.binop``: ``c1`` is the deeper operand; ``t.unop`` replaces the top."""
    stack: list[Any] = [7, 5, 3]
    numeric.binop(stack, numeric.NUMERIC["i32.sub"][1])
    assert stack == [7, 2]
    numeric.relop(stack, numeric.NUMERIC["i32.lt_u"][1])
    assert stack == [0]
    numeric.testop(stack, numeric.NUMERIC["i32.eqz"][1])
    assert stack == [1]
    numeric.cvtop(stack, numeric.NUMERIC["i64.extend_i32_s"][1])
    assert stack == [1]
    numeric.unop(stack, numeric.NUMERIC["i32.clz"][1])
    assert stack == [31]
    numeric.const(stack, 0xFFFFFFFF)
    numeric.binop(stack, numeric.NUMERIC["i32.add"][1])
    assert stack == [30]


def test_numeric_trap_passes_through() -> None:
    """4.4.1: where the operator is undefined the instruction traps."""
    with pytest.raises(Trap) as e:
        numeric.binop([1, 0], numeric.NUMERIC["i32.div_u"][1])
    assert e.value.trap_kind is TrapKind.INTEGER_DIVIDE_BY_ZERO


def test_locals_are_the_first_slots() -> None:
    """4.4.5 on the layout of `code.Stack`: local x is slot x."""
    stack: list[Any] = [10, 20, 99]  # two locals, one operand
    variable.local_tee(stack, 0)
    assert stack == [99, 20, 99]
    variable.local_set(stack, 1)
    assert stack == [99, 99]
    variable.local_get(stack, 0)
    assert stack == [99, 99, 99]
    glob = GlobalInst(GlobalType(ValType.I32, True), 5)
    variable.global_get(stack, glob)
    variable.global_set(stack, glob)
    assert glob.value == 5 and stack == [99, 99, 99]
    variable.global_set(stack, glob)
    assert glob.value == 99 and stack == [99, 99]


@pytest.mark.parametrize("c, expected", [(1, "val1"), (0, "val2"), (0xFFFFFFFF, "val1")])
def test_select(c: int, expected: str) -> None:
    """4.4.4 ``select``: val1 if c is non-zero, else val2."""
    stack: list[Any] = ["val1", "val2", c]
    parametric.select(stack, None)
    assert stack == [expected]
    parametric.drop(stack, None)
    assert stack == []


def test_references() -> None:
    """4.4.2: null is None; ``ref.func`` pushes the bound function address."""
    stack: list[Any] = []
    reference.ref_null(stack, None)
    reference.ref_func(stack, 4)
    reference.ref_is_null(stack, None)
    assert stack == [None, 0]
    stack.pop()
    reference.ref_is_null(stack, None)
    assert stack == [1]


def test_br_keeps_arity_values_and_cuts_to_the_label_height() -> None:
    """4.4.8 ``br l``: the kept values go where the label's height says; the position is the
    label's."""
    stack: list[Any] = ["local", "a", "b", "c", "d"]
    assert control.br(stack, Branch(17, 2, 2)) == 17
    assert stack == ["local", "a", "c", "d"]
    assert control.br(stack, Branch(3, 1, 0)) == 3
    assert stack == ["local"]


def test_br_if_and_br_table() -> None:
    """4.4.8 ``br_if`` branches only on non-zero; ``br_table`` indexes its labels, out of range
    takes the default."""
    stack: list[Any] = ["x", "y", 0]
    assert control.br_if(stack, Branch(9, 0, 1)) is None
    assert stack == ["x", "y"]
    stack.append(2)
    assert control.br_if(stack, Branch(9, 0, 1)) == 9
    assert stack == ["y"]
    labels = (Branch(10, 0, 0), Branch(11, 0, 1))
    for i, target in [(0, 10), (1, 11), (2, 12), (0xFFFFFFFF, 12)]:
        stack = ["v", i]
        assert control.br_table(stack, (labels, Branch(12, 0, 1))) == target


def test_if_else_and_return() -> None:
    """4.4.8 ``if``: non-zero continues, zero goes to the else part; the ``else`` reached at the
    end of the first part goes past the end; ``return`` leaves only the results."""
    assert control.if_([7], 5) is None
    assert control.if_([0], 5) == 5
    assert control.else_([], 8) == 8
    stack: list[Any] = ["local", "junk", "r1", "r2"]
    assert control.return_(stack, 2) is RETURN
    assert stack == ["r1", "r2"]
    stack = ["local"]
    assert control.return_(stack, 0) is RETURN and stack == []


def test_unreachable_traps() -> None:
    """4.4.8 ``unreachable``."""
    with pytest.raises(Trap) as e:
        control.unreachable([], None)
    assert e.value.trap_kind is TrapKind.UNREACHABLE


def test_call_indirect_checks_in_order() -> None:
    """4.4.8 ``call_indirect``: index in the table, element not null, type as expected; then the
    function instance is the outcome (the machine invokes it)."""
    store = Store()
    i2i = FuncType((ValType.I32,), (ValType.I32,))
    host = HostFuncInst(i2i, lambda caller, x: [x])
    store.funcs.append(host)
    tab = TableInst(TableType(Limits(2), ValType.FUNCREF), [0, None])
    assert control.call_indirect([0], (store, tab, i2i)) is host
    for index, expected, kind in [(2, i2i, TrapKind.UNDEFINED_ELEMENT),
                                  (1, i2i, TrapKind.UNINITIALIZED_ELEMENT),
                                  (0, FuncType((), ()), TrapKind.INDIRECT_CALL_TYPE_MISMATCH)]:
        with pytest.raises(Trap) as e:
            control.call_indirect([index], (store, tab, expected))
        assert e.value.trap_kind is kind


def test_table_bounds_are_checked_before_writing() -> None:
    """4.4.6 ``table.fill`` / ``table.init``: an out-of-bounds range traps with nothing
    written."""
    tab = TableInst(TableType(Limits(3), ValType.FUNCREF), [None, None, None])
    with pytest.raises(Trap) as e:
        table.table_fill([1, 7, 3], tab)
    assert e.value.trap_kind is TrapKind.TABLE_OUT_OF_BOUNDS and tab.elem == [None] * 3
    seg = ElemInst(ValType.FUNCREF, [4, 5])
    with pytest.raises(Trap):
        table.table_init([2, 0, 2], (tab, seg))
    assert tab.elem == [None] * 3
    table.table_init([1, 0, 2], (tab, seg))
    assert tab.elem == [None, 4, 5]


def test_loads_and_stores() -> None:
    """4.4.7: the effective address is i + offset without wrapping; signed loads extend; stores
    write the low bytes."""
    data = bytearray(8)
    ctx: Any = type("Ctx", (), {"memory": type("M", (), {"data": data})(), "store": None})()
    store16 = memory.DEFINITIONS["i64.store16"].bind(ctx, (1, 2))
    memory.store([4, 0xFFFF_FFFF_FFFF_8001], store16)
    assert data == bytearray([0, 0, 0, 0, 0, 0, 0x01, 0x80])
    load_s = memory.DEFINITIONS["i32.load16_s"].bind(ctx, (1, 6))
    stack: list[Any] = [0]
    memory.load(stack, load_s)
    assert stack == [0xFFFF8001]
    with pytest.raises(Trap) as e:
        memory.load([0xFFFFFFFF], load_s)  # ea = 2**32 + 5: no wrap-around
    assert e.value.trap_kind is TrapKind.MEMORY_OUT_OF_BOUNDS
