"""Instructions in the text format (WebAssembly spec section 6.5) and expressions (6.5.9).

Instructions are parsed into the flat form of `supervm_ref.wasm.structure.instructions` (the
binary's order, ``block``/``if``/``else``/``end`` markers included): a folded instruction
``(op imm* folded*)`` emits its operands first, then ``op`` (WASM-TEXT-INSTR-2).

Rules (spec/wasm-text.md):

- WASM-TEXT-INSTR-1: the mnemonics are those of the profile; an unknown mnemonic is malformed
  (``unknown operator``). Immediates: indices (`resolve`), ``offset=u32`` then ``align=u32``
  (a power of two, default the natural alignment), integer and float literals (`values`),
  optional table indices (0 when omitted; ``table.init y`` is ``table.init 0 y``).
- WASM-TEXT-INSTR-2: folded forms: ``(block label bt instr*)``, ``(loop ...)``,
  ``(if label bt folded* (then instr*) (else instr*)?)``, ``(op imm* folded*)``.
- WASM-TEXT-INSTR-3: structured instructions bind an optional label; a label repeated after
  ``else``/``end`` must be the same identifier (``mismatching label``). Block types are
  ``(result t)?`` (a value type or none) or a type use (a type index, possibly inserted).
- WASM-TEXT-INSTR-4: an ``if`` whose else branch is empty is parsed without the ``else``
  marker (the binary format's short form, spec 5.4.1), so ``(if (then ...) (else))`` and
  ``(if (then ...))`` are the same instruction sequence.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..structure.instructions import INSTRUCTIONS, MEMORY_ACCESS, Instruction
from ..structure.types import FuncType, ValType
from .lexer import ATOM, LPAR, RPAR
from .parser import Cursor
from .resolve import IdContext
from .types import heaptype, params, results
from .values import F32_FORMAT, F64_FORMAT, parse_float, parse_iN

#: Mnemonic -> immediate kind (see `supervm_ref.wasm.structure.instructions`).
IMMEDIATES: dict[str, str] = {info.op: info.imm for info in INSTRUCTIONS.values()
                              if info.imm != "select_t"}

#: Mnemonics of proposals outside the profile, for clear errors.
UNSUPPORTED_PREFIXES = {"v128.": "SIMD", "i8x16.": "SIMD", "i16x8.": "SIMD", "i32x4.": "SIMD",
                        "i64x2.": "SIMD", "f32x4.": "SIMD", "f64x2.": "SIMD",
                        "return_call": "tail calls", "memory.atomic": "threads",
                        "atomic.": "threads", "try": "exception handling",
                        "throw": "exception handling", "call_ref": "function references"}

STRUCTURED = frozenset({"block", "loop", "if"})
END_INSTR = Instruction("end", ())
ELSE_INSTR = Instruction("else", ())
_NO_IMM: dict[str, Instruction] = {op: Instruction(op, ()) for op, k in IMMEDIATES.items()
                                   if k in ("none", "mem")}


#: Keywords of the grammar that are not instructions: where an instruction is expected they
#: are an unexpected token, any other word is an unknown operator (as the reference
#: interpreter's lexer and parser tell them apart).
GRAMMAR_KEYWORDS = frozenset({
    "module", "type", "func", "param", "result", "local", "import", "export", "table",
    "memory", "global", "elem", "data", "start", "offset", "item", "declare", "mut", "then",
    "else", "end", "funcref", "externref", "extern", "i32", "i64", "f32", "f64", "binary",
    "quote", "register", "invoke", "get", "nan:canonical", "nan:arithmetic"})


def _unknown(c: Cursor, op: str) -> None:
    if op in GRAMMAR_KEYWORDS or op[0] == "$" or _is_number(op):
        c.fail(f"unexpected token {op!r}", c.i - 1)
    for prefix, feature in UNSUPPORTED_PREFIXES.items():
        if op.startswith(prefix):
            c.fail(f"unknown operator {op} (unsupported feature: {feature})", c.i - 1)
    c.fail(f"unknown operator {op}", c.i - 1)


def blocktype(c: Cursor, ctx: IdContext) -> ValType | int | None:
    """Spec 6.5.2 Block types (WASM-TEXT-INSTR-3): none, one result type, or a type use."""
    start = c.i
    if c.opened() not in ("type", "param", "result"):
        return None
    explicit: int | None = None
    if c.opened() == "type":
        c.i += 2
        explicit = ctx.index(c, "type")
        c.close()
    inline_start = c.i
    ps = params(c, None)
    rs = results(c)
    if c.opened() in ("param", "type"):
        c.fail(f"unexpected token: ({c.opened()} ...) out of order in a type use")
    if explicit is None:
        if not ps and len(rs) <= 1:
            return rs[0] if rs else None
        return ctx.type_index_of(FuncType(tuple(ps), tuple(rs)))
    if c.i != inline_start:
        if explicit >= len(ctx.types):
            c.fail("unknown type", start)
        ft = ctx.types[explicit]
        if (tuple(ps), tuple(rs)) != (ft.params, ft.results):
            c.fail("inline function type does not match its type", start)
    return explicit


def _memarg(c: Cursor, op: str) -> tuple[int, int]:
    """``offset=u32? align=u32?`` (WASM-TEXT-INSTR-1): (alignment exponent, offset)."""
    offset = 0
    natural = MEMORY_ACCESS[op][1] // 8
    align = natural
    t = c.atom()
    if t is not None and t.startswith("offset="):
        offset = _keyword_value(c, t[7:])
        t = c.atom()
    if t is not None and t.startswith("align="):
        align = _keyword_value(c, t[6:])
        if align == 0 or align & (align - 1):
            c.fail("alignment must be a power of two")
    return (align.bit_length() - 1, offset)


def _is_number(t: str) -> bool:
    """Whether an atom is a number token (an integer or a float literal)."""
    try:
        return parse_float(t, F64_FORMAT) is not None
    except ValueError:
        return True


def _keyword_value(c: Cursor, text: str) -> int:
    from .values import parse_u32

    try:
        v = parse_u32(text)
    except ValueError as e:
        c.fail(str(e))
    if v is None:
        c.fail(f"unknown operator {c.texts[c.i]}")
    c.i += 1
    return v


def _literal(c: Cursor, parse: Callable[[str], int | None], what: str) -> int:
    t = c.atom()
    if t is None:
        c.unexpected()
    try:
        v = parse(t)
    except ValueError as e:
        c.fail(str(e))
    if v is None:
        if t[0] == "$" or t in IMMEDIATES or t in GRAMMAR_KEYWORDS or _is_number(t):
            c.fail(f"unexpected token {t!r}: expected {what}")
        c.fail(f"unknown operator {t!r}: expected {what}")
    c.i += 1
    return v


def _i32(t: str) -> int | None:
    return parse_iN(t, 32)


def _i64(t: str) -> int | None:
    return parse_iN(t, 64)


def _f32(t: str) -> int | None:
    return parse_float(t, F32_FORMAT)


def _f64(t: str) -> int | None:
    return parse_float(t, F64_FORMAT)


def plain(c: Cursor, ctx: IdContext, op: str) -> Instruction:
    """Spec 6.5 a plain instruction other than block/loop/if: the mnemonic (already consumed)
    and its immediates (WASM-TEXT-INSTR-1)."""
    shared = _NO_IMM.get(op)
    if shared is not None:
        return shared
    kind = IMMEDIATES.get(op)
    imm: tuple[Any, ...]
    if kind is None:
        _unknown(c, op)
        raise AssertionError  # pragma: no cover
    if kind == "local":
        imm = (ctx.local(c),)
    elif kind == "i32":
        imm = (_literal(c, _i32, "an i32 literal"),)
    elif kind == "i64":
        imm = (_literal(c, _i64, "an i64 literal"),)
    elif kind == "f32":
        imm = (_literal(c, _f32, "an f32 literal"),)
    elif kind == "f64":
        imm = (_literal(c, _f64, "an f64 literal"),)
    elif kind == "global":
        imm = (ctx.index(c, "global"),)
    elif kind == "func":
        imm = (ctx.index(c, "func"),)
    elif kind == "label":
        imm = (ctx.label(c),)
    elif kind == "memarg":
        imm = _memarg(c, op)
    elif kind == "br_table":
        labels = [ctx.label(c)]
        while ctx.is_index(c):
            labels.append(ctx.label(c))
        imm = (tuple(labels[:-1]), labels[-1])
    elif kind == "call_ind":
        table = ctx.index_opt(c, "table")
        from .types import typeuse

        imm = (typeuse(c, ctx, None), 0 if table is None else table)
    elif kind == "table":
        x = ctx.index_opt(c, "table")
        imm = (0 if x is None else x,)
    elif kind == "table_init":
        if ctx.is_index(c) and _is_index_text(c.atom(1)):
            x = ctx.index(c, "table")
            imm = (ctx.index(c, "elem"), x)
        else:
            imm = (ctx.index(c, "elem"), 0)
    elif kind == "table_copy":
        dst = ctx.index_opt(c, "table")
        if dst is None:
            imm = (0, 0)
        else:
            imm = (dst, ctx.index(c, "table"))
    elif kind == "elem":
        imm = (ctx.index(c, "elem"),)
    elif kind in ("data", "mem_init"):
        imm = (ctx.index(c, "data"),)
    elif kind == "reftype":
        imm = (heaptype(c),)
    else:  # pragma: no cover - every kind of the table is handled above
        c.fail(f"internal: immediate kind {kind}")
    return Instruction(op, imm)


def _is_index_text(t: str | None) -> bool:
    return t is not None and (t[0] == "$" or t[0].isdigit())


def _select(c: Cursor) -> Instruction:
    """``select (result t*)*``: typed when result clauses follow."""
    if c.opened() != "result":
        return _NO_IMM["select"]
    return Instruction("select", (tuple(results(c)),))


def _end_label(c: Cursor, label: str | None) -> None:
    """An optional identifier after ``else``/``end``: it must repeat the block's label."""
    t = c.peek_id()
    if t is not None:
        if t != label:
            c.fail(f"mismatching label {t}")
        c.i += 1


#: WASM-TEXT-INSTR-5: the deepest nesting of folded instructions (a folded instruction inside
#: this many enclosing folded instructions is malformed, ``nesting too deep``). Plain
#: ``block``/``loop``/``if`` ... ``end`` nest without limit. The limit is a fixed counter, not
#: Python's stack: the outcome does not depend on where the parser is called from.
FOLDED_DEPTH_LIMIT = 200


def instrs(c: Cursor, ctx: IdContext, out: list[Instruction], depth: int = 0) -> None:
    """Spec 6.5 a sequence of instructions, plain or folded (WASM-TEXT-INSTR-2), up to a
    ``)``, ``end`` or ``else`` (not consumed) that closes no plain block of the sequence.

    Plain structured instructions (WASM-TEXT-INSTR-3, WASM-TEXT-INSTR-4) are parsed without
    recursion, with an explicit stack of the open blocks (WASM-TEXT-INSTR-5); ``depth`` is the
    number of folded instructions around the sequence."""
    kinds, texts = c.kinds, c.texts
    # The open plain blocks: (mnemonic, label, inside the else branch).
    blocks: list[tuple[str, str | None, bool]] = []
    while True:
        k = kinds[c.i] if c.i < c.n else None
        if k == LPAR:
            folded(c, ctx, out, depth)
            continue
        if k == ATOM:
            op = texts[c.i]
            if op != "end" and op != "else":
                c.i += 1
                if op in STRUCTURED:
                    label = c.id_opt()
                    out.append(Instruction(op, (blocktype(c, ctx),)))
                    ctx.labels.append(label)
                    blocks.append((op, label, False))
                elif op == "select":
                    out.append(_select(c))
                else:
                    out.append(plain(c, ctx, op))
                continue
        elif k is not None and k != RPAR:  # a string where an instruction should be
            c.unexpected()
        # ``end``, ``else``, ``)`` or the end of the input: it closes the innermost plain block.
        if not blocks:
            return
        op, label, in_else = blocks[-1]
        if op == "if" and not in_else and k == ATOM and texts[c.i] == "else":
            c.i += 1
            _end_label(c, label)
            out.append(ELSE_INSTR)
            blocks[-1] = (op, label, True)
            continue
        if in_else and out[-1] is ELSE_INSTR:  # an empty else branch is the short form
            out.pop()
        blocks.pop()
        ctx.labels.pop()
        c.keyword("end")
        _end_label(c, label)
        out.append(END_INSTR)


def folded(c: Cursor, ctx: IdContext, out: list[Instruction], depth: int = 0) -> None:
    """Spec 6.5.8 Folded instructions (WASM-TEXT-INSTR-2); ``depth`` folded instructions
    enclose this one, at most `FOLDED_DEPTH_LIMIT` - 1 (WASM-TEXT-INSTR-5)."""
    op = c.opened()
    if op is None:
        c.i += 1
        c.unexpected()
    if depth >= FOLDED_DEPTH_LIMIT:
        c.fail(f"nesting too deep: more than {FOLDED_DEPTH_LIMIT} nested folded instructions")
    depth += 1
    c.i += 2
    if op in ("block", "loop"):
        label = c.id_opt()
        out.append(Instruction(op, (blocktype(c, ctx),)))
        ctx.labels.append(label)
        instrs(c, ctx, out, depth)
        ctx.labels.pop()
        out.append(END_INSTR)
    elif op == "if":
        label = c.id_opt()
        bt = blocktype(c, ctx)
        while c.kind() == LPAR and c.opened() != "then":
            folded(c, ctx, out, depth)
        out.append(Instruction("if", (bt,)))
        ctx.labels.append(label)
        c.open("then")
        instrs(c, ctx, out, depth)
        c.close()
        if c.opened() == "else":
            c.i += 2
            out.append(ELSE_INSTR)
            instrs(c, ctx, out, depth)
            if out[-1] is ELSE_INSTR:  # an empty else branch is the short form
                out.pop()
            c.close()
        ctx.labels.pop()
        out.append(END_INSTR)
    else:
        instr = _select(c) if op == "select" else plain(c, ctx, op)
        while c.kind() == LPAR:
            folded(c, ctx, out, depth)
        out.append(instr)
    c.close()


def expr(c: Cursor, ctx: IdContext) -> tuple[Instruction, ...]:
    """Spec 6.5.9 Expressions: instructions up to the closing ``)``, then ``end``
    (WASM-TEXT-INSTR-2)."""
    out: list[Instruction] = []
    instrs(c, ctx, out)
    if not c.at_close():
        c.unexpected()
    out.append(END_INSTR)
    return tuple(out)
