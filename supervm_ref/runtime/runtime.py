"""`Runtime`: executing a contract call against a storage (spec/runtime.md, RT-CALL-*).

A call goes through fixed steps (RT-CALL-1), each with its own canonical error:

1. load the module (decode, validate; no start function) — MALFORMED_MODULE, INVALID_MODULE,
   START_FUNCTION_NOT_ALLOWED;
2. link its imports against the host ABI (spec/host-abi.md) — UNLINKABLE;
3. find the exported function and check the arguments — NO_SUCH_FUNCTION, BAD_ARGUMENTS;
4. instantiate a fresh instance and invoke the function under the gas limit, with storage
   writes buffered in a `StorageOverlay` — the trap kinds, OUT_OF_GAS, HOST_*;
5. on success commit the buffered writes and keep the events; on any failure discard both
   (RT-ATOMIC-1).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..wasm import embedding as E
from ..wasm.errors import DecodeError, LinkError, Trap, TrapKind, ValidationError, WasmError
from ..wasm.limits import EngineLimits
from ..wasm.runtime.host import Caller
from ..wasm.runtime.store import ExternVal, ModuleInst
from ..wasm.runtime.values import MASK32, MASK64, Value, payload_matches
from ..wasm.structure.module import Module
from ..wasm.structure.types import ExternType, FuncType, ValType
from .context import BlockContext
from .errors import ErrorKind, error_kind_of_trap
from .host.abi import BY_NAME
from .host.env import CallState, HostFunction
from .host.limits import HostLimits
from .overlay import StorageOverlay
from .storage import Storage

#: RT-GAS-1: the gas limit of a call that names none.
DEFAULT_GAS_LIMIT = 10_000_000

#: RT-CALL-2: the export through which host functions reach a contract's memory.
MEMORY_EXPORT = "memory"


@dataclass(frozen=True, slots=True)
class CallResult:
    """The outcome of one call (RT-CALL-3).

    ``error`` is None on success, else the canonical `ErrorKind`; ``results`` are the
    function's return values (empty on failure); ``events`` the events it emitted and
    ``writes`` the storage writes it committed (None = deleted), both empty on failure;
    ``gas_used`` follows RT-GAS-2.
    """

    error: ErrorKind | None
    results: tuple[Value, ...] = ()
    events: tuple[bytes, ...] = ()
    gas_used: int = 0
    writes: dict[bytes, bytes | None] = field(default_factory=dict)
    message: str = ""

    @property
    def ok(self) -> bool:
        """Whether the call succeeded."""
        return self.error is None


class ExecutionError(WasmError):
    """Raised by the seed's convenience methods (`Runtime.execute_add`,
    `Runtime.execute_with_context`) when the call fails; ``error`` is the ErrorKind."""

    def __init__(self, error: ErrorKind, message: str) -> None:
        super().__init__(f"{error.value}: {message}", error.value)
        self.error = error


class PreExecutionFailure(Exception):
    """A failure of RT-CALL-1 steps 1-3 (RT-ERR-2), carried to `Runtime.call`."""

    def __init__(self, error: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.error = error


@dataclass(frozen=True, slots=True)
class Prepared:
    """What RT-CALL-1 steps 1-2 make of a contract's code, once per code hash: the validated
    module, the host functions its imports link to (in import order), and its export types."""

    module: Module
    imports: tuple[HostFunction, ...]
    exports: dict[str, ExternType]


def select(prepared: Prepared, function: str, args: Sequence[Value]) -> FuncType:
    """RT-CALL-1 step 3: the export must be a function (NO_SUCH_FUNCTION) and the arguments
    must match its parameters in number and type (BAD_ARGUMENTS)."""
    t = prepared.exports.get(function)
    if not isinstance(t, FuncType):
        raise PreExecutionFailure(ErrorKind.NO_SUCH_FUNCTION,
                                  f"no exported function {function!r}")
    if not isinstance(args, (list, tuple)) or len(args) != len(t.params) or any(
            not isinstance(a, Value) or a.type is not p or not payload_matches(p, a.payload)
            for a, p in zip(args, t.params)):
        raise PreExecutionFailure(ErrorKind.BAD_ARGUMENTS,
                                  f"{function} takes {t}, got {args!r}")
    if any(a.type is ValType.FUNCREF and a.payload is not None for a in args):
        # Every call runs in a fresh store, so no function address exists before it starts.
        raise PreExecutionFailure(ErrorKind.BAD_ARGUMENTS,
                                  "a call cannot receive a non-null funcref")
    return t


def finish_call(state: CallState, results: Sequence[Value], gas_used: int, limit: int
                ) -> CallResult:
    """RT-CALL-1 step 5 for a call that succeeded: commit its buffered writes and return its
    outcome. If the storage raises while committing (RT-ATOMIC-3), the call fails with
    HOST_ERROR using its whole limit."""
    writes = state.storage.diff()
    try:
        state.storage.commit()
    except Exception as e:
        return CallResult(ErrorKind.HOST_ERROR, gas_used=limit,
                          message=f"storage failed during commit: {type(e).__name__}: {e}")
    return CallResult(None, tuple(results), tuple(state.events), gas_used, writes)


class ReferenceHostEnv:
    """`HostEnv` on the reference engine: memory is the calling instance's export "memory"
    (RT-CALL-2); gas goes through `Caller.charge_gas` (WASM-GAS-4)."""

    __slots__ = ("_caller",)

    def __init__(self, caller: Caller) -> None:
        self._caller = caller

    def _data(self) -> bytearray:
        inst = self._caller.instance
        ev = inst.exports.get(MEMORY_EXPORT) if inst is not None else None
        if ev is None or ev.kind != "memory":
            return bytearray()
        return self._caller.store.mems[ev.addr].data

    def check(self, ptr: int, length: int) -> None:
        """HOST-MEM-1."""
        if ptr + length > len(self._data()):
            raise Trap(TrapKind.MEMORY_OUT_OF_BOUNDS, f"host access of {length} at {ptr}")

    def read(self, ptr: int, length: int) -> bytes:
        """HOST-MEM-1."""
        self.check(ptr, length)
        return bytes(self._data()[ptr:ptr + length])

    def write(self, ptr: int, data: bytes) -> None:
        """HOST-MEM-1."""
        self.check(ptr, len(data))
        self._data()[ptr:ptr + len(data)] = data

    def charge(self, gas: int) -> None:
        """HOST-GAS-1."""
        self._caller.charge_gas(gas)


def _payload(t: ValType, value: int) -> int:
    return value & (MASK32 if t is ValType.I32 else MASK64)


def _host_code(fn: HostFunction, state: CallState) -> Any:
    """Adapt an ABI function to the engine's host-function convention."""
    result_type = fn.results[0] if fn.results else None

    def hostcode(caller: Caller, *args: int) -> list[int]:
        out = fn.impl(ReferenceHostEnv(caller), state, *args)
        return [] if result_type is None or out is None else [_payload(result_type, out)]

    return hostcode


class Runtime:
    """The SuperVM runtime of the seeds: ``Runtime(storage)`` (RT-CALL-*)."""

    def __init__(self, storage: Storage, *, engine_limits: EngineLimits | None = None,
                 host_limits: HostLimits | None = None,
                 default_gas_limit: int = DEFAULT_GAS_LIMIT, module_cache_size: int = 256
                 ) -> None:
        self.storage = storage
        self.engine_limits = engine_limits or EngineLimits()
        self.host_limits = host_limits or HostLimits()
        self.default_gas_limit = default_gas_limit
        self._prepared: OrderedDict[bytes, Prepared] = OrderedDict()
        self._cache_size = module_cache_size

    # --- The seed's API ---------------------------------------------------------------------

    def execute_add(self, wasm: bytes, a: int, b: int) -> int:
        """The seed's ``execute_add``: call the export ``add(i32, i32) -> i32`` and return the
        signed result; raises ExecutionError on failure."""
        result = self.call(wasm, "add", [Value.i32(a), Value.i32(b)])
        return self._single_int(result)

    def execute_with_context(self, wasm: bytes, func: str, block_number: int, timestamp: int
                             ) -> tuple[int, list[bytes], int, int]:
        """The seed's ``execute_with_context``: call ``func`` (no parameters, one i32 or i64
        result) in the given block context; returns (result, events, block_number,
        timestamp). Raises ExecutionError on failure."""
        context = BlockContext(block_number, timestamp)
        result = self.call(wasm, func, [], context=context)
        return self._single_int(result), list(result.events), block_number, timestamp

    @staticmethod
    def _single_int(result: CallResult) -> int:
        if result.error is not None:
            raise ExecutionError(result.error, result.message)
        if len(result.results) != 1 or result.results[0].type not in (ValType.I32, ValType.I64):
            raise ExecutionError(ErrorKind.BAD_ARGUMENTS,
                                 "the function must return exactly one i32 or i64")
        return result.results[0].as_signed()

    # --- The general call -------------------------------------------------------------------

    def call(self, wasm: bytes, function: str, args: Sequence[Value] = (), *,
             context: BlockContext | None = None, gas_limit: int | None = None,
             storage: Storage | None = None) -> CallResult:
        """RT-CALL-1: call ``function`` of the contract ``wasm`` with ``args``; never raises
        for anything the contract or its inputs do: failures are a `CallResult` with an
        `ErrorKind` (RT-ERR-1). ``storage`` runs this one call against another storage than
        the runtime's (RT-CALL-5: e.g. a transaction's view in a parallel scheduler)."""
        limit = self.default_gas_limit if gas_limit is None else gas_limit
        if type(limit) is not int or limit < 0:
            return CallResult(ErrorKind.BAD_ARGUMENTS, message=f"bad gas limit {gas_limit!r}")
        try:
            prepared = self.prepare(wasm)
            select(prepared, function, args)
        except PreExecutionFailure as f:
            return CallResult(f.error, message=str(f))  # RT-ERR-2: no gas used
        base = self.storage if storage is None else storage  # RT-CALL-5
        state = CallState(StorageOverlay(base), context or BlockContext(),
                          self.host_limits)
        store = E.store_init(self.engine_limits)  # one per call: calls share only storage
        try:
            externvals = [ExternVal("func", E.func_alloc(store, fn.type, _host_code(fn, state)))
                          for fn in prepared.imports]
            inst: ModuleInst = E.module_instantiate(store, prepared.module, externvals)
            addr = E.instance_export(inst, function).addr
            results, gas_used = E.func_invoke_with_gas(store, addr, list(args), limit)
        except Trap as t:
            state.storage.discard()
            return CallResult(error_kind_of_trap(t), gas_used=limit, message=str(t))  # RT-ERR-3
        except LinkError as e:  # an engine limit at instantiation
            state.storage.discard()
            return CallResult(ErrorKind.UNLINKABLE, message=str(e))
        return finish_call(state, results, gas_used, limit)

    def prepare(self, wasm: bytes) -> Prepared:
        """RT-CALL-1 steps 1-2 for ``wasm``, cached by the code's SHA-256 (RT-CALL-4)."""
        key = hashlib.sha256(wasm).digest()
        prepared = self._prepared.get(key)
        if prepared is not None:
            self._prepared.move_to_end(key)
            return prepared
        module = self.load(wasm)
        prepared = Prepared(module, tuple(self._link(module)), dict(E.module_exports(module)))
        self._prepared[key] = prepared
        if len(self._prepared) > self._cache_size:
            self._prepared.popitem(last=False)
        return prepared

    @staticmethod
    def load(wasm: bytes) -> Module:
        """RT-CALL-1 step 1: decode and validate; a contract may not have a start function."""
        try:
            module = E.module_decode(wasm)
            E.module_validate(module)
        except DecodeError as e:
            raise PreExecutionFailure(ErrorKind.MALFORMED_MODULE, str(e)) from e
        except ValidationError as e:
            raise PreExecutionFailure(ErrorKind.INVALID_MODULE, str(e)) from e
        except WasmError as e:
            raise PreExecutionFailure(ErrorKind.MALFORMED_MODULE, str(e)) from e
        if module.start is not None:
            raise PreExecutionFailure(ErrorKind.START_FUNCTION_NOT_ALLOWED,
                                      "a contract may not have a start function")
        return module

    @staticmethod
    def _link(module: Module) -> list[HostFunction]:
        """RT-CALL-1 step 2: every import must be a host ABI function of exactly its type."""
        out: list[HostFunction] = []
        for mod, name, t in E.module_imports(module):
            fn = BY_NAME.get((mod, name))
            if fn is None:
                raise PreExecutionFailure(ErrorKind.UNLINKABLE, f"unknown import {mod}.{name}")
            if not isinstance(t, FuncType) or t != fn.type:
                raise PreExecutionFailure(ErrorKind.UNLINKABLE,
                               f"import {mod}.{name} must be a function of type {fn.type}")
            out.append(fn)
        return out
