"""Filler ``metrics``: timed metric events and the samples exported after them (spec/metrics.md,
METRIC-*; the format: spec/conformance.md section 18, CONF-METRIC-*).

Every case is a script of events at clock readings; the reference fills the answers. Event
times and latencies are chosen so the values are exactly representable where the formula
allows; where it does not (a success rate of one in three), the vector pins the formula's
order of operations.
"""

from __future__ import annotations

from typing import Any

from supervm_ref.conformance.formats.metrics import MetricsCase

AREA = "metrics"
SCRIPT = ["CONF-METRIC-1", "CONF-METRIC-2", "METRIC-PROM-2"]


def case(name: str, description: str, rules: list[str], events: list[dict[str, Any]],
         config: dict[str, Any] | None = None) -> MetricsCase:
    """A case of this area; every one cites the script rules and the exported names."""
    return MetricsCase(f"{AREA}/{name}", description, [*SCRIPT, *rules], events, config or {})


def ev(op: str, at: float, **members: Any) -> dict[str, Any]:
    """One event."""
    return {"op": op, "at": at, **members}


def export(at: float) -> dict[str, Any]:
    """An ``export`` step."""
    return ev("export", at)


def txns(at: float, commits: int, aborts: int = 0) -> list[dict[str, Any]]:
    """``commits`` committed and ``aborts`` aborted transactions, all at ``at``."""
    out: list[dict[str, Any]] = []
    for _ in range(commits):
        out += [ev("txn_start", at), ev("txn_commit", at)]
    for _ in range(aborts):
        out += [ev("txn_start", at), ev("txn_abort", at)]
    return out


def cases() -> list[MetricsCase]:
    """The metrics area (METRIC-*, CONF-METRIC-*)."""
    return [
        case("empty_state",
             "nothing recorded: every counter 0, TPS, success rate and quantiles 0.0, routing "
             "ratios 0.0, no ZK samples",
             ["METRIC-COLL-1", "METRIC-COLL-5", "METRIC-TPS-1", "METRIC-QUANT-1",
              "METRIC-ROUTE-1", "METRIC-ZK-2"],
             [export(0), export(123.5)]),
        case("tps_window_edges",
             "window 4 s: a run shorter than the window divides by its length (2 commits in "
             "2 s), then by the window; a commit exactly W old is outside; all at one instant "
             "is 0.0",
             ["METRIC-TPS-1"],
             [*txns(100, 1), export(100), *txns(102, 1), export(102), export(103),
              export(104), export(105.5), export(106), export(110)],
             {"tps_window_seconds": 4}),
        case("tps_long_run",
             "window 10 s (the default): 40 commits spread over 20 s, the rate over the last "
             "10 s only",
             ["METRIC-TPS-1", "METRIC-COLL-1"],
             [e for t in range(20) for e in txns(t * 1.0, 2)] + [export(19), export(20)]),
        case("tps_first_is_a_start",
             "the TPS divisor starts at the first record of any kind: a start at 0 then its "
             "commit at 4 is 1 commit in 8 s at 8 (0.125), not in 4 s",
             ["METRIC-TPS-1", "METRIC-COLL-1"],
             [ev("txn_start", 0), ev("txn_commit", 4), export(4), export(8)]),
        case("tps_first_is_an_abort",
             "an abort at 0 starts the TPS clock too: a commit at 6 is 1 commit in 8 s at 8 "
             "(0.125), not in 2 s (the start at 4 comes later)",
             ["METRIC-TPS-1", "METRIC-COLL-1"],
             [ev("txn_abort", 0), ev("txn_start", 4), ev("txn_commit", 6), export(8)]),
        case("tps_window_membership_on_doubles",
             "window 7.9 s, a commit at 39.32: at 47.22, now - W rounds to 39.32 in double, so "
             "the commit (stamp <= now - W) is outside (0.0), although now - t = "
             "7.899999999999999 < W and the exact difference is below W; at 47.21 it is inside",
             ["METRIC-TPS-1"],
             [ev("txn_start", 39.32), ev("txn_commit", 39.32), export(47.21), export(47.22)],
             {"tps_window_seconds": 7.9}),
        case("tps_window_membership_on_doubles_inside",
             "window 16.17 s, a commit at 5.88: at 22.05, now - W rounds to "
             "5.879999999999999, below the stamp, so the commit is inside, although now - t "
             "is 16.17 = W in double",
             ["METRIC-TPS-1"],
             [ev("txn_start", 5.88), ev("txn_commit", 5.88), export(22.05)],
             {"tps_window_seconds": 16.17}),
        case("clock_never_goes_back",
             "a reading earlier than the last one counts as the last one",
             ["METRIC-TPS-2", "METRIC-TPS-1"],
             [*txns(10, 1), *txns(12, 1), export(11), export(1)],
             {"tps_window_seconds": 4}),
        case("success_rate_formula",
             "3 commits and 1 abort: 75.0; then 3 in 9: committed / ended * 100, division "
             "first (33.33333333333333, not 100 / 3 = 33.333333333333336)",
             ["METRIC-COLL-5", "METRIC-COLL-1"],
             [*txns(0, 3, 1), export(1), *[ev("txn_abort", 2) for _ in range(5)],
              export(3)],
             {}),
        case("quantiles_at_window_overflow",
             "latency window 4: nearest-rank p50/p90/p99 over 1 sample, 4 samples, then the "
             "last 4 of 6 (the oldest drop out); latencies exactly representable",
             ["METRIC-QUANT-1"],
             [ev("txn_latency", 0, ms=2.5), export(0),
              ev("txn_latency", 1, ms=0.25), ev("txn_latency", 1, ms=7),
              ev("txn_latency", 1, ms=1.5), export(1),
              ev("txn_latency", 2, ms=100), ev("txn_latency", 2, ms=0), export(2)],
             {"latency_window": 4}),
        case("quantiles_of_ten",
             "ten latencies 1..10: p50 is the 5th, p90 the 9th, p99 the 10th",
             ["METRIC-QUANT-1"],
             [ev("txn_latency", 0, ms=v) for v in (10, 9, 8, 7, 6, 5, 4, 3, 2, 1)]
             + [export(0)]),
        case("gc_and_flush_counters",
             "GC runs and versions cleaned, flushes, keys and bytes add up",
             ["METRIC-COLL-4"],
             [ev("gc", 0, runs=1, versions_cleaned=5), ev("gc", 1, runs=1, versions_cleaned=0),
              ev("flush", 2, flush_count=1, keys_flushed=3, bytes_flushed=96),
              ev("flush", 3, flush_count=1, keys_flushed=0, bytes_flushed=0), export(4)]),
        case("routing_ratios",
             "route counts 1 fast, 1 consensus, 2 privacy: ratios 0.25, 0.25, 0.5; the "
             "router's target and adjustments as given; then 3 more fast",
             ["METRIC-ROUTE-1"],
             [ev("route", 0, fast=1, consensus=1, privacy=2),
              ev("router", 0, target_fast_ratio=0.75, adjustments=3), export(0),
              ev("route", 1, fast=3, consensus=0, privacy=0), export(1)]),
        case("zk_window_stats",
             "ZK window 4: six latencies 1..6 ms: count 6, average 3.5 over all, last 6, "
             "p50 4 and p95 6 over the last four, window size 4",
             ["METRIC-ZK-2", "METRIC-ZK-3"],
             [ev("zk_verify", 0, ms=1), export(0),
              *[ev("zk_verify", 1, ms=v) for v in (2, 3, 4, 5, 6)], export(1)],
             {"zk_latency_window": 4}),
        case("zk_average_is_the_sum_over_the_count",
             "ZK latencies 0.1, 0.2, 0.3 ms: the average is their double sum in recording "
             "order, 0.6000000000000001, over 3 (0.20000000000000004), not a running mean "
             "(0.2) nor an exact sum (0.19999999999999998); after each one too",
             ["METRIC-ZK-2"],
             [ev("zk_verify", 0, ms=0.1), export(0), ev("zk_verify", 1, ms=0.2), export(1),
              ev("zk_verify", 2, ms=0.3), export(2)]),
        case("bad_inputs_record_nothing",
             "negative, text and boolean latencies, negative and boolean counts, a flush "
             "field that is not an integer, a target outside [0, 1]: each refused with its "
             "argument, nothing recorded",
             ["METRIC-ERR-1"],
             [ev("txn_latency", 0, ms=-1), ev("txn_latency", 0, ms="1"),
              ev("txn_latency", 0, ms=True), ev("zk_verify", 0, ms=-0.5),
              ev("gc", 0, runs=-1, versions_cleaned=0),
              ev("gc", 0, runs=1, versions_cleaned=False),
              ev("flush", 0, flush_count=1, keys_flushed=1.5, bytes_flushed=0),
              ev("route", 0, fast=1, consensus=-1, privacy=0),
              ev("router", 0, target_fast_ratio=1.5, adjustments=0), export(0)]),
        case("bad_window_is_a_configuration_error",
             "a latency window of 0 cannot be used: the configuration's error, no event runs",
             ["METRIC-ERR-1"],
             [export(0)], {"latency_window": 0}),
    ]
