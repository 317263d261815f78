"""The persistence fixture format (spec/conformance.md CONF-PERSIST-*): the committed vectors
of conformance/fixtures/persistence.json, consume on both backends, the script checks and the
verdicts."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from supervm_ref.backends import load_backend
from supervm_ref.conformance.consume import consume_file, python_runner
from supervm_ref.conformance.encoding import EncodingError, fixture_hash
from supervm_ref.conformance.filler import FillerError
from supervm_ref.conformance.formats import format_named
from supervm_ref.conformance.formats.persistence import (
    STEPS,
    PersistenceCase,
    run_persistence_script,
)
from supervm_ref.conformance.schema import load_schema
from supervm_ref.errors import InvalidArgumentError

from ..support import REPO

FIXTURES = REPO / "conformance" / "fixtures" / "persistence.json"
FORMAT = format_named("supervm_persistence_test")
SCHEMA = load_schema(REPO)


def _fixtures() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURES.read_text())
    return data


def test_committed_vectors_are_the_reference_answers() -> None:
    """CONF-PERSIST-1/2: every committed vector's post is what the reference answers; they use
    every step op, include the vectors the layout needs (incremental flush, deletion, empty
    flush, prune under an open snapshot, reopen, mismatched flush point) and cite every
    PERSIST rule a vector can show."""
    fixtures = _fixtures()
    ops: set[str] = set()
    rules: set[str] = set()
    errors: set[str] = set()
    for name, fixture in fixtures.items():
        assert fixture["_info"]["fixture_format"] == "supervm_persistence_test", name
        assert fixture["post"] == run_persistence_script(fixture["steps"]), name
        ops |= {step["op"] for step in fixture["steps"]}
        rules |= set(fixture["_info"]["rules"])
        errors |= {r["error"] for r in fixture["post"]["results"] if "error" in r}
    assert ops == set(STEPS)
    assert errors == {"FLUSH_POINT_MISMATCH", "INVALID_ARGUMENT", "HISTORY_UNAVAILABLE"}
    for case in ("incremental_flush", "deletion", "empty_flush", "prune_respects_open_snapshot",
                 "reopen_and_continue", "mismatched_flush_point"):
        assert f"persistence/{case}" in fixtures
    assert {"PERSIST-DB-4", "PERSIST-FLUSH-1", "PERSIST-FLUSH-2", "PERSIST-FLUSH-3",
            "PERSIST-OPEN-1", "PERSIST-PRUNE-1", "PERSIST-PRUNE-2", "PERSIST-HIST-1",
            "CONF-PERSIST-1", "CONF-PERSIST-2"} <= rules


def _one(tmp_path: Path, fixture: dict[str, Any]) -> Path:
    fixture = copy.deepcopy(fixture)
    fixture["_info"]["hash"] = fixture_hash(fixture)
    path = tmp_path / "persistence.json"
    path.write_text(json.dumps({"persistence/x": fixture}))
    return path


def _problems(tmp_path: Path, fixture: dict[str, Any], backend: type[Any]) -> list[str]:
    (outcome,) = consume_file(_one(tmp_path, fixture), SCHEMA, python_runner(backend)).fixtures
    return outcome.problems


@pytest.mark.parametrize("backend", ["reference", "wasmtime"])
def test_consume_and_tampered_answers(tmp_path: Path, backend: str) -> None:
    """CONF-PERSIST-3: every committed vector passes consume on both backends (persistence
    does not use the engine); a changed history byte, a changed stat and a changed error kind
    are each reported, naming the step and the column family."""
    factory = load_backend(backend)
    report = consume_file(FIXTURES, SCHEMA, python_runner(factory))
    assert report.fixtures and all(not o.problems for o in report.fixtures)
    good = _fixtures()["persistence/incremental_flush"]
    bad = copy.deepcopy(good)
    history = bad["post"]["results"][4]["db"]["mvcc_history"]
    first = sorted(history)[0]
    history[first] = "0x00"
    assert any(p.startswith("steps[4] (flush) mvcc_history")
               for p in _problems(tmp_path, bad, factory))
    bad = copy.deepcopy(good)
    bad["post"]["results"][1]["stats"]["bytes_flushed"] += 1
    assert any(p.startswith("steps[1] (flush)") for p in _problems(tmp_path, bad, factory))
    error = copy.deepcopy(_fixtures()["persistence/mismatched_flush_point"])
    error["post"]["results"][4]["error"] = "DATABASE_CORRUPT"
    assert _problems(tmp_path, error, factory)


@pytest.mark.parametrize("steps", [
    {},
    [{"op": "write"}],
    [{"op": "flush", "extra": 1}],
    [{"op": "commit", "writes": {}}],
    [{"op": "commit", "writes": {"61": "0x31"}}],
    [{"op": "commit", "writes": {"0x61": 1}}],
    [{"op": "end_snapshot", "name": "a"}],
    [{"op": "begin_snapshot", "name": "a"}, {"op": "begin_snapshot", "name": "a"}],
    [{"op": "begin_snapshot", "name": ""}],
    [{"op": "prune", "keep_versions": "1"}],
    [{"op": "read_history", "key": "0x61", "ts": 1.5}],
    ["flush"],
])
def test_malformed_scripts_are_rejected(steps: Any) -> None:
    """CONF-PERSIST-2: a bad step is not a script: FillerError when filling, EncodingError
    when decoding an input."""
    with pytest.raises(FillerError):
        FORMAT.check_case(PersistenceCase("persistence/x", "d", ["CONF-PERSIST-1"], steps))
    with pytest.raises(EncodingError):
        FORMAT.decode_input({"fixture_format": FORMAT.name, "steps": steps})
    assert FORMAT.invalid({"steps": steps})


def test_input_output_and_t8n() -> None:
    """CONF-PERSIST-2: the input carries no expectation; extra members are rejected; supervm
    t8n answers the same as the fixture's post."""
    fixture = _fixtures()["persistence/deletion"]
    given = FORMAT.backend_input(fixture)
    assert set(given) == {"fixture_format", "steps"}
    with pytest.raises(EncodingError):
        FORMAT.decode_input({**given, "post": {}})
    out = FORMAT.execute(None, FORMAT.decode_input(given))  # type: ignore[arg-type]
    assert out == fixture["post"]
    done = subprocess.run([sys.executable, "-m", "supervm_ref", "t8n"], input=json.dumps(given),
                          capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == fixture["post"]


@pytest.mark.slow
def test_call_and_batch_fixtures_run_on_rocksdb() -> None:
    """CONF-STORAGE-1, PERSIST-DB-1: every call and batch fixture gives its post on a
    RocksDBStorage (reference backend: the storage is what is under test; the whole
    conformance/fixtures folder of those two formats, in two processes); --storage rocksdb with an
    external command is a usage error."""
    done = subprocess.run(
        [sys.executable, "-m", "supervm_ref", "consume", "--storage", "rocksdb", "--json",
         "-j", "2", "--format", "supervm_call_test", "--format", "supervm_batch_test",
         str(REPO / "conformance" / "fixtures")],
        capture_output=True, text=True, cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] and report["summary"]["failed"] == 0
    assert set(report["formats"]) == {"supervm_call_test", "supervm_batch_test"}
    assert report["summary"]["fixtures"] > 400
    refused = subprocess.run(
        [sys.executable, "-m", "supervm_ref", "consume", "--storage", "rocksdb", "--backend",
         "python -m supervm_ref t8n", str(FIXTURES)],
        capture_output=True, text=True, cwd=REPO, timeout=120)
    assert refused.returncode == 2 and "--storage rocksdb" in refused.stderr


def test_fixture_storage_factory() -> None:
    """CONF-STORAGE-1: the factory builds a MemoryStorage by default and a RocksDBStorage
    (removed afterwards) when selected; an unknown kind is refused."""
    from supervm_ref.conformance.storage import fixture_storage, selected_storage
    from supervm_ref.persistence import RocksDBStorage
    from supervm_ref.runtime.storage import MemoryStorage

    with fixture_storage({b"k": b"v"}) as memory:
        assert isinstance(memory, MemoryStorage) and memory.items() == [(b"k", b"v")]
    with selected_storage("rocksdb"), fixture_storage({b"k": b"v"}) as db:
        assert isinstance(db, RocksDBStorage) and db.items() == [(b"k", b"v")]
        path = db.path
    assert not path.exists()
    with pytest.raises(InvalidArgumentError), selected_storage("disk"):
        pass
