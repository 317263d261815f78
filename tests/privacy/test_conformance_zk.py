"""The zk fixture format (spec/conformance.md CONF-ZK-*) and its vectors: the committed
fixtures are the reference's verdicts, on each verifier backend and each execution backend."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from supervm_ref.conformance.consume import consume_file, python_runner
from supervm_ref.conformance.encoding import EncodingError, fixture_hash
from supervm_ref.conformance.fill import fill_case
from supervm_ref.conformance.filler import FillerError
from supervm_ref.conformance.formats import format_named
from supervm_ref.conformance.formats.zk import ZkCase, ZkFormat
from supervm_ref.conformance.schema import load_schema
from supervm_ref.privacy import ZK_ERROR_KINDS
from supervm_ref.runtime.runtime import Runtime

from ..conftest import ConsumeRun
from ..support import REPO

FIXTURES = REPO / "conformance" / "fixtures" / "zk.json"
FORMAT = format_named("supervm_zk_test")
SCHEMA = load_schema(REPO)


def _fixtures() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURES.read_text())
    return data


def test_vectors_cover_every_kind_and_rule() -> None:
    """ZK-EXT-1: the vectors include valid proofs and every kind a document can produce; they
    cite every ZK rule of spec/privacy.md but the commands' (ZK-CLI-1, ZK-BENCH-1)."""
    fixtures = _fixtures()
    kinds = {f["outcome"].get("error", "valid") for f in fixtures.values()}
    not_from_documents = {"zk_malformed_json", "zk_unknown_verifying_key",
                          "zk_verifying_key_exists", "zk_backend_unavailable"}
    assert kinds == {"valid"} | (set(ZK_ERROR_KINDS) - not_from_documents)
    cited = {r for f in fixtures.values() for r in f["_info"]["rules"]}
    defined = set(re.findall(r"\*\*(ZK-[A-Z]+-\d+)", (REPO / "spec" / "privacy.md").read_text()))
    assert defined - cited == {"ZK-CLI-1", "ZK-BENCH-1"}
    assert {"CONF-ZK-1", "CONF-ZK-2", "CONF-ZK-3"} <= cited
    assert sum(1 for f in fixtures.values() if f["outcome"] == {"valid": True}) >= 7


def test_consume_passes_every_vector_on_both_verifiers(
        consumed: Callable[[str], ConsumeRun]) -> None:
    """CONF-ZK-1/2, ZK-BACKEND-1/2: ``supervm consume`` passes every zk fixture; each fixture
    runs once per verifier backend (the fast one is installed by the test extra), so both
    verifiers reach the reference's recorded verdict on every vector, bad ones included. The
    execution backend plays no part (CONF-FORMAT-3 e: tests/conformance/test_formats.py), so
    the session's consume on the reference is the one that counts (tests/conftest.py)."""
    run = consumed("reference")
    assert run.report["formats"]["supervm_zk_test"] == {"passed": len(_fixtures()),
                                                        "failed": 0}
    entry = run.file("zk.json")
    assert entry["error"] is None and entry["passed"], entry["failures"]


def test_in_process_runs_name_the_verifiers() -> None:
    """CONF-ZK-2: one run per available verifier backend."""
    assert [run.label for run in ZkFormat().in_process_runs()] == ["zk reference", "zk fast"]


def _one(tmp_path: Path, name: str, fixture: dict[str, Any]) -> Path:
    path = tmp_path / "zk.json"
    path.write_text(json.dumps({name: fixture}))
    return path


def test_a_wrong_verdict_is_reported_in_one_line(tmp_path: Path) -> None:
    """CONF-ZK-3: a fixture whose outcome differs fails with one line naming both verdicts,
    in every run."""
    name = "zk/public_plus_sign"
    fixture = copy.deepcopy(_fixtures()[name])
    runner = python_runner(Runtime)
    (passed,) = consume_file(_one(tmp_path, name, fixture), SCHEMA, runner).fixtures
    assert passed.passed, passed.problems
    fixture["outcome"] = {"error": "zk_public_input_out_of_range"}
    fixture["_info"]["hash"] = fixture_hash(fixture)
    (failed,) = consume_file(_one(tmp_path, name, fixture), SCHEMA, runner).fixtures
    assert not failed.passed
    assert any("outcome: expected error 'zk_public_input_out_of_range', got error "
               "'zk_malformed_decimal'" in p for p in failed.problems), failed.problems
    assert FORMAT.compare(fixture, {"valid": True}) == [
        "outcome: expected error 'zk_public_input_out_of_range', got valid"]


def test_schema_rejects_a_verdict_that_is_not_one(tmp_path: Path) -> None:
    """CONF-ZK-1: the outcome is {"valid": true} or {"error": <canonical kind>}."""
    from supervm_ref.conformance.schema import errors_against

    fixture = copy.deepcopy(_fixtures()["zk/public_plus_sign"])
    for bad in ({"error": "zk_nope"}, {"valid": False}, {"valid": True, "error": "x"}, {}):
        fixture["outcome"] = bad
        assert errors_against({"zk/x": fixture}, SCHEMA), bad


def test_protocol_runs_behind_t8n() -> None:
    """CONF-ZK-2: an external program given {fixture_format, verifying_key, proof, public}
    answers the verdict; supervm t8n is such a program."""
    fixture = _fixtures()["zk/coordinate_equal_p"]
    test = FORMAT.backend_input(fixture)
    assert set(test) == {"fixture_format", "verifying_key", "proof", "public"}
    done = subprocess.run([sys.executable, "-m", "supervm_ref", "t8n"], input=json.dumps(test),
                          capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == fixture["outcome"]


@pytest.mark.parametrize("bad", [
    {"verifying_key": {}, "proof": {}},
    {"verifying_key": {}, "proof": {}, "public": [], "extra": 1},
])
def test_bad_inputs_are_encoding_errors(bad: dict[str, Any]) -> None:
    """CONF-ZK-2: a missing or unexpected member is an EncodingError; bad documents are the
    verifier's to judge."""
    with pytest.raises(EncodingError):
        ZkFormat().decode_input({"fixture_format": FORMAT.name, **bad})
    assert ZkFormat().decode_input({"fixture_format": FORMAT.name, "verifying_key": 1,
                                    "proof": 2, "public": 3}) == (1, 2, 3)


def test_cases_are_checked_when_filling() -> None:
    """CONF-ZK-1, CONF-FILL-2: a case lacking a document is a FillerError naming it; a good
    one fills with the verdict."""
    fixture = fill_case(ZkCase("zk/x", "d", ["ZK-VK-1"], [], {}, []), "f.py")
    assert fixture["outcome"] == {"error": "zk_malformed_verifying_key"}
    assert fixture["_info"]["fixture_format"] == "supervm_zk_test"
    with pytest.raises(FillerError, match="zk/x"):
        FORMAT.check_case(ZkCase("zk/x", "d", ["ZK-VK-1"], None, {}, []))
