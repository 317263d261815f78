"""Filler ``contracts``: the example contracts of conformance/contracts/ (README.md there) run
as whole programs — a token written in WAT and the same token compiled from C, a counter, an
event emitter and a user of every crypto_api function.

Where the other fillers probe one host function at a time, these cases check that backends
agree on realistic call sequences: return codes, storage layouts, events, gas, and atomicity
when a contract traps (RT-ATOMIC-1).
"""

from __future__ import annotations

import struct

from supervm_ref.conformance.filler import Case, Env, Tx, contract
from supervm_ref.runtime.runtime import Runtime
from supervm_ref.runtime.storage import MemoryStorage
from supervm_ref.wasm.runtime.values import Value

I32, I64 = Value.i32, Value.i64

#: The block every case runs in (the contracts do not read it).
ENV = Env(block_number=7, timestamp=1_700_000_000, gas_limit=1_000_000)


def u64(x: int) -> bytes:
    """An integer as the contracts store it: 8 bytes, little endian, two's complement."""
    return struct.pack("<Q", x & (2**64 - 1))


def bal(account: int) -> bytes:
    """The token's balance key: ``"bal:" || account (u32 LE)``."""
    return b"bal:" + struct.pack("<I", account & 0xFFFFFFFF)


def transfer(to: str, a: int, b: int, amount: int, gas_limit: int | None = None) -> Tx:
    """``transfer(a, b, amount)`` on the token named ``to``."""
    return Tx(to, "transfer", [I32(a), I32(b), I64(amount)], gas_limit)


def mint(to: str, account: int, amount: int) -> Tx:
    """``mint(account, amount)`` on the token named ``to``."""
    return Tx(to, "mint", [I32(account), I64(amount)])


def balance_of(to: str, account: int) -> Tx:
    """``balance_of(account)`` on the token named ``to``."""
    return Tx(to, "balance_of", [I32(account)])


def _gas_of(wasm: bytes, storage: dict[bytes, bytes], function: str, args: list[Value]) -> int:
    """The gas a successful call uses on the reference runtime (to place a gas limit inside
    a call rather than hard-code a number that a change of gas schedule would move)."""
    outcome = Runtime(MemoryStorage(storage)).call(wasm, function, args)
    if outcome.error is not None:
        raise ValueError(f"{function} failed while sizing a gas limit: {outcome.message}")
    return outcome.gas_used


def token_cases() -> list[Case]:
    """The token (and token_c): business errors are return codes; transfers conserve the
    supply."""
    token, token_c = contract("token"), contract("token_c")
    funded = {bal(1): u64(100), b"supply": u64(100)}
    # Out of gas inside a transfer: 100 below its cost, so the second storage_set (216) or the
    # event (70) no longer fits (WASM-GAS-4), after the debit was written.
    short = _gas_of(token, funded, "transfer", [I32(1), I32(2), I64(10)]) - 100
    cases = []
    for name, wasm in (("token", token), ("token_c", token_c)):
        cases += [
            Case(f"contracts/{name}_mint_and_transfer",
                 f"{name}: mint 1000 to account 1, transfer 250 to account 2, read both "
                 "balances and the supply",
                 ["HOST-STORAGE-1", "HOST-STORAGE-2", "HOST-STORAGE-3", "HOST-CHAIN-3",
                  "RT-CALL-3"],
                 {name: wasm}, env=ENV,
                 txs=[mint(name, 1, 1000), transfer(name, 1, 2, 250), balance_of(name, 1),
                      balance_of(name, 2), balance_of(name, 3),
                      Tx(name, "total_supply")]),
            Case(f"contracts/{name}_insufficient_funds",
                 f"{name}: a transfer above the balance returns 1 and changes nothing; an "
                 "amount of -1 is 2^64-1 (amounts are u64)",
                 ["HOST-STORAGE-1", "RT-CALL-3", "RT-GAS-2"], {name: wasm}, dict(funded), ENV,
                 [transfer(name, 1, 2, 101), transfer(name, 5, 2, 1), transfer(name, 1, 2, -1),
                  balance_of(name, 1), balance_of(name, 2)]),
            Case(f"contracts/{name}_self_and_zero_transfer",
                 f"{name}: a transfer to oneself keeps the balance; 0 from an empty account "
                 "succeeds and writes zero balances",
                 ["HOST-STORAGE-3", "HOST-CHAIN-3", "RT-ATOMIC-2"], {name: wasm},
                 {bal(7): u64(50), b"supply": u64(50)}, ENV,
                 [transfer(name, 7, 7, 50), transfer(name, 7, 7, 51), transfer(name, 8, 9, 0),
                  balance_of(name, 7)]),
            Case(f"contracts/{name}_supply_overflow",
                 f"{name}: minting past 2^64-1 returns 2 and changes nothing; account -1 is "
                 "the key bal:ffffffff",
                 ["HOST-STORAGE-1", "HOST-STORAGE-3"], {name: wasm}, env=ENV,
                 txs=[mint(name, -1, -2), mint(name, 3, 1), mint(name, 3, 1),
                      Tx(name, "total_supply"), transfer(name, -1, 3, -2), balance_of(name, 3)]),
            Case(f"contracts/{name}_corrupt_balance_is_atomic",
                 f"{name}: the balance of `to` is not 8 bytes, so the transfer traps "
                 "(unreachable) after debiting `from`; the debit is discarded and the whole "
                 "gas limit is used",
                 ["RT-ATOMIC-1", "RT-ERR-3"], {name: wasm},
                 {bal(1): u64(100), bal(2): b"\x05", b"supply": u64(100)}, ENV,
                 [transfer(name, 1, 2, 10, gas_limit=50_000), balance_of(name, 1)]),
        ]
    cases += [
        Case("contracts/token_out_of_gas_is_atomic",
             "token: a transfer whose gas limit runs out after its first storage_set; nothing "
             "is written, the whole limit is used; the same transfer then succeeds",
             ["RT-ATOMIC-1", "RT-ERR-3", "HOST-GAS-1", "WASM-GAS-4"], {"token": token},
             dict(funded), ENV,
             [transfer("token", 1, 2, 10, gas_limit=short), balance_of("token", 1),
              transfer("token", 1, 2, 10), balance_of("token", 2)]),
        Case("contracts/token_sequence",
             "token: mints and transfers among four accounts, with failures in between; the "
             "supply stays the sum of the balances",
             ["HOST-STORAGE-1", "HOST-STORAGE-3", "HOST-CHAIN-3", "RT-ATOMIC-2"],
             {"token": token}, env=ENV,
             txs=[mint("token", 1, 500), mint("token", 2, 300), transfer("token", 1, 3, 200),
                  transfer("token", 2, 4, 301), transfer("token", 3, 4, 200),
                  transfer("token", 4, 1, 50), mint("token", 4, 7), transfer("token", 2, 2, 300),
                  *(balance_of("token", a) for a in range(1, 5)),
                  Tx("token", "total_supply")]),
        Case("contracts/token_wat_and_c_share_state",
             "token and token_c have the same storage layout: one mints, the other transfers, "
             "both read the same balances",
             ["HOST-STORAGE-1", "HOST-STORAGE-3", "RT-STORAGE-1"],
             {"token": token, "token_c": token_c}, env=ENV,
             txs=[mint("token", 1, 40), transfer("token_c", 1, 2, 15), mint("token_c", 2, 5),
                  balance_of("token", 2), balance_of("token_c", 1),
                  Tx("token", "total_supply"), Tx("token_c", "total_supply")]),
    ]
    return cases


def counter_cases() -> list[Case]:
    """The counter: an i64 under "counter"."""
    counter = contract("counter")
    return [
        Case("contracts/counter_sequence",
             "counter: increments (with events), get, reset deletes the key, get is 0 again",
             ["HOST-STORAGE-1", "HOST-STORAGE-2", "HOST-STORAGE-3", "HOST-STORAGE-4",
              "HOST-CHAIN-3"],
             {"counter": counter}, env=ENV,
             txs=[Tx("counter", "get"), Tx("counter", "increment", [I64(5)]),
                  Tx("counter", "increment", [I64(-7)]), Tx("counter", "get"),
                  Tx("counter", "reset"), Tx("counter", "reset"), Tx("counter", "get"),
                  Tx("counter", "increment", [I64(1)])]),
        Case("contracts/counter_wraps",
             "counter: increment wraps at 64 bits (2^63-1 + 1 = -2^63)",
             ["HOST-STORAGE-2", "HOST-STORAGE-3"], {"counter": counter},
             {b"counter": u64(2**63 - 1)}, ENV,
             [Tx("counter", "increment", [I64(1)]), Tx("counter", "get")]),
        Case("contracts/counter_corrupt_value",
             "counter: a stored value of 2 bytes is an impossible state: unreachable, the "
             "whole gas limit used, nothing written",
             ["RT-ERR-3", "RT-ATOMIC-1"], {"counter": counter}, {b"counter": b"\x01\x02"}, ENV,
             [Tx("counter", "increment", [I64(1)], 30_000), Tx("counter", "get", [], 30_000),
              Tx("counter", "reset"), Tx("counter", "get")]),
        Case("contracts/counter_bad_calls",
             "counter: a wrong argument type and an unknown function fail before execution "
             "with no gas used",
             ["RT-ERR-2", "RT-CALL-1"], {"counter": counter}, env=ENV,
             txs=[Tx("counter", "increment", [I32(1)]), Tx("counter", "decrement", [I64(1)]),
                  Tx("counter", "get", [I64(1)])]),
    ]


def events_cases() -> list[Case]:
    """The event emitter: indices, reading back, short buffers, limits, atomicity."""
    events = contract("events")
    return [
        Case("contracts/events_emit",
             "events: emit returns events_len; event i is 'ev' || i (u32 LE)",
             ["HOST-CHAIN-3", "HOST-CHAIN-4"], {"events": events}, env=ENV,
             txs=[Tx("events", "emit", [I32(5)]), Tx("events", "emit", [I32(0)]),
                  Tx("events", "emit", [I32(-3)])]),
        Case("contracts/events_read_back",
             "events: read_event returns each event's bytes and length; indices n and -1 "
             "return -1",
             ["HOST-CHAIN-5", "HOST-CHAIN-4"], {"events": events}, env=ENV,
             txs=[Tx("events", "emit_and_read", [I32(7)]),
                  Tx("events", "emit_and_read", [I32(0)])]),
        Case("contracts/events_short_buffer",
             "events: read_event into buffers of 0, 3, 6 and 10 bytes copies the first bytes, "
             "writes nothing past the buffer and returns the full length 6; a missing event "
             "returns -1 and writes nothing",
             ["HOST-BUF-1", "HOST-CHAIN-5"], {"events": events}, env=ENV,
             txs=[Tx("events", "read_short", [I32(3), I32(2), I32(cap)]) for cap in (0, 3, 6)]
             + [Tx("events", "read_short", [I32(3), I32(1), I32(10)]),
                Tx("events", "read_short", [I32(3), I32(3), I32(8)]),
                Tx("events", "read_short", [I32(3), I32(-1), I32(8)])]),
        Case("contracts/events_limits",
             "events: an event of 65537 bytes or a 1025th event traps HOST_LIMIT_EXCEEDED; "
             "ranges past the memory trap MEMORY_OUT_OF_BOUNDS, even for a missing event",
             ["HOST-LIMIT-1", "HOST-MEM-1", "HOST-MEM-2", "RT-ERR-3"], {"events": events},
             env=ENV,
             txs=[Tx("events", "emit_at", [I32(0), I32(65537)], 20_000),
                  Tx("events", "emit", [I32(1025)], 200_000),
                  Tx("events", "emit_at", [I32(65535), I32(2)], 20_000),
                  Tx("events", "read_at", [I32(0), I32(65530), I32(6)]),
                  Tx("events", "read_at", [I32(0), I32(65531), I32(6)], 20_000),
                  Tx("events", "read_at", [I32(5), I32(65531), I32(6)], 20_000)]),
        Case("contracts/events_discarded_on_trap",
             "events: events emitted before a trap are not part of the result",
             ["RT-ATOMIC-1", "RT-ERR-3"], {"events": events}, env=ENV,
             txs=[Tx("events", "emit_then_trap", [I32(3)], 20_000),
                  Tx("events", "emit", [I32(1)])]),
    ]


def crypto_cases() -> list[Case]:
    """The crypto user: every crypto_api function on vectors in its data segment."""
    crypto = contract("crypto_user")
    return [
        Case("contracts/crypto_hashes",
             "crypto_user: sha256 and keccak256 (Ethereum's, not SHA3) of the embedded message "
             "and of the stored input 'abc'",
             ["HOST-CRYPTO-1", "HOST-CRYPTO-2", "CRYPTO-HASH-1", "CRYPTO-HASH-2"],
             {"crypto_user": crypto}, {b"input": b"abc"}, ENV,
             [Tx("crypto_user", "hash_message"), Tx("crypto_user", "hash_input")]),
        Case("contracts/crypto_hash_input_1024",
             "crypto_user: sha256 and keccak256 of a stored 1024-byte input (32 words)",
             ["HOST-CRYPTO-1", "HOST-CRYPTO-2", "HOST-STORAGE-2", "HOST-GAS-2"],
             {"crypto_user": crypto}, {b"input": bytes(range(256)) * 4}, ENV,
             [Tx("crypto_user", "hash_input")]),
        Case("contracts/crypto_hash_input_too_long",
             "crypto_user: a 1025-byte input is refused by the contract (-2, nothing written)",
             ["HOST-STORAGE-1"], {"crypto_user": crypto}, {b"input": bytes(1025)}, ENV,
             [Tx("crypto_user", "hash_input")]),
        Case("contracts/crypto_signatures",
             "crypto_user: the embedded Ed25519 and secp256k1 signatures verify (r||s and DER, "
             "compressed and uncompressed key) and fail once the message changes",
             ["HOST-CRYPTO-3", "HOST-CRYPTO-4", "HOST-CRYPTO-5", "CRYPTO-EDDSA-1",
              "CRYPTO-SECP-1"],
             {"crypto_user": crypto}, env=ENV,
             txs=[Tx("crypto_user", "check_ed25519", [I32(flip)]) for flip in (0, 1)]
             + [Tx("crypto_user", "check_secp256k1", [I32(flip), I32(form)])
                for form in range(4) for flip in (0, 1)]),
        Case("contracts/crypto_eth_address",
             "crypto_user: derive_eth_address of the 65-, 64- and 33-byte forms of one key give "
             "one address; a non-point gives -1 and writes nothing; 66 bytes trap "
             "HOST_LIMIT_EXCEEDED",
             ["HOST-CRYPTO-6", "CRYPTO-ETH-1", "HOST-LIMIT-1"], {"crypto_user": crypto},
             env=ENV,
             txs=[Tx("crypto_user", "derive_address", [I32(form)]) for form in range(4)]
             + [Tx("crypto_user", "derive_raw", [I32(336), I32(66)], 30_000)]),
    ]


def cases() -> list[Case]:
    """CONF-FILL-1: every case of this filler."""
    return [*token_cases(), *counter_cases(), *events_cases(), *crypto_cases()]
