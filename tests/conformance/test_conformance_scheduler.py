"""The scheduler fixture format (spec/conformance.md CONF-SCHED-*): step scripts of the seed's
parallel engine and their observations."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from supervm_ref.conformance.consume import consume_file
from supervm_ref.conformance.encoding import EncodingError
from supervm_ref.conformance.fill import fill_case
from supervm_ref.conformance.filler import FillerError
from supervm_ref.conformance.formats import format_named
from supervm_ref.conformance.formats.scheduler import SchedulerCase, SchedulerFormat
from supervm_ref.conformance.schema import load_schema
from supervm_ref.parallel.script import run_script

from ..support import REPO

FIXTURES = REPO / "conformance" / "fixtures" / "scheduler.json"
SCHEMA = load_schema(REPO)
FORMAT = format_named("supervm_scheduler_test")


def _fixtures() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURES.read_text())
    return data


def test_committed_fixtures_record_the_reference_observations() -> None:
    """CONF-SCHED-1, PAR-SCRIPT-2: every committed scheduler fixture's post is what running
    its script on the reference engine observes; the fixtures cover every area of the seed's
    engine (section 13) and every step op."""
    fixtures = _fixtures()
    assert len(fixtures) >= 20
    ops: set[str] = set()
    rules: set[str] = set()
    for name, fixture in fixtures.items():
        assert fixture["_info"]["fixture_format"] == "supervm_scheduler_test", name
        assert fixture["post"]["results"] == run_script(fixture["pre"], fixture["steps"])
        ops |= {step["op"] for step in fixture["steps"]}
        rules |= set(fixture["_info"]["rules"])
    from supervm_ref.parallel.script import STEPS

    assert ops == set(STEPS)
    assert {r.rsplit("-", 1)[0] for r in rules} >= {"PAR-RW", "PAR-DEP", "PAR-BATCH",
                                                     "PAR-SNAP", "PAR-SCHED", "PAR-WS"}


def _one(tmp_path: Path, name: str, fixture: dict[str, Any]) -> Path:
    path = tmp_path / "scheduler.json"
    path.write_text(json.dumps({name: fixture}))
    return path


def test_a_wrong_observation_is_reported_per_step(tmp_path: Path) -> None:
    """CONF-SCHED-3: a fixture whose recorded observation differs fails, naming the step and
    its op; the unchanged one passes."""
    from supervm_ref.conformance.consume import python_runner
    from supervm_ref.runtime.runtime import Runtime

    name = "scheduler/demo5_four_transactions"
    fixture = copy.deepcopy(_fixtures()[name])
    runner = python_runner(Runtime)
    (passed,) = consume_file(_one(tmp_path, name, fixture), SCHEMA, runner).fixtures
    assert passed.passed, passed.problems
    fixture["post"]["results"][6] = [[1], [2, 3], [4]]
    fixture["_info"]["hash"] = __import__(
        "supervm_ref.conformance.encoding", fromlist=["fixture_hash"]).fixture_hash(fixture)
    (failed,) = consume_file(_one(tmp_path, name, fixture), SCHEMA, runner).fixtures
    assert not failed.passed
    assert any(p.startswith("steps[6] (batches)") for p in failed.problems), failed.problems


def test_protocol_runs_a_script_behind_t8n() -> None:
    """CONF-SCHED-2: an external program given {fixture_format, pre, steps} answers the
    observations; supervm t8n is such a program."""
    fixture = _fixtures()["scheduler/retries"]
    test = FORMAT.backend_input(fixture)
    assert set(test) == {"fixture_format", "pre", "steps"}
    done = subprocess.run([sys.executable, "-m", "supervm_ref", "t8n"], input=json.dumps(test),
                          capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == fixture["post"]


@pytest.mark.parametrize("bad", [
    {"pre": {}, "steps": [{"op": "explode"}]},
    {"pre": {"k": 1}, "steps": [{"op": "state"}]},
    {"pre": {}, "steps": "state"},
    {"pre": {}, "steps": [{"op": "state"}], "extra": 1},
])
def test_bad_inputs_are_encoding_errors(bad: dict[str, Any]) -> None:
    """CONF-SCHED-2, PAR-SCRIPT-1: an input that is not a script is an EncodingError."""
    with pytest.raises(EncodingError):
        SchedulerFormat().decode_input({"fixture_format": FORMAT.name, **bad})


def test_cases_are_checked_when_filling() -> None:
    """CONF-SCHED-1, CONF-FILL-2: a case whose pre is not text or whose steps are not a
    script is a FillerError naming the case; a good one fills with its observations."""
    good = SchedulerCase("scheduler/x", "d", ["PAR-SCRIPT-1"], {"a": "1"},
                         [{"op": "batch_read", "keys": ["a"]}])
    fixture = fill_case(good, "f.py")
    assert fixture["post"] == {"results": [[["a", "1"]]]}
    assert fixture["_info"]["fixture_format"] == "supervm_scheduler_test"
    for bad in (SchedulerCase("scheduler/x", "d", ["PAR-SCRIPT-1"], {"a": 1},  # type: ignore[dict-item]
                              [{"op": "state"}]),
                SchedulerCase("scheduler/x", "d", ["PAR-SCRIPT-1"], {}, []),
                SchedulerCase("scheduler/x", "d", ["PAR-SCRIPT-1"], {},
                              [{"op": "record", "tx": "one"}])):
        with pytest.raises(FillerError, match="scheduler/x"):
            FORMAT.check_case(bad)
