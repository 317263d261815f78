"""Isolation step scripts as a fixture format (spec/conformance.md CONF-ISOLATION-*): consumed
on the reference store in process and through the t8n protocol, with the verdict of the script
runner (spec/mvcc.md MVCC-ISO-3) recovered from the outcome alone."""

from __future__ import annotations

import copy
import io
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from supervm_ref.cli import main
from supervm_ref.conformance.consume import (
    command_runner,
    consume,
    consume_file,
    consume_fixture,
    python_runner,
)
from supervm_ref.conformance.formats import format_named
from supervm_ref.conformance.schema import errors_against, load_schema
from supervm_ref.mvcc.script import parse_script, run_file, run_script
from supervm_ref.runtime.runtime import Runtime

from ..conftest import ConsumeRun
from ..support import REPO

ISOLATION = REPO / "conformance" / "isolation"
FILES = sorted(ISOLATION.glob("*.json"))
SCHEMA = load_schema(REPO)
ISO = format_named("supervm_isolation_test")
REFERENCE = python_runner(Runtime)
T8N = [sys.executable, "-m", "supervm_ref.cli.t8n"]


def _script(name: str) -> dict[str, Any]:
    script: dict[str, Any] = json.loads((ISOLATION / f"{name}.json").read_text())
    return script


def _write(tmp_path: Path, name: str, script: dict[str, Any]) -> Path:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(script))
    return path


def test_catalogue_passes_through_consume(consumed: Callable[[str], ConsumeRun]) -> None:
    """CONF-ISOLATION-1: every isolation script is one passing fixture of `supervm consume`,
    named after its file (the session's one consume of every kind, tests/conftest.py)."""
    assert len(FILES) >= 14
    run = consumed("reference")
    for path in FILES:
        entry = run.file(path.name)
        assert entry["passed"] and entry["fixtures"] == 1 and entry["error"] is None, entry
    assert run.report["formats"][ISO.name] == {"passed": len(FILES), "failed": 0}


def test_a_disallowed_outcome_fails(tmp_path: Path) -> None:
    """CONF-ISOLATION-1, CONF-ISOLATION-3: a script whose allowed outcomes exclude what the
    store does (here: write skew must commit both) is reported as failing, with the observed
    outcome."""
    script = _script("g2-item")
    script["allowed_outcomes"] = [
        {"txns": {"T1": {"status": "committed"}, "T2": {"status": "committed"}}}]
    for step in script["steps"]:
        step.pop("expect", None)
    outcome = consume_file(_write(tmp_path, "g2-item", script), SCHEMA, REFERENCE)
    assert not outcome.passed
    (problem,) = outcome.fixtures[0].problems
    assert "not one of the allowed outcomes" in problem and '"status": "aborted"' in problem


def test_a_broken_expectation_fails(tmp_path: Path) -> None:
    """CONF-ISOLATION-3: a step expectation that does not hold is a problem of the fixture,
    in the words of the script runner."""
    script = _script("g2-item")
    for step in script["steps"]:
        if step["op"] == "read":
            step["expect"] = {"value": "999"}
            break
    outcome = consume_file(_write(tmp_path, "g2-item", script), SCHEMA, REFERENCE)
    assert not outcome.passed
    report = run_script(parse_script(script))
    assert outcome.fixtures[0].problems == [f"step: {f}" for f in report.expectation_failures]


def test_an_invalid_script_is_not_run(tmp_path: Path) -> None:
    """CONF-ISOLATION-1: a script valid against the schema but not a script (a transaction
    that never ends) fails with the runner's reason and is never given to the backend."""
    script = _script("g0")
    script["steps"] = [s for s in script["steps"] if not (s["txn"] == "T2"
                                                           and s["op"] == "commit")]
    assert errors_against(script, SCHEMA) == []
    calls: list[dict[str, Any]] = []

    def runner(test: dict[str, Any]) -> Any:
        calls.append(test)
        return {}

    outcome = consume_file(_write(tmp_path, "g0", script), SCHEMA, runner)
    (problem,) = outcome.fixtures[0].problems
    assert problem.startswith("script: ") and "never commit or abort" in problem
    assert calls == []


def test_input_and_outcome_of_every_script() -> None:
    """CONF-ISOLATION-2, CONF-PROTO-1: a script's input is its ``pre`` and steps without
    ``expect``, valid against ``$defs/isolation_input``; running it (what ``t8n`` does) gives
    the script runner's outcome, valid against ``$defs/isolation_outcome``, and the format's
    verdict on it is the runner's (MVCC-ISO-3)."""
    for path in FILES:
        fixture = json.loads(path.read_text())
        test = ISO.backend_input(fixture)
        assert set(test) == {"fixture_format", "pre", "steps"}
        assert all("expect" not in step for step in test["steps"])
        assert errors_against(test, SCHEMA, "isolation_input") == []
        output = REFERENCE(test)
        assert errors_against(output, SCHEMA, "isolation_outcome") == []
        report = run_file(path)
        assert output == report.outcome
        assert ISO.compare(fixture, output) == [] and report.passed


def test_the_verdict_is_read_from_the_outcome() -> None:
    """CONF-ISOLATION-3: an external store whose outcome differs (here: g0's dirty write, both
    transactions committed with 1 => 12 and 2 => 21) fails each expectation it breaks and the
    allowed outcomes, exactly as the runner words it."""
    fixture = _script("g0")
    outcome = REFERENCE(ISO.backend_input(fixture))
    outcome["txns"]["T2"]["status"] = "committed"
    outcome["final"] = {"test/1": "12", "test/2": "21"}
    problems = ISO.compare(fixture, outcome)
    assert problems[0] == ("step: steps[10] (T2 commit): expected status 'aborted', "
                           "observed 'committed'")
    assert "is not one of the allowed outcomes" in problems[-1] and len(problems) == 2


def test_external_programs_run_isolation_scripts(tmp_path: Path) -> None:
    """CONF-PROTO-1, CONF-ISOLATION-2: ``supervm t8n`` as a subprocess runs isolation inputs,
    so consuming through it passes; a program that answers with something that is not an
    outcome, or with a wrong outcome, fails the fixture."""
    targets = [ISOLATION / "g0.json", ISOLATION / "g2.json"]
    outcomes = consume(targets, SCHEMA, command_runner(T8N))
    assert [o.passed for o in outcomes] == [True, True], outcomes
    fixture = _script("g0")
    wrong = REFERENCE(ISO.backend_input(fixture))
    wrong["txns"]["T1"]["status"] = "aborted"
    programs = {"is not an outcome": "print('{\"txns\": {}}')",
                "not one of the allowed outcomes": f"print({json.dumps(json.dumps(wrong))})"}
    for expected, code in programs.items():
        runner = command_runner([sys.executable, "-c", code])
        problems = consume_fixture("g0", fixture, [], runner).problems
        assert any(expected in p for p in problems), (expected, problems)


def _t8n(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
         test: object) -> tuple[int, str, str]:
    class Stdin:
        buffer = io.BytesIO(json.dumps(test).encode())

    monkeypatch.setattr(sys, "stdin", Stdin)
    status = main(["t8n"])
    out = capsys.readouterr()
    return status, out.out, out.err


def test_t8n_rejects_bad_isolation_inputs(monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """CONF-PROTO-1, CONF-ISOLATION-2: an isolation input that is not a script's ``pre`` and
    steps exits 2 with the runner's reason; a good one writes the outcome."""
    good = ISO.backend_input(_script("g1a"))
    status, out, _ = _t8n(monkeypatch, capsys, good)
    assert status == 0 and json.loads(out) == run_file(ISOLATION / "g1a.json").outcome
    broken = copy.deepcopy(good)
    broken["steps"].append({"txn": "T9", "op": "read", "key": "k"})
    bad = {"a member too many": ({**good, "allowed_outcomes": []}, "unexpected members"),
           "a step out of its transaction": (broken, "is not open here"),
           "no steps": ({"fixture_format": ISO.name}, "steps")}
    for what, (test, says) in bad.items():
        status, out, err = _t8n(monkeypatch, capsys, test)
        assert status == 2 and out == "" and "bad input" in err and says in err, (what, err)


def test_gc_statistics_are_read_from_the_outcome() -> None:
    """CONF-ISOLATION-2/3, MVCC-ISO-2: a script with ``gc`` steps has their statistics in its
    outcome's ``gc`` (step order); a store that collects differently, or reports nothing, fails
    each ``gc`` expectation, worded as the runner words it (``store gc``)."""
    fixture = _script("gc-old-snapshot")
    gc_steps = [i for i, s in enumerate(fixture["steps"]) if s["op"] == "gc"]
    assert len(gc_steps) == 2 and all("txn" not in fixture["steps"][i] for i in gc_steps)
    outcome = REFERENCE(ISO.backend_input(fixture))
    assert outcome["gc"] == [fixture["steps"][i]["expect"] for i in gc_steps]
    assert ISO.compare(fixture, outcome) == []
    first = gc_steps[0]
    want = fixture["steps"][first]["expect"]["versions_cleaned"]
    changed = copy.deepcopy(outcome)
    changed["gc"][0]["versions_cleaned"] += 1
    assert ISO.compare(fixture, changed) == [
        f"step: steps[{first}] (store gc): expected versions_cleaned {want}, observed "
        f"{want + 1}"]
    silent = {k: v for k, v in outcome.items() if k != "gc"}
    problems = ISO.compare(fixture, silent)
    assert len(problems) == 4 and all("(store gc)" in p and "'<none>'" in p for p in problems)
    assert errors_against(silent, SCHEMA, "isolation_outcome") == []


def test_only_the_store_op_has_no_transaction() -> None:
    """MVCC-ISO-1: a ``gc`` step names no transaction; every other step must (the schema's
    ``isolation_step``), and a ``gc`` step naming one is not a script."""
    fixture = _script("gc-old-snapshot")
    no_txn = copy.deepcopy(fixture)
    del no_txn["steps"][0]["txn"]
    assert errors_against(no_txn, SCHEMA, ISO.name) == [
        "/steps/0: missing required property 'txn'"]
    gc_txn = copy.deepcopy(fixture)
    first = next(s for s in gc_txn["steps"] if s["op"] == "gc")
    first["txn"] = "T1"
    assert errors_against(gc_txn, SCHEMA, ISO.name) == []
    assert any("belongs to the store" in p for p in ISO.invalid(gc_txn))
