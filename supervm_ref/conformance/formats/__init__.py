"""The registry of fixture formats (spec/conformance.md, CONF-FORMAT-*).

Every kind of fixture is one `FixtureFormat` (a module of this package) and one entry of
`FORMATS`; `supervm fill`, `supervm consume`, `supervm t8n` and the JSON schema
(`build_schema`) dispatch on this registry and on nothing else:

- `call`: ``supervm_call_test``, contract calls one after the other (CONF-FIX-*);
- `batch`: ``supervm_batch_test``, a block executed as one batch (CONF-BATCH-*);
- `isolation`: ``supervm_isolation_test``, the MVCC store's isolation step scripts, written by
  hand (CONF-ISOLATION-*);
- `scheduler`: ``supervm_scheduler_test``, step scripts of the seed's parallel engine and their
  observations (CONF-SCHED-*);
- `router`: ``supervm_router_test``, the adaptive router's answers to configurations and steps
  of observations (CONF-ROUTER-*);
- `zk`: ``supervm_zk_test``, Groth16 verifying keys, proofs and public inputs (snarkjs JSON)
  and the verifier's verdict (CONF-ZK-*);
- `transaction`: ``supervm_transaction_test``, blocks of transactions over objects executed by a
  `SuperVM`, their receipts and post-state (CONF-TXN-*);
- `persistence`: ``supervm_persistence_test``, step scripts of the MVCC store on RocksDB and
  the exact bytes of the database after each flush, prune and reopen (CONF-PERSIST-*).
- `metrics`: ``supervm_metrics_test``, timed metric events and the Prometheus samples exported
  after them (CONF-METRIC-*).
- `text`: ``supervm_text_test``, modules in the WebAssembly text format and their canonical
  binary or error kind (CONF-TEXT-*).

Adding a kind is CONF-FORMAT-4: a module here, an entry in `FORMATS`, a section in
spec/conformance.md.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ...errors import shown
from .base import COMMON_DEFS, FixtureFormat, FormatError, InProcessRun
from .batch import BatchFormat
from .call import CallFormat
from .isolation import IsolationFormat
from .metrics import MetricsFormat
from .persistence import PersistenceFormat
from .router import RouterFormat
from .scheduler import SchedulerFormat
from .text import TextFormat
from .transaction import TransactionFormat
from .zk import ZkFormat

#: CONF-FORMAT-1: every fixture format, in the order the spec and the schema list them.
FORMATS: tuple[FixtureFormat, ...] = (
    CallFormat(),
    BatchFormat(),
    IsolationFormat(),
    SchedulerFormat(),
    RouterFormat(),
    ZkFormat(),
    TransactionFormat(),
    PersistenceFormat(),
    MetricsFormat(),
    TextFormat(),
)

#: CONF-PROTO-1: the format of an input that names none.
DEFAULT_INPUT_FORMAT = CallFormat.name

__all__ = [
    "COMMON_DEFS", "DEFAULT_INPUT_FORMAT", "FORMATS", "FixtureFormat",
    "FormatError", "InProcessRun", "build_schema", "filled_formats", "format_for_input",
    "format_named", "schema_text",
]


def format_named(name: object) -> FixtureFormat:
    """CONF-FORMAT-1: the format whose ``fixture_format`` is ``name``; `FormatError`
    otherwise."""
    for fmt in FORMATS:
        if fmt.name == name:
            return fmt
    raise FormatError(f"unknown fixture_format {shown(name)} (known: "
                      f"{', '.join(f.name for f in FORMATS)})")


def filled_formats() -> dict[str, FixtureFormat]:
    """CONF-FORMAT-1, CONF-FILL-2: the formats `supervm fill` writes, by their case kind."""
    return {fmt.case_kind: fmt for fmt in FORMATS if fmt.case_kind is not None}


def format_for_input(test: object) -> FixtureFormat:
    """CONF-PROTO-1: the format of a protocol input: the one its ``fixture_format`` names, or
    `DEFAULT_INPUT_FORMAT` when it names none; `FormatError` for anything else."""
    if not isinstance(test, Mapping):
        raise FormatError(f"an input is a JSON object, got {shown(test)}")
    return format_named(test.get("fixture_format", DEFAULT_INPUT_FORMAT))


# --- The schema (CONF-FORMAT-5, CONF-SCHEMA-1) ------------------------------------------------

def _selects(fmt: FixtureFormat) -> dict[str, Any]:
    """The ``if`` that is true exactly for a fixture whose ``_info.fixture_format`` is
    ``fmt.name``."""
    return {"required": ["_info"],
            "properties": {"_info": {"type": "object", "required": ["fixture_format"],
                                     "properties": {"fixture_format": {"const": fmt.name}}}}}


def build_schema() -> dict[str, Any]:
    """CONF-FORMAT-5: spec/conformance.schema.json, built from the registry: the shared
    definitions, every format's part, and ``fixture``, which dispatches on
    ``_info.fixture_format``. A fixture file is one fixture (an object with ``_info``) or an
    object mapping fixture names to fixtures (CONF-FORMAT-2)."""
    defs: dict[str, Any] = dict(COMMON_DEFS)
    for fmt in FORMATS:
        part = fmt.schema_defs()
        clash = set(part) & set(defs)
        if fmt.name not in part or clash:
            raise FormatError(f"{fmt.name}: its schema part must define {fmt.name!r} and must "
                              f"not redefine {sorted(clash)}")
        defs.update(part)
    for fmt in FORMATS:  # a format may share its input and output with an earlier one
        missing = {fmt.input_definition, fmt.output_definition} - set(defs)
        if missing:
            raise FormatError(f"{fmt.name}: no definition {sorted(missing)} in the schema")
    defs["fixture"] = {
        "description": "CONF-FORMAT-2: one fixture, of the format its _info.fixture_format "
                       "names.",
        "type": "object",
        "required": ["_info"],
        "properties": {"_info": {
            "type": "object",
            "required": ["fixture_format"],
            "properties": {"fixture_format": {"enum": [fmt.name for fmt in FORMATS]}},
        }},
        "allOf": [{"if": _selects(fmt), "then": {"$ref": f"#/$defs/{fmt.name}"}}
                  for fmt in FORMATS],
    }
    defs["fixture_name"] = {
        "description": "CONF-FORMAT-2: the name of a fixture in a file of several.",
        "$ref": "#/$defs/case_name",
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "SuperVM conformance fixture file (formats "
                 + ", ".join(fmt.name for fmt in FORMATS) + ")",
        "description": "A fixture file: one fixture, or fixture name -> fixture. Generated from "
                       "the registry of fixture formats (supervm_ref/conformance/formats/) by "
                       "`supervm fill`. Normative text: spec/conformance.md (CONF-FORMAT-*, "
                       "CONF-FIX-*, CONF-ENC-*, CONF-BATCH-*, CONF-ISOLATION-*).",
        "if": {"required": ["_info"]},
        "then": {"$ref": "#/$defs/fixture"},
        "else": {
            "type": "object",
            "propertyNames": {"$ref": "#/$defs/fixture_name"},
            "additionalProperties": {"$ref": "#/$defs/fixture"},
        },
        "$defs": defs,
    }


def schema_text(schema: Mapping[str, Any] | None = None) -> str:
    """CONF-FORMAT-5: how spec/conformance.schema.json is written: `build_schema` (or
    ``schema``) in its own key order, two-space indent, a final newline."""
    return json.dumps(build_schema() if schema is None else schema, indent=2,
                      ensure_ascii=False) + "\n"
