"""The pre-decoded form of a function body, and how instruction definitions plug into it.

Every WebAssembly instruction has one definition, in `supervm_ref.wasm.exec.instructions`
(one module per group of spec section 4.4). A definition is a `Definition`:

- ``handler(stack, operand)``: executes the instruction on the activation's value stack
  (see `Stack`) and returns an `Outcome` for the machine;
- ``bind(ctx, imm)``: turns the instruction's immediates into the ``operand`` the handler
  receives, once per function, when it is pre-decoded (a function index becomes the function
  instance, a memarg the memory and its offset, a label the branch target, …);
- ``effect``: how the instruction changes the height of the operand stack.

Pre-decoding is an optimisation that the WebAssembly specification does not have. The spec
executes the instruction sequence directly and finds the continuation of a branch by looking
for the matching ``end``; `compile.py` does that search once per function: structured control
(``block``, ``loop``, ``if``, ``else``, ``end``) is replaced by jumps to precomputed positions,
and each branch carries the operand-stack height and arity of its target label, so executing
``br l`` is "keep the top ``arity`` values, cut the stack to ``height``, jump". A second
optimisation groups the instructions into straight-line runs charged at once (`Run`, rules
WASM-GAS-1..3). Neither changes what an instruction does: the same tests (the official suite,
the gas rules, the differential against wasmtime) check them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from ..runtime.values import Payload

if TYPE_CHECKING:
    from ..runtime.store import MemInst, ModuleInst, Store

#: The value stack of one activation: its locals in slots ``0 .. n-1`` (parameters first),
#: then its operand stack (spec 4.2.13: the frame's locals, and the values pushed above it).
Stack = list[Any]

#: What a handler returns to the machine (see `supervm_ref.wasm.exec.machine`):
#:
#: - ``None``: continue with the next instruction;
#: - an ``int``: continue at that position (a branch taken);
#: - a `Run`: a straight-line run starts (charge its gas, after a checkpoint if it is one);
#: - a function instance: invoke it with arguments popped from the stack (``call``);
#: - `RETURN`: the stack now holds exactly the frame's results; leave the frame.
Outcome = Any

#: ``handler(stack, operand) -> Outcome``.
Handler = Callable[[Stack, Any], Outcome]

#: One machine instruction: the definition's handler and its bound operand.
MachineInstr = tuple[Handler, Any]


class Return:
    """The type of `RETURN`, the outcome of leaving a frame."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "RETURN"


RETURN = Return()


@dataclass(frozen=True, slots=True)
class Run:
    """The start of a straight-line run of instructions (rules WASM-GAS-1, WASM-GAS-2).

    ``cost`` is the gas of every instruction of the run, charged when the run starts;
    ``checkpoint`` is true at a loop header, where exhaustion is checked before the charge.
    A run ends at every instruction that can transfer control, so it executes entirely unless
    an instruction of it traps; then the machine gives back the cost of the instructions after
    the trapping one (`CompiledFunc.refund`, rule WASM-GAS-3)."""

    cost: int
    checkpoint: bool


class Branch(NamedTuple):
    """A branch to a label, resolved by pre-decoding (spec 4.4.8 ``br l``): continue at
    ``target`` after keeping the top ``arity`` values and cutting the stack to ``height``."""

    target: Any  # a position in the code (a `compile.Label` until the function is assembled)
    height: int
    arity: int


class BindContext(Protocol):
    """What a binder may ask about the function being pre-decoded (`compile.py`)."""

    store: Store
    module: ModuleInst
    memory: MemInst | None  # the module's memory 0

    def branch(self, labelidx: int) -> Branch:
        """The branch target of label ``labelidx`` at this point of the body."""
        ...

    def result_arity(self) -> int:
        """The number of results of the function being pre-decoded."""
        ...


#: ``bind(ctx, imm) -> operand``.
Binder = Callable[[BindContext, tuple[Any, ...]], Any]


@dataclass(frozen=True, slots=True)
class Definition:
    """How one instruction executes: see the module docstring. ``effect`` is the change of the
    operand-stack height, or a function of the context and immediates when it depends on them
    (``call``: results minus parameters)."""

    handler: Handler
    bind: Binder
    effect: int | Callable[[BindContext, tuple[Any, ...]], int]


def no_operand(ctx: BindContext, imm: tuple[Any, ...]) -> None:
    """The binder of an instruction without immediates."""
    return None


def first_immediate(ctx: BindContext, imm: tuple[Any, ...]) -> Any:
    """The binder that passes the instruction's single immediate unchanged."""
    return imm[0]


def constant(value: Any) -> Binder:
    """The binder that always gives ``value`` (e.g. the operator of a numeric instruction)."""

    def bind(ctx: BindContext, imm: tuple[Any, ...]) -> Any:
        return value

    return bind


@dataclass(eq=False, slots=True)
class CompiledFunc:
    """A pre-decoded function body.

    - ``code``: the machine instructions;
    - ``local_init``: the initial values of the declared (non-parameter) locals;
    - ``frame_size``: value slots the frame reserves (locals + maximum operand-stack height),
      counted against WASM-LIMIT-2;
    - ``refund``: for each machine instruction, the gas of the instructions after it in the
      same straight-line run, given back when it traps (WASM-GAS-3);
    - ``module``: the module instance the function belongs to (the caller seen by host calls).
    """

    code: list[MachineInstr]
    local_init: list[Payload]
    frame_size: int
    refund: list[int]
    module: Any
