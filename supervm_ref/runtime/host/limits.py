"""Size limits of the host ABI (spec/host-abi.md, HOST-LIMIT-1)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class HostLimits:
    """HOST-LIMIT-1: the largest key, value, event, scan and event count a call may use.
    Exceeding one traps with HOST_LIMIT_EXCEEDED."""

    max_key_size: int = 1024
    max_value_size: int = 65536
    max_event_size: int = 65536
    max_events: int = 1024
    max_scan_limit: int = 1024
