"""The registry of fixture formats (spec/conformance.md, CONF-FORMAT-*): every kind of fixture
is one `FixtureFormat` and one registry entry; fill, consume, t8n, pack and the schema dispatch
on the registry. A toy format defined here (one class, one entry) goes through all of them."""

from __future__ import annotations

import copy
import io
import json
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pytest

from supervm_ref.backends import BackendFactory
from supervm_ref.cli import main
from supervm_ref.conformance import formats
from supervm_ref.conformance.compare import diff_map
from supervm_ref.conformance.consume import consume, consume_file, python_runner
from supervm_ref.conformance.encoding import EncodingError, fixture_hash
from supervm_ref.conformance.fill import case_format, check_case, fill
from supervm_ref.conformance.filler import Case, FillerError
from supervm_ref.conformance.formats import (
    FORMATS,
    FixtureFormat,
    FormatError,
    build_schema,
    format_for_input,
    format_named,
    schema_text,
)
from supervm_ref.conformance.pack import pack
from supervm_ref.conformance.paths import FIXTURES
from supervm_ref.conformance.schema import errors_against, load_schema, validate
from supervm_ref.runtime.runtime import Runtime

from ..support import REPO

SCHEMA = load_schema(REPO)
SPEC = (REPO / "spec" / "conformance.md").read_text()
REFERENCE = python_runner(Runtime)


def _fixture(area: str, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((REPO / "conformance" / "fixtures" / f"{area}.json")
                                      .read_text())
    return copy.deepcopy(data[name])


# --- The registry -------------------------------------------------------------------------------


def test_registry_lists_every_format_once() -> None:
    """CONF-FORMAT-1: call, batch and isolation are registered once each, with a description,
    the section of spec/conformance.md that defines them, and their folder; filled formats
    have distinct case kinds; unknown names are `FormatError`s."""
    names = [f.name for f in FORMATS]
    assert names[:3] == ["supervm_call_test", "supervm_batch_test", "supervm_isolation_test"]
    assert len(set(names)) == len(names)
    kinds = [f.case_kind for f in FORMATS if f.filled]
    assert kinds[:2] == ["call", "batch"] and len(set(kinds)) == len(kinds)
    assert formats.filled_formats() == {f.case_kind: f for f in FORMATS if f.filled}
    for fmt in FORMATS:
        assert format_named(fmt.name) is fmt
        assert fmt.description and (REPO / fmt.folder).is_dir()
        assert not fmt.filled or fmt.folder == FIXTURES  # where supervm fill writes
        section = re.search(r"section (\d+)", fmt.spec_section)
        assert section, fmt.spec_section
        assert re.search(rf"^## {section.group(1)}\. .*`{fmt.name}`", SPEC, re.M), fmt.name
        assert f"| `{fmt.name}` |" in SPEC  # its row in the table of CONF-FORMAT-1
    with pytest.raises(FormatError, match="unknown fixture_format 'supervm_block_test'"):
        format_named("supervm_block_test")


def test_every_committed_fixture_names_a_registered_format() -> None:
    """CONF-FORMAT-2: every committed fixture's ``_info.fixture_format`` is registered, and it
    lies in its format's folder; every format has committed fixtures (the isolation scripts
    one per file, what fill writes maps of them)."""
    seen: set[str] = set()
    for folder in sorted({fmt.folder for fmt in FORMATS}):
        for path in sorted((REPO / folder).glob("*.json")):
            data = json.loads(path.read_text())
            fixtures = [data] if "_info" in data else list(data.values())
            for fixture in fixtures:
                fmt = format_named(fixture["_info"]["fixture_format"])
                assert fmt.folder == folder and ("_info" in data) == (not fmt.filled), path
                seen.add(fmt.name)
    assert seen == {fmt.name for fmt in FORMATS}


def test_protocol_inputs_name_their_format() -> None:
    """CONF-PROTO-1: an input's ``fixture_format`` selects its format; without one it is a
    call input; anything else is a `FormatError`."""
    assert format_for_input({"env": {}}).name == "supervm_call_test"
    assert format_for_input({"fixture_format": "supervm_batch_test"}).name == \
        "supervm_batch_test"
    for bad in ([], "x", {"fixture_format": 5}, {"fixture_format": "supervm_nope_test"}):
        with pytest.raises(FormatError):
            format_for_input(bad)


def test_every_format_defines_its_part_of_the_contract() -> None:
    """CONF-FORMAT-3: every format's schema part defines one fixture under its name; its input
    and output definitions exist; a filled format names its case class; a fixture of each
    format yields an input valid against its input definition."""
    schema = build_schema()
    samples: dict[str, dict[str, Any]] = {}
    for folder in sorted({fmt.folder for fmt in FORMATS}):
        for path in sorted((REPO / folder).glob("*.json")):
            data = json.loads(path.read_text())
            for fixture in [data] if "_info" in data else data.values():
                samples.setdefault(fixture["_info"]["fixture_format"], fixture)
    for fmt in FORMATS:
        assert fmt.name in fmt.schema_defs()
        assert {fmt.input_definition, fmt.output_definition} <= set(schema["$defs"])
        assert fmt.output_name.startswith(("a ", "an "))
        assert fmt.filled == (fmt.case_type is not None)
        test = fmt.backend_input(samples[fmt.name])
        assert errors_against(test, schema, fmt.input_definition) == [], fmt.name
        assert fmt.invalid(samples[fmt.name]) == []
    with pytest.raises(FormatError, match="written by hand"):
        format_named("supervm_isolation_test").fill(None)


def test_a_case_names_its_format() -> None:
    """CONF-FILL-2, CONF-FORMAT-3: a case's ``kind`` selects its format; a value that is no
    case, or a kind no filled format has, is a `FillerError`; the filled ``_info`` names the
    format."""
    case = Case("engine/k", "d", ["RT-CALL-1"], {"c": b"\0asm\1\0\0\0"}, kind="batch")
    assert case_format(case).name == "supervm_batch_test"
    with pytest.raises(FillerError, match="not a case"):
        case_format(3)
    kinds = ", ".join(formats.filled_formats())
    with pytest.raises(FillerError, match=f"kind must be one of {kinds}, got 'isolation'"):
        case_format(Case("engine/k", "d", ["RT-CALL-1"], {}, kind="isolation"))


# --- The schema ---------------------------------------------------------------------------------


def test_schema_file_is_the_registry_s(tmp_path: Path) -> None:
    """CONF-FORMAT-5: spec/conformance.schema.json is `build_schema` written by `schema_text`;
    ``fill --check`` reports a schema that differs, and ``fill`` writes it again."""
    path = REPO / "spec" / "conformance.schema.json"
    assert path.read_text() == schema_text()
    assert json.loads(path.read_text()) == build_schema() == SCHEMA
    root = tmp_path / "repo"
    shutil.copytree(REPO / "conformance" / "fillers", root / "conformance" / "fillers")
    shutil.copytree(REPO / "conformance" / "contracts", root / "conformance" / "contracts")
    shutil.copytree(REPO / "conformance" / "fixtures", root / "conformance" / "fixtures")
    (root / "spec").mkdir()
    copied = root / "spec" / "conformance.schema.json"
    copied.write_text(path.read_text().replace("CONF-FIX-4.", "CONF-FIX-4 (edited)."))
    report = fill(root, check=True, areas=["atomicity"])
    assert report.outdated == [copied] and report.counts == {"atomicity": 13}
    report = fill(root, areas=["atomicity"])
    assert copied in report.written and copied.read_text() == schema_text()
    assert fill(root, check=True, areas=["atomicity"]).ok


def test_schema_dispatches_on_the_format() -> None:
    """CONF-FORMAT-2, CONF-SCHEMA-1: the schema checks a fixture against the definition of
    the format its ``_info.fixture_format`` names (a call fixture is a valid batch fixture,
    not an isolation script); an unknown format, a missing or malformed ``_info`` is one
    problem."""
    fixture = _fixture("engine", "engine/bad_arguments")

    def problems(change: Any) -> list[str]:
        bad = copy.deepcopy(fixture)
        change(bad)
        return errors_against({"engine/x": bad}, SCHEMA)

    assert problems(lambda f: None) == []
    assert problems(lambda f: f["_info"].update(fixture_format="supervm_batch_test")) == []
    as_script = problems(lambda f: f["_info"].update(fixture_format="supervm_isolation_test"))
    assert "/engine~1x: missing required property 'steps'" in as_script
    assert not any("missing required property 'post'" in p for p in as_script)
    (unknown,) = problems(lambda f: f["_info"].update(fixture_format="supervm_block_test"))
    assert unknown.startswith("/engine~1x/_info/fixture_format: \"supervm_block_test\" is not "
                              "one of")
    assert problems(lambda f: f.pop("_info")) == [
        "/engine~1x: missing required property '_info'"]
    assert problems(lambda f: f.update(_info=[])) == ["/engine~1x/_info: expected object, got []"]
    # One fixture alone in a file is one fixture.
    assert errors_against(fixture, SCHEMA) == []
    assert errors_against({**fixture, "post": 1}, SCHEMA) == [
        "/post: expected object, got 1"]


def test_validator_all_of_and_if_then_else() -> None:
    """CONF-SCHEMA-1: ``allOf`` applies every subschema; ``if`` chooses ``then`` or ``else``
    and its own problems are never reported."""
    schema = {"allOf": [{"type": "object"}, {"required": ["a"]}],
              "if": {"properties": {"a": {"const": 1}}},
              "then": {"required": ["b"]}, "else": {"required": ["c"]}}
    assert validate({"a": 1, "b": 0}, schema) == []
    assert validate({"a": 2, "c": 0}, schema) == []
    assert [m for _, m in validate({"a": 1}, schema)] == ["missing required property 'b'"]
    assert [m for _, m in validate({"a": 2}, schema)] == ["missing required property 'c'"]
    assert [m for _, m in validate({}, schema)] == ["missing required property 'a'",
                                                    "missing required property 'b'"]


def test_single_fixture_file_is_named_after_it(tmp_path: Path) -> None:
    """CONF-FORMAT-2, CONF-CONSUME-1: a file holding one call fixture is consumed as one
    fixture named after the file; its schema problems carry their whole path."""
    fixture = _fixture("engine", "engine/bad_arguments")
    path = tmp_path / "alone.json"
    path.write_text(json.dumps(fixture))
    outcome = consume_file(path, SCHEMA, REFERENCE)
    assert [(f.name, f.passed) for f in outcome.fixtures] == [("alone", True)]
    fixture["post"]["results"][0]["gas_used"] = "0"
    path.write_text(json.dumps(fixture))
    (only,) = consume_file(path, SCHEMA, REFERENCE).fixtures
    assert only.problems == ['schema: /post/results/0/gas_used: expected integer, got "0"']


# --- A new format: one module, one entry (CONF-FORMAT-4) -----------------------------------------


@dataclass(frozen=True)
class EchoCase:
    """The case class of the toy format: a text whose upper case a backend must answer."""

    name: str
    description: str
    rules: list[str]
    text: str
    kind: str = field(default="echo")


class EchoFormat(FixtureFormat):
    """A toy format: what a new kind's module provides (CONF-FORMAT-3 a-e), and nothing else."""

    name: ClassVar[str] = "supervm_echo_test"
    description: ClassVar[str] = "a text and its upper case"
    spec_section: ClassVar[str] = "a test of CONF-FORMAT-4"
    input_definition: ClassVar[str] = "echo_input"
    output_definition: ClassVar[str] = "echo_output"
    output_name: ClassVar[str] = "an echo"
    case_kind: ClassVar[str | None] = "echo"
    case_type: ClassVar[type | None] = EchoCase

    def schema_defs(self) -> dict[str, Any]:
        output = {"type": "object", "required": ["upper"], "additionalProperties": False,
                  "properties": {"upper": {"type": "string"}}}
        return {
            "echo_input": {"type": "object", "required": ["fixture_format", "text"],
                           "properties": {"fixture_format": {"const": self.name},
                                          "text": {"type": "string"}}},
            "echo_output": output,
            self.name: {"type": "object", "required": ["_info", "text", "expected"],
                        "additionalProperties": False,
                        "properties": {"_info": {"$ref": "#/$defs/info"},
                                       "text": {"type": "string"},
                                       "expected": {"$ref": "#/$defs/echo_output"}}},
        }

    def check_case(self, case: EchoCase) -> None:
        if not isinstance(case.text, str):
            raise FillerError(f"case {case.name}: text must be a str")

    def fill(self, case: EchoCase) -> dict[str, Any]:
        return {"text": case.text, "expected": {"upper": case.text.upper()}}

    def backend_input(self, fixture: dict[str, Any]) -> dict[str, Any]:
        return {"fixture_format": self.name, "text": fixture["text"]}

    def compare(self, fixture: dict[str, Any], got: Any) -> list[str]:
        return diff_map("expected", fixture["expected"], got)

    def decode_input(self, test: dict[str, Any]) -> str:
        if not isinstance(test.get("text"), str):
            raise EncodingError("text: expected a string")
        return str(test["text"])

    def execute(self, factory: BackendFactory, decoded: str) -> dict[str, Any]:
        return {"upper": decoded.upper()}


FILLER = """from tests.conformance.test_formats import EchoCase

def cases():
    return [EchoCase("echo/hello", "upper case of hello", ["CONF-FORMAT-4"], "hello"),
            EchoCase("echo/empty", "upper case of nothing", ["CONF-FORMAT-4"], "")]
"""


def test_a_new_format_is_one_class_and_one_entry(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """CONF-FORMAT-4: registering one more `FixtureFormat` is all a new kind needs: ``fill``
    fills its cases (``_info`` and hash included) and writes its part of the schema;
    ``consume`` checks its fixtures in process and through the protocol; ``t8n`` runs its
    input; ``pack`` lists its fixtures."""
    monkeypatch.setattr(formats, "FORMATS", (*FORMATS, EchoFormat()))
    root = tmp_path / "repo"
    (root / "conformance" / "fillers").mkdir(parents=True)
    (root / "conformance" / "fillers" / "echo.py").write_text(FILLER)
    (root / "spec").mkdir()
    shutil.copy(REPO / "spec" / "conformance.schema.json", root / "spec")
    # fill: the fixtures and the schema
    report = fill(root)
    assert report.counts == {"echo": 2} and report.ok
    fixtures = json.loads((root / "conformance" / "fixtures" / "echo.json").read_text())
    hello = fixtures["echo/hello"]
    assert hello["_info"]["fixture_format"] == "supervm_echo_test"
    assert hello["_info"]["hash"] == fixture_hash(hello) and hello["expected"] == {
        "upper": "HELLO"}
    schema = load_schema(root)
    assert "supervm_echo_test" in schema["$defs"]["fixture"]["properties"]["_info"][
        "properties"]["fixture_format"]["enum"]
    # consume: in process and through the protocol (a Python callable speaking it)
    target = root / "conformance" / "fixtures"
    assert all(o.passed for o in consume(target, schema, REFERENCE))
    assert all(o.passed for o in consume(target, schema, lambda test: REFERENCE(test)))
    hello["expected"]["upper"] = "HELLO!"
    hello["_info"]["hash"] = fixture_hash(hello)
    (tmp_path / "one.json").write_text(json.dumps({"echo/hello": hello}))
    (only,) = consume_file(tmp_path / "one.json", schema, REFERENCE).fixtures
    assert only.problems == ['expected[upper]: expected "HELLO!", got "HELLO"']
    # t8n
    monkeypatch.setattr(sys, "stdin", type("Stdin", (), {"buffer": io.BytesIO(
        b'{"fixture_format": "supervm_echo_test", "text": "abc"}')}))
    assert main(["t8n"]) == 0
    assert capsys.readouterr().out == '{"upper":"ABC"}\n'
    # pack
    _, index = pack(root, "0.0.0")
    assert [(f["name"], f["fixture_format"]) for f in index["fixtures"]] == [
        ("echo/empty", "supervm_echo_test"), ("echo/hello", "supervm_echo_test")]
    with pytest.raises(FillerError, match="text must be a str"):
        check_case(EchoCase("echo/x", "d", ["CONF-FORMAT-4"], 5), "echo")  # type: ignore[arg-type]


def _first_fixture(fmt: FixtureFormat) -> dict[str, Any]:
    """The first committed fixture of ``fmt`` (in file and name order)."""
    for path in sorted((REPO / fmt.folder).glob("*.json")):
        data = json.loads(path.read_text())
        for fixture in [data] if "_info" in data else [data[k] for k in sorted(data)]:
            if fixture["_info"]["fixture_format"] == fmt.name:
                return dict(fixture)
    raise AssertionError(f"no committed fixture of {fmt.name}")


def test_formats_that_say_so_never_call_the_execution_backend() -> None:
    """CONF-FORMAT-3 e: a format whose ``uses_execution_backend`` is False passes its fixture
    with a backend that fails the test when it is called at all, so consuming it on a second
    in-process backend checks nothing new (tests/conftest.py consumes it once); the formats that
    do use the backend are exactly those that run contracts."""

    def untouchable(storage: object) -> Any:
        raise AssertionError("the execution backend was called")

    independent = [fmt for fmt in FORMATS if not fmt.uses_execution_backend]
    assert {fmt.name for fmt in FORMATS} - {fmt.name for fmt in independent} == {
        "supervm_call_test", "supervm_batch_test", "supervm_transaction_test"}
    for fmt in independent:
        fixture = _first_fixture(fmt)
        decoded = fmt.decode_input(fmt.backend_input(fixture))
        for run in fmt.in_process_runs()[:1]:
            output = run.execute(untouchable, decoded)  # type: ignore[arg-type]
            assert fmt.compare(fixture, output) == [], fmt.name
