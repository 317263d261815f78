"""Filler ``scheduler``: the seed's parallel execution engine as step scripts (spec/scheduling.md
section 13, PAR-*; the script format: PAR-SCRIPT-*).

Each case is a script -- an initial state and steps calling `ConflictDetector`, `StateManager`,
`ParallelScheduler`, `execute_in_batches` and `WorkStealingScheduler` -- whose observations the
reference fills. They pin what the spec makes normative: conflict kinds and their keys,
dependencies in the order added, batch levels, snapshot nesting, rollback of failed and
unbalanced operations, retries and statistics, undeclared accesses in batches, the work-stealing
scheduling order and error reporting. Nothing observed depends on thread timing.
"""

from __future__ import annotations

from typing import Any

from supervm_ref.conformance.formats.scheduler import SchedulerCase

AREA = "scheduler"
RW = ["PAR-RW-1", "PAR-RW-2", "PAR-DEP-3"]


def case(name: str, description: str, rules: list[str], steps: list[dict[str, Any]],
         pre: dict[str, str] | None = None) -> SchedulerCase:
    """A case of this area; every one cites the script rules."""
    return SchedulerCase(f"{AREA}/{name}", description,
                         ["PAR-SCRIPT-1", "PAR-SCRIPT-2", *rules], pre or {}, steps)


def record(tx: int, reads: list[str] | None = None, writes: list[str] | None = None,
           read_prefixes: list[str] | None = None) -> dict[str, Any]:
    """A ``record`` step."""
    step: dict[str, Any] = {"op": "record", "tx": tx}
    for name, keys in (("reads", reads), ("writes", writes), ("read_prefixes", read_prefixes)):
        if keys:
            step[name] = keys
    return step


def analyse(order: list[int]) -> list[dict[str, Any]]:
    """Conflicts, dependencies and batches of ``order``."""
    return [{"op": "conflicts", "order": order}, {"op": "dependencies", "order": order},
            {"op": "batches", "order": order}]


def conflict_cases() -> list[SchedulerCase]:
    """PAR-RW-*, PAR-DEP-*, PAR-BATCH-1/2: sets -> conflicts, dependencies, batches."""
    return [
        case("demo5_four_transactions",
             "the seed's demo 5: TX1 writes alice, TX2 bob, TX3 reads alice, TX4 reads and "
             "writes alice: conflicts 1->3 RAW, 1->4 RAW+WAW, 3->4 WAR; batches [1,2],[3],[4]",
             [*RW, "PAR-DEP-1", "PAR-BATCH-1", "PAR-DEMO-1"],
             [record(1, writes=["alice_balance"]), record(2, writes=["bob_balance"]),
              record(3, reads=["alice_balance"]),
              record(4, reads=["alice_balance"], writes=["alice_balance"]),
              *analyse([1, 2, 3, 4]), {"op": "has_conflict", "a": 4, "b": 1},
              {"op": "has_conflict", "a": 2, "b": 3}]),
        case("conflict_kinds_and_keys",
             "each kind with exactly its keys: RAW (later reads what earlier writes), WAR "
             "(later writes what earlier reads), WAW; keys sorted; two readers never conflict",
             RW,
             [record(10, reads=["a", "b"], writes=["x", "y"]),
              record(11, reads=["x", "c"], writes=["a", "y"]),
              record(12, reads=["a", "b"]), record(13, reads=["b", "a"]),
              *analyse([10, 11, 12, 13]), *analyse([13, 12, 11, 10])]),
        case("scans_read_every_key_of_their_prefix",
             "a scanned prefix reads every key starting with it (also keys written later), "
             "and nothing outside it: RAW through a scan, WAR through a scan, and a write "
             "just outside the prefix is no conflict",
             [*RW, "PAR-BATCH-1"],
             [record(1, read_prefixes=["acct/"]), record(2, writes=["acct/9"]),
              record(3, writes=["acct"]), record(4, writes=["acct0"]),
              record(5, read_prefixes=["acct/1"], writes=["acct/1x"]),
              record(6, writes=["acct/10"]),
              *analyse([1, 2, 3, 4, 5, 6]), *analyse([2, 1, 6, 5])]),
        case("levels_of_a_diamond_and_a_chain",
             "batches are levels: a diamond 1 -> (2, 3) -> 4 and an independent chain "
             "5 -> 6 -> 7 give [1,5],[2,3,6],[4,7]; every dependency in an earlier batch, no "
             "two transactions of a batch conflicting; dependencies listed in block order",
             [*RW, "PAR-DEP-1", "PAR-BATCH-1", "PAR-BATCH-2"],
             [record(1, writes=["a"]), record(2, reads=["a"], writes=["b"]),
              record(3, reads=["a"], writes=["c"]), record(4, reads=["b", "c"], writes=["d"]),
              record(5, writes=["p"]), record(6, reads=["p"], writes=["q"]),
              record(7, reads=["q"]), *analyse([1, 2, 3, 4, 5, 6, 7]),
              *analyse([5, 1, 6, 2, 3, 7, 4])]),
        case("dependencies_on_every_earlier_conflict",
             "a transaction depends on every earlier transaction it conflicts with, in block "
             "order (not only the last): 4 depends on 1, 2 and 3",
             [*RW, "PAR-DEP-1", "PAR-BATCH-1"],
             [record(1, writes=["k"]), record(2, writes=["k"]), record(3, reads=["k"]),
              record(4, writes=["k"]), *analyse([1, 2, 3, 4])]),
        case("ready_transactions",
             "get_ready_transactions: not completed, every dependency completed, in block "
             "order",
             [*RW, "PAR-DEP-2"],
             [record(1, writes=["a"]), record(2, reads=["a"]), record(3, writes=["z"]),
              record(4, reads=["a", "z"]),
              {"op": "ready", "order": [1, 2, 3, 4], "completed": []},
              {"op": "ready", "order": [1, 2, 3, 4], "completed": [1]},
              {"op": "ready", "order": [1, 2, 3, 4], "completed": [1, 3]},
              {"op": "ready", "order": [1, 2, 3, 4], "completed": [1, 2, 3, 4]}]),
        case("re_recording_replaces_the_set",
             "record copies the set and replaces an earlier record of the same transaction",
             RW,
             [record(1, writes=["a"]), record(2, reads=["a"]),
              {"op": "has_conflict", "a": 1, "b": 2},
              record(2, reads=["b"]), {"op": "has_conflict", "a": 1, "b": 2},
              *analyse([1, 2])]),
        case("bad_block_orders",
             "an unrecorded transaction is UNKNOWN_TX, a repeated one DUPLICATE_TX, for every "
             "query; has_conflict needs both recorded; an empty block has no batch",
             ["PAR-ERR-1", "PAR-DEP-3", "PAR-BATCH-1"],
             [record(1, writes=["a"]), record(2, reads=["a"]),
              *analyse([1, 2, 3]), *analyse([1, 2, 1]), {"op": "has_conflict", "a": 1, "b": 9},
              {"op": "ready", "order": [1, 7], "completed": []}, *analyse([])]),
    ]


def snapshot_cases() -> list[SchedulerCase]:
    """PAR-SNAP-*, PAR-SCHED-*: the state manager and the scheduler's operations."""
    return [
        case("nested_snapshots",
             "the seed's demo 6: v1, snapshot, v2, snapshot, v3; rollback gives v2, rollback "
             "gives v1; events follow the storage; a rollback or commit with no snapshot is "
             "NO_SNAPSHOT and changes nothing",
             ["PAR-SNAP-1", "PAR-SNAP-2", "PAR-SNAP-3", "PAR-SNAP-4", "PAR-DEMO-2"],
             [{"op": "manager", "actions": [["set", "k", "v1"], ["emit", "e1"], ["snapshot"],
                                             ["set", "k", "v2"], ["emit", "e2"], ["snapshot"],
                                             ["set", "k", "v3"], ["delete", "other"]]},
              {"op": "state"},
              {"op": "manager", "actions": [["rollback"], ["read", "k"]]}, {"op": "state"},
              {"op": "manager", "actions": [["rollback"], ["read", "k"], ["read", "other"]]},
              {"op": "state"}, {"op": "manager", "actions": [["rollback"]]},
              {"op": "manager", "actions": [["commit"]]}, {"op": "state"}],
             {"other": "x"}),
        case("commit_hands_changes_to_the_enclosing_snapshot",
             "commit pops a snapshot and keeps the state; rolling the enclosing snapshot back "
             "then undoes the committed changes too",
             ["PAR-SNAP-3", "PAR-SNAP-4"],
             [{"op": "manager", "actions": [["snapshot"], ["set", "a", "1"], ["snapshot"],
                                             ["set", "b", "2"], ["commit"]]},
              {"op": "state"}, {"op": "manager", "actions": [["rollback"]]}, {"op": "state"}]),
        case("batch_operations",
             "batch_write counts pairs, batch_read returns present keys in the order asked, "
             "batch_delete counts the keys that were present",
             ["PAR-SNAP-5"],
             [{"op": "batch_write", "pairs": [["a", "1"], ["b", "2"], ["a", "3"]]},
              {"op": "batch_read", "keys": ["b", "missing", "a"]},
              {"op": "batch_delete", "keys": ["a", "missing", "a"]}, {"op": "state"}]),
        case("operations_commit_or_roll_back",
             "execute_with_snapshot: a returning operation commits and gives its value; a "
             "failing one (TX_FAILED, CONFLICT, or another exception: UNEXPECTED_EXCEPTION) is "
             "rolled back, storage and events; the counts follow",
             ["PAR-SCHED-1", "PAR-SCHED-2", "PAR-SCHED-4"],
             [{"op": "execute_with_snapshot", "actions": [["set", "bal", "150"],
                                                          ["emit", "deposit"], ["read", "bal"]]},
              {"op": "execute_with_snapshot", "actions": [["set", "bal", "0"],
                                                          ["emit", "oops"], ["fail", "TX_FAILED"]]},
              {"op": "execute_with_snapshot", "actions": [["delete", "bal"],
                                                          ["fail", "CONFLICT"]]},
              {"op": "execute_with_snapshot", "actions": [["set", "x", "1"], ["fail", "OTHER"]]},
              {"op": "state"}, {"op": "stats"}, {"op": "reset_stats"}, {"op": "stats"}],
             {"bal": "100"}),
        case("unbalanced_operations",
             "an operation that leaves a snapshot open, or closes one it did not open (even the "
             "caller's), fails with INVALID_ARGUMENT, is rolled back, and leaves the caller's "
             "snapshot stack exactly as before",
             ["PAR-SCHED-1", "PAR-SNAP-3"],
             [{"op": "manager", "actions": [["snapshot"], ["set", "b", "200"], ["snapshot"],
                                             ["set", "b", "300"]]},
              {"op": "execute_with_snapshot", "actions": [["set", "b", "1"], ["snapshot"]]},
              {"op": "state"},
              {"op": "execute_with_snapshot", "actions": [["set", "b", "2"], ["commit"],
                                                          ["commit"]]},
              {"op": "state"}, {"op": "manager", "actions": [["rollback"], ["read", "b"]]},
              {"op": "manager", "actions": [["rollback"], ["read", "b"]]}, {"op": "stats"}],
             {"b": "100"}),
        case("nested_operations",
             "an operation may run a nested operation with its own snapshot: a failing nested "
             "one is rolled back alone and counted on its own; the outer one still commits",
             ["PAR-SCHED-5", "PAR-SCHED-1", "PAR-SCHED-4"],
             [{"op": "execute_with_snapshot", "actions": [
                 ["set", "outer", "1"], ["nested", [["set", "inner", "1"], ["fail", "TX_FAILED"]]],
                 ["nested", [["set", "kept", "1"]]], ["read", "inner"]]},
              {"op": "state"}, {"op": "stats"}]),
        case("retries",
             "execute_with_retry re-runs after CONFLICT only: conflicting on the first two "
             "attempts commits on the third (2 retries); a TX_FAILED is raised at once; "
             "always conflicting with max_retries 2 is RETRIES_EXHAUSTED after 3 attempts",
             ["PAR-SCHED-3", "PAR-SCHED-4", "PAR-DEMO-2"],
             [{"op": "execute_with_retry", "max_retries": 5,
               "actions": [["conflict_until", 2], ["set", "n", "3"], ["read", "n"]]},
              {"op": "execute_with_retry", "max_retries": 5, "actions": [["fail", "TX_FAILED"]]},
              {"op": "execute_with_retry", "max_retries": 2,
               "actions": [["set", "lost", "1"], ["conflict_until", 99]]},
              {"op": "execute_with_retry", "max_retries": 0, "actions": [["set", "z", "1"]]},
              {"op": "state"}, {"op": "stats"}]),
        case("batches_of_operations",
             "execute_batch runs operations in order under one snapshot: all commit and each "
             "counts as a success; at the first failure the rest do not run, everything is "
             "rolled back, one failure and one rollback are counted",
             ["PAR-SCHED-6", "PAR-SCHED-4"],
             [{"op": "execute_batch", "operations": [[["set", "a", "1"], ["read", "a"]],
                                                     [["set", "b", "2"]], [["read", "b"]]]},
              {"op": "execute_batch", "operations": [[["set", "a", "9"]], [["fail", "CONFLICT"]],
                                                     [["set", "never", "1"]]]},
              {"op": "execute_batch", "operations": []},
              {"op": "state"}, {"op": "stats"}]),
    ]


def batch_execution_cases() -> list[SchedulerCase]:
    """PAR-BATCH-3/4: execute_in_batches over declared sets."""
    counters = [{"tx": i, "declared": {"reads": ["counter"], "writes": ["counter"]},
                 "actions": [["add", "counter", i]]} for i in range(1, 5)]
    return [
        case("batches_equal_sequential_execution",
             "four increments of one counter run in four batches and sum to 10; two "
             "independent copies run in one batch; a failing transaction's writes are dropped; "
             "the same with 1 and 3 workers",
             ["PAR-BATCH-3", "PAR-BATCH-1"],
             [{"op": "execute_in_batches", "pre": {"counter": "0", "src": "v"}, "workers": w,
               "order": [1, 2, 3, 4, 5, 6, 7],
               "txs": [*counters,
                       {"tx": 5, "declared": {"reads": ["src"], "writes": ["dst1"]},
                        "actions": [["copy", "src", "dst1"]]},
                       {"tx": 6, "declared": {"reads": ["src"], "writes": ["dst2"]},
                        "actions": [["copy", "src", "dst2"]]},
                       {"tx": 7, "declared": {"reads": ["counter"], "writes": ["counter"]},
                        "actions": [["add", "counter", 100], ["fail"]]}]}
              for w in (1, 3)]),
        case("undeclared_accesses",
             "a run that reads, scans or writes outside its declared set fails with "
             "UNDECLARED_ACCESS and its writes are dropped, even when it also failed on its "
             "own; a declared scan covers the keys under its prefix",
             ["PAR-BATCH-4"],
             [{"op": "execute_in_batches", "pre": {"a": "1", "p/x": "2"}, "workers": 2,
               "order": [1, 2, 3, 4, 5, 6],
               "txs": [{"tx": 1, "declared": {"writes": ["b"]},
                        "actions": [["read", "a"], ["set", "b", "1"]]},
                       {"tx": 2, "declared": {"reads": ["a"]},
                        "actions": [["read", "a"], ["set", "c", "1"]]},
                       {"tx": 3, "declared": {"read_prefixes": ["p/"]},
                        "actions": [["scan", "p", 5]]},
                       {"tx": 4, "declared": {"read_prefixes": ["p/"], "writes": ["d"]},
                        "actions": [["read", "p/x"], ["scan", "p/x", 1], ["set", "d", "1"]]},
                       {"tx": 5, "declared": {"writes": ["e"]},
                        "actions": [["set", "e", "1"], ["read", "zz"], ["fail"]]},
                       {"tx": 6, "declared": {}, "actions": [["delete", "a"]]}]}]),
        case("bad_batch_input",
             "a transaction of the order with no declared set is UNKNOWN_TX, a repeated one "
             "DUPLICATE_TX, and a worker count outside 1..1024 INVALID_ARGUMENT",
             ["PAR-ERR-1", "PAR-BATCH-3"],
             [{"op": "execute_in_batches", "order": [1, 2], "txs": [{"tx": 1, "actions": []}]},
              {"op": "execute_in_batches", "order": [1, 1], "txs": [{"tx": 1, "actions": []}]},
              {"op": "execute_in_batches", "order": [1], "workers": 0,
               "txs": [{"tx": 1, "actions": []}]}]),
    ]


def work_stealing_cases() -> list[SchedulerCase]:
    """PAR-WS-*: scheduling order, execution, error reporting, statistics."""
    return [
        case("scheduling_order",
             "the seed's demo 7: priorities 255, 128, 50, 200 run in the order [1, 4, 2, 3]; "
             "equal priorities keep submission order; one worker runs exactly that order with "
             "no steals",
             ["PAR-WS-1", "PAR-WS-2", "PAR-WS-3", "PAR-DEMO-3"],
             [{"op": "ws_new", "workers": 1},
              {"op": "ws_submit", "tasks": [[1, 255], [2, 128], [3, 50], [4, 200]]},
              {"op": "ws_submit", "tasks": [[5, 128], [6, 0], [7, 128]]},
              {"op": "ws_pending"}, {"op": "ws_execute"}, {"op": "ws_pending"},
              {"op": "ws_stats"}]),
        case("errors_are_reported",
             "every task runs once; failures (TX_FAILED, CONFLICT, another exception: "
             "UNEXPECTED_EXCEPTION) are reported per task in scheduling order and do not stop "
             "the others; counts per run and summed; with 4 workers too",
             ["PAR-WS-4", "PAR-WS-5", "PAR-SCHED-2"],
             [{"op": "ws_new", "workers": 1},
              {"op": "ws_submit", "tasks": [[i, 10 * (i % 3)] for i in range(1, 9)]},
              {"op": "ws_execute", "fail": [[2, "TX_FAILED"], [5, "CONFLICT"], [7, "OTHER"]]},
              {"op": "ws_submit", "tasks": [[1, 1], [2, 2]]},
              {"op": "ws_execute", "fail": [[1, "TX_FAILED"]]}, {"op": "ws_stats"},
              {"op": "ws_new", "workers": 4},
              {"op": "ws_submit", "tasks": [[i, i % 4] for i in range(20)]},
              {"op": "ws_execute", "fail": [[i, "TX_FAILED"] for i in range(0, 20, 3)]},
              {"op": "ws_stats"}]),
        case("turns",
             "workers taking turns (execute_turns): a worker works its own deque from the "
             "front, refills ceil(n / workers) tasks from the global queue, then steals from "
             "the back of the next worker's deque; after the given turns, round-robin; an "
             "out-of-range turn is INVALID_ARGUMENT and runs nothing",
             ["PAR-WS-3", "PAR-WS-4", "PAR-WS-5", "PAR-WS-6"],
             [{"op": "ws_new", "workers": 3},
              {"op": "ws_submit", "tasks": [[i, 100 - i] for i in range(1, 11)]},
              {"op": "ws_execute", "turns": [0, 3]},
              {"op": "ws_pending"},
              {"op": "ws_execute", "fail": [[6, "TX_FAILED"]],
               "turns": [0, 1, 2, 2, 1, 1, 1, 1, 1]},
              {"op": "ws_stats"}]),
        case("bad_tasks",
             "a priority outside 0..255 is INVALID_PRIORITY, a task id already pending "
             "DUPLICATE_TX (within one submission too), and a failed submission adds nothing; "
             "0 or more than 1,024 workers is INVALID_ARGUMENT",
             ["PAR-WS-1", "PAR-WS-2", "PAR-ERR-1"],
             [{"op": "ws_new", "workers": 2},
              {"op": "ws_submit", "tasks": [[1, 256]]}, {"op": "ws_submit", "tasks": [[1, -1]]},
              {"op": "ws_submit", "tasks": [[1, 5], [2, 6]]},
              {"op": "ws_submit", "tasks": [[3, 1], [1, 9]]},
              {"op": "ws_submit", "tasks": [[4, 1], [4, 2]]}, {"op": "ws_pending"},
              {"op": "ws_new", "workers": 0}, {"op": "ws_new", "workers": 1025}]),
    ]


def cases() -> list[SchedulerCase]:
    """The scheduler area (PAR-*, PAR-SCRIPT-*)."""
    return [*conflict_cases(), *snapshot_cases(), *batch_execution_cases(),
            *work_stealing_cases()]
