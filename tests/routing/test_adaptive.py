"""The adaptive router (spec/adaptive.md ROUTE-ADAPT-7..13): observations, windows, the
update rule in integers, fast_slots, determinism, threads and statistics; hypothesis properties
of all of them."""

from __future__ import annotations

import threading
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import supervm_ref
from supervm_ref import AdaptiveRouter, AdaptiveRouterConfig
from supervm_ref.errors import InvalidArgumentError
from supervm_ref.routing.adaptive import PPM, AdaptiveRouterStats, ppm_text, round_half_even

Observation = tuple[int, int, int]


def small(update_every: int = 10, **values: object) -> AdaptiveRouterConfig:
    return AdaptiveRouterConfig.from_values({"update_every": update_every, **values})


def feed(router: AdaptiveRouter, observations: list[Observation]) -> list[tuple[bool, int, int]]:
    """Observe each (transactions, successes, conflicts); after each: moved, target, count."""
    out = []
    for n, s, c in observations:
        moved = router.observe(transactions=n, successes=s, conflicts=c)
        out.append((moved, router.target_fast_ratio_ppm(), router.adjustments()))
    return out


def test_new_router_and_exports() -> None:
    """ROUTE-ADAPT-7, ROUTE-ADAPT-12: a router starts at the initial ratio with nothing
    observed; the names import from supervm_ref (RT-API-1)."""
    assert "AdaptiveRouter" in supervm_ref.__all__ and "AdaptiveRouterConfig" in supervm_ref.__all__
    router = AdaptiveRouter()
    assert router.target_fast_ratio() == 0.7 and router.target_fast_ratio_ppm() == 700_000
    assert router.adjustments() == 0 and router.config == AdaptiveRouterConfig()
    assert router.stats() == AdaptiveRouterStats(700_000, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    for bad in ("x", {}, 3):
        with pytest.raises(InvalidArgumentError):
            AdaptiveRouter(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(("kwargs", "argument"), [
    ({"transactions": -1, "successes": 0, "conflicts": 0}, "transactions"),
    ({"transactions": 2**32, "successes": 0, "conflicts": 0}, "transactions"),
    ({"transactions": True, "successes": 0, "conflicts": 0}, "transactions"),
    ({"transactions": 1.0, "successes": 0, "conflicts": 0}, "transactions"),
    ({"transactions": "5", "successes": 0, "conflicts": 0}, "transactions"),
    ({"transactions": 5, "successes": 6, "conflicts": 0}, "successes"),
    ({"transactions": 5, "successes": -1, "conflicts": 0}, "successes"),
    ({"transactions": 5, "successes": False, "conflicts": 0}, "successes"),
    ({"transactions": 5, "successes": None, "conflicts": 0}, "successes"),
    ({"transactions": 5, "successes": 5, "conflicts": 6}, "conflicts"),
    ({"transactions": 5, "successes": 5, "conflicts": -2}, "conflicts"),
    ({"transactions": 5, "successes": 5, "conflicts": 1.5}, "conflicts"),
])
def test_bad_observations_are_typed_errors(kwargs: dict[str, Any], argument: str) -> None:
    """ROUTE-ADAPT-7: wrong types and ranges are InvalidArgumentError naming the argument, and
    the router is unchanged."""
    router = AdaptiveRouter(small(update_every=1))
    before = router.stats()
    with pytest.raises(InvalidArgumentError) as info:
        router.observe(**kwargs)
    assert info.value.argument == argument
    assert router.stats() == before
    with pytest.raises(TypeError):
        router.observe(5, 5, 0)  # type: ignore[misc]


def test_observations_are_independent_counts() -> None:
    """ROUTE-ADAPT-7: successes and conflicts are each at most transactions, not their sum;
    zero transactions count only as an observation."""
    router = AdaptiveRouter(small())
    assert router.observe(transactions=4, successes=4, conflicts=4) is False
    assert router.observe(transactions=0, successes=0, conflicts=0) is False
    stats = router.stats()
    assert (stats.observations, stats.transactions, stats.successes, stats.conflicts) == (
        2, 4, 4, 4)
    assert (stats.window_transactions, stats.windows) == (4, 0)


def test_window_closes_at_update_every_with_the_whole_observation() -> None:
    """ROUTE-ADAPT-8: the window closes when it reaches update_every transactions or more; the
    closing observation belongs to it wholly; the next window starts empty; one observe closes
    at most one window."""
    router = AdaptiveRouter(small(update_every=10))
    assert feed(router, [(9, 9, 0)]) == [(False, 700_000, 0)]
    assert router.stats().window_transactions == 9
    # 9 calm + 1 with 1 conflict: rate 1/10 = 10% is between 5% and 25%: unchanged.
    assert feed(router, [(1, 1, 1)]) == [(False, 700_000, 0)]
    stats = router.stats()
    assert (stats.windows, stats.window_transactions) == (1, 0)
    # 25 transactions at once: one window of 25 (not two and a half), calm: up once.
    assert feed(router, [(25, 25, 1)]) == [(True, 750_000, 1)]
    assert router.stats().windows == 2 and router.stats().window_transactions == 0


def test_update_rule() -> None:
    """ROUTE-ADAPT-9: conflict rate > high or success < low lowers by step_down; else
    conflict rate < low raises by step_up; else unchanged; strict comparisons at the
    thresholds; clamped to [min, max]; an adjustment only when the target changed."""
    config = small(update_every=100)
    cases: list[tuple[Observation, int]] = [
        ((100, 100, 26), 650_000),   # conflicts above 25%: down
        ((100, 100, 25), 700_000),   # exactly 25%: not above; not below 5%: unchanged
        ((100, 79, 0), 650_000),     # successes below 80%: down, though calm
        ((100, 80, 0), 750_000),     # exactly 80%: not below; 0 conflicts < 5%: up
        ((100, 100, 5), 700_000),    # exactly 5%: not below: unchanged
        ((100, 100, 4), 750_000),    # below 5%: up
        ((100, 0, 100), 650_000),    # both bad: down once
    ]
    for observation, target in cases:
        router = AdaptiveRouter(config)
        n, s, c = observation
        assert router.observe(transactions=n, successes=s, conflicts=c) is (target != 700_000)
        assert router.target_fast_ratio_ppm() == target, observation
    # Clamping: up to max 0.9 in four steps, then no adjustment.
    router = AdaptiveRouter(config)
    moves = feed(router, [(100, 100, 0)] * 6)
    assert [m[1] for m in moves] == [750_000, 800_000, 850_000, 900_000, 900_000, 900_000]
    assert [m[0] for m in moves] == [True] * 4 + [False] * 2 and router.adjustments() == 4
    # Down to min 0.1, a partial last step clamped.
    router = AdaptiveRouter(small(update_every=1, step_down="0.25"))
    assert [m[1] for m in feed(router, [(1, 0, 1)] * 4)] == [450_000, 200_000, 100_000,
                                                              100_000]
    assert router.adjustments() == 3
    # Steps of zero never adjust.
    router = AdaptiveRouter(small(update_every=1, step_up=0, step_down=0))
    assert feed(router, [(1, 1, 0), (1, 0, 1)]) == [(False, 700_000, 0)] * 2


def test_integer_comparisons_at_a_fraction_boundary() -> None:
    """ROUTE-ADAPT-9: rates are compared exactly: 1 conflict in 3 against a threshold of
    0.333333 is above it (1/3 > 333333/10**6), where a float rounding could go either way."""
    router = AdaptiveRouter(small(update_every=3, conflict_high="0.333333"))
    assert router.observe(transactions=3, successes=3, conflicts=1) is True
    router = AdaptiveRouter(small(update_every=3, conflict_high="0.333334"))
    assert router.observe(transactions=3, successes=3, conflicts=1) is False


@pytest.mark.parametrize(("target", "capacity", "slots"), [
    ("0.7", 10, 7), ("0.7", 0, 0), ("0.25", 2, 0), ("0.75", 2, 2), ("0.5", 1, 0),
    ("0.5", 3, 2), ("0.5", 5, 2), ("0.5", 7, 4), ("1", 2**32 - 1, 2**32 - 1), ("0", 9, 0),
    ("0.000001", 500_000, 0), ("0.000001", 1_500_000, 2), ("0.000001", 2_500_000, 2),
])
def test_fast_slots_rounds_half_even(target: str, capacity: int, slots: int) -> None:
    """ROUTE-ADAPT-10: round-half-even(target x capacity), in integers."""
    config = small(initial_fast_ratio=target, min_ratio=0, max_ratio=1)
    assert AdaptiveRouter(config).fast_slots(capacity) == slots


@pytest.mark.parametrize("bad", [-1, 2**32, True, 1.0, "3", None])
def test_fast_slots_checks_capacity(bad: object) -> None:
    """ROUTE-ADAPT-10: capacity is an int in [0, 2**32 - 1]."""
    with pytest.raises(InvalidArgumentError):
        AdaptiveRouter().fast_slots(bad)  # type: ignore[arg-type]


def test_stats_snapshot() -> None:
    """ROUTE-ADAPT-12: stats is a frozen snapshot of target, adjustments, windows, totals and
    the open window; the float target is derived from the integer."""
    router = AdaptiveRouter(small(update_every=10))
    feed(router, [(10, 10, 0), (3, 2, 1)])
    stats = router.stats()
    assert stats.as_dict() == {
        "target_ppm": 750_000, "adjustments": 1, "windows": 1, "observations": 2,
        "transactions": 13, "successes": 12, "conflicts": 1, "window_transactions": 3,
        "window_successes": 2, "window_conflicts": 1}
    assert stats.target_fast_ratio == 0.75 == router.target_fast_ratio()
    with pytest.raises(AttributeError):
        stats.adjustments = 5  # type: ignore[misc]
    feed(router, [(7, 7, 0)])
    assert stats.windows == 1 and router.stats().windows == 2


def test_no_operation_takes_a_transaction() -> None:
    """ROUTE-ADAPT-13: the router steers block composition only; it has no operation that
    takes (or re-routes) a transaction."""
    public = {name for name in dir(AdaptiveRouter) if not name.startswith("_")}
    assert public == {"config", "target_fast_ratio", "target_fast_ratio_ppm", "adjustments",
                      "observe", "fast_slots", "stats"}


def test_threads_apply_observations_one_at_a_time() -> None:
    """ROUTE-ADAPT-11: concurrent observations from several threads give the totals of all
    of them and a window count equal to a sequential run of the same multiset (every
    observation here is a whole window)."""
    router = AdaptiveRouter(small(update_every=5))

    def worker() -> None:
        for _ in range(200):
            router.observe(transactions=5, successes=5, conflicts=0)
            router.fast_slots(100)
            router.stats()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stats = router.stats()
    assert (stats.observations, stats.transactions, stats.windows) == (800, 4000, 800)
    assert stats.target_ppm == 900_000 and stats.adjustments == 4


# --- Properties -------------------------------------------------------------------------------

def observation() -> st.SearchStrategy[Observation]:
    return st.integers(0, 60).flatmap(lambda n: st.tuples(
        st.just(n), st.integers(0, n), st.integers(0, n)))


def configs() -> st.SearchStrategy[AdaptiveRouterConfig]:
    ppm = st.integers(0, PPM)

    def build(bounds: list[int], steps: tuple[int, int], conflict: list[int],
              success: int, update_every: int) -> AdaptiveRouterConfig:
        low, initial, high = sorted(bounds)
        conflict_low, conflict_high = sorted(conflict)
        values = {"min_ratio": low, "initial_fast_ratio": initial, "max_ratio": high,
                  "step_up": steps[0], "step_down": steps[1], "conflict_low": conflict_low,
                  "conflict_high": conflict_high, "success_low": success}
        texts: dict[str, object] = {k: ppm_text(v) for k, v in values.items()}
        return AdaptiveRouterConfig.from_values({**texts, "update_every": update_every})

    return st.builds(build, st.lists(ppm, min_size=3, max_size=3),
                     st.tuples(st.integers(0, 300_000), st.integers(0, 300_000)),
                     st.lists(ppm, min_size=2, max_size=2), ppm, st.integers(1, 120))


def model(config: AdaptiveRouterConfig, observations: list[Observation]) -> list[int]:
    """An independent model of ROUTE-ADAPT-8/9 with Fractions: the target after each step."""
    r = {name: Fraction(config.ppm(name), PPM) for name in
         ("initial_fast_ratio", "min_ratio", "max_ratio", "step_up", "step_down",
          "conflict_low", "conflict_high", "success_low")}
    target, window, out = r["initial_fast_ratio"], [0, 0, 0], []
    for n, s, c in observations:
        window = [window[0] + n, window[1] + s, window[2] + c]
        if window[0] >= config.update_every:
            total, succ, conf = window
            window = [0, 0, 0]
            if Fraction(conf, total) > r["conflict_high"] or \
                    Fraction(succ, total) < r["success_low"]:
                target = max(r["min_ratio"], target - r["step_down"])
            elif Fraction(conf, total) < r["conflict_low"]:
                target = min(r["max_ratio"], target + r["step_up"])
        out.append(int(target * PPM))
    return out


@settings(max_examples=150, deadline=None)
@given(configs(), st.lists(observation(), max_size=40))
def test_targets_follow_the_rule_and_stay_in_bounds(config: AdaptiveRouterConfig,
                                                    observations: list[Observation]) -> None:
    """ROUTE-ADAPT-8/9/11: the targets equal an exact model's, always within [min, max]; the
    adjustment count equals the number of target changes; observe returns True exactly on a
    change; the same sequence gives the same results."""
    router = AdaptiveRouter(config)
    steps = feed(router, observations)
    assert [t for _, t, _ in steps] == model(config, observations)
    previous, changes = config.ppm("initial_fast_ratio"), 0
    for moved, target, adjustments in steps:
        assert config.ppm("min_ratio") <= target <= config.ppm("max_ratio")
        assert moved is (target != previous)
        changes += moved
        assert adjustments == changes
        previous = target
    assert feed(AdaptiveRouter(config), observations) == steps
    stats = router.stats()
    assert stats.transactions == sum(o[0] for o in observations)
    assert stats.window_transactions < config.update_every


@settings(max_examples=150, deadline=None)
@given(configs(), st.lists(observation(), max_size=30), st.data())
def test_splitting_within_a_window_changes_nothing(config: AdaptiveRouterConfig,
                                                   observations: list[Observation],
                                                   data: st.DataObject) -> None:
    """ROUTE-ADAPT-8: merging consecutive observations that close no window into the next one
    (the same windows with the same counts) gives the same targets at every window's close."""
    merged: list[Observation] = []
    pending = [0, 0, 0]
    window = 0
    closes: list[int] = []  # the index in `observations` of each closing observation
    merged_closes: list[int] = []  # and in `merged`
    for i, (n, s, c) in enumerate(observations):
        pending = [pending[0] + n, pending[1] + s, pending[2] + c]
        window += n
        closing = window >= config.update_every
        if closing or data.draw(st.booleans()):
            merged.append((pending[0], pending[1], pending[2]))
            pending = [0, 0, 0]
        if closing:
            window = 0
            closes.append(i)
            merged_closes.append(len(merged) - 1)
    if pending != [0, 0, 0]:
        merged.append((pending[0], pending[1], pending[2]))
    a, b = AdaptiveRouter(config), AdaptiveRouter(config)
    original = feed(a, observations)
    grouped = feed(b, merged)
    assert [original[i] for i in closes] == [grouped[i] for i in merged_closes]
    assert a.stats().target_ppm == b.stats().target_ppm
    assert a.stats().adjustments == b.stats().adjustments
    assert a.stats().windows == b.stats().windows == len(closes)
    assert (a.stats().window_transactions, a.stats().transactions) == (
        b.stats().window_transactions, b.stats().transactions)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, PPM), st.integers(0, PPM), st.integers(0, 2**32 - 1))
def test_fast_slots_bounds_and_monotonicity(t1: int, t2: int, capacity: int) -> None:
    """ROUTE-ADAPT-10: fast_slots is in [0, capacity], monotone in the target, and equals
    Python's round (half even) of the exact fraction."""
    low, high = sorted((t1, t2))
    slots = [round_half_even(t * capacity, PPM) for t in (low, high)]
    assert 0 <= slots[0] <= slots[1] <= capacity
    assert slots[0] == round(Fraction(low * capacity, PPM))
    config = small(initial_fast_ratio=f"0.{low:06d}" if low < PPM else "1", min_ratio=0,
                   max_ratio=1)
    assert AdaptiveRouter(config).fast_slots(capacity) == slots[0]
