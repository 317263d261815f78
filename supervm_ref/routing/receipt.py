"""`ExecutionReceipt`, `Privacy` and `Route` (spec/routing.md, ROUTE-RECEIPT-*, ROUTE-PATH-*)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .execution import ExecutionStatus, TransactionEffects


class Privacy(StrEnum):
    """ROUTE-PATH-1: the seed's privacy mode of a transaction."""

    Public = "public"
    Private = "private"


class Route(StrEnum):
    """ROUTE-PATH-1: the path a transaction takes."""

    FAST = "fast"
    """Only owned and immutable inputs: executed directly in block order, never by
    consensus or Block-STM."""
    CONSENSUS = "consensus"
    """A shared input: sequenced, executed by Block-STM."""
    PRIVACY = "privacy"
    """A private transaction: its proof verified, then sequenced like consensus."""


@dataclass(frozen=True)
class ExecutionReceipt:
    """ROUTE-RECEIPT-1: the seed's ``ExecutionReceipt``: the transaction's ``sequence`` number
    (its position in the SuperVM's execution order, ROUTE-BLOCK-1), ``digest``, ``route``,
    ``status`` and canonical ``error`` kind (None on success), ``gas_used``, the call's
    ``events``, the objects ``created``, ``mutated`` and ``deleted`` with their new versions
    (id, version), the ``lamport_version`` it wrote them at (None when rejected) and, on the
    privacy path, ``proof_verified`` (None on the other paths)."""

    sequence: int
    digest: bytes
    route: Route
    status: ExecutionStatus
    error: str | None
    gas_used: int
    events: tuple[bytes, ...]
    created: tuple[tuple[bytes, int], ...]
    mutated: tuple[tuple[bytes, int], ...]
    deleted: tuple[tuple[bytes, int], ...]
    lamport_version: int | None
    proof_verified: bool | None = None

    @property
    def success(self) -> bool:
        """Whether the transaction succeeded."""
        return self.status == ExecutionStatus.SUCCESS

    @classmethod
    def of(cls, sequence: int, digest: bytes, route: Route, effects: TransactionEffects,
           proof_verified: bool | None = None) -> ExecutionReceipt:
        """ROUTE-RECEIPT-1: the receipt of ``effects``."""
        return cls(sequence, digest, route, effects.status, effects.error, effects.gas_used,
                   effects.events, effects.created, effects.mutated, effects.deleted,
                   effects.lamport_version, proof_verified)


__all__ = ["ExecutionReceipt", "Privacy", "Route"]
