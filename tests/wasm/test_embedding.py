"""The embedding API (spec/wasm.md WASM-API-*, WASM-HOST-*, WASM-MEM-1, WASM-LINK-1)."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supervm_ref.wasm import embedding as E
from supervm_ref.wasm.embedding import EmbeddingError
from supervm_ref.wasm.errors import LinkError, Trap, TrapKind, WasmError
from supervm_ref.wasm.runtime.store import ExternVal
from supervm_ref.wasm.runtime.values import Value
from supervm_ref.wasm.structure.types import (
    FuncType,
    GlobalType,
    Limits,
    MemType,
    TableType,
    ValType,
)

from ..support import wat

I32, I64, F32, F64 = ValType.I32, ValType.I64, ValType.F32, ValType.F64

IDENTITY = wat("""(module
  (func (export "f32") (param f32) (result f32) local.get 0)
  (func (export "f64") (param f64) (result f64) local.get 0)
  (func (export "neg32") (param f32) (result f32) local.get 0 f32.neg)
  (func (export "add32") (param f32 f32) (result f32) local.get 0 local.get 1 f32.add)
  (global (export "g") (mut f64) (f64.const 0))
  (func (export "setg") (param f64) local.get 0 global.set 0)
  (memory (export "mem") 1)
  (func (export "store32") (param f32) i32.const 8 local.get 0 f32.store)
  (func (export "load32") (result f32) i32.const 8 f32.load))""")


def _instance(wasm: bytes, imports: list[ExternVal] | None = None) -> tuple[E.Store, E.ModuleInst]:
    store = E.store_init()
    return store, E.module_instantiate(store, E.module_decode(wasm), imports or [])


def _call(store: E.Store, inst: E.ModuleInst, name: str, *args: Value) -> list[Value]:
    return E.func_invoke(store, E.instance_export(inst, name).addr, list(args))


@given(st.integers(0, 0xFFFFFFFF))
def test_f32_bits_survive_every_move(bits: int) -> None:
    """WASM-API-2, WASM-FLOAT-1: any f32 pattern (NaN payloads, signalling NaNs included) comes
    back unchanged through a call, a store/load, and neg twice."""
    store, inst = _instance(IDENTITY)
    v = Value.f32_bits(bits)
    assert _call(store, inst, "f32", v) == [v]
    _call(store, inst, "store32", v)
    assert _call(store, inst, "load32") == [v]
    assert _call(store, inst, "neg32", _call(store, inst, "neg32", v)[0]) == [v]
    assert _call(store, inst, "neg32", v)[0].payload == bits ^ 0x80000000


@given(st.integers(0, 0xFFFFFFFFFFFFFFFF))
def test_f64_bits_survive_calls_and_globals(bits: int) -> None:
    """WASM-API-2: f64 patterns survive calls and globals bit-exactly."""
    store, inst = _instance(IDENTITY)
    v = Value.f64_bits(bits)
    assert _call(store, inst, "f64", v) == [v]
    _call(store, inst, "setg", v)
    assert E.global_read(store, E.instance_export(inst, "g").addr) == v


def test_nan_arithmetic_is_canonical() -> None:
    """WASM-FLOAT-2: an arithmetic NaN result is the positive canonical NaN, whatever the
    operands' payloads and signs."""
    store, inst = _instance(IDENTITY)
    snan = Value.f32_bits(0xFF800001)  # negative signalling NaN with payload 1
    assert _call(store, inst, "add32", snan, Value.f32(1.0))[0].payload == 0x7FC00000


def test_instances_are_independent() -> None:
    """WASM-API-3: one decoded module, two instances, independent memories and globals."""
    store = E.store_init()
    module = E.module_decode(IDENTITY)
    a = E.module_instantiate(store, module, [])
    b = E.module_instantiate(store, module, [])
    _call(store, a, "setg", Value.f64(1.5))
    _call(store, a, "store32", Value.f32(2.5))
    assert E.global_read(store, E.instance_export(b, "g").addr) == Value.f64(0.0)
    assert _call(store, b, "load32") == [Value.f32(0.0)]
    assert _call(store, a, "load32") == [Value.f32(2.5)]


def test_store_usable_after_trap() -> None:
    """WASM-API-4: after a trap the store keeps working, and writes before the trap remain."""
    wasm = wat("""(module (memory (export "m") 1)
      (func (export "boom") i32.const 0 i32.const 7 i32.store unreachable)
      (func (export "read") (result i32) i32.const 0 i32.load))""")
    store, inst = _instance(wasm)
    with pytest.raises(Trap) as e:
        _call(store, inst, "boom")
    assert e.value.trap_kind is TrapKind.UNREACHABLE
    assert _call(store, inst, "read") == [Value.i32(7)]


def test_argument_checks() -> None:
    """WASM-API-5: wrong argument count or type is an EmbeddingError, never a Python error."""
    store, inst = _instance(IDENTITY)
    addr = E.instance_export(inst, "f32").addr
    with pytest.raises(EmbeddingError):
        E.func_invoke(store, addr, [])
    with pytest.raises(EmbeddingError):
        E.func_invoke(store, addr, [Value.i32(1)])
    with pytest.raises(EmbeddingError):
        E.func_invoke(store, addr, [Value(F32, 1 << 40)])
    with pytest.raises(EmbeddingError):
        E.func_invoke(store, 10_000, [])
    with pytest.raises(EmbeddingError):
        E.instance_export(inst, "nope")
    with pytest.raises(EmbeddingError):
        E.module_decode("not bytes")  # type: ignore[arg-type]


def test_module_imports_and_exports() -> None:
    """WASM-API-1: module_imports / module_exports list names and external types in order."""
    wasm = wat("""(module (import "env" "f" (func (param i32) (result i64)))
      (import "env" "m" (memory 1 2)) (global (export "g") i32 (i32.const 1))
      (func (export "h")))""")
    module = E.module_decode(wasm)
    assert E.module_imports(module) == [
        ("env", "f", FuncType((I32,), (I64,))), ("env", "m", MemType(Limits(1, 2)))]
    assert E.module_exports(module) == [("g", GlobalType(False, I32)), ("h", FuncType((), ()))]


def test_host_function_sees_caller_and_memory() -> None:
    """WASM-HOST-1..3: a host function reads the caller's memory and returns results."""
    seen: list[bytes] = []

    def host(caller: E.Caller, ptr: int, n: int) -> list[int]:
        seen.append(caller.read(ptr, n))
        caller.write(100, b"ok")
        return [n * 2]

    store = E.store_init()
    f = E.func_alloc(store, FuncType((I32, I32), (I32,)), host)
    inst = E.module_instantiate(store, E.module_decode(wat("""(module
      (import "env" "h" (func $h (param i32 i32) (result i32)))
      (memory (export "m") 1) (data (i32.const 0) "hello")
      (func (export "go") (result i32) i32.const 0 i32.const 5 call $h))""")),
      [ExternVal("func", f)])
    assert _call(store, inst, "go") == [Value.i32(10)]
    assert seen == [b"hello"]
    assert E.mem_read(store, E.instance_export(inst, "m").addr, 100, 2) == b"ok"


@pytest.mark.parametrize("behaviour", ["raise", "wrong-count", "wrong-type", "oob-read"])
def test_host_failures_are_traps(behaviour: str) -> None:
    """WASM-HOST-1, WASM-HOST-3: host exceptions and bad results become traps."""

    def host(caller: E.Caller) -> object:
        if behaviour == "raise":
            raise KeyError("boom")
        if behaviour == "wrong-count":
            return [1, 2]
        if behaviour == "wrong-type":
            return [-1]
        caller.read(65530, 100)
        return [0]

    store = E.store_init()
    f = E.func_alloc(store, FuncType((), (I32,)), host)
    inst = E.module_instantiate(store, E.module_decode(wat("""(module
      (import "env" "h" (func $h (result i32))) (memory 1)
      (func (export "go") (result i32) call $h))""")), [ExternVal("func", f)])
    with pytest.raises(Trap) as e:
        _call(store, inst, "go")
    expected = TrapKind.MEMORY_OUT_OF_BOUNDS if behaviour == "oob-read" else TrapKind.HOST_ERROR
    assert e.value.trap_kind is expected


def test_host_reentry() -> None:
    """WASM-HOST-4: a host function can call back into WebAssembly."""
    store = E.store_init()
    inner: dict[str, int] = {}

    def host(caller: E.Caller, x: int) -> list[object]:
        return caller.invoke(inner["double"], [x])

    f = E.func_alloc(store, FuncType((I32,), (I32,)), host)
    inst = E.module_instantiate(store, E.module_decode(wat("""(module
      (import "env" "h" (func $h (param i32) (result i32)))
      (func (export "double") (param i32) (result i32) local.get 0 local.get 0 i32.add)
      (func (export "go") (param i32) (result i32) local.get 0 call $h))""")),
      [ExternVal("func", f)])
    inner["double"] = E.instance_export(inst, "double").addr
    assert _call(store, inst, "go", Value.i32(21)) == [Value.i32(42)]


def test_memory_bounds_use_unwrapped_addresses() -> None:
    """WASM-MEM-1: ea = i + offset never wraps; the last in-bounds byte works, one past traps."""
    store, inst = _instance(wat("""(module (memory 1)
      (func (export "ld") (param i32) (result i32) local.get 0 i32.load offset=4294967295)
      (func (export "ld8") (param i32) (result i32) local.get 0 i32.load8_u))"""))
    with pytest.raises(Trap) as e:
        _call(store, inst, "ld", Value.i32(1))
    assert e.value.trap_kind is TrapKind.MEMORY_OUT_OF_BOUNDS
    assert _call(store, inst, "ld8", Value.i32(65535)) == [Value.i32(0)]
    with pytest.raises(Trap):
        _call(store, inst, "ld8", Value.i32(65536))


def test_link_errors() -> None:
    """WASM-ERR-4: missing imports and non-matching types are LinkErrors."""
    store = E.store_init()
    module = E.module_decode(wat('(module (import "env" "m" (memory 2)))'))
    with pytest.raises(LinkError):
        E.module_instantiate(store, module, [])
    small = E.mem_alloc(store, MemType(Limits(1)))
    with pytest.raises(LinkError):
        E.module_instantiate(store, module, [ExternVal("memory", small)])
    assert E.mem_grow(store, small, 1)  # growing makes it match (current size counts)
    E.module_instantiate(store, module, [ExternVal("memory", small)])
    with pytest.raises(LinkError):
        E.module_instantiate(store, module, [ExternVal("func", 0)])


def test_partial_segment_writes_remain() -> None:
    """WASM-LINK-1: a data segment that does not fit traps; the ones before it stay written."""
    store = E.store_init()
    mem = E.mem_alloc(store, MemType(Limits(1)))
    module = E.module_decode(wat("""(module (import "env" "m" (memory 1))
      (data (i32.const 0) "ab") (data (i32.const 65535) "cd"))"""))
    with pytest.raises(Trap) as e:
        E.module_instantiate(store, module, [ExternVal("memory", mem)])
    assert e.value.trap_kind is TrapKind.MEMORY_OUT_OF_BOUNDS
    assert E.mem_read(store, mem, 0, 2) == b"ab"


def test_tables_globals_memories_api() -> None:
    """WASM-API-1: the table_*, mem_* and global_* functions of A.1."""
    store = E.store_init()
    t = E.table_alloc(store, TableType(Limits(2, 3), ValType.EXTERNREF), Value.externref("x"))
    assert E.table_size(store, t) == 2
    assert E.table_read(store, t, 1) == Value.externref("x")
    E.table_write(store, t, 0, Value.externref(None))
    assert E.table_read(store, t, 0) == Value.externref(None)
    assert E.table_grow(store, t, 1) and not E.table_grow(store, t, 1)
    with pytest.raises(Trap):
        E.table_read(store, t, 3)
    with pytest.raises(EmbeddingError):
        E.table_write(store, t, 0, Value.i32(1))
    g = E.global_alloc(store, GlobalType(True, I64), Value.i64(-1))
    assert E.global_read(store, g).as_signed() == -1
    E.global_write(store, g, Value.i64(5))
    assert E.global_read(store, g) == Value.i64(5)
    c = E.global_alloc(store, GlobalType(False, I32), Value.i32(1))
    with pytest.raises(EmbeddingError):
        E.global_write(store, c, Value.i32(2))
    m = E.mem_alloc(store, MemType(Limits(0, 1)))
    assert E.mem_size(store, m) == 0
    assert E.mem_grow(store, m, 1) and not E.mem_grow(store, m, 1)
    E.mem_write(store, m, 65532, struct.pack("<I", 7))
    assert E.mem_read(store, m, 65532, 4) == struct.pack("<I", 7)
    with pytest.raises(Trap):
        E.mem_write(store, m, 65535, b"ab")


def test_errors_are_wasm_errors() -> None:
    """WASM-ERR-1: every error class is a WasmError with a kind."""
    for cls in (EmbeddingError, LinkError):
        err = cls("x")
        assert isinstance(err, WasmError) and err.kind
    assert Trap(TrapKind.UNREACHABLE).kind == "unreachable"


def test_caller_instance_and_memory() -> None:
    """WASM-HOST-2: Caller.instance is the calling instance (None when the embedder invokes
    the host function directly) and Caller.memory its memory 0."""
    seen: list[tuple[object, object]] = []

    def host(caller: E.Caller) -> list[int]:
        seen.append((caller.instance, caller.memory))
        return []

    store = E.store_init()
    f = E.func_alloc(store, FuncType((), ()), host)
    inst = E.module_instantiate(store, E.module_decode(wat(
        '(module (import "env" "h" (func $h)) (memory 1) (func (export "go") call $h))')),
        [ExternVal("func", f)])
    _call(store, inst, "go")
    E.func_invoke(store, f, [])
    assert seen[0] == (inst, store.mems[inst.memaddrs[0]])
    assert seen[1] == (None, None)


def test_validation_is_memoised_per_module_object() -> None:
    """WASM-API-3: a Module is validated once; an invalid one is rejected every time."""
    from supervm_ref.wasm.errors import ValidationError

    store = E.store_init()
    good = E.module_decode(IDENTITY)
    E.module_validate(good)
    a = E.module_instantiate(store, good, [])
    b = E.module_instantiate(store, good, [])
    assert a is not b and a.memaddrs != b.memaddrs
    bad = E.module_decode(wat("(module (func (result i32) i64.const 1))"))
    for _ in range(2):
        with pytest.raises(ValidationError):
            E.module_instantiate(store, bad, [])


def test_funcrefs_must_name_functions_of_the_store() -> None:
    """WASM-API-5, WASM-HOST-1: a funcref payload that is no function address of the store is
    rejected where it enters: arguments, tables, globals, host results."""
    store = E.store_init()
    inst = E.module_instantiate(store, E.module_decode(wat("""(module
      (type $t (func)) (table (export "t") 2 funcref)
      (func (export "set") (param funcref) i32.const 0 local.get 0 table.set 0)
      (func (export "ci") i32.const 0 call_indirect (type $t)))""")), [])
    with pytest.raises(EmbeddingError):
        _call(store, inst, "set", Value.funcref(999))
    with pytest.raises(EmbeddingError):
        E.table_write(store, E.instance_export(inst, "t").addr, 0, Value.funcref(12345))
    with pytest.raises(EmbeddingError):
        E.global_alloc(store, GlobalType(True, ValType.FUNCREF), Value.funcref(777))
    f = E.func_alloc(store, FuncType((), (ValType.FUNCREF,)), lambda caller: [777])
    with pytest.raises(Trap) as e:
        E.func_invoke(store, f, [])
    assert e.value.trap_kind is TrapKind.HOST_ERROR


def test_wide_buffers_are_written_as_bytes() -> None:
    """WASM-MEM-1, WASM-HOST-3: writing a buffer whose items are wider than a byte writes its
    bytes and never changes the memory's size."""
    from array import array

    store = E.store_init()
    m = E.mem_alloc(store, MemType(Limits(1)))
    E.mem_write(store, m, 0, memoryview(array("Q", [1, 2])))  # type: ignore[arg-type]
    assert E.mem_size(store, m) == 1 and len(store.mems[m].data) == 65536
    assert E.mem_read(store, m, 0, 16) == array("Q", [1, 2]).tobytes()

    def host(caller: E.Caller) -> list[int]:
        caller.write(0, memoryview(array("Q", [7])))  # type: ignore[arg-type]
        return []

    f = E.func_alloc(store, FuncType((), ()), host)
    inst = E.module_instantiate(store, E.module_decode(wat(
        '(module (import "env" "h" (func $h)) (memory 1) (func (export "go") call $h))')),
        [ExternVal("func", f)])
    _call(store, inst, "go")
    assert len(store.mems[inst.memaddrs[0]].data) == 65536


def test_host_iterator_failure_is_a_trap() -> None:
    """WASM-HOST-1: an exception while reading a host function's results is Trap(host
    error), with gas accounted."""

    def broken() -> object:
        yield 1
        raise ValueError("host iterator failed")

    store = E.store_init()
    f = E.func_alloc(store, FuncType((), (ValType.I32,)), lambda caller: broken())
    with pytest.raises(Trap) as e:
        E.func_invoke(store, f, [])
    assert e.value.trap_kind is TrapKind.HOST_ERROR and e.value.gas_used is not None


@pytest.mark.parametrize("call", [
    lambda s, t: E.table_grow(s, t, -1),
    lambda s, t: E.table_grow(s, t, "2"),
    lambda s, t: E.mem_write(s, 0, 0, "abc"),
    lambda s, t: E.func_invoke(s, 0, None),
    lambda s, t: E.func_invoke(None, 0, []),
    lambda s, t: E.table_alloc(s, "x"),
    lambda s, t: E.mem_alloc(s, MemType(Limits(2, 1))),
    lambda s, t: E.global_alloc(s, "g", Value.i32(1)),
    lambda s, t: E.module_instantiate(s, E.module_decode(wat("(module)")), [], gas_limit=-5),
    lambda s, t: E.module_decode(wat("(module)"), {"max_module_bytes": 10}),
])
def test_bad_embedder_arguments_are_embedding_errors(call: object) -> None:
    """WASM-API-5, WASM-ERR-1: malformed arguments to the API are EmbeddingErrors."""
    store = E.store_init()
    E.mem_alloc(store, MemType(Limits(1)))
    E.func_alloc(store, FuncType((), ()), lambda caller: [])
    table = E.table_alloc(store, TableType(Limits(1), ValType.FUNCREF))
    with pytest.raises(EmbeddingError):
        call(store, table)  # type: ignore[operator]
