"""What a host function works with (spec/host-abi.md, HOST-MEM-*, HOST-GAS-*)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from ...wasm import FuncType, ValType
from ..context import BlockContext
from ..overlay import StorageOverlay
from .limits import HostLimits


class HostEnv(Protocol):
    """Access to the calling contract's memory and to the gas meter, provided by a backend."""

    def read(self, ptr: int, length: int) -> bytes:
        """HOST-MEM-1: ``length`` bytes of the contract's memory at ``ptr``, or
        ``Trap(out of bounds memory access)``."""
        ...

    def write(self, ptr: int, data: bytes) -> None:
        """HOST-MEM-1: write into the contract's memory, or trap out of bounds."""
        ...

    def check(self, ptr: int, length: int) -> None:
        """HOST-MEM-1: trap out of bounds unless ``[ptr, ptr + length)`` lies in memory."""
        ...

    def charge(self, gas: int) -> None:
        """HOST-GAS-1: charge gas, or ``Trap(out of gas)`` if it does not fit."""
        ...


@dataclass(slots=True)
class CallState:
    """The per-call state host functions share (RT-ATOMIC-*): the buffered storage, the
    events emitted so far, the value kept by the last ``storage_get``, the block context."""

    storage: StorageOverlay
    context: BlockContext
    limits: HostLimits = field(default_factory=HostLimits)
    events: list[bytes] = field(default_factory=list)
    last_value: bytes | None = None


#: A host function: (env, state, *argument payloads) -> result (a Python int) or None.
HostImpl = Callable[..., int | None]


@dataclass(frozen=True, slots=True)
class HostFunction:
    """One import of the host ABI: where it is imported from, its WebAssembly type, and its
    implementation. Arguments arrive as payloads (i32/i64 unsigned); the result is a Python
    int that the backend wraps to the result type."""

    module: str
    name: str
    params: tuple[ValType, ...]
    results: tuple[ValType, ...]
    impl: HostImpl

    @property
    def type(self) -> FuncType:
        """The WebAssembly function type of the import."""
        return FuncType(self.params, self.results)
