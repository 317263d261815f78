"""Deterministic limits (spec/wasm.md WASM-LIMIT-*)."""

from __future__ import annotations

import functools
import sys

import pytest

from supervm_ref.errors import InvalidArgumentError
from supervm_ref.wasm import embedding as E
from supervm_ref.wasm.binary.encode import encode_module
from supervm_ref.wasm.errors import (
    CodeTooLarge,
    DecodeError,
    LinkError,
    Trap,
    TrapKind,
    ValidationError,
)
from supervm_ref.wasm.limits import LIMIT_MAXIMA, EngineLimits
from supervm_ref.wasm.runtime.store import ExternVal
from supervm_ref.wasm.runtime.values import Value
from supervm_ref.wasm.structure.instructions import Instruction
from supervm_ref.wasm.structure.module import (
    Export,
    ExportDesc,
    Func,
    Global,
    Import,
    ImportDesc,
    Module,
)
from supervm_ref.wasm.structure.types import FuncType, GlobalType, ValType

from ..support import wat

END, NOP = Instruction("end"), Instruction("nop")


def ins(op: str, *imm: object) -> Instruction:
    """One instruction and its immediates."""
    return Instruction(op, imm)

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
    assert str(e.value) == (f"call stack exhausted: call depth {max_depth + 1} > "
                            f"max_call_depth {max_depth} (WASM-LIMIT-1)")


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
    # The message names the limit that was exceeded, not the call depth (11 frames is far
    # below max_call_depth).
    assert str(e.value) == ("call stack exhausted: value slots 33 > max_value_stack 30 "
                            "(WASM-LIMIT-2)")


def test_both_stack_limits_name_the_call_depth_first() -> None:
    """WASM-LIMIT-1, WASM-LIMIT-2: a call exceeding both limits reports the call depth."""
    store, inst = _setup(EngineLimits(max_call_depth=3, max_value_stack=9))
    rec = E.instance_export(inst, "rec").addr
    with pytest.raises(Trap) as e:  # the 4th frame: depth 4 > 3 and 12 slots > 9
        E.func_invoke(store, rec, [Value.i32(100)])
    assert str(e.value) == ("call stack exhausted: call depth 4 > max_call_depth 3 "
                            "(WASM-LIMIT-1)")


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
    """WASM-LIMIT-6: decoding, validation and pre-decoding are iterative: 40,000 nested blocks
    (far beyond Python's recursion limit; 80,003 instructions, within WASM-LIMIT-9) run
    fine."""
    n = 40_000
    body = (ins("block", None),) * n + (END,) * n + (ins("i32.const", 7), END)
    wasm = encode_module(Module(types=(FuncType((), (ValType.I32,)),),
                                funcs=(Func(0, (), body),),
                                exports=(Export("f", ExportDesc("func", 0)),)))
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


@pytest.mark.parametrize("field", ["max_call_depth", "max_value_stack", "max_memory_pages",
                                   "max_table_size", "max_host_reentry", "max_module_bytes",
                                   "max_function_instructions"])
def test_limits_are_validated(field: str) -> None:
    """WASM-LIMIT-10, RT-API-3: EngineLimits takes an integer in [1, LIMIT_MAXIMA[field]] for
    each field; anything else is InvalidArgumentError naming the field."""
    top = LIMIT_MAXIMA[field]
    assert getattr(EngineLimits(**{field: top}), field) == top
    for bad in (0, -1, top + 1, "8", 2.0, True, None):
        with pytest.raises(InvalidArgumentError, match=field):
            EngineLimits(**{field: bad})


def test_default_limits_documented() -> None:
    """The defaults are the ones spec/wasm.md states."""
    d = EngineLimits()
    assert (d.max_call_depth, d.max_value_stack, d.max_memory_pages, d.max_table_size,
            d.max_host_reentry, d.max_module_bytes, d.max_function_instructions) \
        == (1024, 1 << 20, 1024, 1 << 20, 8, 1 << 20, 100_000)
    assert ValType.I32.is_num


# --- code-size limits (WASM-LIMIT-8, WASM-LIMIT-9) ---------------------------------------------


def _module_with_body(body: tuple[Instruction, ...], imports: int = 0) -> bytes:
    """A module with ``imports`` imported functions and one function ``() -> ()`` whose body
    is ``body`` followed by ``end``."""
    return encode_module(Module(
        types=(FuncType((), ()),),
        imports=(Import("m", "f", ImportDesc("func", 0)),) * imports,
        funcs=(Func(0, (), (*body, END)),)))


def _padded_module(size: int) -> bytes:
    """An empty module with a custom section that makes it exactly ``size`` bytes."""
    payload = size - 8 - 1 - 1  # preamble, section id, name length 0, then the payload
    while 8 + 1 + len(_leb(payload + 1)) + 1 + payload > size:
        payload -= 1
    wasm = b"\0asm\x01\0\0\0" + bytes([0]) + _leb(payload + 1) + bytes([0]) + bytes(payload)
    assert len(wasm) == size
    return wasm


def test_module_size_limit() -> None:
    """WASM-LIMIT-8: a binary of max_module_bytes decodes; one byte more is CodeTooLarge, which
    is neither malformed nor invalid, and names the limit, its value and the size found."""
    limits = EngineLimits(max_module_bytes=1000)
    E.module_decode(_padded_module(1000), limits)
    with pytest.raises(CodeTooLarge) as e:
        E.module_decode(_padded_module(1001), limits)
    err = e.value
    assert not isinstance(err, (DecodeError, ValidationError))
    assert (err.kind, err.limit_name, err.limit, err.found, err.offset) \
        == ("code_too_large", "max_module_bytes", 1000, 1001, None)
    assert str(err) == "module exceeds max_module_bytes = 1000: found 1001 bytes"


def test_module_size_is_checked_before_decoding() -> None:
    """WASM-LIMIT-8: an oversized binary is rejected even when it is not a module at all: the
    decoder never starts."""
    with pytest.raises(CodeTooLarge) as e:
        E.module_decode(b"garbage" * 200, EngineLimits(max_module_bytes=1000))
    assert e.value.found == 1400


def test_function_instruction_limit() -> None:
    """WASM-LIMIT-9: a body of exactly max_function_instructions instructions (its final
    ``end`` included) decodes and runs; one more is CodeTooLarge naming the function."""
    limits = EngineLimits(max_function_instructions=10)
    at_limit = _module_with_body((NOP,) * 9)  # 9 nops + end = 10 instructions
    store = E.store_init(limits)
    E.module_instantiate(store, E.module_decode(at_limit, limits), [])
    over = _module_with_body((ins("block", None), END) + (NOP,) * 8, imports=2)
    with pytest.raises(CodeTooLarge) as e:  # block, end, 8 nops = 10; the final end is 11th
        E.module_decode(over, limits)
    err = e.value
    assert (err.kind, err.limit_name, err.limit, err.found) \
        == ("code_too_large", "max_function_instructions", 10, 11)
    assert err.offset == len(over) - 1  # stopped just before the body's final end
    assert str(err) == ("the body of function 2 exceeds max_function_instructions = 10: "
                        f"decoding stopped at instruction 11 (byte {err.offset})")


def test_constant_expressions_are_not_function_bodies() -> None:
    """WASM-LIMIT-9 counts function bodies only: a global initialiser is bounded by
    WASM-LIMIT-8 alone."""
    limits = EngineLimits(max_function_instructions=2)
    # (global i32 (i32.const 7)): 2 instructions with its end; a body of 1 instruction.
    wasm = encode_module(Module(globals=(Global(GlobalType(False, ValType.I32),
                                                (ins("i32.const", 7), END)),)))
    assert len(E.module_decode(wasm, limits).globals) == 1


FOUR_MILLION = 4_000_000


@functools.cache
def _four_million_nops() -> bytes:
    """One function of 4,000,000 nops (plus its end): a binary of about 4 MB."""
    return _module_with_body((NOP,) * FOUR_MILLION)


def test_four_million_instruction_module_fails_fast() -> None:
    """WASM-LIMIT-8: with the default limits the 4M-instruction module is refused from its
    size alone, before anything is decoded."""
    wasm = _four_million_nops()
    with pytest.raises(CodeTooLarge) as e:
        E.module_decode(wasm)
    assert (e.value.limit_name, e.value.found, e.value.offset) \
        == ("max_module_bytes", len(wasm), None)


def test_four_million_instruction_body_stops_at_the_limit() -> None:
    """WASM-LIMIT-9: even when the binary's size is allowed, decoding the 4M-instruction body
    stops at instruction 100,001, having read about 100 kB of its 4 MB."""
    wasm = _four_million_nops()
    with pytest.raises(CodeTooLarge) as e:
        E.module_decode(wasm, EngineLimits(max_module_bytes=8 << 20))
    err = e.value
    assert (err.limit_name, err.limit, err.found) == ("max_function_instructions", 100_000,
                                                      100_001)
    body_start = len(wasm) - FOUR_MILLION - 2  # the locals byte, then the nops and the end
    assert err.offset == body_start + 1 + 100_000
