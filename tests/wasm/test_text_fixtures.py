"""The text fixture format (spec/conformance.md CONF-TEXT-*) and its vectors: the committed
fixtures are the reference's conversions, and each binary is the module its text denotes."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from supervm_ref.conformance.consume import consume_file, python_runner
from supervm_ref.conformance.encoding import EncodingError, fixture_hash
from supervm_ref.conformance.fill import fill_case
from supervm_ref.conformance.filler import FillerError
from supervm_ref.conformance.formats import format_named
from supervm_ref.conformance.formats.text import TextCase, TextFormat, text_outcome
from supervm_ref.conformance.schema import errors_against, load_schema
from supervm_ref.runtime.runtime import Runtime
from supervm_ref.wasm.binary.module import decode_module
from supervm_ref.wasm.text import TextError, parse_module

from ..support import REPO

FIXTURES = REPO / "conformance" / "fixtures" / "text.json"
FORMAT = format_named("supervm_text_test")
SCHEMA = load_schema(REPO)


def _fixtures() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURES.read_text())
    return data


def test_vectors_are_the_reference_conversions() -> None:
    """CONF-TEXT-1, WASM-TEXT-API-1: every outcome is what wat2wasm gives now; a binary decodes
    to the module parse_module gives, an error is a TextError."""
    fixtures = _fixtures()
    assert len(fixtures) >= 40
    for name, f in fixtures.items():
        assert text_outcome(f["text"]) == f["outcome"], name
        if "module" in f["outcome"]:
            binary = bytes.fromhex(f["outcome"]["module"][2:])
            assert decode_module(binary) == parse_module(f["text"]), name
        else:
            assert f["outcome"] == {"error": "malformed"}
            with pytest.raises(TextError):
                parse_module(f["text"])


def test_vectors_cite_the_text_rules() -> None:
    """CONF-TEXT-1: the vectors cite every rule of spec/wasm-text.md but those of scripts, of
    telling inputs apart and of the benchmark, and include both outcomes."""
    fixtures = _fixtures()
    cited = {r for f in fixtures.values() for r in f["_info"]["rules"]}
    text = (REPO / "spec" / "wasm-text.md").read_text()
    defined = set(re.findall(r"\*\*(WASM-TEXT-[A-Z]+-\d+)", text))
    # WASM-TEXT-LEX-4 is about a Python str holding a lone surrogate, which a JSON vector
    # cannot carry portably (tests/wasm/test_text.py cites it).
    assert defined - cited == {"WASM-TEXT-INPUT-1", "WASM-TEXT-LEX-4", "WASM-TEXT-SCRIPT-1",
                               "WASM-TEXT-SCRIPT-2", "WASM-TEXT-SCRIPT-3", "WASM-TEXT-SCRIPT-4",
                               "WASM-TEXT-BENCH-1"}
    assert {"CONF-TEXT-1", "CONF-TEXT-2", "CONF-TEXT-3"} <= cited
    kinds = {"module" if "module" in f["outcome"] else f["outcome"]["error"]
             for f in fixtures.values()}
    assert kinds == {"module", "malformed"}


def _one(tmp_path: Path, name: str, fixture: dict[str, Any]) -> Path:
    path = tmp_path / "text.json"
    path.write_text(json.dumps({name: fixture}))
    return path


def test_consume_and_a_wrong_outcome_in_one_line(tmp_path: Path) -> None:
    """CONF-TEXT-2/3: consume passes every vector; a fixture whose outcome differs fails with
    one line naming both."""
    runner = python_runner(Runtime)
    outcome = consume_file(FIXTURES, SCHEMA, runner)
    assert outcome.fixtures and all(f.passed for f in outcome.fixtures)
    name = "text/start"
    fixture = copy.deepcopy(_fixtures()[name])
    fixture["outcome"] = {"error": "malformed"}
    fixture["_info"]["hash"] = fixture_hash(fixture)
    (failed,) = consume_file(_one(tmp_path, name, fixture), SCHEMA, runner).fixtures
    assert not failed.passed
    assert any(p.startswith("outcome: expected error 'malformed', got module 0x0061736d")
               for p in failed.problems), failed.problems
    for bad in ({"error": "nope"}, {"module": "00"}, {"module": "0x00", "error": "malformed"},
                {}):
        fixture["outcome"] = bad
        assert errors_against({name: fixture}, SCHEMA), bad


def test_protocol_runs_behind_t8n() -> None:
    """CONF-TEXT-2: an external program given {fixture_format, text} answers the conversion;
    supervm t8n is such a program."""
    fixture = _fixtures()["text/blocks"]
    test = FORMAT.backend_input(fixture)
    assert set(test) == {"fixture_format", "text"}
    done = subprocess.run([sys.executable, "-m", "supervm_ref", "t8n"], input=json.dumps(test),
                          capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == fixture["outcome"]


@pytest.mark.parametrize("bad", [{}, {"text": 1}, {"text": "(module)", "extra": 1}])
def test_bad_inputs_are_encoding_errors(bad: dict[str, Any]) -> None:
    """CONF-TEXT-2: a missing, mistyped or unexpected member is an EncodingError."""
    with pytest.raises(EncodingError):
        TextFormat().decode_input({"fixture_format": FORMAT.name, **bad})


def test_cases_are_checked_when_filling() -> None:
    """CONF-TEXT-1, CONF-FILL-2: a case whose text is not a str is a FillerError; a good one
    fills with the conversion."""
    fixture = fill_case(TextCase("text/x", "d", ["CONF-TEXT-1"], "(module)"), "f.py")
    assert fixture["outcome"] == {"module": "0x0061736d01000000"}
    assert fixture["_info"]["fixture_format"] == "supervm_text_test"
    with pytest.raises(FillerError, match="text/x"):
        FORMAT.check_case(TextCase("text/x", "d", [], b"(module)"))  # type: ignore[arg-type]
