;; coin.wat — a coin and a counter kept in objects (conformance example contract for
;; spec/objects.md OBJ-STORE-*: key byte 0 is a slot of the transaction, the rest a field).
;;
;; Built by conformance/contracts/build.py into coin.wasm; documented in README.md.
;;
;; Exports
;;   memory                          the contract's memory (1 page), read by the host
;;   mint(slot: i32, amount: i64)    balance[slot] := balance[slot] + amount (wrapping)
;;   split(dst: i32, amount: i64)    balance[0] -= amount, balance[dst] += amount; traps
;;                                   (unreachable) when amount > balance[0] (u64); emits an
;;                                   event: amount (i64 LE)
;;   merge(src: i32)                 balance[0] += balance[src]; deletes balance[src]
;;   balance(slot: i32) -> i64       balance[slot] (0 when absent); writes nothing
;;   write(slot: i32, value: i64)    balance[slot] := value (a probe of slot permissions)
;;   incr(slot: i32) -> i64          count[slot] += 1, emits an event: the new count (i64 LE),
;;                                   returns it
;;
;; Storage (values 8 bytes, u64 little endian; absent means 0)
;;   slot || "balance"   a coin's balance
;;   slot || "count"     a counter's count
;;   A stored value that is not 8 bytes long is an impossible state: `unreachable`.
;;
;; Memory layout
;;   0..7    the balance key (byte 0: the slot)
;;   16..21  the count key (byte 16: the slot)
;;   32..39  the value buffer
;;   48..55  the event buffer
(module
  (import "storage_api" "storage_get" (func $storage_get (param i32 i32) (result i64)))
  (import "storage_api" "storage_read_value" (func $storage_read_value (param i32 i32) (result i32)))
  (import "storage_api" "storage_set" (func $storage_set (param i32 i32 i32 i32) (result i32)))
  (import "storage_api" "storage_delete" (func $storage_delete (param i32 i32) (result i32)))
  (import "chain_api" "emit_event" (func $emit_event (param i32 i32) (result i32)))

  (memory (export "memory") 1)
  (data (i32.const 1) "balance")
  (data (i32.const 17) "count")

  ;; The u64 under the key at $key (length $len), 0 when absent.
  (func $load (param $key i32) (param $len i32) (result i64)
    (local $n i64)
    (local.set $n (call $storage_get (local.get $key) (local.get $len)))
    (if (i64.eq (local.get $n) (i64.const -1))
      (then (return (i64.const 0))))
    (if (i64.ne (local.get $n) (i64.const 8))
      (then (unreachable)))
    (drop (call $storage_read_value (i32.const 32) (i32.const 8)))
    (i64.load (i32.const 32)))

  (func $store (param $key i32) (param $len i32) (param $v i64)
    (i64.store (i32.const 32) (local.get $v))
    (drop (call $storage_set (local.get $key) (local.get $len) (i32.const 32) (i32.const 8))))

  (func $get_balance (param $slot i32) (result i64)
    (i32.store8 (i32.const 0) (local.get $slot))
    (call $load (i32.const 0) (i32.const 8)))

  (func $set_balance (param $slot i32) (param $v i64)
    (i32.store8 (i32.const 0) (local.get $slot))
    (call $store (i32.const 0) (i32.const 8) (local.get $v)))

  (func $event (param $v i64)
    (i64.store (i32.const 48) (local.get $v))
    (drop (call $emit_event (i32.const 48) (i32.const 8))))

  (func (export "mint") (param $slot i32) (param $amount i64)
    (call $set_balance (local.get $slot)
      (i64.add (call $get_balance (local.get $slot)) (local.get $amount))))

  (func (export "split") (param $dst i32) (param $amount i64)
    (local $bal i64)
    (local.set $bal (call $get_balance (i32.const 0)))
    (if (i64.gt_u (local.get $amount) (local.get $bal))
      (then (unreachable)))
    (call $set_balance (i32.const 0) (i64.sub (local.get $bal) (local.get $amount)))
    (call $set_balance (local.get $dst)
      (i64.add (call $get_balance (local.get $dst)) (local.get $amount)))
    (call $event (local.get $amount)))

  (func (export "merge") (param $src i32)
    (local $add i64)
    (local.set $add (call $get_balance (local.get $src)))
    (call $set_balance (i32.const 0)
      (i64.add (call $get_balance (i32.const 0)) (local.get $add)))
    (i32.store8 (i32.const 0) (local.get $src))
    (drop (call $storage_delete (i32.const 0) (i32.const 8))))

  (func (export "balance") (param $slot i32) (result i64)
    (call $get_balance (local.get $slot)))

  (func (export "write") (param $slot i32) (param $value i64)
    (call $set_balance (local.get $slot) (local.get $value)))

  (func (export "incr") (param $slot i32) (result i64)
    (local $new i64)
    (i32.store8 (i32.const 16) (local.get $slot))
    (local.set $new (i64.add (call $load (i32.const 16) (i32.const 6)) (i64.const 1)))
    (call $store (i32.const 16) (i32.const 6) (local.get $new))
    (call $event (local.get $new))
    (local.get $new))
)
