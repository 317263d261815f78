"""Pre-decoding a validated function body into machine code (see `code.py`).

The walk over the flat instruction sequence is the spec's validation algorithm (appendix A.3)
reduced to what execution needs: the operand-stack *height* at each point (validation has
already proved the types) and a control stack of labels. For every label it records the height
and arity a branch to it must restore (spec 4.4.8, ``br``), and it resolves every ``end`` and
``else`` to a jump target. Dead code (after ``br``, ``return``, ``unreachable``) is not emitted.

It also groups the instructions into straight-line runs and emits one ``CHARGE`` per run
(rules WASM-GAS-1, WASM-GAS-2), and a ``GAS_CHECK`` checkpoint at every loop header.

Functions are compiled lazily, on their first call, against their module instance: calls,
globals, memories and tables are bound to the instances they denote.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..runtime.store import Store, WasmFuncInst
from ..runtime.values import MASK32, MASK64, default_payload
from ..structure.instructions import MEMORY_ACCESS, NUMERIC_SIGNATURES, Instruction
from ..structure.types import FuncType, ValType
from . import code as C
from .gas import RUN_TERMINATORS, instruction_cost
from .instructions import memory as M
from .instructions import table as T
from .numerics import NUMERIC_OPERATORS


class _Label:
    """A jump target whose position is known once the walk reaches it."""

    __slots__ = ("pos",)

    def __init__(self, pos: int = -1) -> None:
        self.pos = pos


@dataclass(slots=True)
class _Ctrl:
    """A control frame of the walk: the label a branch targets, the operand height below the
    block's parameters, and the arity of a branch to it and of its end."""

    kind: str
    label: _Label
    height: int
    branch_arity: int
    end_arity: int
    params: int
    else_label: _Label | None = None
    unreachable: bool = False


#: The numeric instructions executed inline by the machine (the rest go through BINOP/UNOP).
_INLINE = {"i32.add": C.I32_ADD, "i32.sub": C.I32_SUB, "i32.lt_s": C.I32_LT_S,
           "i32.eqz": C.I32_EQZ, "i32.ne": C.I32_NE, "i32.and": C.I32_AND}


def _is_null(v: Any) -> int:
    """4.4.2 ``ref.is_null``."""
    return 1 if v is None else 0


@dataclass(slots=True)
class _Emitter:
    """Builds the machine code, the per-instruction gas and the straight-line runs."""

    code: list[list[Any]] = field(default_factory=list)
    costs: list[int] = field(default_factory=list)
    run: int = -1  # index of the current run's CHARGE, or -1 when no run is open

    def emit(self, instr: list[Any], cost: int) -> None:
        """Append one machine instruction that executes one wasm instruction of ``cost``."""
        if cost and self.run < 0:
            self.run = len(self.code)
            self.code.append([C.CHARGE, 0])
            self.costs.append(0)
        if cost:
            self.code[self.run][1] += cost
        self.code.append(instr)
        self.costs.append(cost)

    def end_run(self) -> None:
        """Close the current straight-line run (after an instruction that transfers control)."""
        self.run = -1

    def place(self, label: _Label) -> None:
        """Place ``label`` at the next instruction."""
        label.pos = len(self.code)

    def assemble(self) -> tuple[list[tuple[Any, ...]], list[int]]:
        """Resolve labels; compute, per instruction, the gas to give back if it traps."""
        refund = [0] * len(self.code)
        after = 0
        for i in range(len(self.code) - 1, -1, -1):
            refund[i] = after
            after = 0 if self.code[i][0] == C.CHARGE else after + self.costs[i]
        out: list[tuple[Any, ...]] = []
        for instr in self.code:
            out.append(tuple(_resolve(x) for x in instr))
        return out, refund


def _resolve(x: Any) -> Any:
    if isinstance(x, _Label):
        return x.pos
    if isinstance(x, tuple):
        return tuple(_resolve(y) for y in x)
    return x


def compile_function(store: Store, f: WasmFuncInst) -> C.CompiledFunc:
    """Pre-decode the body of ``f`` (already validated) for the machine."""
    inst = f.module
    types = inst.types
    ft = f.type
    local_types = list(ft.params) + list(f.code.locals)
    mem_data = store.mems[inst.memaddrs[0]].data if inst.memaddrs else bytearray()
    mem = store.mems[inst.memaddrs[0]] if inst.memaddrs else None

    def block_type(bt: Any) -> FuncType:
        if bt is None:
            return FuncType((), ())
        if isinstance(bt, ValType):
            return FuncType((), (bt,))
        return types[bt]

    em = _Emitter()
    ctrls = [_Ctrl("func", _Label(), 0, len(ft.results), len(ft.results), 0)]
    height = 0
    max_height = 0
    dead_depth = 0

    def branch(target: _Ctrl, conditional: bool) -> None:
        arity = target.branch_arity
        if height == target.height + arity:
            em.emit([C.BR_IF_JUMP if conditional else C.JUMP, target.label], 1)
        else:
            em.emit([C.BR_IF if conditional else C.BR, target.label, target.height, arity], 1)

    for ins in f.code.body:
        op, imm = ins.op, ins.imm
        ctrl = ctrls[-1]
        if ctrl.unreachable:  # dead code: skip up to the end (or else) of this block
            if op in ("block", "loop", "if"):
                dead_depth += 1
                continue
            if dead_depth and op == "end":
                dead_depth -= 1
                continue
            if dead_depth or op not in ("else", "end"):
                continue
        if op == "nop":
            continue
        cost = instruction_cost(op)

        if op == "block" or op == "loop" or op == "if":
            bt = block_type(imm[0])
            if op == "if":
                height -= 1
                else_label = _Label()
                em.emit([C.IF, else_label], cost)
            em.end_run()
            base = height - len(bt.params)
            if op == "loop":
                label = _Label()
                em.place(label)
                em.emit([C.GAS_CHECK], 0)
                ctrls.append(_Ctrl("loop", label, base, len(bt.params), len(bt.results),
                                   len(bt.params)))
            else:
                ctrls.append(_Ctrl(op, _Label(), base, len(bt.results), len(bt.results),
                                   len(bt.params), else_label if op == "if" else None))
        elif op == "else":
            if not ctrl.unreachable:
                em.emit([C.JUMP, ctrl.label], cost)
            em.end_run()
            if ctrl.else_label is not None:
                em.place(ctrl.else_label)
                ctrl.else_label = None
            height = ctrl.height + ctrl.params
            ctrl.unreachable = False
        elif op == "end":
            ctrls.pop()
            em.end_run()
            if ctrl.kind == "func":
                em.place(ctrl.label)
                em.emit([C.RETURN, ctrl.end_arity], cost)
                break
            if ctrl.else_label is not None:  # an if without else: false skips to the end
                em.place(ctrl.else_label)
            if ctrl.kind != "loop":
                em.place(ctrl.label)
            height = ctrl.height + ctrl.end_arity
        elif op == "br":
            branch(ctrls[-1 - imm[0]], False)
            ctrl.unreachable = True
            em.end_run()
        elif op == "br_if":
            height -= 1
            branch(ctrls[-1 - imm[0]], True)
            em.end_run()
        elif op == "br_table":
            height -= 1
            labels, default = imm

            def entry(l: int) -> tuple[Any, int, int]:
                t = ctrls[-1 - l]
                return (t.label, t.height, t.branch_arity)

            em.emit([C.BR_TABLE, tuple(entry(l) for l in labels), entry(default)], cost)
            ctrl.unreachable = True
            em.end_run()
        elif op == "return":
            em.emit([C.RETURN, len(ft.results)], cost)
            ctrl.unreachable = True
            em.end_run()
        elif op == "unreachable":
            em.emit([C.UNREACHABLE], cost)
            ctrl.unreachable = True
            em.end_run()
        elif op == "call":
            callee = store.funcs[inst.funcaddrs[imm[0]]]
            height += len(callee.type.results) - len(callee.type.params)
            em.emit([C.CALL, callee], cost)
            em.end_run()
        elif op == "call_indirect":
            typeidx, tableidx = imm
            cft = types[typeidx]
            height += len(cft.results) - len(cft.params) - 1
            em.emit([C.CALL_INDIRECT, store.tables[inst.tableaddrs[tableidx]], cft], cost)
            em.end_run()
        else:
            instr, delta = _plain(store, f, op, imm, mem, mem_data, local_types)
            em.emit(instr, cost)
            height += delta
        if op in RUN_TERMINATORS:
            em.end_run()
        if height > max_height:
            max_height = height

    code, refund = em.assemble()
    declared = [default_payload(t) for t in f.code.locals]
    return C.CompiledFunc(code, len(ft.params), declared, len(local_types) + max_height,
                          len(ft.results), refund, inst)


def _plain(store: Store, f: WasmFuncInst, op: str, imm: tuple[Any, ...], mem: Any,
           mem_data: bytearray, local_types: list[ValType]) -> tuple[list[Any], int]:
    """The machine instruction for an instruction that does not affect control, and its effect
    on the operand-stack height."""
    inst = f.module
    if op in NUMERIC_SIGNATURES:
        params, _ = NUMERIC_SIGNATURES[op]
        if op in _INLINE:
            return [_INLINE[op]], 1 - len(params)
        fn = NUMERIC_OPERATORS[op]
        return ([C.UNOP, fn], 0) if len(params) == 1 else ([C.BINOP, fn], -1)
    if op == "local.get":
        return [C.LOCAL_GET, imm[0]], 1
    if op == "local.set":
        return [C.LOCAL_SET, imm[0]], -1
    if op == "local.tee":
        return [C.LOCAL_TEE, imm[0]], 0
    if op == "global.get":
        return [C.GLOBAL_GET, store.globals[inst.globaladdrs[imm[0]]]], 1
    if op == "global.set":
        return [C.GLOBAL_SET, store.globals[inst.globaladdrs[imm[0]]]], -1
    if op in ("i32.const", "i64.const", "f32.const", "f64.const"):
        return [C.CONST, imm[0]], 1
    if op == "drop":
        return [C.DROP], -1
    if op == "select":
        return [C.SELECT], -2
    if op == "ref.null":
        return [C.CONST, None], 1
    if op == "ref.is_null":
        return [C.UNOP, _is_null], 0
    if op == "ref.func":
        return [C.CONST, inst.funcaddrs[imm[0]]], 1
    if op in MEMORY_ACCESS:
        vt, width, signed = MEMORY_ACCESS[op]
        bits = 32 if vt in (ValType.I32, ValType.F32) else 64
        _, offset = imm
        if op.split(".")[1].startswith("load"):
            reader = M.SIGNED[width] if signed else M.UNSIGNED[width]
            return [C.EXEC, M.load, mem_data, offset, reader, width // 8,
                    MASK32 if bits == 32 else MASK64], 0
        return [C.EXEC, M.store, mem_data, offset, M.UNSIGNED[width], width // 8,
                (1 << width) - 1], -2
    if op == "memory.size":
        return [C.EXEC, M.memory_size, mem_data], 1
    if op == "memory.grow":
        return [C.EXEC, M.memory_grow, store, mem], 0
    if op == "memory.fill":
        return [C.EXEC, M.memory_fill, mem_data], -3
    if op == "memory.copy":
        return [C.EXEC, M.memory_copy, mem_data], -3
    if op == "memory.init":
        return [C.EXEC, M.memory_init, mem_data, store.datas[inst.dataaddrs[imm[0]]]], -3
    if op == "data.drop":
        return [C.EXEC, M.data_drop, store.datas[inst.dataaddrs[imm[0]]]], 0
    tables = inst.tableaddrs
    if op == "table.get":
        return [C.EXEC, T.table_get, store.tables[tables[imm[0]]]], 0
    if op == "table.set":
        return [C.EXEC, T.table_set, store.tables[tables[imm[0]]]], -2
    if op == "table.size":
        return [C.EXEC, T.table_size, store.tables[tables[imm[0]]]], 1
    if op == "table.grow":
        return [C.EXEC, T.table_grow, store, store.tables[tables[imm[0]]]], -1
    if op == "table.fill":
        return [C.EXEC, T.table_fill, store.tables[tables[imm[0]]]], -3
    if op == "table.copy":
        dst, src = imm
        return [C.EXEC, T.table_copy, store.tables[tables[dst]], store.tables[tables[src]]], -3
    if op == "table.init":
        elemidx, tableidx = imm
        return [C.EXEC, T.table_init, store.tables[tables[tableidx]],
                store.elems[inst.elemaddrs[elemidx]]], -3
    if op == "elem.drop":
        return [C.EXEC, T.elem_drop, store.elems[inst.elemaddrs[imm[0]]]], 0
    raise NotImplementedError(f"no machine instruction for {Instruction(op, imm)}")
