"""Batch fixtures (spec/conformance.md, CONF-BATCH-*): blocks of contract calls whose post-state
is sequential execution in block order (SCHED-RESULT-1, SCHED-WASM-1/2). The committed batch
fixtures pass on the reference and on wasmtime under every Block-STM schedule of
CONF-BATCH-3, and once through the t8n protocol; the filler's ``kind``, the CONF-BATCH-2 check,
and the per-schedule reports of a wrong fixture or a faulty backend are checked too."""

from __future__ import annotations

import argparse
import copy
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from supervm_ref.backends import load_backend
from supervm_ref.cli import consume as consume_cli
from supervm_ref.conformance import encoding as enc
from supervm_ref.conformance import probe
from supervm_ref.conformance.consume import (
    command_runner,
    consume_file,
    consume_fixture,
    python_runner,
)
from supervm_ref.conformance.execute import decode_input, execute
from supervm_ref.conformance.fill import fill_case
from supervm_ref.conformance.filler import Case, FillerError, Tx, contract, filling_root
from supervm_ref.conformance.formats.batch import BATCH_SCHEDULES, BatchFormat, execute_block
from supervm_ref.conformance.schema import errors_against, load_schema
from supervm_ref.runtime.context import BlockContext
from supervm_ref.runtime.runtime import CallResult, Runtime
from supervm_ref.runtime.storage import MemoryStorage, Storage
from supervm_ref.wasm.runtime.values import Value

from ..conftest import ConsumeRun
from ..support import REPO

FIXTURES = REPO / "conformance" / "fixtures"
BATCH = FIXTURES / "batch.json"
SCHEMA = load_schema(REPO)
T8N = [sys.executable, "-m", "supervm_ref.cli.t8n"]
#: The batch rules every batch fixture cites.
BATCH_RULES = {"SCHED-RESULT-1", "SCHED-WASM-1", "SCHED-WASM-2", "CONF-BATCH-1",
               "CONF-BATCH-2", "CONF-BATCH-3", "CONF-BATCH-4"}


def _fixtures() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads(BATCH.read_text())
    return data


def _one(tmp_path: Path, name: str, fixture: dict[str, Any]) -> Path:
    path = tmp_path / "one.json"
    path.write_text(json.dumps({name: fixture}))
    return path


def _cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="supervm")
    consume_cli.register(parser.add_subparsers())
    args = parser.parse_args(argv)
    status: int = args.func(args)
    return status


# --- The committed batch fixtures -----------------------------------------------------------------


@pytest.mark.parametrize("backend", ["reference", "wasmtime"])
def test_consume_passes_on_both_backends(backend: str,
                                         consumed: Callable[[str], ConsumeRun]) -> None:
    """CONF-BATCH-3, SCHED-RESULT-1, SCHED-WASM-2: ``supervm consume --backend NAME
    conformance/fixtures`` passes every fixture, and every batch fixture passes under each of
    the six Block-STM schedules (1, 4 and 16 simulated workers, timed and random; 2 threads).
    The report is the session's one consume per backend (tests/conftest.py)."""
    run = consumed(backend)
    assert run.status == 0
    report = run.report
    assert report["ok"] is True and report["summary"]["failed"] == 0
    batch = run.file("batch.json")
    assert batch["passed"] is True and batch["fixtures"] == len(_fixtures())
    assert report["formats"][BatchFormat.name] == {"passed": len(_fixtures()), "failed": 0}


def test_batch_fixtures_content() -> None:
    """CONF-BATCH-1: 10-25 batch fixtures in a file under 600 KB, each citing SCHED-RESULT-1,
    SCHED-WASM-1/2 and CONF-BATCH-*; blocks of up to ~200 transactions covering both tokens
    over 2, 3, 10 and 100 accounts, insufficient funds, mints, self-transfers, supply
    overflow, traps, out of gas and pre-execution failures mid-block, counter increments on
    one key, events, and scans (SCHED-MEM-8) among inserts and deletions."""
    assert BATCH.stat().st_size < 600_000
    fixtures = _fixtures()
    assert 10 <= len(fixtures) <= 25
    scanning = [name for name, f in fixtures.items() if "SCHED-MEM-8" in f["_info"]["rules"]]
    assert len(scanning) >= 3, scanning
    token_accounts: set[int] = set()
    errors: set[str | None] = set()
    codes: set[str] = set()
    functions: set[tuple[str, str]] = set()
    self_transfers = 0
    for name, fixture in fixtures.items():
        info = fixture["_info"]
        assert info["fixture_format"] == BatchFormat.name, name
        assert info["filler"] == "conformance/fillers/batch.py"
        assert set(info["rules"]) >= BATCH_RULES, name
        assert info["hash"] == enc.fixture_hash(fixture)
        assert 1 <= len(fixture["transactions"]) <= 200
        accounts = {k for k in fixture["pre"]["storage"] if k.startswith("0x62616c3a")}
        token_accounts.add(len(accounts))
        for tx, result in zip(fixture["transactions"], fixture["post"]["results"]):
            functions.add((tx["to"], tx["function"]))
            errors.add(result["error"])
            if tx["function"] in ("transfer", "mint") and result["error"] is None:
                codes.add(f"{tx['function']}:{result['return'][0]['value']}")
            if tx["function"] == "transfer" and len(tx["args"]) == 3 \
                    and tx["args"][0] == tx["args"][1]:
                self_transfers += 1
    assert {2, 3, 10, 100} <= token_accounts
    assert {None, "OUT_OF_GAS", "UNREACHABLE", "NO_SUCH_FUNCTION", "BAD_ARGUMENTS"} <= errors
    assert {"transfer:0", "transfer:1", "mint:0", "mint:2"} <= codes
    assert {("token", "transfer"), ("token_c", "transfer"), ("token", "mint"),
            ("token_c", "mint"), ("counter", "increment"), ("counter", "reset"),
            ("events", "emit"), ("events", "emit_then_trap")} <= functions
    assert self_transfers >= 10
    assert max(len(f["transactions"]) for f in fixtures.values()) >= 100


def test_batch_post_is_plain_sequential_execution() -> None:
    """CONF-BATCH-2, CONF-RUN-1, SCHED-SEQ-1: every batch fixture's ``post`` is both the
    sequential baseline of a block and the calls run one after the other on one storage."""
    for name, fixture in _fixtures().items():
        test = decode_input(fixture)
        assert execute(Runtime, test) == fixture["post"], name
        assert execute_block(Runtime, test) == fixture["post"], name


def test_external_backend_runs_a_batch_once(tmp_path: Path) -> None:
    """CONF-BATCH-4, CONF-PROTO-1: an external program gets exactly a call fixture's input
    (``env``, ``pre``, ``transactions``) once per batch fixture, and the t8n program, which
    runs the block sequentially, passes."""
    fixtures = _fixtures()
    seen: list[dict[str, Any]] = []

    def recording(test: dict[str, Any]) -> Any:
        seen.append(test)
        return execute(Runtime, decode_input(test))

    for name in sorted(fixtures):
        assert consume_fixture(name, fixtures[name], [], recording).passed
    assert len(seen) == len(fixtures)
    assert all(set(t) == {"env", "pre", "transactions"} for t in seen)
    sample = {n: fixtures[n] for n in ("batch/token_funding_chain", "batch/events_and_traps",
                                       "batch/token_c_2_accounts")}
    path = tmp_path / "sample.json"
    path.write_text(json.dumps(sample))
    outcome = consume_file(path, SCHEMA, command_runner(T8N))
    assert outcome.passed and len(outcome.fixtures) == 3, outcome


# --- Reports ------------------------------------------------------------------------------------


def test_wrong_batch_fixture_is_reported_per_schedule(tmp_path: Path) -> None:
    """CONF-BATCH-3, CONF-CONSUME-2: a changed ``gas_used`` (hash recomputed) is reported once
    per schedule, prefixed with it, in the order of `BATCH_SCHEDULES`."""
    name = "batch/token_funding_chain"
    fixture = copy.deepcopy(_fixtures()[name])
    gas = fixture["post"]["results"][3]["gas_used"]
    fixture["post"]["results"][3]["gas_used"] = gas + 1
    fixture["_info"]["hash"] = enc.fixture_hash(fixture)
    (only,) = consume_file(_one(tmp_path, name, fixture), SCHEMA,
                           python_runner(Runtime)).fixtures
    assert only.problems == [
        f"[{s.label}] tx 3 (token.transfer): gas_used: expected {gas + 1}, got {gas}"
        for s in BATCH_SCHEDULES]
    assert [s.label for s in BATCH_SCHEDULES] == [
        "simulated, 1 worker, timed seed 0", "simulated, 4 workers, timed seed 0",
        "simulated, 4 workers, random seed 1", "simulated, 16 workers, timed seed 0",
        "simulated, 16 workers, random seed 1", "threads, 2 workers"]


class OldSignature:
    """A backend with the CONF-BACKEND-1 signature but without RT-CALL-5's ``storage=``."""

    def __init__(self, storage: Storage) -> None:
        self.runtime = Runtime(storage)

    def call(self, wasm: bytes, function: str, args: Sequence[Value] = (), *,
             context: BlockContext | None = None, gas_limit: int | None = None) -> CallResult:
        return self.runtime.call(wasm, function, args, context=context, gas_limit=gas_limit)


class IgnoresView(Runtime):
    """A faulty backend: it accepts ``storage=`` but runs every call on its own storage."""

    def call(self, wasm: bytes, function: str, args: Sequence[Value] = (), *,
             context: BlockContext | None = None, gas_limit: int | None = None,
             storage: Storage | None = None) -> CallResult:
        return super().call(wasm, function, args, context=context, gas_limit=gas_limit)


class SwallowsSignals(Runtime):
    """A faulty backend: it catches every exception of a call, the executor's control signal
    (a BaseException, RT-CALL-5) included."""

    def call(self, wasm: bytes, function: str, args: Sequence[Value] = (), *,
             context: BlockContext | None = None, gas_limit: int | None = None,
             storage: Storage | None = None) -> CallResult:
        try:
            return super().call(wasm, function, args, context=context, gas_limit=gas_limit,
                                storage=storage)
        except BaseException:  # the fault under test
            return CallResult(None)


def test_faulty_backends_fail_batch_fixtures(tmp_path: Path) -> None:
    """CONF-BATCH-3, RT-CALL-5, SCHED-VM-2: backends that pass a call fixture can fail a
    batch fixture: one without ``storage=`` (every call raises TypeError: a backend failure
    in every schedule); one that ignores the view (wrong results when re-executions
    interleave). The same fixture read as a call fixture passes on both. A backend that
    swallows the executor's control signal passes: an abandoned execution's outcome is never
    used (SCHED-VM-2)."""
    name = "batch/counter_wraps"
    fixture = _fixtures()[name]
    path = _one(tmp_path, name, fixture)

    def problems(factory: Any) -> list[str]:
        (only,) = consume_file(path, SCHEMA, python_runner(factory)).fixtures
        return only.problems

    old = problems(OldSignature)
    assert len(old) == len(BATCH_SCHEDULES)
    assert all("backend: transaction 0 (counter.increment): the backend raised TypeError"
               in p for p in old), old
    # Writing straight into the store happens to give the right answer when the block runs
    # in order; the interleavings of the random schedules expose it.
    ignoring = problems(IgnoresView)
    labels = {s.label for s in BATCH_SCHEDULES}
    assert ignoring and all(p[1:p.index("]")] in labels for p in ignoring), ignoring
    assert any("tx 0 (counter.increment): return[0]" in p for p in ignoring)
    assert problems(SwallowsSignals) == []
    as_call = copy.deepcopy(fixture)
    as_call["_info"]["fixture_format"] = "supervm_call_test"
    call_path = _one(tmp_path, name, as_call)
    for factory in (OldSignature, IgnoresView):
        (only,) = consume_file(call_path, SCHEMA, python_runner(factory)).fixtures
        assert only.passed, only.problems


# --- Filling ------------------------------------------------------------------------------------


def test_case_kind() -> None:
    """CONF-BATCH-1, CONF-FILL-2: ``Case.kind`` defaults to "call"; "batch" writes a
    ``supervm_batch_test`` the schema accepts; another kind is rejected."""
    with filling_root(REPO):
        counter = contract("counter")
    txs = [Tx("counter", "increment", [Value.i64(2)]), Tx("counter", "get")]
    call = Case("batch/k", "d", ["SCHED-RESULT-1"], {"counter": counter}, txs=txs)
    batch = Case("batch/k", "d", ["SCHED-RESULT-1"], {"counter": counter}, txs=txs,
                 kind="batch")
    assert call.kind == "call"
    filled_call, filled_batch = fill_case(call, "f.py"), fill_case(batch, "f.py")
    assert filled_call["_info"]["fixture_format"] == "supervm_call_test"
    assert filled_batch["_info"]["fixture_format"] == BatchFormat.name
    assert filled_batch["post"] == filled_call["post"]
    assert errors_against({"batch/k": filled_batch}, SCHEMA) == []
    bogus = copy.deepcopy(filled_batch)
    bogus["_info"]["fixture_format"] = "supervm_block_test"
    assert errors_against({"batch/k": bogus}, SCHEMA)
    with pytest.raises(FillerError, match="kind must be one of call, batch"):
        fill_case(Case("batch/k", "d", ["SCHED-RESULT-1"], {"counter": counter}, txs=txs,
                       kind="block"), "f.py")


def test_a_batch_that_scans_fills_like_a_call_case() -> None:
    """CONF-BATCH-2, SCHED-WASM-1, SCHED-MEM-8: storage_scan works in a batch, so a batch case
    that scans fills, with the post of the same transactions run one call after another."""
    with filling_root(REPO):
        wasm = contract("abi_probe")
    txs = [Tx("probe", "storage_set", probe.i32s(*probe.text(b"a"), *probe.text(b"xyz"))),
           Tx("probe", "storage_scan", probe.i32s(*probe.text(b"a"), 4, probe.OUT, 64))]
    call = fill_case(Case("batch/scan", "d", ["SCHED-WASM-1"], {"probe": wasm}, txs=txs),
                     "f.py")
    assert call["post"]["results"][1]["error"] is None
    batch = fill_case(Case("batch/scan", "d", ["SCHED-WASM-1"], {"probe": wasm}, txs=txs,
                           kind="batch"), "f.py")
    assert batch["post"] == call["post"]
    assert execute_block(Runtime, decode_input(batch)) == batch["post"]


def test_backend_registry_factories_run_batches() -> None:
    """CONF-BATCH-3, RT-BACKEND-1: both registered factories run a block under a schedule
    with 16 workers and agree with the sequential baseline."""
    fixture = _fixtures()["batch/tokens_share_balances"]
    test = decode_input(fixture)
    for backend in ("reference", "wasmtime"):
        factory = load_backend(backend)
        assert execute_block(factory, test, BATCH_SCHEDULES[-2]) == fixture["post"], backend
        assert execute_block(factory, test, None) == fixture["post"], backend


def test_storage_of_a_batch_is_the_pre_state_copy() -> None:
    """CONF-BATCH-3: each run starts from its own copy of ``pre.storage``: running a block
    twice gives the same post, and the decoded input is not modified."""
    test = decode_input(_fixtures()["batch/counter_increments"])
    before = dict(test.storage)
    first = execute_block(Runtime, test, BATCH_SCHEDULES[2])
    assert execute_block(Runtime, test, BATCH_SCHEDULES[2]) == first
    assert test.storage == before
    assert MemoryStorage(before).items() == MemoryStorage(test.storage).items()
