"""ECDSA over secp256k1 (spec/crypto.md, CRYPTO-SECP-*), with coincurve (libsecp256k1).

The signed value is a 32-byte digest: the host never hashes for the caller. Our rules are
checked on the encodings first (public key format, signature format and ranges, low S); only
then does libsecp256k1 check the curve point and the verification equation.
"""

from __future__ import annotations

from coincurve import PublicKey
from coincurve.ecdsa import cdata_to_der, deserialize_compact

from .der import parse_der_signature

#: The field prime p and the group order n of secp256k1 (SEC 2, section 2.4.1).
P = 2**256 - 2**32 - 977
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
#: The largest s allowed (low-S rule): floor(n / 2).
HALF_N = N // 2

DIGEST_SIZE = 32
COMPACT_SIGNATURE_SIZE = 64
COMPRESSED_KEY_SIZE = 33
UNCOMPRESSED_KEY_SIZE = 65
#: The largest public key any crypto_api function reads.
MAX_PUBLIC_KEY_SIZE = UNCOMPRESSED_KEY_SIZE


def parse_public_key(data: bytes) -> PublicKey | None:
    """CRYPTO-SECP-2: the curve point of a SEC 1 public key, or None. Accepted: 33 bytes
    ``02|03 || x`` (compressed) and 65 bytes ``04 || x || y`` (uncompressed), with
    coordinates below p, naming a point of the curve (never the point at infinity, which has
    no encoding of these sizes). Hybrid encodings (``06``/``07``) and all else are invalid."""
    if len(data) == COMPRESSED_KEY_SIZE:
        if data[0] not in (0x02, 0x03) or int.from_bytes(data[1:], "big") >= P:
            return None
    elif len(data) == UNCOMPRESSED_KEY_SIZE:
        if (data[0] != 0x04 or int.from_bytes(data[1:33], "big") >= P
                or int.from_bytes(data[33:], "big") >= P):
            return None
    else:
        return None
    try:
        return PublicKey(data)  # checks that the point is on the curve
    except ValueError:
        return None


def parse_compact_signature(data: bytes) -> tuple[int, int] | None:
    """CRYPTO-SECP-3: (r, s) from a 64-byte ``r || s`` signature (two 32-byte big-endian
    integers), or None if it has another size."""
    if len(data) != COMPACT_SIGNATURE_SIZE:
        return None
    return int.from_bytes(data[:32], "big"), int.from_bytes(data[32:], "big")


def in_range(r: int, s: int) -> bool:
    """CRYPTO-SECP-5: 1 <= r <= n-1 and 1 <= s <= floor(n/2) (low S: a signature with
    s > n/2 is rejected, so (r, n-s) cannot stand in for (r, s))."""
    return 1 <= r < N and 1 <= s <= HALF_N


def verify_ecdsa(digest: bytes, r: int, s: int, public_key: bytes) -> bool:
    """CRYPTO-SECP-1/2/5/6: whether (r, s) is a valid ECDSA signature of the 32-byte
    ``digest`` under ``public_key``."""
    if len(digest) != DIGEST_SIZE or not in_range(r, s):
        return False
    key = parse_public_key(public_key)
    if key is None:
        return False
    # CRYPTO-SECP-6: the equation itself, by libsecp256k1 (which takes a DER signature).
    der = cdata_to_der(deserialize_compact(r.to_bytes(32, "big") + s.to_bytes(32, "big")))
    return bool(key.verify(der, digest, hasher=None))


def verify_secp256k1(digest: bytes, signature: bytes, public_key: bytes) -> bool:
    """CRYPTO-SECP-3 with CRYPTO-SECP-1/2/5/6: verify a 64-byte ``r || s`` signature."""
    rs = parse_compact_signature(signature)
    return rs is not None and verify_ecdsa(digest, rs[0], rs[1], public_key)


def verify_secp256k1_der(digest: bytes, signature: bytes, public_key: bytes) -> bool:
    """CRYPTO-SECP-4 with CRYPTO-SECP-1/2/5/6: verify a strict DER signature."""
    rs = parse_der_signature(signature)
    return rs is not None and verify_ecdsa(digest, rs[0], rs[1], public_key)
