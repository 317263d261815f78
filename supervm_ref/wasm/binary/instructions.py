"""Instructions in the binary format (WebAssembly spec section 5.4) and expressions (5.4.9).

An expression is decoded into a *flat* tuple of `Instruction` exactly as it appears in the
binary, ``block``/``loop``/``if``/``else``/``end`` markers included. Decoding is iterative: the
nesting of structured instructions is tracked with an explicit stack, never with Python
recursion, so deeply nested code cannot exhaust the host stack.

Immediates follow the conventions of `supervm_ref.wasm.structure.instructions`.
"""

from __future__ import annotations

from typing import Any

from ..errors import CodeTooLarge, DecodeError
from ..structure.instructions import INSTRUCTIONS, UNSUPPORTED_PREFIXES, Instruction
from ..structure.types import ValType
from .reader import Reader
from .types import read_reftype, read_valtype

MASK32 = 0xFFFFFFFF
MASK64 = 0xFFFFFFFFFFFFFFFF

#: Opcodes of proposals outside the profile, for clear errors (the prefixes 0xFB, 0xFD and
#: 0xFE come from `UNSUPPORTED_PREFIXES`).
UNSUPPORTED_OPCODES: dict[int, str] = {
    0x06: "exception handling (try)",
    0x07: "exception handling (catch)",
    0x08: "exception handling (throw)",
    0x09: "exception handling (rethrow)",
    0x0A: "exception handling (throw_ref)",
    0x12: "tail calls (return_call)",
    0x13: "tail calls (return_call_indirect)",
    0x14: "function references (call_ref)",
    0x15: "function references (return_call_ref)",
    0x18: "exception handling (delegate)",
    0x19: "exception handling (catch_all)",
    0x1F: "exception handling (try_table)",
    0xD3: "function references (ref.as_non_null)",
    0xD4: "function references (br_on_null)",
    0xD5: "GC (ref.eq)",
    0xD6: "function references (br_on_non_null)",
    **UNSUPPORTED_PREFIXES,
}

PREFIX_FC = 0xFC

#: Immediate kinds, as small ints for fast dispatch (see the docstring of
#: `supervm_ref.wasm.structure.instructions`).
(K_NONE, K_BLOCK, K_ELSE, K_END, K_U32, K_BR_TABLE, K_U32_U32, K_MEMARG, K_MEM_ZERO,
 K_MEM_INIT, K_MEM_COPY, K_I32, K_I64, K_F32, K_F64, K_REFTYPE, K_SELECT_T) = range(17)

_KIND_CODES: dict[str, int] = {
    "none": K_NONE, "blocktype": K_BLOCK, "label": K_U32, "br_table": K_BR_TABLE,
    "func": K_U32, "call_ind": K_U32_U32, "local": K_U32, "global": K_U32, "table": K_U32,
    "elem": K_U32, "data": K_U32, "table_init": K_U32_U32, "table_copy": K_U32_U32,
    "memarg": K_MEMARG, "mem": K_MEM_ZERO, "mem_init": K_MEM_INIT, "i32": K_I32, "i64": K_I64,
    "f32": K_F32, "f64": K_F64, "reftype": K_REFTYPE, "select_t": K_SELECT_T,
}

#: One decoding entry: (kind, mnemonic, the shared Instruction when it has no immediates).
_Entry = tuple[int, str, Instruction]


def _entries() -> dict[int, _Entry]:
    table: dict[int, _Entry] = {}
    for code, info in INSTRUCTIONS.items():
        kind = _KIND_CODES[info.imm]
        if info.op == "else":
            kind = K_ELSE
        elif info.op == "end":
            kind = K_END
        elif info.op == "memory.copy":
            kind = K_MEM_COPY
        table[code] = (kind, info.op, Instruction(info.op, ()))
    return table


_ENTRIES = _entries()

#: Single-byte opcodes, indexed by byte (None: illegal or the 0xFC prefix).
_BYTE_TABLE: list[_Entry | None] = [_ENTRIES.get(b) for b in range(256)]

#: Opcodes with the 0xFC prefix, by subopcode.
_FC_TABLE: dict[int, _Entry] = {code & 0xFF: e for code, e in _ENTRIES.items() if code >> 8}

ELSE = Instruction("else", ())
END = Instruction("end", ())

#: Block-stack markers: the kind of structured instruction that is open.
_OPEN_BLOCK, _OPEN_IF, _OPEN_ELSE = 0, 1, 2


def _illegal(opcode: int, pos: int, sub: int | None = None) -> DecodeError:
    """The error for an opcode outside the profile (spec 5.4: no such instruction)."""
    text = f"illegal opcode {opcode:02x}" + ("" if sub is None else f" {sub:02x}")
    feature = UNSUPPORTED_OPCODES.get(opcode)
    if feature is not None and sub is None:
        text += f" (unsupported feature: {feature})"
    return DecodeError(text, pos)


def read_blocktype(r: Reader) -> ValType | int | None:
    """Spec 5.4.1 Block types: 0x40 (empty), a value type, or a type index as ``s33``.

    Returns None, the ValType, or the type index.
    """
    b = r.peek()
    if b == 0x40:
        r.pos += 1
        return None
    if b is not None and b & 0xC0 == 0x40:
        # A one-byte negative s33: it must be a value type code.
        return read_valtype(r)
    pos = r.pos
    x = r.s33()
    if x < 0:
        raise DecodeError("malformed block type", pos)
    return x


def read_memarg(r: Reader) -> tuple[int, int]:
    """Spec 5.4.6 ``memarg``: alignment exponent and offset, both ``u32``.

    Bit 6 of the alignment field announces an explicit memory index in the multi-memory
    proposal, which is outside the profile.
    """
    pos = r.pos
    align = r.u32()
    if align & 0x40:
        raise DecodeError("malformed memop flags (unsupported feature: multi-memory "
                          "memory index)", pos)
    offset = r.u32()
    return (align, offset)


def read_expr(r: Reader, max_instructions: int | None = None,
              what: str = "expression") -> tuple[Instruction, ...]:
    """Spec 5.4.9 Expressions: instructions up to and including the ``end`` that closes the
    expression; nested blocks are kept flat with their ``else``/``end`` markers.

    Spec 5.4.1-5.4.7 give each opcode's immediates; decoding them is the body of the loop.
    With ``max_instructions`` (WASM-LIMIT-9), decoding stops with `CodeTooLarge` before the
    instruction that would exceed it is read, so an oversized body costs no more than the
    limit; ``what`` names the expression in the message.
    """
    out: list[Instruction] = []
    append = out.append
    opened: list[int] = []  # the structured instructions that are open, innermost last
    byte_table = _BYTE_TABLE
    limit = -1 if max_instructions is None else max_instructions
    while True:
        if len(out) == limit:  # the expression has not ended: one more instruction follows
            raise CodeTooLarge(what, "max_function_instructions", limit, limit + 1,
                               f"decoding stopped at instruction {limit + 1} (byte {r.pos})",
                               r.pos)
        pos = r.pos
        b = r.byte()
        entry = byte_table[b]
        if entry is None:
            if b != PREFIX_FC:
                raise _illegal(b, pos)
            sub = r.u32()
            fc_entry = _FC_TABLE.get(sub)
            if fc_entry is None:
                raise _illegal(b, pos, sub)
            entry = fc_entry
        kind, op, shared = entry
        if kind == K_NONE:
            append(shared)
        elif kind == K_U32:
            append(Instruction(op, (r.u32(),)))
        elif kind == K_END:
            append(END)
            if not opened:
                return tuple(out)
            opened.pop()
        elif kind == K_I32:
            append(Instruction(op, (r.s32() & MASK32,)))
        elif kind == K_MEMARG:
            append(Instruction(op, read_memarg(r)))
        elif kind == K_BLOCK:
            append(Instruction(op, (read_blocktype(r),)))
            opened.append(_OPEN_IF if op == "if" else _OPEN_BLOCK)
        elif kind == K_ELSE:
            if not opened or opened[-1] != _OPEN_IF:
                raise DecodeError("END opcode expected (misplaced else)", pos)
            opened[-1] = _OPEN_ELSE
            append(ELSE)
        else:
            append(Instruction(op, _immediates(r, kind, op)))


def _immediates(r: Reader, kind: int, op: str) -> tuple[Any, ...]:
    """Decode the immediates of the less frequent instruction kinds (spec 5.4)."""
    if kind == K_I64:
        return (r.s64() & MASK64,)
    if kind == K_F32:
        return (r.f32_bits(),)
    if kind == K_F64:
        return (r.f64_bits(),)
    if kind == K_BR_TABLE:
        n = r.length()
        labels = tuple(r.u32() for _ in range(n))
        return (labels, r.u32())
    if kind == K_U32_U32:
        x = r.u32()
        return (x, r.u32())
    if kind == K_MEM_ZERO:
        r.expect_zero("reserved memory index; multi-memory is not supported")
        return ()
    if kind == K_MEM_COPY:
        r.expect_zero("reserved memory index; multi-memory is not supported")
        r.expect_zero("reserved memory index; multi-memory is not supported")
        return ()
    if kind == K_MEM_INIT:
        x = r.u32()
        r.expect_zero("reserved memory index; multi-memory is not supported")
        return (x,)
    if kind == K_REFTYPE:
        return (read_reftype(r),)
    if kind == K_SELECT_T:
        n = r.length()
        return (tuple(read_valtype(r) for _ in range(n)),)
    raise DecodeError(f"internal: unknown immediate kind for {op}", r.pos)  # pragma: no cover

