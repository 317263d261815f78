"""`Runtime`: executing a contract call against a storage (spec/runtime.md, RT-CALL-*).

A call goes through fixed steps (RT-CALL-1), each with its own canonical error:

1. load the module (text converted to binary by `as_code`, RT-CODE-*; decode, validate; no
   start function) — MALFORMED_MODULE, INVALID_MODULE,
   CODE_TOO_LARGE, START_FUNCTION_NOT_ALLOWED;
2. link its imports against the host ABI (spec/host-abi.md) — UNLINKABLE;
3. find the exported function and check the arguments — NO_SUCH_FUNCTION, BAD_ARGUMENTS;
4. instantiate a fresh instance and invoke the function under the gas limit, with storage
   writes buffered in a `StorageOverlay` — the trap kinds, OUT_OF_GAS, HOST_*;
5. on success commit the buffered writes and keep the events; on any failure discard both
   (RT-ATOMIC-1).

`Runtime.call` is the only implementation of these steps. A backend (RT-BACKEND-1) subclasses
`Runtime` and supplies what differs, nothing else: `compile` (its own form of a prepared
contract, cached with it) and `instantiate_and_invoke` (step 4). `Runtime` itself is the
reference backend: step 4 runs on this package's WebAssembly engine.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import wasm as E
from ..errors import InvalidArgumentError, SuperVMError, require_int, shown
from ..wasm import (
    MASK32,
    MASK64,
    Caller,
    CodeTooLarge,
    EngineLimits,
    ExternType,
    ExternVal,
    FuncType,
    LinkError,
    Module,
    Trap,
    TrapKind,
    ValidationError,
    ValType,
    Value,
    WasmError,
    payload_matches,
    text_error_message,
)
from .context import BlockContext
from .errors import ErrorKind, ExecutionError, PreExecutionFailure, error_kind_of_trap
from .host.abi import BY_NAME
from .host.env import CallState, HostFunction
from .host.limits import HostLimits
from .native import before_native_call
from .overlay import StorageOverlay
from .storage import Storage

if TYPE_CHECKING:
    from ..routing.supervm import SuperVM

#: RT-GAS-1: the gas limit of a call that names none.
DEFAULT_GAS_LIMIT = 10_000_000

#: RT-GAS-3: the largest gas limit a call may have (the seed's u64).
MAX_GAS_LIMIT = (1 << 64) - 1

#: RT-API-4: the largest module cache a runtime may keep (prepared contracts, by code hash).
MAX_MODULE_CACHE_SIZE = 4096

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


class CallFailure(SuperVMError):
    """A failure of RT-CALL-1 step 4, raised by a backend's `instantiate_and_invoke`:
    ``error`` is its canonical kind. `Runtime.call` turns it into the `CallResult` (RT-ERR-2/3
    decide the gas)."""

    def __init__(self, error: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.error = error


@dataclass(frozen=True, slots=True)
class Prepared:
    """What RT-CALL-1 steps 1-2 make of a contract's code, once per code hash: the validated
    module, the host functions its imports link to (in import order), its export types, and
    whatever the backend compiled from it (`Runtime.compile`; None for the reference)."""

    module: Module
    imports: tuple[HostFunction, ...]
    exports: dict[str, ExternType]
    compiled: Any = None


# --- RT-CALL-1 step 3, and the arguments of a call ---------------------------------------------


def as_code(wasm: object) -> bytes:
    """RT-CALL-1, RT-CODE-1..3: a contract's code as the binary format, through the package's
    one text-or-binary decision (`supervm_ref.wasm.as_module_bytes`): ``bytes`` as it is (a
    ``bytearray`` or ``memoryview`` copied), a ``str`` converted from the text format; an error
    in the text is MALFORMED_MODULE with its line and column, anything else BAD_ARGUMENTS."""
    try:
        return E.as_module_bytes(wasm)
    except InvalidArgumentError:
        raise PreExecutionFailure(ErrorKind.BAD_ARGUMENTS,
                                  f"the contract must be WebAssembly text (str) or binary "
                                  f"(bytes), found {type(wasm).__name__}") from None
    except WasmError as e:
        raise _load_failure(e, text_error_message(e)) from e


def _load_failure(error: WasmError, message: str) -> PreExecutionFailure:
    """RT-CALL-1 step 1: the error kind of a module that cannot be loaded."""
    if isinstance(error, CodeTooLarge):
        return PreExecutionFailure(ErrorKind.CODE_TOO_LARGE, message)
    if isinstance(error, ValidationError):
        return PreExecutionFailure(ErrorKind.INVALID_MODULE, message)
    return PreExecutionFailure(ErrorKind.MALFORMED_MODULE, message)


def select(prepared: Prepared, function: object, args: object) -> FuncType:
    """RT-CALL-1 step 3: the export must be a function (NO_SUCH_FUNCTION) and the arguments
    must match its parameters in number and type (BAD_ARGUMENTS)."""
    if not isinstance(function, str):
        raise PreExecutionFailure(ErrorKind.BAD_ARGUMENTS,
                                  f"the function name must be a str, found "
                                  f"{type(function).__name__}")
    t = prepared.exports.get(function)
    if not isinstance(t, FuncType):
        raise PreExecutionFailure(ErrorKind.NO_SUCH_FUNCTION,
                                  f"no exported function {shown(function)}")
    if not isinstance(args, list | tuple) or len(args) != len(t.params) or any(
            not isinstance(a, Value) or a.type is not p or not payload_matches(p, a.payload)
            for a, p in zip(args, t.params)):
        raise PreExecutionFailure(ErrorKind.BAD_ARGUMENTS,
                                  f"{function} takes {t}, got {shown(args, 200)}")
    if any(a.type is ValType.FUNCREF and a.payload is not None for a in args):
        # Every call runs in a fresh store, so no function address exists before it starts.
        raise PreExecutionFailure(ErrorKind.BAD_ARGUMENTS,
                                  "a call cannot receive a non-null funcref")
    return t


def check_call(gas_limit: object, context: object, storage: object) -> int:
    """RT-CALL-1, RT-GAS-3: the gas limit is an int in [0, MAX_GAS_LIMIT], the context a
    `BlockContext` and the storage a `Storage` (BAD_ARGUMENTS otherwise); returns the limit."""
    if isinstance(gas_limit, bool) or not isinstance(gas_limit, int) \
            or not 0 <= gas_limit <= MAX_GAS_LIMIT:
        raise PreExecutionFailure(ErrorKind.BAD_ARGUMENTS,
                                  f"bad gas limit {shown(gas_limit, 40)}: expected an integer in "
                                  f"[0, 2**64 - 1]")
    if context is not None and not isinstance(context, BlockContext):
        raise PreExecutionFailure(ErrorKind.BAD_ARGUMENTS,
                                  f"context must be a BlockContext, found "
                                  f"{type(context).__name__}")
    if storage is not None and not is_storage(storage):
        raise PreExecutionFailure(ErrorKind.BAD_ARGUMENTS,
                                  f"storage must be a Storage, found {type(storage).__name__}")
    return gas_limit


def is_storage(obj: object) -> bool:
    """RT-STORAGE-1: whether ``obj`` has callable ``get``, ``set``, ``delete`` and ``scan``."""
    return all(callable(getattr(obj, m, None)) for m in ("get", "set", "delete", "scan"))


# --- RT-CALL-1 step 5 --------------------------------------------------------------------------


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


# --- the reference backend's host functions ------------------------------------------------------


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


# --- Runtime -------------------------------------------------------------------------------------


class Runtime:
    """The SuperVM runtime of the seeds: ``Runtime(storage)`` (RT-CALL-*), and the reference
    backend (RT-BACKEND-1).

    ``engine_limits`` and ``host_limits`` default to WASM-LIMIT-* and HOST-LIMIT-1;
    ``default_gas_limit`` (RT-GAS-1) is an integer in [1, 2**64 - 1]; ``module_cache_size`` how
    many prepared contracts are kept, in [0, 4096] (RT-API-4). Anything else is
    `InvalidArgumentError`.
    """

    #: RT-BACKEND-1, RT-BACKEND-3: whether a call runs native code that keeps per-thread state
    #: while it is suspended inside a host function (a scheduler must then not interleave two
    #: suspended calls on one OS thread, SCHED-VM-1). The reference engine is pure Python: no.
    native_stack = False

    def __init__(self, storage: Storage, *, engine_limits: EngineLimits | None = None,
                 host_limits: HostLimits | None = None,
                 default_gas_limit: int = DEFAULT_GAS_LIMIT,
                 module_cache_size: int = 256) -> None:
        if not is_storage(storage):
            raise InvalidArgumentError("storage", "a Storage (get, set, delete, scan)", storage)
        if engine_limits is not None and not isinstance(engine_limits, EngineLimits):
            raise InvalidArgumentError("engine_limits", "an EngineLimits or None",
                                       engine_limits)
        if host_limits is not None and not isinstance(host_limits, HostLimits):
            raise InvalidArgumentError("host_limits", "a HostLimits or None", host_limits)
        self.storage = storage
        self.engine_limits = engine_limits or EngineLimits()
        self.host_limits = host_limits or HostLimits()
        self.default_gas_limit = require_int(default_gas_limit, "default_gas_limit", 1,
                                             MAX_GAS_LIMIT)
        self._cache_size = require_int(module_cache_size, "module_cache_size", 0,
                                       MAX_MODULE_CACHE_SIZE)
        self._prepared: OrderedDict[bytes, Prepared] = OrderedDict()
        self._cache_lock = threading.Lock()

    # --- The seed's API ---------------------------------------------------------------------

    def execute_add(self, wasm: bytes | str, a: int, b: int) -> int:
        """RT-CALL-4, the seed's ``execute_add``: call the export ``add(i32, i32) -> i32`` and
        return the signed result. ``a`` and ``b`` are integers in [-2**31, 2**32 - 1]; raises
        `ExecutionError` on failure (BAD_ARGUMENTS for a bad argument)."""
        args = [Value.i32(_i32_argument(a, "a")), Value.i32(_i32_argument(b, "b"))]
        return self._single_int(self.call(wasm, "add", args))

    def execute_with_context(self, wasm: bytes | str, func: str, block_number: int, timestamp: int
                             ) -> tuple[int, list[bytes], int, int]:
        """RT-CALL-4, the seed's ``execute_with_context``: call ``func`` (no parameters, one
        i32 or i64 result) in the given block context (RT-CTX-1: both signed 64-bit integers);
        returns (result, events, block_number, timestamp). Raises `ExecutionError` on failure
        (BAD_ARGUMENTS for a bad argument)."""
        try:
            context = BlockContext(block_number, timestamp)
        except InvalidArgumentError as e:
            raise ExecutionError(ErrorKind.BAD_ARGUMENTS, str(e)) from None
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

    @classmethod
    def new_with_routing(cls, storage: Storage) -> SuperVM:
        """ROUTE-API-2, the seed's ``Runtime::new_with_routing(storage)``: a `SuperVM` over
        ``storage`` whose contract calls run on this backend (``cls``), with object ownership
        and Block-STM scheduling."""
        from ..routing.supervm import SuperVM

        return SuperVM(storage, backend=cls)

    # --- The general call: RT-CALL-1 ----------------------------------------------------------

    def call(self, wasm: bytes | str, function: str, args: Sequence[Value] = (), *,
             context: BlockContext | None = None, gas_limit: int | None = None,
             storage: Storage | None = None) -> CallResult:
        """RT-CALL-1: call ``function`` of the contract ``wasm`` (the binary format as bytes, or
        the text format as a str: RT-CODE-1) with ``args``. Never raises
        for anything the contract or the arguments do (RT-ERR-1): every failure is a
        `CallResult` with an `ErrorKind`. ``storage`` runs this one call against another
        storage than the runtime's (RT-CALL-5: e.g. a transaction's view in a parallel
        scheduler); its control signals (a ``BaseException`` that is not an ``Exception``)
        pass through."""
        # Steps 1-3 (RT-ERR-2: no gas is used).
        try:
            limit = check_call(self.default_gas_limit if gas_limit is None else gas_limit,
                               context, storage)
            prepared = self.prepare(as_code(wasm))
            functype = select(prepared, function, args)
        except PreExecutionFailure as f:
            return CallResult(f.error, message=str(f))
        # Step 4 (RT-ERR-3: any failure uses the whole limit).
        if self.native_stack:
            before_native_call()  # RT-BACKEND-3: may raise a scheduler's control signal
        base = self.storage if storage is None else storage  # RT-CALL-5
        state = CallState(StorageOverlay(base), context or BlockContext(), self.host_limits)
        try:
            results, gas_used = self.instantiate_and_invoke(prepared, str(function), functype,
                                                            tuple(args), state, limit)
        except CallFailure as f:
            state.storage.discard()
            return CallResult(f.error, gas_used=0 if f.error.before_execution else limit,
                              message=str(f))
        # Step 5.
        return finish_call(state, results, gas_used, limit)

    def prepare(self, wasm: bytes | str) -> Prepared:
        """RT-CALL-1 steps 1-2 for ``wasm`` (text or binary, RT-CODE-1) and the backend's
        `compile`, cached by the SHA-256 of the binary (RT-CALL-4, RT-CODE-2)."""
        wasm = as_code(wasm)
        key = hashlib.sha256(wasm).digest()
        with self._cache_lock:  # calls may run on several threads (SCHED-THREADS-1)
            prepared = self._prepared.get(key)
            if prepared is not None:
                self._prepared.move_to_end(key)
                return prepared
        module = self.load(wasm)
        linked = Prepared(module, tuple(self._link(module)), dict(E.module_exports(module)))
        prepared = Prepared(linked.module, linked.imports, linked.exports,
                            self.compile(linked, wasm))
        if self._cache_size:
            with self._cache_lock:
                self._prepared[key] = prepared
                if len(self._prepared) > self._cache_size:
                    self._prepared.popitem(last=False)
        return prepared

    def load(self, wasm: bytes) -> Module:
        """RT-CALL-1 step 1: decode and validate; a contract may not have a start function; a
        module beyond the engine's code-size limits (WASM-LIMIT-8/9) is CODE_TOO_LARGE."""
        try:
            module = E.module_decode(wasm, self.engine_limits)
            E.module_validate(module)
        except WasmError as e:  # CodeTooLarge, DecodeError, ValidationError
            raise _load_failure(e, str(e)) from e
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
                raise PreExecutionFailure(
                    ErrorKind.UNLINKABLE, f"import {mod}.{name} must be a function of type "
                                          f"{fn.type}")
            out.append(fn)
        return out

    # --- What a backend supplies (RT-BACKEND-1) -------------------------------------------------

    def compile(self, prepared: Prepared, wasm: bytes) -> Any:
        """RT-BACKEND-1: the backend's own form of a loaded and linked contract, kept in
        `Prepared.compiled`; may raise `PreExecutionFailure`. The reference needs none."""
        return None

    def instantiate_and_invoke(self, prepared: Prepared, function: str, functype: FuncType,
                               args: tuple[Value, ...], state: CallState, limit: int
                               ) -> tuple[list[Value], int]:
        """RT-CALL-1 step 4 on the reference engine: a fresh store and instance (calls share
        only the storage), then ``function`` (of type ``functype``, checked by step 3) invoked
        with ``args`` under ``limit``; returns (results, gas used) or raises `CallFailure`."""
        store = E.store_init(self.engine_limits)
        try:
            externvals = [ExternVal("func", E.func_alloc(store, fn.type, _host_code(fn, state)))
                          for fn in prepared.imports]
            inst = E.module_instantiate(store, prepared.module, externvals)
            addr = E.instance_export(inst, function).addr
            results, gas_used = E.func_invoke_with_gas(store, addr, list(args), limit)
        except Trap as t:
            raise CallFailure(error_kind_of_trap(t), str(t)) from t
        except LinkError as e:  # an engine limit at instantiation (WASM-LIMIT-3/-4)
            raise CallFailure(ErrorKind.UNLINKABLE, str(e)) from e
        except WasmError as e:  # pragma: no cover - the embedding API raises only the above
            raise CallFailure(ErrorKind.HOST_ERROR, str(e)) from e
        return results, gas_used


def _i32_argument(value: object, name: str) -> int:
    """RT-CALL-4: an i32 argument of a convenience method, signed or unsigned."""
    if isinstance(value, bool) or not isinstance(value, int) \
            or not -(1 << 31) <= value <= MASK32:
        raise ExecutionError(ErrorKind.BAD_ARGUMENTS,
                             f"{name} must be an integer in [-2**31, 2**32 - 1], found "
                             f"{shown(value, 40)}")
    return value
