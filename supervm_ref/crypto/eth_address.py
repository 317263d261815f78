"""Ethereum addresses of secp256k1 public keys (spec/crypto.md, CRYPTO-ETH-1)."""

from __future__ import annotations

from .hashes import keccak256
from .secp256k1 import parse_public_key

ADDRESS_SIZE = 20
RAW_KEY_SIZE = 64


def derive_eth_address(public_key: bytes) -> bytes | None:
    """CRYPTO-ETH-1: the 20-byte Ethereum address of a public key, the last 20 bytes of
    ``keccak256(x || y)``; None if the key is invalid. The key is 64 bytes ``x || y``, or a
    SEC 1 key of 65 (``04 || x || y``) or 33 (compressed) bytes, valid by CRYPTO-SECP-2."""
    encoded = b"\x04" + public_key if len(public_key) == RAW_KEY_SIZE else public_key
    key = parse_public_key(encoded)
    if key is None:
        return None
    xy = key.format(compressed=False)[1:]
    return keccak256(xy)[-ADDRESS_SIZE:]


def to_checksum_address(address: bytes) -> str:
    """EIP-55: the mixed-case hex form of a 20-byte address (a hex digit is upper case when the
    matching nibble of keccak256 of the lower-case hex is 8 or more)."""
    from .hashes import keccak256

    hex_lower = address.hex()
    digest = keccak256(hex_lower.encode("ascii")).hex()
    return "0x" + "".join(c.upper() if int(d, 16) >= 8 else c
                          for c, d in zip(hex_lower, digest))
