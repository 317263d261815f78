"""The embedding interface (WebAssembly spec appendix A.1), rules WASM-API-*.

Every function here is named after the spec's appendix and either returns a result or raises a
`WasmError` subclass: `DecodeError`, `ValidationError`, `LinkError`, `Trap`, or `EmbeddingError`
when the embedder itself passes something that does not fit (an unknown address, a value of the
wrong type). No other Python exception escapes (rule WASM-ERR-1).

Values cross the boundary as `Value` (type + bit-exact payload, rule WASM-API-2). A decoded
`Module` is immutable and may be instantiated any number of times, each instance with its own
state (rule WASM-API-3).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Sequence
from typing import Any

from ..errors import shown
from .binary.module import decode_module
from .errors import LinkError, Trap, TrapKind, WasmError
from .exec.machine import invoke
from .limits import PAGE_SIZE, EngineLimits
from .runtime.instantiate import instantiate
from .runtime.store import (
    ExternVal,
    GlobalInst,
    HostFuncInst,
    MemInst,
    ModuleInst,
    Store,
    TableInst,
)
from .runtime.values import MASK32, Payload, Value, payload_matches
from .structure.module import Module
from .structure.types import ExternType, FuncType, GlobalType, MemType, TableType, ValType
from .valid.module import module_import_types, validate_module


class EmbeddingError(WasmError):
    """The embedder called the API with something that does not fit (rule WASM-API-5)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "embedding")


def _guard(fn: Callable[[], Any]) -> Any:
    """Run ``fn``, turning any non-WasmError exception into an EmbeddingError or Trap, so no
    other Python exception escapes the API (rule WASM-ERR-1)."""
    try:
        return fn()
    except WasmError:
        raise
    except RecursionError as e:  # pragma: no cover - the engine never recurses unboundedly
        raise Trap(TrapKind.CALL_STACK_EXHAUSTED, "host recursion") from e
    except MemoryError as e:
        raise Trap(TrapKind.HOST_ERROR, "out of host memory") from e
    except Exception as e:  # the boundary: report, never leak
        raise EmbeddingError(f"{type(e).__name__}: {e}") from e


# --- Store ------------------------------------------------------------------------------------

def store_init(limits: EngineLimits | None = None) -> Store:
    """A.1 ``store_init``: a new, empty store with the given (or default) limits."""
    return Store(limits=limits or EngineLimits())


# --- Modules ----------------------------------------------------------------------------------

def module_decode(data: bytes, limits: EngineLimits | None = None) -> Module:
    """A.1 ``module_decode``: decode a binary module; raises DecodeError if malformed, and
    CodeTooLarge if it exceeds the code-size limits of ``limits`` (default `EngineLimits()`,
    rules WASM-LIMIT-8, WASM-LIMIT-9)."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise EmbeddingError(f"module_decode expects bytes, got {type(data).__name__}")
    if limits is not None and not isinstance(limits, EngineLimits):
        raise EmbeddingError(f"module_decode expects EngineLimits, got {type(limits).__name__}")
    return _guard(lambda: decode_module(bytes(data), limits))


#: Modules already found valid, by identity, with their import types. A Module is immutable,
#: so validating it once is enough (rule WASM-API-3); an entry whose module is gone is never
#: matched (its weak reference is dead) and is swept out later.
_VALIDATED: dict[int, tuple[weakref.ref[Module], list[ExternType]]] = {}
_NEXT_SWEEP = 64
#: Guards `_VALIDATED`: calls run on several threads (SCHED-THREADS-1), and a garbage
#: collection inside the sweep's copy of the table can switch threads mid-iteration.
_VALIDATED_LOCK = threading.Lock()


def module_validate(module: Module) -> None:
    """A.1 ``module_validate``: raise ValidationError if the module is invalid."""
    _validated_import_types(module)


def _validated_import_types(module: Module) -> list[ExternType]:
    """Validate ``module`` (once per Module object) and return its import types."""
    if not isinstance(module, Module):
        raise EmbeddingError(f"expected a Module, got {type(module).__name__}")
    key = id(module)
    with _VALIDATED_LOCK:
        known = _VALIDATED.get(key)
    if known is not None and known[0]() is module:
        return known[1]
    _guard(lambda: validate_module(module))
    import_types: list[ExternType] = _guard(lambda: module_import_types(module))
    with _VALIDATED_LOCK:
        _sweep_validated()
        _VALIDATED[key] = (weakref.ref(module), import_types)
    return import_types


def _sweep_validated() -> None:
    """Forget the entries whose module is gone, whenever the table has doubled since the last
    sweep (amortised O(1)); called with `_VALIDATED_LOCK` held. A weakref callback would run
    at arbitrary moments, where an interrupt (Ctrl-C) arriving inside it is printed and
    lost."""
    global _NEXT_SWEEP
    if len(_VALIDATED) < _NEXT_SWEEP:
        return
    for key, (ref, _) in list(_VALIDATED.items()):
        if ref() is None:
            _VALIDATED.pop(key, None)
    _NEXT_SWEEP = 2 * len(_VALIDATED) + 64


def module_instantiate(store: Store, module: Module, externvals: Sequence[ExternVal],
                       gas_limit: int | None = None) -> ModuleInst:
    """A.1 ``module_instantiate``: validate, link against ``externvals`` (in import order),
    allocate, initialise tables and memories, and run the start function (with ``gas_limit``
    when given). Raises ValidationError, LinkError or Trap. On failure the store may hold
    unreachable allocations but no existing instance has changed except through segments
    already written, exactly as the spec's instantiation order prescribes."""
    if gas_limit is not None and (type(gas_limit) is not int or gas_limit < 0):
        raise EmbeddingError(f"gas limit must be a non-negative int, got {shown(gas_limit)}")
    import_types = _validated_import_types(module)
    return _guard(lambda: instantiate(store, module, import_types, list(externvals), gas_limit))


def module_imports(module: Module) -> list[tuple[str, str, ExternType]]:
    """A.1 ``module_imports``: (module name, field name, external type) per import, in order."""
    types = module_import_types(module)
    return [(imp.module, imp.name, t) for imp, t in zip(module.imports, types)]


def module_exports(module: Module) -> list[tuple[str, ExternType]]:
    """A.1 ``module_exports``: (name, external type) per export, in order."""
    from .valid.module import module_export_types

    return list(zip((e.name for e in module.exports), module_export_types(module)))


def instance_export(inst: ModuleInst, name: str) -> ExternVal:
    """A.1 ``instance_export``: the external value exported under ``name``."""
    try:
        return inst.exports[name]
    except (KeyError, TypeError, AttributeError):
        raise EmbeddingError(f"no export named {shown(name)}") from None


# --- Functions --------------------------------------------------------------------------------

def func_alloc(store: Store, functype: FuncType, hostfunc: Callable[..., Any]) -> int:
    """A.1 ``func_alloc``: allocate a host function; returns its address.

    ``hostfunc(caller, *args)`` receives the `Caller` and the argument payloads and returns
    the result payloads as a sequence. It may raise `Trap`; any other exception it raises
    becomes ``Trap(host error)`` (rule WASM-HOST-1). It may charge gas with
    ``caller.charge_gas(n)`` (rule WASM-GAS-5)."""
    if not isinstance(functype, FuncType) or not callable(hostfunc):
        raise EmbeddingError("func_alloc expects a FuncType and a callable")
    store.funcs.append(HostFuncInst(functype, hostfunc))
    return len(store.funcs) - 1


def func_type(store: Store, funcaddr: int) -> FuncType:
    """A.1 ``func_type``."""
    return _func(store, funcaddr).type


def func_invoke(store: Store, funcaddr: int, vals: Sequence[Value]) -> list[Value]:
    """A.1 ``func_invoke``: call a function without a gas limit; returns the results.
    Raises Trap (and EmbeddingError for arguments that do not match the type)."""
    results, _ = func_invoke_with_gas(store, funcaddr, vals, None)
    return results


def func_invoke_with_gas(store: Store, funcaddr: int, vals: Sequence[Value],
                         gas_limit: int | None) -> tuple[list[Value], int]:
    """``func_invoke`` with a gas limit (rules WASM-GAS-*): returns (results, gas used).
    On a trap the `Trap` carries ``gas_used``; running out is ``Trap(out of gas)``."""
    if not isinstance(store, Store):
        raise EmbeddingError(f"expected a Store, got {type(store).__name__}")
    ft = func_type(store, funcaddr)
    args = _check_args(store, ft, vals)
    if gas_limit is not None and (type(gas_limit) is not int or gas_limit < 0):
        raise EmbeddingError(f"gas limit must be a non-negative int, got {shown(gas_limit)}")
    payloads, gas_used = _guard(lambda: invoke(store, funcaddr, args, gas_limit))
    return [Value(t, p) for t, p in zip(ft.results, payloads)], gas_used


def _func(store: Store, funcaddr: int) -> Any:
    if type(funcaddr) is not int or not 0 <= funcaddr < len(store.funcs):
        raise EmbeddingError(f"no function at address {shown(funcaddr)}")
    return store.funcs[funcaddr]


def _known_ref(store: Store, t: Any, payload: Payload) -> bool:
    """A funcref payload must be null or the address of a function of this store."""
    return t is not ValType.FUNCREF or payload is None or (
        type(payload) is int and payload < len(store.funcs))


def _check_args(store: Store, ft: FuncType, vals: Sequence[Value]) -> list[Payload]:
    if not isinstance(vals, (list, tuple)):
        raise EmbeddingError(f"arguments must be a list of Values, got {type(vals).__name__}")
    if len(vals) != len(ft.params):
        raise EmbeddingError(f"function {ft} expects {len(ft.params)} arguments, got {len(vals)}")
    out: list[Payload] = []
    for i, (t, v) in enumerate(zip(ft.params, vals)):
        if not isinstance(v, Value) or v.type is not t or not payload_matches(t, v.payload) \
                or not _known_ref(store, t, v.payload):
            raise EmbeddingError(f"argument {i}: expected a {t.value} Value, got {shown(v)}")
        out.append(v.payload)
    return out


# --- Tables -----------------------------------------------------------------------------------

def table_alloc(store: Store, tabletype: TableType, ref: Value | None = None) -> int:
    """A.1 ``table_alloc``: a table of ``min`` elements, each ``ref`` (default null)."""
    if not isinstance(tabletype, TableType) or (tabletype.limits.max is not None and
                                                tabletype.limits.min > tabletype.limits.max):
        raise EmbeddingError(f"table_alloc expects a valid TableType, got {shown(tabletype)}")
    init = None if ref is None else _typed_payload(tabletype.elem_type, ref, store)
    if tabletype.limits.min > store.limits.max_table_size:
        raise LinkError(f"table minimum {tabletype.limits.min} exceeds the limit "
                        f"{store.limits.max_table_size}")
    store.tables.append(TableInst(tabletype, [init] * tabletype.limits.min))
    return len(store.tables) - 1


def table_type(store: Store, tableaddr: int) -> TableType:
    """A.1 ``table_type``."""
    return _table(store, tableaddr).type


def table_read(store: Store, tableaddr: int, i: int) -> Value:
    """A.1 ``table_read``: raises Trap(out of bounds table access) past the end."""
    t = _table(store, tableaddr)
    if type(i) is not int or not 0 <= i < len(t.elem):
        raise Trap(TrapKind.TABLE_OUT_OF_BOUNDS, f"index {i} of {len(t.elem)}")
    return Value(t.type.elem_type, t.elem[i])


def table_write(store: Store, tableaddr: int, i: int, ref: Value) -> None:
    """A.1 ``table_write``."""
    t = _table(store, tableaddr)
    payload = _typed_payload(t.type.elem_type, ref, store)
    if type(i) is not int or not 0 <= i < len(t.elem):
        raise Trap(TrapKind.TABLE_OUT_OF_BOUNDS, f"index {i} of {len(t.elem)}")
    t.elem[i] = payload


def table_size(store: Store, tableaddr: int) -> int:
    """A.1 ``table_size``."""
    return len(_table(store, tableaddr).elem)


def table_grow(store: Store, tableaddr: int, n: int, ref: Value | None = None) -> bool:
    """A.1 ``table_grow``: grow by ``n``; returns False (the spec's error) when the maximum or
    the engine limit (WASM-LIMIT-4) would be exceeded."""
    from .exec.instructions.table import grow_table

    t = _table(store, tableaddr)
    if type(n) is not int or n < 0:
        raise EmbeddingError(f"table_grow expects a non-negative int, got {shown(n)}")
    init = None if ref is None else _typed_payload(t.type.elem_type, ref, store)
    return grow_table(store, t, n, init) != MASK32


def _table(store: Store, addr: int) -> TableInst:
    if type(addr) is not int or not 0 <= addr < len(store.tables):
        raise EmbeddingError(f"no table at address {shown(addr)}")
    return store.tables[addr]


# --- Memories ---------------------------------------------------------------------------------

def mem_alloc(store: Store, memtype: MemType) -> int:
    """A.1 ``mem_alloc``: a zeroed memory of ``min`` pages."""
    if not isinstance(memtype, MemType) or (memtype.limits.max is not None
                                            and memtype.limits.min > memtype.limits.max):
        raise EmbeddingError(f"mem_alloc expects a valid MemType, got {shown(memtype)}")
    if memtype.limits.min > store.limits.max_memory_pages:
        raise LinkError(f"memory minimum {memtype.limits.min} pages exceeds the limit "
                        f"{store.limits.max_memory_pages}")
    store.mems.append(MemInst(memtype, bytearray(memtype.limits.min * PAGE_SIZE)))
    return len(store.mems) - 1


def mem_type(store: Store, memaddr: int) -> MemType:
    """A.1 ``mem_type``."""
    return _mem(store, memaddr).type


def mem_read(store: Store, memaddr: int, i: int, length: int = 1) -> bytes:
    """A.1 ``mem_read``, generalised to ``length`` bytes; Trap past the end."""
    m = _mem(store, memaddr)
    if type(i) is not int or type(length) is not int or i < 0 or length < 0 \
            or i + length > len(m.data):
        raise Trap(TrapKind.MEMORY_OUT_OF_BOUNDS, f"read of {length} at {i}")
    return bytes(m.data[i:i + length])


def mem_write(store: Store, memaddr: int, i: int, data: bytes) -> None:
    """A.1 ``mem_write``, generalised to a byte string; Trap past the end."""
    m = _mem(store, memaddr)
    try:
        data = bytes(data)  # a wide buffer's len() counts items, not bytes
    except (TypeError, ValueError) as e:
        raise EmbeddingError(f"mem_write expects bytes, got {type(data).__name__}") from e
    if type(i) is not int or i < 0 or i + len(data) > len(m.data):
        raise Trap(TrapKind.MEMORY_OUT_OF_BOUNDS, f"write of {len(data)} at {i}")
    m.data[i:i + len(data)] = data


def mem_size(store: Store, memaddr: int) -> int:
    """A.1 ``mem_size``: the size in pages."""
    return len(_mem(store, memaddr).data) // PAGE_SIZE


def mem_grow(store: Store, memaddr: int, n: int) -> bool:
    """A.1 ``mem_grow``: returns False when the maximum or the engine limit (WASM-LIMIT-3)
    would be exceeded."""
    from .exec.instructions.memory import grow_memory

    if type(n) is not int or n < 0:
        raise EmbeddingError(f"mem_grow expects a non-negative int, got {shown(n)}")
    return grow_memory(store, _mem(store, memaddr), n) != MASK32


def _mem(store: Store, addr: int) -> MemInst:
    if type(addr) is not int or not 0 <= addr < len(store.mems):
        raise EmbeddingError(f"no memory at address {shown(addr)}")
    return store.mems[addr]


# --- Globals ----------------------------------------------------------------------------------

def global_alloc(store: Store, globaltype: GlobalType, val: Value) -> int:
    """A.1 ``global_alloc``."""
    if not isinstance(globaltype, GlobalType):
        raise EmbeddingError(f"global_alloc expects a GlobalType, got {shown(globaltype)}")
    payload = _typed_payload(globaltype.val_type, val, store)
    store.globals.append(GlobalInst(globaltype, payload))
    return len(store.globals) - 1


def global_type(store: Store, globaladdr: int) -> GlobalType:
    """A.1 ``global_type``."""
    return _global(store, globaladdr).type


def global_read(store: Store, globaladdr: int) -> Value:
    """A.1 ``global_read``."""
    g = _global(store, globaladdr)
    return Value(g.type.val_type, g.value)


def global_write(store: Store, globaladdr: int, val: Value) -> None:
    """A.1 ``global_write``: an EmbeddingError for an immutable global or a wrong type."""
    g = _global(store, globaladdr)
    if not g.type.mutable:
        raise EmbeddingError("global is immutable")
    g.value = _typed_payload(g.type.val_type, val, store)


def _global(store: Store, addr: int) -> GlobalInst:
    if type(addr) is not int or not 0 <= addr < len(store.globals):
        raise EmbeddingError(f"no global at address {shown(addr)}")
    return store.globals[addr]


def _typed_payload(t: Any, val: Value, store: Store) -> Payload:
    if not isinstance(val, Value) or val.type is not t or not payload_matches(t, val.payload) \
            or not _known_ref(store, t, val.payload):
        raise EmbeddingError(f"expected a {t.value} Value, got {shown(val)}")
    return val.payload
