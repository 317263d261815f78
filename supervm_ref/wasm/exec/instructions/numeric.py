"""Numeric instructions (WebAssembly spec section 4.4.1).

The spec defines the numeric instructions by six rules, ``t.const``, ``t.unop``, ``t.binop``,
``t.testop``, ``t.relop`` and ``t2.cvtop_t1``, each applying the instruction's *operator* (spec
4.3, `supervm_ref.wasm.exec.numerics`) to the values on the stack. `NUMERIC` says, for every
numeric instruction, which rule executes it and with which operator: ``i32.add`` is
``t.binop`` with ``iadd_32``. Where an operator is undefined for its operands it raises `Trap`,
and so does the instruction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..code import Definition, Handler, Stack, constant, first_immediate
from ..numerics import conversion as c
from ..numerics import floating as f
from ..numerics import integer as i


def const(stack: Stack, value: int) -> None:
    """4.4.1 ``t.const c``: push the value ``c``."""
    stack.append(value)


def unop(stack: Stack, operator: Callable[[int], int]) -> None:
    """4.4.1 ``t.unop``: pop ``c1``; push ``unop_t(c1)``."""
    stack[-1] = operator(stack[-1])


def binop(stack: Stack, operator: Callable[[int, int], int]) -> None:
    """4.4.1 ``t.binop``: pop ``c2``, then ``c1``; push ``binop_t(c1, c2)`` (trap if it is
    undefined)."""
    c2 = stack.pop()
    stack[-1] = operator(stack[-1], c2)


def testop(stack: Stack, operator: Callable[[int], int]) -> None:
    """4.4.1 ``t.testop``: pop ``c1``; push the i32 ``testop_t(c1)`` (1 or 0)."""
    stack[-1] = operator(stack[-1])


def relop(stack: Stack, operator: Callable[[int, int], int]) -> None:
    """4.4.1 ``t.relop``: pop ``c2``, then ``c1``; push the i32 ``relop_t(c1, c2)``."""
    c2 = stack.pop()
    stack[-1] = operator(stack[-1], c2)


def cvtop(stack: Stack, operator: Callable[[int], int]) -> None:
    """4.4.1 ``t2.cvtop_t1``: pop ``c1``; push ``cvtop_{t1,t2}(c1)`` (trap if it is
    undefined)."""
    stack[-1] = operator(stack[-1])


#: Every numeric instruction except ``t.const``: the rule that executes it and its operator.
NUMERIC: dict[str, tuple[Handler, Callable[..., int]]] = {
    # i32 (operators: spec 4.3.2)
    "i32.eqz": (testop, i.ieqz),
    "i32.eq": (relop, i.ieq),
    "i32.ne": (relop, i.ine),
    "i32.lt_s": (relop, i.ilt_s_32),
    "i32.lt_u": (relop, i.ilt_u),
    "i32.gt_s": (relop, i.igt_s_32),
    "i32.gt_u": (relop, i.igt_u),
    "i32.le_s": (relop, i.ile_s_32),
    "i32.le_u": (relop, i.ile_u),
    "i32.ge_s": (relop, i.ige_s_32),
    "i32.ge_u": (relop, i.ige_u),
    "i32.clz": (unop, i.iclz_32),
    "i32.ctz": (unop, i.ictz_32),
    "i32.popcnt": (unop, i.ipopcnt),
    "i32.add": (binop, i.iadd_32),
    "i32.sub": (binop, i.isub_32),
    "i32.mul": (binop, i.imul_32),
    "i32.div_s": (binop, i.idiv_s_32),
    "i32.div_u": (binop, i.idiv_u_32),
    "i32.rem_s": (binop, i.irem_s_32),
    "i32.rem_u": (binop, i.irem_u_32),
    "i32.and": (binop, i.iand),
    "i32.or": (binop, i.ior),
    "i32.xor": (binop, i.ixor),
    "i32.shl": (binop, i.ishl_32),
    "i32.shr_s": (binop, i.ishr_s_32),
    "i32.shr_u": (binop, i.ishr_u_32),
    "i32.rotl": (binop, i.irotl_32),
    "i32.rotr": (binop, i.irotr_32),
    "i32.extend8_s": (unop, i.iextend8_s_32),
    "i32.extend16_s": (unop, i.iextend16_s_32),
    # i64 (operators: spec 4.3.2)
    "i64.eqz": (testop, i.ieqz),
    "i64.eq": (relop, i.ieq),
    "i64.ne": (relop, i.ine),
    "i64.lt_s": (relop, i.ilt_s_64),
    "i64.lt_u": (relop, i.ilt_u),
    "i64.gt_s": (relop, i.igt_s_64),
    "i64.gt_u": (relop, i.igt_u),
    "i64.le_s": (relop, i.ile_s_64),
    "i64.le_u": (relop, i.ile_u),
    "i64.ge_s": (relop, i.ige_s_64),
    "i64.ge_u": (relop, i.ige_u),
    "i64.clz": (unop, i.iclz_64),
    "i64.ctz": (unop, i.ictz_64),
    "i64.popcnt": (unop, i.ipopcnt),
    "i64.add": (binop, i.iadd_64),
    "i64.sub": (binop, i.isub_64),
    "i64.mul": (binop, i.imul_64),
    "i64.div_s": (binop, i.idiv_s_64),
    "i64.div_u": (binop, i.idiv_u_64),
    "i64.rem_s": (binop, i.irem_s_64),
    "i64.rem_u": (binop, i.irem_u_64),
    "i64.and": (binop, i.iand),
    "i64.or": (binop, i.ior),
    "i64.xor": (binop, i.ixor),
    "i64.shl": (binop, i.ishl_64),
    "i64.shr_s": (binop, i.ishr_s_64),
    "i64.shr_u": (binop, i.ishr_u_64),
    "i64.rotl": (binop, i.irotl_64),
    "i64.rotr": (binop, i.irotr_64),
    "i64.extend8_s": (unop, i.iextend8_s_64),
    "i64.extend16_s": (unop, i.iextend16_s_64),
    "i64.extend32_s": (unop, i.iextend32_s_64),
    # f32 (operators: spec 4.3.3)
    "f32.eq": (relop, f.feq_32),
    "f32.ne": (relop, f.fne_32),
    "f32.lt": (relop, f.flt_32),
    "f32.gt": (relop, f.fgt_32),
    "f32.le": (relop, f.fle_32),
    "f32.ge": (relop, f.fge_32),
    "f32.abs": (unop, f.fabs_32),
    "f32.neg": (unop, f.fneg_32),
    "f32.ceil": (unop, f.fceil_32),
    "f32.floor": (unop, f.ffloor_32),
    "f32.trunc": (unop, f.ftrunc_32),
    "f32.nearest": (unop, f.fnearest_32),
    "f32.sqrt": (unop, f.fsqrt_32),
    "f32.add": (binop, f.fadd_32),
    "f32.sub": (binop, f.fsub_32),
    "f32.mul": (binop, f.fmul_32),
    "f32.div": (binop, f.fdiv_32),
    "f32.min": (binop, f.fmin_32),
    "f32.max": (binop, f.fmax_32),
    "f32.copysign": (binop, f.fcopysign_32),
    # f64 (operators: spec 4.3.3)
    "f64.eq": (relop, f.feq_64),
    "f64.ne": (relop, f.fne_64),
    "f64.lt": (relop, f.flt_64),
    "f64.gt": (relop, f.fgt_64),
    "f64.le": (relop, f.fle_64),
    "f64.ge": (relop, f.fge_64),
    "f64.abs": (unop, f.fabs_64),
    "f64.neg": (unop, f.fneg_64),
    "f64.ceil": (unop, f.fceil_64),
    "f64.floor": (unop, f.ffloor_64),
    "f64.trunc": (unop, f.ftrunc_64),
    "f64.nearest": (unop, f.fnearest_64),
    "f64.sqrt": (unop, f.fsqrt_64),
    "f64.add": (binop, f.fadd_64),
    "f64.sub": (binop, f.fsub_64),
    "f64.mul": (binop, f.fmul_64),
    "f64.div": (binop, f.fdiv_64),
    "f64.min": (binop, f.fmin_64),
    "f64.max": (binop, f.fmax_64),
    "f64.copysign": (binop, f.fcopysign_64),
    # Conversions (operators: spec 4.3.4)
    "i32.wrap_i64": (cvtop, c.i32_wrap_i64),
    "i32.trunc_f32_s": (cvtop, c.i32_trunc_f32_s),
    "i32.trunc_f32_u": (cvtop, c.i32_trunc_f32_u),
    "i32.trunc_f64_s": (cvtop, c.i32_trunc_f64_s),
    "i32.trunc_f64_u": (cvtop, c.i32_trunc_f64_u),
    "i64.extend_i32_s": (cvtop, c.i64_extend_i32_s),
    "i64.extend_i32_u": (cvtop, c.i64_extend_i32_u),
    "i64.trunc_f32_s": (cvtop, c.i64_trunc_f32_s),
    "i64.trunc_f32_u": (cvtop, c.i64_trunc_f32_u),
    "i64.trunc_f64_s": (cvtop, c.i64_trunc_f64_s),
    "i64.trunc_f64_u": (cvtop, c.i64_trunc_f64_u),
    "f32.convert_i32_s": (cvtop, c.f32_convert_i32_s),
    "f32.convert_i32_u": (cvtop, c.f32_convert_i32_u),
    "f32.convert_i64_s": (cvtop, c.f32_convert_i64_s),
    "f32.convert_i64_u": (cvtop, c.f32_convert_i64_u),
    "f32.demote_f64": (cvtop, c.f32_demote_f64),
    "f64.convert_i32_s": (cvtop, c.f64_convert_i32_s),
    "f64.convert_i32_u": (cvtop, c.f64_convert_i32_u),
    "f64.convert_i64_s": (cvtop, c.f64_convert_i64_s),
    "f64.convert_i64_u": (cvtop, c.f64_convert_i64_u),
    "f64.promote_f32": (cvtop, c.f64_promote_f32),
    "i32.reinterpret_f32": (cvtop, c.reinterpret),
    "i64.reinterpret_f64": (cvtop, c.reinterpret),
    "f32.reinterpret_i32": (cvtop, c.reinterpret),
    "f64.reinterpret_i64": (cvtop, c.reinterpret),
    "i32.trunc_sat_f32_s": (cvtop, c.i32_trunc_sat_f32_s),
    "i32.trunc_sat_f32_u": (cvtop, c.i32_trunc_sat_f32_u),
    "i32.trunc_sat_f64_s": (cvtop, c.i32_trunc_sat_f64_s),
    "i32.trunc_sat_f64_u": (cvtop, c.i32_trunc_sat_f64_u),
    "i64.trunc_sat_f32_s": (cvtop, c.i64_trunc_sat_f32_s),
    "i64.trunc_sat_f32_u": (cvtop, c.i64_trunc_sat_f32_u),
    "i64.trunc_sat_f64_s": (cvtop, c.i64_trunc_sat_f64_s),
    "i64.trunc_sat_f64_u": (cvtop, c.i64_trunc_sat_f64_u),
}

#: How each rule changes the operand-stack height: a binary rule pops two values and pushes
#: one, a unary rule replaces one value.
_EFFECT: dict[Any, int] = {unop: 0, binop: -1, testop: 0, relop: -1, cvtop: 0}


def _definitions() -> dict[str, Definition]:
    defs = {name: Definition(handler, constant(operator), _EFFECT[handler])
            for name, (handler, operator) in NUMERIC.items()}
    for name in ("i32.const", "i64.const", "f32.const", "f64.const"):
        defs[name] = Definition(const, first_immediate, 1)
    return defs


#: The definitions of the numeric instructions (see `supervm_ref.wasm.exec.code`).
DEFINITIONS: dict[str, Definition] = _definitions()
