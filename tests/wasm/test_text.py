"""Tests of the text format (spec/wasm-text.md): lexer, literals, types, instructions, modules
and their abbreviations, errors. Modules are checked against wasmtime's ``wat2wasm`` as an
oracle: parsing a text gives the module that decoding the oracle's binary gives."""

from __future__ import annotations

import contextlib
import functools
import json
import struct
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supervm_ref.errors import SuperVMError
from supervm_ref.wasm.binary.module import decode_module
from supervm_ref.wasm.errors import DecodeError
from supervm_ref.wasm.structure.instructions import Instruction
from supervm_ref.wasm.structure.module import Module
from supervm_ref.wasm.structure.types import FuncType, ValType
from supervm_ref.wasm.text import TextError, parse_module
from supervm_ref.wasm.text.lexer import ATOM, LPAR, RPAR, STRING, tokenize
from supervm_ref.wasm.text.script import parse_script
from supervm_ref.wasm.text.values import (
    F32_FORMAT,
    F64_FORMAT,
    parse_float,
    parse_iN,
    parse_name,
    parse_string,
)

I32 = ValType.I32


def oracle(text: str) -> Module:
    import wasmtime  # the test extra installs it

    return decode_module(wasmtime.wat2wasm(text))


def same_as_oracle(text: str) -> None:
    assert parse_module(text) == oracle(text)


def malformed(text: str, reason: str = "") -> TextError:
    with pytest.raises(TextError) as info:
        parse_module(text)
    assert reason in info.value.reason, info.value
    return info.value


# --- Lexical format (WASM-TEXT-LEX-1..3) -------------------------------------------------------

def test_tokens_and_comments() -> None:
    """WASM-TEXT-LEX-1, WASM-TEXT-LEX-2: white space and (nested) comments separate tokens."""
    t = tokenize('(module (; a (; nested ;) b ;) $m ;; line\n "s\\n" 0x1_0)')
    assert t.kinds == [LPAR, ATOM, ATOM, STRING, ATOM, RPAR]
    assert t.texts[1:5] == ["module", "$m", '"s\\n"', "0x1_0"]
    assert t.match[0] == 5
    for bad, reason in [("(; open", "unclosed comment"), ("(func", "unclosed"),
                        ("func)", "unbalanced"), ('"abc', "unclosed string"),
                        ("$l\"a\"", "unknown operator"), ('"a""b"', "unknown operator"),
                        ("a,b", "unknown operator"), ("é", "unknown operator")]:
        with pytest.raises(TextError) as info:
            tokenize(bad)
        assert reason in info.value.reason, bad


def test_token_separation_as_the_suite() -> None:
    """WASM-TEXT-LEX-2: parentheses and comments delimit; other tokens need space."""
    for ok in ["(func(nop))", "(func (nop)nop)", "(func nop;;bla\n)", '(data "a";;bla\n)']:
        parse_module(ok)
    for bad in ["(func br 0drop)", "(func (block $l (br_table 0$l)))", '(data $l"a")',
                '(data "a""b")', "(func (drop (i32.const0)))"]:
        malformed(bad)


def test_strings_and_names() -> None:
    """WASM-TEXT-LEX-3, WASM-TEXT-STR-1."""
    assert parse_string(r'"a\t\n\r\"\'\\\00\ff\u{e9}\u{1F600}"') == (
        b"a\t\n\r\"'\\\x00\xff" + "é😀".encode())
    assert parse_name('"\\e2\\82\\ac"') == "€"
    for bad in [r'"\q"', r'"\u{d800}"', r'"\u{110000}"', '"\x01"', '"\x7f"']:
        with pytest.raises(ValueError):
            parse_string(bad)
    with pytest.raises(ValueError, match="malformed UTF-8"):
        parse_name(r'"\ff"')
    malformed('(func (export "\\80"))', "malformed UTF-8 encoding")
    m = parse_module('(memory 1) (data (i32.const 0) "\\ff\\00" "ab")')
    assert m.datas[0].init == b"\xff\x00ab"


# --- Literals (WASM-TEXT-NUM-1, WASM-TEXT-NUM-2) -----------------------------------------------

def test_integers() -> None:
    """WASM-TEXT-NUM-1: sign, hex, separators, range, two's complement."""
    assert parse_iN("-1", 32) == 0xFFFFFFFF
    assert parse_iN("0xffff_ffff", 32) == 0xFFFFFFFF
    assert parse_iN("1_000", 32) == 1000
    assert parse_iN("-0x8000_0000", 32) == 0x80000000
    assert parse_iN("+7", 64) == 7
    for bad in ["1__0", "_1", "1_", "0x", "0x_1", "1e3", "nan"]:
        assert parse_iN(bad, 32) is None, bad
    for out in ["4294967296", "-2147483649", "0x1_0000_0000"]:
        with pytest.raises(ValueError, match="out of range"):
            parse_iN(out, 32)
    malformed("(func (i32.const 0x100000000) drop)", "constant out of range")


def f32_bits(x: float) -> int:
    return int.from_bytes(struct.pack("<f", x), "little")


def f64_bits(x: float) -> int:
    return int.from_bytes(struct.pack("<d", x), "little")


def test_floats() -> None:
    """WASM-TEXT-NUM-2: decimal, hex, inf, nan, nan:0x, signs, range."""
    assert parse_float("1.5", F32_FORMAT) == f32_bits(1.5)
    assert parse_float("-0x1.8p3", F64_FORMAT) == f64_bits(-12.0)
    assert parse_float("0x1p-149", F32_FORMAT) == 1  # smallest subnormal
    assert parse_float("0x1p-150", F32_FORMAT) == 0  # ties to even: zero
    assert parse_float("0x1.8p-149", F32_FORMAT) == 2
    assert parse_float("1e-400", F64_FORMAT) == 0
    assert parse_float("-0", F32_FORMAT) == 0x80000000
    assert parse_float("inf", F32_FORMAT) == 0x7F800000
    assert parse_float("-inf", F64_FORMAT) == 0xFFF0000000000000
    assert parse_float("nan", F32_FORMAT) == 0x7FC00000
    assert parse_float("-nan:0x1", F32_FORMAT) == 0xFF800001
    assert parse_float("nan:0x8_0000_0000_0001", F64_FORMAT) == 0x7FF8000000000001
    assert parse_float("1_000.000_1e0_1", F64_FORMAT) == f64_bits(10000.001)
    assert parse_float("0x1.fffffefffffffffffp127", F32_FORMAT) == 0x7F7FFFFF
    for bad in ["nan:0x0", "nan:0x800000", "0x1p128", "1e39", "3.4028236e38"]:
        with pytest.raises(ValueError, match="out of range"):
            parse_float(bad, F32_FORMAT)
    with pytest.raises(ValueError):
        parse_float("1e309", F64_FORMAT)
    for notfloat in ["1.e", "0x.1", ".5", "1e", "nan:1", "infinity", "1._5"]:
        assert parse_float(notfloat, F64_FORMAT) is None, notfloat


def _nearest_f32(q: Fraction) -> int:
    """The f32 nearest to q >= 0 (ties to even) by search among neighbours of a candidate."""
    guess = f32_bits(float(q)) if q < Fraction(2) ** 128 else 0x7F800000
    best = None
    for bits in range(max(0, guess - 2), min(0x7F800000, guess + 3)):
        v = Fraction(struct.unpack("<f", bits.to_bytes(4, "little"))[0])
        key = (abs(v - q), bits & 1)
        if best is None or key < best[0]:
            best = (key, bits)
    assert best is not None
    return best[1]


@settings(max_examples=300)
@given(st.integers(1, 10 ** 12), st.integers(-50, 30))
def test_f32_decimal_rounding_is_exact(digits: int, exp10: int) -> None:
    """WASM-TEXT-NUM-2: decimal literals round once, exactly, to f32 (no double rounding)."""
    text = f"{digits}e{exp10}"
    q = Fraction(digits) * Fraction(10) ** exp10
    if q >= 2 ** 128 - 2 ** 103:  # halfway to 2^128 and above: rounds to infinity
        with pytest.raises(ValueError, match="out of range"):
            parse_float(text, F32_FORMAT)
        return
    assert parse_float(text, F32_FORMAT) == _nearest_f32(q)


@settings(max_examples=300)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_f64_repr_round_trips(x: float) -> None:
    """WASM-TEXT-NUM-2: the shortest decimal of an f64 reads back as that f64."""
    assert parse_float(repr(x), F64_FORMAT) == f64_bits(x)
    assert parse_float(x.hex(), F64_FORMAT) == f64_bits(x)


# --- Types, identifiers, type uses -------------------------------------------------------------

def test_types_and_profile() -> None:
    """WASM-TEXT-TYPE-1, WASM-TEXT-TYPE-2."""
    same_as_oracle("(module (type (func (param i32 i64) (param $x f32) (result f64 funcref)))"
                   " (global (mut externref) (ref.null extern)) (table 1 2 funcref)"
                   " (memory 1 2))")
    text_error = malformed("(func (param v128))", "SIMD")
    # the binary form of the same module fails with the same kind of error, naming the feature
    binary = b"\0asm\1\0\0\0\1\5\1\x60\1\x7b\0\3\2\1\0\n\4\1\2\0\x0b"
    with pytest.raises(DecodeError, match="SIMD") as info:
        decode_module(binary)
    assert info.value.kind == text_error.kind == "malformed"
    malformed("(memory i64 1)", "memory64")
    malformed("(memory 1 2 shared)", "threads")
    malformed("(func (param (ref func)))", "function references")
    malformed("(func i8x16.add)", "SIMD")


def test_identifiers() -> None:
    """WASM-TEXT-ID-1: names and numbers, unknown and duplicate identifiers, labels."""
    same_as_oracle("""(module
      (func $a (param $p i32) (local $l i32) (local.set $l (local.get $p)) (call $b))
      (func $b (block $x (block $y (br $x) (br_if $y (i32.const 0)) (br 1))))
      (global $g i32 (i32.const 1)) (func (drop (global.get $g)))
      (table $t 1 funcref) (elem $e func $a) (func (elem.drop $e) (table.size $t) drop)
      (memory $m 1) (data $d "x") (func (data.drop $d)))""")
    for kind, rest in [("func", ""), ("global", "i32 (i32.const 0)"), ("table", "1 funcref"),
                       ("memory", "1"), ("elem", "func"), ("data", ""),
                       ("type", "(func)")]:
        malformed(f"({kind} $x {rest}) ({kind} $x {rest})", f"duplicate {kind}")
    malformed("(func (param $x i32) (local $x i32))", "duplicate local")
    malformed("(func (call $nowhere))", "unknown func")
    malformed("(func (br $l))", "unknown label")
    # labels shadow: the innermost $l is depth 0
    m = parse_module("(func (block $l (block $l (br $l))))")
    assert Instruction("br", (0,)) in m.funcs[0].body
    # numeric indices are kept: an unknown one is a validation matter
    assert parse_module("(func (call 7))").funcs[0].body[0] == Instruction("call", (7,))


def test_type_uses() -> None:
    """WASM-TEXT-TYPEUSE-1: explicit, inline, inserted and reused types."""
    text = """(module
      (type $t (func (param i32) (result i32)))
      (func (type $t) (local.get 0))
      (func (param i32) (result i32) (local.get 0))
      (func (param i64))
      (func (type $t) (param $x i32) (result i32) (local.get $x))
      (func (call_indirect (param f32) (i32.const 0)) (call_indirect (type $t) (i32.const 0)
        (i32.const 0)) drop)
      (table 1 funcref)
      (type (func (param i64))))"""
    same_as_oracle(text)
    m = parse_module(text)
    assert m.types[:3] == (FuncType((I32,), (I32,)), FuncType((ValType.I64,), ()),
                           FuncType((), ()))
    assert m.types[3] == FuncType((ValType.F32,), ())
    assert [f.type_idx for f in m.funcs] == [0, 0, 1, 0, 2]
    malformed("(type $t (func (param i32))) (func (type $t) (param i64))",
              "inline function type")
    malformed("(func (call_indirect (param $x i32)))")


# --- Instructions ------------------------------------------------------------------------------

def test_instructions_plain_and_folded() -> None:
    """WASM-TEXT-INSTR-1, WASM-TEXT-INSTR-2: immediates and the folded forms."""
    same_as_oracle("""(module (memory 1) (table $t 2 funcref) (table $u 2 externref)
      (elem $e func 0) (data $d "ab") (global $g (mut i64) (i64.const -1))
      (func (param i32) (result i32)
        (i32.load8_u offset=3 align=1 (local.get 0)) drop
        (i64.store offset=0x10 (i32.const 0) (i64.const 0xffff_ffff_ffff_ffff))
        (f32.store (i32.const 0) (f32.const -nan:0x200000))
        (f64.store align=8 (i32.const 0) (f64.const 0x1.fffffffffffffp1023))
        (memory.init $d (i32.const 0) (i32.const 0) (i32.const 1)) (data.drop 0)
        (memory.copy (i32.const 0) (i32.const 1) (i32.const 1))
        (memory.fill (i32.const 0) (i32.const 1) (i32.const 1))
        (drop (memory.grow (memory.size)))
        (table.init $e (i32.const 0) (i32.const 0) (i32.const 1))
        (table.init $u 0 (i32.const 0) (i32.const 0) (i32.const 0))
        (table.copy $t $t (i32.const 0) (i32.const 0) (i32.const 0)) (table.copy
          (i32.const 0) (i32.const 0) (i32.const 0))
        (drop (table.get $u (i32.const 0))) (table.set 1 (i32.const 0) (ref.null extern))
        (drop (table.grow $u (ref.null extern) (i32.const 1)))
        (table.fill $u (i32.const 0) (ref.null extern) (i32.const 0))
        (drop (ref.is_null (ref.func 0)))
        (drop (select (i32.const 1) (i32.const 2) (i32.const 0)))
        (drop (select (result i64) (i64.const 1) (i64.const 2) (i32.const 0)))
        (global.set $g (i64.extend_i32_s (i32.trunc_sat_f32_u (f32.const 1.5))))
        (br_table 0 0 0 (i32.const 1))))""")


def test_blocks_and_labels() -> None:
    """WASM-TEXT-INSTR-3, WASM-TEXT-INSTR-4: block types, labels, empty else."""
    same_as_oracle("""(module (type $s (func (param i32) (result i32 i32)))
      (func (result i32) (block $a (result i32) (i32.const 1)) drop
        (loop $l (param) (result) (br_if $l (i32.const 0)))
        (if $i (result i32) (i32.const 1) (then (i32.const 2)) (else (i32.const 3)))
        (i32.const 4) (block (param i32) (result i32 i32) (i32.const 5)) drop drop
        (i32.const 6) (block (type $s) (i32.const 7)) drop
        block $b (result i32) i32.const 1 end $b
        if $c i32.const 1 drop else $c nop end $c
        drop (if (i32.const 1) (then)) if (i32.const 0) end))""")
    # an empty else is the short form (as wabt writes it; wasmtime keeps the marker)
    short = parse_module("(func (if (i32.const 1) (then)))")
    assert parse_module("(func (if (i32.const 1) (then) (else)))") == short
    assert parse_module("(func i32.const 1 if else end)") == short
    malformed("(func block $a end $b)", "mismatching label")
    malformed("(func block end $a)", "mismatching label")
    malformed("(func (nop_ ))", "unknown operator")
    malformed("(func i32.wrap/i64)", "unknown operator")
    malformed("(memory 1) (func (drop (i32.load align=3 (i32.const 0))))", "alignment")


# --- Modules and abbreviations -----------------------------------------------------------------

def test_inline_exports_imports_and_segments() -> None:
    """WASM-TEXT-MOD-2, WASM-TEXT-MOD-3: every inline abbreviation."""
    same_as_oracle("""(module
      (func $i (import "spectest" "print_i32") (param i32))
      (global (import "spectest" "global_i32") i32)
      (table (import "spectest" "table") 10 funcref)
      (memory (import "spectest" "memory") 1)
      (func $f (export "f") (export "g") (result i32) (i32.const 1))
      (table $t (export "t") funcref (elem $f $i))
      (table $u externref (elem (ref.null extern) (item ref.null extern)))
      (memory $m (export "m") (data "hello" "world"))
      (global $g (export "gl") (mut i32) (i32.const 2))
      (export "f2" (func $f)) (export "t2" (table $t)) (export "m2" (memory $m))
      (export "g2" (global $g))
      (elem (table $t) (offset (i32.const 0)) func $f)
      (elem (i32.const 1) $f)
      (elem $p funcref (ref.func $f) (item (ref.null func)))
      (elem declare func $i)
      (elem (table $u) (i32.const 0) externref (ref.null extern))
      (data (memory $m) (offset (i32.const 1)) "x")
      (data (i32.const 2) "y") (data $pd "passive")
      (start $s) (func $s))""")
    m = parse_module('(memory (data "ab"))')
    assert m.mems[0].type.limits.min == m.mems[0].type.limits.max == 1
    assert parse_module("(memory (data))").mems[0].type.limits.max == 0


def test_module_forms_and_errors() -> None:
    """WASM-TEXT-MOD-1: (module ...) or fields alone; import order; one start."""
    assert parse_module("(module $m (func))") == parse_module("(func)")
    assert parse_module("") == parse_module(" ;; nothing\n (; at all ;)") == Module()
    for kind, field in [("function", "(func)"), ("global", "(global i32 (i32.const 0))"),
                        ("table", "(table 0 funcref)"), ("memory", "(memory 0)")]:
        malformed(f'{field} (import "" "" (func))', f"import after {kind}")
        malformed(f'{field} (func (import "" ""))', f"import after {kind}")
    malformed("(func $f) (start $f) (start $f)", "multiple start sections")
    malformed("(module) (func)", "unexpected token")
    malformed("(modul)", "unknown operator")


def test_data_count() -> None:
    """WASM-TEXT-MOD-4: a data count when code uses data indices and segments exist."""
    assert parse_module('(memory 1) (data "x") (func (data.drop 0))').data_count == 1
    assert parse_module('(memory 1) (data "x")').data_count is None
    assert parse_module("(memory 1) (func (data.drop 0))").data_count is None


def test_errors_carry_position() -> None:
    """WASM-TEXT-ERR-1: a TextError is a malformed DecodeError with line and column."""
    e = malformed("(module\n  (func\n    i32.const 1\n    i32.frob))", "unknown operator")
    assert isinstance(e, DecodeError) and isinstance(e, SuperVMError)
    assert e.kind == "malformed"
    assert (e.line, e.column) == (4, 5)
    assert str(e).startswith("4:5: unknown operator")
    with pytest.raises(TextError) as info:
        parse_module("(func", name="f.wat")
    assert str(info.value).startswith("1:1:") and info.value.name == "f.wat"
    with pytest.raises(TextError):
        parse_module("(func " + "(block " * 5000 + ")" * 5001)


def test_input_kinds() -> None:
    """WASM-TEXT-INPUT-1: text is a str; bytes are never parsed as text."""
    with pytest.raises(TextError):
        parse_module(b"(module)")  # type: ignore[arg-type]


def test_wat2wasm_is_encode_of_parse() -> None:
    """WASM-TEXT-API-1 (the encoder is another module's: checked when it is present)."""
    from supervm_ref.wasm import text

    try:
        from supervm_ref.wasm.binary.encode import encode_module  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError):
            text.wat2wasm("(module)")
        return
    src = '(module (func (export "f") (result i32) (i32.const 7)))'
    assert decode_module(text.wat2wasm(src)) == parse_module(src)


# --- Scripts -----------------------------------------------------------------------------------

def test_script_commands() -> None:
    """WASM-TEXT-SCRIPT-1, WASM-TEXT-SCRIPT-3: commands as wast2json writes them."""
    cmds = parse_script("""(module $M (func (export "f") (param i32) (result i32) local.get 0))
(register "M" $M)
(assert_return (invoke $M "f" (i32.const -1)) (i32.const 0xffffffff))
(assert_return (invoke "g" (f32.const -0) (ref.null func) (ref.extern 3))
  (f64.const nan:canonical) (ref.func) (ref.extern) (either (i32.const 1) (i32.const 2)))
(assert_trap (invoke "f") "unreachable")
(assert_trap (module (func $s unreachable) (start $s)) "unreachable")
(assert_malformed (module quote "(func") "unexpected end")
(assert_invalid (module binary "\\00asm" "\\01\\00\\00\\00") "x")
(get "g")""")
    kinds = [c["type"] for c in cmds]
    assert kinds == ["module", "register", "assert_return", "assert_return", "assert_trap",
                     "assert_uninstantiable", "assert_malformed", "assert_invalid", "action"]
    assert cmds[0]["name"] == "$M" and cmds[1] == {"type": "register", "line": 2, "as": "M",
                                                   "name": "$M"}
    assert cmds[2]["action"] == {"type": "invoke", "field": "f", "module": "$M",
                                 "args": [{"type": "i32", "value": "4294967295"}]}
    assert cmds[3]["action"]["args"] == [{"type": "f32", "value": str(0x80000000)},
                                         {"type": "funcref", "value": "null"},
                                         {"type": "externref", "value": "3"}]
    assert cmds[3]["expected"] == [
        {"type": "f64", "value": "nan:canonical"}, {"type": "funcref"}, {"type": "externref"},
        {"type": "either", "values": [{"type": "i32", "value": "1"},
                                      {"type": "i32", "value": "2"}]}]
    assert cmds[6]["module_type"] == "text" and cmds[7]["module_type"] == "binary"
    assert cmds[8]["action"] == {"type": "get", "field": "g"}


def test_script_modules_are_read_when_run() -> None:
    """WASM-TEXT-SCRIPT-2: a malformed module fails its command only."""
    cmds = parse_script('(module (func i32.frob)) (module quote "(func)") '
                        '(module binary "\\00asm\\01\\00\\00\\00")')
    with pytest.raises(TextError, match="unknown operator"):
        cmds[0]["module"].load(decode_module)
    assert cmds[1]["module"].load(decode_module) == parse_module("(func)")
    assert cmds[2]["module"].load(decode_module) == Module()
    whole = parse_script("(func) (memory 0)")  # fields alone: one module
    assert len(whole) == 1 and whole[0]["module"].load(decode_module).mems


def test_spectest_on_a_wast_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """WASM-TEXT-SCRIPT-4: ``supervm spectest`` runs a folder of .wast files from the sources;
    a script that is itself malformed is one failed command, the others still run."""
    from supervm_ref.cli import main

    (tmp_path / "good.wast").write_text("""(module
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))
(assert_return (invoke "add" (i32.const 1) (i32.const -1)) (i32.const 0))
(assert_malformed (module quote "(func i32.frob)") "unknown operator")
(assert_invalid (module (func (result i32))) "type mismatch")
(assert_trap (invoke "add" (i32.const 0) (i32.const 0)) "unreachable")
""")
    assert main(["spectest", str(tmp_path), "--json", "--min-pass", "0"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["totals"]["groups"]["n/a"] == 0
    assert data["files"]["good"]["groups"]["validation"]["passed"] == 2
    assert [(f["line"], f["cause"]) for f in data["failures"]] == [(6, "no trap")]
    (tmp_path / "broken.wast").write_text("(assert_return (invoke \"f\") (i32.const x))")
    assert main(["spectest", str(tmp_path), "--json", "--min-pass", "0"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["files"]["broken"]["kinds"] == {"script": {"passed": 0, "failed": 1, "n/a": 0}}
    assert main(["spectest", str(tmp_path), "--file", "good", "--json", "--min-pass", "0"]) == 0
    assert list(json.loads(capsys.readouterr().out)["files"]) == ["good"]


def test_empty_identifier_is_malformed() -> None:
    """WASM-TEXT-LEX-2: ``$`` alone is no identifier (spec 6.3.5), on either lexer path."""
    for text in ("(module (func $) (func (call $)))", "(module (func (call $)))",
                 "(module (; c ;) (func $))", "(module (func $ ))"):
        e = malformed(text, "empty identifier")
        assert e.reason.startswith("unknown operator")
    parse_module("(module (func $$) (func (call $$)))")


def test_lone_surrogates_are_not_text() -> None:
    """WASM-TEXT-LEX-4: a str with a lone surrogate is malformed, wherever it is; a file's
    script keeps undecodable bytes (surrogate escapes) for its quoted strings."""
    for ch in ("\udcff", "\ud800", "\udfff"):
        e = malformed(f'(module (memory 1) (data (i32.const 0) "{ch}"))',
                      "malformed UTF-8 encoding: lone surrogate")
        assert (e.line, e.column) == (1, 41)
        malformed(f"(module) ;; {ch}", "lone surrogate")
    assert parse_module('(module (memory 1) (data (i32.const 0) "\\ff\\u{10000}"))')


def test_elem_table_use_needs_an_element_list() -> None:
    """WASM-TEXT-MOD-3: bare function indices follow an offset only without ``(table x)``
    (spec 6.6.12), as wasmtime reads it; a bare table index keeps the older form."""
    head = "(module (func $f) (table 1 funcref) "
    malformed(head + "(elem (table 0) (i32.const 0) $f))", "unexpected token")
    malformed(head + "(elem (table 0) (i32.const 0)))", "unexpected token")
    for ok in ("(elem (table 0) (i32.const 0) func $f))", "(elem (i32.const 0) $f))",
               "(elem 0 (i32.const 0) $f))", "(elem (table 0) (i32.const 0) funcref))"):
        assert len(parse_module(head + ok).elems) == 1


def test_long_literals_and_deep_nesting() -> None:
    """WASM-TEXT-NUM-1/2, WASM-TEXT-ERR-1, WASM-TEXT-INSTR-5: literals of any length; folded
    nesting beyond the limit is a TextError in a script module too."""
    assert parse_float("0." + "0" * 5000 + "1e5001", F64_FORMAT) == f64_bits(1.0)
    assert parse_iN("0" * 5000 + "7", 32) == 7
    malformed("(func (i32.const 1" + "0" * 5000 + "))", "constant out of range")
    deep = "(func " + "(block " * 5000 + ")" * 5001
    cmds = parse_script(f"(module {deep}) (module quote {json.dumps(deep)})")
    for c in cmds:
        with pytest.raises(TextError, match="nesting too deep"):
            c["module"].load(decode_module)


def _at_stack_depth(frames: int, fn: Callable[[], object]) -> object:
    return fn() if frames == 0 else _at_stack_depth(frames - 1, fn)


def test_nesting_limit_is_independent_of_the_stack() -> None:
    """WASM-TEXT-INSTR-5: plain blocks nest without limit and without recursion; folded
    instructions nest up to FOLDED_DEPTH_LIMIT, counted, the same from any caller's depth."""
    from supervm_ref.wasm.text.instructions import FOLDED_DEPTH_LIMIT

    assert FOLDED_DEPTH_LIMIT == 200
    flat = "(module (func (result i32) " + "block (result i32) " * 3000 + "i32.const 7 " + \
        "end " * 3000 + "))"
    m = parse_module(flat)
    assert len(m.funcs[0].body) == 2 * 3000 + 2
    ifs = "(module (func " + "i32.const 0 if $l " * 800 + "nop else $l nop " + \
        "end $l " * 800 + "))"
    parse_module(ifs)
    malformed("(module (func block if else else end end))", "unexpected token")
    malformed("(module (func " + "block " * 900 + "end " * 899 + "))", "unexpected token")

    def folded(n: int) -> str:
        return "(module (func " + "(block " * n + ")" * n + "))"

    def operands(n: int) -> str:
        return ("(module (func (result i32) " + "(i32.add (i32.const 1) " * (n - 1)
                + "(i32.const 0)" + ")" * (n - 1) + "))")

    for make in (folded, operands):
        at_limit, over = make(FOLDED_DEPTH_LIMIT), make(FOLDED_DEPTH_LIMIT + 1)
        for frames in (0, 500):
            _at_stack_depth(frames, functools.partial(parse_module, at_limit))
            with pytest.raises(TextError, match="nesting too deep: more than 200"):
                _at_stack_depth(frames, functools.partial(parse_module, over))
    # Plain nesting far beyond the recursion limit, at any depth of the caller.
    plain = "(module (func " + "block " * 2000 + "end " * 2000 + "))"
    for frames in (0, 300, 500):
        _at_stack_depth(frames, functools.partial(parse_module, plain))


_SEEDS = [
    '(module (type $t (func (param i32) (result i32))) (import "m" "f" (func $f (type $t)))'
    ' (func (export "g") (param $x i32) (result i32) (local $y i64)'
    ' (block $b (result i32) (br_if $b (local.get $x) (i32.const 1)))'
    ' (if (result i32) (local.get 0) (then (call $f (i32.const 2))) (else (i32.const 3)))'
    ' i32.add (call_indirect (type $t) (i32.const 0)))'
    ' (table $tb 2 funcref) (elem (i32.const 0) $f) (memory 1) (data (i32.const 0) "a\\00")'
    ' (global $g (mut f64) (f64.const -0x1.8p-3)) (start $f))',
    '(func (param f32) (result f32) (f32.const nan:0x200000) (f32.add (local.get 0)))'
    ' (func (i32.store offset=4 align=2 (i32.const 0) (i32.const 1)) (loop $l (br $l)))',
    '(table 1 externref) (elem declare func 0) (func (ref.func 0) drop (table.init 0 0'
    ' (i32.const 0) (i32.const 0) (i32.const 0)) (select (result i64) (i64.const 1)'
    ' (i64.const 2) (i32.const 0)) drop)',
]
_WORDS = ["(", ")", "$x", "0", "-1", '"a"', "func", "i32", "end", "else", "then", "block",
          "if", "param", "result", "type", "module", "offset=", "align=3", "nan:0x", "0x",
          "1e", "(;", ";)", ";;", "\\", "inf", "select", "br_table", "call_indirect", "item",
          "declare", "elem", "data", "table.init", "table.copy", "local", "export", "import"]


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(_SEEDS), st.lists(st.tuples(st.integers(0, 2), st.integers(0, 10 ** 6),
                                                   st.sampled_from(_WORDS)), max_size=4))
def test_mutated_texts_raise_only_text_errors(seed: str, edits: list[tuple[int, int, str]]) -> None:
    """WASM-TEXT-ERR-1: any text (here: valid modules with tokens inserted, deleted or cut
    off) gives a Module or a TextError, never another exception."""
    words = seed.split(" ")
    for op, where, word in edits:
        i = where % (len(words) + 1)
        if op == 0:
            words.insert(i, word)
        elif op == 1 and words:
            del words[min(i, len(words) - 1)]
        else:
            words = words[:i]
    with contextlib.suppress(TextError):
        assert isinstance(parse_module(" ".join(words)), Module)
