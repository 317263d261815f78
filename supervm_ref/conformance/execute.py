"""Running a fixture's transactions on a backend (spec/conformance.md, CONF-RUN-1).

The same function fills fixtures (on the reference runtime), checks a Python backend in
`supervm consume`, and answers `supervm t8n`; only the backend differs. Its input is the
``{env, pre, transactions}`` part of a fixture and its output the ``post`` part.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..backends import BackendFactory
from ..errors import SuperVMError, shown
from ..runtime.context import BlockContext
from ..wasm import Value
from .encoding import (
    MAX_SAFE_INTEGER,
    EncodingError,
    check_integer,
    decode_bytes,
    decode_storage,
    decode_values,
    encode_bytes,
    encode_result,
    encode_storage,
    encode_value,
)
from .filler import Env
from .storage import fixture_storage


@dataclass(frozen=True, slots=True)
class Transaction:
    """CONF-FIX-6: a transaction as a fixture records it (the gas limit always explicit)."""

    to: str
    function: str
    args: list[Value]
    gas_limit: int


@dataclass(frozen=True, slots=True)
class RunInput:
    """CONF-PROTO-1: what a backend needs to run a fixture: env, pre-state, transactions."""

    env: Env
    code: dict[str, bytes]
    storage: dict[bytes, bytes]
    transactions: list[Transaction]


class BackendFailure(SuperVMError):
    """The backend raised instead of returning a `CallResult` (a backend bug: RT-ERR-1 says a
    call never raises for anything a contract does)."""


# --- JSON form of the input -------------------------------------------------------------------

def encode_input(test: RunInput) -> dict[str, Any]:
    """CONF-FIX-4/5/6: ``{"env", "pre", "transactions"}`` of a fixture."""
    return {
        "env": {"block_number": test.env.block_number, "timestamp": test.env.timestamp,
                "gas_limit": test.env.gas_limit},
        "pre": {"code": {name: encode_bytes(wasm) for name, wasm in test.code.items()},
                "storage": encode_storage(test.storage)},
        "transactions": [{"to": tx.to, "function": tx.function,
                          "args": [encode_value(a) for a in tx.args],
                          "gas_limit": tx.gas_limit} for tx in test.transactions],
    }


def _field(obj: object, key: str, what: str) -> Any:
    if not isinstance(obj, Mapping) or key not in obj:
        raise EncodingError(f"{what}: missing {shown(key)}")
    return obj[key]


def decode_input(obj: object) -> RunInput:
    """CONF-FIX-4/5/6: the inverse of `encode_input` (extra keys, such as a fixture's
    ``_info`` and ``post``, are ignored); `EncodingError` for anything else, including a
    transaction to a contract not in ``pre.code``."""
    env_obj = _field(obj, "env", "fixture")
    env = Env(check_integer(_field(env_obj, "block_number", "env"), "env.block_number"),
              check_integer(_field(env_obj, "timestamp", "env"), "env.timestamp"),
              check_integer(_field(env_obj, "gas_limit", "env"), "env.gas_limit", 0))
    pre = _field(obj, "pre", "fixture")
    code_obj = _field(pre, "code", "pre")
    if not isinstance(code_obj, Mapping):
        raise EncodingError(f"pre.code: expected an object, got {shown(code_obj)}")
    code = {name: decode_bytes(wasm, f"pre.code[{name}]") for name, wasm in code_obj.items()}
    storage = decode_storage(_field(pre, "storage", "pre"), "pre.storage")
    txs_obj = _field(obj, "transactions", "fixture")
    if not isinstance(txs_obj, list):
        raise EncodingError(f"transactions: expected a list, got {shown(txs_obj)}")
    txs: list[Transaction] = []
    for i, tx in enumerate(txs_obj):
        what = f"transactions[{i}]"
        to, function = _field(tx, "to", what), _field(tx, "function", what)
        if not isinstance(to, str) or to not in code:
            raise EncodingError(f"{what}.to: {shown(to)} is not a contract in pre.code")
        if not isinstance(function, str):
            raise EncodingError(f"{what}.function: expected a string, got {shown(function)}")
        txs.append(Transaction(to, function, decode_values(_field(tx, "args", what),
                                                           f"{what}.args"),
                               check_integer(_field(tx, "gas_limit", what), f"{what}.gas_limit",
                                             0, MAX_SAFE_INTEGER)))
    return RunInput(env, code, storage, txs)


# --- Running ----------------------------------------------------------------------------------

def execute(factory: BackendFactory, test: RunInput) -> dict[str, Any]:
    """CONF-RUN-1: build the backend on a storage holding the pre-state (a `MemoryStorage`, or
    what `fixture_storage` selects, CONF-STORAGE-1), run each transaction in order (a ``call``
    with the env's block context and the transaction's gas limit), and return ``post``: each
    call's encoded result and the final storage."""
    with fixture_storage(test.storage) as storage:
        context = BlockContext(test.env.block_number, test.env.timestamp)
        try:
            runtime = factory(storage)
        except Exception as e:
            raise BackendFailure(f"building the backend raised {type(e).__name__}: {e}") from e
        results: list[dict[str, Any]] = []
        for i, tx in enumerate(test.transactions):
            try:
                result = runtime.call(test.code[tx.to], tx.function, list(tx.args),
                                      context=context, gas_limit=tx.gas_limit)
            except Exception as e:
                raise BackendFailure(f"transaction {i} ({tx.to}.{tx.function}): the backend "
                                     f"raised {type(e).__name__}: {e}") from e
            try:
                results.append(encode_result(result))
            except EncodingError as e:
                raise BackendFailure(f"transaction {i} ({tx.to}.{tx.function}): {e}") from e
        return {"results": results, "storage": encode_storage(storage.items())}
