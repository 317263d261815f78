"""Block-STM: parallel execution of a block with the result of sequential execution
(spec/scheduling.md).

- `transaction`: the transaction interface (a function of a view) -- SCHED-TXN-*;
- `mv_memory`: the multi-version memory -- SCHED-MEM-*;
- `scheduler`: the collaborative scheduler -- SCHED-STATUS-*, SCHED-SCHED-*;
- `vm` and `coroutine`: executing one incarnation, the body run once -- SCHED-VM-*;
- `worker`: a worker as a sequence of steps -- SCHED-WORKER-*;
- `simulator` and `threads`: running the workers -- SCHED-SIM-*, SCHED-THREADS-1;
- `sequential`: the baseline -- SCHED-SEQ-1;
- `mvcc_scheduler`: the public `MvccScheduler` -- SCHED-API-*;
- `mock`: mock transactions for tests and benchmarks -- SCHED-MOCK-*.
"""

from .errors import BlockStmError, StoreFailed
from .mvcc_scheduler import MvccScheduler, SchedulerStats
from .result import BatchResult, BatchStats
from .sequential import execute_sequential
from .simulator import CostModel, RandomSchedule, ScriptedSchedule, TimedSchedule
from .transaction import ReadRecord, ScanRecord, Transaction, TxnFailure, TxnView

__all__ = [
    "BatchResult",
    "BatchStats",
    "BlockStmError",
    "CostModel",
    "MvccScheduler",
    "RandomSchedule",
    "ReadRecord",
    "ScanRecord",
    "SchedulerStats",
    "ScriptedSchedule",
    "StoreFailed",
    "TimedSchedule",
    "Transaction",
    "TxnFailure",
    "TxnView",
    "execute_sequential",
]
