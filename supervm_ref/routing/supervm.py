"""`SuperVM`: routing transactions to the fast, consensus and privacy paths and executing
blocks (spec/routing.md, ROUTE-PATH-*, ROUTE-BLOCK-*, ROUTE-PRIV-*, ROUTE-STATS-*).

A block runs in two phases (ROUTE-BLOCK-1): its fast transactions first, one after the other in
block order, each applied on its own (never through consensus or Block-STM); then its consensus
and privacy transactions, in block order, as one Block-STM batch
(`MvccScheduler.execute_batch`). Every transaction runs `execute_in_view`, so the result is that
of running them one at a time in that order -- the order of their sequence numbers. Both phases
write into a `BlockBuffer` over the storage; the block's writes reach the storage at the end in
one `apply_writes` (RT-STORAGE-4), so a block that breaks down (`RoutingError`) leaves the
storage, the counters and the router exactly as they were (ROUTE-BLOCK-1).
"""

from __future__ import annotations

import math
import re
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Protocol

from ..backends import BackendFactory
from ..blockstm import MvccScheduler, Transaction, TxnFailure
from ..blockstm.contract import CallingRuntime
from ..blockstm.transaction import Access, ReadRecord, RecordingView, TxnView
from ..errors import InvalidArgumentError, SuperVMError, require_int, shown
from ..metrics.routing import (
    RoutingPrometheusCollector,
    ZkLatencyRecorder,
    ZkLatencyStats,
    zk_window_from_env,
)
from ..objects.ownership import OwnershipManager
from ..privacy import (
    ZK_BACKENDS,
    VerifyingKeyRegistry,
    ZkError,
    parse_proof,
    parse_public_inputs,
    verify_groth16,
)
from ..privacy.backends import zk_backend as load_zk_backend
from ..runtime.context import BlockContext
from ..runtime.runtime import Runtime, is_storage
from ..runtime.storage import MemoryStorage, Storage, apply_writes
from .adaptive import AdaptiveRouter
from .execution import TransactionEffects, execute_in_view, rejected
from .receipt import ExecutionReceipt, Privacy, Route
from .transaction import PrivateProof, VmTransaction

#: ROUTE-PRIV-2: the kinds of a private transaction refused before execution (besides the
#: verifier's own ZkError kinds).
PROOF_MISSING = "privacy_proof_missing"
#: ROUTE-PRIV-2: the kind of a proof the verifier refused with a `SuperVMError` that has no
#: ``kind`` of its own (a custom verifier's, or an argument error).
PROOF_REJECTED = "privacy_proof_rejected"

#: ROUTE-PRIV-2: what a receipt's error kind looks like (CONF-TXN-2's pattern).
_KIND = re.compile(r"[a-z][a-z0-9_]*")

#: What Block-STM's simulator charges per execution of a transaction (virtual time only).
BLOCK_TXN_COST = 1000


class RoutingError(SuperVMError):
    """ROUTE-BLOCK-1: the execution of a block broke down (a storage or a scheduler failure, or
    a transaction body or the verifier raised something that is not a verdict, which is a bug);
    nothing of the block was applied (unless putting back a partly written storage failed too,
    which the message says)."""


class BlockBuffer:
    """ROUTE-BLOCK-1: the block's writes over ``base``: reads see the block's own writes first,
    then ``base``; nothing reaches ``base`` until `SuperVM` applies ``writes`` at the end."""

    def __init__(self, base: Storage) -> None:
        self.base = base
        self.writes: dict[bytes, bytes | None] = {}

    def get(self, key: bytes) -> bytes | None:
        """The block's own write, else the base value."""
        if key in self.writes:
            return self.writes[key]
        return self.base.get(key)

    def set(self, key: bytes, value: bytes) -> None:
        """Buffer a write."""
        self.writes[key] = value

    def delete(self, key: bytes) -> None:
        """Buffer a deletion."""
        self.writes[key] = None

    def apply_batch(self, writes: Mapping[bytes, bytes | None]) -> None:
        """RT-ATOMIC-3: buffer a transaction's (or a batch's) writes at once."""
        self.writes.update(writes)


class Router(Protocol):
    """ROUTE-BLOCK-3: the adaptive router's interface (supervm_ref.routing.adaptive)."""

    def target_fast_ratio(self) -> float:
        """The current target share of fast slots."""
        ...

    def adjustments(self) -> int:
        """How many times the target moved."""
        ...

    def observe(self, *, transactions: int, successes: int, conflicts: int) -> bool:
        """Feed one block's outcome."""
        ...

    def fast_slots(self, capacity: int) -> int:
        """How many of ``capacity`` slots the fast queue gets."""
        ...


#: ROUTE-PRIV-1: verifies a private transaction's proof: returns when valid, raises an
#: exception with a ``kind`` (str) otherwise (the privacy package's ZkError).
ProofVerifier = Callable[[PrivateProof], None]


def default_router() -> Router:
    """ROUTE-BLOCK-3: a new `AdaptiveRouter` with the defaults of spec/adaptive.md
    (ROUTE-ADAPT-1); the command line builds its own from `supervm.toml` and the
    ``SUPERVM_ADAPTIVE_*`` variables (ROUTE-ADAPT-5)."""
    return AdaptiveRouter()


def default_verifier(registry: VerifyingKeyRegistry, zk_backend: str = "reference"
                     ) -> ProofVerifier:
    """ROUTE-PRIV-1: the verifier of private transactions: the proof's verifying key from
    ``registry`` (ZK-REG-*), its documents parsed (ZK-JSON-*) and checked by `verify_groth16`
    on the verifier backend ``zk_backend`` (ZK-BACKEND-1: ``reference`` or ``fast``; both give
    the same verdict on every input); any failure is a `ZkError` with its kind (an id that is
    not registered, malformed ones included, ``zk_unknown_verifying_key``). The backend is
    checked here, not per proof: an unknown name is `InvalidArgumentError`, a backend whose
    extra is not installed a `ZkError` ``zk_backend_unavailable`` -- so a node's missing extra
    never becomes a receipt's error kind."""
    backend = _zk_backend(zk_backend)

    def verify(proof: PrivateProof) -> None:
        if proof.vk_id not in registry:  # an id no key can have is not registered either
            raise ZkError("zk_unknown_verifying_key",
                          f"expected a registered verifying key id, found {shown(proof.vk_id)}")
        vk = registry.get(proof.vk_id)
        verify_groth16(vk, parse_proof(proof.proof), parse_public_inputs(proof.public),
                       backend=backend)

    return verify


def _zk_backend(name: object) -> str:
    """ROUTE-PRIV-1, ZK-BACKEND-1: ``name`` when it is a verifier backend that loads."""
    if not isinstance(name, str) or name not in ZK_BACKENDS:
        raise InvalidArgumentError("zk_backend", f"one of {', '.join(ZK_BACKENDS)}", name)
    load_zk_backend(name)
    return name


def default_registry() -> VerifyingKeyRegistry:
    """ROUTE-PRIV-1: a fresh, empty `VerifyingKeyRegistry` (ZK-REG-*)."""
    return VerifyingKeyRegistry()


def route_of(tx: VmTransaction, privacy: Privacy) -> Route:
    """ROUTE-PATH-1: Private -> privacy; any input declared shared -> consensus; otherwise
    (only owned and immutable inputs, or none) -> fast. A pure function of the transaction and
    its privacy mode."""
    if privacy == Privacy.Private:
        return Route.PRIVACY
    return Route.CONSENSUS if any(inp.shared for inp in tx.inputs) else Route.FAST


@dataclass(frozen=True)
class RoutingStats:
    """ROUTE-STATS-1: transactions executed per path, consensus conflicts counted by
    ROUTE-BLOCK-4, and the router's target and adjustments."""

    fast: int
    consensus: int
    privacy: int
    conflicts: int
    target_fast_ratio: float
    adjustments: int

    @property
    def total(self) -> int:
        """Transactions executed on every path."""
        return self.fast + self.consensus + self.privacy

    def _ratio(self, n: int) -> float:
        return n / self.total if self.total else 0.0

    @property
    def fast_ratio(self) -> float:
        """The fast path's share (0.0 before any transaction)."""
        return self._ratio(self.fast)

    @property
    def consensus_ratio(self) -> float:
        """The consensus path's share."""
        return self._ratio(self.consensus)

    @property
    def privacy_ratio(self) -> float:
        """The privacy path's share."""
        return self._ratio(self.privacy)


def _item(item: object, where: str) -> tuple[VmTransaction, Privacy]:
    if isinstance(item, VmTransaction):
        return item, Privacy.Public
    if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], VmTransaction) \
            and isinstance(item[1], Privacy):
        return item[0], item[1]
    raise InvalidArgumentError(where, "a VmTransaction or a (VmTransaction, Privacy) pair", item)


def _privacy(value: object) -> Privacy:
    if not isinstance(value, Privacy):
        raise InvalidArgumentError("privacy", "a Privacy", value)
    return value


def conflicts_of(reads: Sequence[Sequence[Access]],
                 write_sets: Sequence[Sequence[tuple[bytes, bytes | None]]]) -> int:
    """ROUTE-BLOCK-4: the transactions of a batch that read (or scanned) a key an earlier
    transaction of the batch wrote, from the final reads and write sets -- a function of the
    block, never of thread timing."""
    written: set[bytes] = set()
    count = 0
    for txn_reads, txn_writes in zip(reads, write_sets):
        hit = any(r.key in written if isinstance(r, ReadRecord)
                  else any(k.startswith(r.prefix) for k in written) for r in txn_reads)
        count += hit
        written.update(k for k, _ in txn_writes)
    return count


class SuperVM:
    """ROUTE-API-1: the seed's ``SuperVM(storage)``.

    ``storage``: where objects live (OBJ-ENC-2; a fresh `MemoryStorage` when None).
    ``backend``: the runtime backend factory contract calls run on (`Runtime`, the reference,
    by default; e.g. `WasmtimeRuntime`). ``router``: the adaptive router (ROUTE-BLOCK-3).
    ``verifier`` and ``registry``: the privacy path's proof verifier and its verifying keys
    (ROUTE-PRIV-1); ``zk_backend``: the Groth16 backend of the default verifier (ZK-BACKEND-1,
    ``reference`` or ``fast``). ``scheduler``: the `MvccScheduler` of consensus batches.
    ``context``: the block context of contract calls. ``clock``: the clock timing proof
    verifications (METRIC-ZK-1; seconds, ``time.perf_counter`` when None) and
    ``zk_latency_window``: their window (METRIC-ZK-3; ``SUPERVM_ZK_LAT_WIN`` or 64 when None).
    """

    def __init__(self, storage: Storage | None = None, *, backend: BackendFactory | None = None,
                 router: Router | None = None, verifier: ProofVerifier | None = None,
                 registry: VerifyingKeyRegistry | None = None,
                 scheduler: MvccScheduler | None = None,
                 context: BlockContext | None = None, zk_backend: str = "reference",
                 clock: Callable[[], float] | None = None,
                 zk_latency_window: int | None = None) -> None:
        if storage is not None and not is_storage(storage):
            raise InvalidArgumentError("storage", "a Storage (get, set, delete, scan) or None",
                                       storage)
        if backend is not None and not callable(backend):
            raise InvalidArgumentError("backend", "a backend factory or None", backend)
        if router is not None and not all(callable(getattr(router, m, None)) for m in (
                "fast_slots", "observe", "target_fast_ratio", "adjustments")):
            raise InvalidArgumentError("router", "a router (fast_slots, observe, "
                                                 "target_fast_ratio, adjustments) or None", router)
        if verifier is not None and not callable(verifier):
            raise InvalidArgumentError("verifier", "a callable or None", verifier)
        if registry is not None and not isinstance(registry, VerifyingKeyRegistry):
            raise InvalidArgumentError("registry", "a VerifyingKeyRegistry or None", registry)
        if scheduler is not None and not isinstance(scheduler, MvccScheduler):
            raise InvalidArgumentError("scheduler", "an MvccScheduler or None", scheduler)
        if context is not None and not isinstance(context, BlockContext):
            raise InvalidArgumentError("context", "a BlockContext or None", context)
        if clock is not None and not callable(clock):
            raise InvalidArgumentError("clock", "a callable returning seconds, or None", clock)
        self._zk_latencies = ZkLatencyRecorder(
            zk_window_from_env() if zk_latency_window is None else zk_latency_window)
        self._zk_clock: Callable[[], float] = time.perf_counter if clock is None else clock
        self._zk_pending: list[float] = []
        self.storage: Storage = MemoryStorage() if storage is None else storage
        self.objects = OwnershipManager(self.storage)
        runtime = (backend or Runtime)(self.storage)
        self.runtime: CallingRuntime = runtime  # type: ignore[assignment]
        self.router: Router = default_router() if router is None else router
        if verifier is not None and zk_backend != "reference":
            raise InvalidArgumentError("zk_backend", "'reference' (the default) when a verifier "
                                                     "is given: it chooses its own backend",
                                       zk_backend)
        self.registry = default_registry() if registry is None else registry
        self.zk_backend = _zk_backend(zk_backend)
        self.verifier: ProofVerifier = (default_verifier(self.registry, self.zk_backend)
                                        if verifier is None else verifier)
        self.scheduler = MvccScheduler(workers=4) if scheduler is None else scheduler
        self.context = context or BlockContext()
        self._next_sequence = 0
        self._counts = {Route.FAST: 0, Route.CONSENSUS: 0, Route.PRIVACY: 0}
        self._conflicts = 0
        self._queues: dict[bool, deque[tuple[int, VmTransaction, Privacy]]] = {
            True: deque(), False: deque()}
        self._submitted = 0

    # --- The seed's API -------------------------------------------------------------------------

    def execute_transaction(self, tx: VmTransaction, privacy: Privacy = Privacy.Public
                            ) -> ExecutionReceipt:
        """ROUTE-API-1: execute one transaction (a block of one) on its path."""
        if not isinstance(tx, VmTransaction):
            raise InvalidArgumentError("tx", "a VmTransaction", tx)
        return self.execute_block([(tx, _privacy(privacy))])[0]

    def route(self, tx: VmTransaction, privacy: Privacy = Privacy.Public) -> Route:
        """ROUTE-PATH-1: the path of ``tx``."""
        if not isinstance(tx, VmTransaction):
            raise InvalidArgumentError("tx", "a VmTransaction", tx)
        return route_of(tx, _privacy(privacy))

    # --- Blocks (ROUTE-BLOCK-*) -------------------------------------------------------------------

    def execute_block(self, items: Iterable[VmTransaction | tuple[VmTransaction, Privacy]]
                      ) -> list[ExecutionReceipt]:
        """ROUTE-BLOCK-1/2/4: execute a block: its fast transactions one by one in block order,
        then its consensus and privacy transactions in block order as one Block-STM batch.
        Sequence numbers follow that order; the receipts are returned in block order. The
        router observes the block's transactions, successes and conflicts."""
        if isinstance(items, str | bytes) or not isinstance(items, Iterable):
            raise InvalidArgumentError("items", "a sequence of transactions", items)
        block = [_item(x, f"items[{i}]") for i, x in enumerate(items)]
        self._zk_pending = []
        routes = [route_of(tx, p) for tx, p in block]
        fast = [i for i, r in enumerate(routes) if r == Route.FAST]
        slow = [i for i, r in enumerate(routes) if r != Route.FAST]
        effects: dict[int, TransactionEffects] = {}
        verdicts: dict[int, bool] = {}
        buffer = BlockBuffer(self.storage)  # ROUTE-BLOCK-1: nothing applied before the end
        # FAST: each transaction applied on its own (ROUTE-PATH-2).
        for i in fast:
            effects[i] = self._run_direct(block[i][0], buffer)
        # PRIVACY: proofs first (ROUTE-PRIV-1/2), a pure function of the transaction.
        batch: list[int] = []
        for i in slow:
            if routes[i] == Route.PRIVACY:
                kind = self._verify(block[i][0])
                verdicts[i] = kind is None
                if kind is not None:
                    effects[i] = rejected(kind)
                    continue
            batch.append(i)
        # CONSENSUS and verified PRIVACY: one Block-STM batch in block order (ROUTE-PATH-3).
        conflicts = self._run_batch([block[i][0] for i in batch], batch, effects, buffer)
        order = fast + slow
        first = self._next_sequence
        receipts: dict[int, ExecutionReceipt] = {}
        for position, i in enumerate(order):
            receipts[i] = ExecutionReceipt.of(first + position, block[i][0].digest, routes[i],
                                              effects[i], verdicts.get(i))
        self._commit(buffer)
        self._record_zk_latencies()
        self._next_sequence += len(order)
        for i in order:
            self._counts[routes[i]] += 1
        self._conflicts += conflicts
        if block:
            self.router.observe(transactions=len(block),
                                successes=sum(r.success for r in receipts.values()),
                                conflicts=conflicts)
        return [receipts[i] for i in range(len(block))]

    def execute_sequentially(self, items: Iterable[VmTransaction | tuple[VmTransaction, Privacy]]
                             ) -> list[ExecutionReceipt]:
        """ROUTE-BLOCK-2: the sequential replay: every transaction on its own, in the order
        given (e.g. receipts' sequence order), proofs verified as on the privacy path. No
        router observation; sequence numbers continue."""
        if isinstance(items, str | bytes) or not isinstance(items, Iterable):
            raise InvalidArgumentError("items", "a sequence of transactions", items)
        block = [_item(x, f"items[{n}]") for n, x in enumerate(items)]
        self._zk_pending = []
        buffer = BlockBuffer(self.storage)  # ROUTE-BLOCK-1: all or nothing, as a block
        out: list[ExecutionReceipt] = []
        for tx, privacy in block:
            route = route_of(tx, privacy)
            verdict: bool | None = None
            kind = self._verify(tx) if route == Route.PRIVACY else None
            if route == Route.PRIVACY:
                verdict = kind is None
            effects = rejected(kind) if kind is not None else self._run_direct(tx, buffer)
            out.append(ExecutionReceipt.of(self._next_sequence + len(out), tx.digest, route,
                                           effects, verdict))
        self._commit(buffer)
        self._record_zk_latencies()
        self._next_sequence += len(out)
        return out

    def _body(self, tx: VmTransaction) -> Callable[[TxnView], TransactionEffects]:
        runtime, context = self.runtime, self.context

        def body(view: TxnView) -> TransactionEffects:
            return execute_in_view(view, tx, runtime, context)

        return body

    def _run_direct(self, tx: VmTransaction, buffer: BlockBuffer) -> TransactionEffects:
        """ROUTE-PATH-2: one transaction against the block's state, its writes applied all or
        nothing; anything it raises (a storage failure, a corrupt record) is `RoutingError`, as
        on the consensus path (ROUTE-BLOCK-1)."""
        view = RecordingView(outside=buffer.get)
        try:
            effects = self._body(tx)(view)
        except Exception as e:
            raise RoutingError(f"executing transaction 0x{tx.digest.hex()}: "
                               f"{type(e).__name__}: {e}") from e
        buffer.apply_batch(view.writes)
        return effects

    def _commit(self, buffer: BlockBuffer) -> None:
        """ROUTE-BLOCK-1: the block's writes to the storage in one `apply_writes`
        (RT-STORAGE-4: all or nothing)."""
        try:
            apply_writes(self.storage, buffer.writes)
        except SuperVMError as e:
            raise RoutingError(f"applying the block: {e}") from e

    def _run_batch(self, txs: list[VmTransaction], where: list[int],
                   effects: dict[int, TransactionEffects], buffer: BlockBuffer) -> int:
        """ROUTE-PATH-3: the batch through `MvccScheduler`; returns its conflicts
        (ROUTE-BLOCK-4)."""
        if not txs:
            return 0
        own_thread = bool(getattr(self.runtime, "native_stack", False))
        block = [Transaction(self._body(tx), gas=BLOCK_TXN_COST, label=tx.digest.hex()[:16],
                             own_thread=own_thread) for tx in txs]
        try:
            result = self.scheduler.execute_batch(buffer, block)
        except SuperVMError as e:
            raise RoutingError(f"the consensus batch stopped: {e}") from e
        for i, output in zip(where, result.outputs):
            if not isinstance(output, TransactionEffects):
                detail = (f"{output.kind}: {output.message}" if isinstance(output, TxnFailure)
                          else type(output).__name__)
                raise RoutingError(f"a transaction body raised {detail}")
            effects[i] = output
        return conflicts_of(result.reads, [o.write_set for o in result.outcomes])

    def _verify(self, tx: VmTransaction) -> str | None:
        """ROUTE-PRIV-1/2: None when the proof verifies, else the kind rejecting ``tx``: the
        kind of the verifier's `SuperVMError`, or `PROOF_REJECTED` when it has none. Anything
        else the verifier raises is a bug: `RoutingError` (ROUTE-BLOCK-1). METRIC-ZK-1: each
        call of the verifier that gives a verdict is timed on the clock; the latency is kept
        aside and recorded only when the block is applied, and nothing reads it back
        (METRIC-OBS-1)."""
        if tx.proof is None:
            return PROOF_MISSING
        started = self._read_zk_clock()
        try:
            self.verifier(tx.proof)
        except SuperVMError as e:
            self._time_verification(started)
            kind = getattr(e, "kind", None)
            if isinstance(kind, str) and _KIND.fullmatch(kind):
                return str(kind)
            return PROOF_REJECTED
        except Exception as e:
            raise RoutingError(f"the verifier raised {type(e).__name__}: {e}") from e
        self._time_verification(started)
        return None

    # --- The queue model (ROUTE-BLOCK-3) ----------------------------------------------------------

    def submit(self, tx: VmTransaction, privacy: Privacy = Privacy.Public) -> Route:
        """ROUTE-BLOCK-3: queue ``tx``: the fast queue or the consensus/privacy queue, by its
        route; returns the route."""
        route = self.route(tx, privacy)
        self._queues[route == Route.FAST].append((self._submitted, tx, privacy))
        self._submitted += 1
        return route

    def pending(self) -> tuple[int, int]:
        """ROUTE-BLOCK-3: (fast, consensus and privacy) transactions waiting."""
        return len(self._queues[True]), len(self._queues[False])

    def produce_block(self, capacity: int) -> list[ExecutionReceipt]:
        """ROUTE-BLOCK-3: take up to ``capacity`` transactions -- the router's
        ``fast_slots(capacity)`` from the fast queue, the rest from the other, slots one queue
        cannot fill going to the other, each queue first in first out -- and execute them as
        one block, in submission order."""
        capacity = require_int(capacity, "capacity", 0, 1 << 32)
        want_fast = min(max(self.router.fast_slots(capacity), 0), capacity)
        fast_q, slow_q = self._queues[True], self._queues[False]
        n_fast = min(want_fast, len(fast_q))
        n_slow = min(capacity - n_fast, len(slow_q))
        n_fast = min(capacity - n_slow, len(fast_q))
        taken = list(islice(fast_q, n_fast)) + list(islice(slow_q, n_slow))
        taken.sort(key=lambda t: t[0])
        receipts = self.execute_block([(tx, p) for _, tx, p in taken])
        for _ in range(n_fast):  # only once the block executed: a failed block loses nothing
            fast_q.popleft()
        for _ in range(n_slow):
            slow_q.popleft()
        return receipts

    # --- Metrics (METRIC-ROUTE-1, METRIC-ZK-*) ----------------------------------------------------

    def _read_zk_clock(self) -> float | None:
        """METRIC-ZK-1: the clock, or None when it fails or gives no finite number (an int too
        large for a double included; METRIC-OBS-1: a clock never fails a block)."""
        try:
            now = self._zk_clock()
            if isinstance(now, bool) or not isinstance(now, int | float):
                return None
            seconds = float(now)
        except Exception:
            return None
        return seconds if math.isfinite(seconds) else None

    def _time_verification(self, started: float | None) -> None:
        """METRIC-ZK-1: keep aside the latency of the verification that began at
        ``started``."""
        ended = self._read_zk_clock()
        if started is not None and ended is not None:
            self._zk_pending.append(ended - started)

    def _record_zk_latencies(self) -> None:
        """METRIC-ZK-1: the applied block's verification latencies (seconds on the clock) to
        the window, in milliseconds; a clock that gave no usable difference (not a finite
        number >= 0) is not recorded (METRIC-OBS-1: metrics never fail a block)."""
        pending, self._zk_pending = self._zk_pending, []
        for seconds in pending:
            try:
                self._zk_latencies.record(seconds * 1000)
            except SuperVMError:
                continue

    def zk_latency_stats(self) -> ZkLatencyStats | None:
        """METRIC-ZK-2: the ZK verification latencies, or None before the first verification
        of an applied block."""
        return self._zk_latencies.stats()

    def prometheus_collector(self) -> RoutingPrometheusCollector:
        """METRIC-ROUTE-1: a prometheus-client collector reading this VM at scrape time."""
        return RoutingPrometheusCollector(self)

    def export_routing_prometheus(self) -> str:
        """METRIC-ROUTE-1, METRIC-ZK-2: the seed's ``SuperVM::export_routing_prometheus``: the
        text exposition of the routing counters and ratios, the router's target and
        adjustments, and the ZK latencies once a verification was timed (its own registry)."""
        from ..metrics.prometheus import exposition
        return exposition(self)

    def summary_sections(self) -> dict[str, object]:
        """METRIC-HTTP-2: this VM's part of ``/summary``: ``routing`` (and ``zk`` once a
        verification was timed)."""
        stats = self.routing_stats()
        out: dict[str, object] = {"routing": {
            "fast": stats.fast, "consensus": stats.consensus, "privacy": stats.privacy,
            "total": stats.total, "conflicts": stats.conflicts,
            "fast_ratio": stats.fast_ratio, "consensus_ratio": stats.consensus_ratio,
            "privacy_ratio": stats.privacy_ratio,
            "target_fast_ratio": stats.target_fast_ratio, "adjustments": stats.adjustments}}
        zk = self.zk_latency_stats()
        if zk is not None:
            out["zk"] = zk.as_dict()
        return out

    # --- Statistics (ROUTE-STATS-1) ---------------------------------------------------------------

    def routing_stats(self) -> RoutingStats:
        """ROUTE-STATS-1: totals per path, conflicts, the router's target and adjustments."""
        return RoutingStats(self._counts[Route.FAST], self._counts[Route.CONSENSUS],
                            self._counts[Route.PRIVACY], self._conflicts,
                            float(self.router.target_fast_ratio()),
                            int(self.router.adjustments()))


__all__ = [
    "BLOCK_TXN_COST",
    "PROOF_MISSING",
    "PROOF_REJECTED",
    "BlockBuffer",
    "ProofVerifier",
    "Router",
    "RoutingError",
    "RoutingStats",
    "SuperVM",
    "conflicts_of",
    "default_registry",
    "default_router",
    "default_verifier",
    "route_of",
]
