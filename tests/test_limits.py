"""Deterministic limits (spec/wasm.md WASM-LIMIT-*)."""

from __future__ import annotations

import sys

import pytest

from supervm_ref.wasm import embedding as E
from supervm_ref.wasm.errors import LinkError, Trap, TrapKind
from supervm_ref.wasm.limits import EngineLimits
from supervm_ref.wasm.runtime.store import ExternVal
from supervm_ref.wasm.runtime.values import Value
from supervm_ref.wasm.structure.types import FuncType, ValType

from .conftest import wat

DEPTH = wat("""(module
  (global $max (mut i32) (i32.const 0))
  (func $rec (export "rec") (param i32) (result i32)
    local.get 0 global.get $max i32.gt_u if local.get 0 global.set $max end
    local.get 0 i32.eqz if (result i32) i32.const 0
    else local.get 0 i32.const 1 i32.sub call $rec end)
  (func (export "max") (result i32) global.get $max)
  (func $inf (export "inf") call $inf))""")


def _setup(limits: EngineLimits | None = None) -> tuple[E.Store, E.ModuleInst]:
    store = E.store_init(limits)
    return store, E.module_instantiate(store, E.module_decode(DEPTH), [])


@pytest.mark.parametrize("max_depth", [1, 2, 50, 1024])
def test_call_depth_is_exact(max_depth: int) -> None:
    """WASM-LIMIT-1: recursion of exactly max_call_depth frames works; one more traps."""
    store, inst = _setup(EngineLimits(max_call_depth=max_depth))
    rec = E.instance_export(inst, "rec").addr
    # rec(n) uses n + 1 frames.
    assert E.func_invoke(store, rec, [Value.i32(max_depth - 1)]) == [Value.i32(0)]
    with pytest.raises(Trap) as e:
        E.func_invoke(store, rec, [Value.i32(max_depth)])
    assert e.value.trap_kind is TrapKind.CALL_STACK_EXHAUSTED


def test_unbounded_recursion_is_call_stack_exhausted_not_recursion_error() -> None:
    """WASM-LIMIT-1, WASM-LIMIT-6: infinite recursion ends in a Trap even with a depth limit
    far above Python's recursion limit."""
    store, inst = _setup(EngineLimits(max_call_depth=sys.getrecursionlimit() * 20))
    with pytest.raises(Trap) as e:
        E.func_invoke(store, E.instance_export(inst, "inf").addr, [])
    assert e.value.trap_kind is TrapKind.CALL_STACK_EXHAUSTED


def test_value_stack_limit() -> None:
    """WASM-LIMIT-2: frames reserve locals + max operand height; the sum is bounded."""
    # rec: 1 param + max operand height 2 = 3 slots per frame.
    store, inst = _setup(EngineLimits(max_value_stack=30))
    rec = E.instance_export(inst, "rec").addr
    assert E.func_invoke(store, rec, [Value.i32(9)]) == [Value.i32(0)]  # 10 frames = 30 slots
    with pytest.raises(Trap) as e:
        E.func_invoke(store, rec, [Value.i32(10)])
    assert e.value.trap_kind is TrapKind.CALL_STACK_EXHAUSTED


def test_memory_page_limit() -> None:
    """WASM-LIMIT-3: memory.grow beyond the engine limit returns -1; a larger declared minimum
    is a LinkError."""
    wasm = wat("""(module (memory 1)
      (func (export "grow") (param i32) (result i32) local.get 0 memory.grow))""")
    store = E.store_init(EngineLimits(max_memory_pages=4))
    inst = E.module_instantiate(store, E.module_decode(wasm), [])
    grow = E.instance_export(inst, "grow").addr
    assert E.func_invoke(store, grow, [Value.i32(3)]) == [Value.i32(1)]
    assert E.func_invoke(store, grow, [Value.i32(1)]) == [Value.i32(-1)]
    with pytest.raises(LinkError):
        E.module_instantiate(store, E.module_decode(wat("(module (memory 5))")), [])


def test_table_size_limit() -> None:
    """WASM-LIMIT-4: table.grow beyond the engine limit returns -1; a larger declared minimum
    is a LinkError."""
    wasm = wat("""(module (table 1 funcref)
      (func (export "grow") (param i32) (result i32) ref.null func local.get 0 table.grow 0))""")
    store = E.store_init(EngineLimits(max_table_size=10))
    inst = E.module_instantiate(store, E.module_decode(wasm), [])
    grow = E.instance_export(inst, "grow").addr
    assert E.func_invoke(store, grow, [Value.i32(9)]) == [Value.i32(1)]
    assert E.func_invoke(store, grow, [Value.i32(1)]) == [Value.i32(-1)]
    with pytest.raises(LinkError):
        E.module_instantiate(store, E.module_decode(wat("(module (table 11 funcref))")), [])


def test_host_reentry_limit() -> None:
    """WASM-LIMIT-5: re-entering through host functions is bounded."""
    store = E.store_init(EngineLimits(max_host_reentry=3))
    target: dict[str, int] = {}

    def host(caller: E.Caller) -> list[object]:
        return caller.invoke(target["go"], [])

    f = E.func_alloc(store, FuncType((), ()), host)
    inst = E.module_instantiate(store, E.module_decode(wat(
        '(module (import "env" "h" (func $h)) (func (export "go") call $h))')),
        [ExternVal("func", f)])
    target["go"] = E.instance_export(inst, "go").addr
    with pytest.raises(Trap) as e:
        E.func_invoke(store, target["go"], [])
    assert e.value.trap_kind is TrapKind.CALL_STACK_EXHAUSTED


def test_deep_block_nesting_does_not_recurse() -> None:
    """WASM-LIMIT-6: decoding, validation and pre-decoding are iterative: 50,000 nested blocks
    (far beyond Python's recursion limit) run fine."""
    n = 50_000
    body = bytes([0x02, 0x40]) * n + bytes([0x0B]) * n + bytes([0x41, 0x07, 0x0B])
    func = bytes([0x00]) + body  # no locals
    code_entry = _leb(len(func)) + func
    sections = [
        bytes([1]) + _vec_section(bytes([0x60, 0x00, 0x01, 0x7F])),  # type () -> i32
        bytes([3]) + _vec_section(bytes([0x00])),
        bytes([7]) + _vec_section(bytes([0x01]) + b"f" + bytes([0x00, 0x00])),
        bytes([10]) + _vec_section(code_entry),
    ]
    wasm = b"\0asm\x01\0\0\0" + b"".join(s[:1] + _leb(len(s) - 1) + s[1:] for s in sections)
    store = E.store_init()
    inst = E.module_instantiate(store, E.module_decode(wasm), [])
    assert E.func_invoke(store, E.instance_export(inst, "f").addr, []) == [Value.i32(7)]


def _leb(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _vec_section(item: bytes) -> bytes:
    return bytes([1]) + item


@pytest.mark.parametrize("field", ["max_call_depth", "max_value_stack", "max_memory_pages",
                                   "max_table_size", "max_host_reentry"])
def test_limits_are_validated(field: str) -> None:
    """EngineLimits rejects non-positive values with a message naming the field."""
    with pytest.raises(ValueError, match=field):
        EngineLimits(**{field: 0})


def test_default_limits_documented() -> None:
    """The defaults are the ones spec/wasm.md states."""
    d = EngineLimits()
    assert (d.max_call_depth, d.max_value_stack, d.max_memory_pages, d.max_table_size,
            d.max_host_reentry) == (1024, 1 << 20, 1024, 1 << 20, 8)
    assert ValType.I32.is_num
