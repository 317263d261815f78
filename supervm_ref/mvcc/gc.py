"""Garbage collection of old versions (spec/mvcc.md, MVCC-GC-*).

A version may be dropped only when no snapshot that can still read can see it. The *horizon*
is the oldest snapshot still in use: the smallest start timestamp of an active transaction, or
the last commit timestamp when none is active (MVCC-GC-1). Every snapshot a reader will ever
use is at or after the horizon, so for each key GC keeps the version visible at the horizon
and everything newer, and drops the rest (MVCC-GC-2) — a tombstone visible at the horizon goes
too, because "no version" and "deleted" read the same (MVCC-GC-3).
"""

from __future__ import annotations

from dataclasses import dataclass

from sortedcontainers import SortedDict

from .errors import InvalidGcConfig
from .versions import VersionChain


@dataclass(frozen=True)
class GcConfig:
    """When the store collects garbage by itself (MVCC-GC-6).

    ``every_n_commits``: after every n-th commit that installs versions (None: never on this
    ground). ``max_versions_per_key``: after a commit that leaves one of the keys it wrote with
    more versions than this (None: never on this ground). At least one must be set.
    """

    every_n_commits: int | None = 100
    max_versions_per_key: int | None = None

    def __post_init__(self) -> None:
        """MVCC-GC-6: both fields are None or integers >= 1, and not both None."""
        for field in ("every_n_commits", "max_versions_per_key"):
            value = getattr(self, field)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InvalidGcConfig(field, "None or an integer >= 1", value)
        if self.every_n_commits is None and self.max_versions_per_key is None:
            raise InvalidGcConfig("every_n_commits", "a trigger (this field or "
                                  "max_versions_per_key must be set)", None)


@dataclass(frozen=True)
class GcStats:
    """What garbage collection did (MVCC-GC-5): for one run (`MvccStore.gc_now`) or the total
    since the store was created (`MvccStore.gc_stats`)."""

    runs: int = 0
    versions_cleaned: int = 0
    keys_removed: int = 0

    def plus(self, other: GcStats) -> GcStats:
        """The sum of two statistics."""
        return GcStats(self.runs + other.runs,
                       self.versions_cleaned + other.versions_cleaned,
                       self.keys_removed + other.keys_removed)


def collect(chains: SortedDict, horizon: int) -> GcStats:
    """MVCC-GC-2/3: prune every chain of ``chains`` (key -> `VersionChain`) at ``horizon``
    and remove the chains left empty; one run's statistics."""
    cleaned = 0
    emptied: list[bytes] = []
    for key, chain in chains.items():
        chain_: VersionChain = chain
        cleaned += chain_.prune(horizon)
        if len(chain_) == 0:
            emptied.append(key)
    for key in emptied:
        del chains[key]
    return GcStats(runs=1, versions_cleaned=cleaned, keys_removed=len(emptied))
