"""State snapshots and rollback: the seed's ``StateManager`` (spec/scheduling.md, PAR-SNAP-*).

The managed state is a key-value storage (a `MemoryStorage`, so contracts can run on it) and
the list of events emitted so far. A *snapshot* is a full copy of both; snapshots form a stack,
so they nest: `rollback` restores the most recent one, `commit` forgets it.

Readability over speed: a snapshot copies the whole state, as the seed's did; an undo log would
be faster and is not needed to state the semantics.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..errors import shown
from ..runtime.storage import MemoryStorage
from .errors import InvalidInput, ParallelErrorKind, SnapshotError
from .validate import require_bytes, require_int


@dataclass(frozen=True, slots=True)
class StorageSnapshot:
    """The state at the time of `StateManager.create_snapshot` (PAR-SNAP-2): every entry of
    the storage and every event, copied."""

    storage_state: tuple[tuple[bytes, bytes], ...]
    events: tuple[bytes, ...]


def _pairs(writes: object, what: str) -> list[tuple[bytes, bytes]]:
    """Validated (key, value) pairs of a mapping or an iterable of pairs."""
    items = writes.items() if isinstance(writes, Mapping) else writes
    if not isinstance(items, Iterable) or isinstance(items, bytes | bytearray | str):
        raise InvalidInput(ParallelErrorKind.INVALID_ARGUMENT,
                           f"{what} must be a mapping or pairs of bytes, got "
                           f"{type(writes).__name__}")
    out: list[tuple[bytes, bytes]] = []
    for pair in items:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise InvalidInput(ParallelErrorKind.INVALID_ARGUMENT,
                               f"{what}: each entry must be a (key, value) pair, got "
                               f"{shown(pair)}")
        out.append((require_bytes(pair[0], f"{what} key"), require_bytes(pair[1], f"{what} value")))
    return out


def _byte_list(values: object, what: str) -> list[bytes]:
    """Validated list of byte strings."""
    if not isinstance(values, Iterable) or isinstance(values, bytes | bytearray | str):
        raise InvalidInput(ParallelErrorKind.INVALID_ARGUMENT,
                           f"{what} must be a list of bytes, got {type(values).__name__}")
    return [require_bytes(v, what) for v in values]


class StateManager:
    """The seed's ``StateManager``: a key-value state with nested snapshots (PAR-SNAP-1).

    Not thread-safe by itself: `ParallelScheduler` serialises every use (PAR-SCHED-5).
    """

    def __init__(self, initial: Mapping[bytes, bytes] | None = None) -> None:
        """PAR-SNAP-1: start with ``initial`` entries (default empty), no events, no
        snapshot."""
        pairs = _pairs(initial or {}, "initial state")
        self._storage = MemoryStorage(dict(pairs))
        self._events: list[bytes] = []
        self._snapshots: list[StorageSnapshot] = []

    # --- Access to the live state (the seed's get_storage / get_events) -------------------

    def get_storage(self) -> MemoryStorage:
        """PAR-SNAP-1: the live storage. Changes made through it are part of the current
        state; `rollback` restores it in place, so a reference to it stays valid."""
        return self._storage

    def get_events(self) -> list[bytes]:
        """PAR-SNAP-1: the live event list (append to emit); restored in place by
        `rollback`."""
        return self._events

    def state(self) -> dict[bytes, bytes]:
        """A copy of the current storage entries, in key order."""
        return dict(self._storage.items())

    def snapshot_depth(self) -> int:
        """PAR-SNAP-1: how many snapshots are open."""
        return len(self._snapshots)

    # --- Snapshots ------------------------------------------------------------------------

    def create_snapshot(self) -> StorageSnapshot:
        """PAR-SNAP-2: push a copy of the current storage and events; returns it."""
        snapshot = StorageSnapshot(tuple(self._storage.items()), tuple(self._events))
        self._snapshots.append(snapshot)
        return snapshot

    def is_top(self, snapshot: StorageSnapshot, depth: int) -> bool:
        """Whether ``snapshot`` is the most recent snapshot and the depth is ``depth``."""
        return len(self._snapshots) == depth and self._snapshots[-1] is snapshot

    def rollback(self) -> None:
        """PAR-SNAP-3: restore exactly the state of the most recent snapshot and pop it;
        `SnapshotError` (NO_SNAPSHOT) when there is none (nothing changes)."""
        if not self._snapshots:
            raise SnapshotError("rollback")
        self._restore_state(self._snapshots.pop())

    def restore(self, snapshot: StorageSnapshot, depth: int) -> None:
        """PAR-SCHED-1: restore the state of ``snapshot`` and keep only the ``depth`` oldest
        snapshots. This is `rollback` when ``snapshot`` is the most recent one and ``depth``
        the depth below it; `ParallelScheduler` also uses it when an operation opened or
        closed snapshots without balancing them. PAR-SNAP-6: a malformed snapshot (entries
        that are not pairs of bytes, events that are not bytes) is `InvalidInput` and nothing
        changes."""
        if not isinstance(snapshot, StorageSnapshot):
            raise InvalidInput(ParallelErrorKind.INVALID_ARGUMENT,
                               f"snapshot must be a StorageSnapshot, got "
                               f"{type(snapshot).__name__}")
        depth = require_int(depth, "depth", 0, len(self._snapshots))
        # PAR-SNAP-6: the whole snapshot is checked before anything changes.
        checked = StorageSnapshot(tuple(_pairs(snapshot.storage_state, "snapshot storage")),
                                  tuple(_byte_list(snapshot.events, "snapshot event")))
        self._restore_state(checked)
        del self._snapshots[depth:]

    def snapshots(self) -> tuple[StorageSnapshot, ...]:
        """The open snapshots, oldest first."""
        return tuple(self._snapshots)

    def restore_with_stack(self, snapshot: StorageSnapshot,
                           stack: tuple[StorageSnapshot, ...]) -> None:
        """PAR-SCHED-1: restore the state of ``snapshot`` and make the snapshot stack exactly
        ``stack`` (what `snapshots` returned before an operation), also when the operation
        closed snapshots below its own. Both come from this manager, so this cannot fail."""
        self._restore_state(snapshot)
        self._snapshots[:] = stack

    def _restore_state(self, snapshot: StorageSnapshot) -> None:
        """Make the live storage and events those of ``snapshot`` (a checked one), in place,
        so references from get_storage and get_events stay valid."""
        # STORAGE: remove every entry the snapshot lacks, put back the snapshot's values.
        wanted = dict(snapshot.storage_state)
        writes: dict[bytes, bytes | None] = {k: None for k, _ in self._storage.items()
                                             if k not in wanted}
        writes.update(wanted)
        self._storage.apply_batch(writes)
        # EVENTS
        self._events[:] = snapshot.events

    def commit(self) -> None:
        """PAR-SNAP-4: forget the most recent snapshot, keeping the current state (an
        enclosing snapshot can still undo it); `SnapshotError` (NO_SNAPSHOT) when there is
        none."""
        if not self._snapshots:
            raise SnapshotError("commit")
        self._snapshots.pop()

    # --- The seed's batch operations ------------------------------------------------------

    def batch_write(self, writes: Mapping[bytes, bytes] | Iterable[tuple[bytes, bytes]]) -> int:
        """PAR-SNAP-5: set every (key, value), in the order given; returns how many. All
        entries are checked before any is written."""
        pairs = _pairs(writes, "batch_write")
        for key, value in pairs:
            self._storage.set(key, value)
        return len(pairs)

    def batch_read(self, keys: Iterable[bytes]) -> list[tuple[bytes, bytes]]:
        """PAR-SNAP-5: the (key, value) of each present key, in the order asked; absent keys
        are left out."""
        out: list[tuple[bytes, bytes]] = []
        for key in _byte_list(keys, "batch_read key"):
            value = self._storage.get(key)
            if value is not None:
                out.append((key, value))
        return out

    def batch_delete(self, keys: Iterable[bytes]) -> int:
        """PAR-SNAP-5: delete each key; returns how many were present."""
        count = 0
        for key in _byte_list(keys, "batch_delete key"):
            if self._storage.get(key) is not None:
                self._storage.delete(key)
                count += 1
        return count

    def batch_emit_events(self, events: Iterable[bytes]) -> int:
        """PAR-SNAP-5: append the events, in order; returns how many."""
        checked = _byte_list(events, "event")
        self._events.extend(checked)
        return len(checked)
