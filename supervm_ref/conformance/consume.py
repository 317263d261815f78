"""Consuming: checking a backend against fixture files (spec/conformance.md, CONF-CONSUME-*,
CONF-FORMAT-2).

For every fixture: its format, looked up in the registry by ``_info.fixture_format``; the
schema; the ``_info.hash`` of a filled fixture; the format's own validity; then the fixture is
run on the backend (a `Runner`: in process, once per run the format asks for, or an external
program speaking CONF-PROTO-1, once) and the format compares each output with what the fixture
expects. Every difference becomes one line saying where, what was expected and what came back.

Fixtures come from files, folders, bytes read elsewhere (standard input) or release archives
(`pack`). They can be selected (`Selection`), run in several processes (``jobs``) and stopped at
the first failure (``exitfirst``); none of these changes the report of what ran, nor its order.
"""

from __future__ import annotations

import multiprocessing
import pickle
import signal
import subprocess
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from ..backends import BackendFactory
from ..errors import InvalidArgumentError, SuperVMError, shown
from .encoding import EncodingError, canonical_json, fixture_hash
from .execute import BackendFailure
from .formats import (
    FixtureFormat,
    FormatError,
    InProcessRun,
    build_schema,
    format_for_input,
    format_named,
)
from .pack import GZIP_MAGIC, FixtureSource, read_archive
from .schema import errors_against, parse_json, pointer, validate
from .storage import STORAGES, selected_storage

#: A backend as consume sees it: a protocol input in (CONF-PROTO-1: a fixture's
#: `FixtureFormat.backend_input`), the format's output out; raises `RunFailure` when it cannot
#: produce one. `PythonRunner` (in process) and `CommandRunner` (an external program) are the
#: two kinds; any other callable is treated like an external program.
Runner = Callable[[dict[str, Any]], Any]

#: The label of fixtures read from standard input (CONF-CONSUME-6).
STDIN = Path("-")


class RunFailure(SuperVMError):
    """The backend produced no usable output (it raised, exited non-zero, timed out, or
    wrote something that is not the format's output)."""


# --- Runners ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PythonRunner:
    """CONF-BACKEND-1: a backend's factory run in process. `supervm consume` runs a fixture
    once per `FixtureFormat.in_process_runs` of its format; called with a protocol input it
    answers like `supervm t8n` (CONF-PROTO-1)."""

    factory: BackendFactory
    storage: str = STORAGES[0]  # CONF-STORAGE-1: what the call and batch formats run on

    def __call__(self, test: dict[str, Any]) -> Any:
        """CONF-PROTO-1: the output of ``test`` on this backend; `RunFailure` when there is
        none."""
        try:
            fmt = format_for_input(test)
            with selected_storage(self.storage):
                return fmt.execute(self.factory, fmt.decode_input(test))
        except (FormatError, EncodingError, BackendFailure) as e:
            raise RunFailure(str(e)) from e


def python_runner(factory: BackendFactory, storage: str = STORAGES[0]) -> PythonRunner:
    """CONF-BACKEND-1: run fixtures in process on a registered backend's factory (on the
    storage ``storage``, CONF-STORAGE-1)."""
    return PythonRunner(factory, storage)


@dataclass(frozen=True)
class CommandRunner:
    """CONF-PROTO-1: an external program: one process per fixture, the input as canonical
    JSON on stdin, the output as JSON on stdout, exit status 0 (`consume_fixture` then checks
    the output against its format's definition)."""

    argv: tuple[str, ...]
    timeout: float = 120.0

    def __call__(self, test: dict[str, Any]) -> Any:
        """CONF-PROTO-1: run the program on ``test``; `RunFailure` when it fails."""
        program = shown(self.argv[0])
        try:
            proc = subprocess.run(self.argv, input=canonical_json(test), capture_output=True,
                                  timeout=self.timeout, check=False)
        except OSError as e:
            raise RunFailure(f"cannot run {program}: {e.strerror or e}") from e
        except subprocess.TimeoutExpired as e:
            raise RunFailure(f"{program} did not finish within {self.timeout:g} s") from e
        stderr = proc.stderr.decode("utf-8", "replace").strip()
        if proc.returncode != 0:
            raise RunFailure(f"{program} exited with status {proc.returncode}: "
                             f"{stderr[-500:] or '(no stderr)'}")
        try:
            return parse_json(proc.stdout)
        except ValueError as e:
            raise RunFailure(f"{program} wrote no JSON object on stdout: {e}") from e


def command_runner(argv: Sequence[str], timeout: float = 120.0) -> CommandRunner:
    """CONF-PROTO-1: run fixtures through the external program ``argv``."""
    return CommandRunner(tuple(argv), timeout)


# --- Outcomes ---------------------------------------------------------------------------------

@dataclass
class FixtureOutcome:
    """CONF-CONSUME-2: one fixture's problems (none: it passed), with the rule ids and the
    format its ``_info`` names (for the summaries of CONF-CONSUME-5)."""

    name: str
    problems: list[str] = field(default_factory=list)
    rules: tuple[str, ...] = ()
    fixture_format: str | None = None

    @property
    def passed(self) -> bool:
        """No problem at all."""
        return not self.problems


@dataclass
class FileOutcome:
    """CONF-CONSUME-2: one fixture file: its fixtures, or the error that kept it from being
    read at all. ``archive`` is the release archive the file came from (CONF-PACK-4)."""

    path: Path
    fixtures: list[FixtureOutcome] = field(default_factory=list)
    error: str | None = None
    archive: Path | None = None

    @property
    def passed(self) -> bool:
        """The file was read and every fixture in it passed."""
        return self.error is None and all(f.passed for f in self.fixtures)

    @property
    def failed_count(self) -> int:
        """How many fixtures failed."""
        return sum(not f.passed for f in self.fixtures)


def _tally(keyed: Iterator[tuple[str, bool]]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for key, passed in keyed:
        entry = counts.setdefault(key, {"passed": 0, "failed": 0})
        entry["passed" if passed else "failed"] += 1
    return dict(sorted(counts.items()))


def rule_summary(outcomes: Sequence[FileOutcome]) -> dict[str, dict[str, int]]:
    """CONF-CONSUME-5: rule id -> how many fixtures listing it passed and failed, sorted by
    rule id."""
    return _tally((rule, f.passed) for o in outcomes for f in o.fixtures
                  for rule in dict.fromkeys(f.rules))


def format_summary(outcomes: Sequence[FileOutcome]) -> dict[str, dict[str, int]]:
    """CONF-CONSUME-5: fixture format -> how many of its fixtures passed and failed."""
    return _tally((f.fixture_format or "(unknown)", f.passed) for o in outcomes
                  for f in o.fixtures)


# --- One fixture ------------------------------------------------------------------------------

def _info_of(fixture: object) -> dict[str, Any]:
    info = fixture.get("_info") if isinstance(fixture, dict) else None
    return info if isinstance(info, dict) else {}


def _rules_of(fixture: object) -> tuple[str, ...]:
    rules = _info_of(fixture).get("rules")
    return tuple(r for r in rules if isinstance(r, str)) if isinstance(rules, list) else ()


def consume_fixture(name: str, fixture: dict[str, Any], schema_problems: Sequence[str],
                    runner: Runner) -> FixtureOutcome:
    """CONF-CONSUME-1: check one fixture: schema (``schema_problems``, the problems the schema
    given to `consume` found, then the registry's definition of the fixture's format, on which
    the format's code relies), the hash of a filled fixture (CONF-FIX-3), the format's
    validity, then run and compare. On a `PythonRunner` the fixture runs once per
    `FixtureFormat.in_process_runs` of its format, each compared on its own (a batch: once
    per schedule, CONF-BATCH-3); any other runner runs it once (CONF-PROTO-1)."""
    fmt_name = _info_of(fixture).get("fixture_format")
    outcome = FixtureOutcome(name, [f"schema: {p}" for p in schema_problems],
                             _rules_of(fixture), fmt_name if isinstance(fmt_name, str) else None)
    if not schema_problems:  # a schema given with --schema may admit more than the registry
        outcome.problems += [f"schema: {p}" for p in errors_against(fixture, build_schema(),
                                                                    "fixture")]
    if outcome.problems:
        return outcome  # its structure is unknown: nothing more can be checked safely
    fmt = format_named(fmt_name)
    if fmt.filled:
        recorded, computed = fixture["_info"]["hash"], fixture_hash(fixture)
        if recorded != computed:
            outcome.problems.append(f"_info.hash: recorded {recorded}, computed {computed}")
    invalid = fmt.invalid(fixture)
    if invalid:
        outcome.problems += invalid
        return outcome
    test = fmt.backend_input(fixture)
    if isinstance(runner, PythonRunner):
        with selected_storage(runner.storage):
            outcome.problems += _run_in_process(fmt, fixture, runner.factory, test)
    else:
        outcome.problems += _compare_run(fmt, fixture, _checked(fmt, runner), test, "")
    return outcome


def _checked(fmt: FixtureFormat, runner: Runner) -> Runner:
    """CONF-PROTO-1: ``runner`` whose output must be valid against the format's output
    definition (of the registry's schema) before it is compared."""

    def run(test: dict[str, Any]) -> Any:
        output = runner(test)
        problems = errors_against(output, build_schema(), fmt.output_definition)
        if problems:
            raise RunFailure(f"wrote something that is not {fmt.output_name}: "
                             + "; ".join(problems[:3]))
        return output

    return run


def _run_in_process(fmt: FixtureFormat, fixture: dict[str, Any], factory: BackendFactory,
                    test: dict[str, Any]) -> list[str]:
    """CONF-FORMAT-3: decode the input once, then every in-process run of the format."""
    try:
        decoded = fmt.decode_input(test)
    except EncodingError as e:
        return [f"backend: {e}"]
    problems: list[str] = []
    for run in fmt.in_process_runs():
        problems += _compare_run(fmt, fixture, _bound(run, factory, decoded), test,
                                 f"[{run.label}] " if run.label else "")
    return problems


def _bound(run: InProcessRun, factory: BackendFactory, decoded: Any) -> Runner:
    def call(_test: dict[str, Any]) -> Any:
        try:
            return run.execute(factory, decoded)
        except (EncodingError, BackendFailure) as e:
            raise RunFailure(str(e)) from e

    return call


def _compare_run(fmt: FixtureFormat, fixture: dict[str, Any], runner: Runner,
                 test: dict[str, Any], prefix: str) -> list[str]:
    """CONF-CONSUME-2: one run of ``test``, its problems prefixed (by the label of the run)."""
    try:
        got = runner(test)
    except RunFailure as e:
        return [f"{prefix}backend: {e}"]
    return [prefix + p for p in fmt.compare(fixture, got)]


# --- Reading fixture files --------------------------------------------------------------------

@dataclass(frozen=True)
class FixtureJob:
    """One fixture to check: its name, its JSON and the schema's problems with it."""

    name: str
    fixture: dict[str, Any]
    schema_problems: tuple[str, ...] = ()


@dataclass
class LoadedFile:
    """A fixture file read and checked against the schema: its fixtures in name order, or
    the error that keeps it from being used."""

    source: FixtureSource
    jobs: list[FixtureJob] = field(default_factory=list)
    error: str | None = None


def _read(source: FixtureSource) -> Any:
    data = source.data if source.data is not None else source.path.read_bytes()
    return parse_json(data)


def load_file(source: FixtureSource, schema: Mapping[str, Any]) -> LoadedFile:
    """CONF-CONSUME-1, CONF-FORMAT-2: read a fixture file -- one fixture (an object with
    ``_info``, named after the file) or fixture name -> fixture -- and check it against the
    schema; the problems that lie inside one fixture become that fixture's."""
    loaded = LoadedFile(source, error=source.error)
    if loaded.error is not None:
        return loaded
    try:
        data = _read(source)
    except (OSError, ValueError) as e:
        loaded.error = f"cannot read: {e}"
        return loaded
    problems = validate(data, schema)
    if isinstance(data, dict) and "_info" in data:  # one fixture, named after its file
        messages = tuple(f"{pointer(where)}: {message}" for where, message in problems)
        loaded.jobs.append(FixtureJob(source.path.stem, data, messages))
        return loaded
    per_fixture: dict[str, list[str]] = {}
    for where, message in problems:
        if not where:
            loaded.error = f"schema: {message}"
        else:
            per_fixture.setdefault(str(where[0]), []).append(f"{pointer(where[1:])}: {message}")
    if loaded.error is not None or not isinstance(data, dict):
        loaded.error = loaded.error or "schema: a fixture file is a JSON object"
        return loaded
    if not data:
        loaded.error = "the file holds no fixture"
        return loaded
    loaded.jobs = [FixtureJob(name, data[name], tuple(per_fixture.get(name, [])))
                   for name in sorted(data)]
    return loaded


def consume_file(path: Path, schema: Mapping[str, Any], runner: Runner,
                 progress: Callable[[int, int, str], None] | None = None) -> FileOutcome:
    """CONF-CONSUME-1: check every fixture of one fixture file, in name order.
    ``progress(done, total, label)`` is called before each fixture."""
    (outcome,) = _check_files([load_file(FixtureSource(path), schema)], runner, progress)
    return outcome


# --- Selecting --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Selection:
    """CONF-CONSUME-3: which fixtures to check. A fixture is selected when its file's name
    (without ``.json``) is one of ``areas``, its name contains ``name``, one of its
    ``_info.rules`` matches one of the ``rules`` globs (``fnmatch``, case-sensitive) and its
    format is one of ``formats`` -- each condition only when given."""

    rules: tuple[str, ...] = ()
    name: str | None = None
    areas: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()

    def takes_file(self, source: FixtureSource) -> bool:
        """The ``areas`` condition, which is decided before a file is read."""
        return not self.areas or source.path.stem in self.areas

    def takes(self, job: FixtureJob) -> bool:
        """The conditions on one fixture."""
        if self.name is not None and self.name not in job.name:
            return False
        if self.rules and not any(fnmatchcase(rule, glob) for rule in _rules_of(job.fixture)
                                  for glob in self.rules):
            return False
        return not self.formats or _info_of(job.fixture).get("fixture_format") in self.formats


# --- Consuming --------------------------------------------------------------------------------

def fixture_sources(target: Path | FixtureSource) -> list[FixtureSource]:
    """CONF-CONSUME-1, CONF-CONSUME-6: the fixture files of a target: every ``*.json`` below
    a folder in sorted order; the members of a release archive (a file, or bytes, starting
    with the gzip magic; CONF-PACK-4); otherwise the file (or bytes) itself."""
    if isinstance(target, FixtureSource):
        if target.data is not None and target.data.startswith(GZIP_MAGIC):
            return read_archive(target.data, target.path)
        return [target]
    if target.is_dir():
        return [FixtureSource(p) for p in sorted(target.rglob("*.json")) if p.is_file()]
    try:
        with target.open("rb") as f:
            magic = f.read(len(GZIP_MAGIC))
        if magic == GZIP_MAGIC:
            return read_archive(target.read_bytes(), target)
    except OSError:
        pass  # reported when the file is read
    return [FixtureSource(target)]


_WORKER_RUNNER: Runner | None = None


def _start_worker(runner: Runner) -> None:
    """In a worker process of ``jobs > 1``: keep the runner; leave Ctrl-C to the parent,
    which stops the workers."""
    global _WORKER_RUNNER
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER_RUNNER = runner


def _consume_job(job: FixtureJob) -> FixtureOutcome:
    assert _WORKER_RUNNER is not None, "_start_worker runs first"
    return consume_fixture(job.name, job.fixture, job.schema_problems, _WORKER_RUNNER)


def _outcomes(jobs: list[FixtureJob], runner: Runner, processes: int
              ) -> Generator[FixtureOutcome, None, None]:
    """The outcomes of ``jobs`` in their order, computed here or by ``processes`` worker
    processes (started fresh, so no thread or lock of this process is inherited). Leaving the
    iterator early stops the workers."""
    if processes <= 1 or len(jobs) <= 1:
        for job in jobs:
            yield consume_fixture(job.name, job.fixture, job.schema_problems, runner)
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(min(processes, len(jobs)), _start_worker, (runner,)) as pool:
        yield from pool.imap(_consume_job, jobs)


def consume(targets: Path | FixtureSource | Sequence[Path | FixtureSource],
            schema: Mapping[str, Any], runner: Runner,
            progress: Callable[[int, int, str], None] | None = None, *,
            selection: Selection | None = None, jobs: int = 1,
            exitfirst: bool = False) -> list[FileOutcome]:
    """CONF-CONSUME-1..6: check every selected fixture of ``targets`` (files, folders,
    archives, or `FixtureSource`s holding bytes read elsewhere), file by file in the order
    given, fixtures in name order.

    ``jobs`` > 1 checks fixtures in that many processes (the runner must then be picklable,
    as `PythonRunner` and `CommandRunner` are: `InvalidArgumentError` otherwise); the outcomes
    and their order are those of ``jobs=1``. With ``exitfirst`` nothing more is checked after
    the first failing fixture or unreadable file. A file none of whose fixtures is selected is
    left out. ``progress(done, total, label)`` is called before each fixture and at the
    end."""
    if type(jobs) is not int or jobs < 1:
        raise InvalidArgumentError("jobs", "an integer of at least 1", jobs)
    if jobs > 1:
        try:
            pickle.dumps(runner)
        except Exception as e:  # PicklingError, AttributeError, TypeError, ...: not picklable
            raise InvalidArgumentError(
                "runner", "a runner worker processes can receive (PythonRunner, CommandRunner) "
                "when jobs > 1", runner) from e
    if isinstance(targets, Path | FixtureSource):
        targets = [targets]
    selection = selection or Selection()
    loaded: list[LoadedFile] = []
    for target in targets:
        for source in fixture_sources(target):
            if source.error is None and not selection.takes_file(source):
                continue  # a damaged archive member is reported whatever the selection
            file = load_file(source, schema)
            file.jobs = [job for job in file.jobs if selection.takes(job)]
            if file.error is not None or file.jobs:
                loaded.append(file)
    return _check_files(loaded, runner, progress, jobs, exitfirst)


def _check_files(loaded: list[LoadedFile], runner: Runner,
                 progress: Callable[[int, int, str], None] | None, jobs: int = 1,
                 exitfirst: bool = False) -> list[FileOutcome]:
    """CONF-CONSUME-4: the outcomes of the loaded files, in order; see `consume`."""
    todo = [job for file in loaded for job in file.jobs]
    results = _outcomes(todo, runner, jobs)
    outcomes: list[FileOutcome] = []
    done = 0
    try:
        for file in loaded:
            outcome = FileOutcome(file.source.path, error=file.error,
                                  archive=file.source.archive)
            outcomes.append(outcome)
            for k, _job in enumerate(file.jobs):
                if progress:
                    progress(done, len(todo),
                             f"{file.source.path.name} {k + 1}/{len(file.jobs)}")
                fixture = next(results)
                outcome.fixtures.append(fixture)
                done += 1
                if exitfirst and not fixture.passed:
                    break
            if exitfirst and not outcome.passed:
                break
    finally:
        results.close()  # stops the worker processes, if any are still running
    if progress:
        progress(done, len(todo), "")
    return outcomes
