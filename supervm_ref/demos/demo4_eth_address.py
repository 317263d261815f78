"""Demo 4 of the seed: Ethereum address derivation through ``crypto_api``."""

from __future__ import annotations

from collections.abc import Callable

from ..config import Config
from ..crypto.eth_address import to_checksum_address
from ..runtime.errors import ExecutionError
from ..runtime.runtime import Runtime
from ..runtime.storage import MemoryStorage
from .contracts import CRYPTO_WASM


def run(log: Callable[[str], None], config: Config) -> None:
    """Derive the address of the public key of private key 1 inside a contract
    (HOST-CRYPTO-6) and print it in EIP-55 form."""
    runtime = Runtime(MemoryStorage(), engine_limits=config.engine, host_limits=config.host)
    result = runtime.call(CRYPTO_WASM, "eth_address")
    if result.error is not None:
        raise ExecutionError(result.error, result.message)
    [address] = result.events
    log("Demo 4: Ethereum address derivation:")
    log("  public key: secp256k1 generator point (private key 1), 64 bytes x||y")
    log(f"  address:    {to_checksum_address(address)}")
