;; registry.wat — members listed under a prefix, found by scanning (conformance example contract).
;;
;; Built by conformance/contracts/build.py into registry.wasm; documented in README.md. Its point
;; is `storage_scan` inside a block (spec/scheduling.md, SCHED-MEM-8): every join scans the
;; members that joined before it, so the order of a block decides what each transaction sees.
;;
;; Exports
;;   memory                          the contract's memory (1 page), read by the host (RT-CALL-2)
;;   census(limit: i32) -> i32       scans "member/" for up to `limit` entries, emits the
;;                                   scan's raw output (HOST-STORAGE-5 encoding) as an event and
;;                                   returns its length
;;   join(id: i32, limit: i32) -> i32
;;                                   census(limit), then stores the census length (u32 LE) under
;;                                   the member key of `id`; returns the census length
;;   leave(id: i32) -> i32           deletes the member key of `id`: 1 if it was there, else 0
;;
;; A limit outside [0, 1024] traps as storage_scan does (HOST_INVALID_ARGUMENT or
;; HOST_LIMIT_EXCEEDED). An output longer than the 8 KiB buffer is an impossible state here
;; (1024 members of 11-byte keys and 4-byte values take 23 KiB): `unreachable`.
;;
;; Storage
;;   "member/" || id (u32 big endian, so members sort by id) -> 4 bytes, u32 little endian.
;;
;; Memory layout
;;   0..6       the prefix "member/"
;;   16..26     the member key being built: "member/" || id
;;   32..35     the value buffer
;;   1024..9215 the scan output
(module
  (import "storage_api" "storage_set" (func $storage_set (param i32 i32 i32 i32) (result i32)))
  (import "storage_api" "storage_delete" (func $storage_delete (param i32 i32) (result i32)))
  (import "storage_api" "storage_scan" (func $storage_scan (param i32 i32 i32 i32 i32) (result i32)))
  (import "chain_api" "emit_event" (func $emit_event (param i32 i32) (result i32)))

  (memory (export "memory") 1)
  (data (i32.const 0) "member/")
  (data (i32.const 16) "member/")

  ;; census(limit): the scan's output as an event; its length.
  (func $census (export "census") (param $limit i32) (result i32)
    (local $n i32)
    (local.set $n (call $storage_scan (i32.const 0) (i32.const 7) (local.get $limit)
                                      (i32.const 1024) (i32.const 8192)))
    (if (i32.gt_u (local.get $n) (i32.const 8192))
      (then (unreachable)))
    (drop (call $emit_event (i32.const 1024) (local.get $n)))
    (local.get $n))

  ;; The member key of `id` at 16..26.
  (func $member_key (param $id i32)
    (i32.store8 (i32.const 23) (i32.shr_u (local.get $id) (i32.const 24)))
    (i32.store8 (i32.const 24) (i32.shr_u (local.get $id) (i32.const 16)))
    (i32.store8 (i32.const 25) (i32.shr_u (local.get $id) (i32.const 8)))
    (i32.store8 (i32.const 26) (local.get $id)))

  ;; join(id, limit): census, then member `id` := the census length.
  (func (export "join") (param $id i32) (param $limit i32) (result i32)
    (local $n i32)
    (local.set $n (call $census (local.get $limit)))
    (call $member_key (local.get $id))
    (i32.store (i32.const 32) (local.get $n))
    (drop (call $storage_set (i32.const 16) (i32.const 11) (i32.const 32) (i32.const 4)))
    (local.get $n))

  ;; leave(id): delete member `id`.
  (func (export "leave") (param $id i32) (result i32)
    (call $member_key (local.get $id))
    (call $storage_delete (i32.const 16) (i32.const 11)))
)
