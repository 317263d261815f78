"""Read/write sets, conflicts, the dependency graph and parallel batches: the seed's
``ReadWriteSet``, ``DependencyGraph`` and ``ConflictDetector`` (spec/scheduling.md, PAR-RW-*,
PAR-DEP-*, PAR-BATCH-1/2).

Transactions of a block have a *block order*. Two transactions conflict when one writes a key
the other reads or writes; the later one then depends on the earlier one. Transactions that do
not conflict commute, so they can run in parallel: `ConflictDetector.parallel_batches` groups
the block into batches that run one after another, the transactions of a batch in parallel.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from .errors import InvalidInput, ParallelErrorKind
from .validate import require_bytes, require_tx_id

#: The seed's ``TxId`` (a u64).
TxId = int


class ConflictKind(StrEnum):
    """PAR-RW-2: how a later transaction conflicts with an earlier one."""

    RAW = "RAW"  # read-after-write: the later one reads what the earlier one writes
    WAR = "WAR"  # write-after-read: the later one writes what the earlier one reads
    WAW = "WAW"  # write-after-write: both write the same key


class ReadWriteSet:
    """PAR-RW-1: the keys a transaction read and wrote, and the key prefixes it scanned.

    A scan of prefix ``p`` reads every key starting with ``p``, including keys that did not
    exist yet, so it is kept as a prefix rather than as the keys it returned."""

    __slots__ = ("read_prefixes", "reads", "writes")

    def __init__(self, reads: Iterable[bytes] = (), writes: Iterable[bytes] = (),
                 read_prefixes: Iterable[bytes] = ()) -> None:
        self.reads: set[bytes] = set()
        self.writes: set[bytes] = set()
        self.read_prefixes: set[bytes] = set()
        self.reads.update(require_bytes(k, "read key") for k in _iterable(reads, "reads"))
        self.writes.update(require_bytes(k, "written key") for k in _iterable(writes, "writes"))
        self.read_prefixes.update(require_bytes(p, "scanned prefix")
                                  for p in _iterable(read_prefixes, "read_prefixes"))

    def add_read(self, key: bytes) -> None:
        """PAR-RW-1: record a read of ``key``."""
        self.reads.add(require_bytes(key, "read key"))

    def add_write(self, key: bytes) -> None:
        """PAR-RW-1: record a write (set or delete) of ``key``."""
        self.writes.add(require_bytes(key, "written key"))

    def add_scan(self, prefix: bytes) -> None:
        """PAR-RW-1: record a scan of every key starting with ``prefix``."""
        self.read_prefixes.add(require_bytes(prefix, "scanned prefix"))

    def reads_key(self, key: bytes) -> bool:
        """PAR-RW-1: whether this transaction read ``key``, directly or by a scan."""
        return key in self.reads or any(key.startswith(p) for p in self.read_prefixes)

    def conflicts_with(self, other: ReadWriteSet) -> bool:
        """PAR-RW-2: whether the two transactions conflict, in either order (symmetric);
        ``other`` not a `ReadWriteSet` is INVALID_ARGUMENT (PAR-ERR-1)."""
        _require_rw_set(other, "other")
        return bool(conflict_keys(self, other))

    def copy(self) -> ReadWriteSet:
        """An independent copy."""
        return ReadWriteSet(self.reads, self.writes, self.read_prefixes)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ReadWriteSet):
            return NotImplemented
        return (self.reads, self.writes, self.read_prefixes) == (
            other.reads, other.writes, other.read_prefixes)

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return (f"ReadWriteSet(reads={sorted(self.reads)}, writes={sorted(self.writes)}, "
                f"read_prefixes={sorted(self.read_prefixes)})")


def _iterable(values: object, what: str) -> Iterable[object]:
    if not isinstance(values, Iterable) or isinstance(values, bytes | bytearray | str):
        raise InvalidInput(ParallelErrorKind.INVALID_ARGUMENT,
                           f"{what} must be a collection of bytes, got {type(values).__name__}")
    return values


def _require_rw_set(value: object, what: str) -> None:
    """PAR-ERR-1: ``value`` must be a `ReadWriteSet`."""
    if not isinstance(value, ReadWriteSet):
        raise InvalidInput(ParallelErrorKind.INVALID_ARGUMENT,
                           f"{what} must be a ReadWriteSet, got {type(value).__name__}")


def _written_keys_read_by(reader: ReadWriteSet, writer: ReadWriteSet) -> set[bytes]:
    """The keys ``writer`` writes that ``reader`` reads (directly or by a scan)."""
    return {key for key in writer.writes if reader.reads_key(key)}


def conflict_keys(earlier: ReadWriteSet, later: ReadWriteSet
                  ) -> dict[ConflictKind, frozenset[bytes]]:
    """PAR-RW-2: the conflicts of ``later`` with ``earlier`` (block order), each kind with
    the keys causing it; empty when they do not conflict.

    RAW: ``later`` reads a key ``earlier`` writes; WAR: ``later`` writes a key ``earlier``
    reads; WAW: both write a key. Reads are direct reads or scans (PAR-RW-1). Anything
    but two `ReadWriteSet`s is INVALID_ARGUMENT (PAR-ERR-1)."""
    _require_rw_set(earlier, "earlier")
    _require_rw_set(later, "later")
    found = {
        ConflictKind.RAW: frozenset(_written_keys_read_by(later, earlier)),
        ConflictKind.WAR: frozenset(_written_keys_read_by(earlier, later)),
        ConflictKind.WAW: frozenset(earlier.writes & later.writes),
    }
    return {kind: keys for kind, keys in found.items() if keys}


@dataclass(frozen=True, slots=True)
class Conflict:
    """PAR-RW-2: ``later`` conflicts with ``earlier`` (in block order); ``kinds`` maps each
    kind of conflict to the keys causing it (sorted)."""

    earlier: TxId
    later: TxId
    kinds: tuple[tuple[ConflictKind, tuple[bytes, ...]], ...]

    def describe(self) -> str:
        """``TX1 -> TX3 (RAW on alice_balance)``, keys shown as text where printable."""
        parts = [f"{kind.value} on {', '.join(_show(k) for k in keys)}"
                 for kind, keys in self.kinds]
        return f"TX{self.earlier} -> TX{self.later} ({'; '.join(parts)})"


def _show(key: bytes) -> str:
    text = key.decode("ascii", errors="replace")
    return text if text.isprintable() and "\ufffd" not in text else "0x" + key.hex()


class DependencyGraph:
    """The seed's ``DependencyGraph``: for each transaction, the transactions it depends on
    (PAR-DEP-1)."""

    def __init__(self) -> None:
        self._dependencies: dict[TxId, list[TxId]] = {}

    def add_dependency(self, tx_id: TxId, depends_on: TxId) -> None:
        """PAR-DEP-1: ``tx_id`` must run after ``depends_on``. Adding an edge twice has no
        effect; a transaction cannot depend on itself (INVALID_ARGUMENT)."""
        tx_id = require_tx_id(tx_id)
        depends_on = require_tx_id(depends_on)
        if tx_id == depends_on:
            raise InvalidInput(ParallelErrorKind.INVALID_ARGUMENT,
                               f"transaction {tx_id} cannot depend on itself")
        deps = self._dependencies.setdefault(tx_id, [])
        if depends_on not in deps:
            deps.append(depends_on)

    def get_dependencies(self, tx_id: TxId) -> list[TxId]:
        """PAR-DEP-1: the transactions ``tx_id`` depends on, in the order added (block order
        for a graph built by `ConflictDetector`); empty when none."""
        return list(self._dependencies.get(require_tx_id(tx_id), ()))

    def edges(self) -> list[tuple[TxId, TxId]]:
        """Every (depends_on, tx_id) edge, grouped by ``tx_id`` in the order first added."""
        return [(dep, tx) for tx, deps in self._dependencies.items() for dep in deps]

    def get_ready_transactions(self, all_txs: Sequence[TxId], completed: Iterable[TxId]
                               ) -> list[TxId]:
        """PAR-DEP-2: the transactions of ``all_txs`` (in that order) not completed whose
        dependencies are all completed."""
        done = {require_tx_id(t) for t in _iterable(completed, "completed")}
        order = [require_tx_id(t) for t in _iterable(all_txs, "all_txs")]
        return [tx for tx in order
                if tx not in done and all(d in done for d in self._dependencies.get(tx, ()))]

    def levels(self, tx_order: Sequence[TxId]) -> list[list[TxId]]:
        """PAR-BATCH-1: the batches of ``tx_order``: batch 0 holds the transactions with no
        dependency, batch k+1 those whose dependencies are all in batches 0..k and one in
        batch k; each batch in ``tx_order`` order.

        UNKNOWN_TX if a transaction depends on one not in ``tx_order``; DEPENDENCY_CYCLE if
        the dependencies form a cycle (impossible for a graph built by `ConflictDetector`)."""
        order = block_order(tx_order)
        members = set(order)
        for tx in order:
            for dep in self._dependencies.get(tx, ()):
                if dep not in members:
                    raise InvalidInput(ParallelErrorKind.UNKNOWN_TX,
                                       f"transaction {tx} depends on {dep}, which is not in "
                                       f"the block")
        batches: list[list[TxId]] = []
        placed: set[TxId] = set()
        remaining = order
        while remaining:
            batch = [tx for tx in remaining
                     if all(d in placed for d in self._dependencies.get(tx, ()))]
            if not batch:
                raise InvalidInput(ParallelErrorKind.DEPENDENCY_CYCLE,
                                   f"the dependencies of {remaining} form a cycle")
            batches.append(batch)
            placed.update(batch)
            remaining = [tx for tx in remaining if tx not in placed]
        return batches


def block_order(tx_order: object) -> list[TxId]:
    """PAR-DEP-3: a validated block order: transaction ids, each at most once
    (DUPLICATE_TX)."""
    order = [require_tx_id(t) for t in _iterable(tx_order, "tx_order")]
    seen: set[TxId] = set()
    for tx in order:
        if tx in seen:
            raise InvalidInput(ParallelErrorKind.DUPLICATE_TX,
                               f"transaction {tx} appears twice in the block order")
        seen.add(tx)
    return order


class ConflictDetector:
    """The seed's ``ConflictDetector``: records each transaction's read/write set and derives
    conflicts, the dependency graph and parallel batches (PAR-DEP-3)."""

    def __init__(self) -> None:
        self._analyzed: dict[TxId, ReadWriteSet] = {}

    def record(self, tx_id: TxId, rw_set: ReadWriteSet) -> None:
        """PAR-DEP-3: record (a copy of) the read/write set of ``tx_id``, replacing any
        earlier record (a re-executed transaction)."""
        tx_id = require_tx_id(tx_id)
        if not isinstance(rw_set, ReadWriteSet):
            raise InvalidInput(ParallelErrorKind.INVALID_ARGUMENT,
                               f"rw_set must be a ReadWriteSet, got {type(rw_set).__name__}")
        self._analyzed[tx_id] = rw_set.copy()

    def get_rw_set(self, tx_id: TxId) -> ReadWriteSet:
        """PAR-DEP-3: a copy of the recorded set; UNKNOWN_TX if never recorded."""
        return self._recorded(require_tx_id(tx_id)).copy()

    def _recorded(self, tx_id: TxId) -> ReadWriteSet:
        rw = self._analyzed.get(tx_id)
        if rw is None:
            raise InvalidInput(ParallelErrorKind.UNKNOWN_TX,
                               f"no read/write set recorded for transaction {tx_id}")
        return rw

    def has_conflict(self, tx1: TxId, tx2: TxId) -> bool:
        """PAR-RW-2 for two recorded transactions (UNKNOWN_TX if either is not recorded)."""
        rw1 = self._recorded(require_tx_id(tx1))
        rw2 = self._recorded(require_tx_id(tx2))
        return rw1.conflicts_with(rw2)

    def find_conflicts(self, tx_order: Sequence[TxId]) -> list[Conflict]:
        """PAR-DEP-3: every conflicting pair of ``tx_order`` (each transaction recorded, at
        most once), ordered by the later one's position, then the earlier one's."""
        order = block_order(tx_order)
        sets = [self._recorded(tx) for tx in order]
        out: list[Conflict] = []
        for i, later in enumerate(order):
            for j in range(i):
                found = conflict_keys(sets[j], sets[i])
                if found:
                    kinds = tuple((kind, tuple(sorted(keys))) for kind, keys in found.items())
                    out.append(Conflict(order[j], later, kinds))
        return out

    def build_dependency_graph(self, tx_order: Sequence[TxId]) -> DependencyGraph:
        """PAR-DEP-1/3: each transaction depends on every earlier transaction of ``tx_order``
        it conflicts with (not only the nearest), listed in block order."""
        graph = DependencyGraph()
        for conflict in self.find_conflicts(tx_order):
            graph.add_dependency(conflict.later, conflict.earlier)
        return graph

    def parallel_batches(self, tx_order: Sequence[TxId]) -> list[list[TxId]]:
        """PAR-BATCH-1/2: the batches of ``tx_order`` (see `DependencyGraph.levels`): no two
        transactions of a batch conflict, and every transaction comes after all those it
        depends on."""
        return self.build_dependency_graph(tx_order).levels(tx_order)
