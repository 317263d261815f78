"""The seed's parallel execution engine (spec/scheduling.md, PAR-*): read/write sets and
conflict detection, state snapshots, the parallel scheduler with retries, batch execution and
the work-stealing scheduler."""

from .batch_execution import (
    BatchExecutionResult,
    TxOutcome,
    execute_in_batches,
    execute_sequentially,
)
from .conflict import (
    Conflict,
    ConflictDetector,
    ConflictKind,
    DependencyGraph,
    ReadWriteSet,
    TxId,
    conflict_keys,
)
from .errors import (
    ConflictError,
    InvalidInput,
    ParallelError,
    ParallelErrorKind,
    RetriesExhausted,
    SnapshotError,
    TxError,
)
from .scheduler import ExecutionStats, ParallelScheduler
from .state_manager import StateManager, StorageSnapshot
from .tracking import ExecutionResult, RecordingStorage, execute_with_rw_tracking
from .work_stealing import (
    Task,
    TaskOutcome,
    WorkStealingResult,
    WorkStealingScheduler,
    WorkStealingStats,
)

__all__ = [
    "BatchExecutionResult", "Conflict", "ConflictDetector", "ConflictError", "ConflictKind",
    "DependencyGraph", "ExecutionResult", "ExecutionStats", "InvalidInput", "ParallelError",
    "ParallelErrorKind", "ParallelScheduler", "ReadWriteSet", "RecordingStorage",
    "RetriesExhausted", "SnapshotError", "StateManager", "StorageSnapshot", "Task",
    "TaskOutcome", "TxError", "TxId", "TxOutcome", "WorkStealingResult",
    "WorkStealingScheduler", "WorkStealingStats", "conflict_keys", "execute_in_batches",
    "execute_sequentially", "execute_with_rw_tracking",
]
