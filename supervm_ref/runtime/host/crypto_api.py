"""``crypto_api``: hashes, signature verification and Ethereum addresses (spec/crypto.md,
HOST-CRYPTO-*; the algorithms are CRYPTO-*).

Every function follows HOST-GAS-1's order: size limits, inputs from memory (including the
bounds of the output range), gas, effect, outputs to memory. Gas depends only on sizes, never
on whether a signature turns out valid.
"""

from __future__ import annotations

from ... import crypto
from ...crypto.der import MAX_DER_SIGNATURE_SIZE
from ...crypto.ed25519 import PUBLIC_KEY_SIZE as ED25519_KEY_SIZE
from ...crypto.ed25519 import SIGNATURE_SIZE as ED25519_SIGNATURE_SIZE
from ...crypto.eth_address import ADDRESS_SIZE
from ...crypto.hashes import DIGEST_SIZE
from ...crypto.secp256k1 import COMPACT_SIGNATURE_SIZE, MAX_PUBLIC_KEY_SIZE
from . import gas as G
from .env import CallState, HostEnv
from .memory import check_limit


def sha256(env: HostEnv, state: CallState, in_ptr: int, in_len: int, out_ptr: int) -> int:
    """HOST-CRYPTO-1 ``sha256(in_ptr, in_len, out_ptr) -> i32``: write the SHA-256 digest
    (CRYPTO-HASH-1) of ``[in_ptr, in_ptr+in_len)`` to ``[out_ptr, out_ptr+32)``; returns 32."""
    # INPUTS
    data = env.read(in_ptr, in_len)
    env.check(out_ptr, DIGEST_SIZE)
    # GAS
    env.charge(G.SHA256_BASE + G.SHA256_PER_WORD * G.words(len(data)))
    # EFFECT
    digest = crypto.sha256(data)
    # OUTPUTS
    env.write(out_ptr, digest)
    return DIGEST_SIZE


def keccak256(env: HostEnv, state: CallState, in_ptr: int, in_len: int, out_ptr: int) -> int:
    """HOST-CRYPTO-2 ``keccak256(in_ptr, in_len, out_ptr) -> i32``: write the Keccak-256
    digest (CRYPTO-HASH-2, as Ethereum; not SHA3-256) of ``[in_ptr, in_ptr+in_len)`` to
    ``[out_ptr, out_ptr+32)``; returns 32."""
    # INPUTS
    data = env.read(in_ptr, in_len)
    env.check(out_ptr, DIGEST_SIZE)
    # GAS
    env.charge(G.KECCAK256_BASE + G.KECCAK256_PER_WORD * G.words(len(data)))
    # EFFECT
    digest = crypto.keccak256(data)
    # OUTPUTS
    env.write(out_ptr, digest)
    return DIGEST_SIZE


def verify_ed25519(env: HostEnv, state: CallState, msg_ptr: int, msg_len: int, sig_ptr: int,
                   pubkey_ptr: int) -> int:
    """HOST-CRYPTO-3 ``verify_ed25519(msg_ptr, msg_len, sig_ptr, pubkey_ptr) -> i32``: 1 if
    the 64 bytes at ``sig_ptr`` are a valid Ed25519 signature (CRYPTO-EDDSA-*) of the
    message by the 32-byte public key at ``pubkey_ptr``, else 0."""
    # INPUTS
    message = env.read(msg_ptr, msg_len)
    signature = env.read(sig_ptr, ED25519_SIGNATURE_SIZE)
    public_key = env.read(pubkey_ptr, ED25519_KEY_SIZE)
    # GAS
    env.charge(G.VERIFY_ED25519_BASE + G.PER_BYTE * len(message))
    # EFFECT
    return 1 if crypto.verify_ed25519(message, signature, public_key) else 0


def verify_secp256k1(env: HostEnv, state: CallState, hash_ptr: int, sig_ptr: int,
                     pubkey_ptr: int, pubkey_len: int) -> int:
    """HOST-CRYPTO-4 ``verify_secp256k1(hash_ptr, sig_ptr, pubkey_ptr, pubkey_len) -> i32``:
    1 if the 64 bytes ``r || s`` at ``sig_ptr`` are a valid ECDSA signature (CRYPTO-SECP-*,
    low S) of the 32-byte digest at ``hash_ptr`` by the SEC 1 public key at ``pubkey_ptr``,
    else 0 (also for a malformed key). ``pubkey_len`` > 65 traps."""
    # LIMITS
    check_limit(pubkey_len, MAX_PUBLIC_KEY_SIZE, "public key")
    # INPUTS
    digest = env.read(hash_ptr, DIGEST_SIZE)
    signature = env.read(sig_ptr, COMPACT_SIGNATURE_SIZE)
    public_key = env.read(pubkey_ptr, pubkey_len)
    # GAS
    env.charge(G.VERIFY_SECP256K1)
    # EFFECT
    return 1 if crypto.verify_secp256k1(digest, signature, public_key) else 0


def verify_secp256k1_der(env: HostEnv, state: CallState, hash_ptr: int, sig_ptr: int,
                         sig_len: int, pubkey_ptr: int, pubkey_len: int) -> int:
    """HOST-CRYPTO-5 ``verify_secp256k1_der(hash_ptr, sig_ptr, sig_len, pubkey_ptr,
    pubkey_len) -> i32``: as HOST-CRYPTO-4 with a strict DER signature of ``sig_len`` bytes
    (CRYPTO-SECP-4). ``sig_len`` > 72 or ``pubkey_len`` > 65 traps."""
    # LIMITS
    check_limit(sig_len, MAX_DER_SIGNATURE_SIZE, "DER signature")
    check_limit(pubkey_len, MAX_PUBLIC_KEY_SIZE, "public key")
    # INPUTS
    digest = env.read(hash_ptr, DIGEST_SIZE)
    signature = env.read(sig_ptr, sig_len)
    public_key = env.read(pubkey_ptr, pubkey_len)
    # GAS
    env.charge(G.VERIFY_SECP256K1)
    # EFFECT
    return 1 if crypto.verify_secp256k1_der(digest, signature, public_key) else 0


def derive_eth_address(env: HostEnv, state: CallState, pubkey_ptr: int, pubkey_len: int,
                       out_ptr: int) -> int:
    """HOST-CRYPTO-6 ``derive_eth_address(pubkey_ptr, pubkey_len, out_ptr) -> i32``: write the
    20-byte Ethereum address (CRYPTO-ETH-1) of the public key to ``[out_ptr, out_ptr+20)`` and
    return 20; return -1 and write nothing if the key is invalid. ``pubkey_len`` > 65 traps."""
    # LIMITS
    check_limit(pubkey_len, MAX_PUBLIC_KEY_SIZE, "public key")
    # INPUTS
    public_key = env.read(pubkey_ptr, pubkey_len)
    env.check(out_ptr, ADDRESS_SIZE)
    # GAS
    env.charge(G.DERIVE_ETH_ADDRESS)
    # EFFECT
    address = crypto.derive_eth_address(public_key)
    if address is None:
        return -1
    # OUTPUTS
    env.write(out_ptr, address)
    return ADDRESS_SIZE

