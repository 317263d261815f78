"""The node's steady workload (spec/node.md, NODE-WORK-*): every round, one block of the
routing layer's transactions through a `SuperVM` — fast payments with owned coins, consensus
increments of shared counters, a private payment carrying the shipped snarkjs proof — then
token transfers between accounts as concurrent MVCC transactions, some of which conflict.

Everything a round does is a function of the seed, the round number and the state it reads:
the coins' owners and versions are read back from the state, so a node restarted on its data
directory continues from what it flushed (NODE-RESUME-1). Token transfers conserve the total
supply (NODE-WORK-2), which the crash and restart tests check.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from ..demos.world import coin, counter, increment, mint, object_id, valid_proof
from ..mvcc import MvccStore, TxnConflict
from ..objects import ObjectData
from ..objects.types import AddressOwner
from ..routing import Privacy, SuperVM, VmTransaction
from ..routing.transaction import ObjectOp

#: Fast-path coins (object numbers 1..FAST_COINS), the private coin and the shared counters.
FAST_COINS = 32
PRIVATE_COIN = 1_000_001
COUNTER_BASE, COUNTERS = 2_000_000, 4
#: Token accounts (keys ``token/`` + u16 big endian) and each one's genesis balance.
TOKEN_PREFIX = b"token/"
ACCOUNTS = 64
GENESIS_BALANCE = 1_000
#: The key holding the number of completed rounds (u64 big endian).
ROUND_KEY = b"node/round"


def account_key(n: int) -> bytes:
    """NODE-WORK-2: the key of token account ``n``."""
    return TOKEN_PREFIX + n.to_bytes(2, "big")


def holder(n: int) -> bytes:
    """The address (32 bytes) of holder ``n`` of coins."""
    return b"\xac" + n.to_bytes(31, "big")


@dataclass(frozen=True)
class WorkloadConfig:
    """NODE-WORK-1: per round, ``fast`` payments, ``consensus`` increments, a private payment
    every ``privacy_every`` rounds (0: never) and ``transfers`` concurrent token transfers."""

    fast: int = 8
    consensus: int = 4
    privacy_every: int = 1
    transfers: int = 8
    seed: int = 0


@dataclass(frozen=True)
class RoundResult:
    """What one round did: the block's receipts that succeeded and failed, the token transfers
    committed and aborted."""

    round: int
    block_ok: int
    block_failed: int
    transfers_committed: int
    transfers_aborted: int


def genesis_done(store: MvccStore) -> bool:
    """NODE-RESUME-1: whether the state already holds the genesis (its round key)."""
    return store.read_latest(ROUND_KEY) is not None


def create_genesis(vm: SuperVM, store: MvccStore) -> None:
    """NODE-WORK-1/2: the objects and token accounts of a new node, then round 0 — the round
    key is written last, so a state without it has no complete genesis."""
    for n in range(1, FAST_COINS + 1):
        vm.objects.insert(coin(n, holder(n % ACCOUNTS)))
    vm.objects.insert(coin(PRIVATE_COIN, holder(0)))
    for i in range(COUNTERS):
        vm.objects.insert(counter(COUNTER_BASE + i + 1))
    txn = store.begin()
    for n in range(ACCOUNTS):
        txn.write(account_key(n), GENESIS_BALANCE.to_bytes(8, "big"))
    txn.write(ROUND_KEY, (0).to_bytes(8, "big"))
    txn.commit()


def rounds_done(store: MvccStore) -> int:
    """NODE-RESUME-1: how many rounds the state has completed."""
    raw = store.read_latest(ROUND_KEY)
    return 0 if raw is None else int.from_bytes(raw, "big")


def token_total(store: MvccStore) -> int:
    """NODE-WORK-2: the sum of every token balance (always ``ACCOUNTS * GENESIS_BALANCE``)."""
    return sum(int.from_bytes(store.read_latest(account_key(n)) or b"", "big")
               for n in range(ACCOUNTS))


def _owned(vm: SuperVM, n: int) -> tuple[bytes, int]:
    """The owner and version of coin ``n`` as the state has them."""
    obj = vm.objects.get(object_id(n))
    assert isinstance(obj, ObjectData) and isinstance(obj.owner, AddressOwner)
    return obj.owner.address, obj.version


def _payment(vm: SuperVM, n: int, to: bytes, private: bool) -> VmTransaction:
    """A payment with coin ``n``: its owner mints 1 into it and hands it to ``to``."""
    owner, version = _owned(vm, n)
    paid = mint(owner, n, version, 1, valid_proof() if private else None)
    return replace(paid, ops=[ObjectOp.transfer(0, to)])


def block_of(vm: SuperVM, config: WorkloadConfig, round_: int, rng: random.Random
             ) -> list[tuple[VmTransaction, Privacy]]:
    """NODE-WORK-1: round ``round_``'s block; each fast coin is used at most once per block."""
    items: list[tuple[VmTransaction, Privacy]] = []
    coins = rng.sample(range(1, FAST_COINS + 1), min(config.fast, FAST_COINS))
    for n in coins:
        items.append((_payment(vm, n, holder(rng.randrange(ACCOUNTS)), False), Privacy.Public))
    for _ in range(config.consensus):
        n = COUNTER_BASE + rng.randrange(COUNTERS) + 1
        items.append((increment(holder(rng.randrange(ACCOUNTS)), n), Privacy.Public))
    if config.privacy_every and round_ % config.privacy_every == 0:
        to = holder(rng.randrange(ACCOUNTS))
        items.append((_payment(vm, PRIVATE_COIN, to, True), Privacy.Private))
    rng.shuffle(items)
    return items


def transfer_tokens(store: MvccStore, config: WorkloadConfig, rng: random.Random
                    ) -> tuple[int, int]:
    """NODE-WORK-2: ``config.transfers`` transfers begun together (one snapshot each) and
    committed one after the other, so those that touched an account an earlier one changed
    abort (MVCC-COMMIT-3). Returns (committed, aborted)."""
    txns = []
    for _ in range(config.transfers):
        a, b = rng.sample(range(ACCOUNTS), 2)
        txn = store.begin()
        balance_a = int.from_bytes(txn.read(account_key(a)) or b"", "big")
        balance_b = int.from_bytes(txn.read(account_key(b)) or b"", "big")
        amount = rng.randrange(0, min(balance_a, 50) + 1)
        txn.write(account_key(a), (balance_a - amount).to_bytes(8, "big"))
        txn.write(account_key(b), (balance_b + amount).to_bytes(8, "big"))
        txns.append(txn)
    committed = aborted = 0
    for txn in txns:
        try:
            txn.commit()
            committed += 1
        except TxnConflict:
            aborted += 1
    return committed, aborted


def run_round(vm: SuperVM, store: MvccStore, config: WorkloadConfig) -> RoundResult:
    """NODE-WORK-1/2, NODE-RESUME-1: the next round: the block, the token transfers, then the
    round counter, each its own transaction."""
    round_ = rounds_done(store) + 1
    rng = random.Random(config.seed * 2**32 + round_)
    receipts = vm.execute_block(block_of(vm, config, round_, rng))
    committed, aborted = transfer_tokens(store, config, rng)
    txn = store.begin()
    txn.write(ROUND_KEY, round_.to_bytes(8, "big"))
    txn.commit()
    ok = sum(r.success for r in receipts)
    return RoundResult(round_, ok, len(receipts) - ok, committed, aborted)
