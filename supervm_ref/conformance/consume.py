"""Consuming: checking a backend against fixture files (spec/conformance.md, CONF-CONSUME-*).

For every fixture: check it against the schema and its ``_info.hash``, run its transactions
on the backend (a `Runner`: in process, or an external program speaking CONF-PROTO-1), and
compare what comes back with ``post`` exactly, field by field. Every difference becomes one
line saying which transaction, which field, what was expected and what came back.

A batch fixture (CONF-BATCH-*) is checked the same way, once per Block-STM schedule when the
backend runs in process: every schedule must reproduce ``post``.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from ..backends import BackendFactory
from ..errors import SuperVMError, shown
from .batch import BATCH_FORMAT, BATCH_SCHEDULES, BatchSchedule, execute_block
from .encoding import EncodingError, canonical_json, fixture_hash
from .execute import BackendFailure, decode_input, execute
from .schema import errors_against, parse_json, validate

#: A backend as consume sees it: the JSON input ``{env, pre, transactions}`` of a fixture in,
#: the JSON ``post`` out; raises `RunFailure` when it cannot produce one.
Runner = Callable[[dict[str, Any]], Any]

#: The parts of a fixture a backend is given (CONF-PROTO-1).
INPUT_KEYS = ("env", "pre", "transactions")
#: The fields of a transaction's result, in the order differences are reported.
RESULT_FIELDS = ("error", "return", "events", "gas_used", "writes")


class RunFailure(SuperVMError):
    """The backend produced no usable ``post`` (it raised, exited non-zero, timed out, or
    wrote something that is not a ``post``)."""


# --- Runners ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PythonRunner:
    """CONF-BACKEND-1: a backend's factory run in process. Called with a fixture's input it
    runs the transactions one after the other (CONF-RUN-1); `run_block` runs them as one
    batch under a Block-STM schedule (CONF-BATCH-3)."""

    factory: BackendFactory

    def __call__(self, test: dict[str, Any]) -> Any:
        """CONF-RUN-1: the ``post`` of ``test``; `RunFailure` when there is none."""
        try:
            return execute(self.factory, decode_input(test))
        except (EncodingError, BackendFailure) as e:
            raise RunFailure(str(e)) from e

    def run_block(self, test: dict[str, Any], schedule: BatchSchedule) -> Any:
        """CONF-BATCH-3: the ``post`` of ``test`` executed by `MvccScheduler` under
        ``schedule``; `RunFailure` when there is none."""
        try:
            return execute_block(self.factory, decode_input(test), schedule)
        except (EncodingError, BackendFailure) as e:
            raise RunFailure(str(e)) from e


def python_runner(factory: BackendFactory) -> PythonRunner:
    """CONF-BACKEND-1: run fixtures in process on a registered backend's factory."""
    return PythonRunner(factory)


def command_runner(argv: list[str], schema: Mapping[str, Any], timeout: float = 120.0
                   ) -> Runner:
    """CONF-PROTO-1: run fixtures through an external program: one process per fixture,
    the input as JSON on stdin, ``post`` as JSON on stdout, exit status 0."""

    def run(test: dict[str, Any]) -> Any:
        try:
            proc = subprocess.run(argv, input=canonical_json(test), capture_output=True,
                                  timeout=timeout, check=False)
        except OSError as e:
            raise RunFailure(f"cannot run {shown(argv[0])}: {e.strerror or e}") from e
        except subprocess.TimeoutExpired as e:
            raise RunFailure(f"{shown(argv[0])} did not finish within {timeout:g} s") from e
        stderr = proc.stderr.decode("utf-8", "replace").strip()
        if proc.returncode != 0:
            raise RunFailure(f"{shown(argv[0])} exited with status {proc.returncode}: "
                             f"{stderr[-500:] or '(no stderr)'}")
        try:
            post = parse_json(proc.stdout)
        except ValueError as e:
            raise RunFailure(f"{shown(argv[0])} wrote no JSON object on stdout: {e}") from e
        problems = errors_against(post, schema, "post")
        if problems:
            raise RunFailure(f"{shown(argv[0])} wrote something that is not a post: "
                             + "; ".join(problems[:3]))
        return post

    return run


# --- Comparing --------------------------------------------------------------------------------

def _show(x: Any) -> str:
    text = json.dumps(x, sort_keys=True)
    if isinstance(x, str) and x.startswith("0x") and len(x) > 42:
        text = f'"{x[:34]}..." ({(len(x) - 2) // 2} bytes)'
    return text if len(text) <= 200 else text[:197] + "..."


def _same(a: Any, b: Any) -> bool:
    """Exact JSON equality (``1`` is neither ``1.0`` nor ``true``)."""
    try:
        return canonical_json(a) == canonical_json(b)
    except (TypeError, ValueError):
        return False


def _diff_map(where: str, expected: Mapping[str, Any], got: Mapping[str, Any]) -> list[str]:
    out = []
    for key in sorted(set(expected) | set(got)):
        if key not in got:
            out.append(f"{where}[{key}]: expected {_show(expected[key])}, got absent")
        elif key not in expected:
            out.append(f"{where}[{key}]: expected absent, got {_show(got[key])}")
        elif not _same(expected[key], got[key]):
            out.append(f"{where}[{key}]: expected {_show(expected[key])}, "
                       f"got {_show(got[key])}")
    return out


def _diff_list(where: str, expected: list[Any], got: list[Any]) -> list[str]:
    out = []
    if len(expected) != len(got):
        out.append(f"{where}: expected {len(expected)} item(s), got {len(got)}")
    for i, (e, g) in enumerate(zip(expected, got)):
        if not _same(e, g):
            out.append(f"{where}[{i}]: expected {_show(e)}, got {_show(g)}")
    return out


def _diff(where: str, expected: Any, got: Any) -> list[str]:
    if isinstance(expected, Mapping) and isinstance(got, Mapping):
        return _diff_map(where, expected, got)
    if isinstance(expected, list) and isinstance(got, list):
        return _diff_list(where, expected, got)
    return [] if _same(expected, got) else [f"{where}: expected {_show(expected)}, "
                                            f"got {_show(got)}"]


def compare_post(fixture: Mapping[str, Any], got: Mapping[str, Any]) -> list[str]:
    """CONF-CONSUME-2: every difference between the fixture's ``post`` and ``got``, per
    transaction and field (``error``, ``return``, ``events``, ``gas_used``, ``writes``), then
    per storage key. A transaction's label ends with its source when ``_info`` gives one
    (CONF-FIX-8)."""
    expected = fixture["post"]
    txs = fixture["transactions"]
    sources = fixture.get("_info", {}).get("transaction_sources") or []
    problems: list[str] = []
    exp_results, got_results = expected["results"], got["results"]
    if len(exp_results) != len(got_results):
        problems.append(f"post.results: expected {len(exp_results)} result(s), "
                        f"got {len(got_results)}")
    for i, (e, g) in enumerate(zip(exp_results, got_results)):
        label = f"tx {i} ({txs[i]['to']}.{txs[i]['function']})" if i < len(txs) else f"tx {i}"
        if i < len(sources):
            label += f" [{sources[i]}]"
        for name in RESULT_FIELDS:
            problems += _diff(f"{label}: {name}", e[name], g[name])
    problems += _diff_map("post.storage", expected["storage"], got["storage"])
    return problems


# --- Fixtures and files -----------------------------------------------------------------------

@dataclass
class FixtureOutcome:
    """CONF-CONSUME-2: one fixture's problems (none: it passed)."""

    name: str
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """No problem at all."""
        return not self.problems


@dataclass
class FileOutcome:
    """CONF-CONSUME-2: one fixture file: its fixtures, or the error that kept it from being
    read at all."""

    path: Path
    fixtures: list[FixtureOutcome] = field(default_factory=list)
    error: str | None = None

    @property
    def passed(self) -> bool:
        """The file was read and every fixture in it passed."""
        return self.error is None and all(f.passed for f in self.fixtures)

    @property
    def failed_count(self) -> int:
        """How many fixtures failed."""
        return sum(not f.passed for f in self.fixtures)


def consume_fixture(name: str, fixture: dict[str, Any], schema_problems: list[str],
                    runner: Runner) -> FixtureOutcome:
    """CONF-CONSUME-1: check one fixture: schema, hash, then run and compare. A batch fixture
    on an in-process backend is run under every schedule of `BATCH_SCHEDULES`, each run
    compared on its own (CONF-BATCH-3); any other runner runs it once (CONF-BATCH-4)."""
    outcome = FixtureOutcome(name, [f"schema: {p}" for p in schema_problems])
    if schema_problems:
        return outcome  # its structure is unknown: nothing more can be checked safely
    recorded, computed = fixture["_info"]["hash"], fixture_hash(fixture)
    if recorded != computed:
        outcome.problems.append(f"_info.hash: recorded {recorded}, computed {computed}")
    test = {key: fixture[key] for key in INPUT_KEYS}
    if fixture["_info"]["fixture_format"] == BATCH_FORMAT and isinstance(runner, PythonRunner):
        for schedule in BATCH_SCHEDULES:
            outcome.problems += _run_and_compare(
                fixture, partial(runner.run_block, schedule=schedule), test,
                f"[{schedule.label}] ")
        return outcome
    outcome.problems += _run_and_compare(fixture, runner, test, "")
    return outcome


def _run_and_compare(fixture: dict[str, Any], runner: Runner, test: dict[str, Any],
                     prefix: str) -> list[str]:
    """CONF-CONSUME-2: one run of ``test``, its problems prefixed (by the schedule of a batch
    run)."""
    try:
        got = runner(test)
    except RunFailure as e:
        return [f"{prefix}backend: {e}"]
    return [prefix + p for p in compare_post(fixture, got)]


def consume_file(path: Path, schema: Mapping[str, Any], runner: Runner,
                 progress: Callable[[int, int, str], None] | None = None) -> FileOutcome:
    """CONF-CONSUME-1: check every fixture of one file, in name order. ``progress(done,
    total, name)`` is called before each fixture."""
    outcome = FileOutcome(path)
    try:
        data = parse_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        outcome.error = f"cannot read: {e}"
        return outcome
    if isinstance(data, dict) and isinstance(data.get("_info"), dict) \
            and data["_info"].get("fixture_format") == ISOLATION_FORMAT:
        return consume_isolation_file(path)
    per_fixture: dict[str, list[str]] = {}
    for where, message in validate(data, schema):
        if not where:
            outcome.error = f"schema: {message}"
        else:
            sub = "".join(f"/{p}" for p in where[1:]) or "/"
            per_fixture.setdefault(str(where[0]), []).append(f"{sub}: {message}")
    if outcome.error is not None or not isinstance(data, dict):
        outcome.error = outcome.error or "schema: a fixture file is a JSON object"
        return outcome
    if not data:
        outcome.error = "the file holds no fixture"
        return outcome
    names = sorted(data)
    for done, name in enumerate(names):
        if progress:
            progress(done, len(names), name)
        outcome.fixtures.append(consume_fixture(name, data[name], per_fixture.get(name, []),
                                                runner))
    return outcome


#: CONF-ISOLATION-1: the format of the isolation step scripts of spec/mvcc.md.
ISOLATION_FORMAT = "supervm_isolation_test"


def consume_isolation_file(path: Path) -> FileOutcome:
    """CONF-ISOLATION-1: an isolation step script (spec/mvcc.md MVCC-ISO-*) is one fixture: it
    is run on the reference `MvccStore` (the store, not the execution backend, is what it
    checks), and passes when every step's expectation holds and the outcome observed is one of
    its allowed outcomes."""
    from ..mvcc.script import run_file

    outcome = FileOutcome(path)
    try:
        report = run_file(path)
    except Exception as e:  # a malformed script: report, never crash (CONF-CONSUME-2)
        outcome.error = f"cannot run isolation script: {type(e).__name__}: {e}"
        return outcome
    problems = [f"step: {f}" for f in report.expectation_failures]
    if report.matched is None:
        problems.append(f"outcome {report.outcome} is not one of the allowed outcomes")
    outcome.fixtures.append(FixtureOutcome(path.stem, problems))
    return outcome


def fixture_files(target: Path) -> list[Path]:
    """CONF-CONSUME-1: a file, or every ``*.json`` below a folder in sorted order."""
    if target.is_dir():
        return sorted(p for p in target.rglob("*.json") if p.is_file())
    return [target]


def consume(target: Path, schema: Mapping[str, Any], runner: Runner,
            progress: Callable[[int, int, str], None] | None = None) -> list[FileOutcome]:
    """CONF-CONSUME-1: check every fixture file of ``target``. ``progress(done, total,
    label)`` is called with the files done and before each fixture (the label names the file
    and the fixture's place in it)."""
    files = fixture_files(target)
    if progress is None:
        return [consume_file(path, schema, runner) for path in files]
    report = progress
    outcomes = []
    for done, path in enumerate(files):
        def within(k: int, n: int, _name: str, done: int = done, path: Path = path) -> None:
            report(done, len(files), f"{path.name} {k + 1}/{n}")

        report(done, len(files), path.name)
        outcomes.append(consume_file(path, schema, runner, within))
    report(len(files), len(files), "")
    return outcomes
