"""WebAssembly modules used by the demos, as binary with their text form beside them.

The reference has no text-format parser; each module is committed as the bytes ``wat2wasm``
produces for the WAT shown, and ``tests/test_demo.py`` checks the two agree.
"""

from __future__ import annotations

#: (module (func (export "add") (param i32 i32) (result i32)
#:   local.get 0 local.get 1 i32.add))
ADD_WAT = ('(module (func (export "add") (param i32 i32) (result i32) '
           'local.get 0 local.get 1 i32.add))')
ADD_WASM = bytes.fromhex(
    "0061736d0100000001070160027f7f017f030201000707010361646400000a09010700200020016a0b")

#: Demo 2 (events + storage + chain context): emits "UserAction", stores the block number under
#: "last_block" (i64 little endian), emits "BlockProcessed", returns block_number + timestamp.
EVENTS_WAT = """(module
  (import "chain_api" "emit_event" (func $emit_event (param i32 i32) (result i32)))
  (import "chain_api" "block_number" (func $block_number (result i64)))
  (import "chain_api" "timestamp" (func $timestamp (result i64)))
  (import "storage_api" "storage_set" (func $storage_set (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "UserAction")
  (data (i32.const 16) "BlockProcessed")
  (data (i32.const 32) "last_block")
  (func (export "process_block") (result i64) (local $bn i64)
    i32.const 0 i32.const 10 call $emit_event drop
    call $block_number local.set $bn
    i32.const 48 local.get $bn i64.store
    i32.const 32 i32.const 10 i32.const 48 i32.const 8 call $storage_set drop
    i32.const 16 i32.const 14 call $emit_event drop
    local.get $bn call $timestamp i64.add))"""
EVENTS_WASM = bytes.fromhex(
    "0061736d0100000001130360027f7f017f6000017e60047f7f7f7f017f02610409636861696e5f6170690a65"
    "6d69745f6576656e74000009636861696e5f6170690c626c6f636b5f6e756d626572000109636861696e5f61"
    "70690974696d657374616d7000010b73746f726167655f6170690b73746f726167655f736574000203020101"
    "0503010001071a02066d656d6f727902000d70726f636573735f626c6f636b00040a2f012d01017e4100410a"
    "10001a10012100413020003703004120410a4130410810031a4110410e10001a200010027c0b0b3203004100"
    "0b0a55736572416374696f6e0041100b0e426c6f636b50726f6365737365640041200b0a6c6173745f626c6f"
    "636b0043046e616d65013304000a656d69745f6576656e74010c626c6f636b5f6e756d626572020974696d65"
    "7374616d70030b73746f726167655f73657402070104010002626e")
