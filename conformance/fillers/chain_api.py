"""Filler ``chain_api``: the block context and events through the ``abi_probe`` contract with
raw pointers and lengths (spec/host-abi.md, HOST-CHAIN-1..5): the context values (including
negative and 2**53 - 1), event indices and order, the size and count limits, out-of-bounds
ranges, ``read_event`` with every index and buffer case (HOST-BUF-1), and gas at the edge.

Memory layout: `supervm_ref.conformance.probe`. ``emit_n(n, p, l)`` emits the n events
``memory[p + i, p + i + l)``, so consecutive events differ; ``emit_read`` then reads one back
into the 0xEE buffer at OUT and dumps the buffer as the last event.
"""

from __future__ import annotations

from supervm_ref.conformance import Case, Env, Tx, probe
from supervm_ref.conformance.probe import BYTES, MEMORY_SIZE, OUT, ZEROS, call, text

AREA = "chain_api"
U32_MAX = 0xFFFFFFFF
I64_MAX_SAFE = 2**53 - 1


def case(name: str, description: str, rules: list[str], txs: list[Tx],
         env: Env | None = None) -> Case:
    """A case of this area on the probe (no pre-state: chain_api does not touch storage)."""
    return probe.case(AREA, name, description, rules, txs, None, env)


def context_cases() -> list[Case]:
    """HOST-CHAIN-1 ``block_number`` and HOST-CHAIN-2 ``timestamp`` (RT-CTX-1)."""
    r = ["HOST-CHAIN-1", "HOST-CHAIN-2", "RT-CTX-1"]
    both = [call("block_number"), call("timestamp")]
    return [
        case("context_default", "block_number and timestamp return the env's values", r, both),
        case("context_zero", "block 0 at time 0", r, both, Env(block_number=0, timestamp=0)),
        case("context_large", "values above 32 bits: 2**53 - 1 and 2**40", r, both,
             Env(block_number=I64_MAX_SAFE, timestamp=2**40)),
        case("context_negative", "the context values are signed i64: -1 and -(2**53 - 1)", r,
             both, Env(block_number=-1, timestamp=-I64_MAX_SAFE)),
        case("context_every_transaction", "every transaction of a block sees the same context",
             r, [*both, *both], Env(block_number=42, timestamp=1_234_567_890)),
        *probe.gas_edges(AREA, "block_number", "block_number", ["HOST-CHAIN-1"],
                         "block_number", ()),
        *probe.gas_edges(AREA, "timestamp", "timestamp", ["HOST-CHAIN-2"], "timestamp", ()),
    ]


def emit_cases() -> list[Case]:
    """HOST-CHAIN-3 ``emit_event`` and HOST-CHAIN-4 ``events_len``."""
    r = ["HOST-CHAIN-3"]
    lim = [*r, "HOST-LIMIT-1"]
    return [
        case("emit_one", "emit_event returns the index 0 of the first event", r,
             [call("emit_event", *text(b"abcde"))]),
        case("emit_order", "events keep their emission order; emit_n returns events_len = 3",
             [*r, "HOST-CHAIN-4"], [call("emit_n", 3, BYTES + 1, 2)]),
        case("emit_empty", "an empty event is an event", r, [call("emit_event", OUT, 0)]),
        case("emit_empty_at_memory_end", "an empty event at the very end of memory",
             [*r, "HOST-MEM-1"], [call("emit_event", MEMORY_SIZE, 0)]),
        case("emit_max_size", "an event of exactly 65536 bytes", lim,
             [call("emit_event", ZEROS, 65536)]),
        case("emit_too_large", "an event of 65537 bytes: HOST_LIMIT_EXCEEDED", lim,
             [call("emit_event", ZEROS, 65537)]),
        case("emit_too_large_out_of_bounds", "a 65537-byte event at 0xffffffff: the size limit "
             "comes before memory, HOST_LIMIT_EXCEEDED", [*lim, "HOST-GAS-1"],
             [call("emit_event", U32_MAX, 65537)]),
        case("emit_out_of_bounds", "an event past the end of memory: MEMORY_OUT_OF_BOUNDS",
             [*r, "HOST-MEM-1"], [call("emit_event", MEMORY_SIZE - 2, 3)]),
        case("emit_pointer_no_wrap", "ptr 0xffffffff, len 2: no wrapping, "
             "MEMORY_OUT_OF_BOUNDS", [*r, "HOST-MEM-1"], [call("emit_event", U32_MAX, 2)]),
        case("emit_max_count", "1024 events in one call are allowed", lim,
             [call("emit_n", 1024, OUT, 0)]),
        case("emit_too_many", "the 1025th event of a call: HOST_LIMIT_EXCEEDED, no event kept",
             [*lim, "RT-ATOMIC-1"], [call("emit_n", 1025, OUT, 0)]),
        case("events_len_initial", "events_len is 0 before any emit", ["HOST-CHAIN-4"],
             [call("events_len")]),
        case("events_per_call", "events belong to their call: the next transaction starts with "
             "none", ["HOST-CHAIN-4", *r],
             [call("emit_n", 2, BYTES, 1), call("events_len"),
              call("read_event", 0, OUT, 16)]),
        *probe.gas_edges(AREA, "emit", "emit_event of 5 bytes", r, "emit_event",
                         text(b"abcde")),
        *probe.gas_edges(AREA, "events_len", "events_len", ["HOST-CHAIN-4"], "events_len", ()),
    ]


def read(n: int, index: int, out_len: int = 16, dump: int = 16, length: int = 4,
         out: int = OUT) -> Tx:
    """``emit_read``: emit n events of ``length`` bytes from the byte table, read event
    ``index`` into a buffer of ``out_len`` bytes at ``out``, dump ``dump`` bytes of it."""
    return call("emit_read", n, BYTES + 16, length, index, out, out_len, dump)


def read_event_cases() -> list[Case]:
    """HOST-CHAIN-5 ``read_event`` and HOST-BUF-1."""
    r = ["HOST-CHAIN-5"]
    buf = [*r, "HOST-BUF-1"]
    return [
        case("read_event_full", "read event 1 of 3 into a 16-byte buffer: 4 bytes copied, the "
             "rest stays 0xEE", buf, [read(3, 1)]),
        case("read_event_first_and_last", "events 0 and 2 of 3", r, [read(3, 0), read(3, 2)]),
        case("read_event_exact_buffer", "a buffer of exactly the event's length", buf,
             [read(3, 1, out_len=4, dump=8)]),
        case("read_event_short_buffer", "a 2-byte buffer: the first 2 bytes, full length 4",
             buf, [read(3, 1, out_len=2, dump=8)]),
        case("read_event_zero_buffer", "a 0-byte buffer: nothing written, full length 4", buf,
             [read(3, 1, out_len=0, dump=8)]),
        case("read_event_empty_event", "an empty event has length 0", r,
             [read(2, 1, length=0, dump=4)]),
        case("read_event_index_past_end", "index 3 of 3 events: -1, nothing written", r,
             [read(3, 3, dump=8)]),
        case("read_event_index_negative", "index -1 (a signed i32): -1, nothing written", r,
             [read(3, -1, dump=8)]),
        case("read_event_index_max", "index 2147483647: -1", r, [read(3, 2**31 - 1, dump=8)]),
        case("read_event_none", "no event emitted: index 0 gives -1", r,
             [call("read_event", 0, OUT, 16)]),
        case("read_event_buffer_out_of_bounds", "the whole buffer must lie in memory: "
             "MEMORY_OUT_OF_BOUNDS", [*buf, "HOST-MEM-1"],
             [read(3, 1, out=MEMORY_SIZE - 2, dump=0)]),
        case("read_event_buffer_out_of_bounds_no_event", "an out-of-bounds buffer traps even "
             "for a missing event: MEMORY_OUT_OF_BOUNDS", [*r, "HOST-MEM-1"],
             [call("read_event", 5, MEMORY_SIZE, 1)]),
        *probe.gas_edges(AREA, "read_event", "read_event of a 4-byte event", r,
                         "emit_read_event", (3, BYTES + 16, 4, 1, OUT, 16)),
        *probe.gas_edges(AREA, "read_event_missing", "read_event of a missing event", r,
                         "read_event", (0, OUT, 16)),
    ]


def cases() -> list[Case]:
    """Every chain_api case."""
    return [*context_cases(), *emit_cases(), *read_event_cases()]
