"""The adaptive router as step scripts, ``supervm_router_test`` (spec/conformance.md section 14,
CONF-ROUTER-*; spec/adaptive.md, ROUTE-ADAPT-*).

A router fixture is a configuration, given as the texts of the ``SUPERVM_ADAPTIVE_*``
environment variables, and steps -- observations, ``fast_slots`` queries and ``stats`` -- with
what the reference router answers after each (CONF-ROUTER-2):

- a backend is given ``{fixture_format, config, steps}`` and answers ``{"results": [...]}``,
  one observation per step, or ``{"config_error": {kind, variables}}`` when the configuration
  cannot be used (then no step runs);
- the fixture passes when the answer equals the recorded one, as JSON;
- in process the steps run on the reference router whatever the execution backend: the router
  does not use the WebAssembly engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from ...backends import BackendFactory
from ...errors import InvalidArgumentError, shown
from ...routing.adaptive import (
    ENV_PREFIX,
    AdaptiveConfigError,
    AdaptiveConfigErrorKind,
    AdaptiveRouter,
    AdaptiveRouterConfig,
)
from ..compare import diff
from ..encoding import EncodingError
from ..filler import FillerError
from .base import FixtureFormat

#: CONF-ROUTER-1: the members of a router fixture besides ``_info``.
MEMBERS = ("config", "steps", "post")
#: CONF-ROUTER-2: each step's op and the members it has besides ``op``.
STEPS: dict[str, tuple[str, ...]] = {
    "observe": ("transactions", "successes", "conflicts"),
    "fast_slots": ("capacity",),
    "stats": (),
}


class InvalidRouterScript(EncodingError):
    """CONF-ROUTER-2: a configuration or steps that are not a router script."""


@dataclass(frozen=True)
class RouterCase:
    """CONF-ROUTER-1: a filler case of this format: ``config`` (environment variable ->
    text, ROUTE-ADAPT-4) and ``steps``, whose answers `fill` records."""

    name: str
    description: str
    rules: list[str]
    config: dict[str, str] = field(default_factory=dict)
    steps: list[dict[str, Any]] = field(default_factory=list)
    kind: str = "router"


def check_script(config: Any, steps: Any) -> None:
    """CONF-ROUTER-2: ``config`` maps names starting with ``SUPERVM_ADAPTIVE_`` to texts;
    ``steps`` is a list of objects, each with a known ``op`` and exactly that op's members
    (their values may be any JSON: a wrong one is an observed error, not a bad script)."""
    if not isinstance(config, dict) or any(
            not isinstance(k, str) or not k.startswith(ENV_PREFIX) or not isinstance(v, str)
            for k, v in config.items()):
        raise InvalidRouterScript(f"config must map SUPERVM_ADAPTIVE_* names to strings, "
                                  f"got {shown(config)}")
    if not isinstance(steps, list):
        raise InvalidRouterScript(f"steps must be a list, got {shown(steps)}")
    for i, step in enumerate(steps):
        if not isinstance(step, dict) or step.get("op") not in STEPS:
            raise InvalidRouterScript(f"steps[{i}]: expected an object whose op is one of "
                                      f"{', '.join(STEPS)}, got {shown(step)}")
        members = {"op", *STEPS[step["op"]]}
        if set(step) != members:
            raise InvalidRouterScript(f"steps[{i}] ({step['op']}): expected the members "
                                      f"{sorted(members)}, got {sorted(step)}")


def _step(router: AdaptiveRouter, step: dict[str, Any]) -> dict[str, Any]:
    """CONF-ROUTER-2: one step's observation."""
    op = step["op"]
    try:
        if op == "observe":
            moved = router.observe(transactions=step["transactions"],
                                   successes=step["successes"], conflicts=step["conflicts"])
            return {"moved": moved, "target_ppm": router.target_fast_ratio_ppm(),
                    "adjustments": router.adjustments()}
        if op == "fast_slots":
            return {"slots": router.fast_slots(step["capacity"])}
        return router.stats().as_dict()
    except InvalidArgumentError as e:  # ROUTE-ADAPT-7/10: nothing changed
        return {"error": "invalid_argument", "argument": e.argument}


def run_router_script(config: dict[str, str], steps: list[dict[str, Any]]) -> dict[str, Any]:
    """CONF-ROUTER-2: the output for a script: ``{"results": [...]}``, or ``{"config_error":
    {"kind", "variables"}}`` when ``config`` is not a configuration (ROUTE-ADAPT-6)."""
    check_script(config, steps)
    try:
        router_config = AdaptiveRouterConfig.from_env(config)
    except AdaptiveConfigError as e:
        return {"config_error": {"kind": str(e.kind), "variables": list(e.variables)}}
    router = AdaptiveRouter(router_config)
    return {"results": [_step(router, step) for step in steps]}


class RouterFormat(FixtureFormat):
    """CONF-ROUTER-*: configurations and steps of the adaptive router, and its answers."""

    name: ClassVar[str] = "supervm_router_test"
    uses_execution_backend: ClassVar[bool] = False
    description: ClassVar[str] = ("the adaptive router's targets, adjustments, fast slots "
                                  "and statistics after each step of observations from a "
                                  "configuration of SUPERVM_ADAPTIVE_* texts, or the "
                                  "configuration's error; every answer must be equal")
    spec_section: ClassVar[str] = ("spec/conformance.md section 14 (CONF-ROUTER-*), "
                                   "spec/adaptive.md ROUTE-ADAPT-*")
    input_definition: ClassVar[str] = "router_input"
    output_definition: ClassVar[str] = "router_output"
    output_name: ClassVar[str] = "a list of answers"
    case_kind: ClassVar[str | None] = "router"
    case_type: ClassVar[type | None] = RouterCase

    def schema_defs(self) -> dict[str, Any]:
        """CONF-ROUTER-1/2: a fixture, an input and an output."""
        config = {"type": "object", "propertyNames": {"pattern": "^SUPERVM_ADAPTIVE_"},
                  "additionalProperties": {"type": "string"}}
        steps = {"type": "array", "items": {
            "type": "object", "required": ["op"],
            "properties": {"op": {"enum": list(STEPS)}}}}
        config_error = {
            "type": "object", "required": ["kind", "variables"], "additionalProperties": False,
            "properties": {"kind": {"enum": [k.value for k in AdaptiveConfigErrorKind]},
                           "variables": {"type": "array", "items": {"type": "string"}}}}
        output = {
            "description": "CONF-ROUTER-2: one answer per step, or the configuration's error "
                           "(ROUTE-ADAPT-6), never both.",
            "type": "object",
            "if": {"required": ["config_error"]},
            "then": {"required": ["config_error"], "additionalProperties": False,
                     "properties": {"config_error": config_error}},
            "else": {"required": ["results"], "additionalProperties": False,
                     "properties": {"results": {"type": "array",
                                                "items": {"type": "object"}}}},
        }
        return {
            self.name: {
                "description": "CONF-ROUTER-1: a configuration, steps and every answer.",
                "type": "object",
                "required": ["_info", *MEMBERS],
                "additionalProperties": False,
                "properties": {"_info": {"$ref": "#/$defs/info"}, "config": config,
                               "steps": steps,
                               "post": {"$ref": f"#/$defs/{self.output_definition}"}},
            },
            self.input_definition: {
                "description": "CONF-ROUTER-2: what a backend is given.",
                "type": "object", "required": ["fixture_format", "config", "steps"],
                "additionalProperties": False,
                "properties": {"fixture_format": {"const": self.name}, "config": config,
                               "steps": steps},
            },
            self.output_definition: output,
        }

    # --- Filling ------------------------------------------------------------------------------

    def check_case(self, case: RouterCase) -> None:
        """CONF-FILL-2, CONF-ROUTER-2: the configuration and steps are a script."""
        try:
            check_script(case.config, case.steps)
        except InvalidRouterScript as e:
            raise FillerError(f"case {shown(case.name)}: {e}") from e

    def fill(self, case: RouterCase) -> dict[str, Any]:
        """CONF-ROUTER-1: the script and the reference router's answers."""
        return {"config": dict(case.config), "steps": list(case.steps),
                "post": run_router_script(case.config, case.steps)}

    # --- Checking -----------------------------------------------------------------------------

    def invalid(self, fixture: dict[str, Any]) -> list[str]:
        """CONF-ROUTER-2: a fixture whose configuration or steps are not a script is not run."""
        try:
            check_script(fixture["config"], fixture["steps"])
        except InvalidRouterScript as e:
            return [f"script: {e}"]
        return []

    def backend_input(self, fixture: dict[str, Any]) -> dict[str, Any]:
        """CONF-ROUTER-2: ``{fixture_format, config, steps}``."""
        return {"fixture_format": self.name, "config": fixture["config"],
                "steps": fixture["steps"]}

    def compare(self, fixture: dict[str, Any], got: Any) -> list[str]:
        """CONF-ROUTER-3: the configuration error, or step by step every difference."""
        expected: dict[str, Any] = fixture["post"]
        if set(expected) != set(got):
            return [f"expected {sorted(expected)}, got {sorted(got)}: "
                    f"{shown(got, 200)}"]
        if "config_error" in expected:
            return diff("config_error", expected["config_error"], got["config_error"])
        wanted, observed = expected["results"], got["results"]
        problems: list[str] = []
        if len(wanted) != len(observed):
            problems.append(f"results: expected {len(wanted)} answer(s), got {len(observed)}")
        for i, (e, g) in enumerate(zip(wanted, observed)):
            problems += diff(f"steps[{i}] ({fixture['steps'][i]['op']})", e, g)
        return problems

    # --- Running ------------------------------------------------------------------------------

    def decode_input(self, test: dict[str, Any]) -> tuple[dict[str, str], list[Any]]:
        """CONF-ROUTER-2: ``config`` and ``steps``; `EncodingError` for anything else."""
        extra = sorted(set(test) - {"fixture_format", "config", "steps"})
        if extra:
            raise EncodingError(f"input: unexpected members {extra}")
        config, steps = test.get("config"), test.get("steps")
        try:
            check_script(config, steps)
        except InvalidRouterScript as e:
            raise EncodingError(f"input: {e}") from e
        return config, steps  # type: ignore[return-value]

    def execute(self, factory: BackendFactory, decoded: tuple[dict[str, str], list[Any]]
                ) -> dict[str, Any]:
        """CONF-ROUTER-2: the steps on a fresh reference router (``factory``, an execution
        backend, plays no part: the router does not use the WebAssembly engine)."""
        config, steps = decoded
        return run_router_script(config, steps)
