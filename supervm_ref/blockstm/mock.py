"""Mock transactions for the property tests and the benchmark (spec/scheduling.md,
SCHED-MOCK-*), in the spirit of the mock transactions of Aptos' block-executor proptests.

- `p2p_transfer`: read both balances, fail if the sender cannot pay, write both balances.
- `MockProgram`: a small program over a universe of keys whose keys may depend on the values
  read so far (so its read and write sets change between incarnations), which scans prefixes,
  writes values derived from what it read, deletes keys and fails when a value it read says
  so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import SuperVMError
from .transaction import Key, MaybeValue, Transaction, TxnView

BALANCE_BYTES = 8
MASK32 = 0xFFFF_FFFF


class InsufficientBalance(SuperVMError):
    """A p2p transfer whose sender holds less than the amount (SCHED-MOCK-1)."""


class MockFailure(SuperVMError):
    """A `MockProgram` that failed on purpose (SCHED-MOCK-2)."""


def encode_balance(amount: int) -> bytes:
    """A balance as 8 big-endian bytes (SCHED-MOCK-1)."""
    return amount.to_bytes(BALANCE_BYTES, "big")


def decode_balance(value: MaybeValue) -> int:
    """The balance stored in ``value``; an absent account holds 0 (SCHED-MOCK-1)."""
    return 0 if value is None else int.from_bytes(value, "big")


def account_key(index: int) -> Key:
    """The storage key of account ``index``."""
    return b"balance/%06d" % index


def p2p_transfer(sender: Key, receiver: Key, amount: int, gas: int) -> Transaction:
    """SCHED-MOCK-1: move ``amount`` from ``sender`` to ``receiver``; output the sender's new
    balance. Reads both balances, then writes both; fails (no writes) if the sender holds less
    than ``amount``."""

    def body(view: TxnView) -> int:
        sender_balance = decode_balance(view.read(sender))
        receiver_balance = decode_balance(view.read(receiver))
        if sender_balance < amount:
            raise InsufficientBalance(f"{sender!r} holds {sender_balance}, needs {amount}")
        view.write(sender, encode_balance(sender_balance - amount))
        view.write(receiver, encode_balance(receiver_balance + amount))
        return sender_balance - amount

    return Transaction(body, gas, f"transfer {amount} {sender!r} -> {receiver!r}")


@dataclass(frozen=True)
class MockOp:
    """One operation of a `MockProgram` (SCHED-MOCK-2). ``kind`` is ``read``, ``scan``,
    ``write``, ``delete`` or ``fail``. The key is ``universe[slot]``, or, when ``dynamic``,
    ``universe[(slot + acc) % len(universe)]`` where ``acc`` digests the values read so far.
    ``salt`` enters written values; a ``scan`` scans the key's first ``1 + salt % len(key)``
    bytes for up to ``salt % 5`` entries; a ``fail`` op fails when ``acc % salt == 0``."""

    kind: str
    slot: int
    dynamic: bool = False
    salt: int = 1


def _mix(acc: int, value: MaybeValue) -> int:
    """Fold a read value into the accumulator (absent values count too)."""
    number = 7 if value is None else int.from_bytes(value[:4], "big") + len(value)
    return (acc * 31 + number) & MASK32


@dataclass(frozen=True)
class MockProgram:
    """SCHED-MOCK-2: a transaction as a list of `MockOp` over ``universe``; outputs the final
    accumulator. Deterministic: a function of the values it reads."""

    universe: tuple[Key, ...]
    ops: tuple[MockOp, ...]
    seed: int = 0
    gas: int = 1

    def key(self, op: MockOp, acc: int) -> Key:
        """The key ``op`` addresses given the accumulator."""
        offset = acc if op.dynamic else 0
        return self.universe[(op.slot + offset) % len(self.universe)]

    def __call__(self, view: TxnView) -> int:
        """Run the program on ``view``."""
        acc = self.seed & MASK32
        for op in self.ops:
            key = self.key(op, acc)
            if op.kind == "read":
                acc = _mix(acc, view.read(key))
            elif op.kind == "scan":
                prefix = key[:1 + op.salt % len(key)]
                for found, value in view.scan(prefix, op.salt % 5):
                    acc = _mix(acc, found + value)
            elif op.kind == "write":
                view.write(key, ((acc ^ op.salt) & MASK32).to_bytes(4, "big"))
            elif op.kind == "delete":
                view.delete(key)
            elif op.kind == "fail" and acc % max(op.salt, 1) == 0:
                raise MockFailure(f"accumulator {acc} divisible by {op.salt}")
        return acc

    def transaction(self) -> Transaction:
        """This program as a `Transaction` with its gas."""
        return Transaction(self, self.gas, "mock program")


def universe_of(size: int) -> tuple[Key, ...]:
    """``size`` keys ``k0``, ``k1``, ... (SCHED-MOCK-2)."""
    return tuple(b"k%d" % i for i in range(size))


def programs_as_transactions(programs: Sequence[MockProgram]) -> list[Transaction]:
    """The programs as transactions, in order."""
    return [p.transaction() for p in programs]
