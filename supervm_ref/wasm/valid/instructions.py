"""Validation of instruction sequences (WebAssembly spec section 3.3, by the algorithm of
appendix A.3).

The algorithm reads the *flat* instruction sequence of a function body or constant expression
(``block``/``loop``/``if``, ``else`` and ``end`` as markers, exactly as in the binary format)
once, from left to right, keeping two stacks:

- the *operand stack* ``vals`` of value types, where ``None`` stands for the spec's ``Unknown``
  (an operand of any type, produced by popping below the height of an unreachable frame);
- the *control stack* ``ctrls`` of control frames, one per open block, loop, if/else and one
  for the function itself. Branch label ``l`` names ``ctrls[-1 - l]``.

It is a loop, not a recursion, so nesting depth is bounded only by memory (rule WASM-ERR-1).
Each rule below is named after the instruction's section in spec 3.3.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..errors import ValidationError
from ..structure.instructions import MEMORY_ACCESS, NUMERIC_SIGNATURES, Instruction
from ..structure.types import FuncType, ValType
from .context import Context, show_index

I32, I64, F32, F64 = ValType.I32, ValType.I64, ValType.F32, ValType.F64

#: An operand type on the validation stack: a value type, or None for Unknown (spec A.3).
Operand = ValType | None

#: The result type of the constant instructions (spec 3.3.1, t.const).
CONST_TYPES = {"i32.const": I32, "i64.const": I64, "f32.const": F32, "f64.const": F64}


def type_mismatch(detail: str) -> ValidationError:
    """The error of every typing failure (the official suite's "type mismatch")."""
    return ValidationError(f"type mismatch: {detail}")


def _show(ts: Sequence[Operand]) -> str:
    return "[" + " ".join("?" if t is None else t.value for t in ts) + "]"


def block_type(ctx: Context, bt: object) -> FuncType:
    """Block types (spec 3.2.2): the empty type ``[] -> []``, a single
    value type ``[] -> [t]``, or a type index x, which must be defined in C.types."""
    if bt is None:
        return FuncType((), ())
    if isinstance(bt, ValType):
        return FuncType((), (bt,))
    if isinstance(bt, int):
        return ctx.type_(bt)
    raise ValidationError("malformed block type")


@dataclass(slots=True)
class ControlFrame:
    """A control frame of appendix A.3: the opcode that opened it ("function", "block",
    "loop", "if" or "else"), its start and end types, the operand-stack height at entry, and
    whether the rest of the block is unreachable (stack-polymorphic)."""

    opcode: str
    start_types: tuple[ValType, ...]
    end_types: tuple[ValType, ...]
    height: int
    unreachable: bool = False

    @property
    def label_types(self) -> tuple[ValType, ...]:
        """The types a branch to this frame's label carries (A.3 ``label_types``): a loop's
        label is at its start, every other label at its end."""
        return self.start_types if self.opcode == "loop" else self.end_types


class ExprValidator:
    """The operand and control stacks of appendix A.3, with one method per instruction group.
    Use `validate_expr`; this class is its state."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.vals: list[Operand] = []
        self.ctrls: list[ControlFrame] = []

    # --- The operand stack (A.3) --------------------------------------------------------

    def push_val(self, t: Operand) -> None:
        """A.3 ``push_val``."""
        self.vals.append(t)

    def pop_val(self) -> Operand:
        """A.3 ``pop_val``: pop any operand; below an unreachable frame's height this yields
        Unknown, below a reachable one it is an error."""
        frame = self.ctrls[-1]
        if len(self.vals) == frame.height:
            if frame.unreachable:
                return None
            raise type_mismatch("operand stack is empty")
        return self.vals.pop()

    def pop_expect(self, expect: Operand) -> Operand:
        """A.3 ``pop_val(expect)``: pop an operand that must match ``expect``."""
        frame = self.ctrls[-1]
        if len(self.vals) == frame.height and not frame.unreachable:
            raise type_mismatch(f"expected {_show([expect])} but the operand stack is empty")
        actual = self.pop_val()
        if actual is not None and expect is not None and actual != expect:
            raise type_mismatch(f"expected {expect.value}, found {actual.value}")
        return actual

    def push_vals(self, types: Sequence[Operand]) -> None:
        """A.3 ``push_vals``."""
        self.vals.extend(types)

    def pop_vals(self, types: Sequence[Operand]) -> list[Operand]:
        """A.3 ``pop_vals``: pop operands matching ``types`` (the last one is on top)."""
        popped: list[Operand] = []
        for t in reversed(types):
            popped.append(self.pop_expect(t))
        popped.reverse()
        return popped

    # --- The control stack (A.3) --------------------------------------------------------

    def push_ctrl(self, opcode: str, start: tuple[ValType, ...],
                  end: tuple[ValType, ...]) -> None:
        """A.3 ``push_ctrl``: open a frame and push its parameters."""
        self.ctrls.append(ControlFrame(opcode, start, end, len(self.vals)))
        self.push_vals(start)

    def pop_ctrl(self) -> ControlFrame:
        """A.3 ``pop_ctrl``: close the innermost frame; its results must be exactly what is
        left on its part of the operand stack."""
        if not self.ctrls:
            raise ValidationError("unexpected end: no open block")
        frame = self.ctrls[-1]
        self.pop_vals(frame.end_types)
        if len(self.vals) != frame.height:
            raise type_mismatch(
                f"block result {_show(frame.end_types)} leaves extra operands "
                f"{_show(self.vals[frame.height:])}")
        self.ctrls.pop()
        return frame

    def label(self, l: int) -> ControlFrame:
        """The frame named by label index ``l`` (C.labels[l] must be defined, spec 3.3.8)."""
        if not (isinstance(l, int) and 0 <= l < len(self.ctrls)):
            raise ValidationError(f"unknown label {show_index(l)}")
        return self.ctrls[-1 - l]

    def unreachable(self) -> None:
        """A.3 ``unreachable``: drop this frame's operands and make it stack-polymorphic."""
        frame = self.ctrls[-1]
        del self.vals[frame.height:]
        frame.unreachable = True

    # --- Numeric and constant instructions (3.3.1) --------------------------------------

    def const(self, instr: Instruction) -> None:
        """t.const c: [] -> [t]."""
        self.push_val(CONST_TYPES[instr.op])

    def numeric(self, instr: Instruction) -> None:
        """Unary, binary, test, comparison and conversion operators: the signature given by
        NUMERIC_SIGNATURES (spec 3.3.1)."""
        params, results = NUMERIC_SIGNATURES[instr.op]
        self.pop_vals(params)
        self.push_vals(results)

    # --- Reference instructions (3.3.2) ---------------------------------------------------

    def ref_null(self, instr: Instruction) -> None:
        """ref.null t: [] -> [t]."""
        self.push_val(instr.imm[0])

    def ref_is_null(self, instr: Instruction) -> None:
        """ref.is_null: [t] -> [i32] for a reference type t."""
        t = self.pop_val()
        if t is not None and not t.is_ref:
            raise type_mismatch(f"ref.is_null expects a reference, found {t.value}")
        self.push_val(I32)

    def ref_func(self, instr: Instruction) -> None:
        """ref.func x: [] -> [funcref]; C.funcs[x] must be defined and x must be in C.refs."""
        x = instr.imm[0]
        self.ctx.func(x)
        if x not in self.ctx.refs:
            raise ValidationError(f"undeclared function reference {show_index(x)}")
        self.push_val(ValType.FUNCREF)

    # --- Parametric instructions (3.3.4) --------------------------------------------------

    def drop(self, instr: Instruction) -> None:
        """drop: [t] -> []."""
        self.pop_val()

    def select(self, instr: Instruction) -> None:
        """select (t*)?: [t t i32] -> [t]. Without a type annotation t must be a number
        type; with one, exactly one type must be given."""
        if instr.imm:
            types = instr.imm[0]
            if len(types) != 1:
                raise ValidationError("invalid result arity for select")
            (t,) = types
            self.pop_expect(I32)
            self.pop_expect(t)
            self.pop_expect(t)
            self.push_val(t)
            return
        self.pop_expect(I32)
        t1 = self.pop_val()
        t2 = self.pop_val()
        if (t1 is not None and not t1.is_num) or (t2 is not None and not t2.is_num):
            raise type_mismatch("select without a type annotation needs number operands")
        if t1 is not None and t2 is not None and t1 != t2:
            raise type_mismatch(f"select operands differ: {t2.value} and {t1.value}")
        self.push_val(t2 if t1 is None else t1)

    # --- Variable instructions (3.3.5) ----------------------------------------------------

    def local_get(self, instr: Instruction) -> None:
        """local.get x: [] -> [t] where C.locals[x] = t."""
        self.push_val(self.ctx.local(instr.imm[0]))

    def local_set(self, instr: Instruction) -> None:
        """local.set x: [t] -> []."""
        self.pop_expect(self.ctx.local(instr.imm[0]))

    def local_tee(self, instr: Instruction) -> None:
        """local.tee x: [t] -> [t]."""
        t = self.ctx.local(instr.imm[0])
        self.pop_expect(t)
        self.push_val(t)

    def global_get(self, instr: Instruction) -> None:
        """global.get x: [] -> [t] where C.globals[x] = mut t."""
        self.push_val(self.ctx.global_(instr.imm[0]).val_type)

    def global_set(self, instr: Instruction) -> None:
        """global.set x: [t] -> []; the global must be mutable."""
        g = self.ctx.global_(instr.imm[0])
        if not g.mutable:
            raise ValidationError(f"global is immutable: global {show_index(instr.imm[0])}")
        self.pop_expect(g.val_type)

    # --- Table instructions (3.3.6) -------------------------------------------------------

    def table_get(self, instr: Instruction) -> None:
        """table.get x: [i32] -> [t]."""
        t = self.ctx.table(instr.imm[0]).elem_type
        self.pop_expect(I32)
        self.push_val(t)

    def table_set(self, instr: Instruction) -> None:
        """table.set x: [i32 t] -> []."""
        t = self.ctx.table(instr.imm[0]).elem_type
        self.pop_expect(t)
        self.pop_expect(I32)

    def table_size(self, instr: Instruction) -> None:
        """table.size x: [] -> [i32]."""
        self.ctx.table(instr.imm[0])
        self.push_val(I32)

    def table_grow(self, instr: Instruction) -> None:
        """table.grow x: [t i32] -> [i32]."""
        t = self.ctx.table(instr.imm[0]).elem_type
        self.pop_expect(I32)
        self.pop_expect(t)
        self.push_val(I32)

    def table_fill(self, instr: Instruction) -> None:
        """table.fill x: [i32 t i32] -> []."""
        t = self.ctx.table(instr.imm[0]).elem_type
        self.pop_expect(I32)
        self.pop_expect(t)
        self.pop_expect(I32)

    def table_copy(self, instr: Instruction) -> None:
        """table.copy x y: [i32 i32 i32] -> []; both tables hold the same reference type."""
        dst, src = instr.imm
        t1 = self.ctx.table(dst).elem_type
        t2 = self.ctx.table(src).elem_type
        if t1 != t2:
            raise type_mismatch(f"table.copy from {t2.value} table into {t1.value} table")
        self.pop_vals((I32, I32, I32))

    def table_init(self, instr: Instruction) -> None:
        """table.init x y (immediates in binary order: elem y, table x): [i32 i32 i32] -> [];
        the segment's reference type must be the table's."""
        elemidx, tableidx = instr.imm
        t1 = self.ctx.table(tableidx).elem_type
        t2 = self.ctx.elem(elemidx)
        if t1 != t2:
            raise type_mismatch(f"table.init of a {t2.value} segment into a {t1.value} table")
        self.pop_vals((I32, I32, I32))

    def elem_drop(self, instr: Instruction) -> None:
        """elem.drop x: [] -> []; C.elems[x] must be defined."""
        self.ctx.elem(instr.imm[0])

    # --- Memory instructions (3.3.7) ------------------------------------------------------

    def memory_access(self, instr: Instruction) -> None:
        """t.load/t.store and their packed variants: C.mems[0] must be defined and the
        alignment 2^a must not exceed the access width in bytes."""
        self.ctx.mem(0)
        t, width, _ = MEMORY_ACCESS[instr.op]
        align = instr.imm[0]
        natural_exponent = (width // 8).bit_length() - 1
        if align > natural_exponent:
            raise ValidationError(
                f"alignment must not be larger than natural ({instr.op}, 2^{show_index(align)})")
        if ".load" in instr.op:
            self.pop_expect(I32)
            self.push_val(t)
        else:
            self.pop_expect(t)
            self.pop_expect(I32)

    def memory_size(self, instr: Instruction) -> None:
        """memory.size: [] -> [i32]."""
        self.ctx.mem(0)
        self.push_val(I32)

    def memory_grow(self, instr: Instruction) -> None:
        """memory.grow: [i32] -> [i32]."""
        self.ctx.mem(0)
        self.pop_expect(I32)
        self.push_val(I32)

    def memory_bulk(self, instr: Instruction) -> None:
        """memory.fill and memory.copy: [i32 i32 i32] -> []."""
        self.ctx.mem(0)
        self.pop_vals((I32, I32, I32))

    def memory_init(self, instr: Instruction) -> None:
        """memory.init x: [i32 i32 i32] -> []; C.mems[0] and C.datas[x] must be defined."""
        self.ctx.mem(0)
        self.ctx.data(instr.imm[0])
        self.pop_vals((I32, I32, I32))

    def data_drop(self, instr: Instruction) -> None:
        """data.drop x: [] -> []; C.datas[x] must be defined."""
        self.ctx.data(instr.imm[0])

    # --- Control instructions (3.3.8) -----------------------------------------------------

    def nop(self, instr: Instruction) -> None:
        """nop: [] -> []."""

    def unreachable_(self, instr: Instruction) -> None:
        """unreachable: [t1*] -> [t2*] (stack-polymorphic)."""
        self.unreachable()

    def block(self, instr: Instruction) -> None:
        """block bt / loop bt: [t1*] -> [t2*] where bt is [t1*] -> [t2*]."""
        ft = block_type(self.ctx, instr.imm[0])
        self.pop_vals(ft.params)
        self.push_ctrl(instr.op, ft.params, ft.results)

    def if_(self, instr: Instruction) -> None:
        """if bt: [t1* i32] -> [t2*]."""
        ft = block_type(self.ctx, instr.imm[0])
        self.pop_expect(I32)
        self.pop_vals(ft.params)
        self.push_ctrl("if", ft.params, ft.results)

    def else_(self, instr: Instruction) -> None:
        """else: closes the then-branch of an if and opens its else-branch."""
        if not self.ctrls or self.ctrls[-1].opcode != "if":
            raise ValidationError("else without a matching if")
        frame = self.pop_ctrl()
        self.push_ctrl("else", frame.start_types, frame.end_types)

    def end(self, instr: Instruction) -> None:
        """end: closes the innermost frame and pushes its results. An if without else has an
        implicit empty else-branch, so its parameters must equal its results."""
        frame = self.pop_ctrl()
        if frame.opcode == "if" and frame.start_types != frame.end_types:
            raise type_mismatch(
                f"if without else must have type {_show(frame.end_types)} -> "
                f"{_show(frame.end_types)}, has {_show(frame.start_types)} -> "
                f"{_show(frame.end_types)}")
        self.push_vals(frame.end_types)

    def br(self, instr: Instruction) -> None:
        """br l: [t1* t*] -> [t2*] where C.labels[l] = [t*]."""
        self.pop_vals(self.label(instr.imm[0]).label_types)
        self.unreachable()

    def br_if(self, instr: Instruction) -> None:
        """br_if l: [t* i32] -> [t*]."""
        types = self.label(instr.imm[0]).label_types
        self.pop_expect(I32)
        self.pop_vals(types)
        self.push_vals(types)

    def br_table(self, instr: Instruction) -> None:
        """br_table l* lN: [t1* t* i32] -> [t2*]; every label must carry as many values as
        the default label lN, and the operands must match each of them."""
        labels, default = instr.imm
        self.pop_expect(I32)
        default_types = self.label(default).label_types
        arity = len(default_types)
        for l in labels:
            types = self.label(l).label_types
            if len(types) != arity:
                raise type_mismatch(
                    f"br_table label {show_index(l)} carries {_show(types)}, "
                    f"the default label {_show(default_types)}")
            self.push_vals(self.pop_vals(types))
        self.pop_vals(default_types)
        self.unreachable()

    def return_(self, instr: Instruction) -> None:
        """return: [t1* t*] -> [t2*] where C.return = [t*]."""
        if self.ctx.return_ is None:
            raise ValidationError("return outside a function")
        self.pop_vals(self.ctx.return_)
        self.unreachable()

    def call(self, instr: Instruction) -> None:
        """call x: [t1*] -> [t2*] where C.funcs[x] = [t1*] -> [t2*]."""
        ft = self.ctx.func(instr.imm[0])
        self.pop_vals(ft.params)
        self.push_vals(ft.results)

    def call_indirect(self, instr: Instruction) -> None:
        """call_indirect x y (type x, table y): [t1* i32] -> [t2*]; table y holds funcref."""
        typeidx, tableidx = instr.imm
        table = self.ctx.table(tableidx)
        ft = self.ctx.type_(typeidx)
        if table.elem_type != ValType.FUNCREF:
            raise type_mismatch(f"call_indirect through a {table.elem_type.value} table")
        self.pop_expect(I32)
        self.pop_vals(ft.params)
        self.push_vals(ft.results)

    def run(self, body: Sequence[Instruction], results: tuple[ValType, ...]) -> None:
        """Validate ``body`` (ending with the ``end`` that closes it) as an expression of
        result type ``results`` (spec 3.3.10): the whole sequence is the implicit block of
        the function (or constant expression), opened with ``push_ctrl``."""
        self.push_ctrl("function", (), results)
        for i, instr in enumerate(body):
            if not self.ctrls:
                raise ValidationError(f"instruction {i} follows the final end")
            rule = RULES.get(instr.op)
            if rule is None:
                raise ValidationError(f"unknown instruction {instr.op[:40]!r}")
            rule(self, instr)
        if self.ctrls:
            raise ValidationError("expression is missing its final end")



_V = ExprValidator

#: The typing rule of every instruction, by mnemonic (the case analysis of appendix A.3's
#: ``validate`` function).
RULES: dict[str, Callable[[ExprValidator, Instruction], None]] = {
    # Control instructions
    "unreachable": _V.unreachable_, "nop": _V.nop, "block": _V.block, "loop": _V.block,
    "if": _V.if_, "else": _V.else_, "end": _V.end, "br": _V.br, "br_if": _V.br_if,
    "br_table": _V.br_table, "return": _V.return_, "call": _V.call,
    "call_indirect": _V.call_indirect,
    # Reference and parametric instructions
    "ref.null": _V.ref_null, "ref.is_null": _V.ref_is_null, "ref.func": _V.ref_func,
    "drop": _V.drop, "select": _V.select,
    # Variable instructions
    "local.get": _V.local_get, "local.set": _V.local_set, "local.tee": _V.local_tee,
    "global.get": _V.global_get, "global.set": _V.global_set,
    # Table instructions
    "table.get": _V.table_get, "table.set": _V.table_set, "table.size": _V.table_size,
    "table.grow": _V.table_grow, "table.fill": _V.table_fill, "table.copy": _V.table_copy,
    "table.init": _V.table_init, "elem.drop": _V.elem_drop,
    # Memory instructions (loads and stores are added below)
    "memory.size": _V.memory_size, "memory.grow": _V.memory_grow,
    "memory.fill": _V.memory_bulk, "memory.copy": _V.memory_bulk,
    "memory.init": _V.memory_init, "data.drop": _V.data_drop,
}
RULES.update(dict.fromkeys(CONST_TYPES, _V.const))
RULES.update(dict.fromkeys(NUMERIC_SIGNATURES, _V.numeric))
RULES.update(dict.fromkeys(MEMORY_ACCESS, _V.memory_access))

def validate_expr(ctx: Context, body: Sequence[Instruction],
                  results: tuple[ValType, ...]) -> None:
    """Expressions (spec 3.3.10): the flat instruction sequence ``body`` (ending with
    ``end``) is valid with result type ``results`` under context C, checked by the algorithm of
    appendix A.3. Raises ValidationError otherwise."""
    ExprValidator(ctx).run(body, results)
