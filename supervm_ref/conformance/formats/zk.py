"""Groth16 verdicts, ``supervm_zk_test`` (spec/conformance.md section 15, CONF-ZK-*;
spec/privacy.md, ZK-*).

A zk fixture is three snarkjs documents as given -- a verifying key, a proof and public
inputs, well-formed or not -- and the verdict the reference reaches on them:
``{"valid": true}`` or ``{"error": "<canonical kind>"}`` (ZK-API-1):

- a backend is given ``{fixture_format, verifying_key, proof, public}`` and answers the
  verdict;
- the fixture passes when the verdict is equal to the recorded one;
- in process the pipeline of `supervm_ref.privacy.verify_documents` runs whatever the
  execution backend: verifying a proof does not involve the WebAssembly engine, so the
  reference and the wasmtime backends run the same Python verifier. It runs once per
  verifier backend (ZK-BACKEND-1): the reference, and the fast one when its extra
  ``fast-zk`` is installed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ...backends import BackendFactory
from ...errors import shown
from ...privacy import ZK_ERROR_KINDS, ZkError, verify_documents, zk_backend_status
from ..encoding import EncodingError
from ..filler import FillerError
from .base import FixtureFormat, InProcessRun

#: CONF-ZK-1: the members of a zk fixture besides ``_info``.
MEMBERS = ("verifying_key", "proof", "public", "outcome")
#: CONF-ZK-2: the members of an input besides ``fixture_format``.
DOCUMENTS = ("verifying_key", "proof", "public")


@dataclass(frozen=True)
class ZkCase:
    """CONF-ZK-1: a filler case of this format: the three documents, as decoded JSON, whose
    verdict `fill` records."""

    name: str
    description: str
    rules: list[str]
    verifying_key: Any = None
    proof: Any = None
    public: Any = field(default_factory=list)
    kind: str = "zk"


def zk_outcome(verifying_key: Any, proof: Any, public: Any, backend: str = "reference"
               ) -> dict[str, Any]:
    """CONF-ZK-2, ZK-API-1: the verdict of the verifier backend ``backend`` on the three
    documents: ``{"valid": True}`` or ``{"error": kind}``."""
    try:
        verify_documents(verifying_key, proof, public, backend=backend)
    except ZkError as e:
        return {"error": e.kind}
    return {"valid": True}


def _runner(backend: str) -> Callable[[BackendFactory, Any], Any]:
    def run(factory: BackendFactory, decoded: tuple[Any, Any, Any]) -> dict[str, Any]:
        """CONF-ZK-2: the verdict; ``factory`` (an execution backend) plays no part."""
        return zk_outcome(*decoded, backend=backend)
    return run


class ZkFormat(FixtureFormat):
    """CONF-ZK-*: three snarkjs documents and the verifier's verdict."""

    name: ClassVar[str] = "supervm_zk_test"
    uses_execution_backend: ClassVar[bool] = False
    description: ClassVar[str] = ("a Groth16 verifying key, proof and public inputs as snarkjs "
                                  "writes them (or malformed); the verdict, valid or a "
                                  "canonical error kind, must be equal")
    spec_section: ClassVar[str] = "spec/conformance.md section 15 (CONF-ZK-*), spec/privacy.md"
    input_definition: ClassVar[str] = "zk_input"
    output_definition: ClassVar[str] = "zk_output"
    output_name: ClassVar[str] = "a verdict"
    case_kind: ClassVar[str | None] = "zk"
    case_type: ClassVar[type | None] = ZkCase

    def schema_defs(self) -> dict[str, Any]:
        """CONF-ZK-1/2: a fixture, an input and an output. The documents are any JSON (a
        vector may hold a malformed one); the verdict is ``{"valid": true}`` or ``{"error":
        kind}`` with a canonical kind."""
        document = {"description": "a snarkjs JSON document, as given (possibly malformed)"}
        outcome = {
            "type": "object",
            "additionalProperties": False,
            "properties": {"valid": {"const": True},
                           "error": {"enum": list(ZK_ERROR_KINDS)}},
            "if": {"required": ["valid"]},
            "then": {"propertyNames": {"enum": ["valid"]}},
            "else": {"required": ["error"], "propertyNames": {"enum": ["error"]}},
        }
        documents = {name: document for name in DOCUMENTS}
        return {
            self.name: {
                "description": "CONF-ZK-1: three snarkjs documents and the verdict.",
                "type": "object",
                "required": ["_info", *MEMBERS],
                "additionalProperties": False,
                "properties": {"_info": {"$ref": "#/$defs/info"}, **documents,
                               "outcome": {"$ref": f"#/$defs/{self.output_definition}"}},
            },
            self.input_definition: {
                "description": "CONF-ZK-2: what a backend is given.",
                "type": "object", "required": ["fixture_format", *DOCUMENTS],
                "additionalProperties": False,
                "properties": {"fixture_format": {"const": self.name}, **documents},
            },
            self.output_definition: {
                "description": "CONF-ZK-2: the verdict: {\"valid\": true} or {\"error\": kind}.",
                **outcome,
            },
        }

    # --- Filling ------------------------------------------------------------------------------

    def check_case(self, case: ZkCase) -> None:
        """CONF-FILL-2: a case holds three documents (any JSON values, None excepted: a
        document that is absent is not a vector)."""
        for name in DOCUMENTS:
            if getattr(case, name) is None:
                raise FillerError(f"case {shown(case.name)}: no {name}")

    def fill(self, case: ZkCase) -> dict[str, Any]:
        """CONF-ZK-1: the documents and the reference's verdict."""
        return {"verifying_key": case.verifying_key, "proof": case.proof,
                "public": case.public,
                "outcome": zk_outcome(case.verifying_key, case.proof, case.public)}

    # --- Checking -----------------------------------------------------------------------------

    def backend_input(self, fixture: dict[str, Any]) -> dict[str, Any]:
        """CONF-ZK-2: ``{fixture_format, verifying_key, proof, public}``."""
        return {"fixture_format": self.name, **{name: fixture[name] for name in DOCUMENTS}}

    def compare(self, fixture: dict[str, Any], got: Any) -> list[str]:
        """CONF-ZK-3: the verdict, as one line."""
        expected = fixture["outcome"]
        if got == expected:
            return []
        return [f"outcome: expected {_verdict(expected)}, got {_verdict(got)}"]

    # --- Running ------------------------------------------------------------------------------

    def decode_input(self, test: dict[str, Any]) -> tuple[Any, Any, Any]:
        """CONF-ZK-2: the three documents; `EncodingError` for a missing or unexpected
        member. The documents themselves are the verifier's to judge."""
        extra = sorted(set(test) - {"fixture_format", *DOCUMENTS})
        if extra:
            raise EncodingError(f"input: unexpected members {extra}")
        missing = [name for name in DOCUMENTS if name not in test]
        if missing:
            raise EncodingError(f"input: missing members {missing}")
        return test["verifying_key"], test["proof"], test["public"]

    def execute(self, factory: BackendFactory, decoded: tuple[Any, Any, Any]
                ) -> dict[str, Any]:
        """CONF-ZK-2: the reference verifier's verdict."""
        return zk_outcome(*decoded)

    def in_process_runs(self) -> tuple[InProcessRun, ...]:
        """CONF-ZK-2, ZK-BACKEND-1: one run per available verifier backend: the reference,
        and ``fast`` when the extra ``fast-zk`` is installed."""
        status = zk_backend_status()
        return tuple(InProcessRun(f"zk {name}", _runner(name))
                     for name in ("reference", "fast") if status.get(name) is None)


def _verdict(outcome: Any) -> str:
    if isinstance(outcome, dict) and outcome.get("valid") is True:
        return "valid"
    if isinstance(outcome, dict) and "error" in outcome:
        return f"error {shown(outcome['error'])}"
    return shown(outcome)
