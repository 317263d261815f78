"""Project Wycheproof against our rules (spec/crypto.md section 6).

For every vector the verdict *our* rules predict is computed from Wycheproof's own result and,
where a rule is stricter than Wycheproof's, from an independent decoding (pycryptodome): a
Wycheproof-valid ECDSA signature with s > n/2 is invalid here (CRYPTO-SECP-5); a
Wycheproof-valid Ed25519 signature whose R or A is not a prime-order point would be invalid here
(CRYPTO-EDDSA-3). Wycheproof-invalid vectors stay invalid (our rules are never more lenient).
Each prediction must match `supervm_ref.crypto` and the host functions (through a `HostEnv`
test double), for every secp256k1 vector with the key both uncompressed and compressed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Any

import pytest
from Crypto.PublicKey import ECC
from Crypto.Util.asn1 import DerSequence

from supervm_ref import crypto
from supervm_ref.crypto.der import MAX_DER_SIGNATURE_SIZE
from supervm_ref.crypto.ed25519 import L
from supervm_ref.crypto.secp256k1 import N
from supervm_ref.runtime.errors import ErrorKind, HostTrap

from ..support import external_dir
from .test_crypto import host_verify_ed25519, host_verify_secp256k1, host_verify_secp256k1_der

#: The DER prefix of an Ed25519 SubjectPublicKeyInfo, to let pycryptodome decode a point.
ED25519_SPKI_PREFIX = bytes.fromhex("302a300506032b6570032100")


@dataclass
class Tally:
    """Per-file counts, as in the table of spec/crypto.md section 6."""

    vectors: int = 0
    valid: int = 0
    invalid: int = 0
    stricter: int = 0  # Wycheproof-valid, invalid by our rules
    direct_only: int = 0  # not expressible through the host (size), checked directly


def load(name: str) -> dict[str, Any]:
    """A Wycheproof file; a missing suite fails (never skips)."""
    path: Path = external_dir() / "wycheproof" / name
    assert path.is_file(), f"Wycheproof file missing at {path} (set SUPERVM_EXTERNAL)"
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def vectors(data: dict[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(group, test) pairs of a Wycheproof file."""
    for group in data["testGroups"]:
        for test in group["tests"]:
            yield group, test


def ed25519_prime_order(encoding: bytes) -> bool:
    """An independent CRYPTO-EDDSA-3 oracle (pycryptodome): [L]P is the identity."""
    try:
        point = ECC.import_key(ED25519_SPKI_PREFIX + encoding).pointQ
    except ValueError:
        return False
    return bool((point * L).is_point_at_infinity())


def der_s(signature: bytes) -> int:
    """s of a (Wycheproof-valid) DER signature, decoded by pycryptodome."""
    seq = DerSequence().decode(signature, strict=True)
    return int(seq[1])


def compressed(uncompressed: bytes) -> bytes:
    """The SEC 1 compressed form of an uncompressed key."""
    return bytes([2 + (uncompressed[64] & 1)]) + uncompressed[1:33]


def test_wycheproof_ed25519() -> None:
    """CRYPTO-EDDSA-1, CRYPTO-EDDSA-2, CRYPTO-EDDSA-3, CRYPTO-EDDSA-4, HOST-CRYPTO-3: all of
    ed25519_test.json agrees with our rules, directly and through the host."""
    data = load("ed25519_test.json")
    tally = Tally()
    for group, test in vectors(data):
        public = bytes.fromhex(group["publicKey"]["pk"])
        message, signature = bytes.fromhex(test["msg"]), bytes.fromhex(test["sig"])
        predicted = (test["result"] == "valid" and ed25519_prime_order(public)
                     and ed25519_prime_order(signature[:32]))
        assert test["result"] in ("valid", "invalid")  # no "acceptable" vectors in this file
        if test["result"] == "valid" and not predicted:
            tally.stricter += 1
        where = f"tcId {test['tcId']} {test['flags']}"
        assert crypto.verify_ed25519(message, signature, public) is predicted, where
        if len(signature) == 64:
            assert host_verify_ed25519(message, signature, public) == int(predicted), where
        else:
            tally.direct_only += 1
            assert not predicted
        tally.vectors += 1
        tally.valid += predicted
        tally.invalid += not predicted
    assert astuple(tally) == (151, 88, 63, 0, 12)
    assert tally.vectors == data["numberOfTests"]


def _check_ecdsa(name: str, verify: Callable[[bytes, bytes, bytes], bool],
                 host: Callable[[bytes, bytes, bytes], int], parse_s: Callable[[bytes], int],
                 host_can_express: Callable[[bytes], bool]) -> Tally:
    """Run one ECDSA file; returns the tally."""
    data = load(name)
    tally = Tally()
    for group, test in vectors(data):
        uncompressed = bytes.fromhex(group["publicKey"]["uncompressed"])
        assert group["publicKey"]["curve"] == "secp256k1" and group["sha"] == "SHA-256"
        digest = hashlib.sha256(bytes.fromhex(test["msg"])).digest()
        signature = bytes.fromhex(test["sig"])
        assert test["result"] in ("valid", "invalid")  # no "acceptable" vectors in these files
        predicted = test["result"] == "valid" and parse_s(signature) <= N // 2
        if test["result"] == "valid" and not predicted:
            tally.stricter += 1
        where = f"{name} tcId {test['tcId']} {test['flags']}"
        for public in (uncompressed, compressed(uncompressed)):
            assert verify(digest, signature, public) is predicted, where
            if host_can_express(signature):
                assert host(digest, signature, public) == int(predicted), where
        if not host_can_express(signature):
            tally.direct_only += 1
            assert not predicted
        tally.vectors += 1
        tally.valid += predicted
        tally.invalid += not predicted
    assert tally.vectors == data["numberOfTests"]
    return tally


def test_wycheproof_ecdsa_der() -> None:
    """CRYPTO-SECP-1, CRYPTO-SECP-2, CRYPTO-SECP-4, CRYPTO-SECP-5, CRYPTO-SECP-6, HOST-CRYPTO-5:
    ecdsa_secp256k1_sha256_test.json (DER); its 72 valid high-S signatures are invalid here."""
    tally = _check_ecdsa("ecdsa_secp256k1_sha256_test.json", crypto.verify_secp256k1_der,
                         host_verify_secp256k1_der, der_s,
                         lambda sig: len(sig) <= MAX_DER_SIGNATURE_SIZE)
    assert astuple(tally) == (476, 96, 380, 72, 80)


def test_wycheproof_ecdsa_bitcoin() -> None:
    """CRYPTO-SECP-4, CRYPTO-SECP-5, HOST-CRYPTO-5: ecdsa_secp256k1_sha256_bitcoin_test.json
    (DER, low S) agrees with Wycheproof exactly."""
    tally = _check_ecdsa("ecdsa_secp256k1_sha256_bitcoin_test.json",
                         crypto.verify_secp256k1_der, host_verify_secp256k1_der, der_s,
                         lambda sig: len(sig) <= MAX_DER_SIGNATURE_SIZE)
    assert astuple(tally) == (463, 162, 301, 0, 77)


def test_wycheproof_ecdsa_p1363() -> None:
    """CRYPTO-SECP-3, CRYPTO-SECP-5, CRYPTO-SECP-6, HOST-CRYPTO-4:
    ecdsa_secp256k1_sha256_p1363_test.json (r || s); other sizes are invalid, high S too."""
    tally = _check_ecdsa("ecdsa_secp256k1_sha256_p1363_test.json", crypto.verify_secp256k1,
                         host_verify_secp256k1, lambda sig: int.from_bytes(sig[32:], "big"),
                         lambda sig: len(sig) == 64)
    assert astuple(tally) == (252, 95, 157, 72, 18)


def test_wycheproof_long_der_traps_in_host() -> None:
    """HOST-CRYPTO-5: a DER signature longer than 72 bytes (all such vectors are invalid)
    traps HOST_LIMIT_EXCEEDED in the host."""
    long_sigs = [bytes.fromhex(t["sig"]) for name in ("ecdsa_secp256k1_sha256_test.json",
                                                       "ecdsa_secp256k1_sha256_bitcoin_test.json")
                 for _, t in vectors(load(name)) if len(t["sig"]) > 2 * MAX_DER_SIGNATURE_SIZE]
    assert long_sigs
    for sig in long_sigs[:20]:
        with pytest.raises(HostTrap) as info:
            host_verify_secp256k1_der(bytes(32), sig, bytes(33))
        assert info.value.error is ErrorKind.HOST_LIMIT_EXCEEDED
