"""``supervm bench mixed-path``: the seed's ``mixed_path_bench`` -- a seeded mix of fast,
consensus and privacy transactions through a `SuperVM`, with the seed's figures per path
(spec/routing.md ROUTE-BENCH-1).

The workload (`generate`) is a function of its settings: exactly ``round(txs * owned_ratio)``
fast payments with owned coins, ``round(txs * privacy_ratio)`` private payments with owned coins
(each carrying snarkjs's valid proof shipped in ``supervm_ref/demos/data/``), and consensus
increments of one of `COUNTERS` shared counters for the rest, in an order shuffled by the seed.
Every transaction runs one call of the coin contract, so the paths compare like for like: a
payment is the coin's ``mint`` of 1 followed by a transfer to the payee; an increment is
``incr`` on the shared counter.
The generator follows every coin's owner and version, so every transaction succeeds.

`run` cuts the workload into blocks of ``block_size``; each block's fast, consensus and privacy
transactions run as three `SuperVM.execute_block` calls, timed apart (the paths touch disjoint
objects, so the state is the block's, ROUTE-BLOCK-1), and the adaptive router is fed once per
block with their summed outcome (`BlockObserver`). The counts and ratios are exact and the
same on every run; only the latencies and TPS are measured. ``privacy_latency_ms`` is slept once
per private transaction inside the privacy path's time, as the seed's blocking sleep does.
"""

from __future__ import annotations

import json
import platform
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace

from ..demos.world import VK_ID, coin, counter, increment, mint, proof_documents
from ..metrics import BenchMetrics
from ..objects import ObjectData
from ..privacy import (
    VerifyingKeyRegistry,
    parse_proof,
    parse_public_inputs,
    parse_verifying_key,
    verify_groth16,
    zk_backend_status,
)
from ..routing import AdaptiveRouter, AdaptiveRouterConfig, Privacy, SuperVM, VmTransaction
from ..routing.receipt import ExecutionReceipt
from ..routing.transaction import ObjectOp, PrivateProof
from . import package_version

#: The shared counters consensus transactions increment (conflicts come from reusing them).
COUNTERS = 16
#: The accounts coins move between.
ACCOUNTS = 64
#: At most this many coins per path (fewer when the path has fewer transactions).
MAX_COINS = 1024
#: Object numbers: fast coins from 1, private coins from 1_000_001, counters from 2_000_001.
PRIVATE_BASE, COUNTER_BASE = 1_000_000, 2_000_000
PATHS = ("fast", "consensus", "privacy")


def address(n: int) -> bytes:
    """Account ``n``'s address (32 bytes)."""
    return b"\xac" + n.to_bytes(31, "big")


def plan(txs: int, owned_ratio: float, privacy_ratio: float) -> dict[str, int]:
    """ROUTE-BENCH-1: how many transactions each path gets: ``round(txs * owned_ratio)`` fast,
    ``round(txs * privacy_ratio)`` private (at most what is left), consensus the rest."""
    fast = min(round(txs * owned_ratio), txs)
    privacy = min(round(txs * privacy_ratio), txs - fast)
    return {"fast": fast, "consensus": txs - fast - privacy, "privacy": privacy}


@dataclass(frozen=True)
class Workload:
    """The genesis objects and the transactions (with their path), in execution order."""

    genesis: list[ObjectData]
    items: list[tuple[str, VmTransaction, Privacy]]


def generate(txs: int, owned_ratio: float, privacy_ratio: float, seed: int) -> Workload:
    """ROUTE-BENCH-1: the seeded workload."""
    rng = random.Random(seed)
    counts = plan(txs, owned_ratio, privacy_ratio)
    kinds = [k for k in PATHS for _ in range(counts[k])]
    rng.shuffle(kinds)
    pools = {path: min(max(counts[path], 1), MAX_COINS) for path in ("fast", "privacy")}
    base = {"fast": 0, "privacy": PRIVATE_BASE}
    # Each coin's (owner, version), followed as the transactions are generated.
    state = {path: [(rng.randrange(ACCOUNTS), 1) for _ in range(pools[path])]
             for path in pools}
    genesis: list[ObjectData] = [coin(base[p] + i + 1, address(owner))
                             for p in pools if counts[p] for i, (owner, _) in
                             enumerate(state[p])]
    genesis += [counter(COUNTER_BASE + i + 1) for i in range(COUNTERS if counts["consensus"]
                                                             else 0)]
    _, proof, public = proof_documents()
    items: list[tuple[str, VmTransaction, Privacy]] = []
    for kind in kinds:
        if kind == "consensus":
            n = COUNTER_BASE + rng.randrange(COUNTERS) + 1
            items.append((kind, increment(address(rng.randrange(ACCOUNTS)), n), Privacy.Public))
            continue
        i = rng.randrange(pools[kind])
        owner, version = state[kind][i]
        to = rng.randrange(ACCOUNTS)
        state[kind][i] = (to, version + 1)  # OBJ-VERSION-2: 1 + the input's version
        private = kind == "privacy"
        paid = mint(address(owner), base[kind] + i + 1, version, 1,
                    PrivateProof(VK_ID, proof, public) if private else None)
        tx = replace(paid, ops=[ObjectOp.transfer(0, address(to))])
        items.append((kind, tx, Privacy.Private if private else Privacy.Public))
    return Workload(genesis, items)


@dataclass
class PathFigures:
    """One path's executed (successful) and failed transactions and the time they took."""

    executed: int = 0
    failed: int = 0
    time_ns: int = 0

    @property
    def total(self) -> int:
        """Transactions run on the path."""
        return self.executed + self.failed

    @property
    def avg_latency_ns(self) -> int:
        """The seed's average latency: the path's time over its transactions (0 when none)."""
        return self.time_ns // self.total if self.total else 0

    @property
    def estimated_tps(self) -> float:
        """The seed's estimate ``1e9 / avg_latency_ns`` (0 when there is no latency)."""
        return 1e9 / self.avg_latency_ns if self.avg_latency_ns else 0.0


@dataclass
class MixedPathReport:
    """What `run` measured: the settings, the figures per path, consensus conflicts, the
    routing statistics, and whether the run was interrupted."""

    settings: dict[str, object]
    zk_backend: str
    paths: dict[str, PathFigures] = field(
        default_factory=lambda: {p: PathFigures() for p in PATHS})
    consensus_conflicts: int = 0
    routing: dict[str, float] = field(default_factory=dict)
    blocks: int = 0
    interrupted: bool = False
    python: str = field(default_factory=platform.python_version)
    version: str = field(default_factory=lambda: package_version("supervm-ref"))

    @property
    def done(self) -> int:
        """Transactions run."""
        return sum(f.total for f in self.paths.values())

    @property
    def ok(self) -> bool:
        """Every transaction of the whole workload ran and succeeded."""
        return not self.interrupted and all(f.failed == 0 for f in self.paths.values())


def default_zk_backend() -> str:
    """``fast`` when zksnake is installed (extra fast-zk), else ``reference``."""
    return "fast" if zk_backend_status().get("fast") is None else "reference"


def make_verifier(registry: VerifyingKeyRegistry, backend: str, latency_ms: float
                  ) -> Callable[[PrivateProof], None]:
    """ROUTE-PRIV-1 with the chosen verifier backend: every proof parsed and verified on its
    own (nothing is cached), then ``latency_ms`` slept (the seed's injected latency)."""

    def verify(p: PrivateProof) -> None:
        vk = registry.get(p.vk_id)
        verify_groth16(vk, parse_proof(p.proof), parse_public_inputs(p.public), backend=backend)
        if latency_ms:
            time.sleep(latency_ms / 1000)

    return verify


class BlockObserver:
    """ROUTE-BENCH-1: the adaptive router, fed once per block. The bench runs a block's paths
    as separate `SuperVM.execute_block` calls (to time them apart); this router sums their
    observations and hands the router one per block (`flush`), as the whole block's
    `execute_block` would (ROUTE-BLOCK-4: the paths touch disjoint objects, so their
    conflicts add up to the whole block's)."""

    def __init__(self, router: AdaptiveRouter) -> None:
        self.router = router
        self._pending = [0, 0, 0]

    def observe(self, *, transactions: int, successes: int, conflicts: int) -> bool:
        """Keep one path's outcome until the block ends."""
        for i, n in enumerate((transactions, successes, conflicts)):
            self._pending[i] += n
        return False

    def flush(self) -> bool:
        """The block's one observation (none for an empty block); True when the target
        moved."""
        transactions, successes, conflicts = self._pending
        self._pending = [0, 0, 0]
        if not transactions:
            return False
        return self.router.observe(transactions=transactions, successes=successes,
                                   conflicts=conflicts)

    def fast_slots(self, capacity: int) -> int:
        """The router's `fast_slots`."""
        return self.router.fast_slots(capacity)

    def target_fast_ratio(self) -> float:
        """The router's target."""
        return self.router.target_fast_ratio()

    def adjustments(self) -> int:
        """The router's adjustments."""
        return self.router.adjustments()


def run(*, txs: int, owned_ratio: float, privacy_ratio: float, privacy_latency_ms: float = 0.0,
        block_size: int = 100, seed: int = 0, zk_backend: str | None = None,
        router_config: AdaptiveRouterConfig | None = None,
        progress: Callable[[int, int, str], None] | None = None,
        metrics: BenchMetrics | None = None,
        on_start: Callable[[SuperVM], None] | None = None) -> MixedPathReport:
    """ROUTE-BENCH-1: generate the workload, run it block by block, path by path; Ctrl-C stops
    after the current call and the report says what was done (``interrupted``).
    METRIC-BENCH-1: ``metrics`` receives each path's executions as they happen (every
    transaction of a path's part of a block at that part's average latency) and each consensus
    part's outcome; ``on_start(vm)`` is called once the SuperVM holds the genesis (``supervm
    bench mixed-path --serve-metrics`` serves it and ``metrics`` from there)."""
    backend = zk_backend or default_zk_backend()
    settings: dict[str, object] = {
        "txs": txs, "owned_ratio": owned_ratio, "privacy_ratio": privacy_ratio,
        "privacy_latency_ms": privacy_latency_ms, "block_size": block_size, "seed": seed}
    report = MixedPathReport(settings, backend)
    workload = generate(txs, owned_ratio, privacy_ratio, seed)
    registry = VerifyingKeyRegistry()
    registry.register(VK_ID, parse_verifying_key(proof_documents()[0]))
    observer = BlockObserver(AdaptiveRouter(router_config))
    vm = SuperVM(router=observer, registry=registry,
                 verifier=make_verifier(registry, backend, privacy_latency_ms))
    for obj in workload.genesis:
        vm.objects.insert(obj)
    if on_start is not None:
        on_start(vm)
    items = workload.items
    try:
        for start in range(0, len(items), block_size):
            block = items[start:start + block_size]
            for path in PATHS:
                part = [(tx, privacy) for kind, tx, privacy in block if kind == path]
                if not part:
                    continue
                conflicts = vm.routing_stats().conflicts
                began = time.perf_counter_ns()
                receipts = vm.execute_block(part)
                elapsed = time.perf_counter_ns() - began
                figures = report.paths[path]
                figures.time_ns += elapsed
                figures.executed += sum(r.success for r in receipts)
                figures.failed += sum(not r.success for r in receipts)
                if path == "consensus":
                    report.consensus_conflicts += vm.routing_stats().conflicts - conflicts
                if metrics is not None:
                    _observe(metrics, path, receipts, elapsed,
                             vm.routing_stats().conflicts - conflicts)
            observer.flush()
            report.blocks += 1
            if progress is not None:
                progress(min(start + block_size, len(items)), len(items),
                         f"block {report.blocks}")
    except KeyboardInterrupt:
        report.interrupted = True
    s = vm.routing_stats()
    report.routing = {
        "fast_total": s.fast, "consensus_total": s.consensus, "privacy_total": s.privacy,
        "total": s.total, "fast_ratio": s.fast_ratio, "consensus_ratio": s.consensus_ratio,
        "privacy_ratio": s.privacy_ratio, "target_fast_ratio": s.target_fast_ratio,
        "adaptive_adjustments_total": s.adjustments}
    return report


def _observe(metrics: BenchMetrics, path: str, receipts: list[ExecutionReceipt],
             elapsed_ns: int, conflicts: int) -> None:
    """METRIC-BENCH-1: one path's part of a block, into ``metrics``."""
    if path == "consensus":
        metrics.record_consensus(len(receipts), sum(r.success for r in receipts),
                                 min(conflicts, len(receipts)))
        return
    record = metrics.record_fastpath if path == "fast" else metrics.record_privacy
    for r in receipts:
        record(elapsed_ns / len(receipts), r.success)


def metrics(report: MixedPathReport) -> list[tuple[str, int | float]]:
    """The seed's figures, in its order: per path executed, failed, average latency (ns) and
    estimated TPS; consensus success and conflict rates; the routing totals and ratios."""
    out: list[tuple[str, int | float]] = []
    for path, prefix in (("fast", "fastpath"), ("consensus", "consensus"),
                         ("privacy", "privacy")):
        f = report.paths[path]
        out += [(f"bench_{prefix}_executed_total", f.executed),
                (f"bench_{prefix}_failed_total", f.failed),
                (f"bench_{prefix}_avg_latency_ns", f.avg_latency_ns),
                (f"bench_{prefix}_estimated_tps", round(f.estimated_tps, 2))]
    c = report.paths["consensus"]
    out += [("bench_consensus_success_rate", round(c.executed / c.total, 4) if c.total else 0.0),
            ("bench_consensus_conflict_rate",
             round(report.consensus_conflicts / c.total, 4) if c.total else 0.0)]
    r = report.routing
    for path in PATHS:
        out.append((f"vm_routing_{path}_total", int(r[f"{path}_total"])))
    out.append(("vm_routing_total", int(r["total"])))
    for path in PATHS:
        out.append((f"vm_routing_{path}_ratio", round(r[f"{path}_ratio"], 4)))
    out += [("vm_routing_target_fast_ratio", round(r["target_fast_ratio"], 4)),
            ("vm_routing_adaptive_adjustments_total", int(r["adaptive_adjustments_total"]))]
    return out


def format_table(report: MixedPathReport) -> str:
    """The seed's ``name value`` lines, after ``#`` lines saying what ran."""
    s = report.settings
    head = [f"# mixed-path: {s['txs']} transactions (owned ratio {s['owned_ratio']}, privacy "
            f"ratio {s['privacy_ratio']}), blocks of {s['block_size']}, seed {s['seed']}",
            f"# privacy proofs verified one by one by the {report.zk_backend!r} Groth16 "
            f"verifier; privacy latency {s['privacy_latency_ms']} ms slept per private "
            "transaction",
            "# per path: its execute_block calls' wall-clock time over its transactions; "
            "estimated_tps = 1e9 / avg_latency_ns"]
    if report.interrupted:
        head.append(f"# interrupted after {report.done} of {s['txs']} transactions "
                    f"({report.blocks} blocks)")
    body = [f"{name} {value}" for name, value in metrics(report)]
    return "\n".join(head + body)


def to_json(report: MixedPathReport) -> str:
    """The report as JSON: settings, the seed's metrics by name, per-path time."""
    return json.dumps({
        "benchmark": "mixed-path", "settings": report.settings, "zk_backend": report.zk_backend,
        "metrics": dict(metrics(report)),
        "paths": {p: {**asdict(f), "avg_latency_ns": f.avg_latency_ns}
                  for p, f in report.paths.items()},
        "consensus_conflicts": report.consensus_conflicts, "blocks": report.blocks,
        "done": report.done, "interrupted": report.interrupted, "ok": report.ok,
        "python": report.python, "version": report.version}, indent=2)
