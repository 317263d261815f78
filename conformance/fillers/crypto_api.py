"""Filler ``crypto_api``: the six crypto host functions through the ``abi_probe_crypto``
contract with raw pointers and lengths (spec/crypto.md, HOST-CRYPTO-1..6 and the CRYPTO-*
rules they rest on): known answers, every verdict the rules decide (malleability, encodings,
small-order and mixed-order points, DER strictness, curve membership), every size limit and
out-of-bounds range, the order of the checks (HOST-GAS-1), and gas at the edge (HOST-GAS-2).

Byte strings reach the probe through storage: `loaded` puts the parts of a case's input,
concatenated, under the key ``"input"`` of the pre-state, and every export of the probe copies
that value to `IN` before the host call, so every pointer into it is ``IN + offset``. The
exports named like the host functions then make the host call with their arguments unchanged,
as their last instruction; the ``*_dump`` ones then emit the output buffer as an event. So
``gas_used`` is the host function's gas, plus the two storage reads of the load, plus a
constant (tests/conformance/test_conformance_crypto.py checks HOST-GAS-2 that way).

Keys and signatures are fixed: RFC 8032 and Project Wycheproof vectors (``ed25519_test.json``,
cited by tcId) for Ed25519; secp256k1 keys from fixed secrets, signed with coincurve's RFC 6979
deterministic nonces (no randomness). Every case states the outcome the rules predict and
`case` checks it on the reference when the filler runs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import coincurve
import nacl.bindings as sodium
from Crypto.Hash import keccak

from supervm_ref.conformance import Case, Env, FillerError, Tx, Value, contract
from supervm_ref.conformance.filler import measure_gas
from supervm_ref.runtime.errors import ErrorKind
from supervm_ref.runtime.runtime import Runtime
from supervm_ref.runtime.storage import MemoryStorage

AREA = "crypto_api"
#: The probe's name in every case's code, and its contract file.
PROBE = "probe"
PROBE_CONTRACT = "abi_probe_crypto"

# The probe's memory (conformance/contracts/abi_probe_crypto.wat).
#: The storage key whose value every export copies to `IN`.
KEY = b"input"
#: A 40-byte output buffer of 0xEE (a sentinel: the dump shows what the host wrote).
OUT = 64
OUT_SIZE = 40
SENTINEL = bytes([0xEE]) * OUT_SIZE
#: Where the value of `KEY` is copied; zero past its end.
IN = 1024
#: Memory that is zero in every case (no case loads more than 64 KiB - IN bytes).
ZEROS = 65536
MEMORY_SIZE = 2 * 65536
U32_MAX = 0xFFFFFFFF

#: The return value a case's last transaction must produce, or the error it must end with.
Outcome = int | ErrorKind
MOOB = ErrorKind.MEMORY_OUT_OF_BOUNDS
LIMIT = ErrorKind.HOST_LIMIT_EXCEEDED


# --- Cases on the probe ------------------------------------------------------------------------


def call(function: str, *args: int, gas_limit: int | None = None) -> Tx:
    """A transaction to the probe's export ``function``; every argument is an i32."""
    return Tx(PROBE, function, [Value.i32(a) for a in args], gas_limit)


def _run(tx: Tx, storage: dict[bytes, bytes]) -> tuple[Outcome, tuple[bytes, ...]]:
    """The outcome and the events of ``tx`` on the reference, as filling will record them."""
    result = Runtime(MemoryStorage(storage)).call(
        contract(PROBE_CONTRACT), tx.function, tx.args,
        gas_limit=Env().gas_limit if tx.gas_limit is None else tx.gas_limit)
    if result.error is not None:
        return result.error, result.events
    return result.results[0].as_signed(), result.events


def case(name: str, description: str, rules: list[str], tx: Tx, expect: Outcome,
         storage: dict[bytes, bytes] | None = None, event: bytes | None = None) -> Case:
    """A case ``crypto_api/<name>`` of one transaction to the probe, checked now: the
    reference must return ``expect`` (or end with that error) and, for a ``*_dump`` export,
    emit ``event`` (computed here with hashlib / pycryptodome, not by the reference), else
    `FillerError` — so a fixture can only record the outcome its description states."""
    storage = storage or {}
    got, events = _run(tx, storage)
    if got != expect:
        raise FillerError(f"{AREA}/{name}: expected {expect}, the reference gives {got}")
    if event is not None and events != (event,):
        raise FillerError(f"{AREA}/{name}: expected the event {event.hex()}, got {events}")
    return Case(f"{AREA}/{name}", description, rules, {PROBE: contract(PROBE_CONTRACT)},
                storage, Env(), [tx])


def gas_edges(name: str, what: str, rules: list[str], function: str, args: tuple[int, ...],
              expect: int, storage: dict[bytes, bytes] | None = None) -> list[Case]:
    """Two cases around the gas of a successful call (measured on the reference): a limit of
    exactly the cost (success) and one below (OUT_OF_GAS in the host charge). ``function``
    must end with the host call (WASM-GAS-4), which `case` confirms by the OUT_OF_GAS."""
    wasm = contract(PROBE_CONTRACT)
    cost = measure_gas(wasm, function, [Value.i32(a) for a in args], storage)
    rules = [*rules, "HOST-GAS-1", "HOST-GAS-2", "WASM-GAS-4", "RT-ERR-3"]
    return [
        case(f"{name}_gas_exact", f"{what} with a gas limit of exactly its cost ({cost}): "
             f"returns {expect}", rules, call(function, *args, gas_limit=cost), expect,
             storage),
        case(f"{name}_gas_one_short", f"{what} with a gas limit one below its cost: "
             "OUT_OF_GAS in the host charge, gas_used is the limit", rules,
             call(function, *args, gas_limit=cost - 1), ErrorKind.OUT_OF_GAS, storage),
    ]


def loaded(*parts: bytes) -> tuple[dict[bytes, bytes], list[int]]:
    """The pre-state holding ``parts`` concatenated under `KEY`, and the pointer of each part
    once the probe has copied the value to `IN`."""
    pointers, at = [], IN
    for part in parts:
        pointers.append(at)
        at += len(part)
    return {KEY: b"".join(parts)}, pointers


# --- Hashes (HOST-CRYPTO-1, HOST-CRYPTO-2) ------------------------------------------------------


def sha256(data: bytes) -> bytes:
    """CRYPTO-HASH-1, by hashlib: what the fixtures must show."""
    return hashlib.sha256(data).digest()


def keccak256(data: bytes) -> bytes:
    """CRYPTO-HASH-2, by pycryptodome (Keccak-256 with the original padding, not SHA3-256)."""
    return keccak.new(digest_bits=256, data=data).digest()


def hash_cases(fn: str, host_rule: str, hash_rule: str, digest: Callable[[bytes], bytes],
               base: int, per_word: int, every_range: bool) -> list[Case]:
    """The cases of one hash host function ``fn`` (sha256 or keccak256) whose digest is
    ``digest`` and whose host gas is ``base + per_word`` per 32-byte word (HOST-GAS-2). The
    range cases shared by both functions (overlap, wrapping, unsigned lengths, empty ranges at
    the end of memory, order against gas) are filled for one only (``every_range``)."""
    r = [host_rule, hash_rule]
    mem = [*r, "HOST-MEM-1", "RT-ERR-3"]
    dump = f"{fn}_dump"

    def gas(n: int) -> int:
        return base + per_word * ((n + 31) // 32)

    def known(name: str, what: str, data: bytes) -> Case:
        storage, (ptr,) = loaded(data) if data else ({}, [IN])
        return case(f"{fn}_{name}", f"{fn} of {what} writes {digest(data).hex()} and returns "
                    f"32; the 4 bytes after the digest stay 0xEE; host gas {gas(len(data))}",
                    r, call(dump, ptr, len(data), OUT, 36), 32, storage,
                    digest(data) + SENTINEL[:4])

    zeros = bytes(4096)
    core = [
        known("empty", "the empty input", b""),
        known("abc", '"abc"', b"abc"),
        known("32_bytes", "32 bytes 00..1f (one word)", bytes(range(32))),
        known("33_bytes", "33 bytes 00..20 (two words: one byte more costs a whole word)",
              bytes(range(33))),
        case(f"{fn}_4096_zero_bytes", f"{fn} of 4096 zero bytes (memory at {ZEROS}) writes "
             f"{digest(zeros).hex()} and returns 32; host gas {gas(4096)}", r,
             call(dump, ZEROS, 4096, OUT, 32), 32, event=digest(zeros)),
        case(f"{fn}_output_out_of_bounds", "an output range one byte past the end of memory: "
             "MEMORY_OUT_OF_BOUNDS", mem, call(fn, ZEROS, 0, MEMORY_SIZE - 31), MOOB),
        case(f"{fn}_input_out_of_bounds", "an input range running past the end of memory: "
             "MEMORY_OUT_OF_BOUNDS", mem, call(fn, MEMORY_SIZE - 1, 2, OUT), MOOB),
        *gas_edges(f"{fn}_33_bytes", f"{fn} of 33 bytes (host gas {gas(33)})", r, fn,
                   (ZEROS, 33, OUT), 32),
    ]
    if not every_range:
        return core
    return [
        *core,
        case(f"{fn}_overlap", f"input and output overlap: {fn} of the {OUT_SIZE} bytes 0xEE "
             f"at OUT, written over them: {digest(SENTINEL).hex()} and returns 32 (the input is "
             "read first)", r, call(dump, OUT, OUT_SIZE, OUT, OUT_SIZE), 32,
             event=digest(SENTINEL) + SENTINEL[32:]),
        case(f"{fn}_output_at_memory_end", "an output range ending exactly at the end of "
             "memory: returns 32", [*r, "HOST-MEM-1"], call(fn, ZEROS, 0, MEMORY_SIZE - 32),
             32),
        case(f"{fn}_input_len_unsigned", "in_len 0xffffffff is 4294967295 bytes (there is no "
             "size limit, so the range check fails): MEMORY_OUT_OF_BOUNDS", mem,
             call(fn, 0, U32_MAX, OUT), MOOB),
        case(f"{fn}_output_checked_before_gas", "an out-of-bounds output with too little gas "
             "for the host charge: the output range is checked before gas, "
             "MEMORY_OUT_OF_BOUNDS (gas_used is the limit)", [*mem, "HOST-GAS-1"],
             call(fn, ZEROS, 4096, MEMORY_SIZE, gas_limit=300), MOOB),
    ]


# --- Ed25519 (HOST-CRYPTO-3) ---------------------------------------------------------------------

#: An Ed25519 test vector: (public key, message, signature).
Vector = tuple[bytes, bytes, bytes]


def vector(key: str, message: str, signature: str) -> Vector:
    """A test vector from its hex strings."""
    return bytes.fromhex(key), bytes.fromhex(message), bytes.fromhex(signature)


#: RFC 8032 section 7.1, TEST 1, 2 and 3 (also Wycheproof ed25519_test.json tcId 80, 81, 82).
RFC8032 = [vector(*v) for v in (
    ("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bac"
     "c61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
    ("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e"
     "458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
    ("fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290"
     "ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"),
)]

#: Wycheproof ed25519_test.json (testvectors_v1): tcId -> (public key, message, signature).
WYCHEPROOF_KEY = "7d4d0e7f6153a69b6242b522abbee685fda4420f8834b108c3bdae369ef549fa"
WYCHEPROOF = {tc: vector(*v) for tc, v in {
    # "the encoded s was replaced by s + L" (SignatureMalleability).
    63: (WYCHEPROOF_KEY, "54657374",
         "7c38e026f29e14aabd059a0f2db8b0cd783040609a8be684db12f82a27774ab067654bce3832c2d7"
         "6f8f6f5dafc08d9339d4eef676573336a5c51eb6f946b31d"),
    # "Signature with S just above the bound" [David Benjamin].
    85: ("100fdf47fb94f1536a4f7c3fda27383fa03375a8f527c537e6f1703c47f94f86",
         "6a0bc2b0057cedfc0fa2e3f7f7d39279b30f454a69dfd1117c758d86b19d85e0",
         "0971f86d2c9c78582524a103cb9cf949522ae528f8054dc20107d999be673ff4e25ebf2f2928766b"
         "1248bec6e91697775f8446639ede46ad4df4053000000010"),
    # "special values for r and s": R = the encoding of y = p (non-canonical), S = 0.
    25: (WYCHEPROOF_KEY, "3f",
         "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"
         "0000000000000000000000000000000000000000000000000000000000000000"),
    # "R encodes y = 1 with the sign bit of x set" (non-canonical identity).
    151: ("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "313233343030",
          "0100000000000000000000000000000000000000000000000000000000000080c803ee1f2342aa96"
          "ff698a393d1ab5e66f3eda101d6d120b394c3fd32c117d0a"),
}.items()}

#: The group order L of edwards25519 and the field prime p (RFC 8032 section 5.1).
ED_L = 2**252 + 27742317777372353535851937790883648493
ED_P = 2**255 - 19
#: The identity point (0, 1), canonically and as y = p + 1 (non-canonical).
ED_IDENTITY = (1).to_bytes(32, "little")
ED_IDENTITY_NON_CANONICAL = (ED_P + 1).to_bytes(32, "little")
#: A point of order 8 (libsodium's small-order blocklist).
ED_ORDER_8 = bytes.fromhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")


def _scalar(n: int) -> bytes:
    return (n % ED_L).to_bytes(32, "little")


def _k(r_enc: bytes, a_enc: bytes, message: bytes) -> int:
    return int.from_bytes(hashlib.sha512(r_enc + a_enc + message).digest(), "little") % ED_L


def _sign_raw(a: int, r: int, a_enc: bytes, r_enc: bytes, message: bytes) -> bytes:
    """R || S with S = r + k a (RFC 8032 signing from chosen scalars and chosen encodings),
    to build signatures over mixed-order points."""
    return r_enc + _scalar(r + _k(r_enc, a_enc, message) * a)


def mixed_order_key_signature() -> Vector:
    """(key, message, signature) with a mixed-order key A' = [a]B + T (T of order 8) and a
    message whose k is a multiple of 8, so [S]B = R + [k]A' holds exactly (the torsion part
    cancels) and libsodium's verification accepts it; CRYPTO-EDDSA-3 rejects it."""
    a, r = 123456789, 987654321
    mixed = sodium.crypto_core_ed25519_add(sodium.crypto_scalarmult_ed25519_base_noclamp(
        _scalar(a)), ED_ORDER_8)
    r_enc = sodium.crypto_scalarmult_ed25519_base_noclamp(_scalar(r))
    for i in range(256):
        message = b"mixed %d" % i
        if _k(r_enc, mixed, message) % 8 == 0:
            return mixed, message, _sign_raw(a, r, mixed, r_enc, message)
    raise FillerError("no message with k = 0 mod 8")


def mixed_order_r_signature() -> Vector:
    """(key, message, signature) with an honest key and R' = [r]B + T (T of order 8)."""
    a, r = 123456789, 987654321
    key = sodium.crypto_scalarmult_ed25519_base_noclamp(_scalar(a))
    mixed_r = sodium.crypto_core_ed25519_add(
        sodium.crypto_scalarmult_ed25519_base_noclamp(_scalar(r)), ED_ORDER_8)
    return key, b"m", _sign_raw(a, r, key, mixed_r, b"m")


def ed25519_cases() -> list[Case]:
    """HOST-CRYPTO-3 ``verify_ed25519`` (CRYPTO-EDDSA-1..4)."""
    r = ["HOST-CRYPTO-3", "CRYPTO-EDDSA-1", "CRYPTO-EDDSA-4"]
    points = ["HOST-CRYPTO-3", "CRYPTO-EDDSA-3", "CRYPTO-API-1"]
    mem = ["HOST-CRYPTO-3", "HOST-MEM-1", "RT-ERR-3"]
    fn = "verify_ed25519"

    def verify(name: str, description: str, rules: list[str], key: bytes, message: bytes,
               signature: bytes, expect: int) -> Case:
        storage, (m, s, k) = loaded(message, signature, key)
        return case(name, description, rules, call(fn, m, len(message), s, k), expect,
                    storage)

    tests = {i + 1: v for i, v in enumerate(RFC8032)}
    mixed_key = mixed_order_key_signature()
    mixed_r = mixed_order_r_signature()
    _, msg1, sig1 = tests[1]
    key2, _, sig2 = tests[2]
    signed = (RFC8032[2][1], RFC8032[2][2], RFC8032[2][0])
    storage3, (m3, s3, k3) = loaded(*signed)
    return [
        *(verify(f"ed25519_rfc8032_test{i}", f"RFC 8032 section 7.1 TEST {i} (a "
                 f"{len(msg)}-byte message): valid, returns 1", r, key, msg, sig, 1)
          for i, (key, msg, sig) in tests.items()),
        verify("ed25519_wrong_message", "RFC 8032 TEST 2's signature over the message 0x73 "
               "instead of 0x72: returns 0", r, key2, b"\x73", sig2, 0),
        verify("ed25519_wrong_key", "RFC 8032 TEST 1's message and signature with TEST 2's "
               "public key: returns 0", r, key2, msg1, sig1, 0),
        verify("ed25519_s_plus_l", "Wycheproof ed25519 tcId 63: S replaced by S + L (the "
               "same scalar mod L): S >= L is rejected, returns 0",
               ["HOST-CRYPTO-3", "CRYPTO-EDDSA-2"], *WYCHEPROOF[63], 0),
        verify("ed25519_s_just_over_l", "Wycheproof ed25519 tcId 85: S just above L: "
               "returns 0", ["HOST-CRYPTO-3", "CRYPTO-EDDSA-2"], *WYCHEPROOF[85], 0),
        verify("ed25519_r_non_canonical_y_p", "Wycheproof ed25519 tcId 25: R is the "
               "non-canonical encoding y = p (a small-order point), S = 0: returns 0", points,
               *WYCHEPROOF[25], 0),
        verify("ed25519_r_identity_negative_x", "Wycheproof ed25519 tcId 151: R encodes y = 1 "
               "with the sign bit of x set (no such point): returns 0", points,
               *WYCHEPROOF[151], 0),
        verify("ed25519_small_order_key_and_r", "public key and R both the identity, S = 0: "
               "[S]B = R + [k]A holds for every message, but small-order points are rejected: "
               "returns 0", points, ED_IDENTITY, b"abc", ED_IDENTITY + bytes(32), 0),
        verify("ed25519_non_canonical_key", "public key the identity encoded as y = p + 1 "
               "(non-canonical), R the identity, S = 0 (the equation holds): returns 0",
               points, ED_IDENTITY_NON_CANONICAL, b"abc", ED_IDENTITY + bytes(32), 0),
        verify("ed25519_mixed_order_key", "public key [a]B + T with T of order 8 and a "
               "signature for which [S]B = R + [k]A' holds exactly (the libsodium bundled with "
               "PyNaCl 1.6.2 accepts it): mixed-order keys are rejected, returns 0", points,
               *mixed_key, 0),
        verify("ed25519_mixed_order_r", "an honest key and R' = [r]B + T with T of order 8, "
               "S computed for R': mixed-order R is rejected, returns 0", points, *mixed_r, 0),
        case("ed25519_invalid_costs_full_gas", "a 1000-byte message of zeros with a zero "
             "signature and key: returns 0 and still costs 2000 + 1000 host gas",
             ["HOST-CRYPTO-3", "HOST-GAS-2", "CRYPTO-API-1"],
             call("verify_ed25519", ZEROS, 1000, ZEROS, ZEROS), 0),
        case("ed25519_message_out_of_bounds", "a message running past the end of memory: "
             "MEMORY_OUT_OF_BOUNDS", mem,
             call("verify_ed25519", MEMORY_SIZE - 1, 2, ZEROS, ZEROS), MOOB),
        case("ed25519_signature_out_of_bounds", "the 64-byte signature at memory end - 63: "
             "MEMORY_OUT_OF_BOUNDS", mem,
             call("verify_ed25519", ZEROS, 0, MEMORY_SIZE - 63, ZEROS), MOOB),
        case("ed25519_key_checked_before_gas", "an out-of-bounds key with too little gas for "
             "the host charge (2000): memory is read before gas, MEMORY_OUT_OF_BOUNDS",
             [*mem, "HOST-GAS-1"],
             call("verify_ed25519", ZEROS, 0, ZEROS, U32_MAX, gas_limit=1000), MOOB),
        *gas_edges("ed25519_rfc8032_test3", "RFC 8032 TEST 3 (valid; host gas 2000 + 2)",
                   r, fn, (m3, len(signed[0]), s3, k3), 1, storage3),
    ]


# --- secp256k1 (HOST-CRYPTO-4, HOST-CRYPTO-5) ----------------------------------------------------

#: The field prime p and the group order n of secp256k1 (SEC 2 section 2.4.1).
SECP_P = 2**256 - 2**32 - 977
SECP_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141

#: The signing key and the digest most cases use (fixed, so the fixtures never change).
SECRET = hashlib.sha256(b"supervm conformance crypto_api secp256k1 key").digest()
DIGEST = hashlib.sha256(b"supervm conformance crypto_api message").digest()


def signature(secret: bytes, digest: bytes) -> tuple[int, int]:
    """(r, s) of coincurve's RFC 6979 signature of ``digest`` (low S, as libsecp256k1 signs);
    `FillerError` if its DER form is not `der` of the same (r, s)."""
    key = coincurve.PrivateKey(secret)
    compact = key.sign_recoverable(digest, hasher=None)[:64]
    r, s = int.from_bytes(compact[:32], "big"), int.from_bytes(compact[32:], "big")
    if key.sign(digest, hasher=None) != der(r, s):
        raise FillerError("coincurve's DER and compact signatures disagree")
    return r, s


def compact(r: int, s: int) -> bytes:
    """CRYPTO-SECP-3: ``r || s``, 32 bytes big-endian each."""
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def der_integer(x: int, pad: bytes = b"") -> bytes:
    """A DER INTEGER of x >= 0 (minimal, with a 0x00 when the high bit is set); ``pad`` is
    put before the minimal content to build non-minimal encodings."""
    body = x.to_bytes(max(1, (x.bit_length() + 7) // 8), "big")
    if body[0] & 0x80:
        body = b"\x00" + body
    body = pad + body
    return b"\x02" + bytes([len(body)]) + body


def der(r: int, s: int) -> bytes:
    """CRYPTO-SECP-4: the strict DER encoding of (r, s)."""
    seq = der_integer(r) + der_integer(s)
    return b"\x30" + bytes([len(seq)]) + seq


def public_key(secret: bytes, compressed: bool) -> bytes:
    """The SEC 1 public key of a secret (CRYPTO-SECP-2)."""
    return coincurve.PrivateKey(secret).public_key.format(compressed=compressed)


def not_on_curve_x() -> int:
    """The smallest x >= 1 such that no curve point has that x (``02 || x`` is not a key)."""
    for x in range(1, 1000):
        try:
            coincurve.PublicKey(b"\x02" + x.to_bytes(32, "big"))
        except ValueError:
            return x
    raise FillerError("no x off the curve below 1000")


def on_curve_x() -> int:
    """The smallest x >= 1 such that ``02 || x`` is a key (so ``x + p`` can be tried)."""
    for x in range(1, 1000):
        try:
            coincurve.PublicKey(b"\x02" + x.to_bytes(32, "big"))
            return x
        except ValueError:
            continue
    raise FillerError("no x on the curve below 1000")


def high_r_digest() -> bytes:
    """A digest whose signature by `SECRET` has r >= 2^255 (r's DER content needs a 0x00)."""
    for i in range(256):
        digest = hashlib.sha256(b"supervm conformance crypto_api message %d" % i).digest()
        if signature(SECRET, digest)[0] >> 255:
            return digest
    raise FillerError("no digest with a high r")


def secp_cases() -> list[Case]:
    """HOST-CRYPTO-4 ``verify_secp256k1`` with ``r || s`` signatures (CRYPTO-SECP-1..3,
    -5, -6)."""
    r = ["HOST-CRYPTO-4", "CRYPTO-SECP-1", "CRYPTO-SECP-2", "CRYPTO-SECP-3", "CRYPTO-SECP-6"]
    keys = ["HOST-CRYPTO-4", "CRYPTO-SECP-2", "CRYPTO-API-1"]
    ranges = ["HOST-CRYPTO-4", "CRYPTO-SECP-5"]
    mem = ["HOST-CRYPTO-4", "HOST-MEM-1", "RT-ERR-3"]
    lim = ["HOST-CRYPTO-4", "HOST-LIMIT-1", "RT-ERR-3"]
    fn = "verify_secp256k1"
    sr, ss = signature(SECRET, DIGEST)
    sig = compact(sr, ss)
    full = public_key(SECRET, compressed=False)
    short = public_key(SECRET, compressed=True)
    x, y = full[1:33], full[33:]
    bad_y = full[:33] + ((int.from_bytes(y, "big") + 1) % SECP_P).to_bytes(32, "big")
    hybrid = bytes([0x06 | (y[-1] & 1)]) + full[1:]
    off_x = b"\x02" + not_on_curve_x().to_bytes(32, "big")
    big_x = b"\x02" + (on_curve_x() + SECP_P).to_bytes(32, "big")
    max_digest = b"\xff" * 32
    mr, ms = signature(SECRET, max_digest)
    reduced = (int.from_bytes(max_digest, "big") - SECP_N).to_bytes(32, "big")

    def verify(name: str, description: str, rules: list[str], digest: bytes, sig_: bytes,
               key: bytes, expect: Outcome) -> Case:
        storage, (h, s, k) = loaded(digest, sig_, key)
        return case(f"secp256k1_{name}", description, rules, call(fn, h, s, k, len(key)),
                    expect, storage)

    valid_storage, (vh, vs, vk) = loaded(DIGEST, sig, short)
    return [
        verify("valid_compressed", "a low-S RFC 6979 signature with the 33-byte compressed "
               "key: returns 1", r, DIGEST, sig, short, 1),
        verify("valid_uncompressed", "the same signature with the 65-byte uncompressed key: "
               "returns 1", r, DIGEST, sig, full, 1),
        verify("wrong_digest", "the signature checked against another digest: returns 0", r,
               hashlib.sha256(b"another message").digest(), sig, short, 0),
        verify("digest_above_n", "a digest 0xff..ff (above n) is used as is, signed and "
               "verified without hashing: returns 1", r, max_digest, compact(mr, ms), short, 1),
        verify("digest_congruent_mod_n", "the signature of digest 0xff..ff checked against "
               "0xff..ff - n, the same scalar mod n: returns 1", r, reduced, compact(mr, ms),
               short, 1),
        verify("high_s", "the twin (r, n - s) of a valid signature (high S): returns 0",
               ranges, DIGEST, compact(sr, SECP_N - ss), short, 0),
        verify("r_zero", "r = 0: returns 0", ranges, DIGEST, compact(0, ss), short, 0),
        verify("s_zero", "s = 0: returns 0", ranges, DIGEST, compact(sr, 0), short, 0),
        verify("r_equals_n", "r = n: returns 0", ranges, DIGEST, compact(SECP_N, ss), short,
               0),
        verify("key_not_on_curve", "an uncompressed key with y + 1 (not a curve point): "
               "returns 0", keys, DIGEST, sig, bad_y, 0),
        verify("key_compressed_x_not_on_curve", "a compressed key 02 || x where x^3 + 7 is "
               "not a square: returns 0", keys, DIGEST, sig, off_x, 0),
        verify("key_x_not_reduced", "a compressed key whose x is a curve point's x plus p "
               "(x >= p): returns 0", keys, DIGEST, sig, big_x, 0),
        verify("key_hybrid", f"the hybrid encoding {hybrid[0]:02x} || x || y of the signing "
               "key (libsecp256k1 parses it): returns 0", keys, DIGEST, sig, hybrid, 0),
        verify("key_len_64", "pubkey_len 64 (x || y without prefix, which derive_eth_address "
               "accepts): only 33 and 65 are keys, returns 0", keys, DIGEST, sig, x + y, 0),
        verify("key_len_0", "pubkey_len 0: returns 0", keys, DIGEST, sig, b"", 0),
        verify("key_len_66", "pubkey_len 66 (the uncompressed key and one more byte): "
               "HOST_LIMIT_EXCEEDED", lim, DIGEST, sig, full + b"\x00", LIMIT),
        case("secp256k1_key_len_66_out_of_bounds", "pubkey_len 66 with every pointer out of "
             "bounds: the limit is checked before memory, HOST_LIMIT_EXCEEDED",
             [*lim, "HOST-GAS-1"], call("verify_secp256k1", U32_MAX, U32_MAX, U32_MAX, 66),
             LIMIT),
        case("secp256k1_signature_out_of_bounds", "the 64-byte signature at memory end - 63: "
             "MEMORY_OUT_OF_BOUNDS", mem,
             call("verify_secp256k1", ZEROS, MEMORY_SIZE - 63, ZEROS, 33), MOOB),
        case("secp256k1_key_out_of_bounds", "a 65-byte key at memory end - 64: "
             "MEMORY_OUT_OF_BOUNDS", mem,
             call("verify_secp256k1", ZEROS, ZEROS, MEMORY_SIZE - 64, 65), MOOB),
        case("secp256k1_invalid_costs_full_gas", "zero digest, signature and key: returns 0 "
             "and still costs 3000 host gas", ["HOST-CRYPTO-4", "HOST-GAS-2", "CRYPTO-API-1"],
             call("verify_secp256k1", ZEROS, ZEROS, ZEROS, 33), 0),
        *gas_edges("secp256k1_valid", "a valid signature (host gas 3000)", r, fn,
                   (vh, vs, vk, 33), 1, valid_storage),
    ]


def der_cases() -> list[Case]:
    """HOST-CRYPTO-5 ``verify_secp256k1_der`` (CRYPTO-SECP-4 and the rules of HOST-CRYPTO-4)."""
    r = ["HOST-CRYPTO-5", "CRYPTO-SECP-4", "CRYPTO-SECP-6"]
    strict = ["HOST-CRYPTO-5", "CRYPTO-SECP-4", "CRYPTO-API-1"]
    lim = ["HOST-CRYPTO-5", "HOST-LIMIT-1", "RT-ERR-3"]
    fn = "verify_secp256k1_der"
    short = public_key(SECRET, compressed=True)
    sr, ss = signature(SECRET, DIGEST)
    good = der(sr, ss)
    high = high_r_digest()
    hr, hs = signature(SECRET, high)
    high_good = der(hr, hs)
    # r's content is 0x00 || r (33 bytes): without the 0x00 it is a negative integer.
    negative = b"\x30" + bytes([high_good[1] - 1]) + b"\x02\x20" + hr.to_bytes(32, "big") \
        + der_integer(hs)
    non_minimal_body = der_integer(sr, pad=b"\x00") + der_integer(ss)
    non_minimal = b"\x30" + bytes([len(non_minimal_body)]) + non_minimal_body
    high_72 = der(hr, SECP_N - hs)
    if len(high_72) != 72 or negative[4] < 0x80:
        raise FillerError("the high-r signature does not give a 72-byte high-S DER")
    ber_long = b"\x30\x81" + good[1:]

    def verify(name: str, description: str, rules: list[str], sig: bytes, expect: Outcome,
               digest: bytes = DIGEST, key: bytes = short) -> Case:
        storage, (h, s, k) = loaded(digest, sig, key)
        return case(f"der_{name}", description, rules, call(fn, h, s, len(sig), k, len(key)),
                    expect, storage)

    return [
        verify("valid_compressed", f"a strict DER signature ({len(good)} bytes), low S, with "
               "the compressed key: returns 1", r, good, 1),
        verify("valid_r_padded", f"a strict DER signature whose r needs a 0x00 "
               f"({len(high_good)} bytes): returns 1", r, high_good, 1, digest=high),
        verify("non_minimal_integer", "r with a superfluous leading 0x00 (not minimal): "
               "returns 0", strict, non_minimal, 0),
        verify("trailing_byte", "the valid signature followed by one more byte (sig_len "
               "counts it): returns 0", strict, good + b"\x00", 0),
        verify("sequence_length_plus_one", "the SEQUENCE length byte one too large: returns 0",
               strict, good[:1] + bytes([good[1] + 1]) + good[2:], 0),
        verify("trailing_byte_inside_sequence", "one more byte after s that the SEQUENCE "
               "length counts (so every length is exact, but a byte follows the two INTEGERs): "
               "returns 0", strict, good[:1] + bytes([good[1] + 1]) + good[2:] + b"\x00", 0),
        verify("negative_integer", "r's 0x00 removed, so the INTEGER is negative (high bit "
               "set): returns 0", strict, negative, 0, digest=high),
        verify("ber_long_form_length", "the SEQUENCE length in BER long form 0x81: returns 0",
               strict, ber_long, 0),
        verify("high_s", "the strict DER twin (r, n - s) of a valid signature (high S): "
               "returns 0", ["HOST-CRYPTO-5", "CRYPTO-SECP-5"], der(sr, SECP_N - ss), 0),
        verify("length_72", "sig_len 72 is within the limit: a 72-byte strict DER signature "
               "(high r and high S) returns 0", [*lim, "CRYPTO-SECP-5"], high_72, 0,
               digest=high),
        verify("length_73", "sig_len 73 (the 72-byte signature and one more byte): "
               "HOST_LIMIT_EXCEEDED", lim, high_72 + b"\x00", LIMIT, digest=high),
        case("der_length_73_out_of_bounds", "sig_len 73 with the signature pointer out of "
             "bounds: the limit is checked before memory, HOST_LIMIT_EXCEEDED",
             [*lim, "HOST-GAS-1"],
             call("verify_secp256k1_der", ZEROS, U32_MAX, 73, ZEROS, 33), LIMIT),
        case("der_key_len_66", "pubkey_len 66: HOST_LIMIT_EXCEEDED",
             lim, call("verify_secp256k1_der", ZEROS, ZEROS, 8, ZEROS, 66), LIMIT),
        case("der_signature_out_of_bounds", "a 70-byte signature at memory end - 69: "
             "MEMORY_OUT_OF_BOUNDS", ["HOST-CRYPTO-5", "HOST-MEM-1", "RT-ERR-3"],
             call("verify_secp256k1_der", ZEROS, MEMORY_SIZE - 69, 70, ZEROS, 33), MOOB),
    ]


# --- Ethereum addresses (HOST-CRYPTO-6) ----------------------------------------------------------

#: CRYPTO-ETH-1's known answers: private key -> address.
ADDRESSES = {
    1: bytes.fromhex("7E5F4552091A69125d5DfCb7b8C2659029395Bdf"),
    2: bytes.fromhex("2B5AD5c4795c026514f8317c7a215E218DcCD6cF"),
}


def eth_cases() -> list[Case]:
    """HOST-CRYPTO-6 ``derive_eth_address`` (CRYPTO-ETH-1, CRYPTO-SECP-2)."""
    r = ["HOST-CRYPTO-6", "CRYPTO-ETH-1", "CRYPTO-HASH-2"]
    invalid = ["HOST-CRYPTO-6", "CRYPTO-ETH-1", "CRYPTO-SECP-2", "CRYPTO-API-1"]
    mem = ["HOST-CRYPTO-6", "HOST-MEM-1", "RT-ERR-3"]
    fn = "derive_eth_address_dump"

    def derive(name: str, description: str, rules: list[str], key: bytes, expect: Outcome,
               address: bytes = b"") -> Case:
        """derive_eth_address_dump of ``key`` into OUT, dumping 24 bytes: the address (if
        any) and then the untouched sentinel."""
        storage, (k,) = loaded(key)
        event = None if isinstance(expect, ErrorKind) else (address + SENTINEL)[:24]
        return case(f"eth_{name}", description, rules, call(fn, k, len(key), OUT, 24), expect,
                    storage, event)

    out: list[Case] = []
    for secret, address in ADDRESSES.items():
        full = public_key(secret.to_bytes(32, "big"), compressed=False)
        if keccak256(full[1:])[12:] != address:
            raise FillerError(f"private key {secret}: keccak256 disagrees with CRYPTO-ETH-1")
        forms = (("65", "04 || x || y", full), ("64", "x || y", full[1:]),
                 ("33", "compressed", public_key(secret.to_bytes(32, "big"), compressed=True)))
        out += [derive(f"key{secret}_{size}", f"private key {secret}'s public key as {size} "
                       f"bytes {form}: writes the address 0x{address.hex()} and returns 20 "
                       "(the 4 bytes after it stay 0xEE)", r, key, 20, address)
                for size, form, key in forms]
    full = public_key((1).to_bytes(32, "big"), compressed=False)
    bad = full[1:33] + ((int.from_bytes(full[33:], "big") + 1) % SECP_P).to_bytes(32, "big")
    hybrid = bytes([0x06 | (full[-1] & 1)]) + full[1:]
    off_x = b"\x02" + not_on_curve_x().to_bytes(32, "big")
    return [
        *out,
        derive("not_on_curve", "64 bytes x || y + 1 (not a curve point): returns -1 and "
               "writes nothing (the dump is all 0xEE)", invalid, bad, -1),
        derive("compressed_not_on_curve", "33 bytes 02 || x with no point of that x: returns "
               "-1 and writes nothing", invalid, off_x, -1),
        derive("hybrid", f"the hybrid encoding {hybrid[0]:02x} || x || y of a valid key: "
               "returns -1 and writes nothing", invalid, hybrid, -1),
        derive("len_32", "pubkey_len 32 (x alone): returns -1 and writes nothing", invalid,
               full[1:33], -1),
        derive("len_66", "pubkey_len 66 (the 65-byte key and one more byte): "
               "HOST_LIMIT_EXCEEDED", ["HOST-CRYPTO-6", "HOST-LIMIT-1", "RT-ERR-3"],
               full + b"\x00", LIMIT),
        case("eth_key_out_of_bounds", "a 65-byte key at memory end - 64: "
             "MEMORY_OUT_OF_BOUNDS", mem, call("derive_eth_address", MEMORY_SIZE - 64, 65, OUT),
             MOOB),
        case("eth_output_out_of_bounds_invalid_key", "an invalid key (64 zero bytes) with the "
             "output at memory end - 19: the output range must lie in memory even when "
             "nothing is written, MEMORY_OUT_OF_BOUNDS", [*mem, "HOST-GAS-1"],
             call("derive_eth_address", ZEROS, 64, MEMORY_SIZE - 19), MOOB),
    ]


def cases() -> list[Case]:
    """Every crypto_api case."""
    return [
        *hash_cases("sha256", "HOST-CRYPTO-1", "CRYPTO-HASH-1", sha256, 60, 12, True),
        *hash_cases("keccak256", "HOST-CRYPTO-2", "CRYPTO-HASH-2", keccak256, 30, 6, False),
        *ed25519_cases(),
        *secp_cases(),
        *der_cases(),
        *eth_cases(),
    ]
