"""supervm-ref: the reference interpreter and executable specification of SuperVM.

The public API (spec/runtime.md, RT-API-1), under the seed's names::

    from supervm_ref import Runtime, MemoryStorage, BlockContext, Value

    runtime = Runtime(MemoryStorage())
    result = runtime.call(wasm, "add", [Value.i32(7), Value.i32(8)])

Everything listed in ``__all__`` is importable from here; the sub-packages (``supervm_ref.wasm``,
``.runtime``, ``.mvcc``, ``.blockstm``, ``.parallel``, ``.objects``, ``.routing``,
``.privacy``, ``.persistence``, ``.conformance``, ``.backends``) hold the rest. Every error
raised on purpose is a `SuperVMError` (RT-API-2).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version

from .backends import BackendError, backend_status, load_backend
from .blockstm import (
    BatchResult,
    BatchStats,
    BlockStmError,
    CostModel,
    MvccScheduler,
    RandomSchedule,
    ReadRecord,
    ScanRecord,
    SchedulerStats,
    StoreFailed,
    TimedSchedule,
    Transaction,
    TxnFailure,
    TxnView,
    execute_sequential,
)
from .blockstm.contract import ViewStorage, contract_transaction
from .errors import InvalidArgumentError, SuperVMError
from .mvcc import (
    FlushFailed,
    FlushStats,
    GcConfig,
    GcStats,
    History,
    MvccError,
    MvccStore,
    Txn,
    TxnConflict,
    TxnFinished,
    TxnState,
)
from .objects import (
    AccessType,
    AddressOwner,
    Immutable,
    ObjectData,
    ObjectError,
    ObjectErrorKind,
    Owner,
    OwnershipManager,
    OwnershipType,
    Shared,
    Tombstone,
)
from .parallel import (
    ConflictDetector,
    ConflictError,
    ExecutionStats,
    ParallelError,
    ParallelScheduler,
    ReadWriteSet,
    RetriesExhausted,
    SnapshotError,
    StateManager,
    StorageSnapshot,
    Task,
    TxError,
    WorkStealingScheduler,
    execute_with_rw_tracking,
)
from .persistence import (
    AutoFlushConfig,
    AutoFlushStatus,
    PersistenceError,
    PersistenceErrorKind,
    RocksDBStorage,
    create_checkpoint,
    list_checkpoints,
    read_history_at,
    restore_checkpoint,
)
from .privacy import (
    Proof,
    VerifyingKey,
    VerifyingKeyRegistry,
    ZkError,
    parse_proof,
    parse_public_inputs,
    parse_verifying_key,
    verify_groth16,
)
from .routing import (
    ContractCall,
    ExecutionReceipt,
    ExecutionStatus,
    ObjectCreate,
    ObjectInput,
    ObjectOp,
    OpKind,
    Privacy,
    PrivateProof,
    Route,
    RoutingError,
    RoutingStats,
    SuperVM,
    VmTransaction,
)
from .routing.adaptive import AdaptiveRouter, AdaptiveRouterConfig
from .runtime.context import BlockContext
from .runtime.errors import ErrorKind, ExecutionError, StorageInputError, StorageWriteError
from .runtime.host.limits import HostLimits
from .runtime.runtime import DEFAULT_GAS_LIMIT, MAX_GAS_LIMIT, CallResult, Runtime
from .runtime.storage import MemoryStorage, Storage
from .wasm import EngineLimits, FuncType, Trap, TrapKind, ValType, Value, WasmError

try:
    __version__ = _version("supervm-ref")
except PackageNotFoundError:  # pragma: no cover - a source tree that was never installed
    __version__ = "0+unknown"

__all__ = [
    "DEFAULT_GAS_LIMIT",
    "MAX_GAS_LIMIT",
    "AccessType",
    "AdaptiveRouter",
    "AdaptiveRouterConfig",
    "AddressOwner",
    "AutoFlushConfig",
    "AutoFlushStatus",
    "BackendError",
    "BatchResult",
    "BatchStats",
    "BlockContext",
    "BlockStmError",
    "CallResult",
    "ConflictDetector",
    "ConflictError",
    "ContractCall",
    "CostModel",
    "EngineLimits",
    "ErrorKind",
    "ExecutionError",
    "ExecutionReceipt",
    "ExecutionStats",
    "ExecutionStatus",
    "FlushFailed",
    "FlushStats",
    "FuncType",
    "GcConfig",
    "GcStats",
    "History",
    "HostLimits",
    "Immutable",
    "InvalidArgumentError",
    "MemoryStorage",
    "MvccError",
    "MvccScheduler",
    "MvccStore",
    "ObjectCreate",
    "ObjectData",
    "ObjectError",
    "ObjectErrorKind",
    "ObjectInput",
    "ObjectOp",
    "OpKind",
    "Owner",
    "OwnershipManager",
    "OwnershipType",
    "ParallelError",
    "ParallelScheduler",
    "PersistenceError",
    "PersistenceErrorKind",
    "Privacy",
    "PrivateProof",
    "Proof",
    "RandomSchedule",
    "ReadRecord",
    "ReadWriteSet",
    "RetriesExhausted",
    "RocksDBStorage",
    "Route",
    "RoutingError",
    "RoutingStats",
    "Runtime",
    "ScanRecord",
    "SchedulerStats",
    "Shared",
    "SnapshotError",
    "StateManager",
    "Storage",
    "StorageInputError",
    "StorageSnapshot",
    "StorageWriteError",
    "StoreFailed",
    "SuperVM",
    "SuperVMError",
    "Task",
    "TimedSchedule",
    "Tombstone",
    "Transaction",
    "Trap",
    "TrapKind",
    "TxError",
    "Txn",
    "TxnConflict",
    "TxnFailure",
    "TxnFinished",
    "TxnState",
    "TxnView",
    "ValType",
    "Value",
    "VerifyingKey",
    "VerifyingKeyRegistry",
    "ViewStorage",
    "VmTransaction",
    "WasmError",
    "WorkStealingScheduler",
    "ZkError",
    "__version__",
    "backend_status",
    "contract_transaction",
    "create_checkpoint",
    "execute_sequential",
    "execute_with_rw_tracking",
    "list_checkpoints",
    "load_backend",
    "parse_proof",
    "parse_public_inputs",
    "parse_verifying_key",
    "read_history_at",
    "restore_checkpoint",
    "verify_groth16",
]
