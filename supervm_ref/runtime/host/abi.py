"""The host ABI table (spec/host-abi.md): every function a contract may import, by
(module, name). Both backends build their imports from this table alone."""

from __future__ import annotations

from ...wasm import ValType
from . import chain_api, crypto_api, storage_api
from .env import HostFunction, HostImpl

I32, I64 = ValType.I32, ValType.I64


def _f(module: str, name: str, params: int, results: tuple[ValType, ...], impl: HostImpl
       ) -> HostFunction:
    """One import: ``params`` i32 parameters (pointers, lengths), ``results``, ``impl``."""
    return HostFunction(module, name, (I32,) * params, results, impl)


#: The host ABI, in the order of spec/host-abi.md and spec/crypto.md.
HOST_FUNCTIONS: tuple[HostFunction, ...] = (
    _f("storage_api", "storage_get", 2, (I64,), storage_api.storage_get),
    _f("storage_api", "storage_read_value", 2, (I32,), storage_api.storage_read_value),
    _f("storage_api", "storage_set", 4, (I32,), storage_api.storage_set),
    _f("storage_api", "storage_delete", 2, (I32,), storage_api.storage_delete),
    _f("storage_api", "storage_scan", 5, (I32,), storage_api.storage_scan),
    _f("chain_api", "block_number", 0, (I64,), chain_api.block_number),
    _f("chain_api", "timestamp", 0, (I64,), chain_api.timestamp),
    _f("chain_api", "emit_event", 2, (I32,), chain_api.emit_event),
    _f("chain_api", "events_len", 0, (I32,), chain_api.events_len),
    _f("chain_api", "read_event", 3, (I32,), chain_api.read_event),
    _f("crypto_api", "sha256", 3, (I32,), crypto_api.sha256),
    _f("crypto_api", "keccak256", 3, (I32,), crypto_api.keccak256),
    _f("crypto_api", "verify_ed25519", 4, (I32,), crypto_api.verify_ed25519),
    _f("crypto_api", "verify_secp256k1", 4, (I32,), crypto_api.verify_secp256k1),
    _f("crypto_api", "verify_secp256k1_der", 5, (I32,), crypto_api.verify_secp256k1_der),
    _f("crypto_api", "derive_eth_address", 3, (I32,), crypto_api.derive_eth_address),
)

#: (module, name) -> HostFunction.
BY_NAME: dict[tuple[str, str], HostFunction] = {(f.module, f.name): f for f in HOST_FUNCTIONS}
