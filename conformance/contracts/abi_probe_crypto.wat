;; abi_probe_crypto.wat — every crypto_api function with its raw parameters, for the host-ABI
;; conformance filler conformance/fillers/crypto_api.py. Built with wasmtime.wat2wasm into
;; abi_probe_crypto.wasm; tests/test_conformance.py checks the two agree. (Functions are
;; referred to by index, without $names, so the binary has no name section: the probe's bytes
;; are in every fixture of the area.)
;;
;; Byte strings reach the probe through storage: a case's pre-state holds them, concatenated,
;; under the key "input", and every export first copies that value into memory at IN
;; (storage_get("input"); storage_read_value(IN, 131072 - IN)), so the filler passes pointers
;; into IN for any bytes it likes. Without the key nothing is copied (the two storage calls
;; still cost their gas) and IN stays zero.
;;
;; Memory (exported, 2 pages = 131072 bytes; the filler has the same constants), fresh at the
;; start of every call:
;;   0    .. 5       "input"               (the storage key of the loaded bytes)
;;   64   .. 104     0xEE                  (OUT: a 40-byte output buffer with a sentinel)
;;   1024 ..         the value of "input"  (IN; zero past its end)
;;   elsewhere       zero
;;
;; Exports (all parameters i32, all results the host function's i32):
;;   sha256(in, in_len, out)                                   load; sha256
;;   keccak256(in, in_len, out)                                load; keccak256
;;   verify_ed25519(msg, msg_len, sig, pubkey)                 load; verify_ed25519
;;   verify_secp256k1(hash, sig, pubkey, pubkey_len)           load; verify_secp256k1
;;   verify_secp256k1_der(hash, sig, sig_len, pubkey, pubkey_len)
;;                                                             load; verify_secp256k1_der
;;   derive_eth_address(pubkey, pubkey_len, out)               load; derive_eth_address
;;     These end with the host call and pass their arguments unchanged (for gas edges).
;;   sha256_dump(in, in_len, out, dump)                        load; sha256; dump
;;   keccak256_dump(in, in_len, out, dump)                     load; keccak256; dump
;;   derive_eth_address_dump(pubkey, pubkey_len, out, dump)    load; derive_eth_address; dump
;;     "dump" emits memory [out, out + dump) as the call's only event, so the transaction's
;;     events show what the host wrote into the buffer and, past the output, that it wrote
;;     nothing more (the 0xEE sentinel is intact).
(module
  (import "storage_api" "storage_get" (func (param i32 i32) (result i64)))           ;; 0
  (import "storage_api" "storage_read_value" (func (param i32 i32) (result i32)))    ;; 1
  (import "chain_api" "emit_event" (func (param i32 i32) (result i32)))              ;; 2
  (import "crypto_api" "sha256" (func (param i32 i32 i32) (result i32)))             ;; 3
  (import "crypto_api" "keccak256" (func (param i32 i32 i32) (result i32)))          ;; 4
  (import "crypto_api" "verify_ed25519" (func (param i32 i32 i32 i32) (result i32))) ;; 5
  (import "crypto_api" "verify_secp256k1"
    (func (param i32 i32 i32 i32) (result i32)))                                     ;; 6
  (import "crypto_api" "verify_secp256k1_der"
    (func (param i32 i32 i32 i32 i32) (result i32)))                                 ;; 7
  (import "crypto_api" "derive_eth_address"
    (func (param i32 i32 i32) (result i32)))                                         ;; 8

  (memory (export "memory") 2)
  (data (i32.const 0) "input")
  (data (i32.const 64)
    "\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee"
    "\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee\ee")

  ;; 9: load — storage_get("input"); storage_read_value(IN, 131072 - IN).
  (func
    (drop (call 0 (i32.const 0) (i32.const 5)))
    (drop (call 1 (i32.const 1024) (i32.const 130048))))

  ;; Load, then the host function (the last instruction).
  (func (export "sha256") (param i32 i32 i32) (result i32)
    (call 9)
    (call 3 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "keccak256") (param i32 i32 i32) (result i32)
    (call 9)
    (call 4 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "verify_ed25519") (param i32 i32 i32 i32) (result i32)
    (call 9)
    (call 5 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "verify_secp256k1") (param i32 i32 i32 i32) (result i32)
    (call 9)
    (call 6 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "verify_secp256k1_der") (param i32 i32 i32 i32 i32) (result i32)
    (call 9)
    (call 7 (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)))
  (func (export "derive_eth_address") (param i32 i32 i32) (result i32)
    (call 9)
    (call 8 (local.get 0) (local.get 1) (local.get 2)))

  ;; Load, the host function, then emit [out, out + dump) (parameters 2 and 3).
  (func (export "sha256_dump") (param i32 i32 i32 i32) (result i32)
    (call 9)
    (call 3 (local.get 0) (local.get 1) (local.get 2))
    (drop (call 2 (local.get 2) (local.get 3))))
  (func (export "keccak256_dump") (param i32 i32 i32 i32) (result i32)
    (call 9)
    (call 4 (local.get 0) (local.get 1) (local.get 2))
    (drop (call 2 (local.get 2) (local.get 3))))
  (func (export "derive_eth_address_dump") (param i32 i32 i32 i32) (result i32)
    (call 9)
    (call 8 (local.get 0) (local.get 1) (local.get 2))
    (drop (call 2 (local.get 2) (local.get 3))))
)
