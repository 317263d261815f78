"""The hash functions of SuperVM (spec/crypto.md, CRYPTO-HASH-*)."""

from __future__ import annotations

import hashlib

from Crypto.Hash import keccak

#: The size of both digests, in bytes.
DIGEST_SIZE = 32


def sha256(data: bytes) -> bytes:
    """CRYPTO-HASH-1: the SHA-256 digest (FIPS 180-4) of ``data``, 32 bytes."""
    return hashlib.sha256(data).digest()


def keccak256(data: bytes) -> bytes:
    """CRYPTO-HASH-2: the Keccak-256 digest of ``data`` as Ethereum computes it (the original
    Keccak padding ``0x01``), 32 bytes. This is *not* FIPS 202 SHA3-256, whose padding
    (``0x06``) gives different digests."""
    return keccak.new(digest_bits=256, data=data).digest()
