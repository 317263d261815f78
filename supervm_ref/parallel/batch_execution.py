"""Executing a block batch by batch (spec/scheduling.md, PAR-BATCH-3/4).

The meaning of a block is its sequential execution (`execute_sequentially`): each transaction
in block order, on the state its predecessors left, its writes kept if it succeeds and dropped
if it fails. `execute_in_batches` computes the same result with the batches of
`ConflictDetector.parallel_batches`: the transactions of a batch run concurrently (on up to
``workers`` threads), each on the state at the start of the batch through its own write buffer,
and their writes are applied in block order once the whole batch has run.

Why this is the same: within a batch no transaction writes what another reads or writes
(PAR-BATCH-2), so none can observe another; every transaction it depends on ran in an earlier
batch. This needs the declared read/write sets to cover what the transactions really do, so
each run is checked against its declared set (PAR-BATCH-4).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ..errors import shown
from ..runtime.overlay import StorageOverlay
from ..runtime.storage import Storage
from .conflict import ConflictDetector, ReadWriteSet, TxId, block_order
from .errors import InvalidInput, ParallelErrorKind, TxError, as_tx_error
from .tracking import RecordingStorage
from .validate import require_callable, require_int

#: A transaction: runs against the storage view it is given, raises to fail.
TxFunction = Callable[[TxId, Storage], None]

#: Upper bound on ``workers`` (a sanity limit, not a semantic one).
MAX_WORKERS = 1024


@dataclass(frozen=True, slots=True)
class TxOutcome:
    """One transaction's outcome: the batch it ran in (0 for sequential execution) and its
    failure (None on success)."""

    tx_id: TxId
    batch: int
    error: TxError | None

    @property
    def ok(self) -> bool:
        """Whether the transaction succeeded (and its writes were applied)."""
        return self.error is None


@dataclass(frozen=True, slots=True)
class BatchExecutionResult:
    """The batches used and every transaction's outcome, in block order."""

    batches: tuple[tuple[TxId, ...], ...]
    outcomes: tuple[TxOutcome, ...]


def _run_one(storage: Storage, tx_id: TxId, execute_tx: TxFunction
             ) -> tuple[StorageOverlay, RecordingStorage, TxError | None]:
    """Run one transaction on its own write buffer over ``storage``, recording its reads."""
    recording = RecordingStorage(storage)
    view = StorageOverlay(recording)
    try:
        execute_tx(tx_id, view)
    except Exception as exc:
        return view, recording, as_tx_error(exc)
    return view, recording, None


def undeclared_access(declared: ReadWriteSet, reads: ReadWriteSet,
                      written: Sequence[bytes]) -> str | None:
    """PAR-BATCH-4: what a run did outside its declared set (None if nothing): a key read
    that is neither declared read nor covered by a declared scan, a prefix scanned that no
    declared scan covers, or a key written that is not declared written."""
    for key in sorted(reads.reads):
        if not declared.reads_key(key):
            return f"read of undeclared key {shown(key)}"
    for prefix in sorted(reads.read_prefixes):
        if not any(prefix.startswith(p) for p in declared.read_prefixes):
            return f"scan of undeclared prefix {shown(prefix)}"
    for key in written:
        if key not in declared.writes:
            return f"write of undeclared key {shown(key)}"
    return None


def execute_sequentially(storage: Storage, tx_order: Sequence[TxId], execute_tx: TxFunction
                         ) -> tuple[TxOutcome, ...]:
    """PAR-BATCH-3: the meaning of a block: each transaction in order on its own write buffer
    over ``storage``, the buffer committed if it returns and dropped if it raises."""
    require_callable(execute_tx, "execute_tx")
    outcomes: list[TxOutcome] = []
    for tx_id in block_order(tx_order):
        view, _, error = _run_one(storage, tx_id, execute_tx)
        if error is None:
            view.commit()
        outcomes.append(TxOutcome(tx_id, 0, error))
    return tuple(outcomes)


def execute_in_batches(storage: Storage, tx_order: Sequence[TxId],
                       rw_sets: Mapping[TxId, ReadWriteSet], execute_tx: TxFunction,
                       workers: int = 1) -> BatchExecutionResult:
    """PAR-BATCH-3/4: run the block of ``tx_order`` batch by batch (see the module
    docstring); ``rw_sets`` declares each transaction's read/write set.

    For each batch, in order:

    1. run every transaction of the batch, concurrently on up to ``workers`` threads, each
       on its own write buffer over the state at the start of the batch;
    2. a run that accessed anything outside its declared set fails with UNDECLARED_ACCESS
       (PAR-BATCH-4), even if it also raised: the undeclared access takes precedence;
    3. apply the writes of the successful runs, in block order.

    Outcomes do not depend on ``workers`` or on thread timing."""
    require_callable(execute_tx, "execute_tx")
    workers = require_int(workers, "workers", 1, MAX_WORKERS)
    if not isinstance(rw_sets, Mapping):
        raise InvalidInput(ParallelErrorKind.INVALID_ARGUMENT,
                           f"rw_sets must map transaction ids to ReadWriteSets, got "
                           f"{type(rw_sets).__name__}")
    order = block_order(tx_order)
    detector = ConflictDetector()
    for tx_id in order:
        if tx_id not in rw_sets:
            raise InvalidInput(ParallelErrorKind.UNKNOWN_TX,
                               f"no read/write set declared for transaction {shown(tx_id)}")
        detector.record(tx_id, rw_sets[tx_id])
    batches = detector.parallel_batches(order)

    outcomes: dict[TxId, TxOutcome] = {}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for number, batch in enumerate(batches):
            # 1. RUN (the storage is not written while the batch runs)
            runs = list(pool.map(lambda tx: _run_one(storage, tx, execute_tx), batch))
            # 2. CHECK, 3. APPLY in block order
            for tx_id, (view, recording, error) in zip(batch, runs):
                # Checked for every run, failed or not: a run that read an undeclared key
                # may have failed *because* of what it read, so UNDECLARED_ACCESS takes
                # precedence over the run's own error (PAR-BATCH-4).
                problem = undeclared_access(detector.get_rw_set(tx_id), recording.rw_set,
                                            list(view.diff()))
                if problem is not None:
                    error = TxError(f"transaction {tx_id}: {problem}",
                                    kind=ParallelErrorKind.UNDECLARED_ACCESS)
                if error is None:
                    view.commit()
                outcomes[tx_id] = TxOutcome(tx_id, number, error)
    return BatchExecutionResult(tuple(tuple(b) for b in batches),
                                tuple(outcomes[tx] for tx in order))
