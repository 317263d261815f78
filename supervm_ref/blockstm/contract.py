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
from ..runtime.storage import Storage, as_bytes, as_limit
from ..wasm import Value
from .transaction import Transaction, TxnView


class CallingRuntime(Protocol):
    """A runtime backend (RT-BACKEND-1) whose ``call`` accepts ``storage=`` (RT-CALL-5)."""

    def call(self, wasm: bytes, function: str, args: Sequence[Value] = (), *,
             context: BlockContext | None = None, gas_limit: int | None = None,
             storage: Storage | None = None) -> CallResult: ...


class ViewStorage:
    """SCHED-WASM-1: the `Storage` protocol over a transaction's view: reads, scans, writes and
    deletions of the call are the transaction's."""

    __slots__ = ("_view",)

    def __init__(self, view: TxnView) -> None:
        self._view = view

    def get(self, key: bytes) -> bytes | None:
        """A recorded read of ``key`` (RT-STORAGE-3: bytes only)."""
        return self._view.read(as_bytes(key, "key"))

    def set(self, key: bytes, value: bytes) -> None:
        """A write of ``key``."""
        self._view.write(as_bytes(key, "key"), as_bytes(value, "value"))

    def delete(self, key: bytes) -> None:
        """A deletion of ``key``."""
        self._view.delete(as_bytes(key, "key"))

    def scan(self, prefix: bytes, limit: int) -> list[tuple[bytes, bytes]]:
        """A recorded scan (SCHED-TXN-1), validated like a read (SCHED-MEM-8)."""
        return self._view.scan(as_bytes(prefix, "prefix"), as_limit(limit))


def contract_transaction(runtime: CallingRuntime, wasm: bytes, function: str,
                         args: Sequence[Value] = (), *, context: BlockContext | None = None,
                         gas_limit: int | None = None, gas: int = 1000, label: str = ""
                         ) -> Transaction:
    """SCHED-WASM-2: the transaction that calls ``function`` of ``wasm`` with ``args`` on
    ``runtime``; its output is the `CallResult`. ``gas`` is the cost the simulator charges per
    execution (SCHED-SIM-2), e.g. the gas the call used in a sequential run. A runtime whose
    ``native_stack`` is true (RT-BACKEND-1: wasmtime) gets a body on a thread of its own
    (SCHED-VM-1)."""
    call_args = tuple(args)

    def body(view: TxnView) -> Any:
        return runtime.call(wasm, function, call_args, context=context, gas_limit=gas_limit,
                            storage=ViewStorage(view))

    return Transaction(body, gas=gas, label=label or f"{function}{call_args}",
                       own_thread=bool(getattr(runtime, "native_stack", False)))
