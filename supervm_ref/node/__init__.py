"""The running node (spec/node.md): `Node`, `NodeConfig`, `MvccStorage`, the workload."""

from __future__ import annotations

from .mvcc_storage import MvccStorage
from .node import DEFAULT_PORT, Node, NodeConfig, NodeReport
from .workload import RoundResult, WorkloadConfig

__all__ = ["DEFAULT_PORT", "MvccStorage", "Node", "NodeConfig", "NodeReport", "RoundResult",
           "WorkloadConfig"]
