"""Host functions: what a host function sees of the running WebAssembly (spec 4.2.6, 4.4.10).

A host function is called with a `Caller`: the store, the module instance of the calling
WebAssembly function, its memory, and the gas meter of the running invocation. Rules
WASM-HOST-* and WASM-GAS-4.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...errors import shown
from ..errors import Trap, TrapKind, WasmError
from ..structure.types import ValType
from .store import HostFuncInst, MemInst, ModuleInst, Store
from .values import Payload, payload_matches


@dataclass(slots=True)
class GasMeter:
    """The gas of one invocation: ``used`` so far and the ``limit`` (rules WASM-GAS-*).
    ``used`` may exceed ``limit`` between checkpoints (WASM-GAS-2)."""

    used: int
    limit: int

    @property
    def reported(self) -> int:
        """WASM-GAS-3: the gas used as reported to the embedder, ``min(used, limit)``."""
        return min(self.used, self.limit)


class Caller:
    """The view a host function has of its caller (rules WASM-HOST-2..4)."""

    __slots__ = ("_meter", "depth", "instance", "slots", "store")

    def __init__(self, store: Store, instance: ModuleInst | None, meter: GasMeter, depth: int,
                 slots: int) -> None:
        self.store = store
        self.instance = instance
        self._meter = meter
        self.depth = depth
        self.slots = slots

    @property
    def memory(self) -> MemInst | None:
        """The calling instance's memory 0, or None if it has no memory."""
        if self.instance is None or not self.instance.memaddrs:
            return None
        return self.store.mems[self.instance.memaddrs[0]]

    def read(self, ptr: int, length: int) -> bytes:
        """WASM-HOST-3: ``length`` bytes of the caller's memory at ``ptr``; a range outside the
        memory (or no memory) traps with ``out of bounds memory access``."""
        mem = self.memory
        size = len(mem.data) if mem is not None else 0
        if ptr < 0 or length < 0 or ptr + length > size or mem is None:
            raise Trap(TrapKind.MEMORY_OUT_OF_BOUNDS, f"host read of {length} bytes at {ptr}")
        return bytes(mem.data[ptr:ptr + length])

    def write(self, ptr: int, data: bytes) -> None:
        """WASM-HOST-3: write ``data`` into the caller's memory at ``ptr``, or trap."""
        mem = self.memory
        size = len(mem.data) if mem is not None else 0
        try:
            data = bytes(data)  # a wide buffer's len() counts items, not bytes
        except (TypeError, ValueError) as e:
            raise Trap(TrapKind.HOST_ERROR, f"host write of a {type(data).__name__}") from e
        if ptr < 0 or ptr + len(data) > size or mem is None:
            raise Trap(TrapKind.MEMORY_OUT_OF_BOUNDS, f"host write of {len(data)} bytes at {ptr}")
        mem.data[ptr:ptr + len(data)] = data

    @property
    def gas_used(self) -> int:
        """Gas used so far by the running invocation (WASM-GAS-3)."""
        return self._meter.reported

    @property
    def gas_remaining(self) -> int:
        """Gas left before the limit (0 when the limit has already been passed)."""
        return max(self._meter.limit - self._meter.used, 0)

    def charge_gas(self, amount: int) -> None:
        """WASM-GAS-4: charge ``amount`` extra gas; if more than what remains, the invocation
        traps with ``out of gas`` and its gas used becomes the limit."""
        if type(amount) is not int or amount < 0:
            raise Trap(TrapKind.HOST_ERROR,
                       f"charge_gas needs a non-negative int, got {shown(amount)}")
        meter = self._meter
        if amount > max(meter.limit - meter.used, 0):  # a charge of 0 never traps
            meter.used = meter.limit
            raise Trap(TrapKind.OUT_OF_GAS, f"host function charged {amount}")
        meter.used += amount

    def invoke(self, funcaddr: int, args: list[Payload]) -> list[Payload]:
        """WASM-HOST-4: call a function of the store from the host function, on the same gas
        meter and call stack (re-entrance is bounded by WASM-LIMIT-5)."""
        from ..exec.machine import execute

        store = self.store
        if store.reentry_depth >= store.limits.max_host_reentry:
            raise Trap(TrapKind.CALL_STACK_EXHAUSTED, "too many nested host re-entries")
        if type(funcaddr) is not int or not 0 <= funcaddr < len(store.funcs):
            raise Trap(TrapKind.HOST_ERROR, f"no function at address {shown(funcaddr)}")
        f = store.funcs[funcaddr]
        if len(args) != len(f.type.params) or not all(
                payload_matches(t, a) for t, a in zip(f.type.params, args)):
            raise Trap(TrapKind.HOST_ERROR, f"arguments do not match {f.type}")
        store.reentry_depth += 1
        try:
            return execute(store, f, list(args), self._meter, self.depth, self.slots)
        finally:
            store.reentry_depth -= 1


def call_host(store: Store, f: HostFuncInst, args: list[Payload], meter: GasMeter,
              instance: ModuleInst | None, depth: int, slots: int) -> list[Payload]:
    """4.4.10 invoking a host function: call it, and check what it returns against its type
    (WASM-HOST-1). A Trap it raises passes through; any other exception becomes
    ``Trap(host error)``, so no Python exception escapes the engine."""
    caller = Caller(store, instance, meter, depth, slots)
    try:
        out: Any = f.hostcode(caller, *args)
    except Trap:
        raise
    except WasmError as e:
        raise Trap(TrapKind.HOST_ERROR, str(e)) from e
    except RecursionError as e:
        raise Trap(TrapKind.CALL_STACK_EXHAUSTED, "host function recursion") from e
    except Exception as e:  # WASM-HOST-1: a host failure is a trap
        raise Trap(TrapKind.HOST_ERROR, f"{type(e).__name__}: {e}") from e
    results = f.type.results
    if out is None:
        out = ()
    try:
        values = list(out)
    except Exception as e:  # WASM-HOST-1: whatever goes wrong is a host error
        raise Trap(TrapKind.HOST_ERROR, "host function must return a sequence") from e
    if len(values) != len(results) or not all(
            payload_matches(t, v) and (t is not ValType.FUNCREF or v is None
                                       or v < len(store.funcs))
            for t, v in zip(results, values)):
        raise Trap(TrapKind.HOST_ERROR, f"host function returned {shown(values)} for {f.type}")
    return values
