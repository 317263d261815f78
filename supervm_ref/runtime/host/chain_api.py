"""``chain_api``: the block context and events (spec/host-abi.md, HOST-CHAIN-*)."""

from __future__ import annotations

from ..errors import ErrorKind, HostTrap
from . import gas as G
from .env import CallState, HostEnv
from .memory import read_arg, signed32, write_prefix


def block_number(env: HostEnv, state: CallState) -> int:
    """HOST-CHAIN-1 ``block_number() -> i64``: the block number of the call's context."""
    env.charge(G.CHAIN_READ)
    return state.context.block_number


def timestamp(env: HostEnv, state: CallState) -> int:
    """HOST-CHAIN-2 ``timestamp() -> i64``: the block timestamp (seconds)."""
    env.charge(G.CHAIN_READ)
    return state.context.timestamp


def emit_event(env: HostEnv, state: CallState, ptr: int, length: int) -> int:
    """HOST-CHAIN-3 ``emit_event(ptr, len) -> i32``: append the bytes as the call's next event;
    returns the event's index (0 for the first). Events survive only if the call succeeds
    (RT-ATOMIC-1). At most ``max_events`` events of ``max_event_size`` bytes."""
    # LIMITS (HOST-GAS-1: every limit first)
    if len(state.events) >= state.limits.max_events:
        raise HostTrap(ErrorKind.HOST_LIMIT_EXCEEDED,
                       f"more than {state.limits.max_events} events")
    # INPUTS
    data = read_arg(env, ptr, length, state.limits.max_event_size, "event")
    # GAS
    env.charge(G.EMIT_EVENT_BASE + G.PER_BYTE * len(data))
    # EFFECT
    state.events.append(data)
    return len(state.events) - 1


def events_len(env: HostEnv, state: CallState) -> int:
    """HOST-CHAIN-4 ``events_len() -> i32``: the number of events emitted so far by this
    call."""
    env.charge(G.CHAIN_READ)
    return len(state.events)


def read_event(env: HostEnv, state: CallState, index: int, ptr: int, length: int) -> int:
    """HOST-CHAIN-5 ``read_event(index, ptr, len) -> i32``: copy event ``index`` (a signed
    i32) of this call into ``[ptr, ptr+len)`` (its first ``len`` bytes if longer, HOST-BUF-1)
    and return its full length; -1 (nothing written) if there is no such event."""
    # INPUTS: the output range must lie in memory
    env.check(ptr, length)
    i = signed32(index)
    # GAS
    if not 0 <= i < len(state.events):
        env.charge(G.READ_EVENT_BASE)
        return -1
    event = state.events[i]
    env.charge(G.READ_EVENT_BASE + G.PER_BYTE * min(length, len(event)))
    # OUTPUTS
    write_prefix(env, ptr, length, event)
    return len(event)
