"""Size limits of the host ABI (spec/host-abi.md, HOST-LIMIT-1)."""

from __future__ import annotations

from dataclasses import dataclass

from ...errors import require_int

#: HOST-LIMIT-2: every host limit is at most this (a length an i32 argument can carry).
MAX_HOST_LIMIT = (1 << 31) - 1


@dataclass(frozen=True, slots=True)
class HostLimits:
    """HOST-LIMIT-1: the largest key, value, event, scan and event count a call may use.
    Exceeding one traps with HOST_LIMIT_EXCEEDED. HOST-LIMIT-2: each is an integer in
    [1, 2**31 - 1]; anything else is `InvalidArgumentError`."""

    max_key_size: int = 1024
    max_value_size: int = 65536
    max_event_size: int = 65536
    max_events: int = 1024
    max_scan_limit: int = 1024

    def __post_init__(self) -> None:
        for name in ("max_key_size", "max_value_size", "max_event_size", "max_events",
                     "max_scan_limit"):
            require_int(getattr(self, name), f"HostLimits.{name}", 1, MAX_HOST_LIMIT)
