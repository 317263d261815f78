"""Block-STM on WebAssembly contracts (spec/scheduling.md SCHED-WASM-1/2, spec/runtime.md
RT-CALL-5): blocks of token transfers on the token contracts (WAT and C), executed by
`MvccScheduler` on the reference runtime, conserve the total supply and equal sequential
execution in block order -- every `CallResult` (return code, events, gas, writes), every read,
the final storage -- for any block and schedule; a smaller differential runs them on
`WasmtimeRuntime`. Also: a failing call through a `ViewStorage` writes nothing, a scan fails
with HOST_ERROR in a batch (parallel and sequential alike), and a control signal that is not an
`Exception` passes through both backends' ``call``.

Blocks: 2-10 accounts with ids drawn anywhere in i32; initial balances in the pre-state or
minted by the first transactions; 1-80 transfers with amounts up to 1500, some above any
balance (up to 2^64 - 1), self-transfers, some with a gas limit too small to finish; interleaved
``total_supply`` and ``balance_of`` queries. Schedules: 1-16 simulated workers, timed or
random, seeded; a few runs on real threads.

Example counts (about 15 s here, under 60 s on two CI cores): WAT token 200, C token 60,
wasmtime 60, threads 15. Block sizes are drawn uniformly, so long blocks are common.
"""

from __future__ import annotations

import random
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supervm_ref.backends.wasmtime import WasmtimeRuntime
from supervm_ref.blockstm import (
    MvccScheduler,
    RandomSchedule,
    ScanRecord,
    TimedSchedule,
    Transaction,
    execute_sequential,
)
from supervm_ref.blockstm.contract import ViewStorage, contract_transaction
from supervm_ref.blockstm.transaction import RecordingView
from supervm_ref.conformance import probe
from supervm_ref.conformance.encoding import encode_result
from supervm_ref.runtime.context import BlockContext
from supervm_ref.runtime.errors import ErrorKind
from supervm_ref.runtime.runtime import CallResult, Runtime
from supervm_ref.runtime.storage import MemoryStorage
from supervm_ref.wasm.runtime.values import Value

from ..support import REPO

pytestmark = pytest.mark.slow

CONTRACTS = REPO / "conformance" / "contracts"
TOKENS = {name: (CONTRACTS / f"{name}.wasm").read_bytes() for name in ("token", "token_c")}
PROBE = (CONTRACTS / "abi_probe.wasm").read_bytes()
CONTEXT = BlockContext(5, 1_700_000_000)
GAS_LIMIT = 100_000
U64 = 2**64 - 1
BACKENDS = {"reference": Runtime, "wasmtime": WasmtimeRuntime}

common = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                        HealthCheck.data_too_large])


def bal(account: int) -> bytes:
    """The token's balance key: ``"bal:" || account (u32 LE)``."""
    return b"bal:" + struct.pack("<I", account & 0xFFFFFFFF)


def u64(x: int) -> bytes:
    """A token amount as stored: 8 bytes little endian."""
    return struct.pack("<Q", x)


# --- Blocks -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One transaction of a token block: ``function(args)`` under ``gas_limit``."""

    function: str
    args: tuple[int, ...]
    gas_limit: int = GAS_LIMIT

    def values(self) -> list[Value]:
        """The call's arguments: accounts are i32, amounts i64."""
        if self.function == "transfer":
            return [Value.i32(self.args[0]), Value.i32(self.args[1]), Value.i64(self.args[2])]
        if self.function == "mint":
            return [Value.i32(self.args[0]), Value.i64(self.args[1])]
        return [Value.i32(a) for a in self.args]


@dataclass(frozen=True)
class TokenBlock:
    """A drawn block: the pre-state (balances and supply, maybe empty) and the calls. The
    supply after the block's mints is ``supply``."""

    accounts: tuple[int, ...]
    pre: dict[bytes, bytes]
    calls: tuple[Call, ...]
    supply: int
    minted_in_block: bool


@st.composite
def token_blocks(draw: st.DrawFn, max_transfers: int = 80) -> TokenBlock:
    """2-10 accounts; balances in the pre-state or minted first; 1-``max_transfers``
    transfers (amounts up to 1500 or far above any balance, self-transfers, some with a gas
    limit too small to finish) with ``total_supply``/``balance_of`` queries in between."""
    accounts = tuple(draw(st.lists(st.integers(-2**31, 2**31 - 1), min_size=2, max_size=10,
                                   unique=True)))
    balances = [draw(st.integers(0, 1000)) for _ in accounts]
    minted = draw(st.booleans())
    pre: dict[bytes, bytes] = {}
    calls: list[Call] = []
    if minted:
        calls += [Call("mint", (a, b)) for a, b in zip(accounts, balances)]
    else:
        pre = {bal(a): u64(b) for a, b in zip(accounts, balances)}
        pre[b"supply"] = u64(sum(balances))
    index = st.integers(0, len(accounts) - 1)
    amount = st.one_of(st.integers(0, 1500), st.integers(2**40, U64), st.just(0))
    gas = st.one_of(st.just(GAS_LIMIT), st.just(GAS_LIMIT), st.just(GAS_LIMIT),
                    st.integers(0, 900))
    transfer = st.builds(lambda a, b, x, g: Call("transfer", (accounts[a], accounts[b], x), g),
                         index, index, amount, gas)
    query = st.one_of(st.just(Call("total_supply", ())),
                      st.builds(lambda a: Call("balance_of", (accounts[a],)), index))
    size = draw(st.integers(1, max_transfers))  # uniform: long blocks are as likely as short
    body = draw(st.lists(st.one_of(transfer, transfer, transfer, query), min_size=size,
                         max_size=size))
    return TokenBlock(accounts, pre, (*calls, *body), sum(balances), minted)


@st.composite
def simulated_schedulers(draw: st.DrawFn) -> MvccScheduler:
    """SCHED-SIM-1: 1-16 virtual workers, a timed or a random schedule from a drawn seed."""
    workers = draw(st.integers(1, 16))
    seed = draw(st.integers(0, 2**32 - 1))
    order = TimedSchedule(seed) if draw(st.booleans()) else RandomSchedule(seed)
    return MvccScheduler(workers=workers, seed=seed, schedule=order)


def transactions(runtime: Runtime, wasm: bytes, block: TokenBlock) -> list[Transaction]:
    """SCHED-WASM-2: the block's calls as contract transactions on ``runtime``."""
    return [contract_transaction(runtime, wasm, c.function, c.values(), context=CONTEXT,
                                 gas_limit=c.gas_limit) for c in block.calls]


# --- Checks -------------------------------------------------------------------------------------


def call_results(outputs: Sequence[object]) -> list[CallResult]:
    """SCHED-WASM-2: a contract transaction's output is its call's `CallResult` (never a
    `TxnFailure`: a call does not raise, RT-ERR-1)."""
    results = [o for o in outputs if isinstance(o, CallResult)]
    assert len(results) == len(outputs), outputs
    return results


def check_token_model(block: TokenBlock, outputs: Sequence[object]) -> dict[int, int]:
    """The token's behaviour (conformance/contracts/README.md) on u64 balances, call by call:
    a transfer returns 1 and changes nothing above the balance, else 0; a failed call (out of
    gas) changes nothing; queries see the model's state. Returns the final balances."""
    balances = dict.fromkeys(block.accounts, 0)
    if not block.minted_in_block:
        balances = {a: int.from_bytes(block.pre[bal(a)], "little") for a in block.accounts}
    for call, result in zip(block.calls, call_results(outputs), strict=True):
        if result.error is not None:
            assert result.error is ErrorKind.OUT_OF_GAS and call.gas_limit < GAS_LIMIT
            assert result.gas_used == call.gas_limit and not result.writes
            continue
        (value,) = result.results
        if call.function == "mint":
            balances[call.args[0]] += call.args[1]
            assert value.payload == 0
        elif call.function == "transfer":
            a, b, amount = call.args
            code = 1 if balances[a] < amount else 0
            assert value.payload == code
            assert len(result.events) == 1 - code
            if code == 0:
                balances[a] -= amount
                balances[b] += amount
        elif call.function == "total_supply":
            assert value.payload == block.supply  # queries come after the block's mints
        else:
            assert value.payload == balances[call.args[0]]
    return balances


def check_conservation(runtime: Runtime, wasm: bytes, block: TokenBlock,
                       store: MemoryStorage, balances: dict[int, int]) -> None:
    """The total supply -- read through the contract, stored, and summed over the balance
    keys -- is what was minted; every balance is a u64 (8 bytes) no greater than the supply
    (none went negative or wrapped) and equals the model's."""
    supply = runtime.call(wasm, "total_supply", [], storage=store)
    assert supply.ok and supply.results[0].payload == block.supply
    assert store.get(b"supply") == u64(block.supply)
    stored = {k: v for k, v in store.items() if k.startswith(b"bal:")}
    assert all(len(v) == 8 for v in stored.values())
    amounts = {k: int.from_bytes(v, "little") for k, v in stored.items()}
    assert sum(amounts.values()) == block.supply
    assert all(0 <= x <= block.supply for x in amounts.values())
    for account, expected in balances.items():
        assert amounts.get(bal(account), 0) == expected


def run_both(scheduler: MvccScheduler, runtime: Runtime, wasm: bytes, block: TokenBlock,
             sequential_runtime: Runtime | None = None
             ) -> tuple[MemoryStorage, tuple[object, ...]]:
    """SCHED-RESULT-1, SCHED-WASM-2: the block in parallel on ``runtime`` and sequentially on
    ``sequential_runtime`` (default the same); everything must be equal. Returns the parallel
    store and outputs."""
    baseline_runtime = sequential_runtime or runtime
    parallel_store, sequential_store = MemoryStorage(block.pre), MemoryStorage(block.pre)
    parallel = scheduler.execute_batch(parallel_store, transactions(runtime, wasm, block))
    sequential = execute_sequential(sequential_store,
                                    transactions(baseline_runtime, wasm, block))
    if baseline_runtime is runtime:
        assert parallel.outputs == sequential.outputs  # CallResults: gas, events, writes
    else:  # messages are not canonical across backends: compare the fixture encoding
        assert [encode_result(r) for r in call_results(parallel.outputs)] == \
            [encode_result(r) for r in call_results(sequential.outputs)]
    assert parallel.reads == sequential.reads
    assert parallel.write_set == sequential.write_set
    assert parallel_store.items() == sequential_store.items()
    return parallel_store, parallel.outputs


# --- Properties ---------------------------------------------------------------------------------


@settings(common, max_examples=200)
@given(token_blocks(), simulated_schedulers())
def test_token_blocks_conserve_supply_and_equal_sequential(block: TokenBlock,
                                                           scheduler: MvccScheduler) -> None:
    """SCHED-WASM-1, SCHED-WASM-2, SCHED-RESULT-1: a block of transfers on the WAT token run
    by `MvccScheduler` on the reference runtime equals sequential execution (every
    CallResult, read, write and the final storage) and conserves the supply."""
    runtime = Runtime(MemoryStorage())
    store, outputs = run_both(scheduler, runtime, TOKENS["token"], block)
    balances = check_token_model(block, outputs)
    check_conservation(runtime, TOKENS["token"], block, store, balances)


@settings(common, max_examples=60)
@given(token_blocks(max_transfers=40), simulated_schedulers())
def test_c_token_blocks_conserve_supply(block: TokenBlock, scheduler: MvccScheduler) -> None:
    """SCHED-WASM-1, SCHED-WASM-2: the same property on the C token (clang output, its
    buffers on a shadow stack)."""
    runtime = Runtime(MemoryStorage())
    store, outputs = run_both(scheduler, runtime, TOKENS["token_c"], block)
    balances = check_token_model(block, outputs)
    check_conservation(runtime, TOKENS["token_c"], block, store, balances)


@settings(common, max_examples=60)
@given(st.sampled_from(sorted(TOKENS)), token_blocks(max_transfers=40), simulated_schedulers())
def test_wasmtime_batches_equal_reference_sequential(name: str, block: TokenBlock,
                                                     scheduler: MvccScheduler) -> None:
    """SCHED-WASM-2, RT-BACKEND-1: the block run by `MvccScheduler` on `WasmtimeRuntime`
    equals the reference's sequential execution (results in the fixture encoding, reads,
    writes, final storage) and conserves the supply."""
    runtime = WasmtimeRuntime(MemoryStorage())
    store, outputs = run_both(scheduler, runtime, TOKENS[name], block, Runtime(MemoryStorage()))
    balances = check_token_model(block, outputs)
    check_conservation(runtime, TOKENS[name], block, store, balances)


@settings(common, max_examples=15)
@given(st.sampled_from(sorted(BACKENDS)), token_blocks(max_transfers=60), st.integers(2, 4))
def test_token_blocks_on_threads(backend: str, block: TokenBlock, workers: int) -> None:
    """SCHED-THREADS-1, SCHED-WASM-2: on real threads too, both backends' batches equal
    sequential execution and conserve the supply."""
    runtime = BACKENDS[backend](MemoryStorage())
    store, outputs = run_both(MvccScheduler(workers=workers, mode="threads"), runtime,
                              TOKENS["token"], block)
    balances = check_token_model(block, outputs)
    check_conservation(runtime, TOKENS["token"], block, store, balances)


def test_contended_block_reexecutes_and_still_conserves() -> None:
    """SCHED-WASM-1, SCHED-RESULT-1: a fixed block of 60 transfers between two accounts on 8
    workers aborts and re-executes transactions (the parallel run is not trivially
    sequential) and still equals sequential execution and conserves the supply."""
    block = TokenBlock((1, 2), {bal(1): u64(100), bal(2): u64(100), b"supply": u64(200)},
                       tuple(Call("transfer", (1 + i % 2, 2 - i % 2, 30 + i % 7))
                             for i in range(60)), 200, False)
    runtime = Runtime(MemoryStorage())
    scheduler = MvccScheduler(workers=8, schedule=RandomSchedule(7))
    store, outputs = run_both(scheduler, runtime, TOKENS["token"], block)
    stats = scheduler.stats().last_batch
    assert stats is not None and stats.aborts > 0 and stats.executions > 60
    check_conservation(runtime, TOKENS["token"], block, store,
                       check_token_model(block, outputs))


# --- The runtime under a view (RT-CALL-5) -------------------------------------------------------


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_failing_call_through_a_view_writes_nothing(backend: str) -> None:
    """RT-CALL-5, RT-ATOMIC-1, SCHED-WASM-1: a call through a `ViewStorage` that runs out of
    gas after debiting (100 below its cost, WASM-GAS-4), or traps on a corrupt balance, writes
    nothing to the view (its reads stay recorded); a successful call writes exactly its
    `CallResult.writes`."""
    state = {bal(1): u64(100), bal(2): u64(5), bal(3): b"\x01", b"supply": u64(105)}
    own = MemoryStorage()
    runtime = BACKENDS[backend](own)
    wasm = TOKENS["token"]
    args = [Value.i32(1), Value.i32(2), Value.i64(10)]
    ok = runtime.call(wasm, "transfer", args, storage=ViewStorage(RecordingView(state.get)))
    assert ok.ok
    for gas_limit, to, error in ((ok.gas_used - 100, 2, ErrorKind.OUT_OF_GAS),
                                 (GAS_LIMIT, 3, ErrorKind.UNREACHABLE)):
        view = RecordingView(state.get)
        args[1] = Value.i32(to)
        result = runtime.call(wasm, "transfer", args, gas_limit=gas_limit,
                              storage=ViewStorage(view))
        assert result.error is error and result.writes == {} and result.events == ()
        assert view.writes == {}
        assert [r.key for r in view.reads] == [bal(1), bal(to)]
    view = RecordingView(state.get)
    args[1] = Value.i32(2)
    result = runtime.call(wasm, "transfer", args, storage=ViewStorage(view))
    assert result == ok and view.writes == result.writes
    assert own.items() == []  # the runtime's own storage was never touched


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_failed_transaction_has_no_write_set(backend: str) -> None:
    """SCHED-WASM-1, SCHED-TXN-3: in a block, a call that fails (out of gas, trap) is a
    successful transaction whose output is the failed CallResult and whose write set is
    empty, in parallel and in the baseline alike."""
    pre = {bal(1): u64(100), bal(9): b"\x01\x02\x03", b"supply": u64(100)}
    block = TokenBlock((1, 2), pre, (Call("transfer", (1, 2, 10)),
                                     Call("transfer", (1, 2, 10), 700),
                                     Call("transfer", (1, 9, 10)),
                                     Call("transfer", (1, 2, 10))), 100, False)
    runtime = BACKENDS[backend](MemoryStorage())
    for scheduler in (None, MvccScheduler(workers=4, schedule=RandomSchedule(3))):
        block_txs = transactions(runtime, TOKENS["token"], block)
        store = MemoryStorage(pre)
        result = (execute_sequential(store, block_txs) if scheduler is None
                  else scheduler.execute_batch(store, block_txs))
        kinds = [r.error for r in call_results(result.outputs)]
        assert kinds == [None, ErrorKind.OUT_OF_GAS, ErrorKind.UNREACHABLE, None]
        assert [len(o.write_set) for o in result.outcomes] == [2, 0, 0, 2]
        assert not any(o.failed for o in result.outcomes)
        assert store.get(bal(1)) == u64(80) and store.get(bal(2)) == u64(20)


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_scans_in_a_batch_equal_sequential(backend: str) -> None:
    """SCHED-WASM-1, SCHED-MEM-8: ``storage_scan`` works in a transaction of a batch: each scan
    sees the writes and deletions of the transactions before it (phantom inserts included),
    in the parallel run exactly as in the sequential baseline, under every schedule."""
    runtime = BACKENDS[backend](MemoryStorage())
    scan = probe.i32s(*probe.text(b"a"), 4, probe.OUT, 64)
    set_scan = probe.i32s(*probe.text(b"abc"), *probe.text(b"xy"), *probe.text(b"a"), 4,
                          probe.OUT, 64, 0)
    block = [contract_transaction(runtime, PROBE, "storage_scan", scan),
             contract_transaction(runtime, PROBE, "set_scan", set_scan),
             contract_transaction(runtime, PROBE, "storage_delete", probe.i32s(
                 *probe.text(b"ab"))),
             contract_transaction(runtime, PROBE, "storage_scan", scan),
             contract_transaction(runtime, PROBE, "storage_set",
                                  probe.i32s(*probe.text(b"b"), *probe.text(b"z"))),
             contract_transaction(runtime, PROBE, "storage_scan", scan)]
    pre = {b"a": b"1", b"ab": b"2"}
    sequential_store = MemoryStorage(pre)
    sequential = execute_sequential(sequential_store, block)
    results = call_results(sequential.outputs)
    assert [r.error for r in results] == [None] * len(block)
    # The view records what the transaction saw of the state before it: a call's own write
    # ("abc" in set_scan) is merged by the call's overlay, above the view.
    scans = [a for reads in sequential.reads for a in reads if isinstance(a, ScanRecord)]
    assert [tuple(k for k, _ in s.entries) for s in scans] == [
        (b"a", b"ab"), (b"a", b"ab"), (b"a", b"abc"), (b"a", b"abc")]
    for workers in (1, 3, 6):
        for seed in range(4):
            store = MemoryStorage(pre)
            parallel = MvccScheduler(workers=workers, schedule=RandomSchedule(seed)
                                     ).execute_batch(store, block)
            assert parallel == sequential
            assert [encode_result(r) for r in call_results(parallel.outputs)] == [
                encode_result(r) for r in results]
            assert store.items() == sequential_store.items()


class Pause(BaseException):
    """A control signal of an embedder: not an `Exception` (RT-CALL-5)."""


class SignallingStorage(MemoryStorage):
    """A storage whose ``get`` of ``key`` raises ``signal``."""

    def __init__(self, items: dict[bytes, bytes], key: bytes, signal: BaseException) -> None:
        super().__init__(items)
        self.key = key
        self.signal = signal

    def get(self, key: bytes) -> bytes | None:
        if key == self.key:
            raise self.signal
        return super().get(key)


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_control_signal_passes_through_call(backend: str) -> None:
    """RT-CALL-5: a storage raising a non-`Exception` (a scheduler's pause, KeyboardInterrupt)
    in the middle of a transfer -- after the debit was buffered -- makes ``call`` raise that
    very signal with nothing committed, on both backends; an ordinary exception is a
    HOST_ERROR; the runtime keeps working afterwards."""
    runtime = BACKENDS[backend](MemoryStorage())
    pre = {bal(1): u64(100), b"supply": u64(100)}
    args = [Value.i32(1), Value.i32(2), Value.i64(10)]
    for signal in (Pause(), KeyboardInterrupt()):
        storage = SignallingStorage(pre, bal(2), signal)
        with pytest.raises(type(signal)) as caught:
            runtime.call(TOKENS["token"], "transfer", args, storage=storage)
        assert caught.value is signal
        assert storage.items() == sorted(pre.items())
    storage = SignallingStorage(pre, bal(2), RuntimeError("disk on fire"))
    failed = runtime.call(TOKENS["token"], "transfer", args, gas_limit=GAS_LIMIT,
                          storage=storage)
    assert failed.error is ErrorKind.HOST_ERROR and failed.gas_used == GAS_LIMIT
    assert storage.items() == sorted(pre.items())
    plain = MemoryStorage(pre)
    assert runtime.call(TOKENS["token"], "transfer", args, storage=plain).ok
    assert plain.get(bal(2)) == u64(10)


@pytest.mark.parametrize("mode", ["simulated", "threads"])
def test_plain_transactions_calling_wasmtime_move_to_their_own_thread(mode: str) -> None:
    """RT-BACKEND-3, SCHED-VM-1: a plain transaction body (not made by contract_transaction,
    own_thread left false) that calls the wasmtime backend is moved to an OS thread of its own
    before wasmtime runs -- never suspended inside wasmtime on a shared greenlet, which would
    corrupt wasmtime's per-thread state -- and the block equals sequential execution."""
    runtime = WasmtimeRuntime(MemoryStorage())
    pre = {bal(a): u64(100) for a in range(4)}
    pre[b"supply"] = u64(400)

    def transfer(a: int, b: int, amount: int) -> Transaction:
        def body(view: Any) -> CallResult:
            return runtime.call(TOKENS["token"], "transfer",
                                [Value.i32(a), Value.i32(b), Value.i64(amount)],
                                gas_limit=GAS_LIMIT, storage=ViewStorage(view))
        return Transaction(body)

    rng = random.Random(5)
    block = [transfer(*rng.sample(range(4), 2), rng.randrange(60)) for _ in range(25)]
    seq = execute_sequential(MemoryStorage(pre), block)
    for seed in range(3):
        scheduler = (MvccScheduler(workers=8, schedule=RandomSchedule(seed))
                     if mode == "simulated" else MvccScheduler(workers=3, mode="threads"))
        par = scheduler.execute_batch(MemoryStorage(pre), block)
        assert par == seq
