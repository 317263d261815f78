"""The call fixture, ``supervm_call_test`` (spec/conformance.md section 4, CONF-FIX-*,
CONF-ENC-*, CONF-RUN-1).

A call fixture runs contract calls one after the other on one storage: ``env``, ``pre`` (code
and storage) and ``transactions`` are the input, ``post`` (each call's result and the final
storage) the expected output. A filler writes it as a `Case` (``kind="call"``, the default);
filling runs the transactions on the reference runtime; a backend -- in process or behind
CONF-PROTO-1 -- runs them the same way, and its ``post`` must equal the fixture's exactly.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from ...backends import BackendFactory
from ...errors import shown
from ...runtime.errors import ErrorKind
from ...runtime.runtime import Runtime
from ...wasm import Value
from ..compare import diff, diff_map
from ..encoding import MAX_SAFE_INTEGER
from ..execute import RunInput, Transaction, decode_input, encode_input, execute
from ..filler import Case, Env, FillerError, Tx, check_sources
from .base import FixtureFormat

#: CONF-FILL-2: contract and function names are printable ASCII (CONF-FIX-3's canonical form).
PRINTABLE = re.compile(r"[ -~]*")
#: CONF-FIX-7: the fields of a transaction's result, in the order differences are reported.
RESULT_FIELDS = ("error", "return", "events", "gas_used", "writes")


def run_input(case: Case) -> RunInput:
    """CONF-FILL-3: a case's input, with every transaction's gas limit made explicit."""
    txs = [Transaction(tx.to, tx.function, list(tx.args),
                       case.env.gas_limit if tx.gas_limit is None else tx.gas_limit)
           for tx in case.txs]
    return RunInput(case.env, dict(case.code), dict(case.storage), txs)


def compare_post(fixture: dict[str, Any], got: dict[str, Any]) -> list[str]:
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
            problems += diff(f"{label}: {name}", e[name], g[name])
    problems += diff_map("post.storage", expected["storage"], got["storage"])
    return problems


def _fail(case: Case, problem: str) -> FillerError:
    return FillerError(f"case {shown(case.name)}: {problem}")


class CallFormat(FixtureFormat):
    """CONF-FIX-1..7, CONF-RUN-1: contract calls run one after the other on one storage."""

    name: ClassVar[str] = "supervm_call_test"
    description: ClassVar[str] = ("contract calls run one after the other on one storage; "
                                  "each call's result and the final storage must be equal")
    spec_section: ClassVar[str] = "spec/conformance.md section 4 (CONF-FIX-*, CONF-RUN-1)"
    input_definition: ClassVar[str] = "input"
    output_definition: ClassVar[str] = "post"
    output_name: ClassVar[str] = "a post"
    case_kind: ClassVar[str | None] = "call"
    case_type: ClassVar[type | None] = Case

    # --- Schema -----------------------------------------------------------------------------

    def schema_defs(self) -> dict[str, Any]:
        """CONF-FIX-4..7, CONF-ENC-*, CONF-PROTO-1: the members of a call fixture, its input
        and its ``post``."""
        return {
            "error": {
                "description": "CONF-FIX-7: null on success, else a canonical ErrorKind name "
                               "(RT-ERR-1).",
                "enum": [None, *(kind.value for kind in ErrorKind)],
            },
            "value": {
                "description": "CONF-ENC-3: a WebAssembly value as wast2json writes it.",
                "type": "object",
                "required": ["type", "value"],
                "additionalProperties": False,
                "properties": {
                    "type": {"enum": ["i32", "i64", "f32", "f64", "funcref", "externref"]},
                    "value": {"type": "string", "pattern": "^(null|0|[1-9][0-9]*)$"},
                },
            },
            "storage": {
                "description": "CONF-FIX-5: hex key -> hex value.",
                "type": "object",
                "propertyNames": {"$ref": "#/$defs/hex"},
                "additionalProperties": {"$ref": "#/$defs/hex"},
            },
            "env": {
                "description": "CONF-FIX-4.",
                "type": "object",
                "required": ["block_number", "timestamp", "gas_limit"],
                "additionalProperties": False,
                "properties": {
                    "block_number": {"$ref": "#/$defs/int"},
                    "timestamp": {"$ref": "#/$defs/int"},
                    "gas_limit": {"$ref": "#/$defs/gas"},
                },
            },
            "pre": {
                "description": "CONF-FIX-5.",
                "type": "object",
                "required": ["code", "storage"],
                "additionalProperties": False,
                "properties": {
                    "code": {
                        "type": "object",
                        "propertyNames": {"$ref": "#/$defs/printable"},
                        "additionalProperties": {"$ref": "#/$defs/hex"},
                    },
                    "storage": {"$ref": "#/$defs/storage"},
                },
            },
            "transaction": {
                "description": "CONF-FIX-6.",
                "type": "object",
                "required": ["to", "function", "args", "gas_limit"],
                "additionalProperties": False,
                "properties": {
                    "to": {"$ref": "#/$defs/printable"},
                    "function": {"$ref": "#/$defs/printable"},
                    "args": {"type": "array", "items": {"$ref": "#/$defs/value"}},
                    "gas_limit": {"$ref": "#/$defs/gas"},
                },
            },
            "transactions": {
                "description": "CONF-FIX-6: run in order against the same storage.",
                "type": "array",
                "minItems": 1,
                "items": {"$ref": "#/$defs/transaction"},
            },
            "result": {
                "description": "CONF-FIX-7: one transaction's outcome.",
                "type": "object",
                "required": list(RESULT_FIELDS),
                "additionalProperties": False,
                "properties": {
                    "error": {"$ref": "#/$defs/error"},
                    "return": {"type": "array", "items": {"$ref": "#/$defs/value"}},
                    "events": {"type": "array", "items": {"$ref": "#/$defs/hex"}},
                    "gas_used": {"$ref": "#/$defs/gas"},
                    "writes": {
                        "type": "object",
                        "propertyNames": {"$ref": "#/$defs/hex"},
                        "additionalProperties": {"type": ["string", "null"],
                                                 "pattern": "^0x([0-9a-f]{2})*$"},
                    },
                },
            },
            "post": {
                "description": "CONF-FIX-7; also the output of the CONF-PROTO-1 protocol for a "
                               "call or batch input.",
                "type": "object",
                "required": ["results", "storage"],
                "additionalProperties": False,
                "properties": {
                    "results": {"type": "array", "items": {"$ref": "#/$defs/result"}},
                    "storage": {"$ref": "#/$defs/storage"},
                },
            },
            "input": {
                "description": "CONF-PROTO-1: the input of a call (or batch) fixture; "
                               "fixture_format may be left out.",
                "type": "object",
                "required": ["env", "pre", "transactions"],
                "additionalProperties": False,
                "properties": {
                    "fixture_format": {"enum": ["supervm_call_test", "supervm_batch_test"]},
                    "env": {"$ref": "#/$defs/env"},
                    "pre": {"$ref": "#/$defs/pre"},
                    "transactions": {"$ref": "#/$defs/transactions"},
                },
            },
            self.name: {
                "description": "CONF-FIX-1: a call fixture.",
                "type": "object",
                "required": ["_info", "env", "pre", "transactions", "post"],
                "additionalProperties": False,
                "properties": {
                    "_info": {"$ref": "#/$defs/info"},
                    "env": {"$ref": "#/$defs/env"},
                    "pre": {"$ref": "#/$defs/pre"},
                    "transactions": {"$ref": "#/$defs/transactions"},
                    "post": {"$ref": "#/$defs/post"},
                },
            },
        }

    # --- Filling ----------------------------------------------------------------------------

    def check_case(self, case: Case) -> None:
        """CONF-FILL-2: code, storage and transactions have the documented types; every
        transaction calls a contract of the case; names are printable ASCII; numbers fit
        CONF-ENC-2."""
        if not isinstance(case.code, dict) or not case.code:
            raise _fail(case, "code must map contract names to wasm bytes")
        for name, wasm in case.code.items():
            if not isinstance(name, str) or not name or PRINTABLE.fullmatch(name) is None \
                    or not isinstance(wasm, bytes):
                raise _fail(case, f"code entry {shown(name)}: a printable name and bytes")
        if not isinstance(case.storage, dict) or any(
                not isinstance(k, bytes) or not isinstance(v, bytes)
                for k, v in case.storage.items()):
            raise _fail(case, "storage must map bytes to bytes")
        env = case.env
        if not isinstance(env, Env) or any(
                type(x) is not int or abs(x) > MAX_SAFE_INTEGER
                for x in (env.block_number, env.timestamp, env.gas_limit)) or env.gas_limit < 0:
            raise _fail(case, f"env {shown(env)}: integers within +-(2**53 - 1), gas_limit >= 0")
        if not isinstance(case.txs, list) or not case.txs:
            raise _fail(case, "needs at least one transaction")
        for i, tx in enumerate(case.txs):
            self._check_tx(case, i, tx)
        check_sources(case)

    @staticmethod
    def _check_tx(case: Case, i: int, tx: object) -> None:
        if not isinstance(tx, Tx):
            raise _fail(case, f"transaction {i} is {shown(tx)}, not a Tx")
        if tx.to not in case.code:
            raise _fail(case, f"transaction {i} calls {shown(tx.to)}, which is not in code")
        if not isinstance(tx.function, str) or PRINTABLE.fullmatch(tx.function) is None:
            raise _fail(case, f"transaction {i}: the function name must be printable ASCII")
        if not isinstance(tx.args, list) or any(not isinstance(a, Value) for a in tx.args):
            raise _fail(case, f"transaction {i}: args must be a list of Value")
        if tx.gas_limit is not None and (type(tx.gas_limit) is not int
                                         or not 0 <= tx.gas_limit <= MAX_SAFE_INTEGER):
            raise _fail(case, f"transaction {i}: gas_limit must be None or in [0, 2**53 - 1]")

    def fill(self, case: Case) -> dict[str, Any]:
        """CONF-FILL-3: ``env``, ``pre`` and ``transactions`` of the case, and as ``post``
        what the reference runtime does with them (CONF-RUN-1)."""
        test = run_input(case)
        body = encode_input(test)
        body["post"] = execute(Runtime, test)
        return body

    # --- Checking and running ---------------------------------------------------------------

    def backend_input(self, fixture: dict[str, Any]) -> dict[str, Any]:
        """CONF-PROTO-1: ``{env, pre, transactions}``, exactly those members of the fixture
        (a call input may leave out ``fixture_format``)."""
        return {key: fixture[key] for key in ("env", "pre", "transactions")}

    def compare(self, fixture: dict[str, Any], got: Any) -> list[str]:
        """CONF-CONSUME-2: `compare_post`."""
        return compare_post(fixture, got)

    def decode_input(self, test: dict[str, Any]) -> RunInput:
        """CONF-FIX-4..6: `decode_input` (``fixture_format`` and other extra members are
        ignored)."""
        return decode_input(test)

    def execute(self, factory: BackendFactory, decoded: RunInput) -> dict[str, Any]:
        """CONF-RUN-1: the transactions one after the other on one storage; ``post``."""
        return execute(factory, decoded)
