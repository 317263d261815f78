"""Multi-version concurrency control (spec/mvcc.md): the seed's ``MvccStore`` and ``Txn``.

Snapshot reads, commit-time validation of writes, reads and scanned prefixes (so committed
transactions are serializable in commit order), garbage collection of old versions, a history
recorder with Adya's dependency graph, and the step-script runner of the isolation catalogue
(conformance/isolation/).
"""

from .errors import (
    ConflictKind,
    FlushFailed,
    InvalidGcConfig,
    InvalidInput,
    InvalidScript,
    MvccError,
    StoreInvariantBroken,
    TxnConflict,
    TxnFinished,
)
from .gc import GcConfig, GcStats
from .history import (
    CommittedTxn,
    DependencyGraph,
    Edge,
    EdgeKind,
    History,
    ReadOp,
    ScanOp,
    WriteOp,
    dependency_graph,
    serial_replay,
)
from .store import FlushStats, MvccStore
from .txn import Txn, TxnState
from .versions import MvccVersion

__all__ = [
    "CommittedTxn",
    "ConflictKind",
    "DependencyGraph",
    "Edge",
    "EdgeKind",
    "FlushFailed",
    "FlushStats",
    "GcConfig",
    "GcStats",
    "History",
    "InvalidGcConfig",
    "InvalidInput",
    "InvalidScript",
    "MvccError",
    "MvccStore",
    "MvccVersion",
    "ReadOp",
    "ScanOp",
    "StoreInvariantBroken",
    "Txn",
    "TxnConflict",
    "TxnFinished",
    "TxnState",
    "WriteOp",
    "dependency_graph",
    "serial_replay",
]
