"""Step scripts of the seed's parallel execution engine (spec/scheduling.md PAR-SCRIPT-*)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supervm_ref.parallel.script import STEPS, InvalidSchedulerScript, run_script


def test_observations_of_the_detector() -> None:
    """PAR-SCRIPT-2, PAR-SCRIPT-4: record gives null; conflicts, dependencies and batches are
    plain data; an engine error is an observation, not an exception."""
    obs = run_script({}, [
        {"op": "record", "tx": 1, "writes": ["a"]},
        {"op": "record", "tx": 2, "reads": ["a"], "read_prefixes": ["p/"]},
        {"op": "conflicts", "order": [1, 2]}, {"op": "dependencies", "order": [1, 2]},
        {"op": "batches", "order": [1, 2]}, {"op": "batches", "order": [1, 3]},
        {"op": "has_conflict", "a": 2, "b": 1}, {"op": "ready", "order": [1, 2]}])
    assert obs == [None, None, [{"earlier": 1, "later": 2, "RAW": ["a"]}], [[1, []], [2, [1]]],
                   [[1], [2]], {"error": "UNKNOWN_TX"}, True, [1]]


def test_operations_are_actions() -> None:
    """PAR-SCRIPT-3: reads append their values, failures of each kind give their canonical
    error, conflict_until counts attempts from 1, nested operations observe their own
    outcome; a failed operation is rolled back, the manager step is not atomic."""
    obs = run_script({"k": "0"}, [
        {"op": "execute_with_snapshot", "actions": [["set", "k", "1"], ["read", "k"],
                                                    ["read", "none"]]},
        {"op": "execute_with_snapshot", "actions": [["set", "k", "2"], ["fail", "OTHER"]]},
        {"op": "execute_with_retry", "max_retries": 3, "actions": [["conflict_until", 3]]},
        {"op": "execute_with_snapshot", "actions": [["nested", [["fail", "CONFLICT"]]]]},
        {"op": "manager", "actions": [["set", "m", "1"], ["rollback"]]},
        {"op": "state"}])
    assert obs[:4] == [{"value": ["1", None]}, {"error": "UNEXPECTED_EXCEPTION"},
                       {"value": [], "attempts": 4}, {"value": [{"error": "CONFLICT"}]}]
    assert obs[4] == {"error": "NO_SNAPSHOT"}
    assert obs[5] == {"storage": {"k": "1", "m": "1"}, "events": [], "depth": 0}


@pytest.mark.parametrize(("steps", "where"), [
    ("not a list", "steps"),
    ([{"op": "frobnicate"}], "steps[0].op"),
    ([{"no": "op"}], "steps[0]"),
    ([{"op": "record", "tx": "one"}], "steps[0].tx"),
    ([{"op": "record", "tx": 1, "reads": "a"}], "steps[0].reads"),
    ([{"op": "record", "tx": 1, "reads": ["\ud800"]}], "steps[0].reads[0]"),
    ([{"op": "execute_with_snapshot", "actions": [["explode"]]}], "steps[0].actions[0]"),
    ([{"op": "execute_with_snapshot", "actions": [["fail", "MAYBE"]]}],
     "steps[0].actions[0]"),
    ([{"op": "ws_submit", "tasks": [[1, 1]]}], "steps[0]"),
    ([{"op": "execute_in_batches", "order": [1],
       "txs": [{"tx": 1, "actions": [["juggle"]]}]}], "steps[0].txs[0].actions"),
])
def test_malformed_scripts_are_typed_errors(steps: Any, where: str) -> None:
    """PAR-SCRIPT-1: a script that does not follow the format is InvalidSchedulerScript
    naming the place, never an observation and never another exception."""
    with pytest.raises(InvalidSchedulerScript) as info:
        run_script({}, steps)
    assert info.value.where == where


def test_every_step_is_documented() -> None:
    """PAR-SCRIPT-4: the spec's list of steps is the runner's."""
    from ..support import REPO

    spec = (REPO / "spec" / "scheduling.md").read_text()
    text = spec.split("**PAR-SCRIPT-4.**", 1)[1].split("**PAR-SCRIPT-5.**", 1)[0]
    for op in STEPS:
        assert f"`{op}`" in text, op


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 255)), max_size=25,
                unique_by=lambda t: t[0]),
       st.sets(st.integers(0, 30)), st.integers(2, 8))
def test_work_stealing_outcomes_do_not_depend_on_workers(tasks: list[tuple[int, int]],
                                                         failing: set[int],
                                                         workers: int) -> None:
    """PAR-SCRIPT-2, PAR-WS-4: the observation of a work-stealing run is the same with one
    worker and with several, except the timing-dependent fields one worker adds."""
    def run(n: int) -> Any:
        return run_script({}, [{"op": "ws_new", "workers": n},
                               {"op": "ws_submit", "tasks": [list(t) for t in tasks]},
                               {"op": "ws_execute",
                                "fail": [[tx, "TX_FAILED"] for tx in sorted(failing)]}])[2]

    one, many = run(1), run(workers)
    assert one.pop("order") == [o[0] for o in one["outcomes"]] and one.pop("steals") == 0
    assert many == one


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(1, 5)), min_size=1,
                max_size=8), st.integers(1, 4))
def test_batches_give_the_sequential_counters(adds: list[tuple[str, int]], workers: int) -> None:
    """PAR-SCRIPT-5, PAR-BATCH-3: counters incremented by transactions that declare them end
    at the sums, whatever the worker count; the observation does not depend on it."""
    txs = [{"tx": i, "declared": {"reads": [k], "writes": [k]}, "actions": [["add", k, n]]}
           for i, (k, n) in enumerate(adds)]
    step = {"op": "execute_in_batches", "order": list(range(len(adds))), "txs": txs}
    one = run_script({}, [{**step, "workers": 1}])[0]
    assert run_script({}, [{**step, "workers": workers}])[0] == one
    for key in "abc":
        total = sum(n for k, n in adds if k == key)
        assert one["storage"].get(key) == (str(total) if total else None)
