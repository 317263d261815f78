"""The abstract machine (WebAssembly spec sections 4.2.13-4.4.10): invoking functions and
sequencing the instructions of their pre-decoded code.

The machine defines no instruction. It fetches the next machine instruction ``(handler,
operand)`` of the running activation, calls ``handler(stack, operand)`` (every handler is the
one definition of its instruction, in `supervm_ref.wasm.exec.instructions`) and acts on the
outcome (`code.Outcome`): continue, jump, charge a straight-line run, invoke a function
(4.4.10), or return from a frame.

The spec's stack holds values, labels and frames together. Here each activation has its own
value stack (its locals, then its operands: `code.Stack`), labels are compiled away into branch
targets (`compile.py`), and the frames of WebAssembly calls live in an explicit list. So a
WebAssembly call never uses the Python stack: call depth is bounded by
`EngineLimits.max_call_depth` alone (rule WASM-LIMIT-1), and exceeding it is
``Trap(call stack exhausted)`` at the same depth on every machine.

Gas (rules WASM-GAS-*) is kept in the local ``gas`` and synchronised with the invocation's
`GasMeter` whenever control leaves the loop (host calls, return, trap). It is charged per
straight-line run (`code.Run`), an optimisation equivalent to charging every instruction.
"""

from __future__ import annotations

from typing import Any

from ..errors import Trap, TrapKind
from ..limits import EngineLimits
from ..runtime.host import GasMeter, call_host
from ..runtime.store import FuncInst, HostFuncInst, Store, WasmFuncInst
from ..runtime.values import Payload
from .code import RETURN, CompiledFunc, Run
from .compile import compile_function
from .gas import FUNCTION_ENTRY_COST, UNLIMITED
from .instructions.control import call, return_


def invoke(store: Store, funcaddr: int, args: list[Payload],
           gas_limit: int | None) -> tuple[list[Payload], int]:
    """4.5.5 invocation of the function at ``funcaddr`` from the embedder, with an optional gas
    limit. Returns (results, gas used) or raises Trap with ``gas_used`` set (WASM-GAS-3)."""
    if store.reentry_depth >= store.limits.max_host_reentry:
        raise Trap(TrapKind.CALL_STACK_EXHAUSTED, "too many nested host re-entries")
    meter = GasMeter(0, UNLIMITED if gas_limit is None else gas_limit)
    store.reentry_depth += 1
    try:
        results = execute(store, store.funcs[funcaddr], args, meter, 0, 0)
    except Trap as t:
        if t.gas_used is None:
            t.gas_used = meter.reported
        raise
    finally:
        store.reentry_depth -= 1
    return results, meter.reported


def _enter(store: Store, f: WasmFuncInst) -> CompiledFunc:
    """The compiled code of ``f``, compiling it on first use."""
    cf = f.compiled
    if cf is None:
        cf = f.compiled = compile_function(store, f)
    return cf


def _stack_exhausted(limits: EngineLimits, depth: int, slots: int) -> Trap:
    """The trap for a call that would exceed WASM-LIMIT-1 or WASM-LIMIT-2, naming the limit."""
    if depth > limits.max_call_depth:
        detail = f"call depth {depth} > max_call_depth {limits.max_call_depth} (WASM-LIMIT-1)"
    else:
        detail = (f"value slots {slots} > max_value_stack {limits.max_value_stack} "
                  "(WASM-LIMIT-2)")
    return Trap(TrapKind.CALL_STACK_EXHAUSTED, detail)


def _invocation(func: FuncInst) -> CompiledFunc:
    """The code of the embedder's invocation of ``func`` (4.5.5), built on first use: a frame
    with no locals whose code calls ``func`` on the arguments (pushed by the invoker) and
    returns its results. So the first activation is entered exactly like every other call. It
    charges nothing: it has no run."""
    cf = func.invocation
    if cf is None:
        arity = len(func.type.results)
        cf = func.invocation = CompiledFunc([(call, func), (return_, arity)], [], 0, [0, 0],
                                            None)
    return cf


def execute(store: Store, func: FuncInst, args: list[Payload], meter: GasMeter, depth: int,
            slots: int) -> list[Payload]:
    """Run ``func`` with ``args`` to completion on ``meter``; ``depth`` and ``slots`` are the
    frames and value slots already live (non-zero when re-entered from a host function)."""
    limits = store.limits
    max_depth = limits.max_call_depth
    max_slots = limits.max_value_stack
    gas = meter.used
    limit = meter.limit

    cf = _invocation(func)
    code = cf.code
    pc = 0
    stack: list[Any] = list(args)
    frames: list[tuple[Any, ...]] = []  # the callers' (code, pc, stack, cf)

    try:
        while True:
            handler, operand = code[pc]
            pc += 1
            outcome = handler(stack, operand)
            if outcome is None:  # the next instruction
                continue
            kind = outcome.__class__
            if kind is int:  # a branch taken
                pc = outcome
            elif kind is Run:  # WASM-GAS-1, WASM-GAS-2: a straight-line run starts
                if outcome.checkpoint and gas >= limit:
                    gas = limit
                    raise Trap(TrapKind.OUT_OF_GAS)
                gas += outcome.cost
            elif outcome is RETURN:  # the stack holds exactly the results
                if not frames:
                    meter.used = gas
                    return stack
                depth -= 1
                slots -= cf.frame_size
                results = stack
                code, pc, stack, cf = frames.pop()
                stack += results
            else:  # 4.4.10: invoke the function instance ``outcome``
                callee: Any = outcome
                n = len(callee.type.params)
                if n:
                    call_args = stack[-n:]
                    del stack[-n:]
                else:
                    call_args = []
                if kind is HostFuncInst:  # WASM-GAS-4: the host charges through the meter
                    meter.used = gas
                    try:
                        stack += call_host(store, callee, call_args, meter, cf.module, depth,
                                           slots)
                    except Trap as t:  # the meter already holds the host's charges
                        if t.gas_used is None:
                            t.gas_used = meter.reported
                        raise
                    gas = meter.used
                    continue
                ccf = _enter(store, callee)
                depth += 1
                slots += ccf.frame_size
                if depth > max_depth or slots > max_slots:  # WASM-LIMIT-1, WASM-LIMIT-2
                    raise _stack_exhausted(limits, depth, slots)
                gas += FUNCTION_ENTRY_COST
                if gas >= limit:  # WASM-GAS-2: checkpoint on function entry
                    gas = limit
                    raise Trap(TrapKind.OUT_OF_GAS)
                frames.append((code, pc, stack, cf))
                cf = ccf
                code = ccf.code
                pc = 0
                call_args += ccf.local_init
                stack = call_args
    except Trap as t:
        if t.gas_used is None:  # not yet accounted by a host call or a nested invocation
            if t.trap_kind is TrapKind.OUT_OF_GAS:
                meter.used = limit
            else:  # WASM-GAS-3: give back the part of the run not executed
                meter.used = gas - cf.refund[pc - 1]
            t.gas_used = meter.reported
        raise
