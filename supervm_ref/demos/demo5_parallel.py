"""Demo 5 of the seed: parallel execution and conflict detection (spec/scheduling.md,
PAR-DEMO-1).

Four contract calls run with read/write-set tracking (the seed's ``execute_with_rw_tracking``):
TX1 and TX2 write two balances, TX3 reads Alice's, TX4 reads and rewrites it. The conflict
detector finds the conflicts, the dependency graph and the parallel batches, and the block is
run again batch by batch on a fresh storage to show it ends in the same state.

The modules are committed as the bytes ``wat2wasm`` produces for the WAT shown beside them;
tests/parallel/test_parallel_seed.py checks the two agree.
"""

from __future__ import annotations

from collections.abc import Callable

from ..config import Config
from ..parallel.batch_execution import execute_in_batches
from ..parallel.conflict import ConflictDetector, ReadWriteSet, TxId
from ..parallel.errors import TxError
from ..parallel.tracking import execute_with_rw_tracking
from ..runtime.runtime import Runtime
from ..runtime.storage import MemoryStorage, Storage

#: TX1: storage_set("alice_balance", "100").
TX1_WAT = """(module
  (import "storage_api" "storage_set" (func (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "alice_balance")
  (data (i32.const 16) "100")
  (func (export "run") (result i32)
    i32.const 0 i32.const 13 i32.const 16 i32.const 3 call 0))"""
TX1_WASM = bytes.fromhex(
    "0061736d01000000010d0260047f7f7f7f017f6000017f021b010b73746f726167655f6170690b73746f7261"
    "67655f7365740000030201010503010001071002066d656d6f727902000372756e00010a0e010c004100410d"
    "4110410310000b0b1b020041000b0d616c6963655f62616c616e63650041100b03313030")

#: TX2: storage_set("bob_balance", "200").
TX2_WAT = """(module
  (import "storage_api" "storage_set" (func (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "bob_balance")
  (data (i32.const 16) "200")
  (func (export "run") (result i32)
    i32.const 0 i32.const 11 i32.const 16 i32.const 3 call 0))"""
TX2_WASM = bytes.fromhex(
    "0061736d01000000010d0260047f7f7f7f017f6000017f021b010b73746f726167655f6170690b73746f7261"
    "67655f7365740000030201010503010001071002066d656d6f727902000372756e00010a0e010c004100410b"
    "4110410310000b0b19020041000b0b626f625f62616c616e63650041100b03323030")

#: TX3: storage_get("alice_balance").
TX3_WAT = """(module
  (import "storage_api" "storage_get" (func (param i32 i32) (result i64)))
  (memory (export "memory") 1)
  (data (i32.const 0) "alice_balance")
  (func (export "run") (result i32)
    i32.const 0 i32.const 13 call 0 drop
    i32.const 0))"""
TX3_WASM = bytes.fromhex(
    "0061736d01000000010b0260027f7f017e6000017f021b010b73746f726167655f6170690b73746f72616765"
    "5f6765740000030201010503010001071002066d656d6f727902000372756e00010a0d010b004100410d1000"
    "1a41000b0b13010041000b0d616c6963655f62616c616e6365")

#: TX4: storage_get("alice_balance"), then storage_set("alice_balance", "90").
TX4_WAT = """(module
  (import "storage_api" "storage_get" (func (param i32 i32) (result i64)))
  (import "storage_api" "storage_set" (func (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "alice_balance")
  (data (i32.const 16) "90")
  (func (export "run") (result i32)
    i32.const 0 i32.const 13 call 0 drop
    i32.const 0 i32.const 13 i32.const 16 i32.const 2 call 1))"""
TX4_WASM = bytes.fromhex(
    "0061736d0100000001130360027f7f017e60047f7f7f7f017f6000017f0235020b73746f726167655f617069"
    "0b73746f726167655f67657400000b73746f726167655f6170690b73746f726167655f736574000103020102"
    "0503010001071002066d656d6f727902000372756e00020a150113004100410d10001a4100410d4110410210"
    "010b0b1a020041000b0d616c6963655f62616c616e63650041100b023930")

#: The block: transaction id -> contract (each called at its export ``run``).
BLOCK: dict[TxId, bytes] = {1: TX1_WASM, 2: TX2_WASM, 3: TX3_WASM, 4: TX4_WASM}
#: Worker threads for the batched run (the outcome does not depend on it).
WORKERS = 4


def _keys(keys: set[bytes]) -> str:
    return ", ".join(k.decode("ascii", errors="replace") for k in sorted(keys))


def describe_rw_set(rw: ReadWriteSet) -> str:
    """``reads alice_balance, writes alice_balance``."""
    parts = []
    if rw.reads:
        parts.append(f"reads {_keys(rw.reads)}")
    if rw.read_prefixes:
        parts.append(f"scans {_keys(rw.read_prefixes)}")
    if rw.writes:
        parts.append(f"writes {_keys(rw.writes)}")
    return ", ".join(parts) or "touches no state"


def _state(storage: MemoryStorage) -> str:
    return ", ".join(f"{k.decode()}={v.decode()}" for k, v in storage.items())


def run(log: Callable[[str], None], config: Config) -> None:
    """PAR-DEMO-1: print the demo 5 lines (deterministic: no timing, no thread order)."""

    def runtime_on(storage: Storage) -> Runtime:
        return Runtime(storage, engine_limits=config.engine, host_limits=config.host,
                       default_gas_limit=config.runtime.default_gas_limit)

    # 1. Sequential execution with read/write tracking.
    sequential = MemoryStorage()
    runtime = runtime_on(sequential)
    rw_sets: dict[TxId, ReadWriteSet] = {}
    for tx_id, wasm in BLOCK.items():
        result = execute_with_rw_tracking(runtime, wasm, "run", config.demo.block_number,
                                          config.demo.timestamp, tx_id)
        rw_sets[tx_id] = result.read_write_set

    # 2. Conflicts, dependencies, batches.
    order = list(BLOCK)
    detector = ConflictDetector()
    for tx_id in order:
        detector.record(tx_id, rw_sets[tx_id])
    conflicts = detector.find_conflicts(order)
    graph = detector.build_dependency_graph(order)
    batches = detector.parallel_batches(order)

    # 3. The same block batch by batch on a fresh storage.
    def execute_tx(tx_id: TxId, view: Storage) -> None:
        call = runtime_on(view).call(BLOCK[tx_id], "run")
        if call.error is not None:
            raise TxError(f"TX{tx_id}: {call.error.value}")

    batched = MemoryStorage()
    outcome = execute_in_batches(batched, order, rw_sets, execute_tx, workers=WORKERS)

    log(f"Demo 5: parallel execution: {len(order)} txs, {len(conflicts)} conflicts, "
        f"{len(batches)} batches")
    log(f"  Executed {len(order)} transactions with read/write tracking:")
    for tx_id in order:
        log(f"    TX{tx_id}: {describe_rw_set(rw_sets[tx_id])}")
    log("  Conflicts:")
    for conflict in conflicts:
        log(f"    {conflict.describe()}")
    log("  Dependencies: " + ", ".join(f"TX{tx}: {graph.get_dependencies(tx)}"
                                      for tx in order))
    log(f"  Parallel batches: {batches}")
    same = batched.items() == sequential.items() and all(o.ok for o in outcome.outcomes)
    verdict = "matches" if same else "DIFFERS FROM"
    log(f"  Batched execution {verdict} sequential execution: {_state(batched)}")
