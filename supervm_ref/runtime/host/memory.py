"""Pointer and length arguments (spec/host-abi.md, HOST-MEM-*)."""

from __future__ import annotations

from ..errors import ErrorKind, HostTrap
from .env import HostEnv


def check_limit(length: int, limit: int, what: str) -> None:
    """HOST-LIMIT-1: an input of ``length`` bytes (an i32, taken unsigned) may be at most
    ``limit`` bytes long."""
    if length > limit:
        raise HostTrap(ErrorKind.HOST_LIMIT_EXCEEDED, f"{what} of {length} bytes exceeds {limit}")


def read_arg(env: HostEnv, ptr: int, length: int, limit: int, what: str) -> bytes:
    """HOST-MEM-2, HOST-LIMIT-1: read an input of at most ``limit`` bytes; the limit is checked
    before memory. (A function with several inputs checks every limit first: `check_limit`.)"""
    check_limit(length, limit, what)
    return env.read(ptr, length)


def write_prefix(env: HostEnv, ptr: int, capacity: int, data: bytes) -> None:
    """HOST-BUF-1: copy the first ``min(capacity, len(data))`` bytes of ``data`` to ``ptr``;
    the whole ``[ptr, ptr + capacity)`` range must lie in memory."""
    env.check(ptr, capacity)
    env.write(ptr, data[:capacity])


def signed32(x: int) -> int:
    """An i32 payload read as a signed integer."""
    return x - (1 << 32) if x >= 1 << 31 else x
