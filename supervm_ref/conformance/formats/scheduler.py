"""The seed's parallel execution engine as step scripts, ``supervm_scheduler_test``
(spec/conformance.md section 11, CONF-SCHED-*; spec/scheduling.md, PAR-SCRIPT-*).

A scheduler fixture is a step script of `supervm_ref.parallel.script` -- an initial state and
steps calling the `ConflictDetector`, the `StateManager` and `ParallelScheduler`,
`execute_in_batches` and the `WorkStealingScheduler` -- and the observation of every step,
filled by the reference (PAR-SCRIPT-2):

- a backend is given ``{fixture_format, pre, steps}`` and answers ``{"results": [...]}``, one
  observation per step;
- the fixture passes when every observation equals the recorded one, as JSON;
- in process the steps run on the reference engine, whatever the execution backend (the
  engine, not contract execution, is what it checks); an external program runs them behind
  CONF-PROTO-1 on its own engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from ...backends import BackendFactory
from ...errors import shown
from ...parallel.errors import ParallelError
from ...parallel.script import STEPS, InvalidSchedulerScript, run_script
from ..compare import diff
from ..encoding import EncodingError
from ..execute import BackendFailure
from ..filler import FillerError
from .base import FixtureFormat

#: CONF-SCHED-1: the members of a scheduler fixture besides ``_info``.
MEMBERS = ("pre", "steps", "post")


@dataclass(frozen=True)
class SchedulerCase:
    """CONF-SCHED-1: a filler case of this format: a step script (PAR-SCRIPT-1) -- ``pre``,
    the initial storage as text, and ``steps`` -- whose observations `fill` records."""

    name: str
    description: str
    rules: list[str]
    pre: dict[str, str] = field(default_factory=dict)
    steps: list[dict[str, Any]] = field(default_factory=list)
    kind: str = "scheduler"


def _script_problem(pre: Any, steps: Any) -> str | None:
    """PAR-SCRIPT-1: why ``pre`` and ``steps`` are not a script (running it is the check: the
    runner stops at the first malformed step), or None."""
    try:
        run_script(pre, steps)
    except InvalidSchedulerScript as e:
        return str(e)
    except ParallelError as e:  # pragma: no cover - the runner turns these into observations
        return f"the engine raised {type(e).__name__}: {e}"
    return None


class SchedulerFormat(FixtureFormat):
    """CONF-SCHED-*: step scripts of the seed's parallel engine and their observations."""

    name: ClassVar[str] = "supervm_scheduler_test"
    uses_execution_backend: ClassVar[bool] = False
    description: ClassVar[str] = ("a run of the seed's parallel engine (conflict detector, "
                                  "snapshots and scheduler, batches, work stealing) as steps; "
                                  "every step's observation must be equal")
    spec_section: ClassVar[str] = ("spec/conformance.md section 11 (CONF-SCHED-*), "
                                   "spec/scheduling.md PAR-SCRIPT-*")
    input_definition: ClassVar[str] = "scheduler_input"
    output_definition: ClassVar[str] = "scheduler_output"
    output_name: ClassVar[str] = "a list of observations"
    case_kind: ClassVar[str | None] = "scheduler"
    case_type: ClassVar[type | None] = SchedulerCase

    def schema_defs(self) -> dict[str, Any]:
        """CONF-SCHED-1/2: a fixture, an input and an output. Steps are objects naming one of
        the runner's ops; the rest of their grammar is PAR-SCRIPT-1's, checked by running."""
        text_map = {"type": "object", "additionalProperties": {"type": "string"}}
        steps = {"type": "array", "items": {
            "type": "object", "required": ["op"],
            "properties": {"op": {"enum": list(STEPS)}}}}
        results = {"type": "array"}
        return {
            self.name: {
                "description": "CONF-SCHED-1: a step script and every step's observation.",
                "type": "object",
                "required": ["_info", *MEMBERS],
                "additionalProperties": False,
                "properties": {"_info": {"$ref": "#/$defs/info"}, "pre": text_map,
                               "steps": steps,
                               "post": {"type": "object", "required": ["results"],
                                        "additionalProperties": False,
                                        "properties": {"results": results}}},
            },
            self.input_definition: {
                "description": "CONF-SCHED-2: what a backend is given.",
                "type": "object", "required": ["fixture_format", "pre", "steps"],
                "additionalProperties": False,
                "properties": {"fixture_format": {"const": self.name}, "pre": text_map,
                               "steps": steps},
            },
            self.output_definition: {
                "description": "CONF-SCHED-2: one observation per step (PAR-SCRIPT-2).",
                "type": "object", "required": ["results"], "additionalProperties": False,
                "properties": {"results": results},
            },
        }

    # --- Filling ------------------------------------------------------------------------------

    def check_case(self, case: SchedulerCase) -> None:
        """CONF-FILL-2, PAR-SCRIPT-1: ``pre`` maps text to text and the steps are a script."""
        if not isinstance(case.pre, dict) or any(
                not isinstance(k, str) or not isinstance(v, str) for k, v in case.pre.items()):
            raise FillerError(f"case {shown(case.name)}: pre must map strings to strings")
        if not isinstance(case.steps, list) or not case.steps:
            raise FillerError(f"case {shown(case.name)}: needs at least one step")
        problem = _script_problem(case.pre, case.steps)
        if problem is not None:
            raise FillerError(f"case {shown(case.name)}: {problem}")

    def fill(self, case: SchedulerCase) -> dict[str, Any]:
        """CONF-SCHED-1: the script and the reference's observations."""
        return {"pre": dict(case.pre), "steps": list(case.steps),
                "post": {"results": run_script(case.pre, case.steps)}}

    # --- Checking -----------------------------------------------------------------------------

    def invalid(self, fixture: dict[str, Any]) -> list[str]:
        """PAR-SCRIPT-1: a fixture whose steps are not a script is not run."""
        problem = _script_problem(fixture["pre"], fixture["steps"])
        return [] if problem is None else [f"script: {problem}"]

    def backend_input(self, fixture: dict[str, Any]) -> dict[str, Any]:
        """CONF-SCHED-2: ``{fixture_format, pre, steps}``."""
        return {"fixture_format": self.name, "pre": fixture["pre"], "steps": fixture["steps"]}

    def compare(self, fixture: dict[str, Any], got: Any) -> list[str]:
        """CONF-SCHED-3: step by step, every difference of the observations."""
        expected, observed = fixture["post"]["results"], got["results"]
        problems: list[str] = []
        if len(expected) != len(observed):
            problems.append(f"results: expected {len(expected)} observation(s), got "
                            f"{len(observed)}")
        for i, (e, g) in enumerate(zip(expected, observed)):
            problems += diff(f"steps[{i}] ({fixture['steps'][i]['op']})", e, g)
        return problems

    # --- Running ------------------------------------------------------------------------------

    def decode_input(self, test: dict[str, Any]) -> tuple[dict[str, str], list[Any]]:
        """CONF-SCHED-2: ``pre`` and ``steps``; `EncodingError` for anything else or a
        malformed script."""
        extra = sorted(set(test) - {"fixture_format", "pre", "steps"})
        if extra:
            raise EncodingError(f"input: unexpected members {extra}")
        pre, steps = test.get("pre", {}), test.get("steps")
        problem = _script_problem(pre, steps)
        if problem is not None:
            raise EncodingError(f"input: {problem}")
        return pre, steps  # type: ignore[return-value]

    def execute(self, factory: BackendFactory, decoded: tuple[dict[str, str], list[Any]]
                ) -> dict[str, Any]:
        """CONF-SCHED-2, PAR-SCRIPT-2: the steps on a fresh reference engine (``factory``, an
        execution backend, plays no part); one observation per step."""
        pre, steps = decoded
        try:
            return {"results": run_script(pre, steps)}
        except InvalidSchedulerScript as e:  # pragma: no cover - decode_input checked it
            raise BackendFailure(str(e)) from e
