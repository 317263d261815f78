"""Per-key version chains (spec/mvcc.md, MVCC-VERSION-*).

Each committed write of a key is a `MvccVersion`: the commit timestamp and the value, or None for
a deletion (a *tombstone*). A key's `VersionChain` holds its versions in increasing timestamp
order. Reads at a snapshot, commit validation and garbage collection are all questions asked of
one chain, answered here.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from .errors import StoreInvariantBroken


@dataclass(frozen=True, slots=True)
class MvccVersion:
    """One committed write of a key (MVCC-VERSION-1): ``value`` None is a tombstone."""

    commit_ts: int
    value: bytes | None

    @property
    def is_tombstone(self) -> bool:
        """A deletion: the key is absent at snapshots that see this version (MVCC-VERSION-2)."""
        return self.value is None


class VersionChain:
    """The versions of one key, oldest first, timestamps strictly increasing (MVCC-VERSION-1)."""

    def __init__(self) -> None:
        self._versions: list[MvccVersion] = []
        self._stamps: list[int] = []  # commit_ts of each version, for bisection

    def __len__(self) -> int:
        return len(self._versions)

    def versions(self) -> list[MvccVersion]:
        """Every version, oldest first (a copy)."""
        return list(self._versions)

    def install(self, version: MvccVersion) -> None:
        """MVCC-VERSION-1: append a newly committed version. Its timestamp is the store's new
        commit timestamp, so it is greater than every timestamp already in the chain."""
        if self._stamps and version.commit_ts <= self._stamps[-1]:
            raise StoreInvariantBroken(
                f"version {version.commit_ts} is not newer than {self._stamps[-1]}")
        self._versions.append(version)
        self._stamps.append(version.commit_ts)

    def visible_at(self, ts: int) -> MvccVersion | None:
        """MVCC-VERSION-2: the newest version with ``commit_ts <= ts`` (None if there is none)."""
        i = bisect_right(self._stamps, ts)
        return self._versions[i - 1] if i else None

    def value_at(self, ts: int) -> bytes | None:
        """MVCC-VERSION-2: the key's value at snapshot ``ts``: None when no version is visible
        or the visible one is a tombstone."""
        version = self.visible_at(ts)
        return None if version is None else version.value

    def latest(self) -> MvccVersion | None:
        """The newest committed version (None for an empty chain)."""
        return self._versions[-1] if self._versions else None

    def first_after(self, ts: int) -> MvccVersion | None:
        """MVCC-COMMIT-3: the oldest version committed after ``ts`` (None if none): the
        evidence of a conflict for a transaction whose snapshot is ``ts``."""
        i = bisect_right(self._stamps, ts)
        return self._versions[i] if i < len(self._versions) else None

    def prune(self, horizon: int) -> int:
        """MVCC-GC-2/3: drop the versions no snapshot at or after ``horizon`` can see; return
        how many were dropped.

        Kept: the newest version with ``commit_ts <= horizon`` (the one such snapshots see)
        and every newer version. Dropped: everything older. The kept base version is dropped
        too when it is a tombstone, because then "absent" is what a snapshot sees either way.
        """
        i = bisect_right(self._stamps, horizon)
        if i == 0:
            return 0  # every version is newer than the horizon
        base = i - 1  # the version a snapshot at the horizon sees
        keep_from = base + 1 if self._versions[base].is_tombstone else base
        del self._versions[:keep_from]
        del self._stamps[:keep_from]
        return keep_from
