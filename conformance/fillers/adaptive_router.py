"""Filler ``adaptive_router``: the adaptive router as step scripts (spec/adaptive.md,
ROUTE-ADAPT-*; the format: spec/conformance.md section 14, CONF-ROUTER-*).

Each case is a configuration, as the texts of the ``SUPERVM_ADAPTIVE_*`` variables, and steps
-- observations, ``fast_slots`` queries and ``stats`` -- whose answers the reference fills, or a
configuration that cannot be used and its canonical error. They pin the window rule, the update
rule at its strict thresholds in integers, clamping, the adjustment count, round-half-even slots,
the statistics, bad arguments and every kind of configuration error.
"""

from __future__ import annotations

from typing import Any

from supervm_ref.conformance.formats.router import RouterCase

AREA = "adaptive_router"
SCRIPT = ["CONF-ROUTER-1", "CONF-ROUTER-2", "ROUTE-ADAPT-11"]
RULE = ["ROUTE-ADAPT-8", "ROUTE-ADAPT-9"]


def case(name: str, description: str, rules: list[str], steps: list[dict[str, Any]],
         config: dict[str, str] | None = None) -> RouterCase:
    """A case of this area; every one cites the script rules and determinism."""
    return RouterCase(f"{AREA}/{name}", description, [*SCRIPT, *rules], config or {}, steps)


def obs(transactions: Any, successes: Any, conflicts: Any) -> dict[str, Any]:
    """An ``observe`` step."""
    return {"op": "observe", "transactions": transactions, "successes": successes,
            "conflicts": conflicts}


def slots(*capacities: Any) -> list[dict[str, Any]]:
    """``fast_slots`` steps."""
    return [{"op": "fast_slots", "capacity": c} for c in capacities]


STATS = {"op": "stats"}
SMALL = {"SUPERVM_ADAPTIVE_UPDATE_EVERY": "10"}


def rule_cases() -> list[RouterCase]:
    """ROUTE-ADAPT-7..10, 12: windows, the rule, clamping, slots, statistics."""
    return [
        case("defaults_calm_windows_raise_to_max",
             "the seed's defaults: six windows of 100 transactions without conflicts raise "
             "the target 0.70 -> 0.90 in four adjustments, then it stays at the maximum",
             ["ROUTE-ADAPT-1", *RULE, "ROUTE-ADAPT-12"],
             [STATS, *[obs(100, 100, 0) for _ in range(6)], STATS, *slots(10, 100)]),
        case("bad_windows_lower_to_min",
             "conflict rate above 25% lowers the target by 0.05 per window down to 0.10, then "
             "no adjustment",
             ["ROUTE-ADAPT-1", *RULE],
             [*[obs(100, 100, 30) for _ in range(14)], STATS]),
        case("thresholds_are_strict",
             "exactly 25% conflicts is not above conflict_high, exactly 5% not below "
             "conflict_low, exactly 80% successes not below success_low; one more or less "
             "crosses",
             RULE,
             [obs(100, 100, 25), obs(100, 100, 26), obs(100, 100, 5), obs(100, 100, 4),
              obs(100, 80, 0), obs(100, 79, 0), obs(100, 0, 100), STATS]),
        case("success_below_low_lowers_a_calm_window",
             "few successes lower the target even without conflicts (the down test comes "
             "first)",
             RULE, [obs(100, 50, 0), obs(100, 50, 0)]),
        case("window_closes_with_the_whole_observation",
             "update_every 10: 9 then 1 transactions close one window; 25 at once are one "
             "window, not two; 0-transaction observations only count; leftover is never "
             "carried",
             ["ROUTE-ADAPT-7", *RULE, "ROUTE-ADAPT-12"],
             [obs(9, 9, 0), STATS, obs(1, 1, 1), STATS, obs(25, 25, 1), STATS,
              obs(0, 0, 0), obs(3, 3, 3), STATS, obs(7, 7, 0), STATS],
             SMALL),
        case("exact_rates_at_a_third",
             "1 conflict in 3 is above 0.333333 and not above 0.333334: rates are compared "
             "as integers, never through a float",
             RULE,
             [obs(3, 3, 1), STATS],
             {"SUPERVM_ADAPTIVE_UPDATE_EVERY": "3",
              "SUPERVM_ADAPTIVE_CONFLICT_HIGH": "0.333333"}),
        case("exact_rates_at_a_third_not_above",
             "1 conflict in 3 is not above 0.333334 and not below 0.05: unchanged",
             RULE,
             [obs(3, 3, 1), STATS],
             {"SUPERVM_ADAPTIVE_UPDATE_EVERY": "3",
              "SUPERVM_ADAPTIVE_CONFLICT_HIGH": "0.333334"}),
        case("seed_environment_example",
             "the seed's example: INIT 0.55, STEP_UP 0.02, STEP_DOWN 0.04; up, up, down, down, "
             "down, with slots of 7, 10, 100 and 1,000 after",
             ["ROUTE-ADAPT-4", *RULE, "ROUTE-ADAPT-10"],
             [obs(100, 100, 0), obs(100, 100, 0), obs(100, 100, 50), obs(100, 100, 50),
              obs(100, 100, 50), *slots(7, 10, 100, 1000), STATS],
             {"SUPERVM_ADAPTIVE_INIT": "0.55", "SUPERVM_ADAPTIVE_STEP_UP": "0.02",
              "SUPERVM_ADAPTIVE_STEP_DOWN": "0.04"}),
        case("partial_steps_are_clamped",
             "a step of 0.25 from 0.70: 0.45, 0.20, then clamped to the minimum 0.10 (an "
             "adjustment), then no change (not an adjustment); up: 0.35 ... clamped to 0.90",
             [*RULE],
             [obs(1, 0, 1) for _ in range(4)] + [obs(1, 1, 0) for _ in range(5)] + [STATS],
             {"SUPERVM_ADAPTIVE_UPDATE_EVERY": "1", "SUPERVM_ADAPTIVE_STEP_DOWN": "0.25",
              "SUPERVM_ADAPTIVE_STEP_UP": "0.25"}),
        case("fixed_target_and_zero_steps",
             "min = initial = max (and zero steps): no window is ever an adjustment",
             ["ROUTE-ADAPT-3", *RULE],
             [obs(1, 1, 0), obs(1, 0, 1), obs(1, 1, 0), STATS, *slots(3)],
             {"SUPERVM_ADAPTIVE_UPDATE_EVERY": "1", "SUPERVM_ADAPTIVE_MIN": "0.5",
              "SUPERVM_ADAPTIVE_INIT": "0.5", "SUPERVM_ADAPTIVE_MAX": "0.5",
              "SUPERVM_ADAPTIVE_STEP_UP": "0", "SUPERVM_ADAPTIVE_STEP_DOWN": "0"}),
        case("fast_slots_round_half_even",
             "target 0.5: 1 -> 0, 3 -> 2, 5 -> 2, 7 -> 4 (ties to even); 0 -> 0; the largest "
             "capacity, 2**32 - 1, a tie too",
             ["ROUTE-ADAPT-10"],
             [*slots(0, 1, 2, 3, 5, 7, 4294967295)],
             {"SUPERVM_ADAPTIVE_INIT": "0.5"}),
        case("fast_slots_of_a_tiny_target",
             "target one millionth: 500,000 slots -> 0 (tie to even), 1,500,000 -> 2, "
             "2,500,000 -> 2, 2,500,001 -> 3",
             ["ROUTE-ADAPT-10", "ROUTE-ADAPT-2"],
             [*slots(500000, 1500000, 2500000, 2500001)],
             {"SUPERVM_ADAPTIVE_INIT": "0.000001", "SUPERVM_ADAPTIVE_MIN": "0"}),
        case("long_trailing_zeros_are_exact",
             "INIT 0.5 followed by 40 zeros is exactly 0.5 (trailing zeros of any length are "
             "fine): a tie at 5 slots rounds to 2",
             ["ROUTE-ADAPT-2", "ROUTE-ADAPT-4", "ROUTE-ADAPT-10"],
             [*slots(5, 7), STATS],
             {"SUPERVM_ADAPTIVE_INIT": "0.5" + "0" * 40}),
        case("full_and_empty_targets",
             "bounds 0 and 1: all slots or none",
             ["ROUTE-ADAPT-10", "ROUTE-ADAPT-3"],
             [*slots(9), obs(1, 0, 1), *slots(9)],
             {"SUPERVM_ADAPTIVE_INIT": "1", "SUPERVM_ADAPTIVE_MAX": "1",
              "SUPERVM_ADAPTIVE_MIN": "0", "SUPERVM_ADAPTIVE_STEP_DOWN": "1",
              "SUPERVM_ADAPTIVE_UPDATE_EVERY": "1"}),
        case("bad_arguments_change_nothing",
             "negative, too large, boolean, fractional and text counts, successes or conflicts "
             "above transactions (each independently), and bad capacities are "
             "invalid_argument naming the first bad argument; the statistics are unchanged",
             ["ROUTE-ADAPT-7", "ROUTE-ADAPT-10", "ROUTE-ADAPT-12"],
             [obs(-1, 0, 0), obs(4294967296, 0, 0), obs(True, 0, 0), obs(1.5, 0, 0),
              obs("5", 0, 0), obs(5, 6, 0), obs(5, -1, 9), obs(5, 5, 6), obs(5, 5, False),
              obs(None, None, None), obs(5, 5, 5), STATS,
              *slots(-1, 4294967296, True, 2.0, "3", None), STATS],
             SMALL),
    ]


def error_case(name: str, description: str, config: dict[str, str],
               rules: list[str]) -> RouterCase:
    """A configuration that cannot be used (ROUTE-ADAPT-6): no step runs."""
    return case(f"config_error_{name}", description, ["ROUTE-ADAPT-6", *rules],
                [obs(100, 100, 0)], config)


def config_error_cases() -> list[RouterCase]:
    """ROUTE-ADAPT-2..6: every kind of configuration error."""
    a = "SUPERVM_ADAPTIVE_"
    malformed = ["ROUTE-ADAPT-2", "ROUTE-ADAPT-4"]
    return [
        error_case("malformed_texts",
                   "a ratio text must be digits with an optional point and digits",
                   {f"{a}STEP_UP": "5e-2"}, malformed),
        error_case("empty_is_not_unset", "an empty value is malformed, not the default",
                   {f"{a}INIT": ""}, malformed),
        error_case("nan", "NaN is malformed", {f"{a}CONFLICT_HIGH": "NaN"}, malformed),
        error_case("infinity", "inf is malformed", {f"{a}MAX": "inf"}, malformed),
        error_case("signed", "a sign is malformed", {f"{a}MIN": "-0.1"}, malformed),
        error_case("blank", "surrounding blanks are malformed",
                   {f"{a}SUCCESS_LOW": " 0.8"}, malformed),
        error_case("update_every_fraction", "UPDATE_EVERY 1.0 is not an integer",
                   {f"{a}UPDATE_EVERY": "1.0"}, malformed),
        error_case("out_of_range", "a ratio above 1 is out of range",
                   {f"{a}STEP_DOWN": "1.5"}, ["ROUTE-ADAPT-2"]),
        error_case("update_every_zero", "UPDATE_EVERY 0 is out of range",
                   {f"{a}UPDATE_EVERY": "0"}, ["ROUTE-ADAPT-2"]),
        error_case("update_every_too_large", "UPDATE_EVERY 2**32 is out of range",
                   {f"{a}UPDATE_EVERY": "4294967296"}, ["ROUTE-ADAPT-2"]),
        error_case("too_precise", "seven decimal places are too precise (never rounded)",
                   {f"{a}CONFLICT_LOW": "0.0500001"}, ["ROUTE-ADAPT-2"]),
        error_case("too_precise_beyond_28_digits",
                   "0.1 and a 1 at the 31st decimal place is too precise: the check is exact, "
                   "not made in a 28-digit decimal context that would round it to 0.1",
                   {f"{a}MIN": "0.1000000000000000000000000000001"}, ["ROUTE-ADAPT-2"]),
        error_case("too_precise_long_initial",
                   "INIT 0.7 and a 1 at the 38th decimal place is too precise (not rounded "
                   "to the default 0.7)",
                   {f"{a}INIT": "0.70000000000000000000000000000000000001"},
                   ["ROUTE-ADAPT-2"]),
        error_case("first_failure_in_field_order",
                   "several bad values: the first in the order of ROUTE-ADAPT-1 is reported",
                   {f"{a}UPDATE_EVERY": "x", f"{a}SUCCESS_LOW": "2", f"{a}MAX": "y"},
                   ["ROUTE-ADAPT-2"]),
        error_case("min_above_initial", "MIN 0.8 above the default INIT 0.7: not swapped",
                   {f"{a}MIN": "0.8"}, ["ROUTE-ADAPT-3"]),
        error_case("initial_above_max", "INIT 0.95 above the default MAX 0.9: not clamped",
                   {f"{a}INIT": "0.95"}, ["ROUTE-ADAPT-3"]),
        error_case("min_above_max", "MIN 0.95 above MAX 0.05: MIN against INIT is reported",
                   {f"{a}MIN": "0.95", f"{a}MAX": "0.05"}, ["ROUTE-ADAPT-3"]),
        error_case("conflict_thresholds_crossed", "CONFLICT_LOW above CONFLICT_HIGH",
                   {f"{a}CONFLICT_LOW": "0.3", f"{a}CONFLICT_HIGH": "0.2"},
                   ["ROUTE-ADAPT-3"]),
        error_case("unknown_variable", "a misspelt variable is an error, before any value",
                   {f"{a}STEPUP": "0.1", f"{a}INIT": "x"}, ["ROUTE-ADAPT-4"]),
    ]


def cases() -> list[RouterCase]:
    """The adaptive_router area (ROUTE-ADAPT-*, CONF-ROUTER-*)."""
    return [*rule_cases(), *config_error_cases()]
