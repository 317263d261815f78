"""WebAssembly text conversions, ``supervm_text_test`` (spec/conformance.md section 19,
CONF-TEXT-*; spec/wasm-text.md, WASM-TEXT-*).

A text fixture is a module in the text format, well-formed or not, and what the reference
makes of it: the canonical binary (``supervm_ref.wasm.text.wat2wasm``: the parser, then the
binary encoder) as hex, or the kind of the error:

- a backend is given ``{fixture_format, text}`` and answers ``{"module": hex}`` or
  ``{"error": kind}``;
- the fixture passes when the answer is equal to the recorded one (the binary byte for byte;
  an error by its kind, messages and positions are not compared);
- in process the reference's converter runs whatever the execution backend: converting text
  does not execute anything, so every Python backend runs the same code.

A text parser in another language checks itself against these vectors by encoding its parse
with a canonical encoder (spec/wasm.md WASM-ENC-*), or by decoding the expected binary and
comparing modules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ...backends import BackendFactory
from ...errors import shown
from ...wasm import WasmError, as_module_bytes
from ..encoding import EncodingError
from ..filler import FillerError
from .base import FixtureFormat

#: CONF-TEXT-1: the members of a text fixture besides ``_info``.
MEMBERS = ("text", "outcome")
#: CONF-TEXT-1: the error kinds a conversion can end with: malformed text (WASM-TEXT-ERR-1)
#: and a module no binary represents (WASM-ENC-6).
ERROR_KINDS = ("malformed", "unencodable")


@dataclass(frozen=True)
class TextCase:
    """CONF-TEXT-1: a filler case of this format: a text whose conversion `fill` records."""

    name: str
    description: str
    rules: list[str]
    text: str = ""
    kind: str = "text"


def text_outcome(text: str) -> dict[str, Any]:
    """CONF-TEXT-2, WASM-TEXT-API-1: the conversion of ``text`` by the engine's public
    interface (``as_module_bytes``: ``wat2wasm`` for a ``str``): ``{"module": hex}`` (the
    canonical binary) or ``{"error": kind}``."""
    try:
        return {"module": "0x" + as_module_bytes(text).hex()}
    except WasmError as e:
        return {"error": e.kind}


class TextFormat(FixtureFormat):
    """CONF-TEXT-*: a WebAssembly text and its canonical binary or error kind."""

    name: ClassVar[str] = "supervm_text_test"
    uses_execution_backend: ClassVar[bool] = False
    description: ClassVar[str] = ("a module in the WebAssembly text format (possibly "
                                  "malformed); its canonical binary as hex, or the error kind, "
                                  "must be equal")
    spec_section: ClassVar[str] = ("spec/conformance.md section 19 (CONF-TEXT-*), "
                                   "spec/wasm-text.md")
    input_definition: ClassVar[str] = "text_input"
    output_definition: ClassVar[str] = "text_output"
    output_name: ClassVar[str] = "a conversion"
    case_kind: ClassVar[str | None] = "text"
    case_type: ClassVar[type | None] = TextCase

    def schema_defs(self) -> dict[str, Any]:
        """CONF-TEXT-1/2: a fixture, an input and an output (``{"module": hex}`` or
        ``{"error": kind}``)."""
        text = {"type": "string", "description": "a module in the text format, as given"}
        return {
            self.name: {
                "description": "CONF-TEXT-1: a text and its conversion.",
                "type": "object",
                "required": ["_info", *MEMBERS],
                "additionalProperties": False,
                "properties": {"_info": {"$ref": "#/$defs/info"}, "text": text,
                               "outcome": {"$ref": f"#/$defs/{self.output_definition}"}},
            },
            self.input_definition: {
                "description": "CONF-TEXT-2: what a backend is given.",
                "type": "object", "required": ["fixture_format", "text"],
                "additionalProperties": False,
                "properties": {"fixture_format": {"const": self.name}, "text": text},
            },
            self.output_definition: {
                "description": "CONF-TEXT-2: the canonical binary, {\"module\": hex}, or "
                               "{\"error\": kind}.",
                "type": "object",
                "additionalProperties": False,
                "properties": {"module": {"$ref": "#/$defs/hex"},
                               "error": {"enum": list(ERROR_KINDS)}},
                "if": {"required": ["module"]},
                "then": {"propertyNames": {"enum": ["module"]}},
                "else": {"required": ["error"], "propertyNames": {"enum": ["error"]}},
            },
        }

    # --- Filling ------------------------------------------------------------------------------

    def check_case(self, case: TextCase) -> None:
        """CONF-FILL-2: a case holds a text (a ``str``)."""
        if not isinstance(case.text, str):
            raise FillerError(f"case {shown(case.name)}: the text is not a str")

    def fill(self, case: TextCase) -> dict[str, Any]:
        """CONF-TEXT-1: the text and the reference's conversion."""
        return {"text": case.text, "outcome": text_outcome(case.text)}

    # --- Checking -----------------------------------------------------------------------------

    def backend_input(self, fixture: dict[str, Any]) -> dict[str, Any]:
        """CONF-TEXT-2: ``{fixture_format, text}``."""
        return {"fixture_format": self.name, "text": fixture["text"]}

    def compare(self, fixture: dict[str, Any], got: Any) -> list[str]:
        """CONF-TEXT-3: the conversion, as one line."""
        expected = fixture["outcome"]
        if got == expected:
            return []
        return [f"outcome: expected {_shown(expected)}, got {_shown(got)}"]

    # --- Running ------------------------------------------------------------------------------

    def decode_input(self, test: dict[str, Any]) -> str:
        """CONF-TEXT-2: the text; `EncodingError` for a missing or unexpected member or a
        text that is not a string."""
        extra = sorted(set(test) - {"fixture_format", "text"})
        if extra:
            raise EncodingError(f"input: unexpected members {extra}")
        text = test.get("text")
        if not isinstance(text, str):
            raise EncodingError(f"input: text must be a string, got {shown(text)}")
        return text

    def execute(self, factory: BackendFactory, decoded: str) -> dict[str, Any]:
        """CONF-TEXT-2: the reference's conversion; ``factory`` plays no part."""
        return text_outcome(decoded)


def _shown(outcome: Any) -> str:
    if isinstance(outcome, dict) and isinstance(outcome.get("module"), str):
        data = outcome["module"]
        size = (len(data) - 2) // 2
        return f"module {data[:50]}{'...' if len(data) > 50 else ''} ({size} bytes)"
    if isinstance(outcome, dict) and "error" in outcome:
        return f"error {shown(outcome['error'])}"
    return shown(outcome)
