"""Fixtures derived from the official WebAssembly suite (spec/conformance.md CONF-SUITE-1..7,
CONF-FIX-8): the committed ``wasm_suite`` fixtures point at real lines of the suite, keep the
selection, record canonical NaNs; deriving fails loudly on a wrong expectation and leaves out
what a fresh call cannot reproduce. (That the file is a fresh fill, valid, hashed and passes on
both backends is checked with every other fixture file: test_conformance.py,
tests/backends/test_backend_wasmtime.py.)"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import re
import shutil
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from supervm_ref.backends import load_backend
from supervm_ref.conformance import encoding as enc
from supervm_ref.conformance.consume import consume_file, python_runner
from supervm_ref.conformance.fill import check_case, fill_case
from supervm_ref.conformance.filler import Case, FillerError, Tx, source_info
from supervm_ref.conformance.schema import errors_against, load_schema
from supervm_ref.conformance.suite import (
    EXTERNAL_ENV,
    SuiteCommand,
    SuiteMismatch,
    SuiteModule,
    check_suite_version,
    contract_problem,
    derive,
    disagreement,
    find_suite,
    read_script,
    trap_error_kind,
)
from supervm_ref.runtime.errors import ErrorKind
from supervm_ref.wasm import TrapKind, Value
from supervm_ref.wasm.script.values import NanPattern, ScriptError

from ..support import REPO

FIXTURE_FILE = REPO / "conformance" / "fixtures" / "wasm_suite.json"
FILLER = REPO / "conformance" / "fillers" / "wasm_suite.py"
SCHEMA = load_schema(REPO)
#: CONF-SUITE-4: how a command begins in a .wast file, by the kind of transaction it became.
COMMAND_STARTS = ("(assert_return", "(assert_trap", "(assert_exhaustion", "(invoke")
CANONICAL_NAN = {"f32": 0x7FC00000, "f64": 0x7FF8000000000000}


def _fixtures() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads(FIXTURE_FILE.read_text())
    return data


def _split(source: str) -> tuple[str, int]:
    file, line = source.rsplit(":", 1)
    return file, int(line)


@cache
def _script(path: Path) -> list[SuiteModule]:
    return read_script(path)


def _module(suite_dir: Path, script: str, line: int) -> SuiteModule:
    (module,) = [m for m in _script(suite_dir / script / f"{script}.json") if m.line == line]
    return module


# --- The committed fixtures ---------------------------------------------------------------------


def test_sources_name_real_lines_of_the_suite(suite_dir: Path) -> None:
    """CONF-SUITE-5, CONF-FIX-8: ``_info.source`` is the line of a ``(module`` in the .wast
    file; ``transaction_sources`` has one entry per transaction, each the line where a command
    of that kind begins and names the transaction's function, after the module and in script
    order; the case is named after the module's script and line."""
    wast = suite_dir.parent / "wast"
    lines: dict[str, list[str]] = {}
    for name, fixture in _fixtures().items():
        info = fixture["_info"]
        script, module_line = _split(info["source"])
        text = lines.setdefault(script, (wast / script).read_text().splitlines())
        assert text[module_line - 1].lstrip().startswith("(module"), info["source"]
        assert name == f"wasm_suite/{script.removesuffix('.wast')}-{module_line}"
        sources = info["transaction_sources"]
        assert len(sources) == len(fixture["transactions"]), name
        previous = module_line
        for source, tx in zip(sources, fixture["transactions"], strict=True):
            file, line = _split(source)
            assert file == script and line > previous, (name, source)
            command = " ".join(text[line - 1:line + 2]).lstrip()
            assert command.startswith(COMMAND_STARTS), (source, command)
            assert f'"{tx["function"]}"' in command, (source, tx["function"])
            assert tx["to"] == "module"
            previous = line


def test_selection_and_outcomes() -> None:
    """CONF-SUITE-6, RT-ERR-3: every selected script gives fixtures; the area stays within
    its budget of transactions; it reaches every trap kind the scripts assert; a trap uses the
    whole gas limit, a success less."""
    fixtures = _fixtures()
    filler = FILLER.read_text()
    scripts = {_split(f["_info"]["source"])[0] for f in fixtures.values()}
    selected = set(re.findall(r'SuiteScript\("([a-z0-9_]+)"', filler))
    assert scripts == {f"{s}.wast" for s in selected}
    transactions = sum(len(f["transactions"]) for f in fixtures.values())
    assert len(fixtures) >= 100 and 3000 <= transactions <= 6000, (len(fixtures), transactions)
    errors: set[str | None] = set()
    for fixture in fixtures.values():
        for tx, result in zip(fixture["transactions"], fixture["post"]["results"], strict=True):
            errors.add(result["error"])
            if result["error"] is None:
                assert result["gas_used"] < tx["gas_limit"]
            else:
                assert result["gas_used"] == tx["gas_limit"]
        assert fixture["pre"]["storage"] == {} and fixture["post"]["storage"] == {}
    assert errors == {None, "MEMORY_OUT_OF_BOUNDS", "INTEGER_DIVIDE_BY_ZERO", "INTEGER_OVERFLOW",
                      "INVALID_CONVERSION", "UNDEFINED_ELEMENT", "UNINITIALIZED_ELEMENT",
                      "INDIRECT_CALL_TYPE_MISMATCH", "CALL_STACK_EXHAUSTED"}


def test_corners_are_values_of_their_grids(suite_dir: Path) -> None:
    """CONF-SUITE-6: every corner value of the selection is an operand of its script's grid
    (a corner that is not would silently select nothing)."""
    spec = importlib.util.spec_from_file_location("wasm_suite_filler", FILLER)
    assert spec is not None and spec.loader is not None
    filler = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(filler)
    for script, corners in (("f32", "F32_CORNERS"), ("f64", "F64_CORNERS"),
                            ("f32_cmp", "F32_CMP_CORNERS"), ("f64_cmp", "F64_CMP_CORNERS"),
                            ("f32_bitwise", "F32_BITWISE_CORNERS"),
                            ("f64_bitwise", "F64_BITWISE_CORNERS")):
        operands = {a.payload for m in _script(suite_dir / script / f"{script}.json")
                    for c in m.commands if len(c.args) == 2 for a in c.args}
        assert getattr(filler, corners) <= operands, script


def test_nan_results_are_the_canonical_nan(suite_dir: Path) -> None:
    """CONF-SUITE-7, WASM-FLOAT-2: where the suite expects ``nan:canonical`` or
    ``nan:arithmetic``, the fixture holds exactly the positive canonical NaN."""
    checked = 0
    for fixture in _fixtures().values():
        script, module_line = _split(fixture["_info"]["source"])
        module = _module(suite_dir, script.removesuffix(".wast"), module_line)
        by_line = {c.line: c for c in module.commands}
        for source, result in zip(fixture["_info"]["transaction_sources"],
                                  fixture["post"]["results"], strict=True):
            command = by_line[_split(source)[1]]
            for expected, got in zip(command.expected or (), result["return"], strict=True):
                if isinstance(expected, NanPattern):
                    assert int(got["value"]) == CANONICAL_NAN[got["type"]], source
                    checked += 1
    assert checked >= 250


@pytest.mark.parametrize("backend", ["reference", "wasmtime"])
def test_a_tampered_result_is_reported_with_its_source(tmp_path: Path, backend: str) -> None:
    """CONF-CONSUME-2, CONF-FIX-8: a derived fixture whose recorded result is wrong fails on
    either backend, and the report names the transaction's line in the suite."""
    name = "wasm_suite/i32-3"
    fixture = _fixtures()[name]
    fixture["post"]["results"][2]["return"][0]["value"] = "7"
    fixture["_info"]["hash"] = enc.fixture_hash(fixture)
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps({name: fixture}))
    (only,) = consume_file(path, SCHEMA, python_runner(load_backend(backend))).fixtures
    source = fixture["_info"]["transaction_sources"][2]
    assert only.problems == [f'tx 2 (module.add) [{source}]: return[0]: expected {{"type": '
                             f'"i32", "value": "7"}}, got {{"type": "i32", "value": '
                             f'"4294967294"}}'], only.problems


# --- The cross-check ----------------------------------------------------------------------------


def _copy_script(suite_dir: Path, tmp_path: Path, script: str) -> Path:
    folder = tmp_path / script
    shutil.copytree(suite_dir / script, folder)
    return folder / f"{script}.json"


def test_a_mutated_assertion_fails_the_fill(suite_dir: Path, tmp_path: Path) -> None:
    """CONF-SUITE-4: a wrong expected value, a wrong trap text and a success expected where
    the engine traps each make deriving fail, naming the script line and both outcomes."""
    path = _copy_script(suite_dir, tmp_path, "i32")
    script = json.loads(path.read_text())
    commands = script["commands"]
    first_return = next(c for c in commands if c["type"] == "assert_return")
    first_trap = next(c for c in commands if c["type"] == "assert_trap")
    assert (first_return["line"], first_return["expected"]) == (37, [{"type": "i32",
                                                                      "value": "2"}])
    assert first_trap["text"] == "integer divide by zero"
    first_return["expected"] = [{"type": "i32", "value": "3"}]
    path.write_text(json.dumps(script))
    (module,) = read_script(path)
    with pytest.raises(SuiteMismatch, match=r"i32\.wast:37: .* expected \[i32:3\], got "
                                            r"\[i32:2\]"):
        derive(module, 1_000_000)

    first_return["expected"] = [{"type": "i32", "value": "2"}]
    first_trap["text"] = "integer overflow"
    path.write_text(json.dumps(script))
    (module,) = read_script(path)
    with pytest.raises(SuiteMismatch, match=f"i32.wast:{first_trap['line']}: .* expected "
                                            "INTEGER_OVERFLOW, got INTEGER_DIVIDE_BY_ZERO"):
        derive(module, 1_000_000)

    (module,) = read_script(suite_dir / "i32" / "i32.json")
    trap = next(c for c in module.commands if c.trap is not None)
    as_return = dataclasses.replace(trap, kind="assert_return", trap=None,
                                    expected=(Value.i32(0),))
    mutated = dataclasses.replace(module, commands=(as_return,))
    with pytest.raises(SuiteMismatch, match="got INTEGER_DIVIDE_BY_ZERO"):
        derive(mutated, 1_000_000)
    assert len(derive(module, 1_000_000).kept) == len(module.commands)


def test_a_runtime_disagreement_fails_the_fill(suite_dir: Path) -> None:
    """CONF-SUITE-4 step 2: when the script's instance agrees with the suite but the call does
    not (here: a gas limit too small for the call), deriving fails."""
    (module,) = read_script(suite_dir / "i32" / "i32.json")
    with pytest.raises(SuiteMismatch, match=r"i32\.wast:37: the runtime disagrees .* "
                                            r"got OUT_OF_GAS"):
        derive(module, 1)


def test_state_dependent_commands_are_left_out(suite_dir: Path) -> None:
    """CONF-SUITE-4: memory_trap.wast stores 42 at the end of memory, then expects to load it:
    a fresh call loads 0, so that command is left out as state-dependent; the traps after it
    hold in a fresh call too and are kept."""
    module = _module(suite_dir, "memory_trap", 1)
    derived = derive(module, 1_000_000)
    kept = {c.line: result for c, result in derived.kept}
    left = {c.line: reason for c, reason in derived.left_out}
    assert 21 in kept and kept[21].ok
    assert left[22].startswith("state-dependent") and "got [i32:0]" in left[22]
    assert kept[23].error is ErrorKind.MEMORY_OUT_OF_BOUNDS


def _tiny_script(tmp_path: Path, suite_dir: Path, commands: list[dict[str, Any]]) -> Path:
    """A wast2json script over i32.wast's module (copied as tiny.0.wasm)."""
    shutil.copy(suite_dir / "i32" / "i32.0.wasm", tmp_path / "tiny.0.wasm")
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps({"source_filename": "tiny.wast", "commands": [
        {"type": "module", "line": 1, "filename": "tiny.0.wasm"}, *commands]}))
    return path


def _invoke(line: int, function: str, args: list[dict[str, str]], kind: str = "assert_return",
            **extra: Any) -> dict[str, Any]:
    return {"type": kind, "line": line, "action": {"type": "invoke", "field": function,
                                                   "args": args}, **extra}


def test_commands_a_call_cannot_carry(suite_dir: Path, tmp_path: Path) -> None:
    """CONF-SUITE-3: a ``get`` of a global, a non-null reference and a function name that is
    not printable ASCII are left out with their reason; after a ``register`` of the module,
    every command is left out (other modules may change it); a command on a module in the
    text format is not read."""
    one = {"type": "i32", "value": "1"}
    path = _tiny_script(tmp_path, suite_dir, [
        _invoke(2, "add", [one, one], expected=[{"type": "i32", "value": "2"}]),
        {"type": "action", "line": 3, "action": {"type": "get", "field": "g"}},
        _invoke(4, "add", [{"type": "externref", "value": "1"}, one]),
        _invoke(5, "add\u00e9", [one, one]),
        {"type": "register", "line": 6, "as": "M"},
        _invoke(7, "add", [one, one], expected=[{"type": "i32", "value": "2"}]),
        {"type": "module", "line": 8, "filename": "tiny.1.wat", "module_type": "text"},
        _invoke(9, "add", [one, one]),
    ])
    (module,) = read_script(path)
    assert module.registered == 6 and [c.line for c in module.commands] == [2, 3, 4, 5, 7]
    assert not module.commands[1].invokes
    derived = derive(module, 1_000_000)
    assert [c.line for c, _ in derived.kept] == [2]
    reasons = {c.line: reason for c, reason in derived.left_out}
    assert reasons[3].startswith("reads a global") and reasons[7].startswith("shared")
    assert "no fixture form" in reasons[4] and "not printable ASCII" in reasons[5]


def test_a_command_the_engine_cannot_invoke(suite_dir: Path) -> None:
    """CONF-SUITE-4 step 1: on a module with state every command runs on the script's
    instance; one it cannot invoke (an argument of the wrong type) fails the fill."""
    module = _module(suite_dir, "memory_trap", 1)
    wrong = dataclasses.replace(module.commands[0], args=(Value.i64(1), Value.i32(1)))
    with pytest.raises(SuiteMismatch, match=r"memory_trap\.wast:21: the engine cannot invoke"):
        derive(dataclasses.replace(module, commands=(wrong,)), 1_000_000)


def test_trap_texts_name_error_kinds() -> None:
    """CONF-SUITE-4, RT-ERR-1: each trap message names its error kind, also with a suffix
    after a space; any other text is not a trap of the suite."""
    for kind in TrapKind:
        assert trap_error_kind(kind.value) is ErrorKind[kind.name]
    assert trap_error_kind("uninitialized element 2") is ErrorKind.UNINITIALIZED_ELEMENT
    for text in ("integer overflowed", "", "trap"):
        with pytest.raises(ScriptError):
            trap_error_kind(text)
    command = SuiteCommand(1, "action", "f", ())
    assert disagreement(command, None, []) == ""
    assert disagreement(command, ErrorKind.UNREACHABLE, []) == "expected no trap, got UNREACHABLE"


def test_only_contracts_are_derived(suite_dir: Path) -> None:
    """CONF-SUITE-2: a module with a start function or with imports is not a contract;
    deriving it is an error of the selection."""
    start = next(m for m in read_script(suite_dir / "start" / "start.json") if m.commands)
    assert contract_problem(start.wasm).startswith("START_FUNCTION_NOT_ALLOWED")
    imports = next(m for m in read_script(suite_dir / "imports" / "imports.json")
                   if m.commands and contract_problem(m.wasm))
    assert contract_problem(imports.wasm).startswith("UNLINKABLE")
    with pytest.raises(FillerError, match=r"start\.wast:[0-9]+: not a contract"):
        derive(start, 1_000_000)


def test_finding_the_suite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                           suite_dir: Path) -> None:
    """CONF-SUITE-1: the suite is found beside the checkout (also from a copy of the
    repository elsewhere), or where $SUPERVM_EXTERNAL says; a missing suite or another
    version is a `FillerError`."""
    monkeypatch.delenv(EXTERNAL_ENV, raising=False)
    assert find_suite(REPO) == suite_dir.parent
    assert find_suite(tmp_path / "elsewhere") == suite_dir.parent
    monkeypatch.setenv(EXTERNAL_ENV, str(tmp_path))
    with pytest.raises(FillerError, match=EXTERNAL_ENV):
        find_suite(REPO)
    other = tmp_path / "wasm-testsuite"
    for folder in ("json", "wast"):
        (other / folder).mkdir(parents=True)
    (other / "SOURCE").write_text("WebAssembly/testsuite commit 0000000 (elsewhere)\n")
    assert find_suite(REPO) == other
    with pytest.raises(FillerError, match="derived from WebAssembly/testsuite commit 3a04b2c"):
        check_suite_version(other, "WebAssembly/testsuite commit 3a04b2c")
    check_suite_version(suite_dir.parent, "WebAssembly/testsuite commit 3a04b2c")


# --- Sources in any case (CONF-FIX-8) -----------------------------------------------------------


def test_sources_are_checked_and_written(suite_dir: Path) -> None:
    """CONF-FIX-8, CONF-FILL-2: sources are ``<file>:<line>`` and given for every
    transaction or none; filling writes them into ``_info``, which the schema accepts; a
    malformed source in a fixture is a schema error."""
    wasm = (suite_dir / "i32" / "i32.0.wasm").read_bytes()
    one = [Value.i32(1), Value.i32(2)]

    def case(source: str | None, *tx_sources: str | None) -> Case:
        return Case("demo/x", "d", ["CONF-FIX-8"], {"m": wasm}, source=source,
                    txs=[Tx("m", "add", one, source=s) for s in tx_sources])

    for bad in ("i32.wast", "a b:1", "x:0", "x:1:2", ""):
        with pytest.raises(FillerError, match="'<file>:<line>'"):
            check_case(case(bad, None), "demo")
    with pytest.raises(FillerError, match="every transaction has a source or none"):
        check_case(case(None, "a.wast:1", None), "demo")
    good = case("dir/a-b.wast:3", "dir/a-b.wast:4", "dir/a-b.wast:9")
    check_case(good, "demo")
    assert source_info(good) == {"source": "dir/a-b.wast:3",
                                 "transaction_sources": ["dir/a-b.wast:4", "dir/a-b.wast:9"]}
    assert source_info(case(None, None)) == {}
    fixture = fill_case(good, "demo.py")
    assert fixture["_info"]["transaction_sources"] == ["dir/a-b.wast:4", "dir/a-b.wast:9"]
    assert errors_against({"demo/x": fixture}, SCHEMA) == []
    fixture["_info"]["source"] = "nowhere"
    fixture["_info"]["transaction_sources"] = []
    problems = errors_against({"demo/x": fixture}, SCHEMA)
    assert len(problems) == 2, problems
