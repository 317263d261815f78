"""Execution backends: every runtime that can run a contract call (spec/conformance.md,
CONF-BACKEND-1/2).

A backend is a factory ``factory(storage) -> runtime`` whose result has the reference
`Runtime.call` signature::

    runtime.call(wasm, function, args, context=BlockContext(...), gas_limit=N) -> CallResult

The registry maps a name to where its factory lives; the module is imported only when the
backend is asked for, so a backend whose dependencies are missing is reported as unavailable
(with the reason) instead of breaking everything else. A backend whose dependency is an extra
of the distribution names that extra, so the reason says what to install.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..errors import SuperVMError, shown
from ..runtime.context import BlockContext
from ..runtime.runtime import CallResult
from ..runtime.storage import Storage
from ..wasm import Value


class RuntimeLike(Protocol):
    """CONF-BACKEND-1: what a backend's factory returns."""

    def call(self, wasm: bytes, function: str, args: Sequence[Value] = (), *,
             context: BlockContext | None = None, gas_limit: int | None = None
             ) -> CallResult:
        """RT-CALL-1: run one call against the storage the runtime was built on; commit its
        writes on success (RT-ATOMIC-1); never raise for anything the contract does."""
        ...


#: CONF-BACKEND-1: ``factory(storage) -> RuntimeLike``.
BackendFactory = Callable[[Storage], RuntimeLike]


class BackendError(SuperVMError):
    """A backend is not registered, or cannot be loaded (``reason`` says why)."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"backend {shown(name)}: {reason}")
        self.name = name
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Backend:
    """CONF-BACKEND-2: a registered backend: its name, a one-line description, the module and
    attribute of its factory (imported lazily) and, when it needs packages that only an extra
    of ``supervm-ref`` installs, the extra's name."""

    name: str
    description: str
    module: str
    attribute: str
    extra: str | None = None

    def load(self) -> BackendFactory:
        """Import the factory; `BackendError` (with the import's failure) if that fails. A
        missing package of the backend's extra is named with the command that installs it."""
        try:
            module = importlib.import_module(self.module)
            factory = getattr(module, self.attribute)
        except ModuleNotFoundError as e:
            missing = e.name or ""
            ours = missing == self.module or missing.split(".")[0] == "supervm_ref"
            if self.extra is not None and missing and not ours:  # a dependency of the extra
                raise BackendError(
                    self.name, f"unavailable: the {shown(e.name)} package is not installed; "
                               f"install it with: pip install 'supervm-ref[{self.extra}]'"
                ) from e
            raise BackendError(self.name, f"unavailable: {type(e).__name__}: {e}") from e
        except Exception as e:  # ImportError, or the backend's own import-time failure
            raise BackendError(self.name, f"unavailable: {type(e).__name__}: {e}") from e
        if not callable(factory):
            raise BackendError(self.name, f"{self.module}.{self.attribute} is not callable")
        result: BackendFactory = factory
        return result


#: CONF-BACKEND-2: the registered backends, by name.
BACKENDS: dict[str, Backend] = {
    "reference": Backend("reference", "the pure-Python reference runtime (executable spec)",
                         "supervm_ref.runtime.runtime", "Runtime"),
    "wasmtime": Backend("wasmtime", "the host ABI on wasmtime 29 with fuel metering",
                        "supervm_ref.backends.wasmtime", "WasmtimeRuntime", extra="wasmtime"),
}


def is_registered(name: str) -> bool:
    """Whether ``name`` is a registered backend."""
    return isinstance(name, str) and name in BACKENDS


def load_backend(name: str) -> BackendFactory:
    """CONF-BACKEND-2: the factory of the backend ``name``; `BackendError` if it is not
    registered or cannot be imported."""
    if not isinstance(name, str):
        raise BackendError(repr(name)[:60], "a backend name is a str")
    backend = BACKENDS.get(name)
    if backend is None:
        raise BackendError(name, f"not registered (known: {', '.join(sorted(BACKENDS))})")
    return backend.load()


def backend_status() -> dict[str, str | None]:
    """Every registered backend with None if it loads, else the reason it does not."""
    status: dict[str, str | None] = {}
    for name in sorted(BACKENDS):
        try:
            BACKENDS[name].load()
            status[name] = None
        except BackendError as e:
            status[name] = e.reason
    return status
