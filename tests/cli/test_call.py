"""``supervm call`` (spec/runtime.md RT-CLI-1..4) and ``supervm wat2wasm`` (RT-CODE-5).

Runs on the committed contracts (conformance/contracts/*.wasm); text goes through
`text_stand_in` (wasmtime's assembler in place of our parser) except in the tests marked
``# needs the text parser``, which run once the parser is merged.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from supervm_ref.cli import main
from supervm_ref.cli.call import (
    CallUsageError,
    load_state,
    parse_value,
    printable,
    split_words,
    state_json,
    typed_arguments,
)
from supervm_ref.wasm import ValType, Value, WasmError, module_decode, module_validate
from supervm_ref.wasm.source import clear_text_cache

from ..support import REPO, STAND_IN_MAIN, TEXT_PARSER_MERGED, text_stand_in, wat

CONTRACTS = REPO / "conformance" / "contracts"
COUNTER = CONTRACTS / "counter.wasm"
HELLO_WAT = """(module
  (import "chain_api" "emit_event" (func $emit (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "hello, world")
  (func (export "hello") (result i32)
    (call $emit (i32.const 0) (i32.const 12))))
"""
#: A contract echoing the bits of its float and integer arguments.
BITS_WAT = """(module
  (func (export "f32bits") (param f32) (result i32) local.get 0 i32.reinterpret_f32)
  (func (export "f64bits") (param f64) (result i64) local.get 0 i64.reinterpret_f64)
  (func (export "i64") (param i64) (result i64) local.get 0))
"""


def _supervm(*argv: str, stand_in: bool = False) -> subprocess.CompletedProcess[str]:
    command = ["-c", STAND_IN_MAIN] if stand_in else ["-m", "supervm_ref"]
    return subprocess.run([sys.executable, *command, *argv], capture_output=True, text=True,
                          cwd=REPO, timeout=300, check=False)


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """`text_stand_in` as ``supervm_ref.wasm.text`` for in-process runs."""
    module = text_stand_in()
    monkeypatch.setitem(sys.modules, "supervm_ref.wasm.text", module)
    clear_text_cache()
    yield module
    clear_text_cache()


# --- RT-CLI-1, RT-CLI-4: one call, and calls that chain ---------------------------------------

@pytest.mark.slow
def test_call_chains_through_the_state_file(tmp_path: Path) -> None:
    """RT-CLI-1, RT-CLI-4 as a process on counter.wasm: increment, increment, get, reset; the
    state file after each successful call; a failed call (out of gas) leaves it unchanged."""
    state = tmp_path / "state.json"
    run = _supervm("call", str(COUNTER), "increment", "5", "--state", str(state))
    assert run.returncode == 0, run.stderr
    assert "results: i64:5" in run.stdout and "gas: " in run.stdout
    assert json.loads(state.read_text()) == {b"counter".hex(): (5).to_bytes(8, "little").hex()}
    run = _supervm("call", str(COUNTER), "increment", "i64:-2", "--state", str(state), "--json")
    outcome = json.loads(run.stdout)
    assert run.returncode == 0 and outcome["ok"] and outcome["results"] == [
        {"type": "i64", "value": 3}]
    before = state.read_bytes()
    run = _supervm("call", str(COUNTER), "increment", "1", "--state", str(state), "--gas", "10")
    assert run.returncode == 1 and "error: OUT_OF_GAS" in run.stdout
    assert "gas: 10 used of 10" in run.stdout
    assert state.read_bytes() == before
    run = _supervm("call", str(COUNTER), "get", "--state", str(state))
    assert run.returncode == 0 and "results: i64:3" in run.stdout
    run = _supervm("call", str(COUNTER), "reset", "--state", str(state))
    assert run.returncode == 0 and "deleted" in run.stdout
    assert json.loads(state.read_text()) == {}
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_call_failures_are_exit_status_1(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """RT-CLI-1: a missing function or a malformed contract is the call's failure (exit 1,
    the kind printed, the exports listed for a missing function); no state is written."""
    state = tmp_path / "state.json"
    assert main(["call", str(COUNTER), "nope", "1", "--state", str(state)]) == 1
    out = capsys.readouterr().out
    assert "error: NO_SUCH_FUNCTION" in out and "increment(i64) -> i64" in out
    junk = tmp_path / "junk.wasm"
    junk.write_bytes(b"\0asm\x02\0\0\0")
    assert main(["call", str(junk), "f"]) == 1
    assert "error: MALFORMED_MODULE" in capsys.readouterr().out
    assert not state.exists()


def test_call_context_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    """RT-CLI-1, RT-CLI-3: --block and --timestamp reach chain_api; --json has every field."""
    probe = CONTRACTS / "abi_probe.wasm"
    assert main(["call", str(probe), "nope"]) == 1
    listing = capsys.readouterr().out.splitlines()[-1]
    assert listing.startswith("exported functions: ")
    assert main(["call", str(COUNTER), "get", "--json", "--block", "-7",
                 "--timestamp", str(2**63 - 1)]) == 0
    outcome = json.loads(capsys.readouterr().out)
    assert set(outcome) == {"function", "args", "ok", "error", "message", "results", "events",
                            "writes", "gas_used", "gas_limit"}
    assert outcome["gas_limit"] == 10_000_000 and outcome["error"] is None


def test_text_contract_events_printed(tmp_path: Path, stand_in: Any,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    """RT-CLI-3, RT-CODE-4: a .wat contract (text by content); an event shown in hex and, being
    printable, as text."""
    source = tmp_path / "hello.wat"
    source.write_text(HELLO_WAT)
    assert main(["call", str(source), "hello"]) == 0
    out = capsys.readouterr().out
    assert f"0: 0x{b'hello, world'.hex()}  \"hello, world\"" in out
    assert main(["call", str(source), "hello", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["events"] == [
        {"hex": b"hello, world".hex(), "text": "hello, world"}]
    broken = tmp_path / "broken.wat"
    broken.write_text("(module\n  (func (export \"f\") x))")
    assert main(["call", str(broken), "f"]) == 1
    out = capsys.readouterr().out
    assert "error: MALFORMED_MODULE: 2:" in out


# --- RT-CLI-2: arguments ------------------------------------------------------------------------

@pytest.mark.parametrize("type_name, text, payload", [
    ("i32", "7", 7), ("i32", "-1", 0xFFFFFFFF), ("i32", "0xff", 255), ("i32", "4294967295",
                                                                        0xFFFFFFFF),
    ("i32", "-2147483648", 0x80000000), ("i32", "1_000", 1000), ("i64", "-1", 2**64 - 1),
    ("i64", "+0x7fff_ffff_ffff_ffff", 2**63 - 1), ("f32", "1.5", 0x3FC00000),
    ("f32", "-0", 0x80000000), ("f32", "inf", 0x7F800000), ("f32", "nan:0x200000", 0x7FA00000),
    ("f32", "-nan:0x1", 0xFF800001), ("f64", "0x1.8p1", 0x4008000000000000),
    ("f64", "1e-320", 2024), ("f64", "-inf", 0xFFF0000000000000),
    ("f32", "0.1", 0x3DCCCCCD),
])
def test_argument_values(type_name: str, text: str, payload: int) -> None:
    """RT-CLI-2: integers signed or unsigned, decimal or hex, with _; floats in every
    notation, NaN payloads bit-exact, f32 rounded to nearest."""
    value = parse_value(type_name, text)
    assert value.type is ValType(type_name) and value.payload == payload


def test_nan_without_payload() -> None:
    """RT-CLI-2: ``nan`` is a NaN of the type."""
    assert math.isnan(parse_value("f64", "nan").as_float())


@pytest.mark.parametrize("type_name, text, says", [
    ("i32", "4294967296", "out of the i32 range"), ("i32", "-2147483649", "out of"),
    ("i64", str(2**64), "out of the i64 range"), ("i32", "1.5", "expected an i32"),
    ("i32", "", "expected an i32"), ("i32", "0x", "expected"), ("i32", "1__0", "expected"),
    ("f32", "1e39", "beyond the f32 range"), ("f64", "1e400", "beyond the f64 range"),
    ("f32", "one", "expected an f32"), ("f32", "nan:0x0", "NaN payload"),
    ("f32", "nan:0x800000", "NaN payload"), ("f64", "nan:0xzz", "NaN payload"),
])
def test_argument_values_refused(type_name: str, text: str, says: str) -> None:
    """RT-CLI-2: values outside the type or not numbers are usage errors."""
    with pytest.raises(CallUsageError, match=says):
        parse_value(type_name, text)


@pytest.mark.parametrize("type_name, text, payload", [
    ("i32", "010", 10), ("i32", "0_1", 1), ("i32", "-007", 2**32 - 7),
    ("i64", "-0x8000000000000000", 2**63),
    ("f64", "+nan:0x1", 0x7FF0000000000001), ("f32", "+nan:0x1", 0x7F800001),
    ("f32", "1.00000005960464477539062501", 0x3F800001),
    ("f32", "0x1.000001000000000000001p0", 0x3F800001),
    ("f32", "3.4028235677973366e38", 0x7F7FFFFF),
])
def test_argument_values_are_text_format_numbers(type_name: str, text: str,
                                                 payload: int) -> None:
    """RT-CLI-2 (WASM-TEXT-NUM-1, WASM-TEXT-NUM-2): leading zeros and ``_`` between digits
    are integers; ``+`` never sets a NaN's sign bit; an f32 is the exact nearest value (no
    double rounding through f64), the text parser's own bits for the same literal."""
    from supervm_ref.wasm.text.values import F32_FORMAT, F64_FORMAT, parse_float, parse_iN

    value = parse_value(type_name, text)
    assert value.type is ValType(type_name) and value.payload == payload
    bits = int(type_name[1:])
    expected = (parse_iN(text, bits) if type_name[0] == "i"
                else parse_float(text, F32_FORMAT if bits == 32 else F64_FORMAT))
    assert value.payload == expected


@pytest.mark.parametrize("type_name, text, says", [
    ("f64", "0x1p99999999999", "beyond the f64 range"), ("f32", "0x1p5000", "beyond the f32"),
    ("f64", "-0x1p1024", "beyond the f64 range"), ("f64", "_1", "expected an f64"),
    ("f64", "1__0", "expected an f64"), ("f64", "1_", "expected an f64"),
    ("f64", "infinity", "expected an f64"), ("f64", "INF", "expected an f64"),
    ("f64", "NaN", "expected an f64"), ("f64", " 1.5 ", "expected an f64"),
    ("f32", "1e5_", "expected an f32"), ("i32", " 1", "expected an i32"),
    ("i64", "0X10", "expected an i64"), ("f64", "nan:0x", "NaN payload"),
])
def test_argument_values_refuse_other_spellings(type_name: str, text: str, says: str) -> None:
    """RT-CLI-2: only the text format's number syntax; a hexadecimal float beyond the range
    is a usage error, not an OverflowError."""
    with pytest.raises(CallUsageError, match=says):
        parse_value(type_name, text)


def test_argument_errors_are_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    """RT-CLI-1, RT-CLI-2: a leading zero is a number and a huge hexadecimal float a usage
    error, both without a Python exception escaping `main`."""
    assert main(["call", str(COUNTER), "increment", "010", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["args"] == [{"type": "i64", "value": 10}]
    assert main(["call", str(COUNTER), "increment", "0x1p99999999999"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("supervm call: argument 1 of increment") and err.count("\n") == 1


def test_split_words() -> None:
    """RT-CLI-1, RT-CLI-2: after FUNCTION, a word starting with -- is an option (with its
    value, named in full or by a unique prefix), -h is help, anything else an ARG; after --,
    all ARGs."""
    words = ["-inf", "--gas", "-1", "1e5", "--json", "--st", "s.json", "--gas=5", "-h",
             "-nan:0x1", "--", "--json", "-h"]
    assert split_words(words) == (
        ["--gas", "-1", "--json", "--st", "s.json", "--gas=5", "-h"],
        ["-inf", "1e5", "-nan:0x1", "--json", "-h"])
    assert split_words(["1", "--state"]) == (["--state"], ["1"])
    assert split_words(["--bogus", "1"]) == (["--bogus"], ["1"])


def test_negative_arguments_on_the_command_line(tmp_path: Path, stand_in: Any,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """RT-CLI-1, RT-CLI-2: -inf, -1e5, -nan:0x1 and -0x8000000000000000 are ARGs, not
    options, wherever the options are (before CONTRACT, between CONTRACT and FUNCTION, after
    FUNCTION among the ARGs); a -- before them still works."""
    source = tmp_path / "bits.wat"
    source.write_text(BITS_WAT)

    def bits(*argv: str) -> list[Any]:
        assert main(["call", *argv]) == 0, capsys.readouterr().err
        outcome = json.loads(capsys.readouterr().out)
        return [a.get("bits", a["value"]) for a in outcome["args"]]

    assert bits(str(source), "f64bits", "-inf", "--json") == ["0xfff0000000000000"]
    assert bits("--json", str(source), "f64bits", "-1e5") == [f"0x{Value.f64(-1e5).payload:016x}"]
    assert bits(str(source), "--json", "f64bits", "-nan:0x1") == ["0xfff0000000000001"]
    assert bits(str(source), "i64", "-0x8000000000000000", "--gas", "1000", "--json") == [
        -(2**63)]
    assert bits(str(source), "f32bits", "--json", "--", "-0x1p-149") == ["0x80000001"]
    with pytest.raises(SystemExit) as exit_status:  # argparse's own usage error
        main(["call", str(source), "f64bits", "-inf", "--gas"])
    assert exit_status.value.code == 2
    assert "--gas: expected one argument" in capsys.readouterr().err


def test_arguments_follow_the_parameters() -> None:
    """RT-CLI-2: one ARG per parameter, a type prefix must match, reference types refused."""
    params = (ValType.I32, ValType.F64)
    assert typed_arguments(["i32:1", "2"], "f", params) == [Value.i32(1), Value.f64(2.0)]
    for words, says in ((["1"], r"f takes 2 argument\(s\) \(i32, f64\), got 1"),
                        (["1", "2", "3"], "got 3"), (["i64:1", "2"], "is an i32"),
                        (["1", "x"], "argument 2 of f")):
        with pytest.raises(CallUsageError, match=says):
            typed_arguments(words, "f", params)
    with pytest.raises(CallUsageError, match="only numbers"):
        typed_arguments(["null"], "g", (ValType.EXTERNREF,))
    assert typed_arguments([], "h", ()) == []


# --- RT-CLI-3, RT-CLI-4: printing and the state file -------------------------------------------

def test_printable_events() -> None:
    """RT-CLI-3: an event is shown as text only when it is UTF-8 without control characters."""
    assert printable(b"hello") == "hello" and printable("é ✓".encode()) == "é ✓"
    for data in (b"", b"ev\0\0\0\0", b"\xff", b"a\nb", "\x85".encode()):
        assert printable(data) is None


def test_state_file_format(tmp_path: Path) -> None:
    """RT-CLI-4: hex keys and values, 0x optional, either case; written sorted, lowercase;
    absent is empty; anything else is a usage error naming the file."""
    path = tmp_path / "s.json"
    assert load_state(path) == {}
    path.write_text('{"0xAB": "cd", "00": ""}')
    state = load_state(path)
    assert state == {b"\xab": b"\xcd", b"\0": b""}
    assert state_json(state) == b'{\n "00": "",\n "ab": "cd"\n}\n'
    for bad in ('[1]', '{"a": "00"}', '{"00": 5}', '{"00": "0"}', "{", "[" * 100):
        path.write_text(bad)
        with pytest.raises(CallUsageError, match=str(path)):
            load_state(path)


@pytest.mark.parametrize("document, says", [
    ('{"ab": "01", "AB": "02", "0xab": "03"}', "'AB' is the key 'ab' again"),
    ('{"0xAB": "01", "ab": "02"}', "'ab' is the key '0xAB' again"),
    ('{"ab": "01", "ab": "02"}', "duplicate member"),
])
def test_state_file_duplicate_keys(document: str, says: str, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    """RT-CLI-4: a key given twice, even in another spelling, is a usage error (exit status
    2) and the file is left as it was, not merged with the last spelling winning."""
    path = tmp_path / "s.json"
    path.write_text(document)
    with pytest.raises(CallUsageError, match=says):
        load_state(path)
    assert main(["call", str(COUNTER), "get", "--state", str(path)]) == 2
    assert says in capsys.readouterr().err
    assert path.read_text() == document


# --- RT-CODE-5: wat2wasm ------------------------------------------------------------------------

def test_wat2wasm_writes_the_binary(tmp_path: Path, stand_in: Any,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    """RT-CODE-5: FILE.wat -> FILE.wasm by default, -o elsewhere; the bytes are the text's
    binary; a file with no suffix gets .wasm."""
    source = tmp_path / "counter.wat"
    source.write_text((CONTRACTS / "counter.wat").read_text())
    assert main(["wat2wasm", str(source)]) == 0
    expected = wat(source.read_text())
    assert (tmp_path / "counter.wasm").read_bytes() == expected
    assert f"-> {tmp_path / 'counter.wasm'} ({len(expected):,} bytes)" in capsys.readouterr().out
    assert main(["wat2wasm", str(source), "-o", str(tmp_path / "other.bin")]) == 0
    assert (tmp_path / "other.bin").read_bytes() == expected
    bare = tmp_path / "bare"
    bare.write_text(HELLO_WAT)
    assert main(["wat2wasm", str(bare)]) == 0
    assert (tmp_path / "bare.wasm").read_bytes() == wat(HELLO_WAT)


def test_wat2wasm_errors(tmp_path: Path, stand_in: Any,
                         capsys: pytest.CaptureFixture[str]) -> None:
    """RT-CODE-5: a text error is FILE:LINE:COLUMN and exit 1, an invalid module exit 1,
    neither writes the output; a binary input or an output replacing the input is exit 2."""
    broken = tmp_path / "broken.wat"
    broken.write_text("(module\n  (func x))")
    assert main(["wat2wasm", str(broken)]) == 1
    assert capsys.readouterr().err.startswith(f"{broken}:2:")
    invalid = tmp_path / "invalid.wat"
    invalid.write_text("(module (func (result i32)))")
    assert main(["wat2wasm", str(invalid)]) == 1
    assert "invalid module" in capsys.readouterr().err
    assert not (tmp_path / "broken.wasm").exists() and not (tmp_path / "invalid.wasm").exists()
    assert main(["wat2wasm", str(COUNTER)]) == 2
    assert "already binary" in capsys.readouterr().err
    assert main(["wat2wasm", str(broken), "-o", str(broken)]) == 2
    assert "would replace" in capsys.readouterr().err


@pytest.mark.slow
def test_wat2wasm_to_stdout_as_a_process(tmp_path: Path) -> None:
    """RT-CODE-5: -o - writes the binary to a pipe, nothing else on stdout."""
    source = tmp_path / "hello.wat"
    source.write_text(HELLO_WAT)
    run = subprocess.run([sys.executable, "-c", STAND_IN_MAIN, "wat2wasm", str(source), "-o",
                          "-"], capture_output=True, cwd=REPO, timeout=300, check=False)
    assert run.returncode == 0 and run.stdout == wat(HELLO_WAT), run.stderr


# --- With the real parser -----------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.skipif(not TEXT_PARSER_MERGED, reason="needs the text parser (runs once "
                                                   "spec/wasm-text.md is merged)")
@pytest.mark.parametrize("name", sorted(p.stem for p in CONTRACTS.glob("*.wat")))
def test_real_wat2wasm_of_the_contracts(name: str, tmp_path: Path) -> None:  # needs the text parser
    """RT-CODE-5 with supervm_ref.wasm.text: every committed .wat converts to a module
    structurally equal to wasmtime's wat2wasm of it; an invalid one is refused."""
    source = CONTRACTS / f"{name}.wat"
    out = tmp_path / f"{name}.wasm"
    run = _supervm("wat2wasm", str(source), "-o", str(out))
    assert "Traceback" not in run.stderr
    expected = module_decode(wat(source.read_text()))
    try:
        module_validate(expected)
    except WasmError:  # invalid on purpose (abi_probe_invalid): refused, nothing written
        assert run.returncode == 1 and "invalid module" in run.stderr, run.stderr
        assert not out.exists()
        return
    assert run.returncode == 0, run.stderr
    assert module_decode(out.read_bytes()) == expected


@pytest.mark.slow
@pytest.mark.skipif(not TEXT_PARSER_MERGED, reason="needs the text parser (runs once "
                                                   "spec/wasm-text.md is merged)")
def test_real_call_of_a_wat_contract(tmp_path: Path) -> None:  # needs the text parser
    """RT-CLI-1 with supervm_ref.wasm.text: counter.wat chains like counter.wasm."""
    state = tmp_path / "state.json"
    for word in ("5", "-2"):
        run = _supervm("call", str(CONTRACTS / "counter.wat"), "increment", word,
                       "--state", str(state))
        assert run.returncode == 0, run.stderr
    assert "results: i64:3" in run.stdout
