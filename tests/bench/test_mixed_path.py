"""``supervm bench mixed-path`` (spec/routing.md ROUTE-BENCH-1): the workload's invariants, the
seed's figures and option forms, usage errors. Tiny sizes; nothing here depends on timing."""

from __future__ import annotations

import json

import pytest

from supervm_ref.bench import mixed_path
from supervm_ref.cli import main
from supervm_ref.cli.bench import expand_colon_forms
from supervm_ref.routing import AdaptiveRouter, Route, route_of


def figures(text: str) -> dict[str, str]:
    """The ``name value`` lines of a report."""
    return dict(line.split(" ", 1) for line in text.splitlines() if not line.startswith("#"))


@pytest.mark.parametrize("txs, owned, privacy, expected", [
    (100, 0.7, 0.1, (70, 20, 10)), (10, 0.0, 0.0, (0, 10, 0)), (7, 1.0, 0.0, (7, 0, 0)),
    (3, 0.5, 0.5, (2, 0, 1)), (1, 0.5, 0.5, (0, 1, 0)),
])
def test_plan_counts_add_up(txs: int, owned: float, privacy: float,
                            expected: tuple[int, int, int]) -> None:
    """ROUTE-BENCH-1: round(txs * ratio) per path, privacy at most what is left, consensus
    the rest; the counts always add up to txs."""
    p = mixed_path.plan(txs, owned, privacy)
    assert (p["fast"], p["consensus"], p["privacy"]) == expected
    assert sum(p.values()) == txs


def test_workload_is_seeded_and_routes_as_planned() -> None:
    """ROUTE-BENCH-1: the same seed gives the same transactions; another seed another order;
    each transaction's route is the path it was generated for (ROUTE-PATH-1)."""
    a = mixed_path.generate(60, 0.5, 0.2, seed=7)
    b = mixed_path.generate(60, 0.5, 0.2, seed=7)
    c = mixed_path.generate(60, 0.5, 0.2, seed=8)
    assert [tx.digest for _, tx, _ in a.items] == [tx.digest for _, tx, _ in b.items]
    assert [tx.digest for _, tx, _ in a.items] != [tx.digest for _, tx, _ in c.items]
    assert [route_of(tx, p).value for _, tx, p in a.items] == [k for k, _, _ in a.items]
    assert sum(route_of(tx, p) == Route.PRIVACY for _, tx, p in a.items) == 12
    assert all(tx.proof is not None for k, tx, _ in a.items if k == "privacy")


def test_run_invariants() -> None:
    """ROUTE-BENCH-1: every transaction succeeds; executed + failed per path equal the plan;
    the routing totals and ratios equal the mix; the counts are the same on every run."""
    runs = [mixed_path.run(txs=40, owned_ratio=0.5, privacy_ratio=0.05, block_size=16, seed=1)
            for _ in range(2)]
    for r in runs:
        assert r.ok and r.done == 40 and r.blocks == 3
        assert {p: f.executed for p, f in r.paths.items()} == \
            {"fast": 20, "consensus": 18, "privacy": 2}
        assert all(f.failed == 0 for f in r.paths.values())
        m = dict(mixed_path.metrics(r))
        assert (m["vm_routing_fast_total"], m["vm_routing_consensus_total"],
                m["vm_routing_privacy_total"], m["vm_routing_total"]) == (20, 18, 2, 40)
        assert (m["vm_routing_fast_ratio"], m["vm_routing_consensus_ratio"],
                m["vm_routing_privacy_ratio"]) == (0.5, 0.45, 0.05)
        assert m["bench_consensus_success_rate"] == 1.0
        for prefix in ("fastpath", "consensus", "privacy"):
            assert m[f"bench_{prefix}_avg_latency_ns"] > 0
            assert m[f"bench_{prefix}_estimated_tps"] == pytest.approx(
                1e9 / m[f"bench_{prefix}_avg_latency_ns"], abs=0.01)
    timeless = [{k: v for k, v in mixed_path.metrics(r) if "latency" not in k
                 and "tps" not in k} for r in runs]
    assert timeless[0] == timeless[1]
    assert runs[0].consensus_conflicts == runs[1].consensus_conflicts


def test_privacy_latency_is_slept_per_private_transaction() -> None:
    """ROUTE-BENCH-1: the injected latency (slept, as the seed) raises the privacy path's
    average by at least that much and leaves the other paths alone."""
    r = mixed_path.run(txs=4, owned_ratio=0.0, privacy_ratio=0.5, privacy_latency_ms=30,
                       block_size=4, zk_backend="fast")
    assert r.paths["privacy"].executed == 2
    assert r.paths["privacy"].avg_latency_ns >= 30_000_000


def test_colon_forms() -> None:
    """The seed's ``--name:VALUE`` spelling becomes ``--name=VALUE`` for mixed-path only."""
    assert expand_colon_forms(["bench", "mixed-path", "--privacy-ratio:0.15", "--txs:9",
                               "--json", "--", "--seed:1"]) == [
        "bench", "mixed-path", "--privacy-ratio=0.15", "--txs=9", "--json", "--", "--seed:1"]
    assert expand_colon_forms(["bench", "parallel", "--seed:1"]) == [
        "bench", "parallel", "--seed:1"]


def test_command_prints_the_seed_figures(capsys: pytest.CaptureFixture[str]) -> None:
    """``supervm bench mixed-path`` with the seed's forms prints the seed's metric lines;
    ``--json`` holds the same counts."""
    assert main(["bench", "mixed-path", "--txs:20", "--owned-ratio", "0.6",
                 "--privacy-ratio:0.1", "--seed", "2", "--zk-backend", "fast"]) == 0
    out = capsys.readouterr().out
    f = figures(out)
    for name in ("bench_fastpath_executed_total", "bench_fastpath_failed_total",
                 "bench_fastpath_avg_latency_ns", "bench_fastpath_estimated_tps",
                 "bench_consensus_success_rate", "bench_consensus_conflict_rate",
                 "bench_privacy_estimated_tps", "vm_routing_target_fast_ratio"):
        assert name in f
    assert (f["bench_fastpath_executed_total"], f["bench_consensus_executed_total"],
            f["bench_privacy_executed_total"]) == ("12", "6", "2")
    assert (f["vm_routing_fast_ratio"], f["vm_routing_privacy_ratio"]) == ("0.6", "0.1")
    assert "by the 'fast' Groth16 verifier" in out
    assert main(["bench", "mixed-path", "--txs", "20", "--owned-ratio", "0.6",
                 "--privacy-ratio", "0.1", "--seed", "2", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["metrics"]["bench_privacy_executed_total"] == 2 and data["ok"]


def test_environment_and_command_line(capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """PRIVACY_RATIO and PRIVACY_LATENCY_MS stand in for options not given; the command line
    wins."""
    monkeypatch.setenv("PRIVACY_RATIO", "0.5")
    monkeypatch.setenv("PRIVACY_LATENCY_MS", "0")
    assert main(["bench", "mixed-path", "--txs", "4", "--owned-ratio", "0.5"]) == 0
    assert figures(capsys.readouterr().out)["bench_privacy_executed_total"] == "2"
    assert main(["bench", "mixed-path", "--txs", "4", "--owned-ratio", "0.5",
                 "--privacy-ratio", "0"]) == 0
    assert figures(capsys.readouterr().out)["bench_privacy_executed_total"] == "0"


@pytest.mark.parametrize("argv, env, fragment", [
    (["--owned-ratio", "1.5"], {}, "argument --owned-ratio"),
    (["--privacy-ratio", "-0.1"], {}, "argument --privacy-ratio"),
    (["--owned-ratio", "nan"], {}, "argument --owned-ratio"),
    (["--owned-ratio", "0.7", "--privacy-ratio", "0.4"], {}, "sum to 1.1, more than 1"),
    (["--owned-ratio", "0.9"], {"PRIVACY_RATIO": "0.2"}, "sum to 1.1"),
    (["--privacy-ratio:"], {}, "argument --privacy-ratio"),
    (["--privacy-ratio:abc"], {}, "argument --privacy-ratio"),
    (["--txs:0"], {}, "argument --txs"),
    (["--privacy-latency-ms:-5"], {}, "argument --privacy-latency-ms"),
    (["--serve-metrics:70000"], {}, "argument --serve-metrics"),
    (["--block-size", "0"], {}, "argument --block-size"),
    ([], {"PRIVACY_RATIO": "lots"}, "PRIVACY_RATIO"),
    ([], {"PRIVACY_LATENCY_MS": "inf"}, "PRIVACY_LATENCY_MS"),
])
def test_usage_errors(argv: list[str], env: dict[str, str], fragment: str,
                      capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
                      ) -> None:
    """Bad ratios, ratios summing over 1, bad colon forms and bad variables: exit 2, one
    message, no traceback."""
    for name in ("PRIVACY_RATIO", "PRIVACY_LATENCY_MS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    try:
        status = main(["bench", "mixed-path", "--txs", "2", *argv])
    except SystemExit as e:  # argparse
        status = int(e.code or 0)
    err = capsys.readouterr().err
    assert status == 2
    assert fragment in err and "Traceback" not in err


def test_ctrl_c_prints_what_was_done(capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C during the run: the figures of the blocks done are printed, exit status 130."""
    from supervm_ref.routing import SuperVM

    original = SuperVM.execute_block
    calls = 0

    def interrupted(self: SuperVM, items: object) -> object:
        nonlocal calls
        calls += 1
        if calls > 3:
            raise KeyboardInterrupt
        return original(self, items)  # type: ignore[arg-type]

    monkeypatch.setattr(SuperVM, "execute_block", interrupted)
    assert main(["bench", "mixed-path", "--txs", "30", "--owned-ratio", "0.5",
                 "--block-size", "10"]) == 130
    captured = capsys.readouterr()
    assert "# interrupted after" in captured.out
    assert figures(captured.out)["vm_routing_total"] != "0"
    assert "supervm: interrupted" in captured.err


def test_the_router_observes_each_block_once() -> None:
    """ROUTE-BENCH-1, ROUTE-BLOCK-4: a block run path by path is one observation of the
    adaptive router, its paths' outcomes summed; an empty block is none."""
    router = AdaptiveRouter()
    observer = mixed_path.BlockObserver(router)
    assert observer.observe(transactions=70, successes=70, conflicts=0) is False
    assert observer.observe(transactions=20, successes=19, conflicts=2) is False
    assert observer.observe(transactions=10, successes=10, conflicts=0) is False
    assert router.stats().observations == 0
    assert observer.flush() is True  # 100 transactions: a window, 2% conflicts: the target rises
    stats = router.stats()
    assert (stats.observations, stats.transactions, stats.successes, stats.conflicts) == (
        1, 100, 99, 2)
    assert observer.flush() is False and router.stats().observations == 1
    assert observer.target_fast_ratio() == router.target_fast_ratio()
    assert observer.fast_slots(10) == router.fast_slots(10)
    assert observer.adjustments() == router.adjustments() == 1
