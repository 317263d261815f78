"""`Runtime` (spec/runtime.md RT-CALL-*, RT-ERR-*, RT-GAS-*, RT-ATOMIC-*, RT-CTX-1)."""

from __future__ import annotations

import pytest

from supervm_ref.errors import InvalidArgumentError
from supervm_ref.runtime.context import BlockContext
from supervm_ref.runtime.errors import ErrorKind, ExecutionError
from supervm_ref.runtime.runtime import DEFAULT_GAS_LIMIT, Runtime
from supervm_ref.runtime.storage import MemoryStorage
from supervm_ref.wasm.runtime.values import Value
from supervm_ref.wasm.structure.types import ValType

from ..support import wat

IMPORTS = """
  (import "storage_api" "storage_set" (func $set (param i32 i32 i32 i32) (result i32)))
  (import "storage_api" "storage_get" (func $get (param i32 i32) (result i64)))
  (import "chain_api" "emit_event" (func $emit (param i32 i32) (result i32)))
  (import "chain_api" "block_number" (func $bn (result i64)))
  (import "chain_api" "timestamp" (func $ts (result i64)))
"""

CONTRACT = wat(f"""(module {IMPORTS}
  (memory (export "memory") 1)
  (data (i32.const 0) "k1k2vvUserActionBlockProcessed")
  (func (export "write_then_trap") (param i32)
    i32.const 0 i32.const 2 i32.const 4 i32.const 2 call $set drop
    i32.const 6 i32.const 10 call $emit drop
    local.get 0 if unreachable end)
  (func (export "context") (result i64)
    i32.const 6 i32.const 10 call $emit drop
    i32.const 16 i32.const 14 call $emit drop
    call $bn call $ts i64.add)
  (func (export "read_own_write") (result i64)
    i32.const 2 i32.const 2 i32.const 4 i32.const 2 call $set drop
    i32.const 2 i32.const 2 call $get)
  (func (export "spin") (loop br 0))
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "f32id") (param f32) (result f32) local.get 0))""")


def _rt(items: dict[bytes, bytes] | None = None) -> tuple[Runtime, MemoryStorage]:
    storage = MemoryStorage(items)
    return Runtime(storage), storage


def test_seed_execute_add() -> None:
    """RT-CALL-4: execute_add is the seed's add(7,8) => 15."""
    rt, _ = _rt()
    assert rt.execute_add(CONTRACT, 7, 8) == 15
    assert rt.execute_add(CONTRACT, -1, -1) == -2


def test_seed_execute_with_context() -> None:
    """RT-CALL-4, RT-CTX-1, HOST-CHAIN-1/2/3: the seed's demo 2 figures."""
    rt, _ = _rt()
    result, events, bn, ts = rt.execute_with_context(CONTRACT, "context", 12345, 1704067200)
    assert result == 1704079545
    assert events == [b"UserAction", b"BlockProcessed"]
    assert (bn, ts) == (12345, 1704067200)


def test_success_commits_writes_and_events() -> None:
    """RT-CALL-3, RT-ATOMIC-1: a successful call commits its writes and returns its events."""
    rt, storage = _rt()
    r = rt.call(CONTRACT, "write_then_trap", [Value.i32(0)])
    assert r.ok and r.error is None
    assert r.writes == {b"k1": b"vv"} and r.events == (b"UserAction",)
    assert storage.items() == [(b"k1", b"vv")]
    assert 0 < r.gas_used < DEFAULT_GAS_LIMIT


def test_trap_leaves_no_writes_no_events_and_uses_all_gas() -> None:
    """RT-ATOMIC-1, RT-ERR-3: after a trap the storage is unchanged, no events survive, and
    the whole gas limit is used."""
    rt, storage = _rt({b"k1": b"old"})
    r = rt.call(CONTRACT, "write_then_trap", [Value.i32(1)], gas_limit=50_000)
    assert r.error is ErrorKind.UNREACHABLE
    assert (r.events, r.writes, r.results, r.gas_used) == ((), {}, (), 50_000)
    assert storage.items() == [(b"k1", b"old")]


def test_reads_see_own_writes() -> None:
    """RT-ATOMIC-2: a read after a write in the same call sees it."""
    rt, _ = _rt()
    assert rt.call(CONTRACT, "read_own_write").results == (Value.i64(2),)


def test_out_of_gas_and_default_limit() -> None:
    """RT-GAS-1, RT-ERR-3: an infinite loop runs out of the default limit."""
    rt, _ = _rt()
    r = rt.call(CONTRACT, "spin", gas_limit=1000)
    assert (r.error, r.gas_used) == (ErrorKind.OUT_OF_GAS, 1000)


def test_success_gas_is_the_engines() -> None:
    """RT-GAS-2: gas of a successful call = engine gas (entry 1 + 3 instructions) and is
    independent of the limit as long as it fits."""
    rt, _ = _rt()
    args = [Value.i32(1), Value.i32(2)]
    assert rt.call(CONTRACT, "add", args).gas_used == 4
    assert rt.call(CONTRACT, "add", args, gas_limit=5).gas_used == 4


@pytest.mark.parametrize("wasm, function, args, kind", [
    (b"\0asm\x02\0\0\0", "f", [], ErrorKind.MALFORMED_MODULE),
    (wat("(module (func (result i32)))"), "f", [], ErrorKind.INVALID_MODULE),
    (wat('(module (import "env" "f" (func)))'), "f", [], ErrorKind.UNLINKABLE),
    (wat('(module (import "chain_api" "timestamp" (func (result i32))))'), "f", [],
     ErrorKind.UNLINKABLE),
    (wat('(module (import "storage_api" "storage_get" (memory 1)))'), "f", [],
     ErrorKind.UNLINKABLE),
    (wat("(module (func $s) (start $s))"), "f", [], ErrorKind.START_FUNCTION_NOT_ALLOWED),
    (CONTRACT, "nope", [], ErrorKind.NO_SUCH_FUNCTION),
    (CONTRACT, "memory", [], ErrorKind.NO_SUCH_FUNCTION),
    (CONTRACT, "add", [Value.i32(1)], ErrorKind.BAD_ARGUMENTS),
    (CONTRACT, "add", [Value.i32(1), Value.i64(2)], ErrorKind.BAD_ARGUMENTS),
])
def test_pre_execution_errors_use_no_gas(wasm: bytes, function: str, args: list[Value],
                                         kind: ErrorKind) -> None:
    """RT-CALL-1 steps 1-3, RT-ERR-1, RT-ERR-2: each pre-execution failure has its kind and
    uses no gas; the storage is untouched."""
    rt, storage = _rt({b"x": b"y"})
    r = rt.call(wasm, function, args, gas_limit=1000)
    assert (r.error, r.gas_used) == (kind, 0)
    assert kind.before_execution
    assert storage.items() == [(b"x", b"y")]


def test_bad_gas_limit() -> None:
    """RT-CALL-1 step 3: a negative gas limit is BAD_ARGUMENTS."""
    rt, _ = _rt()
    assert rt.call(CONTRACT, "add", [Value.i32(1), Value.i32(2)], gas_limit=-1).error \
        is ErrorKind.BAD_ARGUMENTS


def test_float_results_are_bit_exact() -> None:
    """RT-CALL-3: results are bit-exact Values (a NaN payload survives)."""
    rt, _ = _rt()
    v = Value.f32_bits(0x7FA00001)
    assert rt.call(CONTRACT, "f32id", [v]).results == (v,)


def test_host_memory_is_the_export_named_memory() -> None:
    """RT-CALL-2: without an exported "memory", a host call with a non-empty range traps;
    an empty range at 0 is fine."""
    src = f"""(module {IMPORTS} (memory 1)
      (func (export "empty") (result i32) i32.const 0 i32.const 0 call $emit)
      (func (export "one") (result i32) i32.const 0 i32.const 1 call $emit))"""
    rt, _ = _rt()
    assert rt.call(wat(src), "empty").results == (Value.i32(0),)
    assert rt.call(wat(src), "one").error is ErrorKind.MEMORY_OUT_OF_BOUNDS


@pytest.mark.slow
def test_convenience_methods_raise_typed_errors() -> None:
    """RT-CALL-4: execute_* raise ExecutionError carrying the kind."""
    rt, _ = _rt()
    with pytest.raises(ExecutionError) as e:
        rt.execute_with_context(CONTRACT, "spin", 1, 2)
    assert e.value.error is ErrorKind.OUT_OF_GAS
    with pytest.raises(ExecutionError) as e:
        rt.execute_add(wat("(module)"), 1, 2)
    assert e.value.error is ErrorKind.NO_SUCH_FUNCTION


def test_calls_share_only_storage() -> None:
    """RT-CALL-1 step 4: each call gets a fresh instance (memory written by one call is not
    seen by the next), and the module cache does not change results."""
    src = """(module (memory (export "memory") 1) (global $g (mut i32) (i32.const 0))
      (func (export "bump") (result i32)
        global.get $g i32.const 1 i32.add global.set $g
        i32.const 0 i32.const 0 i32.load i32.const 1 i32.add i32.store
        global.get $g i32.const 0 i32.load i32.add))"""
    rt, _ = _rt()
    first = rt.call(wat(src), "bump")
    second = rt.call(wat(src), "bump")
    assert first.results == second.results == (Value.i32(2),)
    assert first.gas_used == second.gas_used


def test_block_context_is_validated() -> None:
    """RT-CTX-1, RT-API-3: block number and timestamp are i64."""
    for bad in (2**63, -(2**63) - 1, "1", 1.0, None, True):
        with pytest.raises(InvalidArgumentError):
            BlockContext(bad, 0)  # type: ignore[arg-type]
    assert BlockContext(-1, 2**63 - 1).timestamp == 2**63 - 1


def test_prepared_contracts_are_cached_by_code() -> None:
    """RT-CALL-4: a contract is loaded and linked once per code hash."""
    rt, _ = _rt()
    assert rt.prepare(CONTRACT) is rt.prepare(bytes(CONTRACT))
    assert rt.prepare(CONTRACT).exports["add"].params == (ValType.I32, ValType.I32)


def _backends() -> list[type[Runtime]]:
    from supervm_ref.backends.wasmtime import WasmtimeRuntime

    return [Runtime, WasmtimeRuntime]


@pytest.mark.parametrize("backend", _backends())
@pytest.mark.parametrize("function, args", [
    ("add", [Value(ValType.I32, 2**40), Value.i32(1)]),
    ("add", [Value(ValType.I32, -1), Value.i32(1)]),
    ("f32id", [Value(ValType.F32, 1.5)]),  # type: ignore[arg-type]
    ("add", None),
])
def test_malformed_payloads_are_bad_arguments(backend: type[Runtime], function: str,
                                              args: list[Value] | None) -> None:
    """RT-CALL-1 step 3: a Value of the right type but with a malformed payload (or no argument
    list) is BAD_ARGUMENTS with no gas, identically on both backends (RT-BACKEND-1)."""
    r = backend(MemoryStorage()).call(CONTRACT, function, args)  # type: ignore[arg-type]
    assert (r.error, r.gas_used) == (ErrorKind.BAD_ARGUMENTS, 0)


class FailingStorage(MemoryStorage):
    """A storage whose atomic batch write fails when it contains one key, as a full disk
    would."""

    def apply_batch(self, writes: dict[bytes, bytes | None]) -> None:
        if b"k2" in writes:
            raise OSError("disk full")
        super().apply_batch(writes)


@pytest.mark.parametrize("backend", _backends())
def test_commit_failure_undoes_partial_writes(backend: type[Runtime]) -> None:
    """RT-ATOMIC-3: the commit goes through the storage's atomic apply_batch; when that fails
    the call is HOST_ERROR with the whole limit and the storage is as before."""
    src = f"""(module {IMPORTS} (memory (export "memory") 1) (data (i32.const 0) "k1k2vv")
      (func (export "two")
        i32.const 0 i32.const 2 i32.const 4 i32.const 2 call $set drop
        i32.const 2 i32.const 2 i32.const 4 i32.const 2 call $set drop))"""
    storage = FailingStorage({b"k1": b"old"})
    r = backend(storage).call(wat(src), "two", gas_limit=10_000)
    assert (r.error, r.gas_used, r.writes) == (ErrorKind.HOST_ERROR, 10_000, {})
    assert storage.items() == [(b"k1", b"old")]
