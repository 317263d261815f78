"""Filler ``persistence``: the MVCC store on RocksDB as step scripts (spec/persistence.md,
PERSIST-*; the format: spec/conformance.md section 17, CONF-PERSIST-*).

Each case is a script of commits, snapshots, flushes, prunes, reopening, GC and history reads
on a fresh store and database; the reference fills each step's answer, with the exact bytes of
the three column families after every flush, prune and reopen. They pin the layout
(PERSIST-DB-4), incremental flushes, deletions, the empty flush, pruning bounded by an open
snapshot, reopening and continuing, and the flush-point check.
"""

from __future__ import annotations

from typing import Any

from supervm_ref.conformance.formats.persistence import PersistenceCase

AREA = "persistence"
SCRIPT = ["CONF-PERSIST-1", "CONF-PERSIST-2", "PERSIST-DB-4"]


def case(name: str, description: str, rules: list[str],
         steps: list[dict[str, Any]]) -> PersistenceCase:
    """A case of this area; every one cites the script rules and the layout."""
    return PersistenceCase(f"{AREA}/{name}", description, [*SCRIPT, *rules], steps)


def h(text: str) -> str:
    """CONF-ENC-1: an ASCII text as hex."""
    return "0x" + text.encode().hex()


def commit(**writes: str | None) -> dict[str, Any]:
    """A ``commit`` step; None deletes."""
    return {"op": "commit", "writes": {h(k): None if v is None else h(v)
                                       for k, v in writes.items()}}


FLUSH = {"op": "flush"}
REOPEN = {"op": "reopen"}
GC = {"op": "gc"}
NEW_STORE = {"op": "new_store"}


def prune(n: Any) -> dict[str, Any]:
    """A ``prune`` step."""
    return {"op": "prune", "keep_versions": n}


def read(key: str, ts: Any) -> dict[str, Any]:
    """A ``read_history`` step."""
    return {"op": "read_history", "key": h(key), "ts": ts}


def begin(name: str) -> dict[str, Any]:
    """A ``begin_snapshot`` step."""
    return {"op": "begin_snapshot", "name": name}


def end(name: str) -> dict[str, Any]:
    """An ``end_snapshot`` step."""
    return {"op": "end_snapshot", "name": name}


def cases() -> list[PersistenceCase]:
    """The persistence area (PERSIST-*, CONF-PERSIST-*)."""
    return [
        case("first_flush_layout",
             "one commit of two keys, then a flush: the latest values in default, each "
             "version in mvcc_history, flush point 1 and format version 1 in mvcc_meta",
             ["PERSIST-FLUSH-1", "PERSIST-FLUSH-2", "MVCC-FLUSH-3"],
             [commit(a="1", bb="22"), FLUSH]),
        case("incremental_flush",
             "a second flush writes only the keys committed since the first, each version "
             "of them into the history, and moves the flush point",
             ["PERSIST-FLUSH-1", "PERSIST-FLUSH-2", "MVCC-FLUSH-3"],
             [commit(a="1", b="2"), FLUSH, commit(b="3"), commit(b="4", c="5"), FLUSH]),
        case("deletion",
             "a deleted key leaves default, its history gets a tombstone (00), it counts as "
             "flushed with 0 bytes for its value; a key created and deleted between flushes",
             ["PERSIST-FLUSH-1", "MVCC-FLUSH-3"],
             [commit(a="1", b="2"), FLUSH, commit(a=None), commit(n="x"), commit(n=None),
              FLUSH]),
        case("empty_flush",
             "flushes with nothing committed since the last one still count (flush_count 1, "
             "no key) and rewrite the meta entries; also on an empty store",
             ["PERSIST-FLUSH-2", "MVCC-FLUSH-3"],
             [FLUSH, commit(a="1"), FLUSH, FLUSH]),
        case("gc_before_flush",
             "versions GC dropped from memory after the first flush still reach the history, "
             "and a deletion whose tombstone GC collected still deletes",
             ["PERSIST-FLUSH-1", "MVCC-GC-2"],
             [commit(k="1"), FLUSH, commit(k="2"), commit(k=None), GC, FLUSH]),
        case("gc_before_first_flush",
             "versions GC collected before a store's first flush cannot be flushed: the flush "
             "records history_floor (the horizon GC collected at) and the history answers from "
             "there on",
             ["PERSIST-FLUSH-1", "PERSIST-HIST-1", "MVCC-GC-2"],
             [commit(k="1"), commit(k="2", g="x"), commit(g=None, j="3"), GC, FLUSH,
              read("k", 2), read("k", 3), read("g", 3)]),
        case("prune_keep_n",
             "prune keeps the newest N versions of each key, marks each pruned key with the "
             "newest removed commit_ts, and a second prune removes nothing",
             ["PERSIST-PRUNE-1", "PERSIST-PRUNE-2"],
             [commit(k="1", j="1"), commit(k="2"), commit(k="3"), commit(k="4"), FLUSH,
              prune(2), prune(2), prune(1)]),
        case("prune_respects_open_snapshot",
             "with a snapshot open at ts 2, keep 1 still keeps the version it reads (k@2) and "
             "every newer one; once it ends, the same prune removes it",
             ["PERSIST-PRUNE-1", "PERSIST-PRUNE-2", "MVCC-GC-1"],
             [commit(k="1"), commit(k="2"), begin("old"), commit(k="3"), commit(k="4"), FLUSH,
              prune(1), read("k", 2), end("old"), prune(1)]),
        case("prune_bad_keep",
             "keep_versions 0 or negative is INVALID_ARGUMENT and the database is unchanged",
             ["PERSIST-PRUNE-1", "PERSIST-ERR-1"],
             [commit(k="1"), commit(k="2"), FLUSH, prune(0), prune(-1)]),
        case("history_reads",
             "reads at each timestamp up to the flush point from the history, a deletion "
             "reads null, after the flush point HISTORY_UNAVAILABLE; after pruning, before "
             "the oldest kept version HISTORY_UNAVAILABLE, a key never pruned still answers",
             ["PERSIST-HIST-1", "PERSIST-PRUNE-2"],
             [commit(k="1"), commit(o="x"), commit(k=None), commit(k="4"), FLUSH,
              read("k", 0), read("k", 1), read("k", 2), read("k", 3), read("k", 4),
              read("k", 5), prune(1), read("k", 4), read("k", 3), read("o", 0),
              read("o", 2)]),
        case("reopen_and_continue",
             "reopening rebuilds the store at the flush point (unflushed commits are lost), "
             "its clock continues from there and its next flush is incremental",
             ["PERSIST-OPEN-1", "PERSIST-FLUSH-1"],
             [commit(a="1", b="2"), commit(b=None), FLUSH, commit(c="lost"), REOPEN,
              commit(d="4"), FLUSH, REOPEN]),
        case("mismatched_flush_point",
             "a store not opened from the database cannot flush to it or prune it "
             "(FLUSH_POINT_MISMATCH) and the database is unchanged; a reopened store can",
             ["PERSIST-FLUSH-3"],
             [commit(a="1"), FLUSH, NEW_STORE, commit(x="9"), FLUSH, prune(1), REOPEN,
              commit(y="2"), FLUSH]),
        case("history_gap_after_prune",
             "after pruning, a read at a timestamp between the key's pruned mark and its "
             "oldest kept version is HISTORY_UNAVAILABLE, not the value before the gap",
             ["PERSIST-HIST-1", "PERSIST-PRUNE-2"],
             [commit(k="1"), commit(k="2"), commit(o="x"), commit(k="4"), FLUSH, prune(1),
              read("k", 3), read("k", 2), read("k", 4)]),
        case("history_floor_is_the_gc_horizon",
             "GC before the first flush with a snapshot open: history_floor is the horizon "
             "GC collected at (the snapshot's timestamp), not the last commit",
             ["PERSIST-FLUSH-1", "PERSIST-HIST-1", "MVCC-GC-2"],
             [commit(k="1"), commit(k="2"), begin("s"), commit(k="3"), commit(k="4"), GC,
              FLUSH, read("k", 1), read("k", 2), read("k", 3)]),
        case("prune_keeps_keys_newer_than_the_horizon",
             "a key whose every version is newer than the oldest open snapshot has no version "
             "visible at the horizon: prune keeps every version of it, whatever keep_versions",
             ["PERSIST-PRUNE-1", "PERSIST-PRUNE-2", "MVCC-GC-1"],
             [commit(a="1"), begin("s1"), commit(x="2"), begin("s2"), commit(x="3"),
              commit(x="4"), FLUSH, prune(1), read("x", 2), read("x", 3)]),
        case("gc_that_removed_nothing",
             "GC before the first flush that collected no version writes no history_floor: "
             "the history answers from the beginning",
             ["PERSIST-FLUSH-1", "PERSIST-HIST-1", "MVCC-GC-2"],
             [commit(a="1"), GC, FLUSH, read("a", 0), read("a", 1)]),
        case("binary_keys_order",
             "history keys order by (key length, key, commit_ts): a longer key sorts after a "
             "shorter one even when its bytes are smaller; empty value and 0xff bytes",
             ["PERSIST-DB-4"],
             [{"op": "commit", "writes": {"0xff": "0x", "0x0000": "0x01", "0x": "0xff00"}},
              FLUSH, {"op": "commit", "writes": {"0xff": None}}, FLUSH]),
    ]
