"""Demo 2 of the seed: ``execute_with_context`` with events, storage and the chain context."""

from __future__ import annotations

from collections.abc import Callable

from ..config import Config
from ..runtime.runtime import Runtime
from ..runtime.storage import MemoryStorage
from .contracts import EVENTS_WASM


def run(log: Callable[[str], None], config: Config) -> None:
    """Print the seed's demo 2 lines: the result (block number + timestamp), the context and
    the events the contract emitted."""
    runtime = Runtime(MemoryStorage(), engine_limits=config.engine, host_limits=config.host,
                      default_gas_limit=config.runtime.default_gas_limit)
    result, events, block_number, timestamp = runtime.execute_with_context(
        EVENTS_WASM, "process_block", config.demo.block_number, config.demo.timestamp)
    log("Demo 2: execute_with_context results:")
    log(f"  Function returned: {result}")
    log(f"  Block number: {block_number}, Timestamp: {timestamp}")
    log(f"  Events collected: {len(events)} events")
    for i, event in enumerate(events, start=1):
        log(f"    Event {i}: {event.decode('utf-8', errors='replace')}")
