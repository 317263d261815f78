"""Filler ``engine``: what a call does before and around the contract's code (spec/runtime.md
RT-CALL-*, RT-ERR-*, RT-GAS-*; spec/wasm.md WASM-GAS-*, WASM-LIMIT-*).

Every pre-execution error kind (malformed, invalid, start function, unlinkable imports and
limits, no such function, bad arguments) with no gas used, and which is detected first; a trap
of every kind with the whole gas limit used; out of gas in a loop; the call stack exhausted by
unbounded recursion; gas at the edges of the checkpoint rule; values crossing the boundary bit
for bit; memory growth at the engine limit. Contracts: ``abi_probe_engine`` (no imports) and
the small ``abi_probe_*`` modules beside it.
"""

from __future__ import annotations

import struct

from supervm_ref.conformance import Case, Env, Tx, Value, contract
from supervm_ref.conformance.filler import FillerError, measure_gas
from supervm_ref.runtime.runtime import Runtime
from supervm_ref.runtime.storage import MemoryStorage
from supervm_ref.wasm import Export, ExportDesc, Func, FuncType, Instruction, Module, encode_module

AREA = "engine"
ENGINE = "engine"
I32, I64 = Value.i32, Value.i64
TRAP = ["RT-ERR-1", "RT-ERR-3", "WASM-ERR-5"]
PRE = ["RT-CALL-1", "RT-ERR-1", "RT-ERR-2"]


def f32(x: float) -> Value:
    """An f32 argument."""
    return Value.f32(x)


def case(name: str, description: str, rules: list[str], txs: list[Tx],
         code: dict[str, bytes] | None = None, env: Env | None = None) -> Case:
    """A case of this area; by default its only contract is ``abi_probe_engine``."""
    return Case(f"{AREA}/{name}", description, rules,
                code or {ENGINE: contract("abi_probe_engine")}, {}, env or Env(), txs)


def run(function: str, *args: Value, gas_limit: int | None = None, to: str = ENGINE) -> Tx:
    """A transaction to ``to`` (default the engine probe)."""
    return Tx(to, function, list(args), gas_limit)


def trap_cases() -> list[Case]:
    """RT-ERR-1/3: every trap kind of the engine; each uses the whole gas limit."""
    int_min = -(2**31)
    return [
        case("trap_unreachable", "unreachable: UNREACHABLE", TRAP, [run("unreachable")]),
        case("trap_memory_out_of_bounds", "i32.load at 65533 of a 65536-byte memory: "
             "MEMORY_OUT_OF_BOUNDS (65532 is the last valid address)", [*TRAP, "WASM-MEM-1"],
             [run("load", I32(65532)), run("load", I32(65533)), run("load", I32(-1))]),
        case("trap_table_out_of_bounds", "table.get 3 of a 3-element table: "
             "TABLE_OUT_OF_BOUNDS (0 holds a function, 1 is null)", TRAP,
             [run("table_get", I32(0)), run("table_get", I32(1)), run("table_get", I32(3))]),
        case("trap_call_indirect", "call_indirect through [f, null, g]: index 0 calls f (42); "
             "1 UNINITIALIZED_ELEMENT; 2 INDIRECT_CALL_TYPE_MISMATCH; 3 UNDEFINED_ELEMENT",
             TRAP, [run("call_indirect", I32(i)) for i in range(4)]),
        case("trap_integer_divide_by_zero", "i32.div_s by 0: INTEGER_DIVIDE_BY_ZERO", TRAP,
             [run("div_s", I32(7), I32(-2)), run("div_s", I32(1), I32(0))]),
        case("trap_integer_overflow", "i32.div_s(-2**31, -1): INTEGER_OVERFLOW", TRAP,
             [run("div_s", I32(int_min), I32(-1))]),
        case("trap_invalid_conversion", "i32.trunc_f32_s of NaN: INVALID_CONVERSION", TRAP,
             [run("trunc", Value.f32_bits(0x7FC00000))]),
        case("trap_conversion_overflow", "i32.trunc_f32_s: -1.5 -> -1, 2147483520 fits, "
             "2147483648 and -2147483904 are INTEGER_OVERFLOW", TRAP,
             [run("trunc", f32(-1.5)), run("trunc", f32(2147483520.0)),
              run("trunc", f32(2147483648.0)), run("trunc", f32(-2147483904.0))]),
        case("trap_call_stack_exhausted", "unbounded recursion: CALL_STACK_EXHAUSTED "
             "(before the gas runs out)", [*TRAP, "WASM-LIMIT-1", "RT-BACKEND-2"],
             [run("recurse")]),
        case("trap_out_of_gas_loop", "an endless loop: OUT_OF_GAS at a loop checkpoint, the "
             "whole limit used", [*TRAP, "WASM-GAS-2"], [run("spin", gas_limit=10_000)]),
        case("trap_then_success", "a trap (UNREACHABLE) does not affect the next call",
             [*TRAP, "RT-CALL-1"],
             [run("unreachable"), run("add", I32(2), I32(3))]),
    ]


def smallest_limit(function: str, *args: Value) -> int:
    """The smallest gas limit with which ``function(*args)`` of the engine probe succeeds on
    the reference: one above the gas used at its last checkpoint (WASM-GAS-2), since no
    checkpoint after the last one can fail."""
    wasm = contract("abi_probe_engine")

    def succeeds(limit: int) -> bool:
        return Runtime(MemoryStorage()).call(wasm, function, list(args),
                                             gas_limit=limit).error is None

    low, high = 0, measure_gas(wasm, function, list(args))
    if not succeeds(high) or succeeds(low):
        raise FillerError(f"smallest_limit: {function} has no boundary in [0, {high}]")
    while high - low > 1:  # succeeds(high), not succeeds(low)
        mid = (low + high) // 2
        low, high = (low, mid) if succeeds(mid) else (mid, high)
    return high


def checkpoint_cases() -> list[Case]:
    """WASM-GAS-2 exactly at a checkpoint: the limit equal to the gas used when control
    reaches the last checkpoint fails there (gas used >= limit), one more succeeds."""
    g = ["WASM-GAS-1", "WASM-GAS-2", "WASM-GAS-3", "RT-GAS-2"]
    loop = smallest_limit("count", I32(10))
    entry = smallest_limit("call_indirect", I32(0))
    after = smallest_limit("call_then_add")
    return [
        case("gas_checkpoint_loop_header", f"count(10) reaches its loop header for the 11th "
             f"and last time with {loop - 1} gas used: a limit of {loop - 1} is OUT_OF_GAS "
             f"there (>=, not >), {loop} succeeds (the limit used)", g,
             [run("count", I32(10), gas_limit=loop - 1), run("count", I32(10), gas_limit=loop)]),
        case("gas_checkpoint_call_entry", f"call_indirect(0) enters $forty_two, its last "
             f"checkpoint, with {entry - 1} gas used (the caller's entry, local.get, "
             f"call_indirect and the callee's entry): a limit of {entry - 1} is OUT_OF_GAS at "
             f"the callee's entry, {entry} succeeds", g,
             [run("call_indirect", I32(0), gas_limit=entry - 1),
              run("call_indirect", I32(0), gas_limit=entry)]),
        case("gas_checkpoint_after_call", f"call_then_add: a call ends its straight-line run, "
             f"so the i32.const and i32.add after it are charged after the callee returns, not "
             f"before its entry checkpoint: {after} gas succeeds, {after - 1} is OUT_OF_GAS at "
             f"the callee's entry", g,
             [run("call_then_add", gas_limit=after), run("call_then_add", gas_limit=after - 1)]),
    ]


def gas_cases() -> list[Case]:
    """WASM-GAS-1..3 and RT-GAS-2 at the edges."""
    wasm = contract("abi_probe_engine")
    count = measure_gas(wasm, "count", [I32(10)])
    straight = measure_gas(wasm, "straight")
    g = ["WASM-GAS-1", "WASM-GAS-2", "WASM-GAS-3", "RT-GAS-2"]
    return [
        case("gas_nop", "an empty function costs 1 (its entry); with a limit of 1 the entry "
             "checkpoint finds gas used >= limit: OUT_OF_GAS; 2 is enough; 0 fails", g,
             [run("nop", gas_limit=2), run("nop", gas_limit=1), run("nop", gas_limit=0)]),
        case("gas_straight_line", f"7 instructions without a loop cost {straight}; one below, "
             "the code after the entry checkpoint still completes and gas_used is the limit; a "
             "limit of 1 is OUT_OF_GAS at the entry", g,
             [run("straight", gas_limit=straight), run("straight", gas_limit=straight - 1),
              run("straight", gas_limit=1)]),
        case("gas_loop", f"count(10) costs {count}; limits at and one below that cost "
             "succeed (no checkpoint follows the last one, WASM-GAS-2); half of it is "
             "OUT_OF_GAS", g,
             [run("count", I32(10), gas_limit=count),
              run("count", I32(10), gas_limit=count - 1),
              run("count", I32(10), gas_limit=count // 2)]),
        case("gas_if_else", "choose(1) runs the first arm of an if and reaches its else, "
             "choose(0) skips to the second arm: both cost 4 (entry, local.get, if, "
             "i32.const); else and end are free and the arm not taken costs nothing", g,
             [run("choose", I32(1)), run("choose", I32(0))]),
        case("gas_default_limit", "a transaction without a gas limit uses the env's (here "
             "100000): a loop within it succeeds, an endless one is OUT_OF_GAS at 100000",
             ["RT-GAS-2", "WASM-GAS-2"],
             [run("count", I32(1000)), run("spin")], env=Env(gas_limit=100_000)),
        case("gas_pre_execution_zero_limit", "with a gas limit of 0, NO_SUCH_FUNCTION and "
             "BAD_ARGUMENTS are still reported, with 0 gas", PRE,
             [run("missing", gas_limit=0), run("add", I32(1), gas_limit=0)]),
    ]


def value_cases() -> list[Case]:
    """RT-CALL-3, WASM-FLOAT-1: values cross the boundary bit for bit."""
    r = ["RT-CALL-3", "WASM-FLOAT-1", "WASM-API-2"]
    neg_zero = struct.unpack("<Q", struct.pack("<d", -0.0))[0]
    return [
        case("values_echo", "echo(i32, i64, f32, f64) returns the arguments reversed, "
             "bit for bit: -1, i64 minimum, a signalling NaN with payload, -0.0", r,
             [run("echo", I32(-1), I64(-(2**63)), Value.f32_bits(0x7FA00001),
                  Value.f64_bits(neg_zero)),
              run("echo", I32(2**31 - 1), I64(2**63 - 1), Value.f32_bits(0x00000001),
                  Value.f64_bits(0xFFF8000000000001))]),
        case("values_add_wraps", "i32.add wraps: 2**31 - 1 + 1 = -2**31", ["RT-CALL-3"],
             [run("add", I32(2**31 - 1), I32(1))]),
        case("memory_grow", "memory.grow from 1 page: by 0 and 1 returns the old size; to "
             "exactly 1024 pages succeeds; beyond the engine's 1024 pages returns -1",
             ["WASM-LIMIT-3", "RT-CALL-3"],
             [run("grow", I32(0)), run("grow", I32(1)), run("grow", I32(1023)),
              run("grow", I32(1024)), run("grow", I32(-1))]),
    ]


def nops(count: int) -> bytes:
    """A module exporting ``run: [] -> []`` whose body is ``count`` nops and the final ``end``:
    ``count + 1`` instructions as WASM-LIMIT-9 counts them."""
    body = (Instruction("nop"),) * count + (Instruction("end"),)
    return encode_module(Module(types=(FuncType((), ()),), funcs=(Func(0, (), body),),
                                exports=(Export("run", ExportDesc("func", 0)),)))


def pre_execution_cases() -> list[Case]:
    """RT-CALL-1 steps 1-3 and RT-ERR-2: every failure before execution uses no gas."""
    def only(name: str, wasm: bytes) -> dict[str, bytes]:
        return {name: wasm}

    def rejected(case_name: str, description: str, rules: list[str], wasm: bytes,
                 function: str = "run") -> Case:
        return case(case_name, description, [*PRE, *rules], [run(function, to="c")],
                    only("c", wasm))

    header = b"\x00asm\x01\x00\x00\x00"
    return [
        rejected("malformed_empty", "zero bytes: MALFORMED_MODULE", [], b""),
        case("code_at_the_instruction_limit", "a function of exactly 100,000 instructions "
             "(99,999 nops and the end; the default max_function_instructions) loads and "
             "runs: 1 gas (the entry; nop is free)", [*PRE, "WASM-LIMIT-9", "WASM-GAS-1"],
             [run("run", to="c")], only("c", nops(99_999))),
        rejected("code_too_large", "a function of 100,001 instructions (100,000 nops and the "
                 "end), one more than the default max_function_instructions: CODE_TOO_LARGE, "
                 "no gas", ["WASM-LIMIT-9"], nops(100_000)),
        rejected("malformed_magic_only", "the magic number alone: MALFORMED_MODULE", [],
                 b"\x00asm"),
        rejected("malformed_version", "version 2: MALFORMED_MODULE", [],
                 b"\x00asm\x02\x00\x00\x00"),
        rejected("malformed_truncated_section", "a section whose size runs past the end: "
                 "MALFORMED_MODULE", [], header + b"\x01\x05\x01\x60"),
        rejected("malformed_not_wasm", "text instead of a binary: MALFORMED_MODULE", [],
                 b"(module)"),
        rejected("malformed_custom_section_past_the_end", "a custom section whose declared "
                 "size (6) runs one byte past the end of the binary (its name takes the 5 "
                 "bytes left): MALFORMED_MODULE", [], header + b"\x00\x06\x04name"),
        rejected("invalid_type_mismatch", "a function body of the wrong type: "
                 "INVALID_MODULE", [], contract("abi_probe_invalid")),
        rejected("start_function", "a module with a start function: "
                 "START_FUNCTION_NOT_ALLOWED", [], contract("abi_probe_start")),
        rejected("unlinkable_unknown_module", "an import from module 'env': UNLINKABLE", [],
                 contract("abi_probe_import_unknown_module")),
        rejected("unlinkable_unknown_name", "an import storage_api.storage_clear, which the "
                 "ABI lacks: UNLINKABLE", [], contract("abi_probe_import_unknown_name")),
        rejected("unlinkable_wrong_type", "storage_get imported with an i32 result instead of "
                 "i64: UNLINKABLE", [], contract("abi_probe_import_wrong_type")),
        rejected("unlinkable_memory_import", "a host ABI name imported as a memory: "
                 "UNLINKABLE", [], contract("abi_probe_import_memory")),
        rejected("unlinkable_memory_too_large", "a memory of 1025 pages, above the engine "
                 "limit: UNLINKABLE, no gas", ["WASM-LIMIT-3"],
                 contract("abi_probe_big_memory")),
        rejected("order_start_before_missing_function", "a start function and a call to a "
                 "missing export: the load step fails first, START_FUNCTION_NOT_ALLOWED", [],
                 contract("abi_probe_start"), "missing"),
        rejected("order_unlinkable_before_missing_function", "an unknown import and a call to "
                 "a missing export: linking fails first, UNLINKABLE", [],
                 contract("abi_probe_import_unknown_module"), "missing"),
        rejected("order_invalid_before_missing_function", "an invalid module and a missing "
                 "export: INVALID_MODULE", [], contract("abi_probe_invalid"), "missing"),
        case("no_such_function", "calls of names that are not exported functions: a missing "
             "name, the memory, a global, the empty name, a name differing in case: "
             "NO_SUCH_FUNCTION each", PRE,
             [run("missing"), run("memory"), run("counter"), run(""), run("Add")]),
        case("bad_arguments", "argument lists that do not match the function type: too few, "
             "too many, an i64 for an i32, an f64 for an f32, any argument to nop: "
             "BAD_ARGUMENTS each", PRE,
             [run("add", I32(1)), run("add", I32(1), I32(2), I32(3)),
              run("add", I64(1), I32(2)), run("trunc", Value.f64(1.0)), run("nop", I32(0))]),
        case("no_memory_export", "host functions see only the memory exported as 'memory': "
             "without it an empty key at 0 is in bounds and a 1-byte key is "
             "MEMORY_OUT_OF_BOUNDS",
             ["RT-CALL-2", "HOST-MEM-1", "HOST-STORAGE-1"],
             [run("get_empty", to="c"), run("get_one", to="c")],
             only("c", contract("abi_probe_no_memory"))),
    ]


def cases() -> list[Case]:
    """Every engine case."""
    return [*trap_cases(), *gas_cases(), *checkpoint_cases(), *value_cases(),
            *pre_execution_cases()]
