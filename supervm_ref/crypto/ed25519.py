"""Ed25519 signature verification (spec/crypto.md, CRYPTO-EDDSA-*), with PyNaCl (libsodium).

libsodium's own checks vary between releases (which encodings it rejects, and whether its
equation is cofactorless or cofactored), so the rule is pinned here: both points must be
canonical encodings of points of the prime-order subgroup and S must be reduced. Under those
preconditions every form of the verification equation gives the same verdict, so the result
does not depend on the libsodium release.
"""

from __future__ import annotations

from nacl.bindings import crypto_core_ed25519_is_valid_point
from nacl.exceptions import CryptoError
from nacl.signing import VerifyKey

#: The order L of the prime-order subgroup of edwards25519 (RFC 8032, section 5.1).
L = 2**252 + 27742317777372353535851937790883648493
PUBLIC_KEY_SIZE = 32
SIGNATURE_SIZE = 64


def is_prime_order_point(encoding: bytes) -> bool:
    """CRYPTO-EDDSA-3: whether ``encoding`` (32 bytes) is the canonical encoding (y < p) of a
    curve point of the prime-order subgroup other than the identity. This rejects every
    small-order point (in any encoding) and every mixed-order point."""
    return len(encoding) == 32 and bool(crypto_core_ed25519_is_valid_point(encoding))


def is_reduced_scalar(encoding: bytes) -> bool:
    """CRYPTO-EDDSA-2: whether the 32-byte little-endian integer S is below L."""
    return int.from_bytes(encoding, "little") < L


def verify_ed25519(message: bytes, signature: bytes, public_key: bytes) -> bool:
    """CRYPTO-EDDSA-1..4: whether ``signature`` (64 bytes R || S) is a valid Ed25519
    signature (RFC 8032, pure Ed25519, no context) of ``message`` by ``public_key``
    (32 bytes A). Any other size is invalid."""
    if len(signature) != SIGNATURE_SIZE or len(public_key) != PUBLIC_KEY_SIZE:
        return False
    r_enc, s_enc = signature[:32], signature[32:]
    if not is_reduced_scalar(s_enc):
        return False
    if not is_prime_order_point(public_key) or not is_prime_order_point(r_enc):
        return False
    # CRYPTO-EDDSA-4: [S]B = R + [k]A with k = SHA-512(R || A || M) mod L.
    try:
        VerifyKey(public_key).verify(message, signature)
    except CryptoError:
        return False
    return True
