"""Tests of the spec test-script runner (`supervm_ref.wasm.script`) and ``supervm spectest``.

Unit tests of value parsing and matching, of the report and of the runner on small hand-made
scripts, then the official suite itself: execution >= 99.5% and binary validation >= 99.0%,
and the same totals under ``python -O``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supervm_ref.cli import main
from supervm_ref.cli.spectest import DEFAULT_MIN_EXECUTION, DEFAULT_MIN_VALIDATION
from supervm_ref.wasm.runtime.values import ExternRef, Value
from supervm_ref.wasm.script import report
from supervm_ref.wasm.script.runner import CommandResult, FileResult, run_script
from supervm_ref.wasm.script.values import (
    Either,
    HostRef,
    NanPattern,
    NonNullRef,
    ScriptError,
    format_expected,
    format_value,
    is_arithmetic_nan,
    is_canonical_nan,
    matches,
    parse_expected,
    parse_value,
)
from supervm_ref.wasm.structure.types import ValType

from ..support import REPO

pytestmark = pytest.mark.slow

ROOT = REPO
EXTERNAL = Path(os.environ.get("SUPERVM_EXTERNAL", str(ROOT.parent / "shared" / "external")))
SUITE = EXTERNAL / "wasm-testsuite" / "json"

I32, I64, F32, F64 = ValType.I32, ValType.I64, ValType.F32, ValType.F64


def v(t: str, value: str) -> dict[str, str]:
    return {"type": t, "value": value}


# --- Values -----------------------------------------------------------------------------------

def test_parse_integers_are_unsigned_bit_patterns() -> None:
    assert parse_value(v("i32", "4294967295")) == Value(I32, 0xFFFFFFFF)
    assert parse_value(v("i32", "4294967295")).as_signed() == -1
    assert parse_value(v("i64", "9223372036854775808")) == Value(I64, 1 << 63)
    assert parse_value(v("i32", "0")) == Value(I32, 0)


def test_parse_floats_keep_bits() -> None:
    assert parse_value(v("f32", "2143289344")) == Value(F32, 0x7FC00000)
    assert parse_value(v("f32", "2141192192")) == Value(F32, 0x7FA00000)  # signalling NaN
    assert parse_value(v("f64", "9223372036854775808")) == Value(F64, 1 << 63)  # -0.0


@pytest.mark.parametrize("obj", [
    v("i32", "4294967296"), v("i64", "18446744073709551616"), v("i32", "-1"), v("i32", "0x10"),
    v("i32", ""), v("f32", "nan:canonical"), v("v128", "0"), v("funcref", "3"),
    {"type": "i32"}, {"value": "1"}, "i32", None, v("i32", "\u0661"),  # a non-ASCII digit
])
def test_parse_value_rejects(obj: Any) -> None:
    with pytest.raises(ScriptError):
        parse_value(obj)


def test_negative_zero_is_not_positive_zero() -> None:
    neg, pos = parse_expected(v("f64", str(1 << 63))), parse_expected(v("f64", "0"))
    assert matches(neg, Value(F64, 1 << 63))
    assert not matches(neg, Value(F64, 0))
    assert not matches(pos, Value(F64, 1 << 63))
    neg32 = parse_expected(v("f32", str(1 << 31)))
    assert matches(neg32, Value(F32, 1 << 31)) and not matches(neg32, Value(F32, 0))


def test_concrete_nan_must_match_exactly() -> None:
    e = parse_expected(v("f32", str(0x7FA00000)))
    assert matches(e, Value(F32, 0x7FA00000))
    assert not matches(e, Value(F32, 0x7FE00000))  # quietened
    assert not matches(e, Value(F32, 0xFFA00000))  # other sign


def test_nan_canonical() -> None:
    e = parse_expected(v("f32", "nan:canonical"))
    assert e == NanPattern(F32, arithmetic=False)
    assert matches(e, Value(F32, 0x7FC00000)) and matches(e, Value(F32, 0xFFC00000))
    for bits in (0x7FC00001, 0x7FE00000, 0x7FA00000, 0x7F800000, 0, 0x3F800000):
        assert not matches(e, Value(F32, bits)), hex(bits)
    e64 = parse_expected(v("f64", "nan:canonical"))
    assert matches(e64, Value(F64, 0x7FF8000000000000))
    assert matches(e64, Value(F64, 0xFFF8000000000000))
    assert not matches(e64, Value(F64, 0x7FF8000000000001))
    assert not matches(e64, Value(F32, 0x7FC00000))  # wrong type
    assert not matches(e, Value(F64, 0x7FF8000000000000))


def test_nan_arithmetic() -> None:
    e = parse_expected(v("f32", "nan:arithmetic"))
    assert e == NanPattern(F32, arithmetic=True)
    for bits in (0x7FC00000, 0xFFC00000, 0x7FC00001, 0x7FFFFFFF, 0xFFFFFFFF, 0x7FE00000):
        assert matches(e, Value(F32, bits)), hex(bits)
    for bits in (0x7FA00000, 0x7F800001, 0x7F800000, 0xFF800000, 0, 0x7F7FFFFF):
        assert not matches(e, Value(F32, bits)), hex(bits)
    e64 = parse_expected(v("f64", "nan:arithmetic"))
    assert matches(e64, Value(F64, 0x7FF8000000000001))
    assert not matches(e64, Value(F64, 0x7FF4000000000000))
    assert not matches(e64, Value(I64, 0x7FF8000000000000))


@given(st.integers(0, 0xFFFFFFFF))
def test_f32_patterns_match_their_definition(bits: int) -> None:
    exponent_all_ones = (bits >> 23) & 0xFF == 0xFF
    quiet = bits & (1 << 22) != 0
    payload = bits & 0x7FFFFF
    assert is_canonical_nan(F32, bits) == (exponent_all_ones and payload == 1 << 22)
    assert is_arithmetic_nan(F32, bits) == (exponent_all_ones and quiet)
    assert matches(parse_expected(v("f32", str(bits))), Value(F32, bits))
    assert not matches(parse_expected(v("f32", str(bits))), Value(F32, bits ^ 1))
    assert not matches(parse_expected(v("f32", str(bits))), Value(I32, bits))


@given(st.integers(0, (1 << 64) - 1))
def test_f64_patterns_match_their_definition(bits: int) -> None:
    exponent_all_ones = (bits >> 52) & 0x7FF == 0x7FF
    quiet = bits & (1 << 51) != 0
    payload = bits & ((1 << 52) - 1)
    assert is_canonical_nan(F64, bits) == (exponent_all_ones and payload == 1 << 51)
    assert is_arithmetic_nan(F64, bits) == (exponent_all_ones and quiet)


def test_externref_values_compare_by_number() -> None:
    one = parse_value(v("externref", "1"))
    assert one == Value(ValType.EXTERNREF, ExternRef(HostRef(1)))
    assert matches(parse_expected(v("externref", "1")), one)
    assert not matches(parse_expected(v("externref", "2")), one)
    assert not matches(parse_expected(v("externref", "null")), one)
    null = parse_value(v("externref", "null"))
    assert null == Value(ValType.EXTERNREF, None)
    assert matches(parse_expected(v("externref", "null")), null)
    assert not matches(parse_expected(v("externref", "1")), null)
    assert not matches(parse_expected(v("funcref", "null")), null)  # wrong reference type
    # A host value that merely equals the number is not the host reference of that number.
    assert not matches(parse_expected(v("externref", "1")), Value.externref(1))


def test_funcref_patterns() -> None:
    assert parse_value(v("funcref", "null")) == Value(ValType.FUNCREF, None)
    null = parse_expected(v("funcref", "null"))
    assert matches(null, Value(ValType.FUNCREF, None))
    assert not matches(null, Value(ValType.FUNCREF, 0))
    any_func = parse_expected({"type": "funcref"})
    assert any_func == NonNullRef(ValType.FUNCREF)
    assert matches(any_func, Value(ValType.FUNCREF, 3))
    assert not matches(any_func, Value(ValType.FUNCREF, None))
    assert not matches(any_func, Value(ValType.EXTERNREF, ExternRef(HostRef(3))))


def test_either_pattern() -> None:
    e = parse_expected({"type": "either", "values": [v("i32", "1"), v("f32", "nan:canonical")]})
    assert isinstance(e, Either)
    assert matches(e, Value(I32, 1)) and matches(e, Value(F32, 0x7FC00000))
    assert not matches(e, Value(I32, 2))
    with pytest.raises(ScriptError):
        parse_expected({"type": "either", "values": []})
    with pytest.raises(ScriptError):  # alternatives do not nest
        parse_expected({"type": "either", "values": [{"type": "either", "values": []}]})


def test_formatting() -> None:
    assert format_value(Value(I32, 0xFFFFFFFF)) == "i32:-1"
    assert format_value(Value(F32, 0x7FC00000)) == "f32:0x7fc00000 (nan)"
    assert format_value(Value(F64, 1 << 63)) == "f64:0x8000000000000000 (-0.0)"
    assert format_value(parse_value(v("externref", "5"))) == "externref:ref.extern 5"
    assert format_value(Value(ValType.FUNCREF, None)) == "funcref:null"
    assert format_expected(NanPattern(F64, True)) == "f64:nan:arithmetic"
    assert format_expected(NonNullRef(ValType.FUNCREF)) == "funcref:non-null"


# --- Report -----------------------------------------------------------------------------------

def cr(kind: str, group: str, outcome: str, cause: str = "", line: int = 1,
       note: str = "") -> CommandResult:
    return CommandResult(line, kind, group, outcome, cause, "detail", note)


def sample_results() -> list[FileResult]:
    b = FileResult("b", (
        cr("module", "execution", "passed"),
        cr("assert_return", "execution", "passed"),
        cr("assert_return", "execution", "failed", "wrong result", line=7),
        cr("assert_trap", "execution", "passed", note="expected trap 'x', got 'y'", line=8),
        cr("assert_invalid", "validation", "passed"),
        cr("assert_malformed", "validation", "failed", "no DecodeError", line=9),
        cr("assert_malformed", "n/a", "n/a"),
    ))
    a = FileResult("a", (
        cr("module", "execution", "passed"),
        cr("assert_return", "execution", "failed", "wrong result", line=3),
        cr("assert_malformed", "n/a", "n/a"),
        cr("assert_malformed", "n/a", "n/a"),
    ))
    return [b, a]


def test_summary_counts_and_percentages() -> None:
    b, a = sample_results()
    sb = report.summarize(b)
    assert sb == report.Summary(report.GroupCount(3, 1), report.GroupCount(1, 1), 1)
    t = report.total([b, a])
    assert t.execution == report.GroupCount(4, 2)
    assert t.validation == report.GroupCount(1, 1)
    assert t.not_applicable == 3
    assert t.execution.percent == pytest.approx(400 / 6)
    assert report.GroupCount().percent == 100.0  # an empty group passes


def test_thresholds() -> None:
    t = report.total(sample_results())
    assert report.threshold_failures(t, 50.0, 50.0) == []
    problems = report.threshold_failures(t, 70.0, 40.0)
    assert len(problems) == 1 and problems[0].startswith("execution pass rate 66.67%")
    assert len(report.threshold_failures(t, 99.5, 99.0)) == 2


def test_table_is_sorted_and_complete() -> None:
    text = report.format_table(sample_results())
    lines = text.splitlines()
    rows = [ln.split() for ln in lines if ln.split() and ln.split()[0] in ("a", "b", "TOTAL")]
    assert rows == [["a", "1", "1", "0", "0", "2"], ["b", "3", "1", "1", "1", "1"],
                    ["TOTAL", "4", "2", "1", "1", "3"]]
    assert "execution:  4/6 passed (66.67%)" in text
    assert "validation: 1/2 passed (50.00%)" in text
    assert "failures:" not in text
    verbose = report.format_table(sample_results(), verbose=True)
    assert "  a:3: assert_return: wrong result: detail" in verbose
    assert "       2  assert_return: wrong result  (a, b)" in verbose
    assert "  b:8: assert_trap: expected trap 'x', got 'y'" in verbose
    assert report.format_table(list(reversed(sample_results()))) == text


def test_json_report() -> None:
    data = report.to_json(sample_results())
    assert list(data["files"]) == ["a", "b"]
    assert data["files"]["b"]["groups"] == {
        "execution": {"passed": 3, "failed": 1, "percent": 75.0},
        "validation": {"passed": 1, "failed": 1, "percent": 50.0}, "n/a": 1}
    assert data["files"]["a"]["kinds"]["assert_malformed"] == {"passed": 0, "failed": 0,
                                                               "n/a": 2}
    assert data["totals"]["kinds"]["assert_return"] == {"passed": 1, "failed": 2, "n/a": 0}
    assert data["totals"]["groups"]["execution"]["percent"] == 66.6667
    assert data["totals"]["files"] == 2
    assert [(f["file"], f["line"]) for f in data["failures"]] == [("a", 3), ("b", 7), ("b", 9)]
    assert data["causes"][0] == {"kind": "assert_return", "cause": "wrong result", "count": 2,
                                 "files": ["a", "b"]}
    assert data["notes"] == [{"file": "b", "line": 8, "kind": "assert_trap",
                              "note": "expected trap 'x', got 'y'"}]
    json.dumps(data)  # serialisable


# --- The runner on hand-made scripts ----------------------------------------------------------

def wat(text: str) -> bytes:
    import wasmtime  # the test extra installs it
    data: bytes = wasmtime.wat2wasm(text)
    return data


MODULE_A = """
(module
  (import "spectest" "print_i32" (func $print (param i32)))
  (import "spectest" "global_i32" (global $gi i32))
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_u)
  (func (export "nan") (result f32) f32.const nan)
  (func (export "anan") (result f64) f64.const nan:0x8000000000001)
  (func (export "negzero") (result f64) f64.const -0)
  (func (export "id_ext") (param externref) (result externref) local.get 0)
  (func (export "null_func") (result funcref) ref.null func)
  (func $loop (export "loop") call $loop)
  (func (export "two") (result i32 i64) i32.const 1 i64.const -1)
  (func (export "print") (param i32) local.get 0 call $print)
  (func (export "gi") (result i32) global.get $gi)
  (global (export "g") i32 (i32.const 42))
)
"""

MODULE_B = """
(module
  (import "A" "add" (func $add (param i32 i32) (result i32)))
  (func (export "add3") (param i32) (result i32) local.get 0 i32.const 3 call $add)
)
"""

SPECTEST_ALL = """
(module
  (import "spectest" "print" (func))
  (import "spectest" "print_i32" (func (param i32)))
  (import "spectest" "print_i64" (func (param i64)))
  (import "spectest" "print_f32" (func (param f32)))
  (import "spectest" "print_f64" (func (param f64)))
  (import "spectest" "print_i32_f32" (func (param i32 f32)))
  (import "spectest" "print_f64_f64" (func (param f64 f64)))
  (import "spectest" "global_i32" (global $i32 i32))
  (import "spectest" "global_i64" (global $i64 i64))
  (import "spectest" "global_f32" (global $f32 f32))
  (import "spectest" "global_f64" (global $f64 f64))
  (import "spectest" "table" (table 10 20 funcref))
  (import "spectest" "memory" (memory 1 2))
  (func (export "globals") (result i32 i64 f32 f64)
    global.get $i32 global.get $i64 global.get $f32 global.get $f64)
  (func (export "sizes") (result i32 i32) table.size 0 memory.size)
  (func (export "grow") (result i32 i32)
    (table.grow 0 (ref.null func) (i32.const 11)) (memory.grow (i32.const 2)))
)
"""

INVALID = "(module (func (result i32) (i64.const 1)))"
VALID = "(module)"
MALFORMED = b"\0asm\x02\0\0\0"
START_TRAPS = "(module (func $s unreachable) (start $s))"
IMPORT_MISSING_FIELD = '(module (import "A" "missing" (func)))'
IMPORT_MISSING_MODULE = '(module (import "nowhere" "f" (func)))'
IMPORT_WRONG_KIND = '(module (import "A" "g" (func)))'
IMPORT_WRONG_TYPE = '(module (import "A" "add" (func (param i64))))'
IMPORT_WRONG_GLOBAL_TYPE = '(module (import "spectest" "global_i32" (global i64)))'


def invoke(field: str, *args: dict[str, str], module: str | None = None) -> dict[str, Any]:
    action: dict[str, Any] = {"type": "invoke", "field": field, "args": list(args)}
    if module is not None:
        action["module"] = module
    return action


def write_script(directory: Path, name: str, modules: dict[str, str | bytes],
                 commands: list[dict[str, Any]]) -> Path:
    folder = directory / name
    folder.mkdir(parents=True)
    for filename, source in modules.items():
        path = folder / filename
        if filename.endswith(".wat"):
            path.write_text(str(source))
        else:
            path.write_bytes(source if isinstance(source, bytes) else wat(source))
    for line, cmd in enumerate(commands, start=1):
        cmd["line"] = line
    path = folder / f"{name}.json"
    path.write_text(json.dumps({"source_filename": f"{name}.wast", "commands": commands}))
    return path


#: (command, expected outcome, expected cause) of the demo script.
DEMO: list[tuple[dict[str, Any], str, str]] = [
    ({"type": "module", "name": "$A", "filename": "a.wasm"}, "passed", ""),
    ({"type": "register", "name": "$A", "as": "A"}, "passed", ""),
    ({"type": "module", "filename": "b.wasm"}, "passed", ""),
    ({"type": "assert_return", "action": invoke("add3", v("i32", "4")),
      "expected": [v("i32", "7")]}, "passed", ""),
    ({"type": "assert_return", "action": invoke("add", v("i32", "1"), v("i32", "4294967295"),
                                                module="$A"),
      "expected": [v("i32", "0")]}, "passed", ""),
    ({"type": "assert_return", "action": invoke("nan", module="$A"),
      "expected": [v("f32", "nan:canonical")]}, "passed", ""),
    ({"type": "assert_return", "action": invoke("anan", module="$A"),
      "expected": [v("f64", "nan:arithmetic")]}, "passed", ""),
    ({"type": "assert_return", "action": invoke("anan", module="$A"),
      "expected": [v("f64", "nan:canonical")]}, "failed", "wrong result"),
    ({"type": "assert_return", "action": invoke("negzero", module="$A"),
      "expected": [v("f64", str(1 << 63))]}, "passed", ""),
    ({"type": "assert_return", "action": invoke("negzero", module="$A"),
      "expected": [v("f64", "0")]}, "failed", "wrong result"),
    ({"type": "assert_return", "action": invoke("id_ext", v("externref", "7"), module="$A"),
      "expected": [v("externref", "7")]}, "passed", ""),
    ({"type": "assert_return", "action": invoke("id_ext", v("externref", "7"), module="$A"),
      "expected": [v("externref", "8")]}, "failed", "wrong result"),
    ({"type": "assert_return", "action": invoke("id_ext", v("externref", "null"), module="$A"),
      "expected": [v("externref", "null")]}, "passed", ""),
    ({"type": "assert_return", "action": invoke("null_func", module="$A"),
      "expected": [v("funcref", "null")]}, "passed", ""),
    ({"type": "assert_return", "action": invoke("two", module="$A"),
      "expected": [v("i32", "1"), v("i64", str((1 << 64) - 1))]}, "passed", ""),
    ({"type": "assert_return", "action": invoke("two", module="$A"),
      "expected": [v("i32", "1")]}, "failed", "wrong result count"),
    ({"type": "assert_return", "action": {"type": "get", "field": "g", "module": "$A"},
      "expected": [v("i32", "42")]}, "passed", ""),
    ({"type": "action", "action": invoke("print", v("i32", "5"), module="$A"),
      "expected": []}, "passed", ""),
    ({"type": "assert_return", "action": invoke("gi", module="$A"),
      "expected": [v("i32", "666")]}, "passed", ""),
    ({"type": "assert_trap", "action": invoke("div", v("i32", "1"), v("i32", "0"), module="$A"),
      "text": "integer divide by zero", "expected": [{"type": "i32"}]}, "passed", ""),
    ({"type": "assert_trap", "action": invoke("add", v("i32", "1"), v("i32", "0"), module="$A"),
      "text": "unreachable", "expected": [{"type": "i32"}]}, "failed", "no trap"),
    ({"type": "action", "action": invoke("div", v("i32", "1"), v("i32", "0"), module="$A"),
      "expected": [{"type": "i32"}]}, "failed", "Trap(integer divide by zero)"),
    ({"type": "assert_exhaustion", "action": invoke("loop", module="$A"),
      "text": "call stack exhausted", "expected": []}, "passed", ""),
    ({"type": "assert_exhaustion", "action": invoke("div", v("i32", "1"), v("i32", "0"),
                                                    module="$A"),
      "text": "call stack exhausted", "expected": []}, "failed", "Trap(integer divide by zero)"),
    ({"type": "assert_malformed", "filename": "malformed.wasm", "text": "unknown binary version",
      "module_type": "binary"}, "passed", ""),
    ({"type": "assert_malformed", "filename": "text.0.wat", "text": "unexpected token",
      "module_type": "text"}, "n/a", ""),
    ({"type": "assert_malformed", "filename": "valid.wasm", "text": "x",
      "module_type": "binary"}, "failed", "no DecodeError"),
    ({"type": "assert_invalid", "filename": "invalid.wasm", "text": "type mismatch",
      "module_type": "binary"}, "passed", ""),
    ({"type": "assert_invalid", "filename": "valid.wasm", "text": "type mismatch",
      "module_type": "binary"}, "failed", "no ValidationError"),
    ({"type": "assert_invalid", "filename": "malformed.wasm", "text": "type mismatch",
      "module_type": "binary"}, "failed", "DecodeError instead of ValidationError"),
    ({"type": "assert_unlinkable", "filename": "missing_field.wasm", "text": "unknown import",
      "module_type": "binary"}, "passed", ""),
    ({"type": "assert_unlinkable", "filename": "missing_module.wasm", "text": "unknown import",
      "module_type": "binary"}, "passed", ""),
    ({"type": "assert_unlinkable", "filename": "wrong_kind.wasm",
      "text": "incompatible import type", "module_type": "binary"}, "passed", ""),
    ({"type": "assert_unlinkable", "filename": "wrong_type.wasm",
      "text": "incompatible import type", "module_type": "binary"}, "passed", ""),
    ({"type": "assert_unlinkable", "filename": "wrong_global_type.wasm",
      "text": "incompatible import type", "module_type": "binary"}, "passed", ""),
    ({"type": "assert_unlinkable", "filename": "valid.wasm", "text": "unknown import",
      "module_type": "binary"}, "failed", "no LinkError"),
    ({"type": "assert_uninstantiable", "filename": "start_traps.wasm", "text": "unreachable",
      "module_type": "binary"}, "passed", ""),
    ({"type": "assert_trap", "filename": "start_traps.wasm", "text": "unreachable"},
     "passed", ""),
    ({"type": "assert_uninstantiable", "filename": "valid.wasm", "text": "unreachable",
      "module_type": "binary"}, "failed", "no trap"),
    ({"type": "assert_return", "action": invoke("add", v("v128", "0"), module="$A"),
      "expected": []}, "failed", "script error"),
    ({"type": "assert_return", "action": invoke("absent", module="$A"), "expected": []},
     "failed", "engine error (EmbeddingError)"),
    ({"type": "assert_return", "action": invoke("add", module="$nowhere"), "expected": []},
     "failed", "no such module"),
    ({"type": "module", "filename": "missing-file.wasm"}, "failed", "script error"),
    ({"type": "assert_return", "action": invoke("add3", v("i32", "4")),
      "expected": [v("i32", "7")]}, "failed", "earlier module failed"),
    ({"type": "module", "name": "$C", "filename": "malformed.wasm"}, "failed", "DecodeError"),
    ({"type": "register", "name": "$C", "as": "C"}, "failed", "earlier module failed"),
    ({"type": "assert_return", "action": invoke("add", module="$C"), "expected": []},
     "failed", "earlier module failed"),
    ({"type": "assert_return", "action": invoke("add", v("i32", "2"), v("i32", "3"),
                                                module="$A"),
      "expected": [v("i32", "5")]}, "passed", ""),
    ({"type": "module", "filename": "spectest_all.wasm"}, "passed", ""),
    ({"type": "assert_return", "action": invoke("globals"),
      "expected": [v("i32", "666"), v("i64", "666"), v("f32", str(0x4426A666)),
                   v("f64", str(0x4084D4CCCCCCCCCD))]}, "passed", ""),
    ({"type": "assert_return", "action": invoke("sizes"),
      "expected": [v("i32", "10"), v("i32", "1")]}, "passed", ""),
    ({"type": "assert_return", "action": invoke("grow"),
      "expected": [v("i32", str(0xFFFFFFFF)), v("i32", str(0xFFFFFFFF))]}, "passed", ""),
    ({"type": "assert_frobnicate"}, "failed", "unsupported command"),
]

DEMO_MODULES: dict[str, str | bytes] = {
    "a.wasm": MODULE_A, "b.wasm": MODULE_B, "malformed.wasm": MALFORMED, "valid.wasm": VALID,
    "invalid.wasm": INVALID, "start_traps.wasm": START_TRAPS, "text.0.wat": "(module",
    "missing_field.wasm": IMPORT_MISSING_FIELD, "missing_module.wasm": IMPORT_MISSING_MODULE,
    "wrong_kind.wasm": IMPORT_WRONG_KIND, "wrong_type.wasm": IMPORT_WRONG_TYPE,
    "wrong_global_type.wasm": IMPORT_WRONG_GLOBAL_TYPE, "spectest_all.wasm": SPECTEST_ALL,
}


@pytest.fixture
def demo_script(tmp_path: Path) -> Path:
    return write_script(tmp_path, "demo", DEMO_MODULES, [dict(c) for c, _, _ in DEMO])


def test_runner_on_demo_script(demo_script: Path) -> None:
    result = run_script(demo_script)
    assert result.name == "demo"
    assert len(result.commands) == len(DEMO)
    for line, ((cmd, outcome, cause), got) in enumerate(
            zip(DEMO, result.commands, strict=True), start=1):
        assert got.line == line
        assert got.kind == cmd["type"]
        assert (got.outcome, got.cause) == (outcome, cause), (cmd, got)
    groups = {c.kind: c.group for c in result.commands}
    assert groups["assert_return"] == groups["module"] == "execution"
    assert groups["assert_invalid"] == groups["assert_unlinkable"] == "validation"
    assert groups["assert_uninstantiable"] == "execution"
    # WASM-PROFILE-3: a text-format module is not applicable, neither passed nor failed.
    assert result.commands[25].group == "n/a"


def test_trap_text_mismatch_is_a_pass_with_a_note(tmp_path: Path) -> None:
    path = write_script(tmp_path, "trap", {"a.wasm": MODULE_A}, [
        {"type": "module", "filename": "a.wasm"},
        {"type": "assert_trap", "action": invoke("div", v("i32", "1"), v("i32", "0")),
         "text": "integer overflow", "expected": [{"type": "i32"}]},
        {"type": "assert_trap", "action": invoke("div", v("i32", "1"), v("i32", "0")),
         "text": "integer divide by zero", "expected": [{"type": "i32"}]},
    ])
    commands = run_script(path).commands
    assert [c.outcome for c in commands] == ["passed"] * 3
    assert commands[1].note == ("expected trap 'integer overflow', "
                                "got 'integer divide by zero'")
    assert commands[2].note == ""


def test_python_exception_from_the_engine_fails_one_command(tmp_path: Path) -> None:
    from supervm_ref.wasm import embedding

    def broken_invoke(store: Any, addr: int, args: Any) -> Any:
        if args:
            raise KeyError("boom")
        return embedding.func_invoke(store, addr, args)

    api = types.SimpleNamespace(**{k: getattr(embedding, k) for k in dir(embedding)})
    api.func_invoke = broken_invoke
    path = write_script(tmp_path, "broken", {"a.wasm": MODULE_A}, [
        {"type": "module", "filename": "a.wasm"},
        {"type": "assert_return", "action": invoke("add", v("i32", "1"), v("i32", "2")),
         "expected": [v("i32", "3")]},
        {"type": "assert_return", "action": invoke("nan"),
         "expected": [v("f32", "nan:canonical")]},
    ])
    commands = run_script(path, api=api).commands  # type: ignore[arg-type]
    assert [c.outcome for c in commands] == ["passed", "failed", "passed"]
    assert commands[1].cause == "Python exception (KeyError)"
    assert "boom" in commands[1].detail and "broken_invoke" in commands[1].detail


@pytest.mark.parametrize("content", ["{not json", '{"commands": 3}', "[]", ""])
def test_unreadable_script_is_one_failure(tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    result = run_script(path)
    assert result.name == "bad"
    assert [(c.kind, c.outcome, c.cause) for c in result.commands] == [
        ("script", "failed", "script error")]


def test_malformed_commands_do_not_crash(tmp_path: Path) -> None:
    path = tmp_path / "odd.json"
    path.write_text(json.dumps({"commands": [
        3, None, [], {}, {"type": 5}, {"type": "assert_return", "line": "x"},
        {"type": "assert_return", "action": 1, "expected": []},
        {"type": "assert_return", "action": invoke("f"), "expected": None},
        {"type": "register"}, {"type": "module", "filename": "../etc/passwd"},
        {"type": "assert_trap", "action": {"type": "jump", "field": "f"}},
    ]}))
    commands = run_script(path).commands
    assert len(commands) == 11
    assert all(c.outcome == "failed" for c in commands)


# --- The command line -------------------------------------------------------------------------

def test_cli_on_demo_script(demo_script: Path, capsys: pytest.CaptureFixture[str]) -> None:
    suite = demo_script.parent.parent
    write_script(suite, "zeta", {"a.wasm": MODULE_A}, [
        {"type": "module", "filename": "a.wasm"},
        {"type": "assert_malformed", "filename": "a.0.wat", "module_type": "text", "text": "x"},
    ])
    (suite / "not-a-script").mkdir()
    assert main(["spectest", str(suite), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert list(data["files"]) == ["demo", "zeta"]
    assert data["thresholds"] == {"execution": DEFAULT_MIN_EXECUTION,
                                  "validation": DEFAULT_MIN_VALIDATION}
    assert data["ok"] is False
    expected_failed = sum(1 for _, outcome, _ in DEMO if outcome == "failed")
    totals = data["totals"]["groups"]
    assert totals["execution"]["failed"] + totals["validation"]["failed"] == expected_failed
    assert totals["n/a"] == 2
    assert data["files"]["zeta"]["groups"]["execution"] == {"passed": 1, "failed": 0,
                                                           "percent": 100.0}

    assert main(["spectest", str(suite), "--min-pass", "0"]) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[2].split()[0] == "demo"
    assert "TOTAL" in text and "FAIL" not in text

    assert main(["spectest", str(suite), "--file", "zeta"]) == 0
    text = capsys.readouterr().out
    assert "zeta" in text and "demo" not in text

    assert main(["spectest", str(suite), "--min-pass", "0", "--min-pass-exec", "100"]) == 1
    out = capsys.readouterr().out
    assert "FAIL: execution pass rate" in out and "FAIL: validation" not in out

    assert main(["spectest", str(suite), "--min-pass", "0", "--verbose"]) == 0
    captured = capsys.readouterr()
    assert "failures by cause:" in captured.out and "running demo" in captured.err


def test_cli_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["spectest", str(tmp_path / "absent")]) == 2
    assert main(["spectest", str(tmp_path), "--file", "nothing"]) == 2
    assert "no script nothing" in capsys.readouterr().err
    assert main(["spectest", str(tmp_path)]) == 2  # an empty suite: nothing was checked
    assert "no script in" in capsys.readouterr().err


def test_cli_threshold_options() -> None:
    from supervm_ref.cli import build_parser
    from supervm_ref.cli.spectest import thresholds

    parse = build_parser().parse_args
    assert thresholds(parse(["spectest", "d"])) == (99.5, 99.0)
    assert thresholds(parse(["spectest", "d", "--min-pass", "90"])) == (90.0, 90.0)
    assert thresholds(parse(["spectest", "d", "--min-pass", "90", "--min-pass-valid", "80"])) \
        == (90.0, 80.0)
    assert thresholds(parse(["spectest", "d", "--min-pass-exec", "70"])) == (70.0, 99.0)
    args = parse(["spectest", "d", "--file", "a", "b", "--file", "c"])
    assert args.files == ["a", "b", "c"]


# --- The official suite -----------------------------------------------------------------------

# The official suite is required (CI provides it): a missing suite fails, it never skips.
needs_suite = pytest.mark.usefixtures("suite_dir")


@pytest.fixture(scope="session")  # xdist may interleave files: run once
def suite_results() -> list[FileResult]:
    from supervm_ref.wasm.script.runner import find_scripts

    return [run_script(path, name) for name, path in find_scripts(SUITE)]


@needs_suite
def test_official_suite(suite_results: list[FileResult]) -> None:
    """WASM-PROFILE-1, WASM-ERR-2/3/5: the official Wasm 2.0 suite (without SIMD) passes
    completely: any failure is a regression."""
    assert len(suite_results) >= 80
    t = report.total(suite_results)
    summary = report.format_table(suite_results, verbose=True)
    assert t.execution.total > 20000
    assert t.validation.total > 2000
    assert t.execution.percent >= DEFAULT_MIN_EXECUTION, summary
    assert t.validation.percent >= DEFAULT_MIN_VALIDATION, summary
    assert t.execution.failed == 0 and t.validation.failed == 0, summary


@needs_suite
def test_suite_under_optimize(suite_results: list[FileResult]) -> None:
    """WASM-ERR-1: ``python -O`` (assertions stripped) gives the same totals and failures over
    the whole suite (it runs in seconds, so no subset is needed)."""
    cmd = [sys.executable, "-O", "-m", "supervm_ref", "spectest", str(SUITE), "--json",
           "--min-pass", "0"]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=3600,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    in_process = report.to_json(suite_results)
    assert data["totals"] == in_process["totals"]
    assert data["files"] == in_process["files"]
    assert data["failures"] == in_process["failures"]
