"""Filler ``batch``: blocks of contract calls executed as one batch (spec/conformance.md,
CONF-BATCH-*; spec/scheduling.md, SCHED-RESULT-1, SCHED-WASM-1/2).

Every case is a block: its post-state is what running the transactions one after the other
in block order gives (filled by the sequential baseline), and a Python backend must reproduce
it exactly when the block runs through Block-STM on 1, 4 and 16 simulated workers and on two
threads. The blocks are token transfers (the WAT token and the C token) between 2, 3, 10 and
100 accounts, contended and not, with failing transfers (insufficient funds), mints,
self-transfers and zero amounts; transactions that trap or run out of gas in the middle of a
block; counter increments (every transaction on one key); and events.

Random blocks come from `random.Random` with a fixed seed per case, so filling is
deterministic.
"""

from __future__ import annotations

import random
import struct

from supervm_ref.conformance.filler import Case, Env, Tx, contract, measure_gas
from supervm_ref.wasm.runtime.values import Value

I32, I64 = Value.i32, Value.i64

#: The block every case runs in.
ENV = Env(block_number=42, timestamp=1_700_000_000, gas_limit=1_000_000)

#: The rules every batch case covers.
RULES = ["SCHED-RESULT-1", "SCHED-WASM-1", "SCHED-WASM-2", "CONF-BATCH-1", "CONF-BATCH-2",
         "CONF-BATCH-3", "CONF-BATCH-4"]


def u64(x: int) -> bytes:
    """An integer as the contracts store it: 8 bytes, little endian, two's complement."""
    return struct.pack("<Q", x & (2**64 - 1))


def bal(account: int) -> bytes:
    """The token's balance key: ``"bal:" || account (u32 LE)``."""
    return b"bal:" + struct.pack("<I", account & 0xFFFFFFFF)


def funded(balances: dict[int, int]) -> dict[bytes, bytes]:
    """A token pre-state: the given balances and their sum as the supply."""
    state = {bal(a): u64(b) for a, b in balances.items()}
    state[b"supply"] = u64(sum(balances.values()))
    return state


def transfer(to: str, a: int, b: int, amount: int, gas_limit: int | None = None) -> Tx:
    """``transfer(a, b, amount)`` on the token named ``to``."""
    return Tx(to, "transfer", [I32(a), I32(b), I64(amount)], gas_limit)


def mint(to: str, account: int, amount: int) -> Tx:
    """``mint(account, amount)`` on the token named ``to``."""
    return Tx(to, "mint", [I32(account), I64(amount)])


def balance_of(to: str, account: int) -> Tx:
    """``balance_of(account)`` on the token named ``to``."""
    return Tx(to, "balance_of", [I32(account)])


def random_transfers(rng: random.Random, to: str, accounts: list[int], count: int,
                     max_amount: int, self_share: float = 0.1) -> list[Tx]:
    """``count`` transfers between ``accounts`` with amounts in ``[0, max_amount]`` (above a
    balance they fail with 1), about ``self_share`` of them to the sender itself."""
    txs = []
    for _ in range(count):
        a = rng.choice(accounts)
        b = a if rng.random() < self_share else rng.choice([x for x in accounts if x != a])
        txs.append(transfer(to, a, b, rng.randrange(max_amount + 1)))
    return txs


def readback(to: str, accounts: list[int]) -> list[Tx]:
    """Every balance and the supply, read at the end of a block."""
    return [*(balance_of(to, a) for a in accounts), Tx(to, "total_supply")]


def case(name: str, description: str, code: dict[str, bytes], txs: list[Tx],
         storage: dict[bytes, bytes] | None = None, rules: list[str] | None = None) -> Case:
    """A batch case of this area."""
    return Case(f"batch/{name}", description, RULES + (rules or []), code, storage or {}, ENV,
                txs, kind="batch")


def token_cases() -> list[Case]:
    """Token transfers over 2, 3, 10 and 100 accounts, on the WAT and the C token."""
    token, token_c = contract("token"), contract("token_c")
    cases = []
    for name, wasm, seed in (("token", token, 1), ("token_c", token_c, 2)):
        rng = random.Random(seed)
        pair = [1, 2]
        cases.append(case(
            f"{name}_2_accounts",
            f"{name}: 25 transfers back and forth between two accounts of 500 (every "
            "transaction conflicts with the one before); amounts up to 400, so some fail "
            "with 1 (insufficient funds) depending on the transfers before them",
            {name: wasm}, random_transfers(rng, name, pair, 25, 400) + readback(name, pair),
            funded({1: 500, 2: 500})))
        ten = list(range(10))
        count = 55 if name == "token" else 40
        cases.append(case(
            f"{name}_10_accounts",
            f"{name}: {count} random transfers among 10 accounts of 300 (some contention), "
            "with self-transfers, zero amounts and transfers above the balance",
            {name: wasm}, random_transfers(rng, name, ten, count, 350) + readback(name, ten),
            funded(dict.fromkeys(ten, 300))))
    rng = random.Random(3)
    ring = [1, 2, 3]
    cases.append(case(
        "token_3_accounts_ring",
        "token: 24 transfers around the ring 1 -> 2 -> 3 -> 1 of amounts up to 250 from "
        "balances of 100, 0, 0: whether each succeeds depends on the ones before it",
        {"token": token},
        [transfer("token", ring[i % 3], ring[(i + 1) % 3], rng.randrange(251))
         for i in range(24)] + readback("token", ring),
        funded({1: 100, 2: 0, 3: 0})))
    rng = random.Random(4)
    hundred = list(range(100, 200))
    cases.append(case(
        "token_100_accounts",
        "token: 100 transfers among 100 accounts of 1000 (few conflicts), amounts up to "
        "1200, self-transfers included, then the supply",
        {"token": token},
        [*random_transfers(rng, "token", hundred, 100, 1200, 0.05),
         Tx("token", "total_supply")],
        funded(dict.fromkeys(hundred, 1000))))
    disjoint = list(range(1000, 1100))
    cases.append(case(
        "token_c_100_accounts_disjoint",
        "token_c: 40 transfers between disjoint pairs of 100 accounts of 200 (no two "
        "transactions touch the same key), amounts 0, 7, ..., 273 (the last ones above the "
        "balance), then the supply",
        {"token_c": token_c},
        [transfer("token_c", disjoint[2 * i], disjoint[2 * i + 1], 7 * i) for i in range(40)]
        + [Tx("token_c", "total_supply")],
        funded(dict.fromkeys(disjoint, 200))))
    return cases


def ordering_cases() -> list[Case]:
    """Blocks whose outcomes depend on block order: mints first, funding chains,
    self-transfers, and the two tokens sharing balances."""
    token, token_c = contract("token"), contract("token_c")
    rng = random.Random(5)
    five = [1, 2, 3, 4, 5]
    chain = list(range(1, 9))
    return [
        case("token_mints_first",
             "token: an empty state; the block mints to five accounts first (every mint "
             "writes the supply), then 25 transfers among them and a readback",
             {"token": token},
             [mint("token", a, 100 * a) for a in five]
             + random_transfers(rng, "token", five, 25, 300) + readback("token", five)),
        case("token_funding_chain",
             "token: only account 1 holds funds; 8 -> 1 fails first (insufficient funds), "
             "then 1 -> 2 -> ... -> 8 passes the funds along (each transfer succeeds only "
             "because of the one before it), then 1 -> 2 fails, 8 -> 1 succeeds",
             {"token": token},
             [transfer("token", 8, 1, 1)]
             + [transfer("token", a, a + 1, 64) for a in chain[:-1]]
             + [transfer("token", 1, 2, 1), transfer("token", 8, 1, 64)]
             + readback("token", chain),
             funded({1: 64})),
        case("token_self_and_zero_transfers",
             "token: self-transfers (within and above the balance) and zero amounts, also "
             "from empty accounts (which writes zero balances), among ordinary transfers",
             {"token": token},
             [transfer("token", 1, 1, 50), transfer("token", 1, 2, 30),
              transfer("token", 2, 2, 31), transfer("token", 2, 2, 30),
              transfer("token", 3, 4, 0), transfer("token", 1, 1, 21),
              transfer("token", 1, 1, 20), transfer("token", 4, 3, 0),
              transfer("token", 2, 1, 30), transfer("token", 3, 3, 0),
              transfer("token", 1, 1, 50), *readback("token", [1, 2, 3, 4])],
             funded({1: 50})),
        case("tokens_share_balances",
             "token and token_c have the same storage layout: 24 interleaved mints and "
             "transfers through both contracts act on the same balances and supply",
             {"token": token, "token_c": token_c},
             [mint("token", 1, 100), mint("token_c", 2, 100)]
             + [transfer(rng.choice(["token", "token_c"]), rng.choice(five), rng.choice(five),
                         rng.randrange(120)) for _ in range(20)]
             + [Tx("token", "total_supply"), Tx("token_c", "total_supply")],
             funded({3: 10})),
        case("token_supply_overflow",
             "token: the supply is 2^64 - 10; a mint of 10 returns 2 and changes nothing, a "
             "mint of 9 succeeds, then every further mint returns 2; transfers in between",
             {"token": token},
             [mint("token", 2, 10), transfer("token", 1, 2, 5), mint("token", 2, 9),
              mint("token", 3, 1), transfer("token", 2, 3, 14), Tx("token", "total_supply"),
              *readback("token", [1, 2, 3])],
             funded({1: 2**64 - 10})),
    ]


def failure_cases() -> list[Case]:
    """Transactions that trap, run out of gas or fail before execution in the middle of a
    block: they write nothing (RT-ATOMIC-1), so later transactions see the state without them."""
    token, counter, events = contract("token"), contract("counter"), contract("events")
    start = funded({1: 100, 2: 100, 3: 0})
    short = measure_gas(token, "transfer", [I32(1), I32(2), I64(10)], start, ENV) - 100
    return [
        case("token_out_of_gas_mid_block",
             "token: transfers whose gas limit runs out after the debit is written "
             "(OUT_OF_GAS, the whole limit used, nothing written) and one with a limit of 0, "
             "between transfers of the same accounts",
             {"token": token},
             [transfer("token", 1, 2, 10), transfer("token", 1, 2, 10, gas_limit=short),
              transfer("token", 2, 3, 50), transfer("token", 2, 1, 60, gas_limit=short),
              transfer("token", 3, 1, 50), transfer("token", 1, 3, 1, gas_limit=0),
              transfer("token", 1, 3, 95), transfer("token", 1, 3, 1),
              *readback("token", [1, 2, 3])],
             start, ["RT-ATOMIC-1", "RT-ERR-3"]),
        case("token_trap_mid_block",
             "token: account 9's stored balance is 3 bytes, an impossible state: a transfer "
             "from it traps (UNREACHABLE) at once, a transfer to it traps after debiting the "
             "sender, which is discarded; ordinary transfers of the same sender around them",
             {"token": token},
             [transfer("token", 1, 2, 10), transfer("token", 1, 9, 10, gas_limit=50_000),
              transfer("token", 1, 2, 85), transfer("token", 9, 1, 1, gas_limit=50_000),
              transfer("token", 1, 2, 5), transfer("token", 2, 1, 200),
              *readback("token", [1, 2])],
             {**funded({1: 100, 2: 100}), bal(9): b"\x01\x02\x03"},
             ["RT-ATOMIC-1", "RT-ERR-3"]),
        case("pre_execution_failures",
             "an unknown function (NO_SUCH_FUNCTION) and wrong arguments (BAD_ARGUMENTS) in "
             "the middle of a block of transfers and increments use no gas and write nothing",
             {"token": token, "counter": counter},
             [transfer("token", 1, 2, 10), Tx("token", "burn", [I32(1), I64(5)]),
              Tx("counter", "increment", [I64(1)]), Tx("counter", "increment", [I32(1)]),
              transfer("token", 2, 1, 5), Tx("token", "transfer", [I32(1), I32(2)]),
              Tx("counter", "increment", [I64(2)]), Tx("counter", "get"),
              *readback("token", [1, 2])],
             funded({1: 100, 2: 100}), ["RT-ERR-2"]),
        case("events_and_traps",
             "events: calls emitting 0-9 events, read_short (every one writes the key "
             "'read'), emit_then_trap in the middle (UNREACHABLE: its events discarded) and "
             "counter increments between them",
             {"events": events, "counter": counter},
             [Tx("events", "emit", [I32(3)]), Tx("counter", "increment", [I64(1)]),
              Tx("events", "read_short", [I32(4), I32(2), I32(3)]),
              Tx("events", "emit_then_trap", [I32(5)], 50_000),
              Tx("counter", "increment", [I64(2)]), Tx("events", "emit", [I32(9)]),
              Tx("events", "read_short", [I32(2), I32(1), I32(6)]),
              Tx("events", "emit_then_trap", [I32(1)], 50_000),
              Tx("events", "emit_and_read", [I32(4)]), Tx("events", "emit", [I32(0)]),
              Tx("counter", "increment", [I64(3)]),
              Tx("events", "read_short", [I32(1), I32(0), I32(8)]), Tx("counter", "get")],
             rules=["RT-ATOMIC-1", "RT-CALL-3"]),
    ]


def counter_cases() -> list[Case]:
    """Counter increments: every transaction reads and writes the one key ``counter``."""
    counter = contract("counter")
    rng = random.Random(6)
    txs = []
    for i in range(45):
        if i == 22:
            txs.append(Tx("counter", "reset"))
        elif i % 13 == 12:
            txs.append(Tx("counter", "get"))
        else:
            txs.append(Tx("counter", "increment", [I64(rng.randrange(-50, 100))]))
    return [
        case("counter_increments",
             "counter: 45 transactions on one key -- increments by -50..99 (each emits an "
             "event with the new value), gets, and a reset (a deletion) in the middle",
             {"counter": counter}, [*txs, Tx("counter", "get")]),
        case("counter_wraps",
             "counter: increments around 2^63 - 1 wrap at 64 bits, on one key",
             {"counter": counter},
             [Tx("counter", "increment", [I64(1)]), Tx("counter", "increment", [I64(-1)]),
              Tx("counter", "increment", [I64(2**63 - 1)]), Tx("counter", "get")],
             {b"counter": u64(2**63 - 2)}),
        case("single_transaction",
             "counter: a block of one increment",
             {"counter": counter}, [Tx("counter", "increment", [I64(7)])]),
    ]


def member(i: int) -> bytes:
    """The registry's member key: ``"member/" || id (u32 BE)``."""
    return b"member/" + struct.pack(">I", i & 0xFFFFFFFF)


def scan_cases() -> list[Case]:
    """Scans inside a block (SCHED-MEM-8): registry joins each scan the members before them,
    so every insert and deletion earlier in the block -- a phantom for a scan running
    optimistically beside it -- changes what a later transaction sees and emits."""
    registry, token = contract("registry"), contract("token")
    rng = random.Random(7)
    scan_rules = ["SCHED-MEM-8", "SCHED-TXN-1", "HOST-STORAGE-5"]
    joins = []
    for i in range(30):
        who = rng.randrange(40)
        if i % 7 == 6:
            joins.append(Tx("registry", "leave", [I32(rng.randrange(40))]))
        elif i % 5 == 4:
            joins.append(Tx("registry", "census", [I32(rng.choice([0, 1, 3, 64]))]))
        else:
            joins.append(Tx("registry", "join", [I32(who), I32(rng.choice([2, 5, 64]))]))
    neighbours = {b"member.": b"before the prefix", b"member0": b"after the prefix",
                  member(5): struct.pack("<I", 0), member(17): struct.pack("<I", 99)}
    return [
        case("registry_joins_see_phantoms",
             "registry: 30 joins (each scans \"member/\" with limit 2, 5 or 64, emits what it "
             "saw and inserts its own key), leaves (deletions) and censuses in one block; keys "
             "just outside the prefix are never seen",
             {"registry": registry}, [*joins, Tx("registry", "census", [I32(1024)])],
             neighbours, scan_rules),
        case("registry_limit_hides_later_inserts",
             "registry: a census with limit 1 sees only the lowest member; inserts above it in "
             "the block change nothing it returns, inserts below it do",
             {"registry": registry},
             [Tx("registry", "census", [I32(1)]), Tx("registry", "join", [I32(50), I32(0)]),
              Tx("registry", "census", [I32(1)]), Tx("registry", "join", [I32(1), I32(0)]),
              Tx("registry", "census", [I32(1)]), Tx("registry", "leave", [I32(1)]),
              Tx("registry", "census", [I32(2)])],
             {member(10): struct.pack("<I", 7)}, scan_rules),
        case("registry_deletions_inside_the_limit",
             "registry: members 1-6 in the pre-state; leaves of the lowest members, then "
             "censuses with limit 2 and 3: each deleted member must be replaced by the next one "
             "from the pre-state (a scan asks the store for its limit plus one entry per key "
             "written before it under the prefix)",
             {"registry": registry},
             [Tx("registry", "leave", [I32(1)]), Tx("registry", "census", [I32(2)]),
              Tx("registry", "leave", [I32(2)]), Tx("registry", "leave", [I32(3)]),
              Tx("registry", "census", [I32(2)]), Tx("registry", "join", [I32(2), I32(3)]),
              Tx("registry", "census", [I32(3)])],
             {member(i): struct.pack("<I", i) for i in range(1, 7)}, scan_rules),
        case("registry_beside_token_transfers",
             "registry joins interleaved with token transfers on other keys: scans of "
             "\"member/\" and reads of balances in one block",
             {"registry": registry, "token": token},
             [tx for i in range(12) for tx in (
                 Tx("registry", "join", [I32(100 + i), I32(8)]),
                 transfer("token", i % 3, (i + 1) % 3, 7))]
             + [Tx("registry", "census", [I32(64)]), *readback("token", [0, 1, 2])],
             funded({0: 20, 1: 20, 2: 20}), scan_rules),
    ]


def cases() -> list[Case]:
    """The batch area (CONF-BATCH-*)."""
    return (token_cases() + ordering_cases() + failure_cases() + counter_cases()
            + scan_cases())
