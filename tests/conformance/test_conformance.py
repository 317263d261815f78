"""The conformance framework (spec/conformance.md, CONF-*): the committed fixtures are a fresh
fill, valid, hashed, and pass on the reference in process and through the t8n protocol; tampered
fixtures are reported precisely; the filler API, encodings, schema validator, backend registry
and command lines behave as documented."""

from __future__ import annotations

import argparse
import copy
import json
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supervm_ref import backends
from supervm_ref.backends import BackendError, backend_status, load_backend
from supervm_ref.cli import consume as consume_cli
from supervm_ref.cli import fill as fill_cli
from supervm_ref.cli import t8n as t8n_cli
from supervm_ref.conformance import encoding as enc
from supervm_ref.conformance import probe
from supervm_ref.conformance.consume import (
    command_runner,
    consume,
    consume_file,
    python_runner,
)
from supervm_ref.conformance.execute import decode_input, encode_input
from supervm_ref.conformance.fill import SPEC_VERSION, fill, fill_case, load_filler
from supervm_ref.conformance.filler import Case, Env, FillerError, Tx
from supervm_ref.conformance.formats import format_named
from supervm_ref.conformance.formats.call import CallFormat
from supervm_ref.conformance.paths import find_root
from supervm_ref.conformance.schema import SchemaError, errors_against, load_schema, validate
from supervm_ref.errors import InvalidArgumentError
from supervm_ref.runtime.errors import ErrorKind
from supervm_ref.runtime.runtime import CallResult, Runtime
from supervm_ref.runtime.storage import MemoryStorage
from supervm_ref.wasm.runtime.values import Value
from supervm_ref.wasm.structure.types import ValType

from ..conftest import ConsumeRun
from ..support import REPO, wat
from ..test_spec_rules import _defined

FIXTURES = REPO / "conformance" / "fixtures"
CONTRACTS = REPO / "conformance" / "contracts"
SCHEMA = load_schema(REPO)
#: The areas this framework's host-ABI fillers own, with a floor on their size.
OWN_AREAS = {"storage_api": 80, "chain_api": 40, "atomicity": 10, "engine": 30}
#: A command line running the t8n protocol in a subprocess.
T8N = [sys.executable, "-m", "supervm_ref.cli.t8n"]


def _files() -> list[Path]:
    return sorted(FIXTURES.glob("*.json"))


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def _all_fixtures() -> dict[str, dict[str, Any]]:
    """Every filled fixture, of every format."""
    out: dict[str, dict[str, Any]] = {}
    for path in _files():
        out.update(_load(path))
    return out


def _call_shaped(fixture: dict[str, Any]) -> bool:
    """Whether the fixture has a call fixture's members (the call and batch formats)."""
    return isinstance(format_named(fixture["_info"]["fixture_format"]), CallFormat)


def _call_fixtures() -> dict[str, dict[str, Any]]:
    """Every filled fixture with a call fixture's members (CONF-FIX-1)."""
    return {name: f for name, f in _all_fixtures().items() if _call_shaped(f)}


def _cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="supervm")
    sub = parser.add_subparsers()
    for module in (fill_cli, consume_cli, t8n_cli):
        module.register(sub)
    args = parser.parse_args(argv)
    status: int = args.func(args)
    return status


def _write_one(tmp_path: Path, name: str, fixture: dict[str, Any]) -> Path:
    path = tmp_path / "one.json"
    path.write_text(json.dumps({name: fixture}))
    return path


REFERENCE = python_runner(load_backend("reference"))


# --- The committed fixtures ---------------------------------------------------------------------


@pytest.mark.slow
def test_fixtures_are_up_to_date() -> None:
    """CONF-FILL-3, CONF-FILL-4: ``supervm fill --check -j 2``: every committed fixture file
    is byte for byte what filling produces (in two processes: the same files as in one, see
    test_fill_command_writes_and_checks), and no file is stale."""
    report = fill(REPO, check=True, jobs=2)
    assert report.ok, f"outdated {report.outdated}, stale {report.stale}: run 'supervm fill'"
    for area, floor in OWN_AREAS.items():
        assert report.counts.get(area, 0) >= floor, (area, report.counts)
    assert not report.written


def test_every_fixture_passes_on_the_reference(consumed: Callable[[str], ConsumeRun]) -> None:
    """CONF-CONSUME-1, CONF-RUN-1: consuming every fixture on the reference passes (the
    session's one consume of every fixture on the reference, tests/conftest.py)."""
    run = consumed("reference")
    files = run.report["files"]
    filled = [f for f in files if Path(f["path"]).parent.name == "fixtures"]
    assert {Path(f["path"]).stem for f in filled} >= set(OWN_AREAS)
    for f in files:
        assert f["error"] is None, (f["path"], f["error"])
        assert f["passed"], f["failures"]
    assert sum(f["fixtures"] for f in filled) >= sum(OWN_AREAS.values())
    assert run.status == 0


def test_fixture_files_match_schema_and_hash() -> None:
    """CONF-SCHEMA-1, CONF-FIX-1, CONF-FIX-2, CONF-FIX-3: every file is valid against
    spec/conformance.schema.json, every ``_info`` is complete, every hash verifies, and files
    are written sorted, indented and with a final newline (CONF-FILL-4)."""
    for path in _files():
        data = _load(path)
        assert errors_against(data, SCHEMA) == [], path
        assert path.read_text() == enc.pretty_json(data)
        for name, fixture in data.items():
            info = fixture["_info"]
            assert name.startswith(f"{path.stem}/")
            assert format_named(info["fixture_format"]).filled
            assert info["spec_version"] == SPEC_VERSION
            assert (REPO / info["filler"]).is_file()
            assert info["hash"] == enc.fixture_hash(fixture), name
            if _call_shaped(fixture):
                assert len(fixture["transactions"]) == len(fixture["post"]["results"])


def test_fixture_rules_are_defined_in_spec() -> None:
    """CONF-FIX-2: every rule id listed in any fixture's ``_info.rules`` is defined in spec/."""
    defined = _defined()
    listed = {r for f in _all_fixtures().values() for r in f["_info"]["rules"]}
    assert listed, "no rules listed"
    assert not listed - defined, f"undefined rule ids: {sorted(listed - defined)}"


def test_own_fixtures_state_their_errors() -> None:
    """The host-ABI fillers' descriptions name exactly the error kinds their transactions end
    with, so a change of behaviour cannot silently turn a trap case into a success (or the
    reverse) when fixtures are filled again."""
    kinds = {k.value for k in ErrorKind}
    for name, fixture in _call_fixtures().items():
        if name.split("/")[0] not in OWN_AREAS:
            continue
        got = {r["error"] for r in fixture["post"]["results"]} - {None}
        said = set(re.findall(r"\b[A-Z][A-Z_]+[A-Z]\b", fixture["_info"]["description"]))
        assert got == said & kinds, (name, got, said)


def test_fixtures_cover_every_error_kind_and_host_function() -> None:
    """The host-ABI fixtures reach every error kind a contract can cause (HOST_ERROR is a host
    function's own failure) and call every storage_api and chain_api function."""
    fixtures = _call_fixtures()
    errors = {r["error"] for f in fixtures.values() for r in f["post"]["results"]}
    assert errors >= {k.value for k in ErrorKind} - {"HOST_ERROR"}
    functions = {tx["function"] for f in fixtures.values() for tx in f["transactions"]}
    for host in ("storage_get", "storage_read_value", "storage_set", "storage_delete",
                 "storage_scan", "block_number", "timestamp", "emit_event", "events_len",
                 "read_event"):
        assert host in functions


# --- Tampering ----------------------------------------------------------------------------------


def _sample() -> tuple[str, dict[str, Any]]:
    name = "storage_api/set_new"
    return name, copy.deepcopy(_load(FIXTURES / "storage_api.json")[name])


def _problems(tmp_path: Path, name: str, fixture: dict[str, Any]) -> list[str]:
    outcome = consume_file(_write_one(tmp_path, name, fixture), SCHEMA, REFERENCE)
    assert outcome.error is None
    (only,) = outcome.fixtures
    return only.problems


def test_tampered_gas_is_reported(tmp_path: Path) -> None:
    """CONF-CONSUME-2: a changed ``gas_used`` (hash recomputed) is one precise problem."""
    name, fixture = _sample()
    fixture["post"]["results"][0]["gas_used"] += 1
    fixture["_info"]["hash"] = enc.fixture_hash(fixture)
    assert _problems(tmp_path, name, fixture) == [
        "tx 0 (probe.storage_set): gas_used: expected 211, got 210"]


def test_tampered_storage_is_reported(tmp_path: Path) -> None:
    """CONF-CONSUME-2: changed and extra storage keys are reported per key."""
    name, fixture = _sample()
    fixture["post"]["storage"]["0x61"] = "0x00"
    fixture["post"]["storage"]["0x62"] = "0x01"
    fixture["post"]["results"][0]["writes"] = {}
    fixture["_info"]["hash"] = enc.fixture_hash(fixture)
    assert _problems(tmp_path, name, fixture) == [
        'tx 0 (probe.storage_set): writes[0x61]: expected absent, got "0x78797a"',
        'post.storage[0x61]: expected "0x00", got "0x78797a"',
        'post.storage[0x62]: expected "0x01", got absent']


def test_tampered_hash_is_reported(tmp_path: Path) -> None:
    """CONF-FIX-3, CONF-CONSUME-1: a wrong ``_info.hash`` fails the fixture even though the
    backend agrees; a change without a new hash shows both problems."""
    name, fixture = _sample()
    fixture["_info"]["hash"] = "sha256:" + "0" * 64
    (problem,) = _problems(tmp_path, name, fixture)
    assert problem.startswith("_info.hash: recorded sha256:000")
    name, fixture = _sample()
    fixture["post"]["results"][0]["error"] = "OUT_OF_GAS"
    problems = _problems(tmp_path, name, fixture)
    assert problems[0].startswith("_info.hash")
    assert 'tx 0 (probe.storage_set): error: expected "OUT_OF_GAS", got null' in problems


def test_tampered_results_and_events(tmp_path: Path) -> None:
    """CONF-CONSUME-2: a missing result, a changed return value and an extra event."""
    name = "chain_api/events_per_call"
    fixture = copy.deepcopy(_load(FIXTURES / "chain_api.json")[name])
    fixture["post"]["results"][0]["events"].append("0xff")
    fixture["post"]["results"][0]["return"][0]["value"] = "3"
    fixture["post"]["results"].pop()
    fixture["_info"]["hash"] = enc.fixture_hash(fixture)
    problems = _problems(tmp_path, name, fixture)
    assert problems == [
        "post.results: expected 2 result(s), got 3",
        "tx 0 (probe.emit_n): return[0]: expected "
        '{"type": "i32", "value": "3"}, got {"type": "i32", "value": "2"}',
        "tx 0 (probe.emit_n): events: expected 3 item(s), got 2"]


def test_schema_violation_and_unreadable_files(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """CONF-SCHEMA-1, CONF-CONSUME-1/2: a fixture breaking the schema fails with the path of
    the problem; a file that is not JSON fails as a whole; consume exits 1."""
    name, fixture = _sample()
    fixture["post"]["results"][0]["gas_used"] = "210"
    problems = _problems(tmp_path, name, fixture)
    assert problems == ['schema: /post/results/0/gas_used: expected integer, got "210"']
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    (outcome,) = consume(bad, SCHEMA, REFERENCE)
    assert outcome.error is not None and outcome.error.startswith("cannot read")
    assert _cli(["consume", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "gas_used: expected integer" in out and "cannot read" in out


# --- The t8n protocol ---------------------------------------------------------------------------


def _input(fixture: dict[str, Any]) -> dict[str, Any]:
    return {k: fixture[k] for k in ("env", "pre", "transactions")}


@pytest.mark.slow
def test_t8n_round_trips_through_a_subprocess() -> None:
    """CONF-PROTO-1: ``t8n`` in a real subprocess reads a fixture's input on stdin and writes
    exactly its ``post`` as one line of canonical JSON."""
    fixtures = _call_fixtures()
    for name in ("storage_api/scan_over_set_and_delete", "engine/trap_call_indirect",
                 "chain_api/read_event_short_buffer", "atomicity/failures_between_successes"):
        proc = subprocess.run(T8N, input=enc.canonical_json(_input(fixtures[name])),
                              capture_output=True, check=False, cwd=REPO)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout == enc.canonical_json(fixtures[name]["post"]) + b"\n", name


def test_t8n_rejects_bad_input() -> None:
    """CONF-PROTO-1: input that is not JSON, or not an input object, exits 2 with a message."""
    for text in (b"not json", b"{}", b'{"env": {"block_number": 1.5}}'):
        proc = subprocess.run(T8N, input=text, capture_output=True, check=False, cwd=REPO)
        assert proc.returncode == 2 and b"bad input" in proc.stderr and proc.stdout == b""


@pytest.mark.slow
def test_consume_with_a_command_backend(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """CONF-CONSUME-1, CONF-PROTO-1, CONF-CONSUME-4: ``consume --backend "<python> -m
    supervm_ref.cli.t8n"`` runs each fixture in its own process and passes (a sample from
    every area), here from two worker processes (``-j 2``)."""
    sample: dict[str, Any] = {}
    for path in _files():
        data = _load(path)
        for name in sorted(data)[:1]:
            sample[name] = data[name]
    target = tmp_path / "sample.json"
    target.write_text(json.dumps(sample))
    command = " ".join([*T8N, "--backend", "reference"])
    assert _cli(["consume", "--json", "-j", "2", "--backend", command, str(target)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True and report["summary"]["passed"] == len(sample) >= 12


def test_command_backend_failures_are_reported(tmp_path: Path) -> None:
    """CONF-PROTO-1, CONF-CONSUME-2: a program that fails, writes garbage, writes a wrong
    ``post`` or does not exist fails the fixture with that reason."""
    name, fixture = _sample()
    path = _write_one(tmp_path, name, fixture)
    wrong_post = copy.deepcopy(fixture["post"])
    wrong_post["results"][0]["gas_used"] = 7
    programs = {
        "exited with status 3": "import sys; sys.exit(3)",
        "wrote no JSON object": "print('hello')",
        "is not a post": "print('{}')",
        "gas_used: expected 210, got 7": f"print({json.dumps(json.dumps(wrong_post))})",
    }
    for expected, code in programs.items():
        runner = command_runner([sys.executable, "-c", code])
        (only,) = consume_file(path, SCHEMA, runner).fixtures
        assert any(expected in p for p in only.problems), (expected, only.problems)
    runner = command_runner([str(tmp_path / "no-such-program")])
    (only,) = consume_file(path, SCHEMA, runner).fixtures
    assert only.problems and "cannot run" in only.problems[0]


# --- Backends -----------------------------------------------------------------------------------


def test_backend_registry(monkeypatch: pytest.MonkeyPatch,
                          capsys: pytest.CaptureFixture[str]) -> None:
    """CONF-BACKEND-1, CONF-BACKEND-2: "reference" is the Runtime; an unknown name and a
    backend whose import fails are `BackendError`s with the reason; consume exits 2 for an
    unavailable backend and lists backends with their status."""
    assert load_backend("reference") is Runtime
    assert backend_status()["reference"] is None
    with pytest.raises(BackendError, match="not registered"):
        load_backend("nonexistent")
    monkeypatch.setitem(backends.BACKENDS, "broken", backends.Backend(
        "broken", "a backend that cannot be imported", "supervm_ref.no_such_module", "X"))
    with pytest.raises(BackendError, match="unavailable: ModuleNotFoundError"):
        load_backend("broken")
    assert "ModuleNotFoundError" in (backend_status()["broken"] or "")
    assert _cli(["consume", "--backend", "broken", str(FIXTURES)]) == 2
    assert _cli(["consume", "--list-backends"]) == 0
    out = capsys.readouterr()
    assert "reference: available" in out.out and "broken: unavailable" in out.out
    assert "unavailable" in out.err


def test_backend_that_raises_fails_the_fixture(tmp_path: Path) -> None:
    """CONF-BACKEND-1: a backend whose ``call`` raises, or returns something that is not a
    CallResult, fails the fixture with the reason instead of crashing the consumer."""

    class Raising:
        def __init__(self, storage: object) -> None:
            pass

        def call(self, *args: object, **kwargs: object) -> CallResult:
            raise RuntimeError("boom")

    class Wrong(Raising):
        def call(self, *args: object, **kwargs: object) -> CallResult:
            return "nope"  # type: ignore[return-value]

    name, fixture = _sample()
    path = _write_one(tmp_path, name, fixture)
    for factory, expected in ((Raising, "raised RuntimeError: boom"), (Wrong, "not a CallResult")):
        (only,) = consume_file(path, SCHEMA, python_runner(factory)).fixtures
        assert any(expected in p for p in only.problems), only.problems


# --- Filling ------------------------------------------------------------------------------------


#: The areas kept in the copy the fill command is tried on: a few of three formats (that every
#: area fills to the committed bytes is test_fixtures_are_up_to_date).
TRIED_AREAS = ("adaptive_router", "chain_api", "engine", "scheduler")


def _copy_repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    for folder in ("conformance/fillers", "conformance/contracts"):
        shutil.copytree(REPO / folder, root / folder)
    (root / "spec").mkdir()
    shutil.copy(REPO / "spec" / "conformance.schema.json", root / "spec")
    return root


@pytest.mark.slow
def test_fill_command_writes_and_checks(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """CONF-FILL-4, CONF-ROOT-1: in a copy of the repository, ``fill --check`` fails before
    filling, ``fill`` writes the same bytes as the committed fixtures, ``--check`` then passes,
    and fails again after a fixture is edited and a stale file appears (one check reports
    both); filling an area writes its file again; ``--output`` and areas restrict what is
    written."""
    root = _copy_repo(tmp_path)
    for filler in (root / "conformance" / "fillers").glob("*.py"):
        if filler.stem not in TRIED_AREAS:
            filler.unlink()
    assert _cli(["fill", "--root", str(root), "--check"]) == 1
    assert _cli(["fill", "--root", str(root)]) == 0
    filled = sorted(p.name for p in (root / "conformance" / "fixtures").glob("*.json"))
    assert filled == [f"{area}.json" for area in TRIED_AREAS]
    for name in filled:
        assert (root / "conformance" / "fixtures" / name).read_bytes() == \
            (FIXTURES / name).read_bytes()
    assert _cli(["fill", "--root", str(root), "--check", "-j", "2"]) == 0
    with pytest.raises(InvalidArgumentError):
        fill(root, jobs=0)
    # One check sees both an edited fixture file and a stale one.
    edited = root / "conformance" / "fixtures" / "engine.json"
    edited.write_text(edited.read_text().replace('"gas_used": 4', '"gas_used": 5', 1))
    (root / "conformance" / "fixtures" / "gone.json").write_text("{}")
    capsys.readouterr()
    assert _cli(["fill", "--root", str(root), "--check"]) == 1
    out = capsys.readouterr().out
    assert "outdated: " in out and "engine.json" in out
    assert "stale" in out and "gone.json" in out
    assert _cli(["fill", "--root", str(root), "engine"]) == 0
    assert edited.read_bytes() == (FIXTURES / "engine.json").read_bytes()
    out = tmp_path / "out"
    assert _cli(["fill", "--root", str(root), "--output", str(out), "chain_api"]) == 0
    assert [p.name for p in out.iterdir()] == ["chain_api.json"]
    assert _cli(["fill", "--root", str(root), "no_such_area"]) == 2


def _filler(root: Path, body: str) -> Path:
    path = root / "conformance" / "fillers" / "demo.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("from supervm_ref.conformance import Case, Env, Tx, Value\n" + body)
    return path


GOOD = ("Case('demo/{name}', 'd', ['RT-CALL-1'], {{'c': b'\\x00asm\\x01\\x00\\x00\\x00'}}, "
        "txs=[Tx('c', 'f')])")


def test_filler_checks(tmp_path: Path) -> None:
    """CONF-FILL-1, CONF-FILL-2: malformed cases and failing fillers are `FillerError`s that
    name the filler or case."""
    root = tmp_path
    bad_cases = {
        "a case name is 'demo/<name>'": "Case('other/x', 'd', ['RT-CALL-1'], {'c': b''}, "
                                        "txs=[Tx('c', 'f')])",
        "non-empty list of rule ids": "Case('demo/x', 'd', [], {'c': b''}, txs=[Tx('c', 'f')])",
        "not in code": "Case('demo/x', 'd', ['RT-CALL-1'], {'c': b''}, txs=[Tx('d', 'f')])",
        "args must be a list of Value": "Case('demo/x', 'd', ['RT-CALL-1'], {'c': b''}, "
                                        "txs=[Tx('c', 'f', [1])])",
        "gas_limit must be": "Case('demo/x', 'd', ['RT-CALL-1'], {'c': b''}, "
                             "txs=[Tx('c', 'f', [], 2**53)])",
        "integers within": "Case('demo/x', 'd', ['RT-CALL-1'], {'c': b''}, "
                           "env=Env(timestamp=2**60), txs=[Tx('c', 'f')])",
        "at least one transaction": "Case('demo/x', 'd', ['RT-CALL-1'], {'c': b''})",
        "printable ASCII": "Case('demo/x', 'd', ['RT-CALL-1'], {'c': b''}, "
                           "txs=[Tx('c', 'f\\u00e9')])",
        "two cases are named": GOOD.format(name="x") + ", " + GOOD.format(name="x"),
    }
    for expected, cases in bad_cases.items():
        path = _filler(root, f"def cases():\n    return [{cases}]\n")
        with pytest.raises(FillerError, match=expected):
            load_filler(root, path)
    path = _filler(root, "def cases():\n    raise ValueError('oops')\n")
    with pytest.raises(FillerError, match="ValueError: oops"):
        load_filler(root, path)
    path = _filler(root, "X = 1\n")
    with pytest.raises(FillerError, match=r"no function cases\(\)"):
        load_filler(root, path)
    path = _filler(root, f"def cases():\n    return [{GOOD.format(name='ok')}]\n")
    (case,) = load_filler(root, path)
    fixture = fill_case(case, "conformance/fillers/demo.py")
    assert fixture["post"]["results"][0]["error"] == "NO_SUCH_FUNCTION"
    assert fixture["transactions"][0]["gas_limit"] == Env().gas_limit
    assert errors_against({case.name: fixture}, SCHEMA) == []


def test_fill_rejects_unencodable_results() -> None:
    """CONF-ENC-3: a case whose function returns a non-null reference cannot be filled."""
    code = wat('(module (func $f) (elem declare func $f) '
               '(func (export "r") (result funcref) ref.func $f))')
    case = Case("demo/ref", "d", ["RT-CALL-1"], {"c": code}, txs=[Tx("c", "r")])
    with pytest.raises(FillerError, match="no fixture encoding"):
        fill_case(case, "demo.py")


def test_find_root(tmp_path: Path) -> None:
    """CONF-ROOT-1: the root is found from a subfolder, and beside the package otherwise."""
    assert find_root(REPO / "tests") == REPO
    assert find_root(tmp_path) == REPO
    root = _copy_repo(tmp_path)
    assert find_root(root / "conformance" / "contracts") == root


def test_spec_version_is_the_project_version() -> None:
    """CONF-FIX-2: ``spec_version`` is the project version of pyproject.toml."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["version"] == SPEC_VERSION


# --- Encodings ----------------------------------------------------------------------------------


def test_bytes_encoding() -> None:
    """CONF-ENC-1: one encoding per byte string."""
    assert enc.encode_bytes(b"") == "0x" and enc.encode_bytes(b"\x00\xab") == "0x00ab"
    assert enc.decode_bytes("0x00ab") == b"\x00\xab"
    for bad in ("00ab", "0x0", "0x00AB", "0X00", 5, None, "0x00ab\n"):
        with pytest.raises(enc.EncodingError):
            enc.decode_bytes(bad)


def test_integer_encoding() -> None:
    """CONF-ENC-2: exact integers within +-(2**53 - 1); no booleans or floats."""
    assert enc.check_integer(2**53 - 1, "x") == 2**53 - 1
    for bad in (2**53, -(2**53), True, 1.0, "1", None):
        with pytest.raises(enc.EncodingError):
            enc.check_integer(bad, "x")
    with pytest.raises(enc.EncodingError):
        enc.check_integer(-1, "gas", 0)


@given(st.sampled_from([ValType.I32, ValType.I64, ValType.F32, ValType.F64]),
       st.integers(min_value=0, max_value=2**64 - 1))
def test_value_encoding_round_trips(t: ValType, bits: int) -> None:
    """CONF-ENC-3: every number value, NaN payloads included, round-trips bit for bit."""
    v = Value(t, bits & (2**32 - 1 if t in (ValType.I32, ValType.F32) else 2**64 - 1))
    obj = enc.encode_value(v)
    assert obj == {"type": t.value, "value": str(v.payload)}
    assert enc.decode_value(obj) == v


def test_value_encoding_rejects() -> None:
    """CONF-ENC-3: malformed values are rejected; null references are values, others not."""
    assert enc.decode_value({"type": "funcref", "value": "null"}) == Value(ValType.FUNCREF, None)
    assert enc.encode_value(Value.i32(-1)) == {"type": "i32", "value": "4294967295"}
    for bad in ({"type": "i32", "value": "4294967296"}, {"type": "i32", "value": "-1"},
                {"type": "i32", "value": "01"}, {"type": "i32", "value": 1},
                {"type": "v128", "value": "0"}, {"type": "i32"},
                {"type": "i32", "value": "1", "x": 1}, {"type": "externref", "value": "1"}):
        with pytest.raises(enc.EncodingError):
            enc.decode_value(bad)
    with pytest.raises(enc.EncodingError):
        enc.encode_value(Value.externref(object()))


def test_input_encoding_round_trips() -> None:
    """CONF-FIX-4, CONF-FIX-5, CONF-FIX-6: the ``env``, ``pre`` and ``transactions`` of every
    fixture decode and encode back to the same JSON; inconsistent inputs are rejected."""
    for fixture in _call_fixtures().values():
        test = decode_input(fixture)
        assert encode_input(test) == _input(fixture)
        assert all(type(tx.gas_limit) is int for tx in test.transactions)
    _, fixture = _sample()
    for change in (lambda f: f["transactions"][0].update(to="nobody"),
                   lambda f: f["transactions"][0].update(gas_limit=-1),
                   lambda f: f["env"].update(timestamp=2**53),
                   lambda f: f["pre"]["storage"].update({"0xZZ": "0x"}),
                   lambda f: f["pre"].pop("code"),
                   lambda f: f["transactions"][0]["args"].append({"type": "i32"})):
        bad = copy.deepcopy(fixture)
        change(bad)
        with pytest.raises(enc.EncodingError):
            decode_input(bad)


def test_canonical_json_and_hash() -> None:
    """CONF-FIX-3: sorted keys, no whitespace; the hash ignores ``_info``."""
    assert enc.canonical_json({"b": [1, {"d": None, "c": "x"}], "a": True}) == \
        b'{"a":true,"b":[1,{"c":"x","d":null}]}'
    fixture = {"_info": {"hash": "?"}, "env": {"gas_limit": 1}}
    import hashlib

    expected = "sha256:" + hashlib.sha256(b'{"env":{"gas_limit":1}}').hexdigest()
    assert enc.fixture_hash(fixture) == expected
    fixture["_info"] = {"other": 1}
    assert enc.fixture_hash(fixture) == expected


# --- The schema validator -----------------------------------------------------------------------


def test_schema_validator_keywords() -> None:
    """CONF-SCHEMA-1: the keywords the validator implements, including its two strict
    points (integers, whole-string patterns), and its refusal of unknown keywords."""
    schema = {
        "$defs": {"hex": {"type": "string", "pattern": "^0x([0-9a-f]{2})*$"}},
        "type": "object", "required": ["a"], "additionalProperties": False,
        "properties": {
            "a": {"type": "integer", "minimum": 0, "maximum": 9},
            "b": {"type": "array", "items": {"$ref": "#/$defs/hex"}, "minItems": 1},
            "c": {"enum": [None, "X"]},
            "d": {"type": "object", "propertyNames": {"$ref": "#/$defs/hex"},
                  "additionalProperties": {"type": ["string", "null"], "const": "k"}},
            "e": {"type": "string", "minLength": 1, "maxLength": 2},
        },
    }
    assert validate({"a": 1, "b": ["0x00"], "c": None, "d": {"0x01": "k"}, "e": "ab"},
                    schema) == []
    cases: list[tuple[Any, str]] = [
        ({}, "missing required property 'a'"),
        ({"a": 1.0}, "expected integer"),
        ({"a": True}, "expected integer"),
        ({"a": 10}, "above the maximum"),
        ({"a": -1}, "below the minimum"),
        ({"a": 1, "z": 0}, "unexpected property 'z'"),
        ({"a": 1, "b": []}, "fewer than 1 items"),
        ({"a": 1, "b": ["0x00\n"]}, "does not match"),
        ({"a": 1, "c": "Y"}, "is not one of"),
        ({"a": 1, "d": {"01": "k"}}, "property name '01'"),
        ({"a": 1, "d": {"0x01": "j"}}, 'expected "k"'),
        ({"a": 1, "e": ""}, "shorter than 1"),
        ({"a": 1, "e": "abc"}, "longer than 2"),
    ]
    for instance, message in cases:
        problems = validate(instance, schema)
        assert any(message in m for _, m in problems), (instance, problems)
    with pytest.raises(SchemaError, match="unsupported schema keyword"):
        validate(1, {"oneOf": []})
    with pytest.raises(SchemaError, match="only local references"):
        validate(1, {"$ref": "http://example.com/s.json"})


def test_schema_error_kinds_are_the_runtime_s() -> None:
    """CONF-FIX-7: the schema's error names are exactly `ErrorKind` (and null)."""
    assert SCHEMA["$defs"]["error"]["enum"] == [None, *(k.value for k in ErrorKind)]


# --- The probe contracts ------------------------------------------------------------------------


def test_probe_binaries_are_their_wat() -> None:
    """Every committed ``abi_probe*.wasm`` is the reference's wat2wasm of its ``.wat``
    (WASM-TEXT-API-1), the module wasmtime's wat2wasm makes of it too, and every
    ``abi_probe*.wat`` has its binary."""
    from supervm_ref.wasm import module_decode
    from supervm_ref.wasm.text import wat2wasm

    sources = sorted(CONTRACTS.glob("abi_probe*.wat"))
    assert len(sources) >= 10
    assert {p.stem for p in CONTRACTS.glob("abi_probe*.wasm")} == {p.stem for p in sources}
    for source in sources:
        committed = source.with_suffix(".wasm").read_bytes()
        assert committed == wat2wasm(source.read_text()), source.name
        assert module_decode(committed) == module_decode(wat(source.read_text())), source.name


def test_probe_memory_layout() -> None:
    """`supervm_ref.conformance.probe` describes the probe's memory: read back through
    emit_event, the first 1 KiB is `initial_memory`, and memory ends at MEMORY_SIZE
    (HOST-MEM-1)."""
    code = (CONTRACTS / "abi_probe.wasm").read_bytes()
    rt = Runtime(MemoryStorage())
    r = rt.call(code, "emit_event", probe.i32s(0, 1024))
    assert r.events == (probe.initial_memory()[:1024],)
    assert r.events[0] == probe.memory_at(0, 1024)
    assert rt.call(code, "emit_event", probe.i32s(probe.MEMORY_SIZE, 0)).ok
    r = rt.call(code, "emit_event", probe.i32s(probe.MEMORY_SIZE + 1, 0))
    assert r.error is ErrorKind.MEMORY_OUT_OF_BOUNDS
    assert probe.text(b"bc") == (probe.TEXT + 1, 2)
    assert probe.raw(b"\x7f\x80") == (0x7F, 2)
    for bad in (lambda: probe.text(b"ac"), lambda: probe.raw(b"\x01\x03"),
                lambda: probe.memory_at(probe.MEMORY_SIZE, 1)):
        with pytest.raises(probe.ProbeError):
            bad()
