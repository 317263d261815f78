;; events.wat — emits events and reads them back (conformance example contract).
;;
;; Built by conformance/contracts/build.py into events.wasm; documented in README.md.
;;
;; Event i of a call (0-based, as counted by emit) is 6 bytes: "ev" || i (u32 LE).
;;
;; Exports
;;   memory                                  1 page (RT-CALL-2)
;;   emit(n: i32) -> i32                     emits events 0..n-1 (none if n <= 0); traps
;;                                           `unreachable` if emit_event does not return i;
;;                                           returns events_len()
;;   emit_and_read(n: i32) -> i32            emits n events, then checks each with
;;                                           read_event(i, buf, 16) (length 6, same bytes),
;;                                           and that read_event(n, ..) and read_event(-1, ..)
;;                                           return -1. Returns events_len() if all checks
;;                                           pass, else -1
;;   read_short(n: i32, index: i32, cap: i32) -> i32
;;                                           emits n events, fills buf[0 .. cap+4) with 0xEE,
;;                                           calls read_event(index, buf, cap) and stores
;;                                           buf[0 .. cap+4) under the key "read" (so the
;;                                           bytes past `cap` show the host wrote nothing
;;                                           there); returns read_event's result. cap outside
;;                                           [0, 1024] returns -2 and does nothing
;;   emit_at(ptr: i32, len: i32) -> i32      emit_event(ptr, len) on raw arguments
;;   read_at(index: i32, ptr: i32, len: i32) -> i32
;;                                           emits one event, then read_event(index, ptr, len)
;;                                           on raw arguments
;;   emit_then_trap(n: i32)                  emits n events, then `unreachable`
;;
;; Storage
;;   "read" -> the buffer window written by read_short (cap + 4 bytes)
;;
;; Memory layout
;;   0..3       the key "read"
;;   16..21     the event being emitted
;;   32..47     the read-back buffer of emit_and_read
;;   1024..2051 the buffer of read_short
(module
  (import "storage_api" "storage_set" (func $storage_set (param i32 i32 i32 i32) (result i32)))
  (import "chain_api" "emit_event" (func $emit_event (param i32 i32) (result i32)))
  (import "chain_api" "events_len" (func $events_len (result i32)))
  (import "chain_api" "read_event" (func $read_event (param i32 i32 i32) (result i32)))

  (memory (export "memory") 1)
  (data (i32.const 0) "read")

  ;; Emit events 0..n-1.
  (func $emit_n (param $n i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
        (i32.store16 (i32.const 16) (i32.const 0x7665))  ;; "ev"
        (i32.store (i32.const 18) (local.get $i))
        (if (i32.ne (call $emit_event (i32.const 16) (i32.const 6)) (local.get $i))
          (then (unreachable)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))

  (func (export "emit") (param $n i32) (result i32)
    (call $emit_n (local.get $n))
    (call $events_len))

  (func (export "emit_and_read") (param $n i32) (result i32)
    (local $i i32)
    (call $emit_n (local.get $n))
    (block $fail
      (block $done
        (loop $next
          (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
          (br_if $fail (i32.ne (call $read_event (local.get $i) (i32.const 32) (i32.const 16))
                               (i32.const 6)))
          (br_if $fail (i32.ne (i32.load16_u (i32.const 32)) (i32.const 0x7665)))
          (br_if $fail (i32.ne (i32.load (i32.const 34)) (local.get $i)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $next)))
      (br_if $fail (i32.ne (call $read_event (local.get $n) (i32.const 32) (i32.const 16))
                           (i32.const -1)))
      (br_if $fail (i32.ne (call $read_event (i32.const -1) (i32.const 32) (i32.const 16))
                           (i32.const -1)))
      (return (call $events_len)))
    (i32.const -1))

  (func (export "read_short") (param $n i32) (param $index i32) (param $cap i32) (result i32)
    (local $r i32)
    (if (i32.gt_u (local.get $cap) (i32.const 1024))
      (then (return (i32.const -2))))
    (call $emit_n (local.get $n))
    (memory.fill (i32.const 1024) (i32.const 0xEE) (i32.add (local.get $cap) (i32.const 4)))
    (local.set $r (call $read_event (local.get $index) (i32.const 1024) (local.get $cap)))
    (drop (call $storage_set (i32.const 0) (i32.const 4)
                             (i32.const 1024) (i32.add (local.get $cap) (i32.const 4))))
    (local.get $r))

  (func (export "emit_at") (param $ptr i32) (param $len i32) (result i32)
    (call $emit_event (local.get $ptr) (local.get $len)))

  (func (export "read_at") (param $index i32) (param $ptr i32) (param $len i32) (result i32)
    (call $emit_n (i32.const 1))
    (call $read_event (local.get $index) (local.get $ptr) (local.get $len)))

  (func (export "emit_then_trap") (param $n i32)
    (call $emit_n (local.get $n))
    (unreachable))
)
