"""The batch fixture, ``supervm_batch_test``: a block of contract calls executed as one batch
(spec/conformance.md section 8, CONF-BATCH-*; spec/scheduling.md, SCHED-RESULT-1,
SCHED-WASM-1/2).

A batch fixture has the shape of a call fixture -- ``env``, ``pre``, ``transactions`` (the
block, in block order), ``post`` -- and only its ``_info.fixture_format`` differs. Its meaning
is SCHED-RESULT-1: executing the block, however it is scheduled, gives what executing the
transactions one after the other in block order gives. So `BatchFormat` is the call format
(`CallFormat`) filled and run in process differently:

- filling runs the block on the reference with the sequential baseline of spec/scheduling.md
  (`execute_sequential`, SCHED-SEQ-1), one `contract_transaction` per transaction, and checks
  that it equals the plain calls (CONF-BATCH-2);
- on a Python backend, `supervm consume` runs the block through `MvccScheduler` under every
  schedule of `BATCH_SCHEDULES` -- each run must reproduce ``post`` exactly (CONF-BATCH-3);
- as for a call, an external backend receives the ordinary call input, which does not name
  the format, and may execute the block any way it likes (CONF-BATCH-4).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar, cast

from ...backends import BackendFactory
from ...blockstm import (
    MvccScheduler,
    RandomSchedule,
    TimedSchedule,
    Transaction,
    TxnFailure,
    execute_sequential,
)
from ...blockstm.contract import CallingRuntime, contract_transaction
from ...blockstm.errors import BlockStmError
from ...blockstm.simulator import Schedule
from ...persistence import RocksDBStorage
from ...runtime.context import BlockContext
from ...runtime.runtime import CallResult, Runtime
from ...runtime.storage import MemoryStorage
from ..encoding import EncodingError, encode_result, encode_storage
from ..execute import BackendFailure, RunInput
from ..filler import Case
from ..storage import fixture_storage
from .base import InProcessRun
from .call import CallFormat, run_input

#: CONF-BATCH-3: what the simulator charges for one execution of a contract transaction
#: (SCHED-SIM-2). Only virtual time depends on it, never a result.
BATCH_TXN_COST = 1000


@dataclass(frozen=True, slots=True)
class BatchSchedule:
    """CONF-BATCH-3: one way to run a block through `MvccScheduler`: the mode (``"simulated"``
    or ``"threads"``), the number of workers and, in the simulator, the order in which virtual
    workers take their steps (SCHED-SIM-1): ``"timed"`` (`TimedSchedule`, virtual time) or
    ``"random"`` (`RandomSchedule`, uniformly at random), drawn from ``seed``."""

    mode: str
    workers: int
    order: str = "timed"
    seed: int = 0

    @property
    def label(self) -> str:
        """How a consume report names the run, e.g. ``simulated, 4 workers, random seed 1``."""
        workers = f"{self.workers} worker{'s' if self.workers > 1 else ''}"
        if self.mode != "simulated":
            return f"{self.mode}, {workers}"
        return f"{self.mode}, {workers}, {self.order} seed {self.seed}"

    def scheduler(self) -> MvccScheduler:
        """A fresh `MvccScheduler` running this schedule (SCHED-API-1)."""
        if self.mode != "simulated":
            return MvccScheduler(workers=self.workers, mode=self.mode)
        order: Schedule = (TimedSchedule(self.seed) if self.order == "timed"
                           else RandomSchedule(self.seed))
        return MvccScheduler(workers=self.workers, seed=self.seed, schedule=order)


#: CONF-BATCH-3: the schedules a Python backend's batch runs are checked under. One simulated
#: worker executes the block in order. Under the timed schedule, equal transaction costs make
#: the workers move in lockstep (its seed only permutes identical workers, so one seed is
#: enough); the random schedule interleaves their steps arbitrarily, with more aborts and
#: re-executions. Two real threads add timing the simulator does not choose.
BATCH_SCHEDULES: tuple[BatchSchedule, ...] = (
    BatchSchedule("simulated", 1),
    BatchSchedule("simulated", 4),
    BatchSchedule("simulated", 4, "random", 1),
    BatchSchedule("simulated", 16),
    BatchSchedule("simulated", 16, "random", 1),
    BatchSchedule("threads", 2),
)


def block_transactions(runtime: CallingRuntime, test: RunInput) -> list[Transaction]:
    """CONF-BATCH-3, SCHED-WASM-2: the block of ``test`` as Block-STM transactions: each
    fixture transaction becomes a `contract_transaction` calling ``code[to].function(args)``
    on ``runtime`` in the env's block context, under its own gas limit."""
    context = BlockContext(test.env.block_number, test.env.timestamp)
    return [contract_transaction(runtime, test.code[tx.to], tx.function, tx.args,
                                 context=context, gas_limit=tx.gas_limit, gas=BATCH_TXN_COST,
                                 label=f"{i}: {tx.to}.{tx.function}")
            for i, tx in enumerate(test.transactions)]


def execute_block(factory: BackendFactory, test: RunInput,
                  schedule: BatchSchedule | None = None) -> dict[str, Any]:
    """CONF-BATCH-2/3: build the backend on a storage holding the pre-state (a `MemoryStorage`,
    or what `fixture_storage` selects, CONF-STORAGE-1), execute
    the block as one batch -- with the sequential baseline (SCHED-SEQ-1) when ``schedule`` is
    None, else with `MvccScheduler` under ``schedule`` -- and return ``post``: each
    transaction's encoded `CallResult` and the final storage.

    Raises `BackendFailure` when the backend cannot be built, a call raised instead of
    returning a `CallResult` (RT-ERR-1; the transaction's output is then a `TxnFailure`), a
    result has no fixture encoding, or the scheduler stopped with an error."""
    with fixture_storage(test.storage) as storage:
        return _execute_block_on(storage, factory, test, schedule)


def _execute_block_on(storage: MemoryStorage | RocksDBStorage, factory: BackendFactory,
                      test: RunInput, schedule: BatchSchedule | None) -> dict[str, Any]:
    """CONF-BATCH-2/3: `execute_block` on the storage `fixture_storage` built."""
    try:
        runtime = factory(storage)
    except Exception as e:
        raise BackendFailure(f"building the backend raised {type(e).__name__}: {e}") from e
    # A batch needs RT-CALL-5's ``storage=``: a backend without it raises TypeError in every
    # call, which the check of the outputs below reports.
    block = block_transactions(cast(CallingRuntime, runtime), test)
    try:
        if schedule is None:
            outcome = execute_sequential(storage, block)
        else:
            outcome = schedule.scheduler().execute_batch(storage, block)
    except BlockStmError as e:
        raise BackendFailure(f"the scheduler stopped: {e}") from e
    results: list[dict[str, Any]] = []
    for i, (tx, output) in enumerate(zip(test.transactions, outcome.outputs)):
        where = f"transaction {i} ({tx.to}.{tx.function})"
        if isinstance(output, TxnFailure):  # the call raised: a backend bug (RT-ERR-1)
            raise BackendFailure(f"{where}: the backend raised {output.kind}: "
                                 f"{output.message}")
        if not isinstance(output, CallResult):
            raise BackendFailure(f"{where}: a backend returned {type(output).__name__}, "
                                 "not a CallResult")
        try:
            results.append(encode_result(output))
        except EncodingError as e:
            raise BackendFailure(f"{where}: {e}") from e
    return {"results": results, "storage": encode_storage(storage.items())}


def fill_batch_post(test: RunInput, plain: dict[str, Any]) -> dict[str, Any]:
    """CONF-BATCH-2: the ``post`` of a batch case: the block run by the sequential baseline of
    spec/scheduling.md on the reference (SCHED-SEQ-1, SCHED-WASM-2). It must equal ``plain``,
    the calls run one after the other on the runtime's own storage (CONF-RUN-1): a block whose
    outcome depends on being run as a batch is not a fixture, since an external backend is
    only given the transactions. `BackendFailure` otherwise."""
    post = execute_block(Runtime, test)
    if post != plain:
        first = next((i for i, (a, b) in enumerate(zip(post["results"], plain["results"]))
                      if a != b), None)
        where = "the final storage" if first is None else f"transaction {first}"
        raise BackendFailure(f"CONF-BATCH-2: the batch baseline and plain sequential execution "
                             f"differ at {where}")
    return post


def _run_block(schedule: BatchSchedule, factory: BackendFactory, decoded: RunInput
               ) -> dict[str, Any]:
    return execute_block(factory, decoded, schedule)


class BatchFormat(CallFormat):
    """CONF-BATCH-1..4: a call fixture whose transactions are one block."""

    name: ClassVar[str] = "supervm_batch_test"
    description: ClassVar[str] = ("a block of contract calls executed as one batch; under every "
                                  "schedule the results and final storage are those of the "
                                  "calls run one after the other in block order")
    spec_section: ClassVar[str] = "spec/conformance.md section 8 (CONF-BATCH-*)"
    case_kind: ClassVar[str | None] = "batch"
    case_type: ClassVar[type | None] = Case

    def schema_defs(self) -> dict[str, Any]:
        """CONF-BATCH-1: the members, encodings and input/output of a call fixture."""
        return {self.name: {
            "description": "CONF-BATCH-1: a batch fixture: exactly the members of a call "
                           "fixture; the transactions are one block.",
            "$ref": f"#/$defs/{CallFormat.name}",
        }}

    def fill(self, case: Case) -> dict[str, Any]:
        """CONF-BATCH-2: the call fixture's body, with ``post`` from the sequential baseline
        of the block (which must equal the plain calls)."""
        body = super().fill(case)
        body["post"] = fill_batch_post(run_input(case), body["post"])
        return body

    def in_process_runs(self) -> tuple[InProcessRun, ...]:
        """CONF-BATCH-3: one run of the block through `MvccScheduler` per schedule of
        `BATCH_SCHEDULES`, labelled with the schedule."""
        return tuple(InProcessRun(s.label, partial(_run_block, s)) for s in BATCH_SCHEDULES)
