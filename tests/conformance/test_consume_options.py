"""``supervm consume``'s selection, inputs, processes and summaries (spec/conformance.md,
CONF-CONSUME-3..6): ``--rule``, ``-k``, ``--area``, ``--format``; ``-`` for standard input;
``-j N`` with a report byte for byte that of ``-j 1``; ``-x``; counts per rule and format;
typed option errors, never a traceback."""

from __future__ import annotations

import copy
import io
import json
import os
import signal
import subprocess
import sys
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest

from supervm_ref.cli import build_parser, main
from supervm_ref.conformance.consume import (
    FixtureSource,
    Selection,
    consume,
    python_runner,
    rule_summary,
)
from supervm_ref.conformance.encoding import fixture_hash
from supervm_ref.conformance.fill import SPEC_VERSION
from supervm_ref.conformance.pack import pack
from supervm_ref.conformance.schema import load_schema
from supervm_ref.errors import InvalidArgumentError
from supervm_ref.runtime.runtime import Runtime

from ..support import REPO, default_sigint

FIXTURES = REPO / "conformance" / "fixtures"
ISOLATION = REPO / "conformance" / "isolation"
TARGETS = [str(FIXTURES), str(ISOLATION)]
SCHEMA = load_schema(REPO)
#: A small selection across the three formats: batches that scan, chain fixtures, scripts.
SUBSET = ["--rule", "SCHED-MEM-8", "--rule", "HOST-CHAIN-1", "--rule", "MVCC-COMMIT-4"]


def _every_fixture() -> dict[str, tuple[str, dict[str, Any]]]:
    """Fixture name -> (its file's name without .json, the fixture), for every committed one."""
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    for path in sorted(FIXTURES.glob("*.json")):
        out.update({n: (path.stem, f) for n, f in json.loads(path.read_text()).items()})
    for path in sorted(ISOLATION.glob("*.json")):
        out[path.stem] = (path.stem, json.loads(path.read_text()))
    return out


def _selected(selection: Selection) -> list[str]:
    """The names `consume` selects, found without running anything (every run fails)."""
    outcomes = consume([FIXTURES, ISOLATION], SCHEMA, lambda test: {}, selection=selection)
    return sorted(f.name for o in outcomes for f in o.fixtures)


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out = capsys.readouterr()
    return status, out.out, out.err


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", type("Stdin", (), {"buffer": io.BytesIO(data)}))


# --- Selecting ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_selection_by_rule_name_area_and_format() -> None:
    """CONF-CONSUME-3: ``--rule`` globs over ``_info.rules`` (any of them), ``-k`` a piece
    of the name, ``--area`` the file, ``--format`` the format; together, all of them."""
    every = _every_fixture()

    def expected(rules: tuple[str, ...] = (), name: str | None = None,
                 areas: tuple[str, ...] = (), fmts: tuple[str, ...] = ()) -> list[str]:
        return sorted(
            n for n, (area, f) in every.items()
            if (not rules or any(fnmatchcase(r, g) for r in f["_info"]["rules"] for g in rules))
            and (name is None or name in n) and (not areas or area in areas)
            and (not fmts or f["_info"]["fixture_format"] in fmts))

    cases: list[dict[str, Any]] = [
        {"rules": ("HOST-STORAGE-*",)},
        {"rules": ("HOST-CHAIN-[12]", "MVCC-READ-?")},
        {"name": "gas_one_short"},
        {"areas": ("engine", "g0")},
        {"fmts": ("supervm_isolation_test",)},
        {"rules": ("WASM-GAS-*",), "name": "gas", "areas": ("engine", "storage_api"),
         "fmts": ("supervm_call_test",)},
    ]
    for case in cases:
        want = expected(**case)
        assert want, case
        selection = Selection(case.get("rules", ()), case.get("name"), case.get("areas", ()),
                              case.get("fmts", ()))
        assert _selected(selection) == want, case
    assert _selected(Selection(("HOST-STORAGE-1",))) != _selected(Selection(("HOST-STORAGE-*",)))


def test_selection_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    """CONF-CONSUME-3, CONF-CONSUME-2: the options select, the JSON report says how, and a
    selection that keeps nothing exits 2."""
    status, out, _ = _cli(capsys, "consume", "--json", "--rule", "HOST-STORAGE-3",
                          "-k", "set_new", "--area", "storage_api",
                          "--format", "supervm_call_test", *TARGETS)
    report = json.loads(out)
    assert status == 0 and report["summary"]["fixtures"] >= 1
    assert report["selection"] == {"rules": ["HOST-STORAGE-3"], "name": "set_new",
                                   "areas": ["storage_api"], "formats": ["supervm_call_test"]}
    assert [Path(f["path"]).name for f in report["files"]] == ["storage_api.json"]
    status, _, err = _cli(capsys, "consume", "--rule", "NOPE-*", *TARGETS)
    assert status == 2 and err == "supervm consume: no fixture matches the selection\n"


# --- Standard input -----------------------------------------------------------------------------


@pytest.mark.slow
def test_standard_input(capsys: pytest.CaptureFixture[str],
                        monkeypatch: pytest.MonkeyPatch) -> None:
    """CONF-CONSUME-6: ``-`` reads a fixture file, one fixture, or an archive from standard
    input, reported as ``<stdin>``; ``-`` twice is a usage error."""
    engine = json.loads((FIXTURES / "engine.json").read_text())
    sample = {name: engine[name] for name in sorted(engine)[:3]}
    _stdin(monkeypatch, json.dumps(sample).encode())
    status, out, _ = _cli(capsys, "consume", "-")
    assert status == 0 and "PASS  <stdin>  (3 fixtures)" in out
    _stdin(monkeypatch, (ISOLATION / "g0.json").read_bytes())
    status, out, _ = _cli(capsys, "consume", "--json", "-")
    report = json.loads(out)
    assert status == 0 and report["files"][0]["path"] == "<stdin>"
    assert report["formats"] == {"supervm_isolation_test": {"passed": 1, "failed": 0}}
    archive, _ = pack(REPO, SPEC_VERSION)
    _stdin(monkeypatch, archive)
    status, out, _ = _cli(capsys, "consume", "--area", "g1a", "-")
    assert status == 0 and "PASS  <stdin>:conformance/isolation/g1a.json  (1 fixtures)" in out
    _stdin(monkeypatch, b"")
    status, out, _ = _cli(capsys, "consume", "-")
    assert status == 1 and "FAIL  <stdin>: cannot read" in out
    status, _, err = _cli(capsys, "consume", "-", "-")
    assert status == 2 and "'-' (standard input) may be given once" in err


# --- Processes and the first failure --------------------------------------------------------------


@pytest.mark.slow
def test_parallel_report_is_the_same(capsys: pytest.CaptureFixture[str]) -> None:
    """CONF-CONSUME-4: with ``-j 2`` the JSON and the text report are byte for byte those of
    ``-j 1``, for fixtures of every format (batches with threads among them)."""
    for mode in (["--json"], []):
        runs = [_cli(capsys, "consume", *mode, *SUBSET, "-j", jobs, *TARGETS)
                for jobs in ("1", "2")]
        assert runs[0] == runs[1]
        assert runs[0][0] == 0 and "supervm_batch_test" in runs[0][1]
        assert "supervm_isolation_test" in runs[0][1]


def _failing_folder(tmp_path: Path) -> Path:
    """Three files: chain_api (all pass), engine (its second fixture fails), g0 (passes)."""
    folder = tmp_path / "some"
    folder.mkdir()
    chain = json.loads((FIXTURES / "chain_api.json").read_text())
    (folder / "a_chain.json").write_text(json.dumps({n: chain[n] for n in sorted(chain)[:2]}))
    engine = json.loads((FIXTURES / "engine.json").read_text())
    names = sorted(engine)[:4]
    broken = copy.deepcopy(engine[names[1]])
    broken["post"]["results"][0]["gas_used"] += 1
    broken["_info"]["hash"] = fixture_hash(broken)
    (folder / "b_engine.json").write_text(json.dumps(
        {n: broken if n == names[1] else engine[n] for n in names}))
    (folder / "c_g0.json").write_bytes((ISOLATION / "g0.json").read_bytes())
    return folder


@pytest.mark.slow
def test_exitfirst_stops_at_the_first_failure(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """CONF-CONSUME-4: ``-x`` reports what ran up to the first failing fixture, says it
    stopped, exits 1; with ``-j 2`` the report is the same; without ``-x`` everything runs."""
    folder = str(_failing_folder(tmp_path))
    first = _cli(capsys, "consume", "-x", folder)
    assert first == _cli(capsys, "consume", "-x", "-j", "2", folder)
    status, out, _ = first
    assert status == 1 and "stopped at the first failure (--exitfirst)" in out
    assert "PASS  " in out and "(1 of 2 failed)" in out and "c_g0.json" not in out
    assert "consumed 4 fixture(s) in 2 file(s)" in out
    report = json.loads(_cli(capsys, "consume", "--json", "-x", folder)[1])
    assert report["stopped_at_first_failure"] is True and report["summary"]["fixtures"] == 4
    status, out, _ = _cli(capsys, "consume", folder)
    assert status == 1 and "c_g0.json" in out and "stopped" not in out
    assert "consumed 7 fixture(s) in 3 file(s)" in out


def test_exitfirst_stops_at_an_unreadable_file(tmp_path: Path) -> None:
    """CONF-CONSUME-4: a file that cannot be read is a failure ``-x`` stops at."""
    (tmp_path / "a.json").write_text("{not json")
    (tmp_path / "b.json").write_bytes((ISOLATION / "g0.json").read_bytes())
    outcomes = consume(tmp_path, SCHEMA, python_runner(Runtime), exitfirst=True)
    assert [(o.path.name, o.error is not None) for o in outcomes] == [("a.json", True)]
    assert len(consume(tmp_path, SCHEMA, python_runner(Runtime))) == 2


@pytest.mark.slow
def test_ctrl_c_with_worker_processes() -> None:
    """CONF-CONSUME-4: Ctrl-C in a terminal (SIGINT to the whole process group) while worker
    processes run: exit status 130, one line, no traceback from the command or its workers."""
    proc = subprocess.Popen([sys.executable, "-m", "supervm_ref", "consume", "-j", "2",
                             str(FIXTURES)], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True,
                            preexec_fn=default_sigint,
                            env={**os.environ, "SUPERVM_PROGRESS": "1", "COLUMNS": "200"})
    assert proc.stderr is not None
    seen = b""
    try:
        while b"batch.json" not in seen:  # the workers have sent back atomicity's outcomes
            chunk = os.read(proc.stderr.fileno(), 4096)
            assert chunk, seen[-500:]
            seen += chunk
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    stderr = (seen + err).decode("utf-8", "replace")
    assert proc.returncode == 130, stderr[-1000:]
    assert "Traceback" not in stderr and "supervm: interrupted" in stderr
    assert b"consumed" not in out


# --- Summaries ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_counts_per_rule_and_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """CONF-CONSUME-5: every rule a checked fixture lists counts it as passed or failed, once;
    the text report has one line per rule and per format, the JSON report the counts."""
    folder = _failing_folder(tmp_path)
    every = {n: f for path in sorted(folder.glob("*_*.json"))
             for n, f in (json.loads(path.read_text()).items()
                          if "_info" not in json.loads(path.read_text())
                          else [(path.stem, json.loads(path.read_text()))])}
    status, out, _ = _cli(capsys, "consume", "--json", str(folder))
    report = json.loads(out)
    failed = {f["name"] for file in report["files"] for f in file["failures"]}
    want: dict[str, dict[str, int]] = {}
    for name, fixture in every.items():
        for rule in dict.fromkeys(fixture["_info"]["rules"]):
            entry = want.setdefault(rule, {"passed": 0, "failed": 0})
            entry["failed" if name in failed else "passed"] += 1
    assert len(failed) == 1 and report["rules"] == dict(sorted(want.items()))
    assert report["formats"] == {"supervm_call_test": {"passed": 5, "failed": 1},
                                 "supervm_isolation_test": {"passed": 1, "failed": 0}}
    status, out, _ = _cli(capsys, "consume", str(folder))
    assert status == 1
    assert f"rules ({len(want)}):\n" in out and "formats (2):\n" in out
    assert "  supervm_call_test       passed 5, failed 1\n" in out
    some_rule = sorted(want)[0]
    assert (f"  {some_rule}" in out and
            f"passed {want[some_rule]['passed']}, failed {want[some_rule]['failed']}\n" in out)
    outcomes = consume(folder, SCHEMA, python_runner(Runtime))
    assert rule_summary(outcomes) == report["rules"]


# --- Options ------------------------------------------------------------------------------------


@pytest.mark.parametrize("argv, says", [
    (["-j", "0"], "argument -j/--jobs: expected an integer from 1 to 256, got '0'"),
    (["-j", "257"], "expected an integer from 1 to 256, got '257'"),
    (["-j", "two"], "expected an integer from 1 to 256, got 'two'"),
    (["--rule", "host-*"], "argument --rule: expected a rule id or a glob over rule ids"),
    (["--rule", ""], "argument --rule: expected a rule id or a glob"),
    (["-k", ""], "argument -k: expected part of a fixture name"),
    (["-k", "a\tb"], "argument -k: expected part of a fixture name"),
    (["--area", "a/b"], "argument --area: expected a fixture file's name without .json"),
    (["--format", "supervm_block_test"], "argument --format: invalid choice"),
])
def test_bad_options_are_usage_errors(argv: list[str], says: str,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    """CONF-CONSUME-3, CONF-CONSUME-4: each new option is checked by argparse: exit status
    2 and one line naming the option, what it expects and what it got."""
    with pytest.raises(SystemExit) as e:
        main(["consume", *argv, str(ISOLATION)])
    err = capsys.readouterr().err
    assert e.value.code == 2
    assert says in err and "Traceback" not in err


@pytest.mark.parametrize("path", [["fixtures"], ["fixtures", "pack"], ["consume"]])
def test_help_texts_render(path: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """``--help`` of ``fixtures``, ``fixtures pack`` and ``consume`` prints usage, exit 0;
    ``fixtures`` alone prints its usage and exits 2."""
    with pytest.raises(SystemExit) as e:
        build_parser().parse_args([*path, "--help"])
    assert e.value.code == 0 and capsys.readouterr().out.startswith("usage: supervm")
    assert main(["fixtures"]) == 2 and "pack" in capsys.readouterr().out


def test_sources_are_files_folders_archives_and_bytes(tmp_path: Path) -> None:
    """CONF-CONSUME-1, CONF-CONSUME-6: targets are read in the order given, each folder
    sorted; bytes with the gzip magic are an archive."""
    outcomes = consume([ISOLATION / "g0.json", ISOLATION], SCHEMA, python_runner(Runtime),
                       selection=Selection(areas=("g0", "p4")))
    assert [o.path.name for o in outcomes] == ["g0.json", "g0.json", "p4.json"]
    archive, _ = pack(REPO, SPEC_VERSION)
    outcomes = consume(FixtureSource(Path("-"), archive), SCHEMA, python_runner(Runtime),
                       selection=Selection(areas=("p4",)))
    assert [(o.path.as_posix(), o.archive, o.passed) for o in outcomes] == [
        ("conformance/isolation/p4.json", Path("-"), True)]


def test_library_arguments_are_checked(tmp_path: Path) -> None:
    """CONF-CONSUME-4: ``jobs`` is an integer of at least 1, and with more than one the
    runner must reach the worker processes; a typed error otherwise. A fixture that a
    permissive schema lets through is still checked against its format's definition."""
    for jobs in (0, 1.5, True):
        with pytest.raises(InvalidArgumentError, match="jobs"):
            consume(ISOLATION, SCHEMA, python_runner(Runtime), jobs=jobs)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="runner"):
        consume(ISOLATION, SCHEMA, lambda test: {}, jobs=2)
    engine = json.loads((FIXTURES / "engine.json").read_text())
    name = sorted(engine)[0]
    del engine[name]["post"]
    (tmp_path / "e.json").write_text(json.dumps({name: engine[name]}))
    (outcome,) = consume(tmp_path, {}, python_runner(Runtime))
    assert outcome.fixtures[0].problems == ["schema: /: missing required property 'post'"]



def test_outside_a_repository_the_built_in_schema_is_used(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """CONF-CONSUME-1, CONF-FORMAT-5: without --schema or --root and with no repository to
    find, consume checks against the schema built into the package."""
    import supervm_ref.cli.consume as consume_cli
    from supervm_ref.conformance.paths import RootNotFound

    def nowhere() -> Path:
        raise RootNotFound("no repository here")

    monkeypatch.setattr(consume_cli, "find_root", nowhere)
    status, out, _ = _cli(capsys, "consume", "--area", "g0", str(ISOLATION))
    assert status == 0 and "1 passed, 0 failed" in out
