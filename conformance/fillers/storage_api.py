"""Filler ``storage_api``: every storage_api function through the ``abi_probe`` contract with
raw pointers and lengths (spec/host-abi.md, HOST-STORAGE-1..5): every return code, every trap
(out-of-bounds ranges, each size limit, a negative scan limit), short buffers (HOST-BUF-1),
scan order and limits over stored and buffered entries, and gas at the edge.

The probe's memory layout is in `supervm_ref.conformance.probe`: keys and values are slices of
the alphabet at TEXT (``text(b"ab")``) or of the byte table at BYTES (``raw(b"\\x7f\\x80")``);
OUT is a 256-byte buffer of 0xEE. Exports with a ``dump`` argument emit the first ``dump``
bytes of the output buffer as their last event, so the fixture shows what the host wrote.
"""

from __future__ import annotations

from supervm_ref.conformance import Case, Env, Tx, contract, probe
from supervm_ref.conformance.filler import measure_gas
from supervm_ref.conformance.probe import (
    MEMORY_SIZE,
    OUT,
    PROBE_CONTRACT,
    ZEROS,
    call,
    i32s,
    memory_at,
    raw,
    text,
)

AREA = "storage_api"

A, AB, ABC, B, BC, X, XYZ = (text(s) for s in (b"a", b"ab", b"abc", b"b", b"bc", b"x", b"xyz"))
EMPTY = (OUT, 0)
#: A pre-state for scans: three keys under "a", then "b" and "c".
SCAN_PRE = {b"a": b"1", b"ab": b"22", b"abc": b"333", b"b": b"4", b"c": b"5"}
U32_MAX = 0xFFFFFFFF


def case(name: str, description: str, rules: list[str], txs: list[Tx],
         storage: dict[bytes, bytes] | None = None, env: Env | None = None) -> Case:
    """A case of this area on the probe."""
    return probe.case(AREA, name, description, rules, txs, storage, env)


def gas_edges(name: str, what: str, rules: list[str], function: str, args: tuple[int, ...],
              storage: dict[bytes, bytes]) -> list[Case]:
    """Exactly enough gas, one short, zero (`probe.gas_edges`)."""
    return probe.gas_edges(AREA, name, what, rules, function, args, storage)


def get_cases() -> list[Case]:
    """HOST-STORAGE-1 ``storage_get``."""
    r = ["HOST-STORAGE-1"]
    big_key = memory_at(0, 1024)
    return [
        case("get_absent", "storage_get of a missing key returns -1", r,
             [call("storage_get", *A)]),
        case("get_present", "storage_get returns the stored value's length", r,
             [call("storage_get", *A)], {b"a": b"hello"}),
        case("get_empty_value", "an empty value is a value: storage_get returns 0", r,
             [call("storage_get", *A)], {b"a": b""}),
        case("get_empty_key", "the empty key is a key like any other", r,
             [call("storage_get", OUT, 0)], {b"": b"root"}),
        case("get_binary_key", "keys are bytes: 0xfeff", r,
             [call("storage_get", *raw(b"\xfe\xff"))], {b"\xfe\xff": b"\x00"}),
        case("get_other_key_absent", "a key that is a prefix of a stored key is absent", r,
             [call("storage_get", *A)], {b"ab": b"22"}),
        case("get_key_max_size", "a key of exactly 1024 bytes (memory [0, 1024))",
             [*r, "HOST-LIMIT-1"], [call("storage_get", 0, 1024)], {big_key: b"big"}),
        case("get_key_too_long", "a key of 1025 bytes: HOST_LIMIT_EXCEEDED",
             [*r, "HOST-LIMIT-1", "RT-ERR-3"], [call("storage_get", 0, 1025)]),
        case("get_key_too_long_out_of_bounds", "a 1025-byte key at 0xffffffff: the size "
             "limit is checked before memory, HOST_LIMIT_EXCEEDED",
             [*r, "HOST-LIMIT-1", "HOST-GAS-1"], [call("storage_get", U32_MAX, 1025)]),
        case("get_key_out_of_bounds", "a key range running past the end of memory: "
             "MEMORY_OUT_OF_BOUNDS", [*r, "HOST-MEM-1", "RT-ERR-3"],
             [call("storage_get", MEMORY_SIZE - 1, 2)]),
        case("get_key_pointer_no_wrap", "key_ptr 0xffffffff, key_len 1: the range is computed "
             "without wrapping, MEMORY_OUT_OF_BOUNDS", [*r, "HOST-MEM-1"],
             [call("storage_get", U32_MAX, 1)]),
        case("get_key_len_unsigned", "key_len 0xffffffff is 4294967295 bytes, not -1: "
             "HOST_LIMIT_EXCEEDED", [*r, "HOST-MEM-1", "HOST-LIMIT-1"],
             [call("storage_get", 0, U32_MAX)]),
        case("get_empty_key_at_memory_end", "an empty range at the very end of memory is in "
             "bounds", [*r, "HOST-MEM-1"], [call("storage_get", MEMORY_SIZE, 0)],
             {b"": b"root"}),
        case("get_empty_key_past_memory_end", "an empty range one past the end of memory is "
             "MEMORY_OUT_OF_BOUNDS", [*r, "HOST-MEM-1"], [call("storage_get", MEMORY_SIZE + 1, 0)]),
        case("get_previous_transaction", "a value written by an earlier transaction is seen by "
             "a later one", [*r, "HOST-STORAGE-3", "RT-ATOMIC-1"],
             [call("storage_set", *A, *XYZ), call("storage_get", *A)]),
        *gas_edges("get_present", "storage_get of a stored key", r, "storage_get", A,
                   {b"a": b"hello"}),
        *gas_edges("get_absent", "storage_get of a missing key", r, "storage_get", A, {}),
    ]


def read_value_cases() -> list[Case]:
    """HOST-STORAGE-2 ``storage_read_value`` and HOST-BUF-1."""
    r = ["HOST-STORAGE-2", "HOST-STORAGE-1"]
    buf = ["HOST-BUF-1"]
    hello = {b"a": b"hello"}
    get_read_cost = measure_gas(contract(PROBE_CONTRACT), "get_read", i32s(*A, OUT, 16, 0), hello)
    return [
        case("read_value_without_get", "storage_read_value with no storage_get before it in "
             "the call returns -1", r, [call("storage_read_value", OUT, 16)], hello),
        case("read_value_after_absent_get", "after storage_get of a missing key, "
             "storage_read_value returns -1 and writes nothing (the dump is all 0xEE)", r,
             [call("get_read", *A, OUT, 16, 16)]),
        case("read_value_full", "a 16-byte buffer receives the 5-byte value; the rest stays "
             "0xEE", [*r, *buf], [call("get_read", *A, OUT, 16, 16)], hello),
        case("read_value_exact_buffer", "a buffer of exactly the value's length", [*r, *buf],
             [call("get_read", *A, OUT, 5, 8)], hello),
        case("read_value_short_buffer", "a 2-byte buffer receives the first 2 bytes; the full "
             "length 5 is returned", [*r, *buf], [call("get_read", *A, OUT, 2, 8)], hello),
        case("read_value_zero_buffer", "a 0-byte buffer: nothing written, the full length "
             "returned", [*r, *buf], [call("get_read", *A, OUT, 0, 8)], hello),
        case("read_value_empty_value", "an empty value: storage_get and storage_read_value "
             "both return 0", r, [call("get_read", *A, OUT, 16, 4)], {b"a": b""}),
        case("read_value_zero_buffer_at_memory_end", "a 0-byte buffer at the end of memory",
             [*r, *buf, "HOST-MEM-1"], [call("get_read", *A, MEMORY_SIZE, 0, 0)], hello),
        case("read_value_buffer_out_of_bounds", "the whole buffer must lie in memory, even "
             "where the value is shorter: MEMORY_OUT_OF_BOUNDS",
             [*r, *buf, "HOST-MEM-1", "RT-ERR-3"],
             [call("get_read", *A, MEMORY_SIZE - 4, 8, 0)], hello),
        case("read_value_buffer_out_of_bounds_without_value", "an out-of-bounds buffer traps "
             "(MEMORY_OUT_OF_BOUNDS) even when there is no value to copy", [*r, "HOST-MEM-1"],
             [call("storage_read_value", MEMORY_SIZE, 1)]),
        case("read_value_last_get_absent", "the value kept is the last get's: present then "
             "missing gives -1", r, [call("get_get_read", *A, *B, OUT, 16, 8)], hello),
        case("read_value_last_get_present", "the value kept is the last get's: missing then "
             "present gives the value", r, [call("get_get_read", *B, *A, OUT, 16, 8)], hello),
        case("read_value_kept_after_set", "storage_read_value copies the value storage_get "
             "found, even after the key is overwritten in the same call",
             [*r, "HOST-STORAGE-3"], [call("get_set_read", *A, *XYZ, OUT, 16, 8)], hello),
        *gas_edges("read_value", "storage_get then storage_read_value of 5 bytes", r,
                   "get_read_value", (*A, OUT, 16), hello),
        *gas_edges("read_value_absent", "storage_read_value without a value", r,
                   "storage_read_value", (OUT, 16), {}),
        case("read_value_one_short_then_straight_code", "get_read ends with straight-line "
             "code after its last checkpoint: one gas below its cost it still succeeds and "
             "uses exactly the limit (WASM-GAS-2, WASM-GAS-3)",
             [*r, "WASM-GAS-2", "WASM-GAS-3", "RT-GAS-2"],
             [call("get_read", *A, OUT, 16, 0, gas_limit=get_read_cost - 1)], hello),
    ]


def set_cases() -> list[Case]:
    """HOST-STORAGE-3 ``storage_set``."""
    r = ["HOST-STORAGE-3"]
    return [
        case("set_new", "storage_set returns 0 and writes the key", r,
             [call("storage_set", *A, *XYZ)]),
        case("set_overwrite", "storage_set replaces a stored value", r,
             [call("storage_set", *A, *XYZ)], {b"a": b"old value"}),
        case("set_empty_value", "an empty value is stored (not a deletion)",
             [*r, "HOST-STORAGE-1"], [call("storage_set", *A, OUT, 0), call("storage_get", *A)]),
        case("set_empty_key", "the empty key can be written", r,
             [call("storage_set", OUT, 0, *XYZ)]),
        case("set_binary", "binary keys and values", r,
             [call("storage_set", *raw(b"\x00\x01"), *raw(b"\xfd\xfe\xff"))]),
        case("set_key_max_size", "a key of exactly 1024 bytes", [*r, "HOST-LIMIT-1"],
             [call("storage_set", 0, 1024, *X)]),
        case("set_key_too_long", "a key of 1025 bytes: HOST_LIMIT_EXCEEDED, nothing written",
             [*r, "HOST-LIMIT-1", "RT-ERR-3"], [call("storage_set", 0, 1025, *X)]),
        case("set_value_max_size", "a value of exactly 65536 bytes is accepted (storage_get "
             "then reports 65536; the key is deleted again to keep the fixture small)",
             [*r, "HOST-LIMIT-1", "HOST-STORAGE-1", "HOST-STORAGE-4"],
             [call("set_get_delete", *A, ZEROS, 65536)]),
        case("set_value_too_long", "a value of 65537 bytes: HOST_LIMIT_EXCEEDED",
             [*r, "HOST-LIMIT-1"], [call("storage_set", *A, ZEROS, 65537)]),
        case("set_value_too_long_out_of_bounds", "a 65537-byte value at 0xffffffff: the size "
             "limit comes before memory, HOST_LIMIT_EXCEEDED", [*r, "HOST-LIMIT-1",
                                                               "HOST-GAS-1"],
             [call("storage_set", *A, U32_MAX, 65537)]),
        case("set_key_out_of_bounds", "a key past the end of memory: MEMORY_OUT_OF_BOUNDS",
             [*r, "HOST-MEM-1"], [call("storage_set", MEMORY_SIZE - 1, 2, *X)]),
        case("set_value_out_of_bounds", "a value past the end of memory: "
             "MEMORY_OUT_OF_BOUNDS", [*r, "HOST-MEM-1"],
             [call("storage_set", *A, MEMORY_SIZE - 10, 11)]),
        case("set_value_pointer_no_wrap", "value_ptr 0xfffffff0, value_len 32: no wrapping, "
             "MEMORY_OUT_OF_BOUNDS", [*r, "HOST-MEM-1"],
             [call("storage_set", *A, 0xFFFFFFF0, 32)]),
        case("set_several_transactions", "writes of successive transactions accumulate; the "
             "last write of a key wins", [*r, "RT-ATOMIC-1"],
             [call("storage_set", *A, *X), call("storage_set", *B, *XYZ),
              call("storage_set", *A, *XYZ)]),
        *gas_edges("set", "storage_set of a 1-byte key and 3-byte value", r, "storage_set",
                   (*A, *XYZ), {}),
    ]


def delete_cases() -> list[Case]:
    """HOST-STORAGE-4 ``storage_delete``."""
    r = ["HOST-STORAGE-4"]
    return [
        case("delete_present", "storage_delete of a stored key returns 1; the write is a "
             "deletion (null)", r, [call("storage_delete", *A)], {b"a": b"1", b"b": b"2"}),
        case("delete_absent", "storage_delete of a missing key returns 0 (the call still "
             "records a deletion of the key in its writes)", r,
             [call("storage_delete", *A)], {b"b": b"2"}),
        case("delete_twice", "a second deletion, in a later transaction, returns 0", r,
             [call("storage_delete", *A), call("storage_delete", *A)], {b"a": b"1"}),
        case("delete_empty_key", "the empty key can be deleted", r,
             [call("storage_delete", OUT, 0)], {b"": b"root"}),
        case("delete_key_too_long", "a key of 1025 bytes: HOST_LIMIT_EXCEEDED",
             [*r, "HOST-LIMIT-1"], [call("storage_delete", 0, 1025)], {b"a": b"1"}),
        case("delete_key_out_of_bounds", "a key past the end of memory: "
             "MEMORY_OUT_OF_BOUNDS", [*r, "HOST-MEM-1"],
             [call("storage_delete", MEMORY_SIZE, 1)], {b"a": b"1"}),
        *gas_edges("delete", "storage_delete of a stored key", r, "storage_delete", A,
                   {b"a": b"1"}),
    ]


def scan(prefix: tuple[int, int], limit: int, out_len: int = 256, dump: int = 64,
         gas_limit: int | None = None) -> Tx:
    """``scan_dump``: storage_scan into OUT, then dump the buffer's first ``dump`` bytes."""
    return call("scan_dump", *prefix, limit, OUT, out_len, dump, gas_limit=gas_limit)


def scan_cases() -> list[Case]:
    """HOST-STORAGE-5 ``storage_scan`` (RT-STORAGE-2 order)."""
    r = ["HOST-STORAGE-5", "RT-STORAGE-2"]
    lim = [*r, "HOST-LIMIT-1"]
    binary = {b"\x01": b"", b"\x7f": b"\x7f", b"\x7f\x80": b"", b"\x80": b"\x80",
              b"\xfe": b"", b"\xff": b"\xff", b"\xff\x00": b"", b"\xff\xff": b"\xff\xff"}
    # The encoding of a, ab, abc is 10 + 12 + 14 = 36 bytes.
    return [
        case("scan_prefix", "the entries under prefix 'a', in key order, encoded as u32le "
             "key length | key | u32le value length | value", r, [scan(A, 10)], SCAN_PRE),
        case("scan_all", "the empty prefix matches every key", r, [scan(EMPTY, 10)],
             SCAN_PRE),
        case("scan_limit", "limit 2: the first two entries", r, [scan(A, 2)], SCAN_PRE),
        case("scan_limit_zero", "limit 0: nothing, length 0", r, [scan(A, 0, dump=8)],
             SCAN_PRE),
        case("scan_no_match", "no key under the prefix: length 0, nothing written", r,
             [scan(text(b"z"), 10, dump=8)], SCAN_PRE),
        case("scan_prefix_is_key", "a key equal to the prefix is included", r,
             [scan(ABC, 10)], SCAN_PRE),
        case("scan_empty", "an empty storage", r, [scan(EMPTY, 10, dump=8)]),
        case("scan_unsigned_order", "keys are ordered as unsigned bytes: 0x7f < 0x7f80 < 0x80 "
             "< 0xfe < 0xff < 0xff00 < 0xffff", r, [scan(EMPTY, 20, dump=80)], binary),
        case("scan_prefix_ff", "prefix 0xff (no upper bound of the prefix range exists)", r,
             [scan(raw(b"\xff"), 20, dump=40)], binary),
        case("scan_prefix_7f", "prefix 0x7f: 0x7f and 0x7f80, not 0x80", r,
             [scan(raw(b"\x7f"), 20, dump=32)], binary),
        case("scan_short_buffer", "out_len 35 is one short of the 36-byte encoding: the length "
             "is returned and nothing is written", [*r, "HOST-BUF-1"],
             [scan(A, 10, out_len=35, dump=40)], SCAN_PRE),
        case("scan_size_query", "out_len 0 asks for the size only", r,
             [scan(A, 10, out_len=0, dump=8)], SCAN_PRE),
        case("scan_exact_buffer", "out_len equal to the encoding's length: written", r,
             [scan(A, 10, out_len=36, dump=40)], SCAN_PRE),
        case("scan_limit_max", "limit 1024 is allowed", lim, [scan(EMPTY, 1024)], SCAN_PRE),
        case("scan_limit_too_large", "limit 1025: HOST_LIMIT_EXCEEDED", lim,
             [scan(EMPTY, 1025)], SCAN_PRE),
        case("scan_limit_negative", "limit -1: HOST_INVALID_ARGUMENT", r,
             [scan(EMPTY, -1)], SCAN_PRE),
        case("scan_limit_most_negative", "limit -2147483648: HOST_INVALID_ARGUMENT", r,
             [scan(EMPTY, -(2**31))], SCAN_PRE),
        case("scan_limit_negative_first", "a negative limit with an out-of-bounds prefix: "
             "the limit is checked first, HOST_INVALID_ARGUMENT", [*r, "HOST-GAS-1"],
             [scan((U32_MAX, 4), -1)], SCAN_PRE),
        case("scan_limit_too_large_first", "limit 1025 with an out-of-bounds prefix: "
             "HOST_LIMIT_EXCEEDED", [*lim, "HOST-GAS-1"], [scan((U32_MAX, 4), 1025)],
             SCAN_PRE),
        case("scan_prefix_too_long", "a 1025-byte prefix: HOST_LIMIT_EXCEEDED", lim,
             [scan((0, 1025), 10)], SCAN_PRE),
        case("scan_prefix_out_of_bounds", "a prefix past the end of memory: "
             "MEMORY_OUT_OF_BOUNDS", [*r, "HOST-MEM-1"],
             [scan((MEMORY_SIZE - 1, 2), 10)], SCAN_PRE),
        case("scan_buffer_out_of_bounds", "the output buffer must lie in memory even when "
             "nothing matches: MEMORY_OUT_OF_BOUNDS", [*r, "HOST-MEM-1"],
             [call("scan_dump", *text(b"z"), 10, MEMORY_SIZE - 8, 16, 0)], SCAN_PRE),
        case("scan_over_buffered_set", "a scan sees the call's own new key and overwritten "
             "value (RT-ATOMIC-2)", [*r, "RT-ATOMIC-2", "HOST-STORAGE-3"],
             [call("set_scan", *BC, *XYZ, *B, 10, OUT, 256, 48),
              call("set_scan", *AB, *XYZ, *A, 10, OUT, 256, 48)], SCAN_PRE),
        case("scan_over_buffered_delete", "a deleted key is skipped and the limit counts only "
             "live entries: delete 'ab', scan 'a' with limit 2 gives a, abc",
             [*r, "RT-ATOMIC-2", "HOST-STORAGE-4"],
             [call("delete_scan", *AB, *A, 2, OUT, 256, 40)], SCAN_PRE),
        case("scan_over_set_and_delete", "set 'bc' and delete 'a' in the call, then scan "
             "everything with limit 4", [*r, "RT-ATOMIC-2", "HOST-STORAGE-3", "HOST-STORAGE-4"],
             [call("set_delete_scan", *BC, *XYZ, *A, *EMPTY, 4, OUT, 256, 64)], SCAN_PRE),
        case("scan_delete_all_then_scan", "after deleting every key under 'a' except 'abc' "
             "the scan sees one entry", [*r, "RT-ATOMIC-2", "HOST-STORAGE-4"],
             [call("storage_delete", *A), call("delete_scan", *AB, *A, 10, OUT, 256, 20)],
             SCAN_PRE),
        *gas_edges("scan", "storage_scan of 3 entries (36 bytes)", r, "storage_scan",
                   (*A, 10, OUT, 256), SCAN_PRE),
    ]


def cases() -> list[Case]:
    """Every storage_api case."""
    return [*get_cases(), *read_value_cases(), *set_cases(), *delete_cases(), *scan_cases()]

