;; counter.wat — a counter kept in storage (conformance example contract).
;;
;; Built by conformance/contracts/build.py into counter.wasm; documented in README.md.
;;
;; Exports
;;   memory                      the contract's memory (1 page), read by the host (RT-CALL-2)
;;   increment(by: i64) -> i64   value := value + by (two's complement, wrapping at 64 bits);
;;                               stores it, emits an event, returns the new value
;;   get() -> i64                the current value (0 when the key is absent)
;;   reset()                     deletes the key (the value becomes 0); emits no event
;;
;; Storage
;;   "counter" (7 bytes ASCII) -> the value, 8 bytes, i64 little endian. Absent means 0.
;;   A stored value that is not 8 bytes long is an impossible state: `unreachable` (UNREACHABLE).
;;
;; Events
;;   increment emits 16 bytes: by (i64 LE) || new value (i64 LE).
;;
;; Memory layout
;;   0..7    the key "counter"
;;   16..23  the value buffer
;;   32..47  the event buffer
(module
  (import "storage_api" "storage_get" (func $storage_get (param i32 i32) (result i64)))
  (import "storage_api" "storage_read_value" (func $storage_read_value (param i32 i32) (result i32)))
  (import "storage_api" "storage_set" (func $storage_set (param i32 i32 i32 i32) (result i32)))
  (import "storage_api" "storage_delete" (func $storage_delete (param i32 i32) (result i32)))
  (import "chain_api" "emit_event" (func $emit_event (param i32 i32) (result i32)))

  (memory (export "memory") 1)
  (data (i32.const 0) "counter")

  ;; The stored value, or 0 when absent.
  (func $load (result i64)
    (local $len i64)
    (local.set $len (call $storage_get (i32.const 0) (i32.const 7)))
    (if (i64.eq (local.get $len) (i64.const -1))
      (then (return (i64.const 0))))
    (if (i64.ne (local.get $len) (i64.const 8))
      (then (unreachable)))
    (drop (call $storage_read_value (i32.const 16) (i32.const 8)))
    (i64.load (i32.const 16)))

  (func (export "get") (result i64)
    (call $load))

  (func (export "increment") (param $by i64) (result i64)
    (local $new i64)
    (local.set $new (i64.add (call $load) (local.get $by)))
    ;; STORE
    (i64.store (i32.const 16) (local.get $new))
    (drop (call $storage_set (i32.const 0) (i32.const 7) (i32.const 16) (i32.const 8)))
    ;; EVENT
    (i64.store (i32.const 32) (local.get $by))
    (i64.store (i32.const 40) (local.get $new))
    (drop (call $emit_event (i32.const 32) (i32.const 16)))
    (local.get $new))

  (func (export "reset")
    (drop (call $storage_delete (i32.const 0) (i32.const 7))))
)
