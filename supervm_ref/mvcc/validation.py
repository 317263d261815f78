"""Phase 2 of a commit: validation (spec/mvcc.md, MVCC-COMMIT-3).

A transaction that wants to install writes must show that nothing it depends on changed since
its snapshot. Three checks run in this order, each over its keys in ascending order, and the
first version found committed after the snapshot is the conflict:

1. *write-write* (first committer wins): a key of the write set;
2. *read-write*: a key of the read set, including keys read and found absent;
3. *predicate*: any key that starts with a scanned prefix (phantoms).

With all three passing, everything the transaction read is still what the store holds at the
moment of its commit, which is why committed transactions serialize in commit order
(MVCC-SER-1).
"""

from __future__ import annotations

from collections.abc import Iterable

from sortedcontainers import SortedDict

from ..runtime.storage import prefix_end
from .errors import ConflictKind, TxnConflict
from .versions import VersionChain


def _first_after(chains: SortedDict, key: bytes, start_ts: int) -> int | None:
    """The timestamp of the oldest version of ``key`` committed after ``start_ts`` (None when
    there is none, including when the key has no chain)."""
    chain: VersionChain | None = chains.get(key)
    if chain is None:
        return None
    version = chain.first_after(start_ts)
    return None if version is None else version.commit_ts


def find_conflict(chains: SortedDict, start_ts: int, write_keys: Iterable[bytes],
                  read_keys: Iterable[bytes], prefixes: Iterable[bytes]) -> TxnConflict | None:
    """MVCC-COMMIT-3: the first conflict of a transaction with snapshot ``start_ts``, in check
    order (write-write, read-write, predicate; keys and prefixes ascending), or None."""
    # WRITE-WRITE: first committer wins.
    for key in sorted(write_keys):
        ts = _first_after(chains, key, start_ts)
        if ts is not None:
            return TxnConflict(ConflictKind.WRITE_WRITE, key, start_ts, ts)

    # READ-WRITE: a key read (found or absent) was overwritten, or created, or deleted.
    for key in sorted(read_keys):
        ts = _first_after(chains, key, start_ts)
        if ts is not None:
            return TxnConflict(ConflictKind.READ_WRITE, key, start_ts, ts)

    # PREDICATE: a key matching a scanned prefix changed (including an insert: a phantom).
    for prefix in sorted(prefixes):
        for key in chains.irange(minimum=prefix, maximum=prefix_end(prefix),
                                 inclusive=(True, False)):
            ts = _first_after(chains, key, start_ts)
            if ts is not None:
                return TxnConflict(ConflictKind.PREDICATE, key, start_ts, ts, prefix=prefix)
    return None
