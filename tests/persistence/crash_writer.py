"""The writer the crash test kills (tests/persistence/test_crash.py): token transfers committed
one by one and flushed often, with a checkpoint now and then, resuming from the database at
every start. Run as ``python crash_writer.py DB CHECKPOINTS SEED``.

Everything it commits is a function of the commit timestamp alone (`transfer_at`), so the
state after any complete flush at flush point ``t`` is `states_at(seed, [t])[t]`, whatever was
killed when.
"""

from __future__ import annotations

import random
import sys

ACCOUNTS = 32
BALANCE = 1_000


def key(n: int) -> bytes:
    """Account ``n``'s key."""
    return b"acct/" + n.to_bytes(2, "big")


def transfer_at(seed: int, ts: int) -> tuple[int, int, int]:
    """The transfer committed at timestamp ``ts`` (>= 2; 1 is the genesis): (from, to, amount
    wanted; the payer pays at most what it has)."""
    rng = random.Random(seed * 2**32 + ts)
    a, b = rng.sample(range(ACCOUNTS), 2)
    return a, b, rng.randrange(1, 200)


def flush_gap(seed: int, ts: int) -> int:
    """How many commits after the flush at ``ts`` the writer flushes again (1 to 40)."""
    return random.Random(seed * 2**32 + ts + 2**31).randrange(1, 41)


def states_at(seed: int, points: list[int]) -> dict[int, dict[bytes, bytes]]:
    """The state after the commit at each timestamp of ``points`` (0: empty, 1: the genesis),
    replayed once from the genesis."""
    out: dict[int, dict[bytes, bytes]] = {}
    balances = [BALANCE] * ACCOUNTS
    ts = 1
    for point in sorted(set(points)):
        while ts < point:
            ts += 1
            a, b, want = transfer_at(seed, ts)
            paid = min(want, balances[a])
            balances[a] -= paid
            balances[b] += paid
        out[point] = {} if point == 0 else {key(n): v.to_bytes(8, "big")
                                            for n, v in enumerate(balances)}
    return out


def main(db_path: str, checkpoints: str, seed: int) -> None:
    """Commit, flush, checkpoint, forever (until killed)."""
    from supervm_ref.mvcc import MvccStore
    from supervm_ref.persistence import RocksDBStorage, create_checkpoint_at

    db = RocksDBStorage(db_path)
    store = MvccStore.open(db)
    if store.last_commit_ts() == 0:
        txn = store.begin()
        for n in range(ACCOUNTS):
            txn.write(key(n), BALANCE.to_bytes(8, "big"))
        txn.commit()
        store.flush_to_storage(db)
    print("ready", store.flush_point(), flush=True)
    flushes = 0
    next_flush = store.last_commit_ts() + flush_gap(seed, store.last_commit_ts())
    while True:
        ts = store.last_commit_ts() + 1
        a, b, want = transfer_at(seed, ts)
        txn = store.begin()
        have_a = int.from_bytes(txn.read(key(a)) or b"", "big")
        have_b = int.from_bytes(txn.read(key(b)) or b"", "big")
        paid = min(want, have_a)
        txn.write(key(a), (have_a - paid).to_bytes(8, "big"))
        txn.write(key(b), (have_b + paid).to_bytes(8, "big"))
        assert txn.commit() == ts
        if ts >= next_flush:
            store.flush_to_storage(db)
            flushes += 1
            next_flush = ts + flush_gap(seed, ts)
            if flushes % 20 == 0:
                create_checkpoint_at(db, checkpoints)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
