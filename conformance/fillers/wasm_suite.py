"""Filler ``wasm_suite``: call fixtures derived from the official WebAssembly test suite
(spec/conformance.md CONF-SUITE-1..7; spec/runtime.md RT-CALL-*, RT-ERR-*; spec/wasm.md
WASM-GAS-*, WASM-FLOAT-*, WASM-MEM-1).

Each module of the scripts below that some command invokes becomes one fixture; the script's
``assert_return`` / ``assert_trap`` / ``assert_exhaustion`` / ``action`` commands on it become
its transactions (`supervm_ref.conformance.suite`). Filling records SuperVM's outcome of each:
results bit for bit, the error kind, the gas. `SCRIPTS` is the selection: integer and float
operators at their edge cases, conversions, traps, memory bounds. Where a script holds a full
cross product of operands (the ``f32``/``f64`` files and their ``_cmp``/``_bitwise`` files),
only the operand pairs drawn from a smaller set of corner values are kept (`corner_pairs`).
"""

from __future__ import annotations

from supervm_ref.conformance import Case
from supervm_ref.conformance.filler import current_root
from supervm_ref.conformance.suite import (
    SuiteCommand,
    SuiteScript,
    check_suite_version,
    corner_pairs,
    find_suite,
    suite_cases,
)

AREA = "wasm_suite"
#: CONF-SUITE-1: the suite these fixtures are derived from (the start of its SOURCE file).
SUITE_VERSION = "WebAssembly/testsuite commit 3a04b2c"
#: Every derived fixture covers these: the derivation and the call it runs.
COMMON = ["CONF-SUITE-2", "CONF-SUITE-3", "CONF-SUITE-4", "CONF-SUITE-5", "CONF-FIX-8",
          "RT-CALL-1", "RT-CALL-3", "RT-ERR-1", "RT-ERR-3", "WASM-GAS-1", "WASM-GAS-2",
          "WASM-GAS-3"]
INT = [*COMMON, "WASM-ERR-5"]
FLOAT = [*COMMON, "WASM-FLOAT-1", "WASM-FLOAT-2", "WASM-FLOAT-3", "CONF-SUITE-7"]
GRID = [*FLOAT, "CONF-SUITE-6"]
MEMORY = [*COMMON, "WASM-MEM-1", "WASM-ERR-5"]
TRAP = [*COMMON, "WASM-ERR-5", "WASM-LIMIT-1"]

#: CONF-SUITE-6: the corners of the operand grid of the f32 files (20 values each way): both
#: zeros, the smallest subnormal, the largest finite value, negative infinity and a negative
#: signalling NaN (``-nan:0x200000``, whose result must still be the positive canonical NaN).
F32_CORNERS = {0x00000000, 0x80000000, 0x00000001, 0x7F7FFFFF, 0xFF800000, 0xFFA00000}
#: The same corners in f64 (``-nan:0x4000000000000``).
F64_CORNERS = {0x0000000000000000, 0x8000000000000000, 0x0000000000000001,
               0x7FEFFFFFFFFFFFFF, 0xFFF0000000000000, 0xFFF4000000000000}
#: For the comparison files, fewer corners: no largest finite value.
F32_CMP_CORNERS = F32_CORNERS - {0x7F7FFFFF}
F64_CMP_CORNERS = F64_CORNERS - {0x7FEFFFFFFFFFFFFF}
#: The bitwise files have no signalling NaN: their negative quiet NaN instead.
F32_BITWISE_CORNERS = F32_CORNERS - {0xFFA00000} | {0xFFC00000}
F64_BITWISE_CORNERS = F64_CORNERS - {0xFFF4000000000000} | {0xFFF8000000000000}


def traps_only(command: SuiteCommand) -> bool:
    """The commands that expect a trap (``assert_trap``, ``assert_exhaustion``)."""
    return command.trap is not None


#: CONF-SUITE-6: the scripts and what is taken from each.
SCRIPTS = [
    # Integers: every command.
    SuiteScript("i32", "i32 operators at their edges", INT),
    SuiteScript("i64", "i64 operators at their edges", INT),
    SuiteScript("int_exprs", "integer expressions that must not be simplified", INT),
    # Floats: the operand grids at their corners, every other command.
    SuiteScript("f32", "f32 arithmetic (operand pairs among the corners)", GRID,
                corner_pairs(F32_CORNERS)),
    SuiteScript("f64", "f64 arithmetic (operand pairs among the corners)", GRID,
                corner_pairs(F64_CORNERS)),
    SuiteScript("f32_cmp", "f32 comparisons (operand pairs among the corners)", GRID,
                corner_pairs(F32_CMP_CORNERS)),
    SuiteScript("f64_cmp", "f64 comparisons (operand pairs among the corners)", GRID,
                corner_pairs(F64_CMP_CORNERS)),
    SuiteScript("f32_bitwise", "f32 abs, neg, copysign (operand pairs among the corners)",
                GRID, corner_pairs(F32_BITWISE_CORNERS)),
    SuiteScript("f64_bitwise", "f64 abs, neg, copysign (operand pairs among the corners)",
                GRID, corner_pairs(F64_BITWISE_CORNERS)),
    SuiteScript("float_exprs", "float expressions that must not be simplified", FLOAT),
    SuiteScript("float_misc", "float operators on rounding and NaN cases", FLOAT),
    SuiteScript("float_memory", "floats through memory, bit for bit", [*FLOAT, "WASM-MEM-1"]),
    # Conversions and traps.
    SuiteScript("conversions", "conversions between integers and floats", [*INT, *FLOAT]),
    SuiteScript("traps", "traps of division, conversion and memory access", MEMORY),
    SuiteScript("call_indirect", "traps of call_indirect and unbounded recursion",
                [*TRAP, "RT-BACKEND-2"], traps_only),
    SuiteScript("fac", "recursion and iteration, and unbounded recursion",
                [*TRAP, "RT-BACKEND-2"]),
    # Memory.
    SuiteScript("memory", "memories and data segments", MEMORY),
    SuiteScript("address", "loads and stores with offsets at the bounds", MEMORY),
    SuiteScript("memory_trap", "memory accesses and growth at the end of memory", MEMORY),
    SuiteScript("load", "loads of every width", MEMORY),
    SuiteScript("store", "stores of every width", MEMORY),
    SuiteScript("endianness", "little-endian loads and stores", MEMORY),
]


def cases() -> list[Case]:
    """CONF-SUITE-1: the cases of `SCRIPTS`, from the suite of `SUITE_VERSION`."""
    suite = find_suite(current_root())
    check_suite_version(suite, SUITE_VERSION)
    return suite_cases(AREA, SCRIPTS, suite, SUITE_VERSION)
