"""Measuring the catalogue against the fixtures (spec/mutation.md, MUT-RUN-*).

A *step* is one ``supervm consume --json --backend B TARGET`` in a subprocess: a fixture file
of ``conformance/fixtures``, or a folder of other fixtures (``conformance/isolation``), on one
backend; or the folder of canaries (MUT-CANARY-1). `measure` first runs every step without a
mutant (the *baseline*: each must pass, and the canary step must fail every canary), then
each mutant in its own subprocesses (`supervm_ref.mutation.run`), its steps in a planned order
-- the target its ``hint`` names first, the reference backend before the others, quick steps
before slow ones -- stopping at the first step that detects it (MUT-RUN-2). Mutants run
``jobs`` at a time.

Only the exit status and the ``--json`` report of ``consume`` are used, the interface
spec/conformance.md (CONF-CONSUME-2) defines; when ``consume`` offers ``--exitfirst`` it is
passed too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from .canary import write_canaries
from .mutant import Mutant
from .patch import MutantNotApplicable, MutationError
from .run import EXIT_NOT_APPLICABLE, NO_MUTANT

#: MUT-RUN-1: the folders of ``conformance/`` that hold no fixtures.
NOT_FIXTURES = frozenset({"fillers", "contracts", "fixtures"})

#: MUT-RUN-1: the backends every step runs on, in this order.
DEFAULT_BACKENDS: tuple[str, ...] = ("reference", "wasmtime")

#: A step without a timeout of its own gets this many times its baseline duration, plus
#: `TIMEOUT_MARGIN` seconds (a mutant may make a consume loop forever).
TIMEOUT_FACTOR = 10
TIMEOUT_MARGIN = 30.0


class BaselineFailed(MutationError):
    """MUT-RUN-3: without any mutant, a step does not pass (or a canary passes): every mutant
    would look detected, so nothing is measured. ``failures`` describe the steps."""

    def __init__(self, failures: list[str]) -> None:
        super().__init__("the unmutated code does not pass the fixtures, so no mutant can be "
                         "measured:\n  " + "\n  ".join(failures))
        self.failures = failures


@dataclass(frozen=True, slots=True)
class Step:
    """MUT-RUN-1: one consume of ``target`` (a file or folder) on ``backend``; ``canary``:
    the target is the canary folder, whose every file must fail."""

    target: Path
    backend: str
    canary: bool = False

    @property
    def name(self) -> str:
        """How reports name the target: a file's name, a folder's name with ``/``."""
        return "canaries/" if self.canary else (
            f"{self.target.name}/" if self.target.is_dir() else self.target.name)

    @property
    def stem(self) -> str:
        """What a mutant's ``hint`` matches: a file's stem, a folder's name."""
        return "canaries" if self.canary else (
            self.target.name if self.target.is_dir() else self.target.stem)

    @property
    def label(self) -> str:
        """``engine.json@reference``."""
        return f"{self.name}@{self.backend}"


@dataclass(slots=True)
class StepResult:
    """What one step did: the exit status (None: timed out), how long it took, and what
    failed -- fixtures (``file: name``), or for the canary step the canaries that passed."""

    step: Step
    status: int | None
    seconds: float
    failures: list[str] = field(default_factory=list)
    detail: str = ""

    @property
    def not_applicable(self) -> bool:
        """The mutant could not be installed in the subprocess."""
        return self.status == EXIT_NOT_APPLICABLE

    @property
    def detects(self) -> bool:
        """MUT-RUN-2: the step tells the mutant apart from correct code: a fixture step
        exited non-zero (or never finished); the canary step did not fail every canary."""
        if self.not_applicable:
            return False
        if self.step.canary:
            return bool(self.failures) or self.status != 1
        return self.status != 0

    def describe(self) -> str:
        """One line: where the step failed and why."""
        if self.status is None:
            return f"{self.step.label}: no result within the timeout ({self.detail})"
        if self.step.canary:
            what = ("canary " + ", ".join(self.failures) + " passed" if self.failures
                    else f"exit status {self.status}")
            return f"{self.step.label}: {what}"
        if self.failures:
            more = f" (+{len(self.failures) - 1} more)" if len(self.failures) > 1 else ""
            return f"{self.step.label}: {self.failures[0]}{more}"
        return f"{self.step.label}: exit status {self.status}" + (
            f" ({self.detail})" if self.detail else "")


@dataclass(slots=True)
class MutantResult:
    """MUT-RUN-2: the verdict on one mutant: ``detected`` (``by`` the step that did),
    ``survived`` (every step passed), or ``error`` (it could not be installed)."""

    mutant: Mutant
    verdict: str
    steps: list[StepResult] = field(default_factory=list)
    seconds: float = 0.0
    note: str = ""

    @property
    def by(self) -> StepResult | None:
        """The step that detected the mutant."""
        return self.steps[-1] if self.verdict == "detected" and self.steps else None

    @property
    def unexplained(self) -> bool:
        """MUT-CAT-3: it survived, and the catalogue does not say why it may."""
        return self.verdict == "survived" and self.mutant.survives is None

    @property
    def stale_explanation(self) -> bool:
        """The catalogue says it survives, yet the fixtures detect it now."""
        return self.verdict == "detected" and self.mutant.survives is not None


@dataclass(slots=True)
class MutationReport:
    """MUT-RUN-4: every mutant's verdict, the baseline steps, and the totals."""

    results: list[MutantResult]
    baseline: list[StepResult]
    seconds: float
    min_detection: float

    @property
    def detected(self) -> int:
        """How many mutants the fixtures detected."""
        return sum(r.verdict == "detected" for r in self.results)

    @property
    def rate(self) -> float:
        """MUT-RUN-4: detected mutants as a percentage of those measured (100 for none)."""
        return 100.0 * self.detected / len(self.results) if self.results else 100.0

    @property
    def ok(self) -> bool:
        """MUT-RUN-4: the rate reaches the threshold, every survivor is explained and every
        mutant could be installed."""
        return (self.rate >= self.min_detection
                and not any(r.unexplained or r.verdict == "error" for r in self.results))


# --- the steps --------------------------------------------------------------------------------


def default_targets(root: Path) -> list[Path]:
    """MUT-RUN-1: every fixture file of ``conformance/fixtures``, then every other folder of
    ``conformance/`` that holds ``*.json`` fixtures (``isolation``, and kinds added later)."""
    conformance = root / "conformance"
    if not conformance.is_dir():
        raise MutationError(f"no conformance/ folder in {root}")
    files = sorted((conformance / "fixtures").glob("*.json"))
    folders = sorted(d for d in conformance.iterdir()
                     if d.is_dir() and d.name not in NOT_FIXTURES and any(d.rglob("*.json")))
    return [*files, *folders]


def consume_supports_exitfirst() -> bool:
    """Whether ``supervm consume`` has ``--exitfirst`` (then a failing file stops at its first
    failing fixture)."""
    import argparse

    from ..cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return "--exitfirst" in {s for a in sub.choices["consume"]._actions
                             for s in a.option_strings}


class Children:
    """The subprocesses this run started, so that Ctrl-C can end exactly those."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._live: set[subprocess.Popen[bytes]] = set()
        self.stopping = threading.Event()

    def run(self, argv: list[str], cwd: Path, timeout: float | None
            ) -> tuple[int | None, bytes, bytes, float]:
        """Run ``argv``; (exit status or None on timeout, stdout, stderr, seconds)."""
        if self.stopping.is_set():
            raise KeyboardInterrupt
        env = {**os.environ, "SUPERVM_PROGRESS": "0"}
        start = time.monotonic()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        with self._lock:
            self._live.add(proc)
        try:
            try:
                out, err = proc.communicate(timeout=timeout)
                status: int | None = proc.returncode
            except subprocess.TimeoutExpired:
                proc.kill()
                out, err = proc.communicate()
                status = None
        finally:
            with self._lock:
                self._live.discard(proc)
        if self.stopping.is_set():
            raise KeyboardInterrupt
        return status, out, err, time.monotonic() - start

    def stop(self) -> None:
        """End every live subprocess of this run (by its own handle) and start no other."""
        self.stopping.set()
        with self._lock:
            live = list(self._live)
        for proc in live:
            if proc.poll() is None:
                proc.kill()


def _failures(stdout: bytes, step: Step) -> tuple[list[str] | None, str]:
    """From consume's ``--json`` report: the failing fixtures (``name``, or ``file: name``
    when the target is a folder), or for the canary step the canaries that passed; None when
    the report cannot be read."""
    try:
        report = json.loads(stdout)
        files = report["files"]
        if step.canary:
            return [Path(f["path"]).stem for f in files if f["passed"]], ""
        out: list[str] = []
        for f in files:
            where = f"{Path(f['path']).name}: " if step.target.is_dir() else ""
            if f.get("error"):
                out.append(f"{where}{f['error']}")
            out += [f"{where}{x['name']}" for x in f.get("failures", [])]
        return out, ""
    except (ValueError, KeyError, TypeError):
        return None, "no JSON report"


def run_step(children: Children, root: Path, mutant_id: str, step: Step, timeout: float | None,
             exitfirst: bool) -> StepResult:
    """MUT-RUN-2: one consume in a subprocess with ``mutant_id`` installed (``none``: none)."""
    argv = [sys.executable, "-m", "supervm_ref.mutation.run", mutant_id, "consume", "--json",
            "--root", str(root), "--backend", step.backend]
    if exitfirst and not step.canary:
        argv.append("--exitfirst")
    argv.append(str(step.target))
    status, out, err, seconds = children.run(argv, root, timeout)
    failures, problem = _failures(out, step)
    tail = err.decode("utf-8", "replace").strip().splitlines()
    detail = tail[-1] if tail else problem
    if status is None:
        detail = f"{timeout:g} s"
    return StepResult(step, status, seconds, failures or [], detail)


def plan(mutant: Mutant, steps: Sequence[Step], seconds: dict[Step, float],
         backends: Sequence[str]) -> list[Step]:
    """MUT-RUN-2: the order a mutant's steps run in: the hinted target first (on every
    backend, the first backend first), then the other fixture steps backend by backend,
    quickest first, then the canaries -- or the canaries first for a consumer mutant whose
    hint names them."""
    order = {b: i for i, b in enumerate(backends)}

    def key(s: Step) -> tuple[int, int, float]:
        hinted = 0 if mutant.hint and s.stem == mutant.hint else 1
        return hinted, order.get(s.backend, len(order)), seconds.get(s, 0.0)

    fixtures = sorted((s for s in steps if not s.canary), key=key)
    canaries = [s for s in steps if s.canary]
    return [*canaries, *fixtures] if mutant.hint == "canaries" else [*fixtures, *canaries]


def _timeout(step: Step, seconds: dict[Step, float], fixed: float | None) -> float:
    return fixed if fixed is not None else TIMEOUT_FACTOR * seconds.get(step, 1.0) \
        + TIMEOUT_MARGIN


def run_mutant(children: Children, root: Path, mutant: Mutant, steps: list[Step],
               seconds: dict[Step, float], fixed_timeout: float | None, exitfirst: bool
               ) -> MutantResult:
    """MUT-RUN-2: run ``steps`` in order with ``mutant`` installed, up to the first that
    detects it."""
    start = time.monotonic()
    try:
        mutant.check()
    except MutantNotApplicable as e:
        return MutantResult(mutant, "error", note=str(e))
    done: list[StepResult] = []
    for step in steps:
        result = run_step(children, root, mutant.mutant_id, step,
                          _timeout(step, seconds, fixed_timeout), exitfirst)
        done.append(result)
        if result.not_applicable:
            return MutantResult(mutant, "error", done, time.monotonic() - start,
                                result.detail)
        if result.detects:
            return MutantResult(mutant, "detected", done, time.monotonic() - start)
    return MutantResult(mutant, "survived", done, time.monotonic() - start)


def _baseline_problem(result: StepResult) -> str | None:
    if result.step.canary:
        if result.status == 1 and not result.failures:
            return None
        if result.failures:
            return f"{result.step.label}: canary {', '.join(result.failures)} passed"
        return f"{result.step.label}: exit status {result.status} ({result.detail})"
    if result.status == 0:
        return None
    if result.status is None:
        return f"{result.step.label}: did not finish within {result.detail}"
    return result.describe()


def _run_all(children: Children, jobs: int, tasks: list[Callable[[], Any]],
             done: Callable[[Any], None]) -> None:
    """Run ``tasks`` on ``jobs`` threads, calling ``done`` with each result as it comes; on
    Ctrl-C end this run's subprocesses and re-raise."""
    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="supervm-mutate")
    try:
        pending: set[Future[Any]] = {pool.submit(t) for t in tasks}
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for f in finished:
                done(f.result())
    except BaseException:
        children.stop()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def measure(root: Path, mutants: Sequence[Mutant], *, targets: Sequence[Path] | None = None,
            backends: Sequence[str] = DEFAULT_BACKENDS, jobs: int = 2,
            timeout: float | None = None, min_detection: float = 95.0,
            progress: Callable[[int, int, str], None] | None = None) -> MutationReport:
    """MUT-RUN-1..4: the baseline, then every mutant; see the module docstring.
    `BaselineFailed` when the unmutated code does not pass."""
    start = time.monotonic()
    targets = list(targets) if targets is not None else default_targets(root)
    if not targets:
        raise MutationError(f"no fixture target under {root / 'conformance'}")
    children = Children()
    exitfirst = consume_supports_exitfirst()
    with tempfile.TemporaryDirectory(prefix="supervm-canaries-") as tmp:
        canary_dir = Path(tmp)
        write_canaries([*targets, *default_targets(root)], canary_dir)
        steps = [Step(t, b) for b in backends for t in targets]
        steps.append(Step(canary_dir, backends[0], canary=True))
        total = len(steps) + len(mutants)
        finished = 0

        def report(label: str) -> None:
            nonlocal finished
            finished += 1
            if progress:
                progress(finished, total, label)

        # BASELINE (MUT-RUN-3)
        baseline: list[StepResult] = []

        def baseline_done(r: StepResult) -> None:
            baseline.append(r)
            report(f"baseline {r.step.label}")

        _run_all(children, jobs, [partial(run_step, children, root, NO_MUTANT, s, timeout,
                                          exitfirst) for s in steps], baseline_done)
        baseline.sort(key=lambda r: steps.index(r.step))
        problems = [p for p in map(_baseline_problem, baseline) if p]
        if problems:
            raise BaselineFailed(problems)
        seconds = {r.step: r.seconds for r in baseline}

        # MUTANTS (MUT-RUN-2)
        results: list[MutantResult] = []

        def mutant_done(r: MutantResult) -> None:
            results.append(r)
            report(r.mutant.mutant_id)

        _run_all(children, jobs, [partial(run_mutant, children, root, m,
                                          plan(m, steps, seconds, backends), seconds, timeout,
                                          exitfirst) for m in mutants], mutant_done)
    order = {m.mutant_id: i for i, m in enumerate(mutants)}
    results.sort(key=lambda r: order[r.mutant.mutant_id])
    return MutationReport(results, baseline, time.monotonic() - start, min_detection)
