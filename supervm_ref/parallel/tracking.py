"""Read/write-set tracking of contract calls: the seed's ``execute_with_rw_tracking``
(spec/scheduling.md, PAR-RW-3).

A `RecordingStorage` wraps a storage and records what a call asks of it. The runtime reads
through its own write buffer (spec/runtime.md RT-ATOMIC-2), so a read of a key the call wrote
earlier never reaches the storage: it is not recorded as a read, and need not be, since the
key is in the write set.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InvalidArgumentError
from ..runtime.context import BlockContext
from ..runtime.runtime import CallResult, Runtime
from ..runtime.storage import Storage, as_bytes, as_limit
from .conflict import ReadWriteSet, TxId
from .errors import InvalidInput, ParallelErrorKind
from .validate import require_tx_id


class RecordingStorage:
    """A `Storage` that forwards to ``base`` and records, in ``rw_set``, every key read
    (``get``), prefix scanned (``scan``) and key written (``set``, ``delete``) (PAR-RW-3)."""

    def __init__(self, base: Storage) -> None:
        self.base = base
        self.rw_set = ReadWriteSet()

    def get(self, key: bytes) -> bytes | None:
        """PAR-RW-3: a read of ``key`` (RT-STORAGE-3: bytes only)."""
        key = as_bytes(key, "key")
        self.rw_set.add_read(key)
        return self.base.get(key)

    def set(self, key: bytes, value: bytes) -> None:
        """PAR-RW-3: a write of ``key``."""
        key, value = as_bytes(key, "key"), as_bytes(value, "value")
        self.rw_set.add_write(key)
        self.base.set(key, value)

    def delete(self, key: bytes) -> None:
        """PAR-RW-3: a write of ``key`` (deleting is writing)."""
        key = as_bytes(key, "key")
        self.rw_set.add_write(key)
        self.base.delete(key)

    def scan(self, prefix: bytes, limit: int) -> list[tuple[bytes, bytes]]:
        """PAR-RW-3: a read of every key starting with ``prefix``."""
        prefix, limit = as_bytes(prefix, "prefix"), as_limit(limit)
        self.rw_set.add_scan(prefix)
        return self.base.scan(prefix, limit)


@dataclass(frozen=True, slots=True)
class ExecutionResult:
    """The seed's ``ExecutionResult``: the call's outcome and its read/write set."""

    tx_id: TxId
    call: CallResult
    read_write_set: ReadWriteSet

    @property
    def success(self) -> bool:
        """Whether the call succeeded."""
        return self.call.ok


def execute_with_rw_tracking(runtime: Runtime, wasm: bytes, function: str,
                             block_number: int, timestamp: int, tx_id: TxId = 0
                             ) -> ExecutionResult:
    """PAR-RW-3: call ``function`` (no arguments) of ``wasm`` against ``runtime``'s storage in
    the given block context, recording the call's read/write set.

    Reads are the keys (and scanned prefixes) the call read from the storage; writes are the
    keys its successful commit set or deleted (a failed call writes nothing). The call runs on
    a runtime with ``runtime``'s limits over a `RecordingStorage` of its storage."""
    tx_id = require_tx_id(tx_id)
    if not isinstance(runtime, Runtime):
        raise InvalidInput(ParallelErrorKind.INVALID_ARGUMENT,
                           f"runtime must be a Runtime, got {type(runtime).__name__}")
    if not isinstance(wasm, bytes) or not isinstance(function, str):
        raise InvalidInput(ParallelErrorKind.INVALID_ARGUMENT,
                           "wasm must be bytes and function a str, got "
                           f"{type(wasm).__name__} and {type(function).__name__}")
    try:
        context = BlockContext(block_number, timestamp)
    except InvalidArgumentError as e:
        raise InvalidInput(ParallelErrorKind.INVALID_ARGUMENT, str(e)) from e
    recording = RecordingStorage(runtime.storage)
    tracked = Runtime(recording, engine_limits=runtime.engine_limits,
                      host_limits=runtime.host_limits,
                      default_gas_limit=runtime.default_gas_limit)
    call = tracked.call(wasm, function, [], context=context)
    return ExecutionResult(tx_id, call, recording.rw_set.copy())
