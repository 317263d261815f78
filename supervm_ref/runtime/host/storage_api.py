"""``storage_api``: the contract's key-value state (spec/host-abi.md, HOST-STORAGE-*).

Every function follows HOST-GAS-1's order: size limits, inputs from memory, gas, effect,
outputs to memory. Reads see the call's own writes (RT-ATOMIC-2).
"""

from __future__ import annotations

import struct

from ..errors import ErrorKind, HostTrap
from . import gas as G
from .env import CallState, HostEnv
from .memory import check_limit, read_arg, signed32, write_prefix


def storage_get(env: HostEnv, state: CallState, key_ptr: int, key_len: int) -> int:
    """HOST-STORAGE-1 ``storage_get(key_ptr, key_len) -> i64``: the length of the value stored
    under the key, or -1 if there is none. The value is kept for ``storage_read_value``
    (an absent key clears it)."""
    # LIMITS, INPUTS
    key = read_arg(env, key_ptr, key_len, state.limits.max_key_size, "key")
    # GAS (the value's bytes are charged once the value is known)
    env.charge(G.STORAGE_GET_BASE + G.PER_BYTE * len(key))
    # EFFECT
    value = state.storage.get(key)
    if value is not None:
        env.charge(G.PER_BYTE * len(value))
    state.last_value = value
    # OUTPUTS
    return -1 if value is None else len(value)


def storage_read_value(env: HostEnv, state: CallState, ptr: int, length: int) -> int:
    """HOST-STORAGE-2 ``storage_read_value(ptr, len) -> i32``: copy the value kept by the last
    ``storage_get`` into ``[ptr, ptr+len)`` (its first ``len`` bytes if longer, HOST-BUF-1) and
    return the value's full length; -1 (nothing written) if the last get found nothing or no
    get happened."""
    # INPUTS: the output range must lie in memory
    env.check(ptr, length)
    value = state.last_value
    # GAS
    if value is None:
        env.charge(G.STORAGE_READ_VALUE_BASE)
        return -1
    copied = min(length, len(value))
    env.charge(G.STORAGE_READ_VALUE_BASE + G.PER_BYTE * copied)
    # OUTPUTS
    write_prefix(env, ptr, length, value)
    return len(value)


def storage_set(env: HostEnv, state: CallState, key_ptr: int, key_len: int, val_ptr: int,
                val_len: int) -> int:
    """HOST-STORAGE-3 ``storage_set(key_ptr, key_len, value_ptr, value_len) -> i32``: store
    the value under the key; returns 0."""
    # LIMITS (HOST-GAS-1: every limit before any memory)
    check_limit(key_len, state.limits.max_key_size, "key")
    check_limit(val_len, state.limits.max_value_size, "value")
    # INPUTS
    key = env.read(key_ptr, key_len)
    value = env.read(val_ptr, val_len)
    # GAS
    env.charge(G.STORAGE_SET_BASE + G.PER_BYTE * (len(key) + len(value)))
    # EFFECT
    state.storage.set(key, value)
    return 0


def storage_delete(env: HostEnv, state: CallState, key_ptr: int, key_len: int) -> int:
    """HOST-STORAGE-4 ``storage_delete(key_ptr, key_len) -> i32``: remove the key; returns 1
    if it was present, 0 if not."""
    # LIMITS, INPUTS
    key = read_arg(env, key_ptr, key_len, state.limits.max_key_size, "key")
    # GAS
    env.charge(G.STORAGE_DELETE_BASE + G.PER_BYTE * len(key))
    # EFFECT
    present = state.storage.get(key) is not None
    state.storage.delete(key)
    return 1 if present else 0


def encode_entries(entries: list[tuple[bytes, bytes]]) -> bytes:
    """HOST-STORAGE-5's output encoding: for each entry, the key's length (u32 little endian),
    the key, the value's length (u32 little endian), the value."""
    out = bytearray()
    for key, value in entries:
        out += struct.pack("<I", len(key)) + key + struct.pack("<I", len(value)) + value
    return bytes(out)


def storage_scan(env: HostEnv, state: CallState, prefix_ptr: int, prefix_len: int,
                 limit: int, out_ptr: int, out_len: int) -> int:
    """HOST-STORAGE-5 ``storage_scan(prefix_ptr, prefix_len, limit, out_ptr, out_len) -> i32``:
    the first ``limit`` entries whose key starts with the prefix, in ascending key order,
    encoded by `encode_entries`. Returns the encoding's length n; writes it at ``out_ptr``
    only if ``n <= out_len`` (otherwise writes nothing, so a contract can ask for the size
    with ``out_len = 0`` and call again). ``limit`` is a signed i32 in
    ``[0, max_scan_limit]``."""
    # LIMITS
    count = signed32(limit)
    if count < 0:
        raise HostTrap(ErrorKind.HOST_INVALID_ARGUMENT, f"scan limit {count} is negative")
    if count > state.limits.max_scan_limit:
        raise HostTrap(ErrorKind.HOST_LIMIT_EXCEEDED,
                       f"scan limit {count} exceeds {state.limits.max_scan_limit}")
    # INPUTS (and the output range)
    prefix = read_arg(env, prefix_ptr, prefix_len, state.limits.max_key_size, "prefix")
    env.check(out_ptr, out_len)
    # GAS (the entries' part once they are known)
    env.charge(G.STORAGE_SCAN_BASE + G.PER_BYTE * len(prefix))
    # EFFECT
    entries = state.storage.scan(prefix, count)
    encoded = encode_entries(entries)
    env.charge(G.STORAGE_SCAN_PER_ENTRY * len(entries) + G.PER_BYTE * len(encoded))
    # OUTPUTS
    if len(encoded) <= out_len:
        env.write(out_ptr, encoded)
    return len(encoded)
