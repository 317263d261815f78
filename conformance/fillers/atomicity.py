"""Filler ``atomicity``: a call is all or nothing (spec/runtime.md, RT-ATOMIC-1/2, RT-ERR-3).

A call that fails after writing and emitting — by ``unreachable``, running out of gas, a host
trap or an out-of-bounds host buffer — keeps no write and no event, uses its whole gas limit,
and leaves the storage exactly as it was; the next transaction sees the old state. Within a
call, reads see the call's own writes and deletions. Through the ``abi_probe`` contract
(`supervm_ref.conformance.probe`).
"""

from __future__ import annotations

from supervm_ref.conformance import Case, Env, Tx, contract, probe
from supervm_ref.conformance.filler import measure_gas
from supervm_ref.conformance.probe import MEMORY_SIZE, OUT, PROBE_CONTRACT, call, i32s, text

AREA = "atomicity"

A, AB, B, X, XYZ = (text(s) for s in (b"a", b"ab", b"b", b"x", b"xyz"))
EVENT = text(b"efg")
PRE = {b"a": b"old", b"b": b"keep"}


def case(name: str, description: str, rules: list[str], txs: list[Tx],
         storage: dict[bytes, bytes] | None = None, env: Env | None = None) -> Case:
    """A case of this area on the probe."""
    return probe.case(AREA, name, description, rules, txs, storage, env)


def read_a() -> Tx:
    """Read key 'a' back (storage_get + storage_read_value, buffer dumped as an event)."""
    return call("get_read", *A, OUT, 16, 8)


def failing_cases() -> list[Case]:
    """RT-ATOMIC-1: each way of failing after a write and an event."""
    r = ["RT-ATOMIC-1", "RT-ERR-3", "HOST-STORAGE-3", "HOST-CHAIN-3"]
    set_scan = (*A, *XYZ, *A, 10, OUT, 16, 0)
    # 10 below the cost: past the write, inside storage_scan's per-entry charge (22 gas), before
    # the few instructions that follow it.
    in_scan = measure_gas(contract(PROBE_CONTRACT), "set_scan", i32s(*set_scan), PRE) - 10
    return [
        case("unreachable_after_write", "storage_set and emit_event, then UNREACHABLE: no "
             "write, no event, whole gas used; the next call reads the old value", r,
             [call("set_emit_trap", *A, *XYZ, *EVENT), read_a()], PRE),
        case("out_of_gas_after_write", "storage_set and emit_event, then a loop until the gas "
             "(5000) runs out (OUT_OF_GAS): nothing kept", [*r, "WASM-GAS-2"],
             [call("set_emit_spin", *A, *XYZ, *EVENT, gas_limit=5000), read_a()], PRE),
        case("host_trap_after_write", "storage_set, then storage_scan with limit -1 "
             "(HOST_INVALID_ARGUMENT): the write is discarded", [*r, "HOST-STORAGE-5"],
             [call("set_scan", *A, *XYZ, *A, -1, OUT, 16, 0), read_a()], PRE),
        case("limit_trap_after_write", "storage_set, then storage_scan with limit 1025 "
             "(HOST_LIMIT_EXCEEDED): the write is discarded", [*r, "HOST-LIMIT-1"],
             [call("set_scan", *A, *XYZ, *A, 1025, OUT, 16, 0), read_a()], PRE),
        case("memory_trap_after_write", "storage_set, then storage_read_value into an "
             "out-of-bounds buffer (MEMORY_OUT_OF_BOUNDS): the write is discarded",
             [*r, "HOST-MEM-1"],
             [call("set_get_read", *A, *XYZ, MEMORY_SIZE, 1, 0), read_a()], PRE),
        case("out_of_gas_in_host_after_write", "storage_set succeeds, then storage_scan's "
             "charge does not fit (OUT_OF_GAS): the write is discarded",
             ["RT-ATOMIC-1", "RT-ERR-3", "HOST-STORAGE-3", "WASM-GAS-4"],
             [call("set_scan", *set_scan, gas_limit=in_scan), read_a()], PRE),
        case("delete_discarded", "a deletion followed by a trap (HOST_INVALID_ARGUMENT) is "
             "discarded",
             ["RT-ATOMIC-1", "HOST-STORAGE-4"],
             [call("delete_scan", *A, *A, -1, OUT, 16, 0), read_a()], PRE),
        case("failures_between_successes", "success, failure (UNREACHABLE), success, failure: "
             "the final storage holds exactly the successful writes", ["RT-ATOMIC-1", "RT-ERR-3"],
             [call("storage_set", *AB, *X), call("set_emit_trap", *A, *XYZ, *EVENT),
              call("set_emit", *B, *XYZ, *EVENT), call("set_emit_trap", *B, *X, *EVENT)],
             PRE),
        case("pre_execution_failure_keeps_state", "a call to a missing function (NO_SUCH_FUNCTION) "
             "uses no gas and changes nothing", ["RT-ATOMIC-1", "RT-ERR-2"],
             [call("no_such_export"), read_a()], PRE),
    ]


def own_writes_cases() -> list[Case]:
    """RT-ATOMIC-2: a call reads its own writes."""
    r = ["RT-ATOMIC-2"]
    return [
        case("get_sees_own_set", "storage_set then storage_get and storage_read_value in the "
             "same call see the new value", [*r, "HOST-STORAGE-1", "HOST-STORAGE-2"],
             [call("set_get_read", *A, *XYZ, OUT, 16, 8)], PRE),
        case("get_sees_own_new_key", "a key created in the call is visible to it",
             [*r, "HOST-STORAGE-1"], [call("set_get_read", *AB, *XYZ, OUT, 16, 8)], PRE),
        case("get_sees_own_delete", "storage_delete then storage_get in the same call: -1",
             [*r, "HOST-STORAGE-4"], [call("delete_get", *A)], PRE),
        case("set_emit_success", "a successful call keeps both its write and its event",
             ["RT-ATOMIC-1", "HOST-CHAIN-3"], [call("set_emit", *A, *XYZ, *EVENT), read_a()],
             PRE),
    ]


def cases() -> list[Case]:
    """Every atomicity case."""
    return [*failing_cases(), *own_writes_cases()]
