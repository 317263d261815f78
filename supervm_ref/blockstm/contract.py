"""Contract calls as Block-STM transactions (spec/scheduling.md, SCHED-WASM-*).

A transaction of a block is a call of a WebAssembly contract (spec/runtime.md). Its body runs
the call on a runtime backend (`Runtime` or `WasmtimeRuntime`) against a `ViewStorage`: the
call's storage reads become reads of the transaction's view (recorded, and answered by the
multi-version memory under Block-STM or by the state so far in the sequential baseline), and the
writes the call commits become writes of the view. The call itself stays atomic (RT-ATOMIC-1):
a call that fails commits nothing, so its transaction writes nothing, exactly as in sequential
execution; its `CallResult` is the transaction's output.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from ..runtime.context import BlockContext
from ..runtime.runtime import CallResult
from ..runtime.storage import Storage
from ..wasm.runtime.values import Value
from .errors import InvalidAccess
from .transaction import Transaction, TxnView


class CallingRuntime(Protocol):
    """A runtime backend (RT-BACKEND-1) whose ``call`` accepts ``storage=`` (RT-CALL-5)."""

    def call(self, wasm: bytes, function: str, args: Sequence[Value] = (), *,
             context: BlockContext | None = None, gas_limit: int | None = None,
             storage: Storage | None = None) -> CallResult: ...


class ViewStorage:
    """SCHED-WASM-1: the `Storage` protocol over a transaction's view. ``scan`` is a predicate
    read, which the key-based read sets of Block-STM cannot validate, so it raises
    `InvalidAccess`; inside a contract that surfaces as ``HOST_ERROR`` in the parallel run and
    in the sequential baseline alike."""

    __slots__ = ("_view",)

    def __init__(self, view: TxnView) -> None:
        self._view = view

    def get(self, key: bytes) -> bytes | None:
        """A recorded read of ``key``."""
        return self._view.read(bytes(key))

    def set(self, key: bytes, value: bytes) -> None:
        """A write of ``key``."""
        self._view.write(bytes(key), bytes(value))

    def delete(self, key: bytes) -> None:
        """A deletion of ``key``."""
        self._view.delete(bytes(key))

    def scan(self, prefix: bytes, limit: int) -> list[tuple[bytes, bytes]]:
        """SCHED-WASM-1: not available to transactions of a Block-STM batch."""
        raise InvalidAccess("storage_scan is not available to transactions of a Block-STM "
                            "batch (predicate reads are not validated by key)")


def contract_transaction(runtime: CallingRuntime, wasm: bytes, function: str,
                         args: Sequence[Value] = (), *, context: BlockContext | None = None,
                         gas_limit: int | None = None, gas: int = 1000, label: str = ""
                         ) -> Transaction:
    """SCHED-WASM-2: the transaction that calls ``function`` of ``wasm`` with ``args`` on
    ``runtime``; its output is the `CallResult`. ``gas`` is the cost the simulator charges per
    execution (SCHED-SIM-2), e.g. the gas the call used in a sequential run."""
    call_args = tuple(args)

    def body(view: TxnView) -> Any:
        return runtime.call(wasm, function, call_args, context=context, gas_limit=gas_limit,
                            storage=ViewStorage(view))

    return Transaction(body, gas=gas, label=label or f"{function}{call_args}")
