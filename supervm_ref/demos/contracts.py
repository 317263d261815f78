"""WebAssembly modules used by the demos, as binary with their text form beside them.

Each module is committed as the bytes wasmtime's ``wat2wasm`` produced for the WAT shown;
``tests/demos/test_demo.py`` checks that both wasmtime's and our own text parser
(`supervm_ref.wasm.text`, spec/wasm-text.md) make that module of the WAT.
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

#: Demos 3 and 4 (crypto_api): ``hashes()`` emits SHA-256 and Keccak-256 of "Hello, SuperVM!"
#: as two events; ``eth_address()`` derives the Ethereum address of the public key of private
#: key 1 (the generator point, x at offset 256, y at 288) and emits it.
CRYPTO_WAT = r"""(module
  (import "crypto_api" "sha256" (func $sha256 (param i32 i32 i32) (result i32)))
  (import "crypto_api" "keccak256" (func $keccak256 (param i32 i32 i32) (result i32)))
  (import "crypto_api" "derive_eth_address"
    (func $derive_eth_address (param i32 i32 i32) (result i32)))
  (import "chain_api" "emit_event" (func $emit_event (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "Hello, SuperVM!")
  (data (i32.const 256)
    "\79\be\66\7e\f9\dc\bb\ac\55\a0\62\95\ce\87\0b\07\02\9b\fc\db\2d\ce\28\d9\59\f2\81\5b\16\f8\17\98")
  (data (i32.const 288)
    "\48\3a\da\77\26\a3\c4\65\5d\a4\fb\fc\0e\11\08\a8\fd\17\b4\48\a6\85\54\19\9c\47\d0\8f\fb\10\d4\b8")
  (func (export "hashes") (result i32)
    i32.const 0 i32.const 15 i32.const 64 call $sha256 drop
    i32.const 64 i32.const 32 call $emit_event drop
    i32.const 0 i32.const 15 i32.const 96 call $keccak256 drop
    i32.const 96 i32.const 32 call $emit_event drop
    i32.const 0)
  (func (export "eth_address") (result i32)
    i32.const 256 i32.const 64 i32.const 128 call $derive_eth_address
    i32.const 128 i32.const 20 call $emit_event drop))"""
CRYPTO_WASM = bytes.fromhex(
    "0061736d0100000001120360037f7f7f017f60027f7f017f6000017f0263040a63727970746f5f6170690673"
    "686132353600000a63727970746f5f617069096b656363616b32353600000a63727970746f5f617069126465"
    "726976655f6574685f61646472657373000009636861696e5f6170690a656d69745f6576656e740001030302"
    "02020503010001072103066d656d6f727902000668617368657300040b6574685f6164647265737300050a40"
    "0228004100410f41c00010001a41c000412010031a4100410f41e00010011a41e000412010031a41000b1500"
    "41800241c0004180011002418001411410031a0b0b61030041000b0f48656c6c6f2c205375706572564d2100"
    "4180020b2079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f817980041a0020b2048"
    "3ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8003b046e616d65013404000673"
    "686132353601096b656363616b32353602126465726976655f6574685f61646472657373030a656d69745f65"
    "76656e74")
