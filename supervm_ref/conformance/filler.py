"""The filler API (spec/conformance.md, CONF-FILL-1/2): what a filler module writes.

A filler is a module ``conformance/fillers/<area>.py`` with ``def cases() -> list[Case]``.
Each `Case` names contracts (wasm bytes), a pre-state and transactions; `supervm fill` runs
the transactions on the reference runtime and records what happened as a fixture::

    from supervm_ref.conformance import Case, Tx, Value, contract

    def cases() -> list[Case]:
        probe = contract("abi_probe")
        return [Case("storage_api/get_absent", "storage_get of a missing key returns -1",
                     ["HOST-STORAGE-1"], {"probe": probe},
                     txs=[Tx("probe", "storage_get", [Value.i32(256), Value.i32(1)])])]
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from ..errors import SuperVMError, shown
from ..runtime.context import BlockContext
from ..runtime.runtime import Runtime
from ..runtime.storage import MemoryStorage
from ..wasm import Value
from .encoding import MAX_SAFE_INTEGER
from .paths import CONTRACTS, FILLERS, find_root


class FillerError(SuperVMError):
    """A filler cannot be loaded, or returned something that is not a valid list of cases.
    The message names the filler and the case."""


@dataclass(frozen=True, slots=True)
class Env:
    """CONF-FIX-4: the block a fixture's transactions run in. ``block_number`` and
    ``timestamp`` are what ``chain_api`` returns (RT-CTX-1); ``gas_limit`` is the gas limit of
    every transaction that names none."""

    block_number: int = 1
    timestamp: int = 1_700_000_000
    gas_limit: int = 1_000_000


@dataclass(frozen=True, slots=True)
class Tx:
    """CONF-FIX-6: one call: the contract ``to`` (a name in the case's ``code``), the exported
    ``function``, its arguments, and the gas limit (None: the env's). ``source`` (optional,
    CONF-FIX-8) is where the transaction comes from, ``"<file>:<line>"``."""

    to: str
    function: str
    args: list[Value] = field(default_factory=list)
    gas_limit: int | None = None
    source: str | None = None


@dataclass(frozen=True, slots=True)
class Case:
    """CONF-FILL-1: one test case. ``name`` is ``"<area>/<case>"`` and unique; ``rules`` are
    the spec rule ids the case covers; ``code`` maps contract names to wasm bytes; ``storage``
    is the pre-state; the transactions run in order against the same state. ``kind`` is
    ``"call"`` (a ``supervm_call_test``) or ``"batch"`` (CONF-BATCH-1: the transactions are
    one block, a ``supervm_batch_test``). ``source`` (optional, CONF-FIX-8) is where the case
    comes from, ``"<file>:<line>"``."""

    name: str
    description: str
    rules: list[str]
    code: dict[str, bytes]
    storage: dict[bytes, bytes] = field(default_factory=dict)
    env: Env = field(default_factory=Env)
    txs: list[Tx] = field(default_factory=list)
    kind: str = "call"
    source: str | None = None


# --- Contracts --------------------------------------------------------------------------------

#: The repository root of the fill in progress (set by `load_filler`), so `contract` reads the
#: contracts of the tree being filled.
_ROOT: ContextVar[Path | None] = ContextVar("supervm_conformance_root", default=None)


@contextmanager
def filling_root(root: Path) -> Iterator[None]:
    """Make `contract` read from ``root``'s ``conformance/contracts/`` while active."""
    token = _ROOT.set(root)
    try:
        yield
    finally:
        _ROOT.reset(token)


def current_root() -> Path:
    """The repository root of the fill in progress (`filling_root`), else `find_root`."""
    return _ROOT.get() or find_root()


def contract(name: str) -> bytes:
    """CONF-FILL-1: the bytes of ``conformance/contracts/<name>.wasm`` (built from its
    ``.wat`` by ``conformance/contracts/build.py``)."""
    path = current_root() / CONTRACTS / f"{name}.wasm"
    try:
        return path.read_bytes()
    except OSError as e:
        raise FillerError(f"contract {shown(name)}: cannot read {path} ({e.strerror}); build it "
                          "from its .wat with conformance/contracts/build.py") from e


def measure_gas(wasm: bytes, function: str, args: list[Value] | None = None,
                storage: dict[bytes, bytes] | None = None, env: Env | None = None) -> int:
    """The gas a call uses on the reference runtime when it succeeds under the env's gas
    limit, so a filler can place a limit exactly at (or one below) a call's cost instead of
    hard-coding a number that a change of gas schedule would move. `FillerError` if the call
    fails."""
    env = env or Env()
    result = Runtime(MemoryStorage(storage or {})).call(
        wasm, function, list(args or []), context=BlockContext(env.block_number, env.timestamp),
        gas_limit=env.gas_limit)
    if result.error is not None:
        raise FillerError(f"measure_gas: {function} failed: {result.error}: {result.message}")
    return result.gas_used


# --- Loading fillers --------------------------------------------------------------------------

#: CONF-FILL-1: an area (a filler's file name) and a case name.
AREA = re.compile(r"[a-z][a-z0-9_]*")
CASE_NAME = re.compile(r"[a-z][a-z0-9_]*/[A-Za-z0-9_.\-]+")
#: CONF-FILL-2: contract and function names are printable ASCII (CONF-FIX-3's canonical form).
PRINTABLE = re.compile(r"[ -~]*")
RULE_ID = re.compile(r"[A-Z]+(?:-[A-Z]+)+-[0-9]+")
#: CONF-FIX-8: a source, ``"<file>:<line>"`` (a relative path without spaces or colons).
SOURCE = re.compile(r"[!-9;-~]+:[1-9][0-9]*")
#: CONF-FILL-1, CONF-BATCH-1: the kinds of case.
CASE_KINDS = ("call", "batch")


def filler_paths(root: Path) -> list[Path]:
    """CONF-FILL-1: ``conformance/fillers/*.py`` in sorted order; files whose name starts with
    ``_`` are not fillers."""
    folder = root / FILLERS
    return sorted(p for p in folder.glob("*.py") if not p.name.startswith("_"))


def _import(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"supervm_conformance_filler_{path.stem}",
                                                  path)
    if spec is None or spec.loader is None:
        raise FillerError(f"{path}: not a Python module")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_filler(root: Path, path: Path) -> list[Case]:
    """CONF-FILL-1/2: import one filler, call its ``cases()`` and check every case."""
    area = path.stem
    if AREA.fullmatch(area) is None:
        raise FillerError(f"{path}: an area name is lower-case letters, digits and '_'")
    with filling_root(root):
        try:
            module = _import(path)
            make = getattr(module, "cases", None)
            if not callable(make):
                raise FillerError(f"{path}: no function cases()")
            cases = make()
        except FillerError:
            raise
        except Exception as e:  # a filler's own bug: report it with its origin
            raise FillerError(f"{path}: {type(e).__name__}: {e}") from e
    if not isinstance(cases, list):
        raise FillerError(f"{path}: cases() must return a list, got {type(cases).__name__}")
    seen: set[str] = set()
    for case in cases:
        check_case(case, area)
        if case.name in seen:
            raise FillerError(f"{path}: two cases are named {shown(case.name)}")
        seen.add(case.name)
    return cases


def _fail(case: Case, problem: str) -> FillerError:
    return FillerError(f"case {shown(case.name)}: {problem}")


def check_case(case: object, area: str) -> None:
    """CONF-FILL-2: a case is well formed: its name is ``<area>/<case>``; it lists at least
    one rule id; its kind is one of `CASE_KINDS`; its code, storage and transactions have the
    documented types; every transaction calls a contract of the case; numbers fit
    CONF-ENC-2."""
    if not isinstance(case, Case):
        raise FillerError(f"area {area}: cases() returned {shown(case)}, not a Case")
    if case.kind not in CASE_KINDS:
        raise _fail(case, f"kind must be one of {', '.join(CASE_KINDS)}, got {shown(case.kind)}")
    if not isinstance(case.name, str) or CASE_NAME.fullmatch(case.name) is None \
            or case.name.split("/")[0] != area:
        raise _fail(case, f"a case name is '{area}/<name>' (letters, digits, '_', '-', '.')")
    if not isinstance(case.description, str) or not case.description:
        raise _fail(case, "needs a description")
    if not isinstance(case.rules, list) or not case.rules or any(
            not isinstance(r, str) or RULE_ID.fullmatch(r) is None for r in case.rules):
        raise _fail(case, f"rules must be a non-empty list of rule ids, got {shown(case.rules)}")
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
        _check_tx(case, i, tx)
    _check_sources(case)


def _check_source(case: Case, what: str, source: object) -> None:
    if source is not None and (not isinstance(source, str)
                               or SOURCE.fullmatch(source) is None):
        raise _fail(case, f"{what}: a source is None or '<file>:<line>', got {shown(source)}")


def _check_sources(case: Case) -> None:
    """CONF-FIX-8: sources are ``"<file>:<line>"``; the transactions have one each or none."""
    _check_source(case, "source", case.source)
    for i, tx in enumerate(case.txs):
        _check_source(case, f"transaction {i}", tx.source)
    given = [tx.source is not None for tx in case.txs]
    if any(given) and not all(given):
        raise _fail(case, "either every transaction has a source or none has")


def source_info(case: Case) -> dict[str, object]:
    """CONF-FIX-8: the optional ``_info`` members that say where a case comes from:
    ``source`` (the case's) and ``transaction_sources`` (one per transaction, in order)."""
    info: dict[str, object] = {}
    if case.source is not None:
        info["source"] = case.source
    if case.txs and all(tx.source is not None for tx in case.txs):
        info["transaction_sources"] = [tx.source for tx in case.txs]
    return info


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
