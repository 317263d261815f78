"""Demo 1 of the seed: ``add(7,8) => 15``, executed by the reference engine."""

from __future__ import annotations

from collections.abc import Callable

from .. import wasm as E
from ..config import Config
from ..wasm import Value
from .contracts import ADD_WASM


def add(a: int, b: int) -> int:
    """Run the ``add`` export of the demo module on fresh store and return the signed result."""
    store = E.store_init()
    inst = E.module_instantiate(store, E.module_decode(ADD_WASM), [])
    [result] = E.func_invoke(store, E.instance_export(inst, "add").addr,
                             [Value.i32(a), Value.i32(b)])
    return result.as_signed()


def run(log: Callable[[str], None], config: Config) -> None:
    """Print the seed's demo 1 line."""
    log(f"Demo 1: add(7,8) => {add(7, 8)}")
