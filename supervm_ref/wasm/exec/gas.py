"""The gas schedule (spec/wasm.md, rules WASM-GAS-*).

SuperVM charges gas exactly as wasmtime's default fuel metering charges fuel, so that a
wasmtime-based backend can be checked against this reference instruction for instruction.

- WASM-GAS-1 (cost): every executed instruction costs 1 gas, except ``nop``, ``drop``,
  ``block``, ``loop``, ``unreachable``, ``return``, ``else`` and ``end``, which cost 0.
  Instructions that are never executed (dead code, the branch of an ``if`` not taken) cost
  nothing. In addition, every activation of a WebAssembly function (an invocation from the
  embedder, ``call``, ``call_indirect``, the start function) costs ``FUNCTION_ENTRY_COST`` = 1
  on entry; host functions have no entry cost.
- WASM-GAS-2 (checkpoints): whether gas is exhausted is checked only at *checkpoints*: on entry
  to every WebAssembly function (after the ``call`` and the entry cost have been charged) and every
  time control reaches the start of a ``loop`` (on entry and on every branch back to it). At a
  checkpoint, if the gas used so far is greater than or equal to the limit, execution traps with
  ``out of gas``. Between checkpoints execution may use more than the limit (wasmtime does the
  same: its check is at the same points).
- WASM-GAS-3 (gas used): after a call completes, the gas used is ``min(charged, limit)``; after
  ``out of gas`` it is the limit; after any other trap it is ``min(charged, limit)`` where
  ``charged`` counts every instruction executed up to and including the trapping one.
- WASM-GAS-4 (host calls): calling a host function costs the ``call`` (1) and whatever the host
  function charges with ``Caller.charge_gas(n)``; a charge larger than the gas remaining traps
  with ``out of gas`` at once.
- WASM-GAS-5 (no limit): an invocation without a gas limit never runs out of gas; its gas is
  still counted.

An optimisation, not a rule: the interpreter charges a straight-line *run* of instructions at
once, at the run's start (`code.Run`, emitted by `compile.py`, charged by `machine.py`); a run
ends at every instruction that can transfer control (`RUN_TERMINATORS`). If an instruction
traps inside a run, the cost of the run's instructions after it is given back, so the count is
always exactly the cost of the instructions executed, as if each were charged on its own. The
gas tests, and the differential against wasmtime, check exactly that.
"""

from __future__ import annotations

#: WASM-GAS-1: the instructions that cost no gas.
FREE_INSTRUCTIONS = frozenset({"nop", "drop", "block", "loop", "unreachable", "return", "else",
                               "end"})

#: WASM-GAS-1: the gas charged on entry to a WebAssembly function, before its checkpoint.
FUNCTION_ENTRY_COST = 1

#: WASM-GAS-5: the limit used when an invocation has none (larger than any count reachable).
UNLIMITED = 1 << 64


def instruction_cost(op: str) -> int:
    """WASM-GAS-1: the gas one execution of the instruction ``op`` costs."""
    return 0 if op in FREE_INSTRUCTIONS else 1


#: Instructions after which a new straight-line run starts (see the module docstring).
RUN_TERMINATORS = frozenset({"block", "loop", "if", "else", "end", "br", "br_if", "br_table",
                             "return", "unreachable", "call", "call_indirect"})
