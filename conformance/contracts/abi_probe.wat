;; abi_probe.wat — every storage_api and chain_api function with its raw parameters, for the
;; host-ABI conformance fillers (conformance/fillers/storage_api.py, chain_api.py,
;; atomicity.py). Built with wasmtime.wat2wasm into abi_probe.wasm; tests/test_conformance.py
;; checks the two agree.
;;
;; Memory (exported, 2 pages; supervm_ref/conformance/probe.py has the same constants), fresh
;; at the start of every call:
;;   0   .. 256   byte i is i            (keys and values as slices)
;;   256 .. 282   "abcdefghijklmnopqrstuvwxyz"
;;   512 .. 768   0xEE                   (output buffer with a sentinel)
;;   768 ..       zero
;;
;; Exports. "Raw" ones call one host function with the arguments unchanged and return its
;; result. In the others, `dump` > 0 emits memory [out, out + dump) as a last event after the
;; host calls, so the transaction's events show what the host wrote into the buffer (and, past
;; the buffer's length, that it wrote nothing more: the 0xEE sentinel is intact).
;;   storage_get(k, kl) -> i64                      raw
;;   storage_read_value(p, l) -> i32                raw (no storage_get before it in the call)
;;   storage_set(k, kl, v, vl) -> i32               raw
;;   storage_delete(k, kl) -> i32                   raw
;;   storage_scan(p, pl, limit, out, ol) -> i32     raw
;;   block_number() -> i64, timestamp() -> i64, emit_event(p, l) -> i32, events_len() -> i32,
;;   read_event(i, p, l) -> i32                     raw
;;   get_read(k, kl, out, ol, dump) -> (i64, i32)   storage_get; storage_read_value(out, ol)
;;   get_read_value(k, kl, out, ol) -> i32          storage_get; storage_read_value (the host
;;                                                  call is the last instruction: for gas edges)
;;   get_get_read(k1, k1l, k2, k2l, out, ol, dump) -> (i64, i64, i32)
;;                                                  two storage_get; storage_read_value
;;   get_set_read(k, kl, v, vl, out, ol, dump) -> (i64, i32, i32)
;;                                                  storage_get; storage_set of the same key;
;;                                                  storage_read_value (the value kept by get)
;;   set_get_read(k, kl, v, vl, out, ol, dump) -> (i32, i64, i32)
;;                                                  storage_set; storage_get; storage_read_value
;;   delete_get(k, kl) -> (i32, i64)                storage_delete; storage_get
;;   set_get_delete(k, kl, v, vl) -> (i32, i64, i32)
;;                                                  storage_set; storage_get; storage_delete
;;   scan_dump(p, pl, limit, out, ol, dump) -> i32  storage_scan
;;   set_scan(k, kl, v, vl, p, pl, limit, out, ol, dump) -> i32
;;                                                  storage_set; storage_scan
;;   delete_scan(k, kl, p, pl, limit, out, ol, dump) -> i32
;;                                                  storage_delete; storage_scan
;;   set_delete_scan(k, kl, v, vl, d, dl, p, pl, limit, out, ol, dump) -> i32
;;                                                  storage_set; storage_delete(d, dl);
;;                                                  storage_scan
;;   emit_n(n, p, l) -> i32                         emit_event(p + i, l) for i in 0..n-1;
;;                                                  returns events_len()
;;   emit_read(n, p, l, index, out, ol, dump) -> i32
;;                                                  emit_n(n, p, l); read_event(index, out, ol)
;;   emit_read_event(n, p, l, index, out, ol) -> i32
;;                                                  emit_n(n, p, l); read_event (the last
;;                                                  instruction: for gas edges)
;;   set_emit(k, kl, v, vl, p, l) -> i32            storage_set; emit_event (its index)
;;   set_emit_trap(k, kl, v, vl, p, l)              storage_set; emit_event; unreachable
;;   set_emit_spin(k, kl, v, vl, p, l)              storage_set; emit_event; loop forever
(module
  (import "storage_api" "storage_get" (func $get (param i32 i32) (result i64)))
  (import "storage_api" "storage_read_value" (func $read_value (param i32 i32) (result i32)))
  (import "storage_api" "storage_set" (func $set (param i32 i32 i32 i32) (result i32)))
  (import "storage_api" "storage_delete" (func $delete (param i32 i32) (result i32)))
  (import "storage_api" "storage_scan" (func $scan (param i32 i32 i32 i32 i32) (result i32)))
  (import "chain_api" "block_number" (func $block_number (result i64)))
  (import "chain_api" "timestamp" (func $timestamp (result i64)))
  (import "chain_api" "emit_event" (func $emit (param i32 i32) (result i32)))
  (import "chain_api" "events_len" (func $events_len (result i32)))
  (import "chain_api" "read_event" (func $read_event (param i32 i32 i32) (result i32)))

  (memory (export "memory") 2)
  (data (i32.const 0)
    "\00\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f"
    "\10\11\12\13\14\15\16\17\18\19\1a\1b\1c\1d\1e\1f"
    "\20\21\22\23\24\25\26\27\28\29\2a\2b\2c\2d\2e\2f"
    "\30\31\32\33\34\35\36\37\38\39\3a\3b\3c\3d\3e\3f"
    "\40\41\42\43\44\45\46\47\48\49\4a\4b\4c\4d\4e\4f"
    "\50\51\52\53\54\55\56\57\58\59\5a\5b\5c\5d\5e\5f"
    "\60\61\62\63\64\65\66\67\68\69\6a\6b\6c\6d\6e\6f"
    "\70\71\72\73\74\75\76\77\78\79\7a\7b\7c\7d\7e\7f"
    "\80\81\82\83\84\85\86\87\88\89\8a\8b\8c\8d\8e\8f"
    "\90\91\92\93\94\95\96\97\98\99\9a\9b\9c\9d\9e\9f"
    "\a0\a1\a2\a3\a4\a5\a6\a7\a8\a9\aa\ab\ac\ad\ae\af"
    "\b0\b1\b2\b3\b4\b5\b6\b7\b8\b9\ba\bb\bc\bd\be\bf"
    "\c0\c1\c2\c3\c4\c5\c6\c7\c8\c9\ca\cb\cc\cd\ce\cf"
    "\d0\d1\d2\d3\d4\d5\d6\d7\d8\d9\da\db\dc\dd\de\df"
    "\e0\e1\e2\e3\e4\e5\e6\e7\e8\e9\ea\eb\ec\ed\ee\ef"
    "\f0\f1\f2\f3\f4\f5\f6\f7\f8\f9\fa\fb\fc\fd\fe\ff")
  (data (i32.const 256) "abcdefghijklmnopqrstuvwxyz")
  (data (i32.const 512)
    "\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee"
    "\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee"
    "\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee"
    "\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee"
    "\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee"
    "\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee"
    "\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee"
    "\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee")

  (func $dump (param $out i32) (param $len i32)
    (if (i32.gt_s (local.get $len) (i32.const 0))
      (then (drop (call $emit (local.get $out) (local.get $len))))))

  ;; Raw host functions.
  (func (export "storage_get") (param i32 i32) (result i64)
    (call $get (local.get 0) (local.get 1)))
  (func (export "storage_read_value") (param i32 i32) (result i32)
    (call $read_value (local.get 0) (local.get 1)))
  (func (export "storage_set") (param i32 i32 i32 i32) (result i32)
    (call $set (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "storage_delete") (param i32 i32) (result i32)
    (call $delete (local.get 0) (local.get 1)))
  (func (export "storage_scan") (param i32 i32 i32 i32 i32) (result i32)
    (call $scan (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)))
  (func (export "block_number") (result i64) (call $block_number))
  (func (export "timestamp") (result i64) (call $timestamp))
  (func (export "emit_event") (param i32 i32) (result i32)
    (call $emit (local.get 0) (local.get 1)))
  (func (export "events_len") (result i32) (call $events_len))
  (func (export "read_event") (param i32 i32 i32) (result i32)
    (call $read_event (local.get 0) (local.get 1) (local.get 2)))

  ;; Sequences within one call.
  (func (export "get_read")
    (param $k i32) (param $kl i32) (param $out i32) (param $ol i32) (param $dump i32)
    (result i64 i32)
    (call $get (local.get $k) (local.get $kl))
    (call $read_value (local.get $out) (local.get $ol))
    (call $dump (local.get $out) (local.get $dump)))
  (func (export "get_read_value")
    (param $k i32) (param $kl i32) (param $out i32) (param $ol i32) (result i32)
    (drop (call $get (local.get $k) (local.get $kl)))
    (call $read_value (local.get $out) (local.get $ol)))
  (func (export "get_get_read")
    (param $k1 i32) (param $k1l i32) (param $k2 i32) (param $k2l i32)
    (param $out i32) (param $ol i32) (param $dump i32) (result i64 i64 i32)
    (call $get (local.get $k1) (local.get $k1l))
    (call $get (local.get $k2) (local.get $k2l))
    (call $read_value (local.get $out) (local.get $ol))
    (call $dump (local.get $out) (local.get $dump)))
  (func (export "get_set_read")
    (param $k i32) (param $kl i32) (param $v i32) (param $vl i32)
    (param $out i32) (param $ol i32) (param $dump i32) (result i64 i32 i32)
    (call $get (local.get $k) (local.get $kl))
    (call $set (local.get $k) (local.get $kl) (local.get $v) (local.get $vl))
    (call $read_value (local.get $out) (local.get $ol))
    (call $dump (local.get $out) (local.get $dump)))
  (func (export "set_get_read")
    (param $k i32) (param $kl i32) (param $v i32) (param $vl i32)
    (param $out i32) (param $ol i32) (param $dump i32) (result i32 i64 i32)
    (call $set (local.get $k) (local.get $kl) (local.get $v) (local.get $vl))
    (call $get (local.get $k) (local.get $kl))
    (call $read_value (local.get $out) (local.get $ol))
    (call $dump (local.get $out) (local.get $dump)))
  (func (export "delete_get") (param $k i32) (param $kl i32) (result i32 i64)
    (call $delete (local.get $k) (local.get $kl))
    (call $get (local.get $k) (local.get $kl)))
  (func (export "set_get_delete")
    (param $k i32) (param $kl i32) (param $v i32) (param $vl i32) (result i32 i64 i32)
    (call $set (local.get $k) (local.get $kl) (local.get $v) (local.get $vl))
    (call $get (local.get $k) (local.get $kl))
    (call $delete (local.get $k) (local.get $kl)))
  (func (export "scan_dump")
    (param $p i32) (param $pl i32) (param $limit i32) (param $out i32) (param $ol i32)
    (param $dump i32) (result i32)
    (call $scan (local.get $p) (local.get $pl) (local.get $limit) (local.get $out)
                (local.get $ol))
    (call $dump (local.get $out) (local.get $dump)))
  (func (export "set_scan")
    (param $k i32) (param $kl i32) (param $v i32) (param $vl i32)
    (param $p i32) (param $pl i32) (param $limit i32) (param $out i32) (param $ol i32)
    (param $dump i32) (result i32)
    (drop (call $set (local.get $k) (local.get $kl) (local.get $v) (local.get $vl)))
    (call $scan (local.get $p) (local.get $pl) (local.get $limit) (local.get $out)
                (local.get $ol))
    (call $dump (local.get $out) (local.get $dump)))
  (func (export "delete_scan")
    (param $k i32) (param $kl i32)
    (param $p i32) (param $pl i32) (param $limit i32) (param $out i32) (param $ol i32)
    (param $dump i32) (result i32)
    (drop (call $delete (local.get $k) (local.get $kl)))
    (call $scan (local.get $p) (local.get $pl) (local.get $limit) (local.get $out)
                (local.get $ol))
    (call $dump (local.get $out) (local.get $dump)))
  (func (export "set_delete_scan")
    (param $k i32) (param $kl i32) (param $v i32) (param $vl i32) (param $d i32) (param $dl i32)
    (param $p i32) (param $pl i32) (param $limit i32) (param $out i32) (param $ol i32)
    (param $dump i32) (result i32)
    (drop (call $set (local.get $k) (local.get $kl) (local.get $v) (local.get $vl)))
    (drop (call $delete (local.get $d) (local.get $dl)))
    (call $scan (local.get $p) (local.get $pl) (local.get $limit) (local.get $out)
                (local.get $ol))
    (call $dump (local.get $out) (local.get $dump)))
  (func $emit_n (export "emit_n") (param $n i32) (param $p i32) (param $l i32) (result i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
        (drop (call $emit (i32.add (local.get $p) (local.get $i)) (local.get $l)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (call $events_len))
  (func (export "emit_read")
    (param $n i32) (param $p i32) (param $l i32) (param $index i32)
    (param $out i32) (param $ol i32) (param $dump i32) (result i32)
    (drop (call $emit_n (local.get $n) (local.get $p) (local.get $l)))
    (call $read_event (local.get $index) (local.get $out) (local.get $ol))
    (call $dump (local.get $out) (local.get $dump)))
  (func (export "emit_read_event")
    (param $n i32) (param $p i32) (param $l i32) (param $index i32) (param $out i32)
    (param $ol i32) (result i32)
    (drop (call $emit_n (local.get $n) (local.get $p) (local.get $l)))
    (call $read_event (local.get $index) (local.get $out) (local.get $ol)))
  (func (export "set_emit")
    (param $k i32) (param $kl i32) (param $v i32) (param $vl i32) (param $p i32) (param $l i32)
    (result i32)
    (drop (call $set (local.get $k) (local.get $kl) (local.get $v) (local.get $vl)))
    (call $emit (local.get $p) (local.get $l)))
  (func (export "set_emit_trap")
    (param $k i32) (param $kl i32) (param $v i32) (param $vl i32) (param $p i32) (param $l i32)
    (drop (call $set (local.get $k) (local.get $kl) (local.get $v) (local.get $vl)))
    (drop (call $emit (local.get $p) (local.get $l)))
    unreachable)
  (func (export "set_emit_spin")
    (param $k i32) (param $kl i32) (param $v i32) (param $vl i32) (param $p i32) (param $l i32)
    (drop (call $set (local.get $k) (local.get $kl) (local.get $v) (local.get $vl)))
    (drop (call $emit (local.get $p) (local.get $l)))
    (loop $forever (br $forever)))
)
