"""What a fixture format is (spec/conformance.md, CONF-FORMAT-*): the class every kind of
fixture implements, and the parts of the JSON schema every kind shares.

A format is data about one kind of fixture, in the manner of execution-spec-tests' fixture
format classes: its ``_info.fixture_format`` string, what it checks, its part of the JSON schema,
how a case of a filler becomes a fixture (or that its fixtures are written by hand), what a
backend is given and how its answer is judged, and how it runs in process and behind the
CONF-PROTO-1 protocol. `supervm fill`, `supervm consume`, `supervm t8n` and the schema only ever
talk to a format through this class; the registry (`supervm_ref.conformance.formats`) lists the
formats.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from ...backends import BackendFactory
from ...errors import SuperVMError
from ..encoding import MAX_SAFE_INTEGER
from ..paths import FIXTURES


class FormatError(SuperVMError):
    """A fixture, an input or a case names a ``fixture_format`` (or a case kind) that no
    registered format has (CONF-FORMAT-1)."""


@dataclass(frozen=True, slots=True)
class InProcessRun:
    """CONF-FORMAT-3: one way a Python backend runs a decoded input in process.

    ``execute(factory, decoded)`` returns the format's output (the JSON a t8n program would
    write); ``label`` names the run in reports (``[label] tx 3 ...``), empty when the format
    runs a fixture one way only."""

    label: str
    execute: Callable[[BackendFactory, Any], Any]


class FixtureFormat(ABC):
    """CONF-FORMAT-3: one kind of fixture. A subclass is one module of
    ``supervm_ref/conformance/formats/`` and one entry of the registry (CONF-FORMAT-4).

    Class attributes say what the format is; methods say how it is filled, checked and run.
    Methods raise only `SuperVMError`s: `FillerError` while filling, `EncodingError` for an
    input that is not of the format, `BackendFailure` when a backend fails."""

    # --- Identity (CONF-FORMAT-3 a) ---------------------------------------------------------

    #: The value of ``_info.fixture_format`` (and of an input's ``fixture_format``).
    name: ClassVar[str]
    #: One sentence: what a fixture of this format checks.
    description: ClassVar[str]
    #: The section of spec/conformance.md that defines the format, e.g.
    #: ``"spec/conformance.md section 8 (CONF-BATCH-*)"``.
    spec_section: ClassVar[str]
    #: The folder under the repository root holding its committed fixtures (that of
    #: `supervm fill`, `paths.FIXTURES`, for a filled format).
    folder: ClassVar[str] = FIXTURES

    # --- Schema (CONF-FORMAT-3 b) -----------------------------------------------------------

    #: The ``$defs`` names of one fixture, of the input a backend reads and of the output it
    #: writes. The fixture's definition is always named after the format.
    input_definition: ClassVar[str]
    output_definition: ClassVar[str]
    #: What reports call an output, with its article (``"a post"``, ``"an outcome"``).
    output_name: ClassVar[str]

    @abstractmethod
    def schema_defs(self) -> dict[str, Any]:
        """The format's ``$defs`` entries: at least `name` (one fixture), `input_definition`
        and `output_definition`. They may refer to `COMMON_DEFS` and to each other."""

    #: CONF-FORMAT-3 e: False when `execute` never calls the execution backend it is given
    #: (the outcome is the same on every in-process backend).
    uses_execution_backend: ClassVar[bool] = True

    # --- Filling (CONF-FORMAT-3 c) ----------------------------------------------------------

    #: The ``kind`` of the filler cases this format fills, None when its fixtures are written
    #: by hand (then `case_type`, `check_case` and `fill` are not used).
    case_kind: ClassVar[str | None] = None
    #: The class of those cases (it has ``name``, ``description``, ``rules`` and ``kind``).
    case_type: ClassVar[type | None] = None

    @property
    def filled(self) -> bool:
        """Whether `supervm fill` writes this format's fixtures (they then carry the filled
        ``_info`` of CONF-FIX-2, ``hash`` included)."""
        return self.case_kind is not None

    def check_case(self, case: Any) -> None:
        """CONF-FILL-2: the format's own checks of a case (its name, description, rules and
        kind are checked before); `FillerError` naming the case."""
        raise FormatError(f"{self.name} is written by hand, not filled")

    def fill(self, case: Any) -> dict[str, Any]:
        """CONF-FILL-3: run ``case`` on the reference and return the fixture without its
        ``_info`` (the members its hash covers); `FillerError` naming the case."""
        raise FormatError(f"{self.name} is written by hand, not filled")

    # --- Checking a fixture (CONF-FORMAT-3 d) -----------------------------------------------

    def invalid(self, fixture: dict[str, Any]) -> list[str]:
        """What makes a schema-valid fixture unusable beyond the schema (the rules JSON Schema
        cannot state); a fixture with such a problem is not run. None by default."""
        return []

    @abstractmethod
    def backend_input(self, fixture: dict[str, Any]) -> dict[str, Any]:
        """CONF-PROTO-1: what a backend is given for ``fixture`` (never its expectations)."""

    @abstractmethod
    def compare(self, fixture: dict[str, Any], got: Any) -> list[str]:
        """CONF-CONSUME-2: every difference between what ``fixture`` expects and ``got`` (an
        output valid against `output_definition`), one line each; empty when it passes."""

    # --- Running (CONF-FORMAT-3 e) ----------------------------------------------------------

    @abstractmethod
    def decode_input(self, test: dict[str, Any]) -> Any:
        """CONF-PROTO-1: check and decode an input; `EncodingError` when it is not one."""

    @abstractmethod
    def execute(self, factory: BackendFactory, decoded: Any) -> Any:
        """CONF-PROTO-1: the reference way to run a decoded input on a Python backend and
        produce the output `supervm t8n` writes; `BackendFailure` when the backend fails."""

    def in_process_runs(self) -> tuple[InProcessRun, ...]:
        """CONF-FORMAT-3: the runs `supervm consume` makes of one fixture on a Python backend;
        each must produce what the fixture expects. One run of `execute` by default."""
        return (InProcessRun("", self.execute),)


# --- The schema every format shares (CONF-SCHEMA-1) -------------------------------------------

#: CONF-FORMAT-2, CONF-FIX-*: ``$defs`` any format's part of the schema may refer to.
COMMON_DEFS: dict[str, Any] = {
    "case_name": {
        "description": "CONF-FIX-1: '<area>/<case>'.",
        "type": "string",
        "pattern": "^[a-z][a-z0-9_]*/[A-Za-z0-9_.\\-]+$",
    },
    "printable": {
        "description": "CONF-FIX-3: printable ASCII.",
        "type": "string",
        "pattern": "^[ -~]*$",
    },
    "hex": {
        "description": "CONF-ENC-1: bytes as '0x' and lower-case hex pairs.",
        "type": "string",
        "pattern": "^0x([0-9a-f]{2})*$",
    },
    "int": {
        "description": "CONF-ENC-2: an exact JSON integer.",
        "type": "integer",
        "minimum": -MAX_SAFE_INTEGER,
        "maximum": MAX_SAFE_INTEGER,
    },
    "gas": {
        "description": "CONF-ENC-2: a non-negative exact JSON integer.",
        "type": "integer",
        "minimum": 0,
        "maximum": MAX_SAFE_INTEGER,
    },
    "rule_id": {
        "type": "string",
        "pattern": "^[A-Z]+(-[A-Z]+)+-[0-9]+$",
    },
    "source": {
        "description": "CONF-FIX-8: where a case or transaction comes from, '<file>:<line>' "
                       "(for CONF-SUITE-5, a .wast file of the official suite and the line of "
                       "its command).",
        "type": "string",
        "pattern": "^[!-9;-~]+:[1-9][0-9]*$",
    },
    "info": {
        "description": "CONF-FIX-2: the _info of a filled fixture (its fixture_format selects "
                       "the rest of the fixture, CONF-FORMAT-2).",
        "type": "object",
        "required": ["fixture_format", "spec_version", "filler", "description", "rules",
                     "hash"],
        "properties": {
            "fixture_format": {"type": "string"},
            "spec_version": {"type": "string", "minLength": 1},
            "filler": {"type": "string", "minLength": 1},
            "description": {"type": "string", "minLength": 1},
            "rules": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/rule_id"}},
            "hash": {"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"},
            "source": {"$ref": "#/$defs/source"},
            "transaction_sources": {
                "description": "CONF-FIX-8: one source per transaction, in order.",
                "type": "array",
                "minItems": 1,
                "items": {"$ref": "#/$defs/source"},
            },
        },
    },
}
