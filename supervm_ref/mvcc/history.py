"""Committed histories, their dependency graph, and the serial replay (spec/mvcc.md,
MVCC-HIST-*).

A store created with ``MvccStore(history=History())`` records every committed transaction:
its snapshot, its commit timestamp (None when read-only) and the operations it ran, with the
values its reads returned. From that record alone an auditor can

- build Adya's direct serialization graph (`dependency_graph`): write-write, write-read and
  read-write (anti-dependency) edges between committed transactions, item and predicate ones,
  and look for a cycle (`DependencyGraph.find_cycle`); a cycle is a non-serializable history;
- re-execute the committed transactions one at a time in the order the store claims
  (`serial_order`) and compare every value they read (`serial_replay`).

The store starts empty: the *initial version* of every key is "absent", written by no
transaction, so no edge starts from it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from sortedcontainers import SortedDict

from ..runtime.storage import prefix_end
from .errors import InvalidInput


@dataclass(frozen=True)
class ReadOp:
    """A ``Txn.read`` and the value it returned (None: absent)."""

    key: bytes
    value: bytes | None


@dataclass(frozen=True)
class WriteOp:
    """A ``Txn.write`` (``value`` bytes) or ``Txn.delete`` (``value`` None)."""

    key: bytes
    value: bytes | None


@dataclass(frozen=True)
class ScanOp:
    """A ``Txn.scan`` (a predicate read) and the entries it returned."""

    prefix: bytes
    limit: int
    items: tuple[tuple[bytes, bytes], ...]


Op = ReadOp | WriteOp | ScanOp


@dataclass(frozen=True)
class CommittedTxn:
    """One committed transaction as the history records it (MVCC-HIST-1)."""

    txn_id: int
    start_ts: int
    commit_ts: int | None  # None: read-only, nothing installed (MVCC-COMMIT-5)
    ops: tuple[Op, ...]

    @property
    def is_read_only(self) -> bool:
        """No writes were installed."""
        return self.commit_ts is None

    @property
    def position(self) -> tuple[int, int, int]:
        """MVCC-SER-1: the place of this transaction in the serial order: an update
        transaction at its commit timestamp, a read-only one right after the update that
        committed at its start timestamp (ties between read-only ones by id)."""
        if self.commit_ts is not None:
            return (self.commit_ts, 0, self.txn_id)
        return (self.start_ts, 1, self.txn_id)

    def writes(self) -> dict[bytes, bytes | None]:
        """The installed writes: the last write of each key (None: a deletion)."""
        out: dict[bytes, bytes | None] = {}
        for op in self.ops:
            if isinstance(op, WriteOp):
                out[op.key] = op.value
        return out

    def snapshot_reads(self) -> list[bytes]:
        """Keys read from the snapshot: read before the transaction wrote them itself."""
        written: set[bytes] = set()
        keys: list[bytes] = []
        for op in self.ops:
            if isinstance(op, WriteOp):
                written.add(op.key)
            elif isinstance(op, ReadOp) and op.key not in written and op.key not in keys:
                keys.append(op.key)
        return keys

    def prefixes(self) -> list[bytes]:
        """The scanned prefixes (predicate reads), in first-scan order, without repeats."""
        out: list[bytes] = []
        for op in self.ops:
            if isinstance(op, ScanOp) and op.prefix not in out:
                out.append(op.prefix)
        return out


@dataclass
class History:
    """The committed transactions of a store, in the order they committed (MVCC-HIST-1)."""

    committed: list[CommittedTxn] = field(default_factory=list)

    def __post_init__(self) -> None:
        """MVCC-ERR-1: ``committed`` must be a list of `CommittedTxn` (`InvalidInput`)."""
        if not isinstance(self.committed, list) or not all(
                isinstance(t, CommittedTxn) for t in self.committed):
            raise InvalidInput("History.committed", "a list of CommittedTxn", self.committed)

    def record(self, txn: CommittedTxn) -> None:
        """MVCC-HIST-1: append a transaction at the moment it commits (under the store
        lock); anything but a `CommittedTxn` is `InvalidInput` (MVCC-ERR-1)."""
        if not isinstance(txn, CommittedTxn):
            raise InvalidInput("History.record txn", "a CommittedTxn", txn)
        self.committed.append(txn)

    def serial_order(self) -> list[CommittedTxn]:
        """MVCC-SER-1: the committed transactions in the serial order the store claims."""
        return sorted(self.committed, key=lambda t: t.position)

    def __len__(self) -> int:
        return len(self.committed)

    def __iter__(self) -> Iterator[CommittedTxn]:
        return iter(self.committed)


# ---------------------------------------------------------------------------------------------
# The dependency graph


class EdgeKind(StrEnum):
    """Adya's direct dependencies between committed transactions (MVCC-HIST-2)."""

    WW = "ww"  # the target installs the next version after the source's
    WR = "wr"  # the target read a version the source installed
    RW = "rw"  # the target installs the next version after one the source read


@dataclass(frozen=True, order=True)
class Edge:
    """A dependency ``src -> dst`` on ``key``; ``predicate`` when it comes from a scan."""

    src: int
    dst: int
    kind: EdgeKind
    key: bytes
    predicate: bool = False


@dataclass
class DependencyGraph:
    """The direct serialization graph of a history: nodes are txn ids (MVCC-HIST-2)."""

    nodes: list[int]
    edges: list[Edge]

    def successors(self, node: int) -> list[Edge]:
        """The edges leaving ``node``, sorted."""
        return sorted(e for e in self.edges if e.src == node)

    def find_cycle(self) -> list[Edge] | None:
        """MVCC-HIST-2: a cycle of edges (deterministic: the first a depth-first search in id
        order meets), or None when the graph is acyclic."""
        out: dict[int, list[Edge]] = {n: [] for n in self.nodes}
        for e in sorted(self.edges):
            out.setdefault(e.src, []).append(e)
        on_path, done = 1, 2
        state: dict[int, int] = {}
        for root in sorted(out):
            if root in state:
                continue
            state[root] = on_path
            path: list[Edge] = []  # the edges from root to the node being explored
            stack: list[Iterator[Edge]] = [iter(out[root])]  # one per node on the path
            while stack:
                edge = next(stack[-1], None)
                if edge is None:  # every successor explored: leave the node
                    stack.pop()
                    state[path.pop().dst if path else root] = done
                    continue
                if state.get(edge.dst) == on_path:  # back to a node on the path: a cycle
                    starts = [i for i, e in enumerate(path) if e.src == edge.dst]
                    return [*path[starts[0]:], edge] if starts else [edge]
                if edge.dst not in state:
                    state[edge.dst] = on_path
                    path.append(edge)
                    stack.append(iter(out.get(edge.dst, [])))
        return None


class _VersionOrder:
    """Each key's installed versions in commit order: (commit_ts, txn id)."""

    def __init__(self, history: History) -> None:
        self.by_key: SortedDict = SortedDict()  # key -> list[(commit_ts, txn_id)]
        for txn in sorted(history.committed, key=lambda t: t.position):
            if txn.commit_ts is None:
                continue
            for key in txn.writes():
                self.by_key.setdefault(key, []).append((txn.commit_ts, txn.txn_id))

    def observed(self, key: bytes, ts: int) -> int:
        """The index of the version a snapshot at ``ts`` sees (-1: the initial version)."""
        stamps = [c for c, _ in self.by_key.get(key, [])]
        return bisect_right(stamps, ts) - 1

    def keys_with_prefix(self, prefix: bytes) -> list[bytes]:
        """Every key ever written that starts with ``prefix``, ascending."""
        return list(self.by_key.irange(minimum=prefix, maximum=prefix_end(prefix),
                                       inclusive=(True, False)))


def _require_history(history: object, argument: str) -> None:
    """MVCC-ERR-1: ``history`` must be a `History` whose entries are all `CommittedTxn`s."""
    if not isinstance(history, History):
        raise InvalidInput(argument, "a History", history)
    if not isinstance(history.committed, list) or not all(
            isinstance(t, CommittedTxn) for t in history.committed):
        raise InvalidInput(f"{argument}.committed", "a list of CommittedTxn",
                           history.committed)


def dependency_graph(history: History) -> DependencyGraph:
    """MVCC-HIST-2: Adya's direct serialization graph of the committed transactions.

    For a transaction T with snapshot s:
    - each key T read from its snapshot: ``wr`` from the writer of the version visible at s,
      ``rw`` to the writer of the next version of that key;
    - each scanned prefix: the same two edges for *every* key with that prefix, flagged
      ``predicate`` (a scan depends on the whole prefix, MVCC-SCAN-2);
    - each key T installed: ``ww`` from the writer of the previous version.
    Edges from the initial version and edges from a transaction to itself are left out.
    ``history`` not a `History` is `InvalidInput` (MVCC-ERR-1).
    """
    _require_history(history, "dependency_graph history")
    order = _VersionOrder(history)
    edges: set[Edge] = set()

    def read_edges(txn: CommittedTxn, key: bytes, predicate: bool) -> None:
        versions = order.by_key.get(key, [])
        i = order.observed(key, txn.start_ts)
        if i >= 0 and versions[i][1] != txn.txn_id:
            edges.add(Edge(versions[i][1], txn.txn_id, EdgeKind.WR, key, predicate))
        if i + 1 < len(versions) and versions[i + 1][1] != txn.txn_id:
            edges.add(Edge(txn.txn_id, versions[i + 1][1], EdgeKind.RW, key, predicate))

    for txn in history.committed:
        for key in txn.snapshot_reads():
            read_edges(txn, key, predicate=False)
        for prefix in txn.prefixes():
            for key in order.keys_with_prefix(prefix):
                read_edges(txn, key, predicate=True)
        if txn.commit_ts is not None:
            for key in txn.writes():
                versions = order.by_key[key]
                j = versions.index((txn.commit_ts, txn.txn_id))
                if j > 0:
                    edges.add(Edge(versions[j - 1][1], txn.txn_id, EdgeKind.WW, key))
    return DependencyGraph(nodes=sorted(t.txn_id for t in history.committed),
                           edges=sorted(edges))


# ---------------------------------------------------------------------------------------------
# The serial replay


@dataclass(frozen=True)
class ReadMismatch:
    """A read whose value differs from what the serial execution gives at its position."""

    txn_id: int
    op_index: int
    expected: object
    found: object


@dataclass
class SerialReplay:
    """The outcome of `serial_replay`: the final state and every mismatching read."""

    final_state: dict[bytes, bytes]
    mismatches: list[ReadMismatch]


def serial_replay(history: History) -> SerialReplay:
    """MVCC-SER-1 / MVCC-HIST-3: run the committed transactions one at a time in
    `History.serial_order`, from an empty state, each seeing its own earlier writes; compare
    every read and scan with the value it returned in the real (concurrent) execution.
    ``history`` not a `History` is `InvalidInput` (MVCC-ERR-1)."""
    _require_history(history, "serial_replay history")
    state: SortedDict = SortedDict()
    mismatches: list[ReadMismatch] = []
    for txn in history.serial_order():
        own: dict[bytes, bytes | None] = {}
        for index, op in enumerate(txn.ops):
            if isinstance(op, WriteOp):
                own[op.key] = op.value
            elif isinstance(op, ReadOp):
                expected = own[op.key] if op.key in own else state.get(op.key)
                if expected != op.value:
                    mismatches.append(ReadMismatch(txn.txn_id, index, expected, op.value))
            else:
                merged = dict(state.items()[state.bisect_left(op.prefix):
                                            _bisect_end(state, op.prefix)])
                merged.update({k: v for k, v in own.items() if k.startswith(op.prefix)})
                live = sorted((k, v) for k, v in merged.items() if v is not None)
                expected_items = tuple(live[:max(op.limit, 0)])
                if expected_items != op.items:
                    mismatches.append(ReadMismatch(txn.txn_id, index, expected_items, op.items))
        for key, value in own.items():
            if value is None:
                state.pop(key, None)
            else:
                state[key] = value
    return SerialReplay(final_state=dict(state.items()), mismatches=mismatches)


def _bisect_end(state: SortedDict, prefix: bytes) -> int:
    end = prefix_end(prefix)
    return len(state) if end is None else int(state.bisect_left(end))
