"""Demo 3 of the seed: SHA-256 and Keccak-256 through ``crypto_api``."""

from __future__ import annotations

from collections.abc import Callable

from ..config import Config
from ..runtime.errors import ExecutionError
from ..runtime.runtime import Runtime
from ..runtime.storage import MemoryStorage
from .contracts import CRYPTO_WASM

MESSAGE = "Hello, SuperVM!"


def run(log: Callable[[str], None], config: Config) -> None:
    """Hash the message inside a contract and print both digests (HOST-CRYPTO-1/2)."""
    runtime = Runtime(MemoryStorage(), engine_limits=config.engine, host_limits=config.host)
    result = runtime.call(CRYPTO_WASM, "hashes")
    if result.error is not None:
        raise ExecutionError(result.error, result.message)
    sha, keccak = result.events
    log("Demo 3: crypto_api hashes:")
    log(f'  SHA-256("{MESSAGE}")    = 0x{sha.hex()}')
    log(f'  Keccak-256("{MESSAGE}") = 0x{keccak.hex()}')
