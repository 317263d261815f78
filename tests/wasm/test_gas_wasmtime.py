"""Differential test of the gas schedule (rules WASM-GAS-*) against wasmtime's fuel metering.

wasmtime (pinned in the ``test`` extra) with ``Config.consume_fuel`` is the oracle: the same
binary runs in both engines with the same limit, and the verdict (results, or the kind of trap)
and the gas used must agree. wasmtime reports ``limit - store.get_fuel()``; `get_fuel` saturates
at 0, so an invocation that passes its limit between two checkpoints reports the limit, exactly
as WASM-GAS-3 prescribes.

What is compared:

- results, always (bit-exact: floats are returned reinterpreted as integers);
- the verdict: success, out of gas, or the kind of trap;
- the gas used after success, out of gas, ``unreachable``, a failing ``call_indirect`` and a
  host-function trap. After other traps (division by zero, out-of-bounds memory) wasmtime's
  figure is stale by design (it only writes its counter back at calls, returns and
  ``unreachable``), so only the verdict is compared there.

Host functions charge gas the same way in both engines: ours with ``Caller.charge_gas(n)``;
the wasmtime mimic reads the store's fuel, raises when ``n`` does not fit (after setting the
fuel to 0, so the gas used is the limit) and otherwise sets ``fuel - n``.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import hypothesis.strategies as st
import pytest
import wasmtime
from hypothesis import HealthCheck, given, settings

from supervm_ref.wasm import embedding as E
from supervm_ref.wasm.errors import Trap, TrapKind
from supervm_ref.wasm.runtime.store import ExternVal
from supervm_ref.wasm.runtime.values import MASK32, Value
from supervm_ref.wasm.structure.types import FuncType, ValType

#: A limit large enough never to be reached by the corpus ("unlimited-ish").
BIG = 10**12

# --- the corpus -------------------------------------------------------------------------------

COMPUTE_WAT = r"""
(module
  (type $i2i (func (param i32) (result i32)))
  (type $pairt (func (param i32) (result i32 i64)))
  (table 6 funcref)
  (elem (i32.const 0) $dbl $sq $inc)
  (elem (i32.const 4) $pair)
  (global $counter (mut i32) (i32.const 0))
  (global $big (mut i64) (i64.const 7))

  (func $dbl (type $i2i) local.get 0 i32.const 2 i32.mul)
  (func $sq (type $i2i) local.get 0 local.get 0 i32.mul)
  (func $inc (type $i2i) local.get 0 i32.const 1 i32.add)
  (func $pair (type $pairt)
    local.get 0 local.get 0 i64.extend_i32_s i64.const 3 i64.mul)

  ;; loop with br_if back edge
  (func (export "sum_to") (param $n i32) (result i32) (local $acc i32)
    block $done
      local.get $n i32.eqz br_if $done
      loop $l
        local.get $acc local.get $n i32.add local.set $acc
        local.get $n i32.const 1 i32.sub local.tee $n
        br_if $l
      end
    end
    local.get $acc)

  ;; a state machine: br_table dispatch, back edges by br and by br_table
  (func (export "table_loop") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    block $exit
      loop $top
        local.get $i local.get $n i32.ge_u br_if $exit
        block $c2
          block $c1
            block $c0
              local.get $i i32.const 3 i32.rem_u
              br_table $c0 $c1 $c2
            end
            local.get $acc i32.const 1 i32.add local.set $acc
            local.get $i i32.const 1 i32.add local.set $i
            br $top
          end
          local.get $acc i32.const 10 i32.add local.set $acc
          local.get $i i32.const 1 i32.add local.set $i
          br $top
        end
        local.get $acc i32.const 100 i32.add local.set $acc
        local.get $i i32.const 1 i32.add local.set $i
        i32.const 0
        br_table $top $exit
      end
    end
    local.get $acc)

  ;; nested loops
  (func (export "nested") (param $n i32) (param $m i32) (result i32)
    (local $i i32) (local $j i32) (local $acc i32)
    block $ob
      loop $outer
        local.get $i local.get $n i32.ge_u br_if $ob
        i32.const 0 local.set $j
        block $ib
          loop $inner
            local.get $j local.get $m i32.ge_u br_if $ib
            local.get $acc local.get $i local.get $j i32.mul i32.add local.set $acc
            local.get $j i32.const 1 i32.add local.set $j
            br $inner
          end
        end
        local.get $i i32.const 1 i32.add local.set $i
        br $outer
      end
    end
    local.get $acc)

  ;; nested blocks with values, br_table carrying a value, if/else both ways, select, globals
  (func (export "branchy") (param $x i32) (result i32) (local $v i32)
    block $a (result i32)
      block $b (result i32)
        block $c (result i32)
          local.get $x
          local.get $x i32.const 3 i32.and
          br_table $a $b $c $a
        end
        i32.const 100 i32.add
        br $a
      end
      i32.const 1000 i32.mul
    end
    local.set $v
    local.get $x i32.const 1 i32.and
    if (result i32)
      local.get $v i32.const 7 i32.add
    else
      local.get $v i32.const 3 i32.sub
    end
    local.set $v
    local.get $x i32.const 5 i32.gt_s
    if
      nop
    else
      global.get $counter i32.const 1 i32.add global.set $counter
    end
    local.get $v
    local.get $x i32.extend8_s
    local.get $x i32.const 4 i32.lt_u
    select
    global.get $counter
    i32.const 0
    local.get $x i32.const 2 i32.rem_u
    select (result i32)
    i32.add)

  ;; a loop updating globals
  (func (export "globals") (param $n i32) (result i64)
    block $d
      loop $l
        local.get $n i32.eqz br_if $d
        global.get $counter i32.const 3 i32.add global.set $counter
        global.get $big global.get $counter i64.extend_i32_u i64.mul global.set $big
        local.get $n i32.const 1 i32.sub local.set $n
        br $l
      end
    end
    global.get $big)

  ;; recursion
  (func $fib (export "fib") (param $n i32) (result i32)
    local.get $n i32.const 2 i32.lt_u
    if (result i32)
      local.get $n
    else
      local.get $n i32.const 1 i32.sub call $fib
      local.get $n i32.const 2 i32.sub call $fib
      i32.add
    end)
  (func $fact (export "fact") (param $n i64) (result i64)
    local.get $n i64.const 1 i64.le_s
    if (result i64) i64.const 1
    else local.get $n local.get $n i64.const 1 i64.sub call $fact i64.mul
    end)
  (func $even (export "even") (param $n i32) (result i32)
    local.get $n i32.eqz
    if (result i32) i32.const 1 else local.get $n i32.const 1 i32.sub call $odd end)
  (func $odd (param $n i32) (result i32)
    local.get $n i32.eqz
    if (result i32) i32.const 0 else local.get $n i32.const 1 i32.sub call $even end)

  ;; call_indirect: 0..2 ok, 3 null, 4 wrong type, 5 null, >= 6 outside the table
  (func (export "dispatch") (param $i i32) (param $x i32) (result i32)
    local.get $x i32.const 1 i32.add
    local.get $i
    call_indirect (type $i2i)
    i32.const 1 i32.add)

  ;; multi-value: a multi-result call, a block with parameters, a swap
  (func (export "multi") (param $x i32) (result i64 i32) (local $a i32) (local $b i64)
    local.get $x call $pair
    local.set $b local.set $a
    local.get $a i32.const 1
    block (param i32 i32) (result i32)
      i32.add
    end
    local.set $a
    local.get $b local.get $a)

  ;; floats (no NaN can arise), returned as bit patterns
  (func (export "newton") (param $x i32) (param $iters i32) (result i64)
    (local $g f64) (local $v f64)
    local.get $x f64.convert_i32_u local.set $v
    local.get $v f64.const 0.5 f64.mul f64.const 1 f64.add local.set $g
    loop $l
      local.get $g local.get $v local.get $g f64.div f64.add f64.const 0.5 f64.mul local.set $g
      local.get $iters i32.const 1 i32.sub local.tee $iters
      i32.const 0 i32.gt_s br_if $l
    end
    local.get $g i64.reinterpret_f64)
  (func (export "f32ops") (param $x i32) (result i32)
    local.get $x f32.convert_i32_s f32.abs f32.sqrt f32.const 1.5 f32.mul f32.nearest
    i32.trunc_sat_f32_s
    local.get $x f32.convert_i32_s f32.const 0.25 f32.mul i32.reinterpret_f32
    i32.xor)

  ;; return from inside a loop and from a nested block, dropping values
  (func $find (export "early_return") (param $n i32) (result i32) (local $i i32)
    loop $l
      local.get $i local.get $n i32.ge_u
      if
        i32.const 7 i32.const 8
        block (result i32)
          local.get $i i32.const 100 i32.add
          return
        end
        drop drop drop
      end
      local.get $i i32.const 1 i32.add local.set $i
      br $l
    end
    i32.const -1)

  ;; traps: precise (unreachable after work) and stale-in-wasmtime (division)
  (func (export "work_then_unreachable") (param $n i32) (result i32)
    block $d
      loop $l
        local.get $n i32.eqz br_if $d
        local.get $n i32.const 1 i32.sub local.set $n
        br $l
      end
    end
    unreachable)
  (func (export "div") (param $a i32) (param $b i32) (result i32)
    local.get $a local.get $b i32.div_s
    local.get $a local.get $b i32.rem_u
    i32.add)
)
"""

MEMORY_WAT = r"""
(module
  (memory 1 3)
  (data (i32.const 8) "\01\02\03\04\05\06\07\08")

  ;; store then reload n squares, summed as i64 through several access widths
  (func (export "mem_sum") (param $n i32) (result i64) (local $i i32) (local $acc i64)
    loop $w
      local.get $i i32.const 2 i32.shl
      local.get $i local.get $i i32.mul
      i32.store offset=16
      local.get $i i32.const 1 i32.add local.tee $i
      local.get $n i32.lt_u br_if $w
    end
    i32.const 0 local.set $i
    loop $r
      local.get $acc
      local.get $i i32.const 2 i32.shl i64.load32_u offset=16
      i64.add
      local.get $i i32.const 2 i32.shl i64.load16_s offset=16
      i64.add
      local.get $i i32.load8_u offset=8
      i64.extend_i32_u i64.add
      local.set $acc
      local.get $i i32.const 1 i32.add local.tee $i
      local.get $n i32.lt_u br_if $r
    end
    local.get $acc)

  ;; bulk memory and growth; a large $len traps out of bounds
  (func (export "mem_ops") (param $len i32) (result i32)
    i32.const 100 i32.const 171 local.get $len memory.fill
    i32.const 5000 i32.const 96 local.get $len memory.copy
    i32.const 1 memory.grow
    memory.size i32.const 16 i32.shl i32.add
    i32.const 5100 i32.load
    i32.add
    i32.const 5000 local.get $len i32.add i32.load8_u
    i32.add)

  (func (export "load_at") (param $addr i32) (result i64)
    local.get $addr i64.load offset=3)
)
"""

HOST_WAT = r"""
(module
  (import "env" "charge" (func $charge (param i32)))
  (import "env" "add3" (func $add3 (param i32 i32) (result i32)))
  (import "env" "fail" (func $fail))
  (export "charge" (func $charge))

  ;; a loop calling host functions that charge
  (func (export "host_loop") (param $n i32) (param $c i32) (result i32) (local $acc i32)
    block $done
      local.get $n i32.eqz br_if $done
      loop $l
        local.get $c call $charge
        local.get $acc local.get $n call $add3 local.set $acc
        local.get $n i32.const 1 i32.sub local.tee $n
        br_if $l
      end
    end
    local.get $acc)

  ;; no checkpoint after the charge: may finish with nothing left
  (func (export "charge_then_return") (param $c i32) (result i32)
    local.get $c call $charge
    i32.const 1 i32.const 2 i32.add)

  ;; a loop header right after the charge
  (func (export "charge_then_loop") (param $c i32) (result i32)
    local.get $c call $charge
    loop end
    i32.const 5)

  ;; a straight-line overrun before the charge (the charge may be 0)
  (func (export "overrun_then_charge") (param $c i32) (result i32)
    i32.const 1 i32.const 2 i32.add i32.const 3 i32.add i32.const 4 i32.add
    i32.const 5 i32.add i32.const 6 i32.add i32.const 7 i32.add i32.const 8 i32.add
    drop
    local.get $c call $charge
    i32.const 9)

  (func (export "maybe_fail") (param $x i32) (result i32)
    local.get $x i32.const 5 i32.gt_u
    if call $fail end
    local.get $x)
)
"""

START_WAT = r"""
(module
  (global $g (mut i32) (i32.const 0))
  (memory 1)
  (data (i32.const 0) "abc")
  (table 1 funcref)
  (elem (i32.const 0) $start)
  (func $start (local $i i32)
    i32.const 4 local.set $i
    loop $l
      global.get $g local.get $i i32.add global.set $g
      local.get $i i32.const 1 i32.sub local.tee $i
      br_if $l
    end)
  (start $start)
  (func (export "get") (result i32) global.get $g)
)
"""

CONST_ONLY_WAT = r"""
(module
  (global $a i32 (i32.const 1))
  (global $b (mut i64) (i64.const 2))
  (memory 1)
  (data (i32.const 0) "abc")
  (table 2 funcref)
  (elem (i32.const 0) $f $f)
  (func $f)
  (func (export "get") (result i32) global.get $a)
)
"""

MODULES = {"compute": COMPUTE_WAT, "memory": MEMORY_WAT, "host": HOST_WAT}

I = ValType.I32  # short names for the signatures below
L = ValType.I64


@dataclass(frozen=True)
class Case:
    """One exported function of the corpus: its argument strategy and a fixed example."""

    module: str
    export: str
    args: st.SearchStrategy[tuple[int, ...]]
    example: tuple[int, ...]


def _i(lo: int, hi: int) -> st.SearchStrategy[int]:
    return st.integers(lo, hi)


CASES = [
    Case("compute", "sum_to", st.tuples(_i(0, 60)), (10,)),
    Case("compute", "table_loop", st.tuples(_i(0, 40)), (7,)),
    Case("compute", "nested", st.tuples(_i(0, 8), _i(0, 8)), (3, 4)),
    Case("compute", "branchy", st.tuples(_i(-300, 300)), (6,)),
    Case("compute", "globals", st.tuples(_i(0, 30)), (5,)),
    Case("compute", "fib", st.tuples(_i(0, 10)), (7,)),
    Case("compute", "fact", st.tuples(_i(-2, 25)), (20,)),
    Case("compute", "even", st.tuples(_i(0, 60)), (11,)),
    Case("compute", "dispatch", st.tuples(_i(0, 8), _i(-1000, 1000)), (1, 12)),
    Case("compute", "multi", st.tuples(_i(-(2**31), 2**31 - 1)), (-5,)),
    Case("compute", "newton", st.tuples(_i(0, 10**6), _i(1, 12)), (1000, 6)),
    Case("compute", "f32ops", st.tuples(_i(-(2**31), 2**31 - 1)), (-12345,)),
    Case("compute", "early_return", st.tuples(_i(0, 30)), (5,)),
    Case("compute", "work_then_unreachable", st.tuples(_i(0, 30)), (4,)),
    Case("compute", "div", st.tuples(st.sampled_from([-(2**31), -7, 0, 1, 100]),
                                     st.sampled_from([-1, 0, 3, 7])), (100, 7)),
    Case("memory", "mem_sum", st.tuples(_i(1, 60)), (9,)),
    Case("memory", "mem_ops", st.tuples(st.one_of(_i(0, 300), _i(60_000, 70_000))), (64,)),
    Case("memory", "load_at", st.tuples(st.one_of(_i(0, 100), _i(65_520, 65_540))), (5,)),
    Case("host", "host_loop", st.tuples(_i(0, 12), _i(0, 20)), (4, 3)),
    Case("host", "charge_then_return", st.tuples(_i(0, 20)), (6,)),
    Case("host", "charge_then_loop", st.tuples(_i(0, 20)), (6,)),
    Case("host", "overrun_then_charge", st.tuples(_i(0, 5)), (0,)),
    Case("host", "maybe_fail", st.tuples(_i(0, 10)), (3,)),
    Case("host", "charge", st.tuples(_i(0, 20)), (4,)),
]

# --- outcomes ---------------------------------------------------------------------------------

OK = "ok"
OOG = TrapKind.OUT_OF_GAS.value
HOST = TrapKind.HOST_ERROR.value
#: wasmtime calls a call_indirect past the table's end "out of bounds table access".
TABLE = "undefined element / out of bounds table access"
#: Verdicts after which wasmtime's gas figure is exact (see the module docstring).
GAS_COMPARABLE = {OK, OOG, HOST, TrapKind.UNREACHABLE.value, TABLE,
                  TrapKind.UNINITIALIZED_ELEMENT.value,
                  TrapKind.INDIRECT_CALL_TYPE_MISMATCH.value}


@dataclass(frozen=True)
class Outcome:
    """What one invocation did: the verdict, the results (on success) and the gas used."""

    verdict: str
    results: tuple[int, ...] | None
    gas: int

    def comparable(self) -> tuple[str, tuple[int, ...] | None, int | None]:
        """The parts both engines must agree on."""
        return (self.verdict, self.results,
                self.gas if self.verdict in GAS_COMPARABLE else None)


def _norm_verdict(kind: str) -> str:
    if kind in (TrapKind.UNDEFINED_ELEMENT.value, TrapKind.TABLE_OUT_OF_BOUNDS.value):
        return TABLE
    return kind


class HostOutOfGas(Exception):
    """Raised by the wasmtime mimic of `Caller.charge_gas` when the charge does not fit."""


class HostFailure(Exception):
    """Raised by the ``fail`` host function in both engines."""


# wasmtime trap messages -> our TrapKind values (wasmtime-py 29 has no TrapCode for out of fuel).
_WASMTIME_TRAPS = [
    ("all fuel consumed", OOG),
    ("unreachable", TrapKind.UNREACHABLE.value),
    ("integer divide by zero", TrapKind.INTEGER_DIVIDE_BY_ZERO.value),
    ("integer overflow", TrapKind.INTEGER_OVERFLOW.value),
    ("out of bounds memory access", TrapKind.MEMORY_OUT_OF_BOUNDS.value),
    ("uninitialized element", TrapKind.UNINITIALIZED_ELEMENT.value),
    ("indirect call type mismatch", TrapKind.INDIRECT_CALL_TYPE_MISMATCH.value),
    ("undefined element", TABLE),
    ("out of bounds table access", TABLE),
    ("invalid conversion to integer", TrapKind.INVALID_CONVERSION.value),
    ("call stack exhausted", TrapKind.CALL_STACK_EXHAUSTED.value),
]


def _wasmtime_verdict(exc: BaseException) -> str:
    if isinstance(exc, HostOutOfGas):
        return OOG
    if isinstance(exc, HostFailure):
        return HOST
    message = exc.message if isinstance(exc, wasmtime.Trap) else str(exc)
    cause = message.split("Caused by:")[-1]
    for needle, kind in _WASMTIME_TRAPS:
        if needle in cause:
            return kind
    raise AssertionError(f"unclassified wasmtime failure: {message[:300]}")


def _int_result(v: Any) -> int:
    if isinstance(v, float):  # never expected: the corpus returns floats as bit patterns
        return struct.unpack("<Q", struct.pack("<d", v))[0]
    return int(v)


# --- wasmtime side ----------------------------------------------------------------------------

@cache
def _wt_engine() -> wasmtime.Engine:
    cfg = wasmtime.Config()
    cfg.consume_fuel = True
    # Deterministic floats (the corpus avoids NaNs anyway); only reachable through the FFI.
    from wasmtime import _ffi

    nan_canonicalization = getattr(_ffi, "wasmtime_config_cranelift_nan_canonicalization_set",
                                   None)
    if nan_canonicalization is not None:
        nan_canonicalization(cfg.ptr(), True)
    return wasmtime.Engine(cfg)


@cache
def _wat(key: str) -> bytes:
    return bytes(wasmtime.wat2wasm(MODULES.get(key) or key))


@cache
def _wt_module(key: str) -> wasmtime.Module:
    return wasmtime.Module(_wt_engine(), _wat(key))


def _wt_charge(store: wasmtime.Store, n: int) -> None:
    left = store.get_fuel()
    if n > left:
        store.set_fuel(0)
        raise HostOutOfGas(f"charge of {n} with {left} left")
    if n:
        store.set_fuel(left - n)


def _wt_imports(store: wasmtime.Store, key: str) -> list[wasmtime.Func]:
    if key != "host":
        return []
    i32 = wasmtime.ValType.i32()

    def charge(n: int) -> None:
        _wt_charge(store, n)

    def add3(a: int, b: int) -> int:
        _wt_charge(store, 3)
        s = (a + b) & MASK32
        return s - (1 << 32) if s >> 31 else s

    def fail() -> None:
        raise HostFailure("host failure")

    return [wasmtime.Func(store, wasmtime.FuncType([i32], []), charge),
            wasmtime.Func(store, wasmtime.FuncType([i32, i32], [i32]), add3),
            wasmtime.Func(store, wasmtime.FuncType([], []), fail)]


def run_wasmtime(key: str, export: str, args: Sequence[int], limit: int) -> Outcome:
    """Run ``export`` of a fresh instance of module ``key`` in wasmtime with ``limit`` fuel."""
    store = wasmtime.Store(_wt_engine())
    store.set_fuel(BIG)
    inst = wasmtime.Instance(store, _wt_module(key), _wt_imports(store, key))
    func = inst.exports(store)[export]
    assert isinstance(func, wasmtime.Func)
    store.set_fuel(limit)
    try:
        out = func(store, *args)
    except (wasmtime.Trap, wasmtime.WasmtimeError, HostOutOfGas, HostFailure) as e:
        return Outcome(_wasmtime_verdict(e), None, limit - store.get_fuel())
    values = [] if out is None else out if isinstance(out, list) else [out]
    return Outcome(OK, tuple(_int_result(v) for v in values), limit - store.get_fuel())


# --- supervm-ref side -------------------------------------------------------------------------

@cache
def _ref_module(key: str) -> Any:
    return E.module_decode(_wat(key))


def _ref_imports(store: Any, key: str) -> list[ExternVal]:
    if key != "host":
        return []

    def charge(caller: Any, n: int) -> list[int]:
        caller.charge_gas(n)
        return []

    def add3(caller: Any, a: int, b: int) -> list[int]:
        caller.charge_gas(3)
        return [(a + b) & MASK32]

    def fail(caller: Any) -> list[int]:
        raise HostFailure("host failure")

    funcs: list[tuple[FuncType, Callable[..., list[int]]]] = [
        (FuncType((I,), ()), charge), (FuncType((I, I), (I,)), add3), (FuncType((), ()), fail)]
    return [ExternVal("func", E.func_alloc(store, ft, fn)) for ft, fn in funcs]


def _ref_value(t: ValType, x: int) -> Value:
    return {I: Value.i32, L: Value.i64}[t](x)


def _ref_result(v: Value) -> int:
    if v.type in (I, L):
        return v.as_signed()
    assert isinstance(v.payload, int)
    return v.payload


def run_ref(key: str, export: str, args: Sequence[int], limit: int | None) -> Outcome:
    """Run ``export`` of a fresh instance of module ``key`` on supervm-ref."""
    store = E.store_init()
    inst = E.module_instantiate(store, _ref_module(key), _ref_imports(store, key))
    addr = E.instance_export(inst, export).addr
    params = E.func_type(store, addr).params
    vals = [_ref_value(t, x) for t, x in zip(params, args, strict=True)]
    try:
        results, gas = E.func_invoke_with_gas(store, addr, vals, limit)
    except Trap as t:
        assert t.gas_used is not None
        if limit is not None:
            assert 0 <= t.gas_used <= limit
        return Outcome(_norm_verdict(t.trap_kind.value), None, t.gas_used)
    if limit is not None:
        assert 0 <= gas <= limit
    return Outcome(OK, tuple(_ref_result(v) for v in results), gas)


# --- the comparison ---------------------------------------------------------------------------

def _limits_around(used: int, extra: Sequence[int] = ()) -> list[int]:
    """Unlimited-ish, exactly the gas used, one short, one more, zero, one, and ``extra``."""
    wanted = {BIG, used, used - 1, used + 1, 0, 1, *extra}
    return sorted(x for x in wanted if x >= 0)


def check_case(case: Case, args: tuple[int, ...], extra_limits: Sequence[int] = ()) -> None:
    """Run ``case`` with ``args`` in both engines for a set of limits; they must agree."""
    reference = run_wasmtime(case.module, case.export, args, BIG)
    assert reference.verdict != OOG, f"{case.export}{args} needs more than {BIG} fuel"
    ours_unlimited = run_ref(case.module, case.export, args, None)
    label = f"{case.module}.{case.export}{args}"
    assert ours_unlimited.comparable() == reference.comparable(), f"{label} without a limit"
    for limit in _limits_around(reference.gas, extra_limits):
        theirs = run_wasmtime(case.module, case.export, args, limit)
        ours = run_ref(case.module, case.export, args, limit)
        assert ours.comparable() == theirs.comparable(), f"{label} with gas limit {limit}"
        if theirs.verdict == OOG:
            assert ours.gas == limit


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.module}.{c.export}")
def test_examples_agree_for_every_small_limit(case: Case) -> None:
    """Each corpus function with its fixed example: every limit from 0 to 40, then around the
    gas used, so every checkpoint's ``>=`` comparison is exercised."""
    check_case(case, case.example, extra_limits=range(41))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_arguments_agree(data: st.DataObject) -> None:
    """Random corpus functions, arguments and an extra limit below the gas used."""
    case = data.draw(st.sampled_from(CASES), label="case")
    args = data.draw(case.args, label="args")
    fraction = data.draw(st.integers(0, 100), label="limit percent")
    used = run_wasmtime(case.module, case.export, args, BIG).gas
    check_case(case, args, extra_limits=[used * fraction // 100])


def test_results_without_gas_are_the_oracle_results() -> None:
    """`func_invoke` (no limit) returns what wasmtime returns, and the corpus really runs code:
    known values of the fixed examples."""
    expected = {("compute", "sum_to"): (55,), ("compute", "fib"): (13,),
                ("compute", "fact"): (2432902008176640000,), ("compute", "even"): (0,),
                ("compute", "dispatch"): (170,), ("compute", "table_loop"): (223,)}
    for (key, export), values in expected.items():
        case = next(c for c in CASES if (c.module, c.export) == (key, export))
        assert run_wasmtime(key, export, case.example, BIG).results == values
        store = E.store_init()
        inst = E.module_instantiate(store, _ref_module(key), [])
        addr = E.instance_export(inst, export).addr
        params = E.func_type(store, addr).params
        got = E.func_invoke(store, addr, [_ref_value(t, x) for t, x in zip(params, case.example)])
        assert tuple(_ref_result(v) for v in got) == values


# --- instantiation ----------------------------------------------------------------------------

def _wt_instantiate(key: str, limit: int) -> str:
    store = wasmtime.Store(_wt_engine())
    store.set_fuel(limit)
    try:
        wasmtime.Instance(store, _wt_module(key), [])
    except wasmtime.Trap as e:
        return _wasmtime_verdict(e)
    return OK


def _ref_instantiate(key: str, limit: int) -> tuple[str, int | None]:
    store = E.store_init()
    try:
        E.module_instantiate(store, _ref_module(key), [], gas_limit=limit)
    except Trap as t:
        return t.trap_kind.value, t.gas_used
    return OK, None


def test_start_function_is_charged_like_an_invocation() -> None:
    """The start function runs under the instantiation's limit, with the same checkpoints;
    constant expressions and segment initialisation are free."""
    verdicts = []
    for limit in range(40):
        theirs = _wt_instantiate(START_WAT, limit)
        ours, gas = _ref_instantiate(START_WAT, limit)
        assert ours == theirs, f"start function with gas limit {limit}"
        if ours == OOG:
            assert gas == limit
        verdicts.append(ours)
    assert OOG in verdicts and OK in verdicts
    assert _wt_instantiate(CONST_ONLY_WAT, 0) == OK
    assert _ref_instantiate(CONST_ONLY_WAT, 0) == (OK, None)


# --- the oracle itself ------------------------------------------------------------------------

def _fuel_of(wat: str, args: Sequence[int] = (), limit: int = BIG) -> Outcome:
    store = wasmtime.Store(_wt_engine())
    store.set_fuel(BIG)
    inst = wasmtime.Instance(store, _wt_module(wat), [])
    func = inst.exports(store)["f"]
    assert isinstance(func, wasmtime.Func)
    store.set_fuel(limit)
    try:
        func(store, *args)
    except wasmtime.Trap as e:
        return Outcome(_wasmtime_verdict(e), None, limit - store.get_fuel())
    return Outcome(OK, None, limit - store.get_fuel())


def test_oracle_has_the_pinned_schedule() -> None:
    """Guard against a wasmtime upgrade that changes the default schedule (46.0 made bulk
    memory cost per byte and 49.0 memory.grow per page): these are the figures of the
    classic flat schedule that rules WASM-GAS-1..3 describe."""
    assert _fuel_of('(module (func (export "f")))').gas == 1
    assert _fuel_of('(module (func (export "f") nop nop nop))').gas == 1
    assert _fuel_of('(module (func (export "f")))', limit=1).verdict == OOG
    assert _fuel_of('(module (func (export "f")))', limit=2) == Outcome(OK, None, 1)
    fill = ('(module (memory 1) (func (export "f") '
            'i32.const 0 i32.const 0 i32.const 1000 memory.fill))')
    assert _fuel_of(fill).gas == 5
    grow = '(module (memory 1) (func (export "f") i32.const 1 memory.grow drop))'
    assert _fuel_of(grow).gas == 3
    straight = '(module (func (export "f") ' + "i32.const 1 drop " * 10 + "))"
    assert _fuel_of(straight, limit=2) == Outcome(OK, None, 2)  # overrun, saturated
    assert _fuel_of(straight).gas == 11
