"""Pointer and length arguments (spec/host-abi.md, HOST-MEM-*)."""

from __future__ import annotations

from ..errors import ErrorKind, HostTrap
from .env import HostEnv


def read_arg(env: HostEnv, ptr: int, length: int, limit: int, what: str) -> bytes:
    """HOST-MEM-2, HOST-LIMIT-1: read an input of ``length`` bytes (an i32, taken unsigned)
    that may be at most ``limit`` bytes long; the limit is checked before memory."""
    if length > limit:
        raise HostTrap(ErrorKind.HOST_LIMIT_EXCEEDED, f"{what} of {length} bytes exceeds {limit}")
    return env.read(ptr, length)


def write_prefix(env: HostEnv, ptr: int, capacity: int, data: bytes) -> None:
    """HOST-BUF-1: copy the first ``min(capacity, len(data))`` bytes of ``data`` to ``ptr``;
    the whole ``[ptr, ptr + capacity)`` range must lie in memory."""
    env.check(ptr, capacity)
    env.write(ptr, data[:capacity])


def signed32(x: int) -> int:
    """An i32 payload read as a signed integer."""
    return x - (1 << 32) if x >= 1 << 31 else x
