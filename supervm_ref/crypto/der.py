"""Strict DER encoding of ECDSA signatures (spec/crypto.md, CRYPTO-SECP-4).

The encoding is ``SEQUENCE { INTEGER r, INTEGER s }`` (SEC 1's ECDSA-Sig-Value) in the
Distinguished Encoding Rules (X.690), checked as Bitcoin's BIP 66 does: exactly one encoding
is accepted per (r, s), so a signature cannot be re-encoded into a second valid one.
"""

from __future__ import annotations

#: The longest strict DER signature for a 256-bit group order: 2 + (2 + 33) * 2 bytes.
MAX_DER_SIGNATURE_SIZE = 72

_SEQUENCE = 0x30
_INTEGER = 0x02


def _parse_integer(data: bytes, at: int) -> tuple[int, int] | None:
    """Read one DER INTEGER at offset ``at``: (its non-negative value, the offset after it),
    or None if the encoding is not strict DER."""
    if at + 2 > len(data) or data[at] != _INTEGER:
        return None
    length = data[at + 1]
    if length == 0 or length >= 0x80:  # empty, or a long-form length (never needed here)
        return None
    start, end = at + 2, at + 2 + length
    if end > len(data):
        return None
    body = data[start:end]
    if body[0] & 0x80:  # a negative number
        return None
    if length > 1 and body[0] == 0 and not body[1] & 0x80:  # a superfluous leading zero
        return None
    return int.from_bytes(body, "big"), end


def parse_der_signature(data: bytes) -> tuple[int, int] | None:
    """CRYPTO-SECP-4: (r, s) from a strict DER signature, or None. Strict means: a SEQUENCE
    tag, short-form lengths that are exact (no bytes before, inside or after the two
    INTEGERs that they do not count), and minimal non-negative INTEGERs. The range of r and s
    is checked separately (CRYPTO-SECP-5)."""
    if len(data) < 2 or len(data) > MAX_DER_SIGNATURE_SIZE or data[0] != _SEQUENCE:
        return None
    if data[1] >= 0x80 or data[1] != len(data) - 2:
        return None
    first = _parse_integer(data, 2)
    if first is None:
        return None
    r, at = first
    second = _parse_integer(data, at)
    if second is None:
        return None
    s, end = second
    if end != len(data):
        return None
    return r, s
