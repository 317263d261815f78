"""The cryptography of SuperVM (spec/crypto.md): hashes, signature verification and Ethereum
addresses, each a thin, documented wrapper around a well-kept library.

Every function here takes bytes and returns a verdict or a digest; none raises for any input
(malformed keys, signatures or encodings are simply *invalid*). The host functions of
``crypto_api`` (spec/crypto.md, HOST-CRYPTO-*) call these and nothing else.
"""

from __future__ import annotations

from .ed25519 import verify_ed25519
from .eth_address import derive_eth_address
from .hashes import keccak256, sha256
from .secp256k1 import verify_secp256k1, verify_secp256k1_der

__all__ = [
    "derive_eth_address",
    "keccak256",
    "sha256",
    "verify_ed25519",
    "verify_secp256k1",
    "verify_secp256k1_der",
]
