"""The filler API (spec/conformance.md, CONF-FILL-1/2): what a filler module writes.

A filler is a module ``conformance/fillers/<area>.py`` with ``def cases() -> list[...]``.
Each `Case` names contracts (wasm bytes), a pre-state and transactions; `supervm fill` runs
the transactions on the reference runtime and records what happened as a fixture of the format
its ``kind`` names (`supervm_ref.conformance.formats`; a format may bring its own kind of
case)::

    from supervm_ref.conformance import Case, Tx, Value, contract

    def cases() -> list[Case]:
        probe = contract("abi_probe")
        return [Case("storage_api/get_absent", "storage_get of a missing key returns -1",
                     ["HOST-STORAGE-1"], {"probe": probe},
                     txs=[Tx("probe", "storage_get", [Value.i32(256), Value.i32(1)])])]
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SuperVMError, shown
from ..runtime.context import BlockContext
from ..runtime.runtime import Runtime
from ..runtime.storage import MemoryStorage
from ..wasm import Value, WasmError, as_module_bytes, text_error_message
from .paths import CONTRACTS, find_root


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
    is the pre-state; the transactions run in order against the same state. ``kind`` selects
    the fixture format that fills the case (CONF-FORMAT-1): ``"call"`` (a
    ``supervm_call_test``) or ``"batch"`` (CONF-BATCH-1: the transactions are one block, a
    ``supervm_batch_test``). ``source`` (optional, CONF-FIX-8) is where the case comes from,
    ``"<file>:<line>"``. A contract of ``code`` given as WebAssembly text (a ``str``) is
    kept as its binary (RT-CODE-1/2): fixtures hold binary code only."""

    name: str
    description: str
    rules: list[str]
    code: dict[str, bytes]
    storage: dict[bytes, bytes] = field(default_factory=dict)
    env: Env = field(default_factory=Env)
    txs: list[Tx] = field(default_factory=list)
    kind: str = "call"
    source: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.code, dict) and any(isinstance(c, str) for c in self.code.values()):
            object.__setattr__(self, "code", {name: _binary_code(self.name, name, c)
                                              for name, c in self.code.items()})


def _binary_code(case: object, name: object, code: object) -> object:
    """CONF-FILL-1, RT-CODE-1..3: a case's contract given as text, as its binary; other values
    are left for the format's checks (CONF-FILL-2)."""
    if not isinstance(code, str):
        return code
    try:
        return as_module_bytes(code)
    except WasmError as e:
        raise FillerError(f"case {shown(case)}: contract {shown(name)}: "
                          f"{text_error_message(e)}") from e


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


# --- Sources (CONF-FIX-8) ---------------------------------------------------------------------

#: CONF-FIX-8: a source, ``"<file>:<line>"`` (a relative path without spaces or colons).
SOURCE = re.compile(r"[!-9;-~]+:[1-9][0-9]*")


def check_sources(case: Case) -> None:
    """CONF-FIX-8: sources are ``"<file>:<line>"``; the transactions have one each or none."""
    def check(what: str, source: object) -> None:
        if source is not None and (not isinstance(source, str)
                                   or SOURCE.fullmatch(source) is None):
            raise FillerError(f"case {shown(case.name)}: {what}: a source is None or "
                              f"'<file>:<line>', got {shown(source)}")

    check("source", case.source)
    for i, tx in enumerate(case.txs):
        check(f"transaction {i}", tx.source)
    given = [tx.source is not None for tx in case.txs]
    if any(given) and not all(given):
        raise FillerError(f"case {shown(case.name)}: either every transaction has a source "
                          "or none has")


def source_info(case: object) -> dict[str, object]:
    """CONF-FIX-8: the optional ``_info`` members that say where a case comes from:
    ``source`` (the case's) and ``transaction_sources`` (one per transaction, in order), for
    any kind of case that has them."""
    info: dict[str, object] = {}
    source = getattr(case, "source", None)
    if source is not None:
        info["source"] = source
    txs = getattr(case, "txs", None)
    if txs and all(getattr(tx, "source", None) is not None for tx in txs):
        info["transaction_sources"] = [tx.source for tx in txs]
    return info
