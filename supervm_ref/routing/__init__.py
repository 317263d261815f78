"""SuperVM's transaction layer (spec/routing.md, ROUTE-*): `VmTransaction` over objects, the
fast / consensus / privacy paths, blocks, receipts and routing statistics. The adaptive router
is `supervm_ref.routing.adaptive` (spec/adaptive.md).
"""

from __future__ import annotations

from .adaptive import (
    AdaptiveConfigError,
    AdaptiveRouter,
    AdaptiveRouterConfig,
    AdaptiveRouterStats,
)
from .execution import (
    ExecutionStatus,
    ObjectSlotStorage,
    TransactionEffects,
    execute_in_view,
)
from .receipt import ExecutionReceipt, Privacy, Route
from .supervm import (
    ProofVerifier,
    Router,
    RoutingError,
    RoutingStats,
    SuperVM,
    conflicts_of,
    route_of,
)
from .transaction import (
    ContractCall,
    ObjectCreate,
    ObjectInput,
    ObjectOp,
    OpKind,
    PrivateProof,
    VmTransaction,
    encode_transaction,
)

__all__ = [
    "AdaptiveConfigError", "AdaptiveRouter", "AdaptiveRouterConfig", "AdaptiveRouterStats",
    "ContractCall", "ExecutionReceipt", "ExecutionStatus", "ObjectCreate", "ObjectInput",
    "ObjectOp", "ObjectSlotStorage", "OpKind", "Privacy", "PrivateProof", "ProofVerifier",
    "Route", "Router", "RoutingError", "RoutingStats", "SuperVM", "TransactionEffects",
    "VmTransaction", "conflicts_of", "encode_transaction", "execute_in_view", "route_of",
]
