"""The abstract machine (WebAssembly spec sections 4.2.13-4.4.10): invoking functions and
executing their pre-decoded code.

The spec's stack holds values, labels and frames together. Here each activation (frame) has its
own operand stack and locals, labels are compiled away into branch targets (`compile.py`), and
the frames of WebAssembly calls live in an explicit list. So a WebAssembly call never uses the
Python stack: call depth is bounded by `EngineLimits.max_call_depth` alone (rule WASM-LIMIT-1),
and exceeding it is ``Trap(call stack exhausted)`` at the same depth on every machine.

Gas (rules WASM-GAS-*) is kept in the local ``gas`` and synchronised with the invocation's
`GasMeter` whenever control leaves the loop (host calls, return, trap).
"""

from __future__ import annotations

from typing import Any

from ..errors import Trap, TrapKind
from ..runtime.host import GasMeter, call_host
from ..runtime.store import FuncInst, HostFuncInst, Store, WasmFuncInst
from ..runtime.values import Payload
from . import code as C
from .compile import compile_function
from .gas import FUNCTION_ENTRY_COST, UNLIMITED

MASK32 = 0xFFFFFFFF


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


def unwind(stack: list[Any], height: int, arity: int) -> None:
    """4.4.8 ``br l``: keep the top ``arity`` values and cut the operand stack down to the
    label's ``height`` (the values of blocks being exited are discarded)."""
    if arity:
        stack[height:] = stack[len(stack) - arity:]
    else:
        del stack[height:]


def _enter(store: Store, f: WasmFuncInst) -> C.CompiledFunc:
    """The compiled code of ``f``, compiling it on first use."""
    cf = f.compiled
    if cf is None:
        cf = f.compiled = compile_function(store, f)
    return cf


def execute(store: Store, func: FuncInst, args: list[Payload], meter: GasMeter, depth: int,
            slots: int) -> list[Payload]:
    """Run ``func`` with ``args`` to completion on ``meter``; ``depth`` and ``slots`` are the
    frames and value slots already live (non-zero when re-entered from a host function)."""
    if type(func) is HostFuncInst:
        return call_host(store, func, args, meter, None, depth, slots)
    wasm_func: Any = func
    limits = store.limits
    max_depth = limits.max_call_depth
    max_slots = limits.max_value_stack
    gas = meter.used
    limit = meter.limit

    cf = _enter(store, wasm_func)
    depth += 1
    slots += cf.frame_size
    if depth > max_depth or slots > max_slots:
        raise Trap(TrapKind.CALL_STACK_EXHAUSTED, f"call depth {depth}")
    gas += FUNCTION_ENTRY_COST
    if gas >= limit:  # WASM-GAS-2: checkpoint on function entry
        meter.used = limit
        raise Trap(TrapKind.OUT_OF_GAS)

    code = cf.code
    pc = 0
    locals_: list[Any] = args + cf.local_init
    stack: list[Any] = []
    frames: list[tuple[Any, ...]] = []

    try:
        while True:
            ins = code[pc]
            pc += 1
            op = ins[0]
            if op == C.LOCAL_GET:
                stack.append(locals_[ins[1]])
            elif op == C.CHARGE:
                gas += ins[1]
            elif op == C.CONST:
                stack.append(ins[1])
            elif op == C.BINOP:
                b = stack.pop()
                stack[-1] = ins[1](stack[-1], b)
            elif op == C.LOCAL_SET:
                locals_[ins[1]] = stack.pop()
            elif op == C.I32_ADD:
                b = stack.pop()
                stack[-1] = (stack[-1] + b) & MASK32
            elif op == C.BR_IF_JUMP:
                if stack.pop():
                    pc = ins[1]
            elif op == C.I32_SUB:
                b = stack.pop()
                stack[-1] = (stack[-1] - b) & MASK32
            elif op == C.I32_LT_S:
                b = stack.pop()
                stack[-1] = 1 if (stack[-1] ^ 0x80000000) < (b ^ 0x80000000) else 0
            elif op == C.LOCAL_TEE:
                locals_[ins[1]] = stack[-1]
            elif op == C.GAS_CHECK:  # WASM-GAS-2: checkpoint at a loop header
                if gas >= limit:
                    gas = limit
                    raise Trap(TrapKind.OUT_OF_GAS)
            elif op == C.IF:
                if not stack.pop():
                    pc = ins[1]
            elif op == C.JUMP:
                pc = ins[1]
            elif op == C.UNOP:
                stack[-1] = ins[1](stack[-1])
            elif op == C.I32_EQZ:
                stack[-1] = 0 if stack[-1] else 1
            elif op == C.I32_NE:
                b = stack.pop()
                stack[-1] = 1 if stack[-1] != b else 0
            elif op == C.I32_AND:
                b = stack.pop()
                stack[-1] = stack[-1] & b
            elif op == C.EXEC:
                ins[1](stack, *ins[2:])
            elif op == C.CALL or op == C.CALL_INDIRECT:
                if op == C.CALL:
                    callee = ins[1]
                else:  # 4.4.8 call_indirect: look up the table, check the type
                    tab = ins[1]
                    i = stack.pop()
                    if i >= len(tab.elem):
                        raise Trap(TrapKind.UNDEFINED_ELEMENT, f"index {i} of {len(tab.elem)}")
                    addr = tab.elem[i]
                    if addr is None:
                        raise Trap(TrapKind.UNINITIALIZED_ELEMENT, f"index {i}")
                    callee = store.funcs[addr]
                    if callee.type != ins[2]:
                        raise Trap(TrapKind.INDIRECT_CALL_TYPE_MISMATCH,
                                   f"expected {ins[2]}, found {callee.type}")
                n = len(callee.type.params)
                if n:
                    call_args = stack[-n:]
                    del stack[-n:]
                else:
                    call_args = []
                if type(callee) is HostFuncInst:  # 4.4.10, WASM-GAS-4
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
                    raise Trap(TrapKind.CALL_STACK_EXHAUSTED, f"call depth {depth}")
                gas += FUNCTION_ENTRY_COST
                if gas >= limit:  # WASM-GAS-2: checkpoint on function entry
                    gas = limit
                    raise Trap(TrapKind.OUT_OF_GAS)
                frames.append((code, pc, locals_, stack, cf))
                cf = ccf
                code = ccf.code
                pc = 0
                call_args += ccf.local_init
                locals_ = call_args
                stack = []
            elif op == C.RETURN:
                arity = ins[1]
                results = stack[len(stack) - arity:] if arity else []
                if not frames:
                    meter.used = gas
                    return results
                depth -= 1
                slots -= cf.frame_size
                code, pc, locals_, stack, cf = frames.pop()
                stack += results
            elif op == C.BR:
                unwind(stack, ins[2], ins[3])
                pc = ins[1]
            elif op == C.BR_IF:
                if stack.pop():
                    unwind(stack, ins[2], ins[3])
                    pc = ins[1]
            elif op == C.BR_TABLE:
                i = stack.pop()
                branches = ins[1]
                target, height, arity = branches[i] if i < len(branches) else ins[2]
                unwind(stack, height, arity)
                pc = target
            elif op == C.DROP:
                stack.pop()
            elif op == C.SELECT:
                c = stack.pop()
                b = stack.pop()
                if not c:
                    stack[-1] = b
            elif op == C.GLOBAL_GET:
                stack.append(ins[1].value)
            elif op == C.GLOBAL_SET:
                ins[1].value = stack.pop()
            elif op == C.UNREACHABLE:
                raise Trap(TrapKind.UNREACHABLE)
            else:  # pragma: no cover - compile.py emits only the opcodes above
                raise Trap(TrapKind.HOST_ERROR, f"unknown machine opcode {op}")
    except Trap as t:
        if t.gas_used is None:  # not yet accounted by a host call or a nested invocation
            if t.trap_kind is TrapKind.OUT_OF_GAS:
                meter.used = limit
            else:  # WASM-GAS-3: give back the part of the run not executed
                meter.used = gas - cf.refund[pc - 1]
            t.gas_used = meter.reported
        raise
