"""The isolation step script, ``supervm_isolation_test`` (spec/conformance.md section 9,
CONF-ISOLATION-*; spec/mvcc.md, MVCC-ISO-*).

An isolation fixture is one file of ``conformance/isolation/``, written by hand: an initial
state, steps that interleave named transactions on the transactional store, step expectations
and the outcomes that show an anomaly did not happen. The format (and its string) is declared
by the script runner, `supervm_ref.mvcc.script`; this module makes it a fixture format:

- a backend is given ``pre`` and the steps (without their ``expect``), and answers with the
  *outcome* of MVCC-ISO-2: each transaction's status and reads, and the final state;
- the fixture passes when every step's ``expect`` holds in that outcome and the outcome is one
  of ``allowed_outcomes`` (MVCC-ISO-3);
- in process it runs on the reference `MvccStore`, whatever the execution backend (the store,
  not contract execution, is what it checks); an external program runs it behind CONF-PROTO-1
  on its own store.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from ...backends import BackendFactory
from ...errors import shown
from ...mvcc.errors import InvalidScript, MvccError
from ...mvcc.script import (
    FIXTURE_FORMAT,
    OPS,
    STATUSES,
    STORE_OPS,
    IsolationScript,
    outcome_matches,
    parse_script,
    run_script,
)
from ..encoding import EncodingError
from ..execute import BackendFailure
from .base import FixtureFormat

#: The ``_info`` that turns a protocol input into a script `parse_script` checks.
_INPUT_INFO = {"fixture_format": FIXTURE_FORMAT, "description": "a CONF-PROTO-1 input",
               "source": "CONF-PROTO-1", "rules": ["MVCC-ISO-1"]}


def _observed(got: dict[str, Any], steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """MVCC-ISO-2: what each step observed, recovered from an outcome: a read's value and a
    scan's items are its transaction's next entry of ``reads``; a commit's status is its
    transaction's (nothing follows a commit); a ``gc`` step's statistics are the next entry of
    ``gc``."""
    observed: list[dict[str, Any]] = []
    taken: dict[str, int] = {}
    collections = iter(got.get("gc", []))
    for step in steps:
        seen: dict[str, Any] = {}
        if step["op"] in STORE_OPS:
            seen = dict(next(collections, {}))
            observed.append(seen)
            continue
        entry = got["txns"].get(step["txn"])
        if step["op"] in ("read", "scan") and entry is not None:
            k = taken.get(step["txn"], 0)
            taken[step["txn"]] = k + 1
            if k < len(entry["reads"]):
                seen["value" if step["op"] == "read" else "items"] = entry["reads"][k]
        elif step["op"] == "commit" and entry is not None:
            seen["status"] = entry["status"]
        observed.append(seen)
    return observed


class IsolationFormat(FixtureFormat):
    """CONF-ISOLATION-1..3: an isolation step script of spec/mvcc.md, written by hand."""

    name: ClassVar[str] = FIXTURE_FORMAT
    uses_execution_backend: ClassVar[bool] = False
    description: ClassVar[str] = ("an interleaving of transactions on the MVCC store; every "
                                  "step expectation holds and the outcome is an allowed one")
    spec_section: ClassVar[str] = ("spec/conformance.md section 9 (CONF-ISOLATION-*), "
                                   "spec/mvcc.md MVCC-ISO-*")
    folder: ClassVar[str] = "conformance/isolation"
    input_definition: ClassVar[str] = "isolation_input"
    output_definition: ClassVar[str] = "isolation_outcome"
    output_name: ClassVar[str] = "an outcome"

    def schema_defs(self) -> dict[str, Any]:
        """MVCC-ISO-1: the structure of a script (`parse_script` checks the rest: each op's
        fields, the transactions' lifecycle, outcomes naming every transaction)."""
        pairs = {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "string"}}
        status = {"enum": list(STATUSES)}
        return {
            "text_map": {
                "description": "MVCC-ISO-1: UTF-8 text key -> UTF-8 text value.",
                "type": "object",
                "additionalProperties": {"type": "string"},
            },
            "isolation_read": {
                "description": "MVCC-ISO-2: a read's value (or null), or a scan's [key, value] "
                               "pairs.",
                "type": ["string", "null", "array"],
                "items": pairs,
            },
            "isolation_step": {
                "description": "MVCC-ISO-1: one step of one transaction, or a store op "
                               "(gc) without txn.",
                "type": "object",
                "required": ["op"],
                "if": {"properties": {"op": {"enum": list(STORE_OPS)}}},
                "else": {"required": ["txn"]},
                "additionalProperties": False,
                "properties": {
                    "txn": {"type": "string"},
                    "op": {"enum": list(OPS)},
                    "key": {"type": "string"},
                    "value": {"type": "string"},
                    "prefix": {"type": "string"},
                    "limit": {"type": "integer"},
                    "expect": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            "value": {"type": ["string", "null"]},
                            "items": {"type": "array", "items": pairs},
                            "status": status,
                            "versions_cleaned": {"type": "integer", "minimum": 0},
                            "keys_removed": {"type": "integer", "minimum": 0},
                        },
                    },
                },
            },
            "isolation_steps": {
                "type": "array",
                "minItems": 1,
                "items": {"$ref": "#/$defs/isolation_step"},
            },
            "isolation_outcome": {
                "description": "MVCC-ISO-2: the outcome of a script; the output of the "
                               "CONF-PROTO-1 protocol for an isolation input.",
                "type": "object",
                "required": ["txns", "final"],
                "additionalProperties": False,
                "properties": {
                    "txns": {"type": "object", "additionalProperties": {
                        "type": "object",
                        "required": ["status", "reads"],
                        "additionalProperties": False,
                        "properties": {
                            "status": status,
                            "reads": {"type": "array",
                                      "items": {"$ref": "#/$defs/isolation_read"}},
                        },
                    }},
                    "final": {"$ref": "#/$defs/text_map"},
                    "gc": {"type": "array", "items": {
                        "type": "object",
                        "required": ["versions_cleaned", "keys_removed"],
                        "additionalProperties": False,
                        "properties": {
                            "versions_cleaned": {"type": "integer", "minimum": 0},
                            "keys_removed": {"type": "integer", "minimum": 0},
                        },
                    }},
                },
            },
            "isolation_allowed_outcome": {
                "description": "MVCC-ISO-1: an allowed outcome (reads and final optional).",
                "type": "object",
                "required": ["txns"],
                "additionalProperties": False,
                "properties": {
                    "txns": {"type": "object", "additionalProperties": {
                        "type": "object",
                        "required": ["status"],
                        "additionalProperties": False,
                        "properties": {
                            "status": status,
                            "reads": {"type": "array",
                                      "items": {"$ref": "#/$defs/isolation_read"}},
                        },
                    }},
                    "final": {"$ref": "#/$defs/text_map"},
                },
            },
            "isolation_input": {
                "description": "CONF-PROTO-1: what a backend reads for an isolation script.",
                "type": "object",
                "required": ["fixture_format", "steps"],
                "additionalProperties": False,
                "properties": {
                    "fixture_format": {"const": self.name},
                    "pre": {"$ref": "#/$defs/text_map"},
                    "steps": {"$ref": "#/$defs/isolation_steps"},
                },
            },
            self.name: {
                "description": "MVCC-ISO-1, CONF-ISOLATION-1: an isolation step script.",
                "type": "object",
                "required": ["_info", "steps", "allowed_outcomes"],
                "additionalProperties": False,
                "properties": {
                    "_info": {
                        "type": "object",
                        "required": ["fixture_format", "description", "rules", "source"],
                        "properties": {
                            "fixture_format": {"const": self.name},
                            "description": {"type": "string", "minLength": 1},
                            "rules": {"type": "array", "minItems": 1,
                                      "items": {"$ref": "#/$defs/rule_id"}},
                            "source": {"type": "string", "minLength": 1},
                            "adaptation": {"type": "string"},
                        },
                    },
                    "pre": {"$ref": "#/$defs/text_map"},
                    "steps": {"$ref": "#/$defs/isolation_steps"},
                    "allowed_outcomes": {"type": "array", "minItems": 1,
                                         "items": {"$ref": "#/$defs/isolation_allowed_outcome"}},
                },
            },
        }

    def invalid(self, fixture: dict[str, Any]) -> list[str]:
        """MVCC-ISO-1: `parse_script`'s checks beyond the schema."""
        try:
            parse_script(fixture, "script")
        except InvalidScript as e:
            return [f"script: {e}"]
        return []

    def backend_input(self, fixture: dict[str, Any]) -> dict[str, Any]:
        """CONF-ISOLATION-2: ``{fixture_format, pre, steps}``, the steps without ``expect``."""
        steps = [{k: v for k, v in step.items() if k != "expect"} for step in fixture["steps"]]
        return {"fixture_format": self.name, "pre": fixture.get("pre", {}), "steps": steps}

    def compare(self, fixture: dict[str, Any], got: Any) -> list[str]:
        """CONF-ISOLATION-3, MVCC-ISO-3: each step's ``expect`` against what the outcome says
        the step observed, then the outcome against ``allowed_outcomes``."""
        problems: list[str] = []
        steps = fixture["steps"]
        for i, (step, seen) in enumerate(zip(steps, _observed(got, steps))):
            who = step.get("txn") or "store"
            for what, want in step.get("expect", {}).items():
                if seen.get(what, "<not observed>") != want:
                    problems.append(f"step: steps[{i}] ({who} {step['op']}): expected "
                                    f"{what} {shown(want)}, observed "
                                    f"{seen.get(what, '<none>')!r}")
        if not any(outcome_matches(got, allowed) for allowed in fixture["allowed_outcomes"]):
            problems.append(f"outcome {json.dumps(got, sort_keys=True)} is not one of the "
                            "allowed outcomes")
        return problems

    def decode_input(self, test: dict[str, Any]) -> IsolationScript:
        """CONF-ISOLATION-2: an input is checked as the ``pre`` and steps of a script
        (MVCC-ISO-1); `EncodingError` otherwise."""
        extra = sorted(set(test) - {"fixture_format", "pre", "steps"})
        if extra:
            raise EncodingError(f"input: unexpected members {extra}")
        steps = test.get("steps")
        begun = ([s.get("txn") for s in steps if isinstance(s, dict) and s.get("op") == "begin"]
                 if isinstance(steps, list) else [])
        envelope = {"_info": _INPUT_INFO, "pre": test.get("pre", {}), "steps": steps,
                    "allowed_outcomes": [{"txns": {str(t): {"status": "committed"}
                                                   for t in begun}}]}
        try:
            return parse_script(envelope, "input")
        except InvalidScript as e:
            raise EncodingError(str(e)) from e

    def execute(self, factory: BackendFactory, decoded: IsolationScript) -> dict[str, Any]:
        """CONF-ISOLATION-2, MVCC-ISO-2: run the steps on a fresh reference `MvccStore`
        (``factory``, an execution backend, plays no part) and return the outcome."""
        try:
            return run_script(decoded).outcome
        except MvccError as e:  # a store that breaks its own rules
            raise BackendFailure(f"the store raised {type(e).__name__}: {e}") from e
