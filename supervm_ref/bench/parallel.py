"""``supervm bench parallel``: Block-STM's p2p workload table (spec/scheduling.md,
SCHED-BENCH-*).

Blocks of mock p2p transfers (read both balances, write both; `supervm_ref.blockstm.mock`)
between 2, 10, 100, 1 000 and 10 000 accounts run on 1, 2, 4, 8, 16 and 32 *virtual* workers in
the deterministic simulator, where the VM's work on a transaction costs its gas and every other
step a small constant (`CostModel`). For each cell the table gives:

- the speedup: the sequential cost (the sum of the gas) over the simulated makespan;
- the bound: ``min(workers, total gas / critical path)``, the critical path being the longest
  chain of read-after-write dependencies in block order, weighted by gas -- no schedule can do
  better;
- the speedup as a fraction of the bound, the executions and the validations per transaction.

Every cell's result is checked against sequential execution. The same block also runs on real
threads (1 and 2 workers) and sequentially, timed with the wall clock: under CPython's global
interpreter lock threads take turns, so no speedup is expected there -- it is reported, not
claimed.

Last, a block of p2p transfers on the token *contract* (``supervm_ref/bench/contracts/
token.wasm``, each a `contract_transaction` on the reference runtime) runs sequentially, on
8 and 32 simulated workers and on 2 threads, reporting how many times the contract was executed
per transaction -- each execution a fresh instance running the call from the start (SCHED-VM-1:
one per incarnation) -- and the wall time. Nothing measured here feeds back into execution.
"""

from __future__ import annotations

import json
import platform
import random
import struct
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

from ..blockstm import MvccScheduler, Transaction, execute_sequential
from ..blockstm.contract import contract_transaction
from ..blockstm.mock import account_key, encode_balance, p2p_transfer
from ..blockstm.simulator import DEFAULT_COSTS, critical_path, speedup_bound
from ..runtime.context import BlockContext
from ..runtime.runtime import CallResult, Runtime
from ..runtime.storage import MemoryStorage, Storage
from ..wasm import Value
from .runtime import TOKEN_WASM

ACCOUNTS = (2, 10, 100, 1_000, 10_000)
WORKERS = (1, 2, 4, 8, 16, 32)
THREAD_WORKERS = (1, 2)
#: The token-contract rows: accounts, and (mode, workers) runs after the sequential one.
CONTRACT_ACCOUNTS = (100, 1_000)
CONTRACT_RUNS = (("simulated", 8), ("simulated", 32), ("threads", 2))
FULL_CONTRACT_BLOCK = 2_000
QUICK_CONTRACT_BLOCK = 100
FULL_BLOCK_SIZE = 10_000
QUICK_BLOCK_SIZE = 500
#: The gas of one mock p2p transfer, in the simulator's cost units (SCHED-BENCH-1): one unit is
#: about one synchronised operation on shared state (~50-100 ns), so a transfer costs about
#: 1000 such operations (~50-100 us, the order of a p2p transfer in a production VM).
P2P_GAS = 1_000
INITIAL_BALANCE = 10**12
#: The targets the table is measured against: >= 16x at 32 workers with 10 000 accounts, every
#: cell >= 90% of its bound.
TARGET_SPEEDUP = 16.0
TARGET_FRACTION = 0.9


def p2p_block(accounts: int, size: int, seed: int,
              gas: int = P2P_GAS) -> tuple[dict[bytes, bytes], list[Transaction]]:
    """SCHED-BENCH-1: the initial balances of ``accounts`` accounts and ``size`` transfers of
    1 between two distinct accounts drawn uniformly by a generator seeded with ``seed``."""
    rng = random.Random(seed)
    initial = {account_key(i): encode_balance(INITIAL_BALANCE) for i in range(accounts)}
    block = []
    for _ in range(size):
        sender = rng.randrange(accounts)
        receiver = rng.randrange(accounts - 1)
        receiver += receiver >= sender
        block.append(p2p_transfer(account_key(sender), account_key(receiver), 1, gas))
    return initial, block


@dataclass
class Cell:
    """One (accounts, workers) cell of the table."""

    accounts: int
    workers: int
    speedup: float
    bound: float
    fraction_of_bound: float
    executions_per_txn: float
    validations_per_txn: float
    makespan: int
    ok: bool


@dataclass
class ThreadTiming:
    """Wall-clock seconds of one run of the threads block (workers 0: sequential)."""

    workers: int
    seconds: float
    ok: bool


@dataclass
class ContractRow:
    """One run of the token-contract block: contract executions per transaction (every call
    of the contract, including those abandoned on a dependency), recorded executions per
    transaction, and wall seconds (workers 0: sequential)."""

    accounts: int
    mode: str
    workers: int
    wasm_runs_per_txn: float
    executions_per_txn: float
    seconds: float
    ok: bool


@dataclass
class ParallelReport:
    """The whole ``bench parallel`` run."""

    quick: bool
    block_size: int
    gas: int
    step_cost: int
    validation_read_cost: int
    seed: int
    python: str
    cells: list[Cell] = field(default_factory=list)
    threads_accounts: int | None = None
    threads: list[ThreadTiming] = field(default_factory=list)
    contract_block_size: int = 0
    contract: list[ContractRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every parallel run gave the sequential result."""
        return (all(c.ok for c in self.cells) and all(t.ok for t in self.threads)
                and all(r.ok for r in self.contract))


class CountingRuntime(Runtime):
    """The reference runtime, counting its calls: each is one execution of the contract."""

    def __init__(self) -> None:
        super().__init__(MemoryStorage())
        self.calls = 0

    def call(self, wasm: bytes | str, function: str, args: Sequence[Value] = (), *,
             context: BlockContext | None = None, gas_limit: int | None = None,
             storage: Storage | None = None) -> CallResult:
        """`Runtime.call`, counted."""
        self.calls += 1
        return super().call(wasm, function, args, context=context, gas_limit=gas_limit,
                            storage=storage)


def token_block(runtime: Runtime, accounts: int, size: int, seed: int
                ) -> tuple[dict[bytes, bytes], list[Transaction]]:
    """SCHED-BENCH-3: ``accounts`` token balances of 10**9 (and their supply) and ``size``
    transfers of 1 between two distinct accounts drawn by a generator seeded with ``seed``,
    each a `contract_transaction` of the token contract on ``runtime``."""
    wasm = TOKEN_WASM.read_bytes()
    rng = random.Random(seed)
    initial = {b"bal:" + struct.pack("<I", i): struct.pack("<Q", 10**9)
               for i in range(accounts)}
    initial[b"supply"] = struct.pack("<Q", 10**9 * accounts)
    block = []
    for _ in range(size):
        sender = rng.randrange(accounts)
        receiver = rng.randrange(accounts - 1)
        receiver += receiver >= sender
        block.append(contract_transaction(
            runtime, wasm, "transfer", [Value.i32(sender), Value.i32(receiver), Value.i64(1)],
            gas=P2P_GAS))
    return initial, block


def contract_rows(accounts: Sequence[int], size: int, seed: int,
                  progress: Callable[[str], None] | None = None) -> list[ContractRow]:
    """SCHED-BENCH-3: the token-contract block on each number of accounts, sequentially and
    under `CONTRACT_RUNS`, each checked against the sequential result."""
    rows = []
    for n_accounts in accounts:
        runtime = CountingRuntime()
        initial, block = token_block(runtime, n_accounts, size, seed)
        baseline_store = MemoryStorage(initial)
        start = time.perf_counter()
        baseline = execute_sequential(baseline_store, block)
        rows.append(ContractRow(n_accounts, "sequential", 0, runtime.calls / size, 1.0,
                                time.perf_counter() - start, True))
        for mode, n_workers in CONTRACT_RUNS:
            if progress:
                progress(f"token contract: {n_accounts} accounts, {mode} x{n_workers}")
            runtime.calls = 0
            store = MemoryStorage(initial)
            start = time.perf_counter()
            result = MvccScheduler(workers=n_workers, mode=mode, seed=seed).execute_batch(
                store, block)
            seconds = time.perf_counter() - start
            rows.append(ContractRow(
                n_accounts, mode, n_workers, runtime.calls / size,
                result.stats.executions_per_txn, seconds,
                result == baseline and store.items() == baseline_store.items()))
    return rows


def run(quick: bool = False, *, block_size: int | None = None,
        accounts: Sequence[int] = ACCOUNTS, workers: Sequence[int] = WORKERS,
        gas: int = P2P_GAS, seed: int = 0, threads: Sequence[int] = THREAD_WORKERS,
        contract_accounts: Sequence[int] = CONTRACT_ACCOUNTS,
        progress: Callable[[int, int, str], None] | None = None) -> ParallelReport:
    """SCHED-BENCH-1/2: simulate every (accounts, workers) cell, then time the threads block
    (the most accounts) on real threads and sequentially. ``progress(done, total, label)`` is
    called before each cell and before the threads block, never inside a timed run."""
    size = block_size if block_size is not None else (QUICK_BLOCK_SIZE if quick
                                                      else FULL_BLOCK_SIZE)
    report = ParallelReport(quick=quick, block_size=size, gas=gas,
                            step_cost=DEFAULT_COSTS.step,
                            validation_read_cost=DEFAULT_COSTS.validation_read, seed=seed,
                            python=platform.python_version())
    steps = (len(accounts) * len(workers) + (1 if threads and accounts else 0)
             + len(contract_accounts) * len(CONTRACT_RUNS))
    for n_accounts in accounts:
        initial, block = p2p_block(n_accounts, size, seed, gas)
        baseline_store = MemoryStorage(initial)
        baseline = execute_sequential(baseline_store, block)
        chain = critical_path(block, baseline.outcomes)
        total_gas = sum(t.gas for t in block)
        for n_workers in workers:
            if progress:
                progress(len(report.cells), steps, f"{n_accounts} accounts, {n_workers} workers")
            store = MemoryStorage(initial)
            result = MvccScheduler(workers=n_workers, seed=seed).execute_batch(store, block)
            stats = result.stats
            bound = speedup_bound(total_gas, chain, n_workers)
            speedup = stats.speedup or 0.0
            report.cells.append(Cell(
                accounts=n_accounts, workers=n_workers, speedup=speedup, bound=bound,
                fraction_of_bound=speedup / bound if bound else 0.0,
                executions_per_txn=stats.executions_per_txn,
                validations_per_txn=stats.validations / size if size else 0.0,
                makespan=stats.makespan or 0,
                ok=result == baseline and store.items() == baseline_store.items()))
    if threads and accounts:
        report.threads_accounts = max(accounts)
        initial, block = p2p_block(report.threads_accounts, size, seed, gas)
        if progress:
            progress(steps - 1, steps,
                     f"threads: {size} transfers between {report.threads_accounts} accounts")
        baseline_store = MemoryStorage(initial)
        start = time.perf_counter()
        baseline = execute_sequential(baseline_store, block)
        report.threads.append(ThreadTiming(0, time.perf_counter() - start, True))
        for n_workers in threads:
            store = MemoryStorage(initial)
            start = time.perf_counter()
            result = MvccScheduler(workers=n_workers, mode="threads").execute_batch(store, block)
            seconds = time.perf_counter() - start
            report.threads.append(ThreadTiming(
                n_workers, seconds,
                result == baseline and store.items() == baseline_store.items()))
    report.contract_block_size = QUICK_CONTRACT_BLOCK if quick else FULL_CONTRACT_BLOCK
    done = steps - len(contract_accounts) * len(CONTRACT_RUNS)

    def contract_progress(label: str) -> None:
        nonlocal done
        if progress:
            progress(done, steps, label)
        done += 1

    report.contract = contract_rows(contract_accounts, report.contract_block_size, seed,
                                    contract_progress)
    return report


def format_table(report: ParallelReport) -> str:
    """The report as an aligned plain-text table and a few lines of explanation."""
    header = ("accounts", "workers", "speedup", "bound", "of bound", "exec/txn", "valid/txn",
              "ok")
    rows = [header]
    for c in report.cells:
        rows.append((f"{c.accounts:,}", str(c.workers), f"{c.speedup:.2f}x", f"{c.bound:.2f}x",
                     f"{100 * c.fraction_of_bound:.0f}%", f"{c.executions_per_txn:.2f}",
                     f"{c.validations_per_txn:.2f}", "yes" if c.ok else "NO"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = []
    for k, r in enumerate(rows):
        lines.append("  ".join(cell.rjust(widths[i]) for i, cell in enumerate(r)))
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    mode = "quick" if report.quick else "full"
    lines += [
        "",
        f"Block-STM on {report.block_size:,} p2p transfers per block ({mode} mode, seed "
        f"{report.seed}), simulated virtual workers. Cost model: an execution costs the "
        f"transfer's gas ({report.gas}); a validation read {report.validation_read_cost}; any "
        f"other step (scheduler call, memory location) {report.step_cost}.",
        "speedup = sum of gas / simulated makespan; bound = min(workers, sum of gas / critical "
        "path of read-after-write dependencies); ok = same outputs, reads and state as "
        "sequential execution.",
    ]
    best = [c for c in report.cells if c.workers == 32 and c.accounts == 10_000]
    if best:
        met = best[0].speedup >= TARGET_SPEEDUP
        lines.append(f"target >= {TARGET_SPEEDUP:.0f}x at 32 workers / 10,000 accounts: "
                     f"{best[0].speedup:.2f}x ({'met' if met else 'NOT met'}).")
    if report.cells:
        below = [c for c in report.cells if c.fraction_of_bound < TARGET_FRACTION]
        lines.append(f"cells within {100 * TARGET_FRACTION:.0f}% of their bound: "
                     f"{len(report.cells) - len(below)} of {len(report.cells)}"
                     + (" (below: " + ", ".join(f"{c.accounts:,}/{c.workers}" for c in below)
                        + ")" if below else "") + ".")
    if report.threads:
        lines.append("")
        lines.append(f"Real threads, {report.block_size:,} transfers between "
                     f"{report.threads_accounts:,} accounts (wall clock; CPython's GIL lets one "
                     f"thread run at a time, so no speedup is expected):")
        for t in report.threads:
            who = "sequential" if t.workers == 0 else f"{t.workers} thread(s)"
            lines.append(f"  {who}: {t.seconds:.3f} s{'' if t.ok else '  WRONG RESULT'}")
    if report.contract:
        lines.append("")
        lines.append(f"Token contract, {report.contract_block_size:,} transfers on the "
                     f"reference runtime (wasm runs/txn: executions of the contract, those "
                     f"abandoned on a dependency included; wall clock):")
        for row in report.contract:
            who = "sequential" if row.workers == 0 else f"{row.mode} x{row.workers}"
            lines.append(f"  {row.accounts:>6,} accounts, {who:<14} wasm runs/txn "
                         f"{row.wasm_runs_per_txn:5.2f}  exec/txn "
                         f"{row.executions_per_txn:5.2f}  {row.seconds:7.3f} s"
                         f"{'' if row.ok else '  WRONG RESULT'}")
    return "\n".join(lines)


def to_json(report: ParallelReport) -> str:
    """The report as JSON (stable keys, see `Cell` and `ThreadTiming`)."""
    data = asdict(report)
    data["benchmark"] = "parallel"
    data["ok"] = report.ok
    return json.dumps(data, indent=2, sort_keys=True)
