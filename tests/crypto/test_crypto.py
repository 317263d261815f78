"""Cryptography (spec/crypto.md): the algorithms of `supervm_ref.crypto` (CRYPTO-*) and the
host functions of ``crypto_api`` (HOST-CRYPTO-*), through a `HostEnv` test double and through
the real `Runtime`."""

from __future__ import annotations

import hashlib

import coincurve
import nacl.bindings as sodium
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nacl.signing import SigningKey, VerifyKey

from supervm_ref import crypto
from supervm_ref.crypto.der import parse_der_signature
from supervm_ref.crypto.ed25519 import L, is_prime_order_point, is_reduced_scalar
from supervm_ref.crypto.secp256k1 import HALF_N, N, P, in_range, parse_public_key
from supervm_ref.runtime.context import BlockContext
from supervm_ref.runtime.errors import ErrorKind, HostTrap
from supervm_ref.runtime.host import crypto_api
from supervm_ref.runtime.host import gas as G
from supervm_ref.runtime.host.abi import BY_NAME, HOST_FUNCTIONS
from supervm_ref.runtime.host.env import CallState
from supervm_ref.runtime.overlay import StorageOverlay
from supervm_ref.runtime.runtime import Runtime
from supervm_ref.runtime.storage import MemoryStorage
from supervm_ref.wasm.errors import Trap, TrapKind
from supervm_ref.wasm.runtime.values import Value
from supervm_ref.wasm.structure.types import ValType

from ..support import wat

# --- A HostEnv test double ------------------------------------------------------------------


class MemoryEnv:
    """`HostEnv` over a plain bytearray with a gas meter (HOST-MEM-1, HOST-GAS-1)."""

    def __init__(self, size: int = 4096, gas_limit: int = 10**9) -> None:
        self.memory = bytearray(size)
        self.gas_limit = gas_limit
        self.gas_used = 0

    def check(self, ptr: int, length: int) -> None:
        if ptr + length > len(self.memory):
            raise Trap(TrapKind.MEMORY_OUT_OF_BOUNDS, f"{length} bytes at {ptr}")

    def read(self, ptr: int, length: int) -> bytes:
        self.check(ptr, length)
        return bytes(self.memory[ptr:ptr + length])

    def write(self, ptr: int, data: bytes) -> None:
        self.check(ptr, len(data))
        self.memory[ptr:ptr + len(data)] = data

    def charge(self, gas: int) -> None:
        if self.gas_used + gas > self.gas_limit:
            raise Trap(TrapKind.OUT_OF_GAS, "out of gas")
        self.gas_used += gas

    def put(self, ptr: int, data: bytes) -> int:
        """Place test input in memory; returns ``ptr``."""
        self.memory[ptr:ptr + len(data)] = data
        return ptr


def new_state() -> CallState:
    """A fresh call state for host functions that do not touch storage."""
    return CallState(StorageOverlay(MemoryStorage()), BlockContext())


def host_verify_ed25519(message: bytes, signature: bytes, public_key: bytes) -> int:
    """HOST-CRYPTO-3 through the test double (signature and key of the sizes the host reads)."""
    env = MemoryEnv(size=256 + len(message))
    env.put(0, signature)
    env.put(64, public_key)
    env.put(128, message)
    return crypto_api.verify_ed25519(env, new_state(), 128, len(message), 0, 64)


def host_verify_secp256k1(digest: bytes, signature: bytes, public_key: bytes) -> int:
    """HOST-CRYPTO-4 through the test double."""
    env = MemoryEnv(size=256)
    env.put(0, digest)
    env.put(32, signature)
    env.put(96, public_key)
    return crypto_api.verify_secp256k1(env, new_state(), 0, 32, 96, len(public_key))


def host_verify_secp256k1_der(digest: bytes, signature: bytes, public_key: bytes) -> int:
    """HOST-CRYPTO-5 through the test double."""
    env = MemoryEnv(size=256)
    env.put(0, digest)
    env.put(32, signature)
    env.put(160, public_key)
    return crypto_api.verify_secp256k1_der(env, new_state(), 0, 32, len(signature), 160,
                                           len(public_key))


def der_encode(r: int, s: int) -> bytes:
    """A strict DER signature, written independently of `supervm_ref.crypto.der`."""

    def integer(v: int) -> bytes:
        body = v.to_bytes(max(1, (v.bit_length() + 7) // 8), "big")
        if body[0] & 0x80:
            body = b"\x00" + body
        return bytes([0x02, len(body)]) + body

    content = integer(r) + integer(s)
    return bytes([0x30, len(content)]) + content


def compact(der: bytes) -> bytes:
    """``r || s`` from coincurve's DER signature."""
    rs = parse_der_signature(der)
    assert rs is not None
    return rs[0].to_bytes(32, "big") + rs[1].to_bytes(32, "big")


private_keys = st.integers(1, N - 1)
digests = st.binary(min_size=32, max_size=32)

# --- CRYPTO-HASH ----------------------------------------------------------------------------

HASH_KATS = [
    (b"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
    (b"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
     "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"),
    (b"The quick brown fox jumps over the lazy dog",
     "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592",
     "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15"),
]


@pytest.mark.parametrize(("data", "sha", "keccak"), HASH_KATS)
def test_hash_known_answers(data: bytes, sha: str, keccak: str) -> None:
    """CRYPTO-HASH-1, CRYPTO-HASH-2: known answers of SHA-256 (FIPS 180-4) and Ethereum's
    Keccak-256."""
    assert crypto.sha256(data).hex() == sha
    assert crypto.keccak256(data).hex() == keccak


def test_keccak256_is_not_sha3_256() -> None:
    """CRYPTO-HASH-2: the original Keccak padding, not FIPS 202's: SHA3-256 differs."""
    for data in (b"", b"abc"):
        assert crypto.keccak256(data) != hashlib.sha3_256(data).digest()
    assert hashlib.sha3_256(b"").hexdigest().startswith("a7ffc6f8")


@given(st.binary(max_size=200), st.integers(0, 100))
def test_host_hashes_match_direct(data: bytes, offset: int) -> None:
    """HOST-CRYPTO-1, HOST-CRYPTO-2: the host functions write the digest of the memory range
    and return 32; gas is base + per word."""
    for fn, direct, base, per_word in (
            (crypto_api.sha256, crypto.sha256, G.SHA256_BASE, G.SHA256_PER_WORD),
            (crypto_api.keccak256, crypto.keccak256, G.KECCAK256_BASE, G.KECCAK256_PER_WORD)):
        env = MemoryEnv(size=512)
        env.put(offset, data)
        assert fn(env, new_state(), offset, len(data), 400) == 32
        assert env.read(400, 32) == direct(data)
        assert env.gas_used == base + per_word * ((len(data) + 31) // 32)


@pytest.mark.parametrize(("length", "gas_sha", "gas_keccak"),
                         [(0, 60, 30), (1, 72, 36), (32, 72, 36), (33, 84, 42), (64, 84, 42),
                          (1000, 60 + 12 * 32, 30 + 6 * 32)])
def test_hash_gas_exact(length: int, gas_sha: int, gas_keccak: int) -> None:
    """HOST-CRYPTO-1, HOST-CRYPTO-2: exact gas, 60 + 12/word and 30 + 6/word."""
    for fn, gas in ((crypto_api.sha256, gas_sha), (crypto_api.keccak256, gas_keccak)):
        env = MemoryEnv(size=2048)
        fn(env, new_state(), 0, length, 1024)
        assert env.gas_used == gas


def test_hash_input_and_output_may_overlap() -> None:
    """HOST-CRYPTO-1: the input is read before the digest is written over it."""
    env = MemoryEnv()
    env.put(0, b"abc")
    assert crypto_api.sha256(env, new_state(), 0, 3, 0) == 32
    assert env.read(0, 32) == crypto.sha256(b"abc")


def test_hash_traps() -> None:
    """HOST-CRYPTO-1, HOST-CRYPTO-2: out-of-bounds input or output traps (HOST-MEM-1), before
    gas; too little gas traps OUT_OF_GAS and writes nothing."""
    for fn in (crypto_api.sha256, crypto_api.keccak256):
        env = MemoryEnv(size=100, gas_limit=0)
        with pytest.raises(Trap) as info:
            fn(env, new_state(), 90, 11, 0)  # input runs past the end
        assert info.value.trap_kind is TrapKind.MEMORY_OUT_OF_BOUNDS
        with pytest.raises(Trap) as info:
            fn(env, new_state(), 0, 10, 69)  # output [69, 101) runs past the end
        assert info.value.trap_kind is TrapKind.MEMORY_OUT_OF_BOUNDS
        with pytest.raises(Trap) as info:
            fn(env, new_state(), 0xFFFFFFFF, 2, 0)  # unsigned pointer, no wrap-around
        assert info.value.trap_kind is TrapKind.MEMORY_OUT_OF_BOUNDS
        assert env.gas_used == 0
        with pytest.raises(Trap) as info:
            fn(env, new_state(), 0, 10, 50)
        assert info.value.trap_kind is TrapKind.OUT_OF_GAS
        assert env.memory == bytearray(100)


# --- CRYPTO-EDDSA ---------------------------------------------------------------------------

ED_SMALL_ORDER = [bytes.fromhex(h) for h in (
    "0100000000000000000000000000000000000000000000000000000000000000",  # identity
    "0100000000000000000000000000000000000000000000000000000000000080",  # identity, x "-0"
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # order 2
    "0000000000000000000000000000000000000000000000000000000000000000",  # order 4
    "0000000000000000000000000000000000000000000000000000000000000080",  # order 4
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",  # order 8
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",  # order 8
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",  # order 8
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",  # order 8
)]
ED_ORDER_8 = ED_SMALL_ORDER[5]
ED_P = 2**255 - 19
#: Every encoding with y >= p (y = p + 0 .. p + 18, either sign bit).
ED_NON_CANONICAL = [((ED_P + d) | (sign << 255)).to_bytes(32, "little")
                    for d in range(19) for sign in (0, 1)]


def _scalar(n: int) -> bytes:
    return (n % L).to_bytes(32, "little")


def _sign_raw(a: int, r: int, a_enc: bytes, r_enc: bytes, message: bytes) -> bytes:
    """R || S with S = r + k a, k = SHA-512(R || A || M): RFC 8032 signing from chosen scalars
    and chosen encodings, to build signatures over unusual points."""
    k = int.from_bytes(hashlib.sha512(r_enc + a_enc + message).digest(), "little") % L
    return r_enc + _scalar(r + k * a)


@settings(max_examples=50)
@given(st.binary(min_size=32, max_size=32), st.binary(max_size=100))
def test_ed25519_round_trip(seed: bytes, message: bytes) -> None:
    """CRYPTO-EDDSA-1, CRYPTO-EDDSA-4, HOST-CRYPTO-3: PyNaCl signatures verify, directly and
    through the host; another message, key or a flipped bit does not."""
    key = SigningKey(seed)
    public = bytes(key.verify_key)
    signature = key.sign(message).signature
    assert crypto.verify_ed25519(message, signature, public)
    assert host_verify_ed25519(message, signature, public) == 1
    assert not crypto.verify_ed25519(message + b"x", signature, public)
    other = bytes(SigningKey(hashlib.sha256(seed).digest()).verify_key)
    assert not crypto.verify_ed25519(message, signature, other)
    assert host_verify_ed25519(message, signature, other) == 0
    for bit in (0, 255, 256 + 7, 511):
        flipped = bytearray(signature)
        flipped[bit // 8] ^= 1 << (bit % 8)
        assert not crypto.verify_ed25519(message, bytes(flipped), public)


def test_ed25519_rfc8032_test_1() -> None:
    """CRYPTO-EDDSA-4: RFC 8032 section 7.1, TEST 1 (empty message)."""
    public = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    signature = bytes.fromhex(
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
        "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
    assert crypto.verify_ed25519(b"", signature, public)


def test_ed25519_sizes() -> None:
    """CRYPTO-EDDSA-1, CRYPTO-API-1: a signature or key of another size is invalid."""
    key = SigningKey(bytes(32))
    public = bytes(key.verify_key)
    signature = key.sign(b"m").signature
    assert crypto.verify_ed25519(b"m", signature, public)
    assert not crypto.verify_ed25519(b"m", signature[:63], public)
    assert not crypto.verify_ed25519(b"m", signature + b"\x00", public)
    assert not crypto.verify_ed25519(b"m", signature, public[:31])
    assert not crypto.verify_ed25519(b"m", signature, public + b"\x00")


@settings(max_examples=30)
@given(st.binary(min_size=32, max_size=32), st.binary(max_size=40), st.integers(1, 15))
def test_ed25519_unreduced_s_rejected(seed: bytes, message: bytes, multiple: int) -> None:
    """CRYPTO-EDDSA-2: (R, S + jL) is rejected although [S + jL]B = [S]B."""
    key = SigningKey(seed)
    public = bytes(key.verify_key)
    signature = key.sign(message).signature
    s = int.from_bytes(signature[32:], "little") + multiple * L
    assert is_reduced_scalar(signature[32:]) and not is_reduced_scalar(L.to_bytes(32, "little"))
    if s < 2**256:
        forged = signature[:32] + s.to_bytes(32, "little")
        assert not crypto.verify_ed25519(message, forged, public)
        assert host_verify_ed25519(message, forged, public) == 0
    assert crypto.verify_ed25519(message, signature, public)


def test_ed25519_small_order_and_non_canonical_points_rejected() -> None:
    """CRYPTO-EDDSA-3: every small-order point in every encoding, and every non-canonical
    encoding (y >= p), is rejected as A and as R — including the classic forgery with
    A = R = identity and S = 0, which satisfies [S]B = R + [k]A for every message."""
    key = SigningKey(bytes(range(32)))
    public = bytes(key.verify_key)
    good = key.sign(b"msg").signature
    for enc in ED_SMALL_ORDER + ED_NON_CANONICAL:
        assert not is_prime_order_point(enc)
        assert not crypto.verify_ed25519(b"msg", good, enc)
        assert not crypto.verify_ed25519(b"msg", enc + good[32:], public)
        assert not crypto.verify_ed25519(b"msg", enc + bytes(32), enc)
    identity = ED_SMALL_ORDER[0]
    assert host_verify_ed25519(b"anything", identity + bytes(32), identity) == 0
    assert is_prime_order_point(public) and is_prime_order_point(good[:32])


def test_ed25519_mixed_order_points_rejected() -> None:
    """CRYPTO-EDDSA-3, CRYPTO-EDDSA-4: a public key A' = [a]B + T (T of order 8) with a
    signature built for it — accepted by the bundled libsodium whenever [k]T = 0 — is rejected;
    so is a mixed-order R."""
    a, r = 123456789, 987654321
    base_a = sodium.crypto_scalarmult_ed25519_base_noclamp(_scalar(a))
    mixed_a = sodium.crypto_core_ed25519_add(base_a, ED_ORDER_8)
    r_enc = sodium.crypto_scalarmult_ed25519_base_noclamp(_scalar(r))
    assert not is_prime_order_point(mixed_a)
    checked = 0
    for i in range(64):
        message = b"mixed %d" % i
        signature = _sign_raw(a, r, mixed_a, r_enc, message)
        assert not crypto.verify_ed25519(message, signature, mixed_a)
        assert host_verify_ed25519(message, signature, mixed_a) == 0
        k = int.from_bytes(hashlib.sha512(r_enc + mixed_a + message).digest(), "little") % L
        if k % 8 == 0:  # the torsion part cancels: libsodium alone accepts this signature
            VerifyKey(mixed_a).verify(message, signature)
            checked += 1
    assert checked > 0
    # A mixed-order R with an honest key.
    mixed_r = sodium.crypto_core_ed25519_add(r_enc, ED_ORDER_8)
    signature = _sign_raw(a, r, base_a, mixed_r, b"m")
    assert not crypto.verify_ed25519(b"m", signature, base_a)
    honest = _sign_raw(a, r, base_a, r_enc, b"m")
    assert crypto.verify_ed25519(b"m", honest, base_a)


def test_verify_ed25519_host_gas_and_traps() -> None:
    """HOST-CRYPTO-3: gas 2000 + message bytes, whether valid or not; out-of-bounds message,
    signature or key traps before gas."""
    key = SigningKey(bytes(32))
    signature = key.sign(b"hello").signature
    for sig, expected in ((signature, 1), (bytes(64), 0)):
        env = MemoryEnv()
        env.put(0, sig)
        env.put(64, bytes(key.verify_key))
        env.put(100, b"hello")
        assert crypto_api.verify_ed25519(env, new_state(), 100, 5, 0, 64) == expected
        assert env.gas_used == 2005
    for args in ((4090, 7, 0, 64), (0, 0, 4033, 64), (0, 0, 0, 4065), (0, 0xFFFFFFFF, 0, 64)):
        env = MemoryEnv(gas_limit=0)
        with pytest.raises(Trap) as info:
            crypto_api.verify_ed25519(env, new_state(), *args)
        assert info.value.trap_kind is TrapKind.MEMORY_OUT_OF_BOUNDS
    env = MemoryEnv(gas_limit=2004)
    with pytest.raises(Trap) as info:
        crypto_api.verify_ed25519(env, new_state(), 100, 5, 0, 64)
    assert info.value.trap_kind is TrapKind.OUT_OF_GAS


# --- CRYPTO-SECP ----------------------------------------------------------------------------


def _keys(secret: int) -> tuple[coincurve.PrivateKey, bytes, bytes]:
    key = coincurve.PrivateKey.from_int(secret)
    return key, key.public_key.format(compressed=True), key.public_key.format(compressed=False)


@given(private_keys, digests)
def test_secp256k1_round_trip(secret: int, digest: bytes) -> None:
    """CRYPTO-SECP-1, CRYPTO-SECP-2, CRYPTO-SECP-3, CRYPTO-SECP-4, CRYPTO-SECP-6,
    HOST-CRYPTO-4, HOST-CRYPTO-5: coincurve's (low-S) signatures of a digest verify in both
    encodings with both key formats, directly and through the host; another digest does
    not."""
    key, short, long = _keys(secret)
    der = key.sign(digest, hasher=None)
    rs = compact(der)
    for public in (short, long):
        assert crypto.verify_secp256k1(digest, rs, public)
        assert crypto.verify_secp256k1_der(digest, der, public)
        assert host_verify_secp256k1(digest, rs, public) == 1
        assert host_verify_secp256k1_der(digest, der, public) == 1
    other = hashlib.sha256(digest).digest()
    assert not crypto.verify_secp256k1(other, rs, long)
    assert not crypto.verify_secp256k1_der(other, der, short)


@given(private_keys, digests)
def test_secp256k1_high_s_rejected(secret: int, digest: bytes) -> None:
    """CRYPTO-SECP-5: s -> n - s turns a valid signature into an invalid one (low-S rule),
    although libsecp256k1 accepts it once normalised."""
    key, short, long = _keys(secret)
    der = key.sign(digest, hasher=None)
    rs = parse_der_signature(der)
    assert rs is not None
    r, s = rs
    assert s <= HALF_N
    high = N - s
    high_rs = r.to_bytes(32, "big") + high.to_bytes(32, "big")
    assert not crypto.verify_secp256k1(digest, high_rs, long)
    assert not crypto.verify_secp256k1_der(digest, der_encode(r, high), short)
    assert host_verify_secp256k1(digest, high_rs, short) == 0
    assert host_verify_secp256k1_der(digest, der_encode(r, high), long) == 0
    assert crypto.verify_secp256k1_der(digest, der_encode(r, s), long)


def test_secp256k1_ranges() -> None:
    """CRYPTO-SECP-5: r and s must be in [1, n-1], s at most floor(n/2)."""
    _, short, _ = _keys(7)
    digest = bytes(range(32))
    assert in_range(1, 1) and in_range(N - 1, HALF_N)
    for r, s in ((0, 1), (1, 0), (N, 1), (N + 1, 1), (1, N), (1, HALF_N + 1), (2**256 - 1, 1)):
        assert not in_range(r, s)  # our check, whatever libsecp256k1 would also reject
        assert not crypto.verify_secp256k1(digest, r.to_bytes(32, "big") + s.to_bytes(32, "big"),
                                           short)
        assert not crypto.verify_secp256k1_der(digest, der_encode(r, s), short)
    assert HALF_N == (N - 1) // 2


def test_secp256k1_public_key_formats() -> None:
    """CRYPTO-SECP-2: 33-byte 02/03 and 65-byte 04 keys; coordinates below p, on the curve;
    hybrid 06/07 keys (which libsecp256k1 parses) and other sizes or prefixes rejected."""
    key, short, long = _keys(1234567)
    digest = bytes(32)
    rs = compact(key.sign(digest, hasher=None))
    assert parse_public_key(short) is not None and parse_public_key(long) is not None
    y_odd = long[-1] & 1
    hybrid = bytes([0x06 + y_odd]) + long[1:]
    coincurve.PublicKey(hybrid)  # the library alone accepts the hybrid encoding
    bad = [
        hybrid,
        bytes([0x07 - y_odd]) + long[1:],
        b"\x05" + long[1:],
        b"\x04" + short[1:],
        b"\x02" + long[1:33] + b"\x00" * 32,
        long[:64] + bytes([long[64] ^ 1]),  # off the curve
        b"\x02" + P.to_bytes(32, "big"),  # x = p
        b"\x03" + (P + 1).to_bytes(32, "big"),
        b"\x04" + P.to_bytes(32, "big") + long[33:],
        b"\x04" + long[1:33] + P.to_bytes(32, "big"),
        b"\x00", b"", long[1:], short[:32], long + b"\x00",
        b"\x00" * 33, b"\x00" * 65,
    ]
    for public in bad:
        assert parse_public_key(public) is None
        assert not crypto.verify_secp256k1(digest, rs, public)
        if len(public) <= 65:
            assert host_verify_secp256k1(digest, rs, public) == 0
    assert crypto.verify_secp256k1(digest, rs, short)


def test_secp256k1_compressed_x_not_on_curve() -> None:
    """CRYPTO-SECP-2: a compressed key whose x has no y (x^3 + 7 not a square) is rejected."""
    x = next(x for x in range(1, 100) if pow(x**3 + 7, (P - 1) // 2, P) == P - 1)
    for prefix in (b"\x02", b"\x03"):
        assert parse_public_key(prefix + x.to_bytes(32, "big")) is None


def test_der_strictness() -> None:
    """CRYPTO-SECP-4: only strict DER parses: exact short-form lengths, INTEGER tags, minimal
    non-negative integers, nothing after s, at most 72 bytes."""
    key, short, _ = _keys(99)
    digest = hashlib.sha256(b"der").digest()
    der = key.sign(digest, hasher=None)
    rs = parse_der_signature(der)
    assert rs is not None
    r, s = rs
    assert der == der_encode(r, s)
    assert parse_der_signature(der_encode(2**255, 1)) == (2**255, 1)  # 33-byte r, 0x00 pad
    assert len(der_encode(2**255, 2**255)) == 72
    r_body = r.to_bytes(32, "big")

    def seq(content: bytes) -> bytes:
        return bytes([0x30, len(content)]) + content

    s_part = der_encode(1, s)[5:]  # the INTEGER for s (after 30 len 02 01 01)
    bad = [
        der + b"\x00",  # trailing byte
        der[:-1],  # missing byte
        bytes([0x31]) + der[1:],  # not a SEQUENCE
        der[:1] + bytes([der[1] + 1]) + der[2:],  # SEQUENCE length too long
        der[:1] + bytes([der[1] - 1]) + der[2:],  # SEQUENCE length too short
        bytes([0x30, 0x81, len(der) - 2]) + der[2:],  # long-form length
        seq(bytes([0x03, 32]) + r_body + s_part),  # INTEGER tag wrong
        seq(bytes([0x02, 2, 0x00, 0x01]) + s_part),  # r = 1 with a superfluous leading zero
        seq(bytes([0x02, 2, 0x00, 0x00]) + s_part),  # r = 0, two bytes
        seq(bytes([0x02, 1, 0x81]) + s_part),  # r negative
        seq(bytes([0x02, 1, 1, 0x02, 1, 0xFF])),  # s negative
        seq(bytes([0x02, 0]) + s_part),  # empty INTEGER
        seq(bytes([0x02, 0x80]) + s_part),  # indefinite length
        seq(bytes([0x02, 1, 1])),  # s missing
        seq(bytes([0x02, 1, 1]) + s_part + bytes([0x02, 1, 1])),  # a third INTEGER
        seq(der_encode(1, 1)[2:] + bytes(64)),  # padding inside the SEQUENCE
        bytes(73), b"", b"\x30", b"\x30\x00",
    ]
    for sig in bad:
        assert parse_der_signature(sig) is None, sig.hex()
        assert not crypto.verify_secp256k1_der(digest, sig, short)
        if len(sig) <= 72:
            assert host_verify_secp256k1_der(digest, sig, short) == 0
    assert crypto.verify_secp256k1_der(digest, der, short)


def test_secp256k1_host_gas_limits_and_traps() -> None:
    """HOST-CRYPTO-4, HOST-CRYPTO-5: gas 3000 whatever the verdict; pubkey_len > 65 or
    sig_len > 72 traps HOST_LIMIT_EXCEEDED before memory is read; out-of-bounds inputs trap
    MEMORY_OUT_OF_BOUNDS before gas."""
    key, short, long = _keys(5)
    digest = bytes(32)
    der = key.sign(digest, hasher=None)
    rs = compact(der)
    for public, sig, expected in ((long, rs, 1), (short, bytes(64), 0), (b"\x07" * 40, rs, 0)):
        env = MemoryEnv()
        env.put(100, sig)
        env.put(200, public)
        assert crypto_api.verify_secp256k1(env, new_state(), 0, 100, 200, len(public)) \
            == expected
        assert env.gas_used == 3000
    env = MemoryEnv()
    env.put(100, der)
    env.put(200, short)
    assert crypto_api.verify_secp256k1_der(env, new_state(), 0, 100, len(der), 200, 33) == 1
    assert env.gas_used == 3000
    for pubkey_len in (66, 0x7FFFFFFF, 0xFFFFFFFF):  # unsigned: "-1" is huge
        with pytest.raises(HostTrap) as limit:
            crypto_api.verify_secp256k1(MemoryEnv(size=0), new_state(), 0, 0, 0, pubkey_len)
        assert limit.value.error is ErrorKind.HOST_LIMIT_EXCEEDED
        with pytest.raises(HostTrap) as limit:
            crypto_api.verify_secp256k1_der(MemoryEnv(size=0), new_state(), 0, 0, 8, 0,
                                            pubkey_len)
        assert limit.value.error is ErrorKind.HOST_LIMIT_EXCEEDED
    with pytest.raises(HostTrap) as limit:
        crypto_api.verify_secp256k1_der(MemoryEnv(size=0), new_state(), 0, 0, 73, 0, 33)
    assert limit.value.error is ErrorKind.HOST_LIMIT_EXCEEDED
    for args in ((4065, 0, 0, 33), (0, 4033, 0, 33), (0, 0, 4064, 33)):
        with pytest.raises(Trap) as info:
            crypto_api.verify_secp256k1(MemoryEnv(gas_limit=0), new_state(), *args)
        assert info.value.trap_kind is TrapKind.MEMORY_OUT_OF_BOUNDS
    with pytest.raises(Trap) as info:
        crypto_api.verify_secp256k1_der(MemoryEnv(gas_limit=0), new_state(), 0, 4090, 72, 0, 33)
    assert info.value.trap_kind is TrapKind.MEMORY_OUT_OF_BOUNDS
    with pytest.raises(Trap) as info:
        crypto_api.verify_secp256k1(MemoryEnv(gas_limit=2999), new_state(), 0, 0, 0, 65)
    assert info.value.trap_kind is TrapKind.OUT_OF_GAS


# --- CRYPTO-ETH -----------------------------------------------------------------------------


@pytest.mark.parametrize(("secret", "address"), [
    (1, "7e5f4552091a69125d5dfcb7b8c2659029395bdf"),
    (2, "2b5ad5c4795c026514f8317c7a215e218dccd6cf"),
])
def test_eth_address_known_keys(secret: int, address: str) -> None:
    """CRYPTO-ETH-1: the addresses of private keys 1 and 2, from every key format."""
    _, short, long = _keys(secret)
    for public in (short, long, long[1:]):
        out = crypto.derive_eth_address(public)
        assert out is not None and out.hex() == address


@given(private_keys)
def test_eth_address_is_keccak_of_xy(secret: int) -> None:
    """CRYPTO-ETH-1, HOST-CRYPTO-6: last 20 bytes of keccak256(x || y), the same for the three
    formats, through the host too (returns 20, gas 100)."""
    _, short, long = _keys(secret)
    want = crypto.keccak256(long[1:])[12:]
    for public in (short, long, long[1:]):
        assert crypto.derive_eth_address(public) == want
        env = MemoryEnv()
        env.put(0, public)
        assert crypto_api.derive_eth_address(env, new_state(), 0, len(public), 100) == 20
        assert env.read(100, 20) == want
        assert env.gas_used == G.DERIVE_ETH_ADDRESS == 100


def test_eth_address_invalid_keys() -> None:
    """CRYPTO-ETH-1, HOST-CRYPTO-6: an invalid key gives None / -1 and writes nothing, still
    costs 100 gas; the output range must lie in memory; pubkey_len > 65 traps."""
    _, short, long = _keys(3)
    bad = [long[1:64] + bytes([long[64] ^ 1]), b"\x06" + long[1:], b"\x05" + short[1:],
           b"", long[:40], bytes(64), long[:64]]
    for public in bad:
        assert crypto.derive_eth_address(public) is None
        env = MemoryEnv()
        env.put(0, public)
        env.put(100, b"\xaa" * 20)
        assert crypto_api.derive_eth_address(env, new_state(), 0, len(public), 100) == -1
        assert env.read(100, 20) == b"\xaa" * 20
        assert env.gas_used == 100
    with pytest.raises(HostTrap) as limit:
        crypto_api.derive_eth_address(MemoryEnv(size=0), new_state(), 0, 66, 0)
    assert limit.value.error is ErrorKind.HOST_LIMIT_EXCEEDED
    env = MemoryEnv(size=100, gas_limit=0)
    with pytest.raises(Trap) as info:
        crypto_api.derive_eth_address(env, new_state(), 0, 5, 81)  # output [81, 101)
    assert info.value.trap_kind is TrapKind.MEMORY_OUT_OF_BOUNDS
    env = MemoryEnv(gas_limit=99)
    env.put(0, long)
    with pytest.raises(Trap) as info:
        crypto_api.derive_eth_address(env, new_state(), 0, 65, 100)
    assert info.value.trap_kind is TrapKind.OUT_OF_GAS
    assert env.read(100, 20) == bytes(20)


# --- CRYPTO-API -----------------------------------------------------------------------------


@given(st.binary(max_size=80), st.binary(max_size=80), st.binary(max_size=80))
def test_crypto_functions_are_total(a: bytes, b: bytes, c: bytes) -> None:
    """CRYPTO-API-1: any bytes give a verdict or None, never an exception."""
    assert crypto.verify_ed25519(a, b, c) in (True, False)
    assert crypto.verify_secp256k1(a, b, c) in (True, False)
    assert crypto.verify_secp256k1_der(a, b, c) in (True, False)
    assert crypto.derive_eth_address(a) is None or len(crypto.derive_eth_address(a) or b"") == 20
    assert len(crypto.sha256(a)) == len(crypto.keccak256(a)) == 32
    for prefix in (b"\x02", b"\x03", b"\x04", b"\x06"):
        key = parse_public_key((prefix + a + b)[:65])
        assert key is None or isinstance(key, coincurve.PublicKey)
        rs = parse_der_signature(b"\x30" + bytes([len(a)]) + a)
        assert rs is None or min(rs) >= 0


def test_crypto_api_table() -> None:
    """HOST-CRYPTO-1, HOST-CRYPTO-2, HOST-CRYPTO-3, HOST-CRYPTO-4, HOST-CRYPTO-5,
    HOST-CRYPTO-6: the six imports of module crypto_api, i32 parameters, one i32 result."""
    arity = {"sha256": 3, "keccak256": 3, "verify_ed25519": 4, "verify_secp256k1": 4,
             "verify_secp256k1_der": 5, "derive_eth_address": 3}
    functions = [f for f in HOST_FUNCTIONS if f.module == "crypto_api"]
    assert [f.name for f in functions] == list(arity)
    for f in functions:
        assert f.impl is getattr(crypto_api, f.name)
        assert f.params == (ValType.I32,) * arity[f.name]
        assert f.results == (ValType.I32,)
        assert BY_NAME[("crypto_api", f.name)] is f


# --- Through the Runtime --------------------------------------------------------------------


def _escape(data: bytes) -> str:
    return "".join(f"\\{b:02x}" for b in data)


def crypto_contract(data: dict[int, bytes]) -> bytes:
    """A contract exporting one wrapper per crypto_api function (same shape: its parameters
    forwarded to the import), plus hash/address variants that emit their output as an event;
    ``data`` fills memory."""
    segments = "\n".join(f'(data (i32.const {at}) "{_escape(b)}")' for at, b in data.items())
    return wat(f"""(module
  (import "crypto_api" "sha256" (func $sha256 (param i32 i32 i32) (result i32)))
  (import "crypto_api" "keccak256" (func $keccak256 (param i32 i32 i32) (result i32)))
  (import "crypto_api" "verify_ed25519" (func $ed (param i32 i32 i32 i32) (result i32)))
  (import "crypto_api" "verify_secp256k1" (func $secp (param i32 i32 i32 i32) (result i32)))
  (import "crypto_api" "verify_secp256k1_der"
    (func $der (param i32 i32 i32 i32 i32) (result i32)))
  (import "crypto_api" "derive_eth_address" (func $eth (param i32 i32 i32) (result i32)))
  (import "chain_api" "emit_event" (func $emit (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  {segments}
  (func (export "sha256") (param i32 i32 i32) (result i32)
    (call $sha256 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "keccak256") (param i32 i32 i32) (result i32)
    (call $keccak256 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "eth") (param i32 i32 i32) (result i32)
    (call $eth (local.get 0) (local.get 1) (local.get 2)))
  (func (export "ed") (param i32 i32 i32 i32) (result i32)
    (call $ed (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "secp") (param i32 i32 i32 i32) (result i32)
    (call $secp (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "der") (param i32 i32 i32 i32 i32) (result i32)
    (call $der (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)))
  (func (export "sha256_emit") (param i32 i32) (result i32)
    (drop (call $sha256 (local.get 0) (local.get 1) (i32.const 60000)))
    (call $emit (i32.const 60000) (i32.const 32)))
  (func (export "keccak256_emit") (param i32 i32) (result i32)
    (drop (call $keccak256 (local.get 0) (local.get 1) (i32.const 60000)))
    (call $emit (i32.const 60000) (i32.const 32)))
  (func (export "eth_emit") (param i32 i32) (result i32)
    (drop (call $eth (local.get 0) (local.get 1) (i32.const 60000)))
    (call $emit (i32.const 60000) (i32.const 20))))""")


def _run(wasm: bytes, function: str, *args: int, gas_limit: int = 1_000_000
         ) -> tuple[int | None, int, tuple[bytes, ...], ErrorKind | None]:
    result = Runtime(MemoryStorage()).call(wasm, function, [Value.i32(a) for a in args],
                                           gas_limit=gas_limit)
    value = result.results[0].as_signed() if result.results else None
    return value, result.gas_used, result.events, result.error


def test_runtime_crypto_calls() -> None:
    """HOST-CRYPTO-1, HOST-CRYPTO-2, HOST-CRYPTO-3, HOST-CRYPTO-4, HOST-CRYPTO-5, HOST-CRYPTO-6
    through the real Runtime: results, written outputs, and gas differences that isolate the
    host gas (the wrappers of equal arity run the same instructions)."""
    ed_key = SigningKey(bytes([7]) * 32)
    ed_sig = ed_key.sign(b"hello world").signature
    secp_key, short, long = _keys(1)
    digest = hashlib.sha256(b"hello world").digest()
    der = secp_key.sign(digest, hasher=None)
    data = {0: b"abc" + bytes(40), 100: b"hello world", 200: ed_sig, 300: bytes(ed_key.verify_key),
            400: digest, 500: compact(der), 600: der, 700: long, 800: short}
    wasm = crypto_contract(data)

    _, _, events, error = _run(wasm, "sha256_emit", 0, 3)
    assert error is None and events == (crypto.sha256(b"abc"),)
    _, _, events, error = _run(wasm, "keccak256_emit", 0, 3)
    assert error is None and events == (crypto.keccak256(b"abc"),)
    _, _, events, error = _run(wasm, "eth_emit", 800, 33)
    assert error is None
    assert events == (bytes.fromhex("7e5f4552091a69125d5dfcb7b8c2659029395bdf"),)

    sha = {n: _run(wasm, "sha256", 0, n, 1000) for n in (0, 3, 32, 33)}
    assert all(v[0] == 32 and v[3] is None for v in sha.values())
    assert sha[3][1] - sha[0][1] == 12 and sha[32][1] == sha[3][1]
    assert sha[33][1] - sha[32][1] == 12
    keccak0 = _run(wasm, "keccak256", 0, 0, 1000)
    assert keccak0[0] == 32 and sha[0][1] - keccak0[1] == 60 - 30
    eth = _run(wasm, "eth", 700, 65, 1000)
    assert eth[0] == 20 and eth[1] - sha[0][1] == 100 - 60
    assert _run(wasm, "eth", 700, 10, 1000)[0] == -1

    ed_ok = _run(wasm, "ed", 100, 11, 200, 300)
    ed_bad = _run(wasm, "ed", 100, 10, 200, 300)
    assert ed_ok[0] == 1 and ed_bad[0] == 0 and ed_ok[1] - ed_bad[1] == 1
    secp_ok = _run(wasm, "secp", 400, 500, 700, 65)
    assert secp_ok[0] == 1 and _run(wasm, "secp", 400, 500, 800, 33)[0] == 1
    assert _run(wasm, "secp", 401, 500, 700, 65)[0] == 0
    assert secp_ok[1] - ed_ok[1] == (3000 - 2000) - 11
    assert _run(wasm, "der", 400, 600, len(der), 800, 33)[0] == 1
    assert _run(wasm, "der", 400, 600, len(der) - 1, 800, 33)[0] == 0


def test_runtime_crypto_traps() -> None:
    """HOST-CRYPTO-1, HOST-CRYPTO-4, HOST-CRYPTO-5, HOST-CRYPTO-6: traps become call errors
    that use the whole gas limit (RT-ERR-3)."""
    wasm = crypto_contract({0: b"abc"})
    cases: list[tuple[str, tuple[int, ...], ErrorKind]] = [
        ("sha256", (0, 3, 65535), ErrorKind.MEMORY_OUT_OF_BOUNDS),
        ("sha256", (65530, 7, 0), ErrorKind.MEMORY_OUT_OF_BOUNDS),
        ("secp", (0, 0, 0, 66), ErrorKind.HOST_LIMIT_EXCEEDED),
        ("secp", (0, 0, 0, -1), ErrorKind.HOST_LIMIT_EXCEEDED),
        ("der", (0, 0, 73, 0, 33), ErrorKind.HOST_LIMIT_EXCEEDED),
        ("eth", (0, 66, 0), ErrorKind.HOST_LIMIT_EXCEEDED),
        ("eth", (0, 65, 65530), ErrorKind.MEMORY_OUT_OF_BOUNDS),
    ]
    for function, args, kind in cases:
        _, gas, events, error = _run(wasm, function, *args, gas_limit=50_000)
        assert error is kind and gas == 50_000 and events == ()
    _, gas, _, error = _run(wasm, "secp", 0, 0, 0, 65, gas_limit=2_000)
    assert error is ErrorKind.OUT_OF_GAS and gas == 2_000
