;; token.wat — a fungible token (conformance example contract).
;;
;; Built by conformance/contracts/build.py into token.wasm; documented in README.md.
;; c/token_c.c implements the same ABI, storage layout and events in C.
;;
;; Accounts are i32 ids (any 32-bit pattern); amounts and balances are u64 (an i64 argument
;; or result is read as unsigned). Business errors are return codes and change nothing;
;; `unreachable` is used only for states a correct history cannot produce (a stored value
;; that is not 8 bytes long, a balance overflow although balances sum to the supply).
;;
;; Exports
;;   memory                                          1 page (RT-CALL-2)
;;   mint(account: i32, amount: i64) -> i32          0 ok; 2 the supply would exceed 2^64-1
;;   transfer(from: i32, to: i32, amount: i64) -> i32
;;                                                   0 ok; 1 insufficient funds (balance of
;;                                                   `from` < amount). from == to is allowed:
;;                                                   balances unchanged, event emitted.
;;   balance_of(account: i32) -> i64                 the balance (0 when absent)
;;   total_supply() -> i64                           the supply (0 when absent)
;;
;; Storage (every value 8 bytes, u64 little endian; an absent key means 0)
;;   "bal:" || account (u32 LE)   (8-byte key)  the account's balance
;;   "supply"                     (6-byte key)  the total supply = sum of all balances
;;   A successful mint writes the account's balance and the supply; a successful transfer
;;   writes the balance of `from`, then the balance of `to` (both, even when equal or when
;;   the amount is 0). A failed call writes nothing.
;;
;; Events
;;   mint:     "mint" || account (u32 LE) || amount (u64 LE)               16 bytes
;;   transfer: "xfer" || from (u32 LE) || to (u32 LE) || amount (u64 LE)   20 bytes
;;
;; Memory layout
;;   0..7    the balance key: "bal:" then the account id at 4
;;   16..21  the key "supply"
;;   32..39  the value buffer
;;   64..83  the event buffer
(module
  (import "storage_api" "storage_get" (func $storage_get (param i32 i32) (result i64)))
  (import "storage_api" "storage_read_value" (func $storage_read_value (param i32 i32) (result i32)))
  (import "storage_api" "storage_set" (func $storage_set (param i32 i32 i32 i32) (result i32)))
  (import "chain_api" "emit_event" (func $emit_event (param i32 i32) (result i32)))

  (memory (export "memory") 1)
  (data (i32.const 0) "bal:")
  (data (i32.const 16) "supply")

  ;; The u64 stored under the key [key, key+len), or 0 when absent.
  (func $read_u64 (param $key i32) (param $len i32) (result i64)
    (local $n i64)
    (local.set $n (call $storage_get (local.get $key) (local.get $len)))
    (if (i64.eq (local.get $n) (i64.const -1))
      (then (return (i64.const 0))))
    (if (i64.ne (local.get $n) (i64.const 8))
      (then (unreachable)))
    (drop (call $storage_read_value (i32.const 32) (i32.const 8)))
    (i64.load (i32.const 32)))

  (func $write_u64 (param $key i32) (param $len i32) (param $value i64)
    (i64.store (i32.const 32) (local.get $value))
    (drop (call $storage_set (local.get $key) (local.get $len) (i32.const 32) (i32.const 8))))

  (func $balance (param $account i32) (result i64)
    (i32.store (i32.const 4) (local.get $account))
    (call $read_u64 (i32.const 0) (i32.const 8)))

  (func $set_balance (param $account i32) (param $value i64)
    (i32.store (i32.const 4) (local.get $account))
    (call $write_u64 (i32.const 0) (i32.const 8) (local.get $value)))

  (func (export "balance_of") (param $account i32) (result i64)
    (call $balance (local.get $account)))

  (func (export "total_supply") (result i64)
    (call $read_u64 (i32.const 16) (i32.const 6)))

  (func (export "mint") (param $account i32) (param $amount i64) (result i32)
    (local $supply i64)
    (local $balance i64)
    ;; CHECK: the supply must not wrap.
    (local.set $supply (i64.add (call $read_u64 (i32.const 16) (i32.const 6))
                                (local.get $amount)))
    (if (i64.lt_u (local.get $supply) (local.get $amount))
      (then (return (i32.const 2))))
    ;; STORE: a balance is at most the supply, so it cannot wrap either.
    (local.set $balance (i64.add (call $balance (local.get $account)) (local.get $amount)))
    (if (i64.lt_u (local.get $balance) (local.get $amount))
      (then (unreachable)))
    (call $set_balance (local.get $account) (local.get $balance))
    (call $write_u64 (i32.const 16) (i32.const 6) (local.get $supply))
    ;; EVENT
    (i32.store (i32.const 64) (i32.const 0x746e696d))  ;; "mint"
    (i32.store (i32.const 68) (local.get $account))
    (i64.store (i32.const 72) (local.get $amount))
    (drop (call $emit_event (i32.const 64) (i32.const 16)))
    (i32.const 0))

  (func (export "transfer") (param $from i32) (param $to i32) (param $amount i64) (result i32)
    (local $balance i64)
    ;; CHECK
    (local.set $balance (call $balance (local.get $from)))
    (if (i64.lt_u (local.get $balance) (local.get $amount))
      (then (return (i32.const 1))))
    ;; STORE: debit first, then read `to` afresh, so from == to nets to no change.
    (call $set_balance (local.get $from) (i64.sub (local.get $balance) (local.get $amount)))
    (local.set $balance (i64.add (call $balance (local.get $to)) (local.get $amount)))
    (if (i64.lt_u (local.get $balance) (local.get $amount))
      (then (unreachable)))
    (call $set_balance (local.get $to) (local.get $balance))
    ;; EVENT
    (i32.store (i32.const 64) (i32.const 0x72656678))  ;; "xfer"
    (i32.store (i32.const 68) (local.get $from))
    (i32.store (i32.const 72) (local.get $to))
    (i64.store (i32.const 76) (local.get $amount))
    (drop (call $emit_event (i32.const 64) (i32.const 20)))
    (i32.const 0))
)
