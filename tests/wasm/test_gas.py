"""The gas schedule on the reference engine (spec/wasm.md WASM-GAS-*).

`test_gas_wasmtime.py` checks the same schedule against wasmtime; these tests state the rules
directly so that a failure names the rule.
"""

from __future__ import annotations

import pytest

from supervm_ref.wasm import embedding as E
from supervm_ref.wasm.errors import Trap, TrapKind
from supervm_ref.wasm.runtime.store import ExternVal
from supervm_ref.wasm.runtime.values import Value
from supervm_ref.wasm.structure.types import FuncType, ValType

from ..support import wat


def _run(body: str, gas: int | None, params: str = "", args: tuple[Value, ...] = (),
         extra: str = "") -> tuple[list[Value], int]:
    store = E.store_init()
    inst = E.module_instantiate(store, E.module_decode(wat(
        f'(module (memory 1) {extra} (func (export "f") {params} {body}))')), [])
    return E.func_invoke_with_gas(store, E.instance_export(inst, "f").addr, list(args), gas)


@pytest.mark.parametrize("body, cost", [
    ("", 1),                                        # entry only
    ("nop nop nop", 1),                             # nop is free
    ("i32.const 1 drop", 2),                        # const 1, drop free
    ("block block end end", 1),                     # block/end free
    ("loop end", 1),
    ("i32.const 1 if nop end", 3),                  # if costs 1
    ("i32.const 0 if nop else nop end", 3),         # else free
    ("block br 0 end", 2),
    ("block i32.const 0 br_if 0 end", 3),
    ("i32.const 1 i32.const 2 i32.const 1 select drop", 5),
    ("i32.const 0 i32.const 0 i32.const 65536 memory.fill", 5),  # bulk memory costs 1
    ("i32.const 1 if return end", 3),                # return free
])
def test_cost_table(body: str, cost: int) -> None:
    """WASM-GAS-1: each executed instruction costs 1 except the free ones; entry costs 1."""
    assert _run(body, 10_000)[1] == cost


def test_untaken_branch_costs_nothing() -> None:
    """WASM-GAS-1: instructions not executed are not charged."""
    taken = _run("local.get 0 if i32.const 1 drop i32.const 1 drop end", 100, "(param i32)",
                 (Value.i32(1),))[1]
    untaken = _run("local.get 0 if i32.const 1 drop i32.const 1 drop end", 100, "(param i32)",
                   (Value.i32(0),))[1]
    assert (taken, untaken) == (5, 3)


def test_entry_checkpoint() -> None:
    """WASM-GAS-2: at entry, used (1) >= limit traps: limits 0 and 1 trap, 2 succeeds."""
    for limit in (0, 1):
        with pytest.raises(Trap) as e:
            _run("", limit)
        assert e.value.trap_kind is TrapKind.OUT_OF_GAS and e.value.gas_used == limit
    assert _run("", 2)[1] == 1


def test_straight_line_overrun_is_not_checked() -> None:
    """WASM-GAS-2, WASM-GAS-3: 10 x (const, drop) uses 11 but only entry is a checkpoint, so a
    limit of 2 succeeds, reporting min(11, 2)."""
    body = "i32.const 1 drop " * 10
    assert _run(body, 2)[1] == 2
    assert _run(body, 11)[1] == 11
    assert _run(body, 100)[1] == 11


LOOP = """(param i32) (result i32)
  loop
    local.get 0 i32.const 1 i32.sub local.tee 0
    br_if 0
  end
  local.get 0"""


def test_loop_header_checkpoints() -> None:
    """WASM-GAS-2: loop counting down from 3. Checks happen at consumed 1 (entry), 1, 6, 11
    (headers); the total is 17. Limits <= 11 trap, 12..16 overrun silently, 17+ exact."""
    args = (Value.i32(3),)
    for limit in range(0, 12):
        with pytest.raises(Trap) as e:
            _run(LOOP, limit, args=args)
        assert e.value.trap_kind is TrapKind.OUT_OF_GAS and e.value.gas_used == limit
    for limit in range(12, 17):
        assert _run(LOOP, limit, args=args) == ([Value.i32(0)], limit)
    assert _run(LOOP, 17, args=args)[1] == 17
    assert _run(LOOP, 1000, args=args)[1] == 17


def test_infinite_loop_runs_out_of_gas() -> None:
    """WASM-GAS-2: an infinite loop ends in out of gas, with gas used = limit."""
    with pytest.raises(Trap) as e:
        _run("loop br 0 end", 100_000)
    assert e.value.trap_kind is TrapKind.OUT_OF_GAS
    assert e.value.gas_used == 100_000


@pytest.mark.parametrize("body, used", [
    ("i32.const 1 i32.const 0 i32.div_u drop i32.const 5 drop", 4),   # trap at div: 1+3
    ("i32.const 70000 i32.load drop i32.const 1 drop", 3),            # trap at load: 1+2
    ("i32.const 1 drop unreachable i32.const 1 drop", 2),             # unreachable is free
])
def test_gas_used_after_other_traps(body: str, used: int) -> None:
    """WASM-GAS-3: after a non-gas trap, gas used counts every instruction executed up to and
    including the trapping one, and nothing after it."""
    with pytest.raises(Trap) as e:
        _run(body, 1000)
    assert e.value.trap_kind is not TrapKind.OUT_OF_GAS
    assert e.value.gas_used == used


def _host_module(charge: int) -> tuple[E.Store, int]:
    store = E.store_init()

    def host(caller: E.Caller, x: int) -> list[int]:
        caller.charge_gas(charge)
        return [x]

    f = E.func_alloc(store, FuncType((ValType.I32,), (ValType.I32,)), host)
    inst = E.module_instantiate(store, E.module_decode(wat("""(module
      (import "env" "h" (func $h (param i32) (result i32)))
      (func (export "g") (param i32) (result i32) local.get 0 call $h))""")),
      [ExternVal("func", f)])
    return store, E.instance_export(inst, "g").addr


def test_host_charges() -> None:
    """WASM-GAS-4: the host's charge is added; a charge above what remains traps at once with
    gas used = limit; the call itself costs 1 and host functions have no entry cost."""
    store, g = _host_module(5)
    assert E.func_invoke_with_gas(store, g, [Value.i32(1)], 100)[1] == 1 + 2 + 5
    assert E.func_invoke_with_gas(store, g, [Value.i32(1)], 8)[1] == 8  # exactly enough
    with pytest.raises(Trap) as e:
        E.func_invoke_with_gas(store, g, [Value.i32(1)], 7)  # one short
    assert e.value.trap_kind is TrapKind.OUT_OF_GAS and e.value.gas_used == 7


def test_zero_charge_after_overrun_does_not_trap() -> None:
    """WASM-GAS-4: remaining is max(limit - used, 0), so charging 0 never traps."""
    store, g = _host_module(0)
    assert E.func_invoke_with_gas(store, g, [Value.i32(1)], 2) == ([Value.i32(1)], 2)


def test_no_limit_counts_gas() -> None:
    """WASM-GAS-5: without a limit nothing runs out, and gas is still counted."""
    results, used = _run(LOOP, None, args=(Value.i32(1000),))
    # entry, 5 per iteration, the final local.get
    assert results == [Value.i32(0)] and used == 1 + 5 * 1000 + 1
