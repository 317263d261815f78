"""Pre-decoding a validated function body into machine code (an optimisation; see `code.py`).

Every instruction is looked up in `supervm_ref.wasm.exec.instructions.DEFINITIONS`: its
immediates are bound (`Definition.bind`) and the machine instruction is the pair
``(handler, operand)``. What pre-decoding adds is only *where* control goes:

- The walk over the flat instruction sequence is the spec's validation algorithm (appendix
  A.3) reduced to what execution needs: the operand-stack *height* at each point (validation
  has already proved the types) and a control stack of labels. For every label it records the
  height and arity a branch to it must restore (spec 4.4.8, ``br``), and it resolves every
  ``end`` and ``else`` to a position (`Label`). The structured instructions leave only
  `control.if_`, `control.else_` and, at the end of the body, `control.return_`. Dead code
  (after ``br``, ``br_table``, ``return``, ``unreachable``) is not emitted.
- The instructions are grouped into straight-line runs, each headed by a `Run` that charges the
  whole run at once (rules WASM-GAS-1..3); a run at a loop header is also a checkpoint
  (WASM-GAS-2). ``refund`` gives, per instruction, the gas of the rest of its run.

Locals occupy the first slots of an activation's stack (`code.Stack`), so heights count them.

Functions are compiled lazily, on their first call, against their module instance: calls,
globals, memories and tables are bound to the instances they denote.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..runtime.store import MemInst, ModuleInst, Store, WasmFuncInst
from ..runtime.values import default_payload
from ..structure.types import FuncType, ValType
from .code import Branch, CompiledFunc, MachineInstr, Run, Stack
from .gas import RUN_TERMINATORS, instruction_cost
from .instructions import DEFINITIONS
from .instructions import control as ctl


class Label:
    """A position in the code, known once the walk reaches it."""

    __slots__ = ("pos",)

    def __init__(self) -> None:
        self.pos = -1


def start_run(stack: Stack, run: Run) -> Run:
    """The machine instruction heading a straight-line run: hands the `Run` to the machine,
    which charges it (and checks the gas first at a loop header)."""
    return run


@dataclass(slots=True)
class _Ctrl:
    """A control frame of the walk: the label a branch targets, the height below the block's
    parameters, and the arity of a branch to it and of its end."""

    kind: str
    label: Label
    height: int
    branch_arity: int
    end_arity: int
    params: int
    else_label: Label | None = None
    unreachable: bool = False


@dataclass(slots=True)
class _Emitter:
    """Builds the machine code, the gas of each instruction and the straight-line runs."""

    code: list[list[Any]] = field(default_factory=list)
    costs: list[int] = field(default_factory=list)
    run: int = -1  # index of the current run's head, or -1 when no run is open

    def open_run(self, checkpoint: bool) -> None:
        """Start a straight-line run here."""
        self.run = len(self.code)
        self.code.append([start_run, [0, checkpoint]])
        self.costs.append(0)

    def emit(self, instr: list[Any], cost: int) -> None:
        """Append one machine instruction that executes one instruction of ``cost``."""
        if cost and self.run < 0:
            self.open_run(False)
        if cost:
            self.code[self.run][1][0] += cost
        self.code.append(instr)
        self.costs.append(cost)

    def end_run(self) -> None:
        """Close the current run (after an instruction that may transfer control)."""
        self.run = -1

    def place(self, label: Label) -> None:
        """Place ``label`` at the next instruction."""
        label.pos = len(self.code)

    def assemble(self) -> tuple[list[MachineInstr], list[int]]:
        """Resolve labels and runs; compute, per instruction, the gas to give back if it
        traps (the cost of the instructions after it in its run)."""
        refund = [0] * len(self.code)
        after = 0
        for i in range(len(self.code) - 1, -1, -1):
            refund[i] = after
            after = 0 if self.code[i][0] is start_run else after + self.costs[i]
        out: list[MachineInstr] = []
        for handler, operand in self.code:
            if handler is start_run:
                cost, checkpoint = operand
                out.append((handler, Run(cost, checkpoint)))
            else:
                out.append((handler, _resolve(operand)))
        return out, refund


def _resolve(x: Any) -> Any:
    """``x`` with every `Label` replaced by its position."""
    if type(x) is Label:
        return x.pos
    if type(x) is Branch:
        return Branch(_resolve(x.target), x.height, x.arity)
    if type(x) is tuple:
        return tuple(_resolve(y) for y in x)
    return x


#: Instructions after which the rest of the block is unreachable (and not emitted).
_UNCONDITIONAL = frozenset({"br", "br_table", "return", "unreachable"})


class _Predecoder:
    """The walk over one function body; also the `code.BindContext` of its binders."""

    def __init__(self, store: Store, f: WasmFuncInst) -> None:
        self.store = store
        self.module: ModuleInst = f.module
        self.memory: MemInst | None = (store.mems[f.module.memaddrs[0]]
                                       if f.module.memaddrs else None)
        self.func = f
        n_locals = len(f.type.params) + len(f.code.locals)
        results = len(f.type.results)
        self.ctrls = [_Ctrl("func", Label(), n_locals, results, results, 0)]

    # --- BindContext ---------------------------------------------------------------------

    def branch(self, labelidx: int) -> Branch:
        """The branch target of label ``labelidx`` (0 is the innermost block)."""
        t = self.ctrls[-1 - labelidx]
        return Branch(t.label, t.height, t.branch_arity)

    def result_arity(self) -> int:
        """The number of results of the function."""
        return len(self.func.type.results)

    # --- the walk ------------------------------------------------------------------------

    def block_type(self, bt: Any) -> FuncType:
        """Spec 3.2.8 block types: none, one value type, or a type index."""
        if bt is None:
            return FuncType((), ())
        if isinstance(bt, ValType):
            return FuncType((), (bt,))
        return self.module.types[bt]

    def run(self) -> CompiledFunc:
        """Pre-decode the body (see the module docstring)."""
        f = self.func
        ctrls = self.ctrls
        em = _Emitter()
        height = max_height = ctrls[0].height
        dead_depth = 0
        for op, imm in f.code.body:
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
            cost = instruction_cost(op)

            if op == "block" or op == "loop" or op == "if":
                bt = self.block_type(imm[0])
                else_label = None
                if op == "if":
                    height -= 1  # the condition
                    else_label = Label()
                    em.emit([ctl.if_, else_label], cost)
                em.end_run()
                base = height - len(bt.params)
                if op == "loop":
                    label = Label()
                    em.place(label)
                    em.open_run(checkpoint=True)  # WASM-GAS-2: checkpoint at a loop header
                    ctrls.append(_Ctrl(op, label, base, len(bt.params), len(bt.results),
                                       len(bt.params)))
                else:
                    ctrls.append(_Ctrl(op, Label(), base, len(bt.results), len(bt.results),
                                       len(bt.params), else_label))
            elif op == "else":
                if not ctrl.unreachable:
                    em.emit([ctl.else_, ctrl.label], cost)
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
                    em.emit([ctl.return_, ctrl.end_arity], cost)
                    break
                if ctrl.else_label is not None:  # an if without else: false skips to the end
                    em.place(ctrl.else_label)
                if ctrl.kind != "loop":
                    em.place(ctrl.label)
                height = ctrl.height + ctrl.end_arity
            else:
                d = DEFINITIONS[op]
                em.emit([d.handler, d.bind(self, imm)], cost)
                height += d.effect if isinstance(d.effect, int) else d.effect(self, imm)
                if op in _UNCONDITIONAL:
                    ctrl.unreachable = True
            if op in RUN_TERMINATORS:
                em.end_run()
            if height > max_height:
                max_height = height

        code, refund = em.assemble()
        declared = [default_payload(t) for t in f.code.locals]
        return CompiledFunc(code, declared, max_height, refund, self.module)


def compile_function(store: Store, f: WasmFuncInst) -> CompiledFunc:
    """Pre-decode the body of ``f`` (already validated) for the machine."""
    return _Predecoder(store, f).run()
