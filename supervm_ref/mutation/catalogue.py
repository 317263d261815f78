"""The mutation catalogue (spec/mutation.md, MUT-CAT-*): deliberate bugs, one per entry, that
the conformance fixtures alone must detect.

Each entry is a `Mutant`: ``area/name``, what goes wrong, the target (``module:name``) and the
patch (`Source` edits the target function's text, `Wrap` replaces it, `Constant` changes a
value). Targets are small functions and constants with stable names; ``supervm mutate`` and
``tests/mutation`` install every entry, so a refactor that renames or rewrites a target fails
there instead of silently turning a mutant into a no-op.

``hint`` names the fixture target expected to catch the mutant first (a file of
``conformance/fixtures`` by stem, ``isolation``, or ``canaries``). ``survives`` explains an
entry the fixtures cannot detect (MUT-CAT-3).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .mutant import Mutant, Survival, SurvivalReason
from .patch import Constant, Patch, Source, Wrap

_INT = "supervm_ref.wasm.exec.numerics.integer"
_FLOAT = "supervm_ref.wasm.exec.numerics.floating"
_CONV = "supervm_ref.wasm.exec.numerics.conversion"
_REPR = "supervm_ref.wasm.exec.numerics.representation"
_INSTR = "supervm_ref.wasm.exec.instructions"
_MACHINE = "supervm_ref.wasm.exec.machine"
_GAS = "supervm_ref.wasm.exec.gas"
_COMPILE = "supervm_ref.wasm.exec.compile"
_HOSTCALL = "supervm_ref.wasm.runtime.host"
_HOST = "supervm_ref.runtime.host"
_RUNTIME = "supervm_ref.runtime.runtime"
_OVERLAY = "supervm_ref.runtime.overlay"
_STORAGE = "supervm_ref.runtime.storage"
_WASMTIME = "supervm_ref.backends.wasmtime"
_CRYPTO = "supervm_ref.crypto"
_MVCC = "supervm_ref.mvcc"
_BSTM = "supervm_ref.blockstm"
_PAR = "supervm_ref.parallel"
_CONF = "supervm_ref.conformance"
_ROUTING = "supervm_ref.routing"
_ZK = "supervm_ref.privacy"
_PERSIST = "supervm_ref.persistence"
_METRICS = "supervm_ref.metrics"
_TEXT = "supervm_ref.wasm.text"



def _m(mutant_id: str, description: str, target: str, patch: Patch, hint: str = "",
       survives: Survival | None = None) -> Mutant:
    return Mutant(mutant_id, mutant_id.split("/")[0], description, target, patch, hint,
                  survives)


def _const(value: object) -> Patch:
    return Constant(value)


def _returns(value: object) -> Wrap:
    """A replacement that ignores its arguments and returns ``value``."""

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def replacement(*args: Any, **kwargs: Any) -> Any:
            return value

        return replacement

    return Wrap(make)


NUMERICS: tuple[Mutant, ...] = (
    _m("numerics/shl32-count-mod-64", "i32.shl takes its count mod 64, not mod 32: a count "
       "of 32..63 shifts everything out", f"{_INT}:ishl_32", Source("(i2 & 31)", "(i2 & 63)"),
       "numerics"),
    _m("numerics/shl64-count-mod-128", "i64.shl takes its count mod 128, not mod 64",
       f"{_INT}:ishl_64", Source("(i2 & 63)", "(i2 & 127)"), "numerics"),
    _m("numerics/shr-u32-count-mod-64", "i32.shr_u takes its count mod 64",
       f"{_INT}:ishr_u_32", Source("(i2 & 31)", "(i2 & 63)"), "numerics"),
    _m("numerics/shr-u64-count-mod-128", "i64.shr_u takes its count mod 128",
       f"{_INT}:ishr_u_64", Source("(i2 & 63)", "(i2 & 127)"), "numerics"),
    _m("numerics/shr-s32-count-mod-64", "i32.shr_s takes its count mod 64: a count of 32..63 "
       "gives only sign bits", f"{_INT}:ishr_s_32", Source("(i2 & 31)", "(i2 & 63)"),
       "numerics"),
    _m("numerics/shr-s64-logical", "i64.shr_s shifts in zeros (a logical shift)",
       f"{_INT}:ishr_s_64",
       Source("((i1 - ((i1 & 0x8000000000000000) << 1)) >> (i2 & 63))", "(i1 >> (i2 & 63))"),
       "numerics"),
    _m("numerics/rotl32-wrap-off-by-one", "i32.rotl brings back the wrong bits "
       "(i1 >> (31 - k) instead of 32 - k)", f"{_INT}:irotl_32",
       Source("(i1 >> (32 - k))", "(i1 >> (31 - k))"), "numerics"),
    _m("numerics/rotl64-count-mod-32", "i64.rotl takes its count mod 32",
       f"{_INT}:irotl_64", Source("k = i2 & 63", "k = i2 & 31"), "numerics"),
    _m("numerics/rotr64-rotates-left", "i64.rotr rotates left", f"{_INT}:irotr_64",
       Source("((i1 >> k) | (i1 << (64 - k)))", "((i1 << k) | (i1 >> (64 - k)))"),
       "numerics"),
    _m("numerics/rem-s32-int-min-traps", "i32.rem_s(-2**31, -1) traps INTEGER_OVERFLOW like "
       "div_s (it is 0)", f"{_INT}:irem_s_32",
       Source("    j1 = i1 - ((i1 & 0x80000000) << 1)\n",
              "    if i1 == 0x80000000 and i2 == 0xFFFFFFFF:\n"
              "        raise Trap(TrapKind.INTEGER_OVERFLOW)\n"
              "    j1 = i1 - ((i1 & 0x80000000) << 1)\n"), "numerics"),
    _m("numerics/rem-s64-int-min-traps", "i64.rem_s(-2**63, -1) traps INTEGER_OVERFLOW",
       f"{_INT}:irem_s_64",
       Source("    j1 = i1 - ((i1 & 0x8000000000000000) << 1)\n",
              "    if i1 == 0x8000000000000000 and i2 == 0xFFFFFFFFFFFFFFFF:\n"
              "        raise Trap(TrapKind.INTEGER_OVERFLOW)\n"
              "    j1 = i1 - ((i1 & 0x8000000000000000) << 1)\n"), "numerics"),
    _m("numerics/rem-s-sign-of-divisor", "rem_s takes the sign of the divisor",
       f"{_INT}:_rem_s", Source("-r if j1 < 0 else r", "-r if j2 < 0 else r"), "numerics"),
    _m("numerics/div-s-floor", "div_s rounds toward minus infinity (Python's //)",
       f"{_INT}:_div_s",
       Source("q = abs(j1) // abs(j2)\n    return -q if (j1 < 0) != (j2 < 0) else q",
              "return j1 // j2"), "numerics"),
    _m("numerics/div-s64-no-overflow-trap", "i64.div_s(-2**63, -1) wraps instead of trapping",
       f"{_INT}:idiv_s_64",
       Source("if i1 == 0x8000000000000000 and i2 == 0xFFFFFFFFFFFFFFFF:", "if False:"),
       "numerics"),
    _m("numerics/div-u32-by-zero-is-zero", "i32.div_u by 0 gives 0 instead of trapping",
       f"{_INT}:idiv_u_32", Source("raise _divide_by_zero()", "return 0"), "numerics"),
    _m("numerics/rem-u64-by-zero-is-dividend", "i64.rem_u by 0 gives the dividend",
       f"{_INT}:irem_u_64", Source("raise _divide_by_zero()", "return i1"), "numerics"),
    _m("numerics/ctz32-of-zero", "i32.ctz(0) is 0 instead of 32", f"{_INT}:ictz_32",
       Source("if i else 32", "if i else 0"), "numerics"),
    _m("numerics/clz64-width-32", "i64.clz counts from bit 31", f"{_INT}:iclz_64",
       Source("64 - i.bit_length()", "max(32 - i.bit_length(), 0)"), "numerics"),
    _m("numerics/popcnt-drops-top-bit", "popcnt ignores the top bit of an i64",
       f"{_INT}:ipopcnt", Source("i.bit_count()", "(i & 0x7FFFFFFFFFFFFFFF).bit_count()"),
       "numerics"),
    _m("numerics/lt-s32-unsigned", "i32.lt_s compares unsigned", f"{_INT}:ilt_s_32",
       Source("(i1 ^ 0x80000000) < (i2 ^ 0x80000000)", "i1 < i2"), "numerics"),
    _m("numerics/ge-s64-strict", "i64.ge_s is >", f"{_INT}:ige_s_64",
       Source("(i1 ^ 0x8000000000000000) >= (i2", "(i1 ^ 0x8000000000000000) > (i2"),
       "numerics"),
    _m("numerics/le-u-strict", "le_u is <", f"{_INT}:ile_u",
       Source("1 if i1 <= i2", "1 if i1 < i2"), "numerics"),
    _m("numerics/gt-u-inclusive", "gt_u is >=", f"{_INT}:igt_u",
       Source("1 if i1 > i2", "1 if i1 >= i2"), "numerics"),
    _m("numerics/extend8-s32-zero-extends", "i32.extend8_s zero-extends",
       f"{_INT}:iextend8_s_32", Source("((i & 0xFF) - ((i & 0x80) << 1))", "(i & 0xFF)"),
       "numerics"),
    _m("numerics/extend32-s64-zero-extends", "i64.extend32_s zero-extends",
       f"{_INT}:iextend32_s_64",
       Source("((i & 0xFFFFFFFF) - ((i & 0x80000000) << 1))", "(i & 0xFFFFFFFF)"),
       "numerics"),
    _m("numerics/mul64-wraps-at-32", "i64.mul keeps only 32 bits", f"{_INT}:imul_64",
       Source("& 0xFFFFFFFFFFFFFFFF", "& 0xFFFFFFFF"), "numerics"),
    _m("numerics/sub32-mod-wrong", "i32.sub reduces mod 2**32 - 1", f"{_INT}:isub_32",
       Source("(i1 - i2) & 0xFFFFFFFF", "(i1 - i2) % 0xFFFFFFFF"), "numerics"),
    _m("numerics/add64-drops-top-bit", "i64.add clears bit 63", f"{_INT}:iadd_64",
       Source("& 0xFFFFFFFFFFFFFFFF", "& 0x7FFFFFFFFFFFFFFF"), "numerics"),
    _m("numerics/wrap-i64-drops-bit-31", "i32.wrap_i64 keeps 31 bits", f"{_CONV}:i32_wrap_i64",
       Source("i & 0xFFFFFFFF", "i & 0x7FFFFFFF"), "numerics"),
    _m("numerics/extend-i32-s-unsigned", "i64.extend_i32_s zero-extends",
       f"{_CONV}:i64_extend_i32_s",
       Source("(i - ((i & 0x80000000) << 1)) & 0xFFFFFFFFFFFFFFFF", "i"), "numerics"),
    _m("numerics/trunc-range-one-more", "trunc accepts one integer past the upper bound",
       f"{_CONV}:trunc", Source("if not low <= t <= high:", "if not low <= t <= high + 1:"),
       "engine"),
    _m("numerics/trunc-nan-overflow", "trunc of NaN traps INTEGER_OVERFLOW, not "
       "INVALID_CONVERSION", f"{_CONV}:trunc",
       Source("raise Trap(TrapKind.INVALID_CONVERSION)", "raise Trap(TrapKind.INTEGER_OVERFLOW)"),
       "engine"),
    _m("numerics/trunc-sat-nan-all-ones", "trunc_sat of NaN gives all ones, not 0",
       f"{_CONV}:trunc_sat", Source("return 0", "return (1 << n) - 1"), "numerics"),
    _m("numerics/trunc-sat-low-is-zero", "trunc_sat saturates below the range to 0",
       f"{_CONV}:trunc_sat", Source("if x <= low:\n        t = low", "if x <= low:\n        t = 0"),
       "numerics"),
    _m("numerics/convert-u64-signed", "f64.convert_i64_u reads its operand signed",
       f"{_CONV}:f64_convert_i64_u", Source("float(i)", "float(signed_64(i))"), "numerics"),
    _m("numerics/convert-s32-unsigned", "f32.convert_i32_s reads its operand unsigned",
       f"{_CONV}:f32_convert_i32_s", Source("int_to_f32(signed_32(i))", "int_to_f32(i)"),
       "numerics"),
    _m("numerics/f32-rounding-ties-away", "integer to f32 rounds ties away from zero",
       f"{_REPR}:int_to_f32",
       Source("if rest > half or (rest == half and significand & 1):", "if rest >= half:"),
       "numerics"),
    _m("numerics/demote-overflow-nan", "f32.demote_f64 of a value beyond f32 gives NaN, not "
       "an infinity", f"{_REPR}:float_to_f32",
       Source("return F32_INF if x > 0 else F32_INF | F32_SIGN", "return F32_CANONICAL_NAN"),
       "numerics"),
    _m("numerics/nan-negative", "an arithmetic f64 NaN is the negative canonical NaN",
       f"{_REPR}:float_to_f64",
       Source("return F64_CANONICAL_NAN", "return F64_CANONICAL_NAN | F64_SIGN"), "numerics"),
    _m("numerics/min-zero-positive", "f32.min(-0, +0) is +0", f"{_FLOAT}:fmin_32",
       Source("return z1 | z2", "return z1 & z2"), "numerics"),
    _m("numerics/max64-nan-payload", "f64.max returns the NaN operand, not the canonical NaN",
       f"{_FLOAT}:fmax_64",
       Source("if x != x or y != y:\n        return F64_CANONICAL_NAN",
              "if x != x or y != y:\n        return z1 if x != x else z2"), "numerics"),
    _m("numerics/copysign-keeps-sign", "f64.copysign keeps the first operand's sign",
       f"{_FLOAT}:fcopysign_64", Source("| (z2 & F64_SIGN)", "| (z1 & F64_SIGN)"),
       "numerics"),
    _m("numerics/neg-sets-sign", "f32.neg sets the sign bit instead of flipping it",
       f"{_FLOAT}:fneg_32", Source("z ^ F32_SIGN", "z | F32_SIGN"), "numerics"),
    _m("numerics/nearest-half-up", "nearest rounds ties up, not to even",
       f"{_FLOAT}:_nearest_even", Source("return round(x)", "return math.floor(x + 0.5)"),
       "numerics"),
    _m("numerics/round-loses-zero-sign", "ceil/floor/trunc/nearest of an f64 that rounds to "
       "zero give +0 whatever the sign", f"{_FLOAT}:_round_integral_64",
       Source("return z & F64_SIGN", "return 0"), "numerics"),
    _m("numerics/div-by-zero-ignores-sign", "x / -0 is an infinity of x's sign",
       f"{_FLOAT}:_divide",
       Source("math.copysign(math.inf, x) * math.copysign(1.0, y)", "math.copysign(math.inf, x)"),
       "numerics"),
    _m("numerics/sqrt-of-zero-nan", "sqrt(+-0) is NaN", f"{_FLOAT}:_sqrt",
       Source("x < 0.0", "x <= 0.0"), "numerics"),
    _m("numerics/eq64-bits", "f64.eq compares bit patterns (-0 != +0, a NaN equals itself)",
       f"{_FLOAT}:feq_64",
       Source("1 if f64_to_float(z1) == f64_to_float(z2)", "1 if z1 == z2"), "numerics"),
    _m("numerics/ge32-nan-true", "f32.ge is 'not less than', true with a NaN",
       f"{_FLOAT}:fge_32",
       Source("1 if f32_to_float(z1) >= f32_to_float(z2)",
              "1 if not f32_to_float(z1) < f32_to_float(z2)"), "numerics"),
    _m("numerics/binop-operands-swapped", "every binary operator gets its operands swapped",
       f"{_INSTR}.numeric:binop",
       Source("operator(stack[-1], c2)", "operator(c2, stack[-1])"), "contracts"),
    _m("numerics/relop-operands-swapped", "every comparison gets its operands swapped",
       f"{_INSTR}.numeric:relop",
       Source("operator(stack[-1], c2)", "operator(c2, stack[-1])"), "contracts"),
)

CONTROL: tuple[Mutant, ...] = (
    _m("control/select-inverted", "select picks the second value when the condition is "
       "non-zero", f"{_INSTR}.parametric:select", Source("if not c:", "if c:"), "contracts"),
    _m("control/tee-pops", "local.tee pops the value it stores", f"{_INSTR}.variable:local_tee",
       Source("stack[x] = stack[-1]", "stack[x] = stack.pop()"), "contracts"),
    _m("control/br-drops-results", "a branch drops the label's result values",
       f"{_INSTR}.control:br",
       Source("if arity:\n        stack[height:] = stack[len(stack) - arity:]\n    else:\n"
              "        del stack[height:]", "del stack[height:]"), "numerics"),
    _m("control/br-if-inverted", "br_if branches when the condition is zero",
       f"{_INSTR}.control:br_if", Source("if stack.pop():", "if not stack.pop():"), "engine"),
    _m("control/br-table-clamps", "br_table takes the last label, not the default, for an "
       "index past the table", f"{_INSTR}.control:br_table",
       Source("branches[i] if i < len(branches) else default",
              "branches[min(i, len(branches) - 1)] if branches else default"), "numerics"),
    _m("control/if-always-then", "if always runs its first arm", f"{_INSTR}.control:if_",
       Source("return else_target", "return None"), "contracts"),
    _m("control/return-keeps-extra", "return keeps one value too many",
       f"{_INSTR}.control:return_",
       Source("del stack[:len(stack) - arity]", "del stack[:max(len(stack) - arity - 1, 0)]"),
       "engine"),
    _m("control/call-indirect-no-type-check", "call_indirect skips the type check",
       f"{_INSTR}.control:call_indirect", Source("if callee.type != expected:", "if False:"),
       "engine"),
    _m("control/call-indirect-null-undefined", "a null element is UNDEFINED_ELEMENT, not "
       "UNINITIALIZED_ELEMENT", f"{_INSTR}.control:call_indirect",
       Source("raise Trap(TrapKind.UNINITIALIZED_ELEMENT", "raise Trap(TrapKind.UNDEFINED_ELEMENT"),
       "engine"),
    _m("control/load-ignores-offset", "a load ignores memarg.offset",
       f"{_INSTR}.memory:load", Source("ea = stack[-1] + offset", "ea = stack[-1]"),
       "contracts"),
    _m("control/load-bounds-start-only", "a load checks only that its first byte is in "
       "memory", f"{_INSTR}.memory:load",
       Source("if ea + width > len(data):", "if ea >= len(data):"), "engine"),
    _m("control/store-drops-top-bit", "a store clears the top bit of the stored value",
       f"{_INSTR}.memory:store", Source("c & mask", "c & (mask >> 1)"), "contracts"),
    _m("control/grow-limit-exclusive", "memory.grow refuses to reach exactly the engine's page "
       "limit", f"{_INSTR}.memory:grow_memory",
       Source("new > store_.limits.max_memory_pages", "new >= store_.limits.max_memory_pages"),
       "engine"),
    _m("control/grow-returns-new-size", "memory.grow returns the new size",
       f"{_INSTR}.memory:grow_memory", Source("    return old\n", "    return new\n"), "engine"),
    _m("control/fill-seven-bits", "memory.fill writes the value's low 7 bits",
       f"{_INSTR}.memory:memory_fill", Source("val & 0xFF", "val & 0x7F"), "numerics"),
    _m("control/copy-forward-overlap", "memory.copy copies byte by byte upwards (wrong when "
       "the ranges overlap with d > s)", f"{_INSTR}.memory:memory_copy",
       Source("data[d:d + n] = data[s:s + n]",
              "for k in range(n):\n        data[d + k] = data[s + k]"), "numerics"),
    _m("control/depth-limit-off-by-one", "one call more than max_call_depth is allowed",
       f"{_MACHINE}:execute",
       Source("if depth > max_depth or slots > max_slots:",
              "if depth > max_depth + 1 or slots > max_slots:"), "engine",
       Survival(SurvivalReason.NOT_BOUND,
                "RT-BACKEND-2: how deep recursion goes before CALL_STACK_EXHAUSTED differs "
                "between backends (wasmtime's native stack decides), so a fixture may only "
                "pin unbounded recursion; tests/wasm/test_limits.py pins the exact depth")),
    _m("control/global-set-ignored", "global.set pops the value but does not store it",
       f"{_INSTR}.variable:global_set", Source("glob.value = stack.pop()", "stack.pop()"),
       "numerics"),
    _m("control/table-get-bounds-inclusive", "table.get lets the index equal to the table's "
       "size through", f"{_INSTR}.table:table_get",
       Source("if i >= len(tab.elem):", "if i > len(tab.elem):"), "engine"),
    _m("control/version-2-accepted", "the decoder accepts binary format version 2",
       "supervm_ref.wasm.binary.module:_read_preamble",
       Source("if data[4:8] != VERSION:", "if data[4:8] not in (VERSION, b\"\\x02\\0\\0\\0\"):"),
       "engine"),
)

GAS: tuple[Mutant, ...] = (
    _m("gas/loop-checkpoint-strict", "the checkpoint at a loop header traps only when the gas "
       "used is above the limit (> instead of >=)", f"{_MACHINE}:execute",
       Source("if outcome.checkpoint and gas >= limit:", "if outcome.checkpoint and gas > limit:"),
       "engine"),
    _m("gas/entry-checkpoint-strict", "the checkpoint on function entry traps only above the "
       "limit (> instead of >=)", f"{_MACHINE}:execute",
       Source("if gas >= limit:  # WASM-GAS-2", "if gas > limit:  # WASM-GAS-2"), "engine"),
    _m("gas/nested-entry-unchecked", "the entry checkpoint is checked when the invoked "
       "function starts, not when it calls another", f"{_MACHINE}:execute",
       Source("if gas >= limit:  # WASM-GAS-2", "if gas >= limit and depth <= 1:  # WASM-GAS-2"),
       "engine"),
    _m("gas/entry-cost-zero", "entering a function costs nothing",
       f"{_MACHINE}:FUNCTION_ENTRY_COST", _const(0), "engine"),
    _m("gas/entry-after-checkpoint", "the entry cost is charged after the entry checkpoint",
       f"{_MACHINE}:execute",
       Source("gas += FUNCTION_ENTRY_COST\n"
              "                if gas >= limit:  # WASM-GAS-2: checkpoint on function entry\n"
              "                    gas = limit\n"
              "                    raise Trap(TrapKind.OUT_OF_GAS)",
              "if gas >= limit:\n                    gas = limit\n"
              "                    raise Trap(TrapKind.OUT_OF_GAS)\n"
              "                gas += FUNCTION_ENTRY_COST"), "engine"),
    _m("gas/drop-charged", "drop costs 1", f"{_GAS}:FREE_INSTRUCTIONS",
       _const(frozenset({"nop", "block", "loop", "unreachable", "return", "else", "end"})),
       "contracts"),
    _m("gas/br-if-not-terminator", "a run continues past br_if, charging instructions a taken "
       "branch skips", f"{_COMPILE}:RUN_TERMINATORS",
       _const(frozenset({"block", "loop", "if", "else", "end", "br", "br_table", "return",
                         "unreachable", "call", "call_indirect"})), "engine"),
    _m("gas/call-not-terminator", "a run continues past call, charging the caller's next "
       "instructions before the callee's entry checkpoint", f"{_COMPILE}:RUN_TERMINATORS",
       _const(frozenset({"block", "loop", "if", "else", "end", "br", "br_if", "br_table",
                         "return", "unreachable", "call_indirect"})), "engine"),
    _m("gas/else-charged", "reaching an else from the first arm costs 1",
       f"{_GAS}:FREE_INSTRUCTIONS",
       _const(frozenset({"nop", "drop", "block", "loop", "unreachable", "return", "end"})),
       "engine"),
    _m("gas/host-charge-boundary", "a host charge of exactly the gas left traps (reference "
       "engine)", f"{_HOSTCALL}:Caller.charge_gas",
       Source("if amount > max(meter.limit - meter.used, 0):",
              "if amount and amount >= max(meter.limit - meter.used, 0):"), "storage_api"),
    _m("gas/wasmtime-charge-boundary", "a host charge of exactly the gas left traps (wasmtime "
       "backend)", f"{_WASMTIME}:WasmtimeHostEnv.charge",
       Source("if gas > left:", "if gas and gas >= left:"), "storage_api"),
    _m("gas/used-not-clamped", "gas used is reported beyond the limit after a run that passes "
       "it", f"{_HOSTCALL}:GasMeter.reported",
       Source("min(self.used, self.limit)", "self.used"), "engine"),
    _m("gas/trap-refund-missing", "after a trap the rest of the run is not given back",
       f"{_MACHINE}:execute",
       Source("meter.used = gas - cf.refund[pc - 1]", "meter.used = gas"), "engine",
       Survival(SurvivalReason.EQUIVALENT,
                "RT-ERR-3: a call that traps reports its whole gas limit, so the engine's "
                "count after a trap (WASM-GAS-3) never reaches a call's outcome; "
                "tests/wasm/test_gas.py checks it through the embedding API")),
)

HOST: tuple[Mutant, ...] = (
    _m("host/set-base-gas", "storage_set's base gas is 199", f"{_HOST}.gas:STORAGE_SET_BASE",
       _const(199), "storage_api"),
    _m("host/get-value-bytes-free", "storage_get does not charge for the value's bytes",
       f"{_HOST}.storage_api:storage_get",
       Source("env.charge(G.PER_BYTE * len(value))", "pass"), "storage_api"),
    _m("host/read-value-charges-whole-value", "storage_read_value charges the whole value, "
       "not the bytes copied", f"{_HOST}.storage_api:storage_read_value",
       Source("G.PER_BYTE * copied", "G.PER_BYTE * len(value)"), "storage_api"),
    _m("host/limit-inclusive", "a size exactly at a host limit traps (>= instead of >)",
       f"{_HOST}.memory:check_limit", Source("if length > limit:", "if length >= limit:"),
       "storage_api"),
    _m("host/delete-always-present", "storage_delete returns 1 for an absent key",
       f"{_HOST}.storage_api:storage_delete",
       Source("return 1 if present else 0", "return 1"), "storage_api"),
    _m("host/scan-minus-one-accepted", "storage_scan accepts a limit of -1 as 'nothing'",
       f"{_HOST}.storage_api:storage_scan", Source("if count < 0:", "if count < -1:"),
       "storage_api"),
    _m("host/scan-writes-truncated", "storage_scan writes a truncated encoding into a short "
       "buffer", f"{_HOST}.storage_api:storage_scan",
       Source("if len(encoded) <= out_len:\n        env.write(out_ptr, encoded)",
              "env.write(out_ptr, encoded[:out_len])"), "storage_api"),
    _m("host/scan-big-endian-lengths", "storage_scan encodes key lengths big endian",
       f"{_HOST}.storage_api:encode_entries",
       Source('struct.pack("<I", len(key))', 'struct.pack(">I", len(key))'), "storage_api"),
    _m("host/scan-entry-gas", "storage_scan charges 9 per entry",
       f"{_HOST}.gas:STORAGE_SCAN_PER_ENTRY", _const(9), "storage_api"),
    _m("host/scan-limit-max-exclusive", "a scan limit of exactly max_scan_limit traps",
       f"{_HOST}.storage_api:storage_scan",
       Source("if count > state.limits.max_scan_limit:",
              "if count >= state.limits.max_scan_limit:"), "storage_api"),
    _m("host/absent-get-keeps-last-value", "a storage_get of an absent key leaves the "
       "previous value for storage_read_value", f"{_HOST}.storage_api:storage_get",
       Source("    state.last_value = value\n",
              "    if value is not None:\n        state.last_value = value\n"), "storage_api"),
    _m("host/event-count-limit-exclusive", "one event more than max_events is accepted",
       f"{_HOST}.chain_api:emit_event",
       Source("if len(state.events) >= state.limits.max_events:",
              "if len(state.events) > state.limits.max_events:"), "chain_api"),
    _m("host/event-index-is-count", "emit_event returns the number of events, not the new "
       "event's index", f"{_HOST}.chain_api:emit_event",
       Source("return len(state.events) - 1", "return len(state.events)"), "chain_api"),
    _m("host/event-size-limit-plus-one", "an event one byte over max_event_size is accepted",
       f"{_HOST}.chain_api:emit_event",
       Source("state.limits.max_event_size, ", "state.limits.max_event_size + 1, "),
       "chain_api"),
    _m("host/read-event-charges-whole-event", "read_event charges the whole event, not the "
       "bytes copied", f"{_HOST}.chain_api:read_event",
       Source("min(length, len(event))", "len(event)"), "chain_api"),
    _m("host/read-event-missing-is-zero", "read_event of a missing index returns 0, not -1",
       f"{_HOST}.chain_api:read_event", Source("return -1", "return 0"), "chain_api"),
    _m("host/block-number-is-timestamp", "block_number returns the timestamp",
       f"{_HOST}.chain_api:block_number",
       Source("return state.context.block_number", "return state.context.timestamp"),
       "chain_api"),
    _m("host/chain-read-free", "block_number, timestamp and events_len cost nothing",
       f"{_HOST}.gas:CHAIN_READ", _const(0), "chain_api"),
    _m("host/write-prefix-overflows", "a short output buffer receives the whole value "
       "(HOST-BUF-1 broken)", f"{_HOST}.memory:write_prefix",
       Source("env.write(ptr, data[:capacity])", "env.write(ptr, data)"), "storage_api"),
    _m("host/signed32-boundary", "the i32 -2**31 reads as +2**31", f"{_HOST}.memory:signed32",
       Source("x >= 1 << 31", "x > 1 << 31"), "storage_api"),
    _m("host/hash-words-round-down", "hash gas counts whole 32-byte words plus one",
       f"{_HOST}.gas:words", Source("(n + 31) // 32", "n // 32 + 1"), "crypto_api"),
    _m("host/sha256-word-gas", "sha256 charges 11 per word", f"{_HOST}.gas:SHA256_PER_WORD",
       _const(11), "crypto_api"),
    _m("host/ed25519-message-free", "verify_ed25519 does not charge for the message",
       f"{_HOST}.crypto_api:verify_ed25519",
       Source("G.VERIFY_ED25519_BASE + G.PER_BYTE * len(message)", "G.VERIFY_ED25519_BASE"),
       "crypto_api"),
    _m("host/der-size-limit-73", "verify_secp256k1_der accepts a 73-byte signature length",
       f"{_HOST}.crypto_api:MAX_DER_SIGNATURE_SIZE", _const(73), "crypto_api"),
    _m("host/secp-key-limit-missing", "verify_secp256k1 does not check the key length limit",
       f"{_HOST}.crypto_api:verify_secp256k1",
       Source('check_limit(pubkey_len, MAX_PUBLIC_KEY_SIZE, "public key")', "pass"),
       "crypto_api"),
    _m("host/eth-address-invalid-is-zero", "derive_eth_address returns 0 for an invalid key",
       f"{_HOST}.crypto_api:derive_eth_address",
       Source("if address is None:\n        return -1", "if address is None:\n        return 0"),
       "crypto_api"),
    _m("host/reference-bounds-inclusive", "the reference's host memory check refuses a range "
       "ending exactly at the end of memory", f"{_RUNTIME}:ReferenceHostEnv.check",
       Source("if ptr + length > len(self._data()):", "if ptr + length >= len(self._data()):"),
       "storage_api"),
    _m("host/wasmtime-bounds-inclusive", "the wasmtime backend's host memory check refuses a "
       "range ending exactly at the end of memory", f"{_WASMTIME}:WasmtimeHostEnv.check",
       Source("if ptr + length > self._memory()[1]:", "if ptr + length >= self._memory()[1]:"),
       "storage_api"),
    _m("host/argument-type-unchecked", "a call's arguments are checked for their payload "
       "range only, not their type", f"{_RUNTIME}:select",
       Source("not isinstance(a, Value) or a.type is not p or ", "not isinstance(a, Value) or "),
       "engine"),
    _m("host/memory-export-name", "host functions look for the export 'mem' (reference)",
       f"{_RUNTIME}:MEMORY_EXPORT", _const("mem"), "storage_api"),
    _m("host/host-trap-kind-lost", "a host trap's canonical kind becomes HOST_ERROR",
       "supervm_ref.runtime.errors:error_kind_of_trap",
       Source("return trap.error", "return ErrorKind.HOST_ERROR"), "storage_api"),
)

ATOMICITY: tuple[Mutant, ...] = (
    _m("atomicity/own-writes-invisible", "a call's reads do not see its own writes",
       f"{_OVERLAY}:StorageOverlay.get", Source("if key in self.writes:", "if False:"),
       "atomicity"),
    _m("atomicity/own-delete-reads-base", "a key the call deleted reads the stored value",
       f"{_OVERLAY}:StorageOverlay.get",
       Source("value: bytes | None = self.writes[key]\n            return value",
              "value: bytes | None = self.writes[key]\n            if value is not None:\n"
              "                return value"), "atomicity"),
    _m("atomicity/scan-shows-deleted", "a scan lists keys the call deleted",
       f"{_OVERLAY}:StorageOverlay.scan", Source("if v is not None", "if k is not None"),
       "storage_api"),
    _m("atomicity/delete-is-empty-value", "a deletion is buffered as an empty value",
       f"{_OVERLAY}:StorageOverlay.delete", Source("] = None", '] = b""'), "storage_api"),
    _m("atomicity/scan-limit-before-merge", "a scan asks the base for only `limit` entries, "
       "so buffered deletions leave it short", f"{_OVERLAY}:StorageOverlay.scan",
       Source("limit + len(buffered)", "limit"), "storage_api"),
    _m("atomicity/failure-commits", "a failed call commits its writes",
       f"{_RUNTIME}:Runtime.call",
       Source("state.storage.discard()", "state.storage.commit()"), "atomicity"),
    _m("atomicity/failure-keeps-events", "a failed call reports its events",
       f"{_RUNTIME}:Runtime.call",
       Source("return CallResult(f.error, gas_used=", "return CallResult(f.error, "
              "events=tuple(state.events), gas_used="), "atomicity"),
    _m("atomicity/pre-execution-uses-limit", "UNLINKABLE at instantiation uses the whole limit",
       f"{_RUNTIME}:Runtime.call",
       Source("gas_used=0 if f.error.before_execution else limit", "gas_used=limit"),
       "engine"),
    _m("atomicity/writes-read-after-commit", "a call's writes are read from the buffer after "
       "the commit emptied it", f"{_RUNTIME}:finish_call",
       Source("    writes = state.storage.diff()\n    try:\n        state.storage.commit()\n",
              "    try:\n        state.storage.commit()\n        writes = state.storage.diff()\n"),
       "storage_api"),
    _m("atomicity/batch-ignores-deletions", "a committed deletion leaves the key in storage",
       f"{_STORAGE}:MemoryStorage.apply_batch",
       Source("self._data.pop(key, None)", "pass"), "storage_api"),
    _m("atomicity/storage-scan-one-short", "the in-memory storage's scan returns one entry "
       "fewer than its limit", f"{_STORAGE}:MemoryStorage.scan",
       Source("out.append((key, self._data[key]))\n            if len(out) == limit:\n"
              "                break",
              "if len(out) == limit - 1:\n                break\n"
              "            out.append((key, self._data[key]))"), "storage_api"),
    _m("atomicity/prefix-end-ff", "the end of a prefix range ending in 0xff is computed "
       "without carrying", f"{_STORAGE}:prefix_end",
       Source("    while p and p[-1] == 0xFF:\n        p.pop()\n", ""), "storage_api"),
)

CRYPTO: tuple[Mutant, ...] = (
    _m("crypto/ed25519-s-reduced", "Ed25519 reduces S modulo L instead of rejecting S >= L",
       f"{_CRYPTO}.ed25519:verify_ed25519",
       Source("    if not is_reduced_scalar(s_enc):\n        return False\n",
              "    s_enc = (int.from_bytes(s_enc, \"little\") % L).to_bytes(32, \"little\")\n"
              "    signature = r_enc + s_enc\n"), "crypto_api"),
    _m("crypto/ed25519-prehashed", "Ed25519 verifies SHA-512 of the message (Ed25519ph), not "
       "the message", f"{_CRYPTO}.ed25519:verify_ed25519",
       Source("VerifyKey(public_key).verify(message, signature)",
              "VerifyKey(public_key).verify(__import__(\"hashlib\").sha512(message).digest(), "
              "signature)"), "crypto_api"),
    _m("crypto/ed25519-key-unchecked", "Ed25519 does not require A in the prime-order subgroup",
       f"{_CRYPTO}.ed25519:verify_ed25519",
       Source("if not is_prime_order_point(public_key) or not is_prime_order_point(r_enc):",
              "if not is_prime_order_point(r_enc):"), "crypto_api"),
    _m("crypto/prime-order-check-off", "every 32-byte encoding counts as a point of the "
       "prime-order subgroup", f"{_CRYPTO}.ed25519:is_prime_order_point", _returns(True),
       "crypto_api"),
    _m("crypto/secp-high-s-normalized", "ECDSA normalizes a high S to n - s instead of "
       "rejecting it", f"{_CRYPTO}.secp256k1:verify_ecdsa",
       Source("    if len(digest) != DIGEST_SIZE or not in_range(r, s):",
              "    s = min(s, N - s)\n    if len(digest) != DIGEST_SIZE or not in_range(r, s):"),
       "crypto_api"),
    _m("crypto/secp-r-equal-n", "ECDSA accepts r = n", f"{_CRYPTO}.secp256k1:in_range",
       Source("1 <= r < N", "1 <= r <= N"), "crypto_api"),
    _m("crypto/secp-hybrid-key", "hybrid public keys (06/07) are accepted",
       f"{_CRYPTO}.secp256k1:parse_public_key",
       Source("data[0] != 0x04", "data[0] not in (0x04, 0x06, 0x07)"), "crypto_api"),
    _m("crypto/der-leading-zero", "DER accepts a superfluous leading zero",
       f"{_CRYPTO}.der:_parse_integer",
       Source("if length > 1 and body[0] == 0 and not body[1] & 0x80:", "if False:"),
       "crypto_api"),
    _m("crypto/der-negative", "DER accepts a negative INTEGER (read unsigned)",
       f"{_CRYPTO}.der:_parse_integer",
       Source("if body[0] & 0x80:  # a negative number", "if False:"), "crypto_api"),
    _m("crypto/der-trailing-bytes", "DER accepts bytes after the second INTEGER",
       f"{_CRYPTO}.der:parse_der_signature",
       Source("if end != len(data):", "if end > len(data):"), "crypto_api"),
    _m("crypto/keccak-is-sha3", "keccak256 is FIPS 202 SHA3-256", f"{_CRYPTO}.hashes:keccak256",
       Source("keccak.new(digest_bits=256, data=data).digest()", "hashlib.sha3_256(data).digest()"),
       "crypto_api"),
    _m("crypto/eth-address-first-bytes", "an Ethereum address is the first 20 bytes of the "
       "hash", f"{_CRYPTO}.eth_address:derive_eth_address",
       Source("[-ADDRESS_SIZE:]", "[:ADDRESS_SIZE]"), "crypto_api"),
    _m("crypto/eth-address-raw-key-rejected", "a raw 64-byte key is not accepted",
       f"{_CRYPTO}.eth_address:derive_eth_address",
       Source('b"\\x04" + public_key if len(public_key) == RAW_KEY_SIZE else public_key',
              "public_key"), "crypto_api"),
)

MVCC: tuple[Mutant, ...] = (
    _m("mvcc/no-read-validation", "commit does not validate the read set (write skew)",
       f"{_MVCC}.validation:find_conflict",
       Source("for key in sorted(read_keys):", "for key in sorted(read_keys)[:0]:"),
       "isolation"),
    _m("mvcc/no-predicate-validation", "commit does not validate scanned prefixes (phantoms)",
       f"{_MVCC}.validation:find_conflict",
       Source("for prefix in sorted(prefixes):", "for prefix in sorted(prefixes)[:0]:"),
       "isolation"),
    _m("mvcc/no-write-validation", "commit does not check write-write conflicts",
       f"{_MVCC}.validation:find_conflict",
       Source("for key in sorted(write_keys):", "for key in sorted(write_keys)[:0]:"),
       "isolation"),
    _m("mvcc/snapshot-excludes-own-ts", "a snapshot does not see versions committed at its "
       "own timestamp", f"{_MVCC}.versions:VersionChain.visible_at",
       Source("bisect_right(self._stamps, ts)", "bisect_right(self._stamps, ts - 1)"),
       "isolation"),
    _m("mvcc/conflict-at-own-ts", "a version committed at the snapshot's timestamp counts as "
       "a conflict", f"{_MVCC}.versions:VersionChain.first_after",
       Source("bisect_right(self._stamps, ts)", "bisect_right(self._stamps, ts - 1)"),
       "isolation"),
    _m("mvcc/gc-drops-visible-version", "GC drops the version visible at the horizon",
       f"{_MVCC}.versions:VersionChain.prune",
       Source("keep_from = base + 1 if self._versions[base].is_tombstone else base",
              "keep_from = base + 1"), "isolation"),
    _m("mvcc/gc-keeps-tombstone", "GC keeps a tombstone visible at the horizon",
       f"{_MVCC}.versions:VersionChain.prune",
       Source("keep_from = base + 1 if self._versions[base].is_tombstone else base",
              "keep_from = base"), "isolation"),
    _m("mvcc/horizon-ignores-active", "the GC horizon is the last commit, ignoring open "
       "snapshots", f"{_MVCC}.store:MvccStore.gc_horizon",
       Source("min(self._active.values(), default=self._clock.now())", "self._clock.now()"),
       "isolation"),
    _m("mvcc/horizon-newest-snapshot", "the GC horizon is the newest open snapshot",
       f"{_MVCC}.store:MvccStore.gc_horizon", Source("min(", "max("), "isolation"),
    _m("mvcc/ended-stays-active", "a finished transaction keeps pinning its snapshot",
       f"{_MVCC}.store:MvccStore._end",
       Source("self._active.pop(txn.txn_id, None)", "pass"), "isolation"),
    _m("mvcc/scan-own-writes-hide-short", "a scan over own deletions asks the snapshot for only "
       "`limit` entries", f"{_MVCC}.txn:Txn.scan",
       Source("self.start_ts, limit + len(own))", "self.start_ts, limit)"), "isolation"),
    _m("mvcc/own-writes-invisible", "a transaction does not read its own writes",
       f"{_MVCC}.txn:Txn.read", Source("if key in self._writes:", "if False:"), "isolation"),
    _m("mvcc/read-only-validated", "read-only transactions are validated and may abort",
       f"{_MVCC}.store:MvccStore._commit", Source("if txn.is_read_only:", "if False:"),
       "isolation"),
    _m("mvcc/absent-reads-unrecorded", "a read that finds nothing is not in the read set",
       f"{_MVCC}.txn:Txn.read",
       Source("self._read_keys.add(key)",
              "if value is not None:\n                self._read_keys.add(key)"), "isolation"),
)

BLOCKSTM: tuple[Mutant, ...] = (
    _m("blockstm/validate-read-always", "validation accepts a read whose version changed",
       f"{_BSTM}.mv_memory:MVMemory.validate_read",
       Source("return descriptor.version == result.version", "return True"), "batch"),
    _m("blockstm/validate-scan-always", "validation accepts a scan whose entries changed",
       f"{_BSTM}.mv_memory:MVMemory.validate",
       Source("return tuple((k, v) for k, _, v in result.entries) == descriptor.entries",
              "return True"), "batch"),
    _m("blockstm/read-sees-own-entry", "a transaction reads its own (earlier incarnation's) "
       "entry", f"{_BSTM}.mv_memory:MVMemory.read",
       Source("loc.entries.bisect_left(txn_idx)", "loc.entries.bisect_right(txn_idx)"),
       "batch"),
    _m("blockstm/estimate-reads-storage", "an ESTIMATE is read as storage instead of a "
       "dependency", f"{_BSTM}.mv_memory:MVMemory.read",
       Source("return ReadDependency(writer)", "return READ_STORAGE"), "batch"),
    _m("blockstm/abort-no-revalidation", "after an abort the higher transactions are not "
       "validated again", f"{_BSTM}.scheduler:Scheduler.finish_validation",
       Source("self.decrease_validation_idx(txn_idx + 1)", "pass"), "batch"),
    _m("blockstm/new-location-no-revalidation", "an incarnation writing a new location does "
       "not make the higher transactions validate again",
       f"{_BSTM}.scheduler:Scheduler.finish_execution",
       Source("if wrote_new_location:", "if False:"), "batch"),
    _m("blockstm/snapshot-misses-last-txn", "the block's write set is read as the last "
       "transaction sees it, without that transaction's own writes",
       f"{_BSTM}.mv_memory:MVMemory.snapshot",
       Source("result = self.read(location, self.block_size)",
              "result = self.read(location, self.block_size - 1)"), "batch"),
    _m("blockstm/storage-reads-unrecorded", "a read that goes to storage is left out of the "
       "read set, so a lower transaction writing the key later does not invalidate it",
       f"{_BSTM}.vm:VmExecution.perform",
       Source("self._read_set.append(ReadDescriptor(request.key, None))", "pass"), "batch"),
    _m("blockstm/scan-one-short", "a scan over the multi-version memory returns one entry "
       "fewer than its limit", f"{_BSTM}.mv_memory:MVMemory.scan",
       Source("if len(entries) == limit:", "if len(entries) == limit - 1:"), "batch"),
    _m("blockstm/snapshot-drops-deletions", "the block's write set leaves out deletions",
       f"{_BSTM}.mv_memory:MVMemory.snapshot",
       Source("out.append((location, result.value))",
              "if result.value is not None:\n                    "
              "out.append((location, result.value))"), "batch"),
    _m("blockstm/wrote-new-location-never", "no incarnation is ever seen to write a new "
       "location", f"{_BSTM}.mv_memory:MVMemory.finish_record",
       Source("return not new_locations <= previous", "return False"), "batch"),
    _m("blockstm/scan-memory-keys-ignored", "a scan sees only the store, not the block's "
       "earlier writes", f"{_BSTM}.mv_memory:MVMemory.scan",
       Source("for key in sorted(stored.keys() | set(in_memory)):",
              "for key in sorted(stored.keys()):"), "batch"),
)

PARALLEL: tuple[Mutant, ...] = (
    _m("parallel/war-ignored", "write-after-read is not a conflict",
       f"{_PAR}.conflict:conflict_keys",
       Source("ConflictKind.WAR: frozenset(_written_keys_read_by(earlier, later)),",
              "ConflictKind.WAR: frozenset(),"), "scheduler"),
    _m("parallel/scan-prefix-ignored", "a scanned prefix does not count as a read",
       f"{_PAR}.conflict:ReadWriteSet.reads_key",
       Source(" or any(key.startswith(p) for p in self.read_prefixes)", ""), "scheduler"),
    _m("parallel/priority-ascending", "work stealing runs low priorities first",
       f"{_PAR}.work_stealing:scheduling_order",
       Source("key=lambda task: -task.priority", "key=lambda task: task.priority"), "scheduler"),
    _m("parallel/steal-front", "a thief takes the front (highest priority) of a victim's deque",
       f"{_PAR}.work_stealing:WorkStealingScheduler._next_task",
       Source("task = victim.pop()", "task = victim.popleft()"), "scheduler"),
    _m("parallel/retries-one-short", "execute_with_retry makes max_retries attempts, not "
       "max_retries + 1", f"{_PAR}.scheduler:ParallelScheduler.execute_with_retry",
       Source("for attempt in range(max_retries + 1):", "for attempt in range(max_retries):"),
       "scheduler"),
)

CONSUMER: tuple[Mutant, ...] = (
    _m("consumer/gas-not-compared", "consume does not compare gas_used",
       f"{_CONF}.formats.call:RESULT_FIELDS", _const(("error", "return", "events", "writes")),
       "canaries"),
    _m("consumer/one-sided-keys-ignored", "writes and storage are compared only on the keys "
       "both sides have", f"{_CONF}.compare:diff_map",
       Source("sorted(set(expected) | set(got))", "sorted(set(expected) & set(got))"),
       "canaries"),
    _m("consumer/list-length-ignored", "lists (events, return values) of different lengths "
       "compare equal on their common part", f"{_CONF}.compare:diff_list",
       Source("if len(expected) != len(got):", "if False:"), "canaries"),
    _m("consumer/result-count-ignored", "a post with fewer results than transactions passes",
       f"{_CONF}.formats.call:compare_post",
       Source("if len(exp_results) != len(got_results):", "if False:"), "canaries"),
    _m("consumer/storage-not-compared", "consume does not compare the final storage",
       f"{_CONF}.formats.call:compare_post",
       Wrap(lambda original: lambda fixture, got: original(
           fixture, {**got, "storage": fixture["post"]["storage"]})), "canaries"),
    _m("consumer/hash-not-checked", "consume does not check _info.hash",
       f"{_CONF}.consume:consume_fixture", Source("if recorded != computed:", "if False:"),
       "canaries"),
    _m("consumer/schema-problems-ignored", "the schema check lets unexpected properties "
       "through (additionalProperties: false is not enforced)",
       f"{_CONF}.schema:_validate_object",
       Source('problems.append((path, f"unexpected property {shown(key)}"))', "pass"),
       "canaries"),
    _m("consumer/isolation-expect-ignored", "an isolation script's failed expectations are "
       "ignored", f"{_CONF}.formats.isolation:IsolationFormat.compare",
       Source('if seen.get(what, "<not observed>") != want:', "if False:"), "canaries"),
    _m("consumer/isolation-final-ignored", "an isolation outcome's final state is not "
       "compared", f"{_MVCC}.script:outcome_matches",
       Source('return "final" not in allowed or observed["final"] == allowed["final"]',
              "return True"), "canaries"),
    _m("consumer/hash-skips-env", "the fixture hash leaves out env",
       f"{_CONF}.encoding:fixture_hash",
       Source('if k != "_info"}', 'if k not in ("_info", "env")}'), "atomicity"),
    _m("consumer/env-gas-limit", "consume runs every transaction with the env's gas limit",
       f"{_CONF}.execute:execute",
       Source("gas_limit=tx.gas_limit)", "gas_limit=test.env.gas_limit)"), "engine"),
    _m("consumer/args-through-float", "consume decodes a value through a double, rounding "
       "wide integers", f"{_CONF}.encoding:decode_value",
       Source("bits = int(text)", "bits = int(float(text))"), "numerics"),
    _m("consumer/deletions-dropped", "a deletion is left out of a result's writes",
       f"{_CONF}.encoding:encode_result",
       Source("writes[encode_bytes(key)] = None if value is None else encode_bytes(value)",
              "if value is not None:\n            writes[encode_bytes(key)] = "
              "encode_bytes(value)"), "storage_api"),
)

OBJECTS: tuple[Mutant, ...] = (
    _m("objects/lamport-mutable-only", "the Lamport version ignores read-only and shared "
       "inputs", f"{_ROUTING}.execution:execute_in_view",
       Source("lamport = 1 + max((o.version for o in inputs), default=0)",
              "lamport = 1 + max((o.version for o, i in zip(inputs, tx.inputs) if i.mutable), "
              "default=0)"), "objects"),
    _m("objects/owner-not-checked", "anyone may use an object owned by an address",
       f"{_ROUTING}.execution:check_inputs",
       Source("if isinstance(owner, AddressOwner) and owner.address != tx.sender:",
              "if False:"), "objects"),
    _m("objects/stale-version-accepted", "an input naming an older version is accepted",
       f"{_ROUTING}.execution:check_inputs",
       Source("if inp.version < obj.version:  # OBJ-INPUT-3", "if False:"), "objects"),
    _m("objects/duplicate-inputs-allowed", "an object may appear twice among the inputs",
       f"{_ROUTING}.execution:check_inputs",
       Source("if len(set(ids)) != len(ids):", "if False:"), "objects"),
    _m("objects/failed-no-bump", "a failed transaction leaves its mutable inputs' versions",
       f"{_ROUTING}.execution:execute_in_view",
       Source("view.write(object_key(obj.id), encode_object(obj.replace(version=lamport)))",
              "pass"), "objects"),
    _m("objects/immutable-taken-mutably", "an immutable object is accepted as a mutable input",
       f"{_ROUTING}.execution:check_inputs",
       Source("if isinstance(owner, Immutable) and inp.mutable:", "if False:"), "objects"),
)

ROUTING: tuple[Mutant, ...] = (
    _m("routing/private-shared-to-consensus", "a private transaction with a shared input takes "
       "the consensus path", f"{_ROUTING}.supervm:route_of",
       Source("if privacy == Privacy.Private:",
              "if privacy == Privacy.Private and not any(i.shared for i in tx.inputs):"),
       "objects"),
    _m("routing/proof-not-verified", "a private transaction executes without its proof being "
       "verified", f"{_ROUTING}.supervm:SuperVM._verify",
       Source("self.verifier(tx.proof)", "pass"), "objects"),
    _m("routing/consensus-before-fast", "a block runs its consensus batch before its fast "
       "transactions", f"{_ROUTING}.supervm:SuperVM.execute_block",
       Source("        for i in fast:\n"
              "            effects[i] = self._run_direct(block[i][0], buffer)\n", ""),
       "objects"),
)

ZK: tuple[Mutant, ...] = (
    _m("zk/no-subgroup-check", "a G2 point outside the subgroup of order r is accepted",
       f"{_ZK}.curve:in_g2_subgroup", _returns(True), "zk"),
    _m("zk/public-input-aliased", "a public input of r or more is accepted (and reduced by the "
       "pairing)", f"{_ZK}.field:check_scalar",
       Source("if not 0 <= value < CURVE_ORDER:", "if value < 0:"), "zk"),
    _m("zk/g1-curve-unchecked", "a G1 point off the curve is accepted",
       f"{_ZK}.curve:on_g1_curve", _returns(True), "zk"),
)

ROUTER: tuple[Mutant, ...] = (
    _m("router/round-half-up", "fast slots round ties up instead of to even",
       f"{_ROUTING}.adaptive:round_half_even",
       Source("if twice > denominator or (twice == denominator and quotient % 2 == 1):",
              "if twice >= denominator:"), "adaptive_router"),
    _m("router/conflict-high-inclusive", "a window exactly at conflict_high lowers the target",
       f"{_ROUTING}.adaptive:next_target",
       Source("if (conflicts * PPM > conflict_high * transactions",
              "if (conflicts * PPM >= conflict_high * transactions"), "adaptive_router"),
)

PERSISTENCE: tuple[Mutant, ...] = (
    _m("persistence/history-ts-little-endian", "history keys end in a little-endian commit_ts "
       "(versions no longer sort by time)", f"{_PERSIST}.encoding:history_key",
       Source("history_prefix(key) + _U64.pack(commit_ts)",
              "history_prefix(key) + commit_ts.to_bytes(8, 'little')"), "persistence"),
    _m("persistence/tombstone-as-empty-value", "a deletion is written to the history as an "
       "empty value instead of the tombstone byte", f"{_PERSIST}.encoding:history_value",
       Source("bytes([TAG_TOMBSTONE]) if value is None", "bytes([TAG_VALUE]) if value is None"),
       "persistence"),
    _m("persistence/prune-ignores-snapshots", "pruning keeps only the newest keep_versions, "
       "removing versions an open snapshot still reads (the seed's keep-N)",
       f"{_MVCC}.store:MvccStore.prune_old_versions",
       Source("keep_from = min(keep_from, max(visible, 0))", "pass"), "persistence"),
    _m("persistence/flush-point-not-written", "a flush writes the data but not the new flush "
       "point", f"{_MVCC}.store:MvccStore.flush_to_storage",
       Source("writes.append((META_CF, FLUSH_POINT_KEY, encode_u64(now)))", "pass"),
       "persistence"),
)

METRICS: tuple[Mutant, ...] = (
    _m("metrics/quantile-rank-floor", "latency quantiles take rank floor(q * n) + 1 instead of "
       "ceil(q * n)", f"{_METRICS}.window:nearest_rank",
       Source("rank = max(1, -((-q.numerator * n) // q.denominator))",
              "rank = min(n, q.numerator * n // q.denominator + 1)"), "metrics"),
    _m("metrics/tps-window-closed", "a commit exactly W seconds old still counts in the TPS "
       "window", f"{_METRICS}.collector:MetricsCollector._expire_locked",
       Source("while times and times[0] <= horizon:", "while times and times[0] < horizon:"),
       "metrics"),
    _m("metrics/success-rate-fraction", "the success rate is a fraction of 1, not a percentage",
       f"{_METRICS}.collector:MetricsCollector._success_locked",
       Source("self._committed / ended * 100", "self._committed / ended"), "metrics"),
    _m("metrics/zk-average-over-window", "the ZK average is taken over the window, not over "
       "every verification", f"{_METRICS}.window:LatencyWindow.average",
       Source("return self.total / self.count if self.count else 0.0",
              "return sum(self._window) / len(self._window) if self._window else 0.0"),
       "metrics"),
)

TEXT: tuple[Mutant, ...] = (
    _m("text/tab-escape-is-space", "the string escape \\t gives a space",
       f"{_TEXT}.values:_ESCAPES",
       _const({"t": b" ", "n": b"\n", "r": b"\r", '"': b'"', "'": b"'", "\\": b"\\"}),
       "text"),
    _m("text/named-local-off-by-one", "a named local resolves to the next index",
       f"{_TEXT}.resolve:IdContext.local",
       Source("return x\n        return c.u32()", "return x + 1\n        return c.u32()"),
       "text"),
    _m("text/hex-float-digit-three-bits", "each fraction digit of a hex float counts three bits, "
       "not four", f"{_TEXT}.values:parse_float",
       Source("- 4 * len(frac)", "- 3 * len(frac)"), "text"),
)

#: MUT-CAT-1: the whole catalogue, by area.
CATALOGUE: tuple[Mutant, ...] = (NUMERICS + CONTROL + GAS + HOST + ATOMICITY + CRYPTO + MVCC
                                 + BLOCKSTM + PARALLEL + OBJECTS + ROUTING + ZK + ROUTER
                                 + PERSISTENCE + METRICS + TEXT + CONSUMER)

#: The catalogue by id.
BY_ID: dict[str, Mutant] = {m.mutant_id: m for m in CATALOGUE}
