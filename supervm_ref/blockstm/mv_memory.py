"""The multi-version memory of Block-STM (spec/scheduling.md, rules SCHED-MEM-*).

For every location the memory keeps, per transaction index, the value written by that
transaction's latest recorded incarnation -- an entry keyed by (location, txn_idx) holding
(incarnation, value) -- or an ESTIMATE marker left when that incarnation was aborted. A read by
transaction ``j`` sees the entry of the highest index below ``j``: a *version* (txn_idx,
incarnation) with its value, nothing (the read goes to storage), or an ESTIMATE (a *dependency*
on that transaction). The memory also keeps, per transaction, the locations its last
incarnation wrote and the read set it observed (each read's location and version), which
validation re-checks *by version*, never by value.

Every method is one atomic action on the memory (one location, or one transaction's
bookkeeping); the worker composes them into the paper's ``record``, ``convert_writes_to_
estimates`` and ``validate_read_set`` one step at a time (SCHED-WORKER-2). Locks make each
action atomic on real threads as well.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sortedcontainers import SortedDict, SortedList

from ..errors import shown
from ..runtime.storage import prefix_end
from .errors import InvalidArgument, InvariantViolated
from .transaction import Key, MaybeValue


class TxnVersion(NamedTuple):
    """An incarnation of a transaction: (txn_idx, incarnation) (SCHED-MEM-1)."""

    txn_idx: int
    incarnation: int


class _Estimate:
    """The ESTIMATE marker (SCHED-MEM-1): the writer was aborted and will likely write here
    again."""

    _instance: _Estimate | None = None

    def __new__(cls) -> _Estimate:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ESTIMATE"


ESTIMATE = _Estimate()


@dataclass(frozen=True)
class Written:
    """An entry written by ``incarnation`` of the entry's transaction; ``value`` None is a
    deletion (SCHED-MEM-1)."""

    incarnation: int
    value: MaybeValue


Entry = Written | _Estimate


@dataclass(frozen=True)
class ReadVersion:
    """Read status OK: the value written by ``version`` (SCHED-MEM-4)."""

    version: TxnVersion
    value: MaybeValue


@dataclass(frozen=True)
class ReadStorage:
    """Read status NOT_FOUND: no lower transaction wrote the location; read storage
    (SCHED-MEM-4)."""


@dataclass(frozen=True)
class ReadDependency:
    """Read status READ_ERROR: the highest lower writer's entry is an ESTIMATE, so the reader
    depends on ``blocking_txn_idx`` (SCHED-MEM-4)."""

    blocking_txn_idx: int


ReadResult = ReadVersion | ReadStorage | ReadDependency
READ_STORAGE = ReadStorage()


class ReadDescriptor(NamedTuple):
    """One entry of a read set: the location and the version read, None for storage
    (SCHED-MEM-5)."""

    location: Key
    version: TxnVersion | None


@dataclass(frozen=True)
class ScanVersions:
    """Scan status OK: the entries a scan returns, each (key, value, version), the version
    None for an entry read from storage (SCHED-MEM-8)."""

    entries: tuple[tuple[Key, bytes, TxnVersion | None], ...]


ScanResult = ScanVersions | ReadDependency


class ScanDescriptor(NamedTuple):
    """One scan of a read set: the prefix, the limit, and the (key, version) of every entry it
    returned, in key order (SCHED-MEM-8)."""

    prefix: Key
    limit: int
    entries: tuple[tuple[Key, TxnVersion | None], ...]


#: An entry of a read set.
AccessDescriptor = ReadDescriptor | ScanDescriptor

#: ``storage_scan(prefix, limit)``: the store's entries under a prefix (RT-STORAGE-2).
StorageScan = Callable[[Key, int], Sequence[tuple[Key, bytes]]]


class _Location:
    """The entries of one location, by transaction index, under the location's lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: SortedDict = SortedDict()  # txn_idx -> Entry


class MVMemory:
    """The multi-version data structure shared by all workers of one block (SCHED-MEM-1)."""

    def __init__(self, block_size: int) -> None:
        if block_size < 0:
            raise InvalidArgument(f"block size must be >= 0, found {block_size}")
        self.block_size = block_size
        self._locations: dict[Key, _Location] = {}
        # Every location of the table in key order, for scans: new locations wait in
        # ``_new_keys`` until a scan needs the order (most blocks never scan).
        self._location_keys = SortedList()
        self._new_keys: list[Key] = []
        self._table_lock = threading.Lock()
        self._last_written_locations: list[frozenset[Key]] = [frozenset()] * block_size
        self._last_read_set: list[tuple[AccessDescriptor, ...]] = [()] * block_size

    # --- one location -------------------------------------------------------------------------

    def _location(self, location: Key, create: bool) -> _Location | None:
        with self._table_lock:
            loc = self._locations.get(location)
            if loc is None and create:
                loc = self._locations[location] = _Location()
                self._new_keys.append(location)
            return loc

    def _check_txn(self, txn_idx: int) -> None:
        if not 0 <= txn_idx < self.block_size:
            raise InvariantViolated(f"transaction index {txn_idx} outside the block "
                                    f"[0, {self.block_size})")

    def write(self, location: Key, version: TxnVersion, value: MaybeValue) -> None:
        """SCHED-MEM-2 (one location of ``apply_write_set``): store ``value`` as the entry of
        (``location``, ``version.txn_idx``), replacing an older value or an ESTIMATE."""
        self._check_txn(version.txn_idx)
        loc = _present(self._location(location, create=True))
        with loc.lock:
            loc.entries[version.txn_idx] = Written(version.incarnation, value)

    def remove(self, location: Key, txn_idx: int) -> None:
        """SCHED-MEM-3 (one location of ``rcu_update_written_locations``): delete the entry of
        (``location``, ``txn_idx``), which the new incarnation no longer writes."""
        self._check_txn(txn_idx)
        loc = self._location(location, create=False)
        if loc is None:
            raise InvariantViolated(f"transaction {txn_idx} removes {shown(location)}, never "
                                    "written")
        with loc.lock:
            if loc.entries.pop(txn_idx, None) is None:
                raise InvariantViolated(f"transaction {txn_idx} has no entry at {shown(location)}")

    def mark_estimate(self, location: Key, txn_idx: int) -> None:
        """SCHED-MEM-7 (one location of ``convert_writes_to_estimates``): replace the entry of
        (``location``, ``txn_idx``) by ESTIMATE."""
        self._check_txn(txn_idx)
        loc = self._location(location, create=False)
        if loc is None:
            raise InvariantViolated(f"estimate for {shown(location)}, never written")
        with loc.lock:
            if txn_idx not in loc.entries:
                raise InvariantViolated(f"transaction {txn_idx} has no entry at {shown(location)}")
            loc.entries[txn_idx] = ESTIMATE

    def read(self, location: Key, txn_idx: int) -> ReadResult:
        """SCHED-MEM-4: what transaction ``txn_idx`` reads at ``location``: the entry of the
        highest transaction index below ``txn_idx`` -- its version and value, a dependency if it
        is an ESTIMATE -- or storage when there is none. ``txn_idx`` may be the block size (the
        final state, SCHED-MEM-6)."""
        if not 0 <= txn_idx <= self.block_size:
            raise InvariantViolated(f"read by transaction {txn_idx} outside the block")
        loc = self._location(location, create=False)
        if loc is None:
            return READ_STORAGE
        with loc.lock:
            pos = loc.entries.bisect_left(txn_idx)
            if pos == 0:
                return READ_STORAGE
            writer, entry = loc.entries.peekitem(pos - 1)
        if isinstance(entry, _Estimate):
            return ReadDependency(writer)
        return ReadVersion(TxnVersion(writer, entry.incarnation), entry.value)

    def scan(self, prefix: Key, limit: int, txn_idx: int, storage_scan: StorageScan
             ) -> ScanResult:
        """SCHED-MEM-8: what transaction ``txn_idx`` sees when it scans ``prefix`` for up to
        ``limit`` entries: the memory's locations under the prefix, each read as by
        `read`, over the store's entries (``storage_scan``, asked for ``limit`` plus the
        number of those locations, since each can hide one). Walking the keys in order, the
        first ESTIMATE met before ``limit`` live entries are found is a dependency; otherwise
        the live entries (a deletion hides its key) with their versions."""
        if not 0 <= txn_idx <= self.block_size:
            raise InvariantViolated(f"scan by transaction {txn_idx} outside the block")
        if limit <= 0:
            return ScanVersions(())
        end = prefix_end(prefix)
        with self._table_lock:
            if self._new_keys:
                self._location_keys.update(self._new_keys)
                self._new_keys.clear()
            in_memory = list(self._location_keys.irange(minimum=prefix, maximum=end,
                                                        inclusive=(True, False)))
        stored = dict(storage_scan(prefix, limit + len(in_memory)))
        entries: list[tuple[Key, bytes, TxnVersion | None]] = []
        for key in sorted(stored.keys() | set(in_memory)):
            if len(entries) == limit:
                break
            result = self.read(key, txn_idx)
            if isinstance(result, ReadDependency):
                return result
            if isinstance(result, ReadVersion):
                if result.value is not None:
                    entries.append((key, result.value, result.version))
            elif key in stored:
                entries.append((key, stored[key], None))
        return ScanVersions(tuple(entries))

    def validate(self, descriptor: AccessDescriptor, txn_idx: int,
                 storage_scan: StorageScan) -> bool:
        """SCHED-MEM-5, SCHED-MEM-8 (one entry of ``validate_read_set``): a read is checked by
        `validate_read`; a scan is run again as ``txn_idx`` and is valid only if it returns the
        same keys with the same versions (a dependency is never valid): an entry a lower
        transaction inserted, deleted or rewrote since -- a phantom -- invalidates it."""
        if isinstance(descriptor, ReadDescriptor):
            return self.validate_read(descriptor, txn_idx)
        result = self.scan(descriptor.prefix, descriptor.limit, txn_idx, storage_scan)
        if isinstance(result, ReadDependency):
            return False
        return tuple((k, v) for k, _, v in result.entries) == descriptor.entries

    def validate_read(self, descriptor: ReadDescriptor, txn_idx: int) -> bool:
        """SCHED-MEM-5 (one entry of ``validate_read_set``): reading ``descriptor.location``
        again as ``txn_idx`` still gives ``descriptor.version`` (None: still storage). A
        dependency is never valid. Versions are compared, not values."""
        result = self.read(descriptor.location, txn_idx)
        if isinstance(result, ReadDependency):
            return False
        if isinstance(result, ReadStorage):
            return descriptor.version is None
        return descriptor.version == result.version

    # --- one transaction's bookkeeping ----------------------------------------------------------

    def unwritten_locations(self, txn_idx: int, new_locations: frozenset[Key]) -> list[Key]:
        """SCHED-MEM-3: the locations the previous incarnation of ``txn_idx`` wrote and the new
        one does not (to be removed), in key order."""
        self._check_txn(txn_idx)
        return sorted(self._last_written_locations[txn_idx] - new_locations)

    def finish_record(self, txn_idx: int, new_locations: frozenset[Key],
                      read_set: tuple[AccessDescriptor, ...]) -> bool:
        """SCHED-MEM-3 (end of ``record``): remember the locations and read set of the new
        incarnation; returns ``wrote_new_location``, whether it wrote a location the previous
        incarnation did not."""
        self._check_txn(txn_idx)
        previous = self._last_written_locations[txn_idx]
        self._last_written_locations[txn_idx] = new_locations
        self._last_read_set[txn_idx] = read_set
        return not new_locations <= previous

    def written_locations(self, txn_idx: int) -> list[Key]:
        """SCHED-MEM-7: the locations the last recorded incarnation of ``txn_idx`` wrote, in key
        order."""
        self._check_txn(txn_idx)
        return sorted(self._last_written_locations[txn_idx])

    def read_set(self, txn_idx: int) -> tuple[AccessDescriptor, ...]:
        """SCHED-MEM-5: the read set of the last recorded incarnation of ``txn_idx``."""
        self._check_txn(txn_idx)
        return self._last_read_set[txn_idx]

    # --- the block's result ---------------------------------------------------------------------

    def snapshot(self) -> tuple[tuple[Key, MaybeValue], ...]:
        """SCHED-MEM-6: the final value of every location some transaction wrote, read as by a
        transaction after the block, in key order (None: deleted). Only meaningful once the
        scheduler is done, when no ESTIMATE is left."""
        with self._table_lock:
            locations = sorted(self._locations)
        out: list[tuple[Key, MaybeValue]] = []
        for location in locations:
            result = self.read(location, self.block_size)
            if isinstance(result, ReadDependency):
                raise InvariantViolated(f"ESTIMATE of transaction {result.blocking_txn_idx} "
                                        f"left at {shown(location)} when the block is done")
            if isinstance(result, ReadVersion):
                out.append((location, result.value))
        return tuple(out)


def _present(loc: _Location | None) -> _Location:
    """The location, which ``create=True`` guarantees (a typed error, never ``assert``)."""
    if loc is None:
        raise InvariantViolated("location table lost an entry")
    return loc
