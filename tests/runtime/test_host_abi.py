"""The storage_api and chain_api host functions (spec/host-abi.md), called directly through a
HostEnv test double so every return code, trap, buffer rule and gas figure is checked exactly."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supervm_ref.runtime.context import BlockContext
from supervm_ref.runtime.errors import ErrorKind, HostTrap
from supervm_ref.runtime.host import chain_api as C
from supervm_ref.runtime.host import gas as G
from supervm_ref.runtime.host import storage_api as S
from supervm_ref.runtime.host.abi import BY_NAME, HOST_FUNCTIONS
from supervm_ref.runtime.host.env import CallState
from supervm_ref.runtime.host.limits import HostLimits
from supervm_ref.runtime.overlay import StorageOverlay
from supervm_ref.runtime.storage import MemoryStorage
from supervm_ref.wasm.errors import Trap, TrapKind
from supervm_ref.wasm.structure.types import ValType

NEG1 = 0xFFFFFFFF  # -1 as an i32 payload


class FakeEnv:
    """A HostEnv with a bytearray memory and a gas meter following WASM-GAS-4."""

    def __init__(self, size: int = 1024, gas_limit: int = 10**9) -> None:
        self.mem = bytearray(size)
        self.used = 0
        self.limit = gas_limit

    def check(self, ptr: int, length: int) -> None:
        if ptr + length > len(self.mem):
            raise Trap(TrapKind.MEMORY_OUT_OF_BOUNDS)

    def read(self, ptr: int, length: int) -> bytes:
        self.check(ptr, length)
        return bytes(self.mem[ptr:ptr + length])

    def write(self, ptr: int, data: bytes) -> None:
        self.check(ptr, len(data))
        self.mem[ptr:ptr + len(data)] = data

    def charge(self, gas: int) -> None:
        if gas > max(self.limit - self.used, 0):
            self.used = self.limit
            raise Trap(TrapKind.OUT_OF_GAS)
        self.used += gas

    def put(self, ptr: int, data: bytes) -> tuple[int, int]:
        self.mem[ptr:ptr + len(data)] = data
        return ptr, len(data)


def _state(items: dict[bytes, bytes] | None = None, limits: HostLimits | None = None
           ) -> CallState:
    return CallState(StorageOverlay(MemoryStorage(items)), BlockContext(7, 1_700_000_000),
                     limits or HostLimits())


def test_abi_table_matches_the_spec() -> None:
    """HOST-STORAGE-1..5, HOST-CHAIN-1..5: names, modules and signatures as spec/host-abi.md."""
    I32, I64 = ValType.I32, ValType.I64
    expected = {
        ("storage_api", "storage_get"): ((I32, I32), (I64,)),
        ("storage_api", "storage_read_value"): ((I32, I32), (I32,)),
        ("storage_api", "storage_set"): ((I32,) * 4, (I32,)),
        ("storage_api", "storage_delete"): ((I32, I32), (I32,)),
        ("storage_api", "storage_scan"): ((I32,) * 5, (I32,)),
        ("chain_api", "block_number"): ((), (I64,)),
        ("chain_api", "timestamp"): ((), (I64,)),
        ("chain_api", "emit_event"): ((I32, I32), (I32,)),
        ("chain_api", "events_len"): ((), (I32,)),
        ("chain_api", "read_event"): ((I32, I32, I32), (I32,)),
    }
    for key, (params, results) in expected.items():
        assert (BY_NAME[key].params, BY_NAME[key].results) == (params, results)
    assert len(BY_NAME) == len(HOST_FUNCTIONS)


def test_storage_get_and_read_value() -> None:
    """HOST-STORAGE-1/2, HOST-BUF-1, HOST-GAS-2: length or -1; the value is kept; short
    buffers get a prefix and the full length."""
    env, state = FakeEnv(), _state({b"key": b"hello"})
    k = env.put(0, b"key")
    assert S.storage_get(env, state, *k) == 5
    assert env.used == G.STORAGE_GET_BASE + 3 + 5
    env.used = 0
    assert S.storage_read_value(env, state, 100, 3) == 5
    assert env.mem[100:105] == b"hel\x00\x00"
    assert env.used == G.STORAGE_READ_VALUE_BASE + 3
    assert S.storage_read_value(env, state, 200, 10) == 5 and env.mem[200:205] == b"hello"
    missing = env.put(10, b"nope")
    assert S.storage_get(env, state, *missing) == -1
    assert S.storage_read_value(env, state, 300, 10) == -1
    assert env.mem[300:310] == bytes(10)
    assert S.storage_read_value(env, _state(), 0, 4) == -1  # no get yet


def test_set_delete_and_own_writes() -> None:
    """HOST-STORAGE-3/4, RT-ATOMIC-2: set returns 0; delete returns 1 then 0; reads see the
    call's own writes; an empty value is a value."""
    env, state = FakeEnv(), _state()
    k, v = env.put(0, b"k"), env.put(10, b"value")
    assert S.storage_set(env, state, *k, *v) == 0
    assert env.used == G.STORAGE_SET_BASE + 1 + 5
    assert S.storage_get(env, state, *k) == 5
    assert S.storage_delete(env, state, *k) == 1
    assert S.storage_delete(env, state, *k) == 0
    assert S.storage_get(env, state, *k) == -1
    assert S.storage_set(env, state, *k, 10, 0) == 0
    assert S.storage_get(env, state, *k) == 0
    assert state.storage.base.get(b"k") is None  # nothing committed by the host function


def test_scan_encoding_and_two_phase_buffer() -> None:
    """HOST-STORAGE-5: key order over own writes, the encoding, n returned, written only when
    it fits."""
    env, state = FakeEnv(), _state({b"p:b": b"2", b"p:a": b"1", b"q": b"x", b"p:c": b"3"})
    state.storage.delete(b"p:b")
    state.storage.set(b"p:0", b"zero")
    prefix = env.put(0, b"p:")
    expected = b"".join(struct.pack("<I", len(k)) + k + struct.pack("<I", len(v)) + v
                        for k, v in [(b"p:0", b"zero"), (b"p:a", b"1"), (b"p:c", b"3")])
    assert S.storage_scan(env, state, *prefix, 10, 100, 0) == len(expected)  # size query
    assert env.mem[100:100 + len(expected)] == bytes(len(expected))
    env.used = 0
    assert S.storage_scan(env, state, *prefix, 10, 100, 500) == len(expected)
    assert env.mem[100:100 + len(expected)] == expected
    assert env.used == G.STORAGE_SCAN_BASE + 2 + G.STORAGE_SCAN_PER_ENTRY * 3 + len(expected)
    two = S.storage_scan(env, state, *prefix, 2, 100, 500)
    assert two == len(S.encode_entries([(b"p:0", b"zero"), (b"p:a", b"1")]))
    assert S.storage_scan(env, state, *prefix, 0, 100, 0) == 0


@pytest.mark.parametrize("limit, kind", [(NEG1, ErrorKind.HOST_INVALID_ARGUMENT),
                                         (1025, ErrorKind.HOST_LIMIT_EXCEEDED)])
def test_scan_limit_argument(limit: int, kind: ErrorKind) -> None:
    """HOST-STORAGE-5: a negative limit is invalid; above 1,024 exceeds the limit."""
    env = FakeEnv()
    with pytest.raises(HostTrap) as e:
        S.storage_scan(env, _state(), 0, 1, limit, 0, 0)
    assert e.value.error is kind


@pytest.mark.parametrize("call", [
    lambda env, st: S.storage_get(env, st, 0, 1025),
    lambda env, st: S.storage_set(env, st, 0, 1025, 0, 1),
    lambda env, st: S.storage_set(env, st, 0, 1, 0, 65537),
    lambda env, st: S.storage_delete(env, st, 0, 1025),
    lambda env, st: S.storage_scan(env, st, 0, 1025, 1, 0, 0),
    lambda env, st: C.emit_event(env, st, 0, 65537),
])
def test_size_limits_trap_before_memory(call: object) -> None:
    """HOST-LIMIT-1, HOST-GAS-1: too-large sizes trap HOST_LIMIT_EXCEEDED before memory is
    read (the memory here is far smaller than the lengths) and before gas is charged."""
    env = FakeEnv(size=16)
    with pytest.raises(HostTrap) as e:
        call(env, _state())  # type: ignore[operator]
    assert e.value.error is ErrorKind.HOST_LIMIT_EXCEEDED and env.used == 0


@pytest.mark.parametrize("call", [
    lambda env, st: S.storage_get(env, st, 1020, 8),
    lambda env, st: S.storage_set(env, st, 0, 1, 1023, 2),
    lambda env, st: S.storage_read_value(env, st, 1000, 25),
    lambda env, st: S.storage_scan(env, st, 0, 1, 1, 1020, 5),
    lambda env, st: C.emit_event(env, st, NEG1, 1),
    lambda env, st: C.read_event(env, st, 0, 1024, 1),
])
def test_out_of_bounds_pointers_trap(call: object) -> None:
    """HOST-MEM-1: any range outside memory traps; pointers are unsigned (-1 is 2**32-1); an
    output buffer must lie in memory as a whole."""
    with pytest.raises(Trap) as e:
        call(FakeEnv(), _state())  # type: ignore[operator]
    assert e.value.trap_kind is TrapKind.MEMORY_OUT_OF_BOUNDS


def test_gas_is_charged_after_inputs_and_traps_when_short() -> None:
    """HOST-GAS-1/2: a charge that does not fit traps OUT_OF_GAS; exactly enough succeeds."""
    need = G.STORAGE_SET_BASE + 1 + 2
    env = FakeEnv(gas_limit=need)
    assert S.storage_set(env, _state(), 0, 1, 0, 2) == 0 and env.used == need
    env = FakeEnv(gas_limit=need - 1)
    state = _state()
    with pytest.raises(Trap) as e:
        S.storage_set(env, state, 0, 1, 0, 2)
    assert e.value.trap_kind is TrapKind.OUT_OF_GAS and state.storage.diff() == {}


def test_chain_api() -> None:
    """HOST-CHAIN-1..5: context values, event indices, order, read_event with short buffers
    and -1 for a missing index."""
    env, state = FakeEnv(), _state()
    assert C.block_number(env, state) == 7 and C.timestamp(env, state) == 1_700_000_000
    assert env.used == 2 * G.CHAIN_READ
    a, b = env.put(0, b"first"), env.put(10, b"second!")
    assert C.emit_event(env, state, *a) == 0
    assert C.emit_event(env, state, *b) == 1
    assert state.events == [b"first", b"second!"]
    assert C.events_len(env, state) == 2
    assert C.read_event(env, state, 1, 100, 3) == 7 and env.mem[100:104] == b"sec\x00"
    assert C.read_event(env, state, 2, 100, 3) == -1
    assert C.read_event(env, state, NEG1, 100, 3) == -1  # index is signed: -1 has no event


def test_event_count_limit() -> None:
    """HOST-LIMIT-1: at most max_events events per call."""
    env, state = FakeEnv(), _state(limits=HostLimits(max_events=2))
    C.emit_event(env, state, 0, 1)
    C.emit_event(env, state, 0, 1)
    with pytest.raises(HostTrap) as e:
        C.emit_event(env, state, 0, 1)
    assert e.value.error is ErrorKind.HOST_LIMIT_EXCEEDED


@given(st.binary(max_size=40), st.integers(0, 60))
def test_read_value_buffer_rule(value: bytes, capacity: int) -> None:
    """HOST-BUF-1 for any value and buffer: prefix copied, rest untouched, full length back."""
    env, state = FakeEnv(size=256), _state({b"k": value})
    env.mem[100:200] = b"\xaa" * 100
    S.storage_get(env, state, *env.put(0, b"k"))
    assert S.storage_read_value(env, state, 100, capacity) == len(value)
    n = min(capacity, len(value))
    assert env.mem[100:100 + n] == value[:n]
    assert env.mem[100 + n:200] == b"\xaa" * (100 - n)


def test_every_limit_is_checked_before_any_memory_access() -> None:
    """HOST-GAS-1 step 1, HOST-LIMIT-1: storage_set with an out-of-bounds key and a too-large
    value reports HOST_LIMIT_EXCEEDED, not MEMORY_OUT_OF_BOUNDS."""
    with pytest.raises(HostTrap) as e:
        S.storage_set(FakeEnv(size=16), _state(), 1000, 4, 0, 65537)
    assert e.value.error is ErrorKind.HOST_LIMIT_EXCEEDED


def test_event_count_limit_is_checked_before_memory() -> None:
    """HOST-GAS-1 step 1: the event-count limit wins over an out-of-bounds pointer."""
    env, state = FakeEnv(size=16), _state(limits=HostLimits(max_events=1))
    C.emit_event(env, state, 0, 1)
    with pytest.raises(HostTrap) as e:
        C.emit_event(env, state, 1000, 4)
    assert e.value.error is ErrorKind.HOST_LIMIT_EXCEEDED
