"""Filler ``text``: modules in the WebAssembly text format and their canonical binaries or
error kinds (spec/wasm-text.md WASM-TEXT-*; the format: spec/conformance.md CONF-TEXT-*).

Each case is one rule of the text chapter at work: a lexical detail, a literal, an identifier,
each abbreviation of the module grammar, and the malformed texts the rules reject, so a text
parser in any language can compare its output with the reference's byte for byte.
"""

from __future__ import annotations

from supervm_ref.conformance.formats.text import TextCase

AREA = "text"
COMMON = ["CONF-TEXT-1", "CONF-TEXT-2", "CONF-TEXT-3", "WASM-TEXT-API-1", "WASM-TEXT-MOD-1"]

#: (name, description, rules, text) of the texts that convert.
VALID: list[tuple[str, str, list[str], str]] = [
    ("empty", "the empty module, written in full and as no fields", [],
     "(module)"),
    ("fields_alone", "a module's fields without (module ...)", [],
     "(func) (memory 1)"),
    ("comments", "line and nested block comments separate tokens", ["WASM-TEXT-LEX-1"],
     "(module ;; a line comment\n (; a (; nested ;) block ;) (func(nop)nop;;x\n))"),
    ("strings", "string escapes and UTF-8 in data and names", ["WASM-TEXT-LEX-3",
                                                              "WASM-TEXT-STR-1"],
     '(module (memory 1) (data (i32.const 0) "\\t\\n\\r\\"\\\'\\\\\\00\\ff\\u{e9}" "é")'
     ' (func (export "\\u{1F600}name")))'),
    ("integers", "integer literals: signs, hex, separators, two's complement", [
        "WASM-TEXT-NUM-1"],
     "(module (func (result i32 i32 i64 i64) (i32.const -0x8000_0000) (i32.const 4_294_967_295)"
     " (i64.const +0x7fff_ffff_ffff_ffff) (i64.const -1)))"),
    ("floats", "float literals: decimal, hex, inf, nan, payloads, exact rounding", [
        "WASM-TEXT-NUM-2"],
     "(module (func (result f32 f32 f32 f32 f64 f64 f64 f64) (f32.const 0x1.fffffep127)"
     " (f32.const -nan:0x1) (f32.const 1e-46) (f32.const 3.4028235677973366e38)"
     " (f64.const 0x1p-1074) (f64.const -inf) (f64.const nan) (f64.const 1_000.5e-3)))"),
    ("types", "value types, several per param/result, limits, global types", [
        "WASM-TEXT-TYPE-1", "WASM-TEXT-TYPE-2"],
     "(module (type (func (param i32 i64) (param $x f32) (result f64 funcref externref)))"
     " (table 1 2 funcref) (memory 0 1) (global (mut externref) (ref.null extern)))"),
    ("identifiers", "named and numeric indices in every index space; shadowing labels", [
        "WASM-TEXT-ID-1"],
     "(module (type $t (func)) (func $f (type $t) (local $l i32) (local.set $l (i32.const 1))"
     " (block $b (block $b (br $b))) (call $f)) (table $tb 1 funcref) (elem $e func $f)"
     " (memory $m 1) (data $d \"x\") (global $g i32 (i32.const 0))"
     " (func (drop (global.get $g)) (elem.drop $e) (data.drop $d) (drop (table.size $tb))))"),
    ("type_uses", "explicit, inline, reused and appended types, in order of occurrence", [
        "WASM-TEXT-TYPEUSE-1"],
     "(module (type $t (func (param i32) (result i32))) (func (type $t) (local.get 0))"
     " (func (param i32) (result i32) (local.get 0)) (func (param i64))"
     " (func (call_indirect (param f32) (f32.const 0) (i32.const 0))) (table 1 funcref)"
     " (type (func (param i64))))"),
    ("folded", "folded instructions: operands first", ["WASM-TEXT-INSTR-2"],
     "(module (func (result i32) (i32.add (i32.mul (i32.const 2) (i32.const 3))"
     " (select (i32.const 1) (i32.const 2) (i32.const 0)))))"),
    ("immediates", "memargs, optional table indices, table.init and table.copy forms", [
        "WASM-TEXT-INSTR-1"],
     "(module (memory 1) (table $a 1 funcref) (table $b 1 funcref) (elem $e func)"
     " (func (drop (i32.load8_s offset=0x10 align=1 (i32.const 0)))"
     " (i64.store32 offset=4 (i32.const 0) (i64.const 1))"
     " (table.init $e (i32.const 0) (i32.const 0) (i32.const 0))"
     " (table.init $b $e (i32.const 0) (i32.const 0) (i32.const 0))"
     " (table.copy (i32.const 0) (i32.const 0) (i32.const 0))"
     " (table.copy $b $a (i32.const 0) (i32.const 0) (i32.const 0))"
     " (drop (table.get (i32.const 0))) (drop (select (result i64) (i64.const 1)"
     " (i64.const 2) (i32.const 0)))))"),
    ("blocks", "labels, block types (none, value, type use), plain and folded if", [
        "WASM-TEXT-INSTR-3"],
     "(module (func (result i32) (block $a (result i32) (i32.const 1)) drop"
     " (i32.const 2) (block (param i32) (result i32 i32) (i32.const 3)) drop drop"
     " (loop $l (br_if $l (i32.const 0)))"
     " i32.const 1 if $i (result i32) i32.const 2 else $i i32.const 3 end $i"
     " (if (result i32) (i32.const 0) (then (i32.const 4)) (else (i32.const 5))) i32.add))"),
    ("empty_else", "an empty else branch is the short form", ["WASM-TEXT-INSTR-4"],
     "(module (func (if (i32.const 1) (then nop) (else)) i32.const 1 if nop else end))"),
    ("inline_abbreviations", "inline exports and imports, tables with elements, memories "
     "with data", ["WASM-TEXT-MOD-2", "WASM-TEXT-MOD-3"],
     '(module (func $i (import "m" "f") (param i32)) (global (import "m" "g") i32)'
     ' (func $f (export "f") (export "g") (result i32) (i32.const 1))'
     ' (table (export "t") funcref (elem $f $i)) (table externref (elem (ref.null extern)))'
     ' (memory (export "m") (data "hello" "world"))'
     ' (global (export "gl") (mut i32) (i32.const 2)))'),
    ("segments", "element and data segments: active, passive, declarative, offsets", [
        "WASM-TEXT-MOD-3"],
     "(module (table $t 2 funcref) (memory $m 1) (func $f)"
     " (elem (table $t) (offset (i32.const 0)) func $f) (elem (i32.const 1) $f)"
     " (elem funcref (ref.func $f) (item (ref.null func))) (elem declare func $f)"
     ' (data (memory $m) (offset (i32.const 1)) "x") (data (i32.const 2) "y")'
     ' (data "passive"))'),
    ("data_count", "memory.init makes the binary carry a data count section", [
        "WASM-TEXT-MOD-4"],
     '(module (memory 1) (data "x") (func (memory.init 0 (i32.const 0) (i32.const 0)'
     " (i32.const 1)) (data.drop 0)))"),
    ("flat_nesting", "2000 plain blocks nest without a depth limit", ["WASM-TEXT-INSTR-5"],
     "(module (func " + "block " * 2000 + "end " * 2000 + "))"),
    ("folded_nesting_at_limit", "200 nested folded instructions, the limit", [
        "WASM-TEXT-INSTR-5"], "(module (func " + "(block " * 200 + ")" * 200 + "))"),
    ("comment_sequences_in_strings", "(; ;) and ;; inside strings are string characters, "
     "not comments", ["WASM-TEXT-LEX-1", "WASM-TEXT-LEX-3"],
     '(module (memory 1) (data (i32.const 0) "(;") (data (i32.const 1) ";)x;;y")'
     ' (data (i32.const 8) "a(; b ;)c") (func (export ";;") nop))'),
    ("f32_hex_rounding_exact", "a long hexadecimal f32 literal rounds once, exactly (not "
     "through f64)", ["WASM-TEXT-NUM-2"],
     "(module (func (result f32 f32 f32) (f32.const 0x1.000001000000000000001p0)"
     " (f32.const -0x1.000001000000000000001p0) (f32.const 0x1.fffffefffffffffffp127)))"),
    ("integer_bounds", "the extreme i32 and i64 literals", ["WASM-TEXT-NUM-1"],
     "(module (func (result i64 i64 i32) (i64.const -0x8000000000000000)"
     " (i64.const 0xffffffffffffffff) (i32.const -2147483648)))"),
    ("f32_nan_payload_bound", "the largest f32 NaN payload, 2^23 - 1", ["WASM-TEXT-NUM-2"],
     "(module (func (result f32 f32) (f32.const nan:0x7fffff) (f32.const -nan:0x400000)))"),
    ("memarg_offset_max", "a memarg offset of 2^32 - 1", ["WASM-TEXT-INSTR-1"],
     "(module (memory 1) (func (drop (i32.load offset=4294967295 (i32.const 0)))))"),
    ("start", "a start function", [], "(module (func $s) (start $s))"),
    ("invalid_but_well_formed", "a text that parses into an invalid module converts",
     ["WASM-TEXT-ERR-1"], "(module (func (result i32) (i64.const 0)))"),
]

#: (name, description, rules, text) of the texts that are malformed.
MALFORMED: list[tuple[str, str, list[str], str]] = [
    ("unclosed_paren", "parentheses must balance", ["WASM-TEXT-LEX-2"], "(module (func)"),
    ("unclosed_comment", "a block comment must be closed", ["WASM-TEXT-LEX-1"],
     "(module (; never closed"),
    ("reserved_token", "tokens other than parentheses need white space between them", [
        "WASM-TEXT-LEX-2"], "(module (func br 0drop))"),
    ("string_then_id", "a string and an identifier run together", ["WASM-TEXT-LEX-2"],
     '(module (data $l"a"))'),
    ("bad_escape", "an unknown string escape", ["WASM-TEXT-LEX-3"],
     '(module (data "\\q"))'),
    ("control_character", "a raw control character in a string", ["WASM-TEXT-LEX-3"],
     '(module (data "\x01"))'),
    ("bad_utf8_name", "a name must be valid UTF-8", ["WASM-TEXT-STR-1"],
     '(module (func (export "\\ff")))'),
    ("i32_out_of_range", "i32 literals stop at 2^32 - 1", ["WASM-TEXT-NUM-1"],
     "(module (func (drop (i32.const 4294967296))))"),
    ("bad_separator", "underscores only between digits", ["WASM-TEXT-NUM-1"],
     "(module (func (drop (i32.const 1__0))))"),
    ("f32_out_of_range", "a finite literal that rounds to infinity", ["WASM-TEXT-NUM-2"],
     "(module (func (drop (f32.const 3.4028236e38))))"),
    ("nan_payload_zero", "a NaN payload is not zero", ["WASM-TEXT-NUM-2"],
     "(module (func (drop (f64.const nan:0x0))))"),
    ("v128", "v128 is outside the profile", ["WASM-TEXT-TYPE-1"],
     "(module (func (param v128)))"),
    ("unknown_identifier", "an identifier must be bound", ["WASM-TEXT-ID-1"],
     "(module (func (call $nowhere)))"),
    ("duplicate_identifier", "an identifier is bound once per index space", [
        "WASM-TEXT-ID-1"], "(module (func $f) (func $f))"),
    ("duplicate_local", "parameters and locals share one space", ["WASM-TEXT-ID-1"],
     "(module (func (param $x i32) (local $x i32)))"),
    ("inline_type_mismatch", "a type use's inline types must agree with its type", [
        "WASM-TEXT-TYPEUSE-1"], "(module (type (func (param i32))) (func (type 0) (param f32)))"),
    ("param_after_result", "parameters come before results", ["WASM-TEXT-TYPEUSE-1"],
     "(module (func (result i32) (param i32) unreachable))"),
    ("unknown_operator", "a mnemonic outside the profile", ["WASM-TEXT-INSTR-1"],
     "(module (func i32.wrap/i64))"),
    ("bad_alignment", "an alignment must be a power of two", ["WASM-TEXT-INSTR-1"],
     "(module (memory 1) (func (drop (i32.load align=3 (i32.const 0)))))"),
    ("mismatching_label", "a label after end repeats the block's", ["WASM-TEXT-INSTR-3"],
     "(module (func block $a end $b))"),
    ("import_after_definition", "imports come before definitions", ["WASM-TEXT-MOD-1"],
     '(module (func) (import "m" "f" (func)))'),
    ("two_starts", "one start function at most", ["WASM-TEXT-MOD-1"],
     "(module (func $s) (start $s) (start $s))"),
    ("u32_plus_sign", "a u32 (limits, indices) has no sign", ["WASM-TEXT-NUM-1"],
     "(module (memory +1))"),
    ("u32_plus_sign_index", "a local index has no sign", ["WASM-TEXT-NUM-1"],
     "(module (func (param i32) (drop (local.get +0))))"),
    ("i64_below_range", "i64 literals stop at -2^63", ["WASM-TEXT-NUM-1"],
     "(module (func (drop (i64.const -0x8000000000000001))))"),
    ("i64_above_range", "i64 literals stop at 2^64 - 1", ["WASM-TEXT-NUM-1"],
     "(module (func (drop (i64.const 18446744073709551616))))"),
    ("i32_below_range", "i32 literals stop at -2^31", ["WASM-TEXT-NUM-1"],
     "(module (func (drop (i32.const -2147483649))))"),
    ("f32_nan_payload_too_large", "an f32 NaN payload is below 2^23", ["WASM-TEXT-NUM-2"],
     "(module (func (drop (f32.const nan:0x800000))))"),
    ("memarg_offset_overflow", "a memarg offset is a u32: 2^32 is refused, not wrapped", [
        "WASM-TEXT-INSTR-1"],
     "(module (memory 1) (func (drop (i32.load offset=4294967296 (i32.const 0)))))"),
    ("comment_opened_in_string", "a string holding (; opens no comment: the ;) after it is "
     "a reserved token", ["WASM-TEXT-LEX-1"], '(module (data "(;") ;) )'),
    ("empty_identifier", "$ alone is not an identifier", ["WASM-TEXT-LEX-2"],
     "(module (func $) (func (call $)))"),
    ("elem_table_use_bare_indices", "after (table x) an element list needs func or a "
     "reference type", ["WASM-TEXT-MOD-3"],
     "(module (func $f) (table 1 funcref) (elem (table 0) (i32.const 0) $f))"),
    ("folded_nesting_over_limit", "201 nested folded instructions are too deep", [
        "WASM-TEXT-INSTR-5"], "(module (func " + "(block " * 201 + ")" * 201 + "))"),
    ("two_modules", "one module per text", ["WASM-TEXT-MOD-1"], "(module) (module)"),
]


def cases() -> list[TextCase]:
    """CONF-FILL-1: every text case."""
    out = []
    for group, what in ((VALID, "converts"), (MALFORMED, "is malformed")):
        for name, description, rules, text in group:
            out.append(TextCase(f"{AREA}/{name}", f"{description}: the text {what}",
                                sorted({*COMMON, *rules}), text))
    return out
