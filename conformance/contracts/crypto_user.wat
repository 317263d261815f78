;; crypto_user.wat — uses every crypto_api function (conformance example contract).
;;
;; Built by conformance/contracts/build.py into crypto_user.wasm; documented in README.md.
;;
;; The data segment holds a 32-byte message M = "SuperVM crypto_user test message", an
;; Ed25519 key pair's public key and signature of M (PyNaCl, seed sha256("supervm crypto_user
;; ed25519 key")), and a secp256k1 public key (compressed and uncompressed) with its signature
;; of sha256(M) as r||s (low S) and as DER (coincurve, RFC 6979, secret key sha256("supervm
;; crypto_user secp256k1 key")); tests/test_contracts.py re-derives all of them.
;;
;; Exports
;;   memory                               1 page (RT-CALL-2)
;;   hash_message() -> i32                stores sha256(M) under "sha256" and keccak256(M)
;;                                        under "keccak256"; returns 0
;;   hash_input() -> i32                  hashes the value stored under "input": stores
;;                                        sha256 under "sha256:input" and keccak256 under
;;                                        "keccak256:input"; returns the input's length, -1 if
;;                                        "input" is absent, -2 (nothing stored) if it is
;;                                        longer than 1024 bytes
;;   check_ed25519(flip: i32) -> i32      verify_ed25519 of the signature over M, or over M
;;                                        with its first byte's low bit flipped if flip != 0;
;;                                        returns the host's answer (1 valid, 0 not)
;;   check_secp256k1(flip: i32, form: i32) -> i32
;;                                        hashes M (flipped as above) with sha256 and verifies
;;                                        the secp256k1 signature of it: form 0 r||s with the
;;                                        compressed key, 1 r||s with the uncompressed key,
;;                                        2 DER with the compressed key, 3 DER with the
;;                                        uncompressed key; returns the host's answer, -2 for
;;                                        another form
;;   derive_address(form: i32) -> i32     derive_eth_address of the public key given as:
;;                                        form 0 65 bytes 04||x||y, 1 64 bytes x||y, 2 33
;;                                        bytes compressed, 3 64 bytes that are not a curve
;;                                        point; on 20 stores the address under "eth_address";
;;                                        returns the host's answer (20 or -1), -2 for
;;                                        another form
;;   derive_raw(ptr: i32, len: i32) -> i32
;;                                        derive_eth_address(ptr, len, 1140) on raw arguments
;;
;; Storage written: "sha256", "keccak256", "sha256:input", "keccak256:input" (32 bytes each),
;; "eth_address" (20 bytes). Read: "input". No events.
;;
;; Memory layout
;;   0 "sha256"  8 "keccak256"  24 "eth_address"  40 "input"  48 "sha256:input"
;;   64 "keccak256:input"
;;   128..159  M                      192..223  Ed25519 public key   224..287  its signature
;;   288..320  secp256k1 key (33)     336..400  the same key (65)    416..479  r||s
;;   480..549  DER signature          552       the DER signature's length (1 byte)
;;   560..623  64 bytes that are not a curve point
;;   1024..1055 the (flipped) copy of M     1100..1131 a digest     1140..1159 an address
;;   2048..3071 the input of hash_input
(module
  (import "storage_api" "storage_get" (func $storage_get (param i32 i32) (result i64)))
  (import "storage_api" "storage_read_value" (func $storage_read_value (param i32 i32) (result i32)))
  (import "storage_api" "storage_set" (func $storage_set (param i32 i32 i32 i32) (result i32)))
  (import "crypto_api" "sha256" (func $sha256 (param i32 i32 i32) (result i32)))
  (import "crypto_api" "keccak256" (func $keccak256 (param i32 i32 i32) (result i32)))
  (import "crypto_api" "verify_ed25519" (func $verify_ed25519 (param i32 i32 i32 i32) (result i32)))
  (import "crypto_api" "verify_secp256k1" (func $verify_secp256k1 (param i32 i32 i32 i32) (result i32)))
  (import "crypto_api" "verify_secp256k1_der"
    (func $verify_secp256k1_der (param i32 i32 i32 i32 i32) (result i32)))
  (import "crypto_api" "derive_eth_address" (func $derive_eth_address (param i32 i32 i32) (result i32)))

  (memory (export "memory") 1)
  (data (i32.const 0) "sha256")
  (data (i32.const 8) "keccak256")
  (data (i32.const 24) "eth_address")
  (data (i32.const 40) "input")
  (data (i32.const 48) "sha256:input")
  (data (i32.const 64) "keccak256:input")
  (data (i32.const 128) "SuperVM crypto_user test message")
  (data (i32.const 192)  ;; Ed25519 public key
    "\0e\19\3e\2d\96\90\4c\73\a1\e6\91\38\71\e9\ac\b7\00\a6\4e\62\20\5f\e5\44\d5\99\7d\1f\5d\fc\ec\92")
  (data (i32.const 224)  ;; Ed25519 signature of M
    "\ea\ac\17\e6\5d\55\b4\3d\80\42\62\28\9d\b2\b1\2b\ba\0b\f0\c2\28\53\54\6b\a7\5a\5d\7a\1c\a3\5f\f2"
    "\76\b9\5b\e8\f3\67\9b\22\ca\84\6b\a3\1a\5c\38\12\ef\82\37\e1\2a\c0\86\b2\e7\c6\2e\71\17\c9\15\07")
  (data (i32.const 288)  ;; secp256k1 public key, compressed
    "\02\b5\63\11\5e\6a\b3\7f\38\21\32\d9\01\15\e2\e4\f4\57\37\fa\0f\7c\1f\20\f1\b0\b9\dc\17\9d\a7\a3"
    "\85")
  (data (i32.const 336)  ;; the same key, uncompressed
    "\04\b5\63\11\5e\6a\b3\7f\38\21\32\d9\01\15\e2\e4\f4\57\37\fa\0f\7c\1f\20\f1\b0\b9\dc\17\9d\a7\a3"
    "\85\75\47\c0\e5\7d\9c\42\f3\4d\7a\d4\24\0e\65\ae\e5\d0\26\df\f8\da\31\9a\cb\11\47\ab\16\f6\b6\83"
    "\92")
  (data (i32.const 416)  ;; r||s of sha256(M)
    "\24\77\d5\3a\f9\77\38\73\99\40\4b\4d\80\ce\6c\33\5c\94\66\95\23\fe\7e\9b\6d\d3\23\40\71\87\3e\8c"
    "\57\92\16\cb\07\a1\1b\e3\65\13\db\4e\b2\b6\ab\5f\b4\bd\37\fa\c4\e7\04\a9\78\cd\05\01\f8\c3\32\24")
  (data (i32.const 480)  ;; the same signature, DER
    "\30\44\02\20\24\77\d5\3a\f9\77\38\73\99\40\4b\4d\80\ce\6c\33\5c\94\66\95\23\fe\7e\9b\6d\d3\23\40"
    "\71\87\3e\8c\02\20\57\92\16\cb\07\a1\1b\e3\65\13\db\4e\b2\b6\ab\5f\b4\bd\37\fa\c4\e7\04\a9\78\cd"
    "\05\01\f8\c3\32\24")
  (data (i32.const 552) "\46")  ;; 70, the DER signature's length
  (data (i32.const 560)  ;; not a curve point
    "\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01"
    "\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01")

  ;; Store sha256 and keccak256 of [ptr, ptr+len) under the keys at sha_key / keccak_key.
  (func $hash_and_store (param $ptr i32) (param $len i32) (param $sha_key i32)
                        (param $sha_key_len i32) (param $keccak_key i32) (param $keccak_key_len i32)
    (drop (call $sha256 (local.get $ptr) (local.get $len) (i32.const 1100)))
    (drop (call $storage_set (local.get $sha_key) (local.get $sha_key_len)
                             (i32.const 1100) (i32.const 32)))
    (drop (call $keccak256 (local.get $ptr) (local.get $len) (i32.const 1100)))
    (drop (call $storage_set (local.get $keccak_key) (local.get $keccak_key_len)
                             (i32.const 1100) (i32.const 32))))

  ;; Copy M to 1024, flipping the low bit of its first byte if flip != 0.
  (func $message_copy (param $flip i32)
    (memory.copy (i32.const 1024) (i32.const 128) (i32.const 32))
    (if (local.get $flip)
      (then (i32.store8 (i32.const 1024)
                        (i32.xor (i32.load8_u (i32.const 1024)) (i32.const 1))))))

  (func (export "hash_message") (result i32)
    (call $hash_and_store (i32.const 128) (i32.const 32)
                          (i32.const 0) (i32.const 6) (i32.const 8) (i32.const 9))
    (i32.const 0))

  (func (export "hash_input") (result i32)
    (local $n i64)
    (local.set $n (call $storage_get (i32.const 40) (i32.const 5)))
    (if (i64.eq (local.get $n) (i64.const -1))
      (then (return (i32.const -1))))
    (if (i64.gt_u (local.get $n) (i64.const 1024))
      (then (return (i32.const -2))))
    (drop (call $storage_read_value (i32.const 2048) (i32.const 1024)))
    (call $hash_and_store (i32.const 2048) (i32.wrap_i64 (local.get $n))
                          (i32.const 48) (i32.const 12) (i32.const 64) (i32.const 15))
    (i32.wrap_i64 (local.get $n)))

  (func (export "check_ed25519") (param $flip i32) (result i32)
    (call $message_copy (local.get $flip))
    (call $verify_ed25519 (i32.const 1024) (i32.const 32) (i32.const 224) (i32.const 192)))

  (func (export "check_secp256k1") (param $flip i32) (param $form i32) (result i32)
    (call $message_copy (local.get $flip))
    (drop (call $sha256 (i32.const 1024) (i32.const 32) (i32.const 1100)))
    (if (i32.eq (local.get $form) (i32.const 0))
      (then (return (call $verify_secp256k1 (i32.const 1100) (i32.const 416)
                                            (i32.const 288) (i32.const 33)))))
    (if (i32.eq (local.get $form) (i32.const 1))
      (then (return (call $verify_secp256k1 (i32.const 1100) (i32.const 416)
                                            (i32.const 336) (i32.const 65)))))
    (if (i32.eq (local.get $form) (i32.const 2))
      (then (return (call $verify_secp256k1_der (i32.const 1100) (i32.const 480)
                                                (i32.load8_u (i32.const 552))
                                                (i32.const 288) (i32.const 33)))))
    (if (i32.eq (local.get $form) (i32.const 3))
      (then (return (call $verify_secp256k1_der (i32.const 1100) (i32.const 480)
                                                (i32.load8_u (i32.const 552))
                                                (i32.const 336) (i32.const 65)))))
    (i32.const -2))

  (func (export "derive_address") (param $form i32) (result i32)
    (local $r i32)
    (local.set $r (i32.const -2))
    (if (i32.eq (local.get $form) (i32.const 0))
      (then (local.set $r (call $derive_eth_address (i32.const 336) (i32.const 65)
                                                    (i32.const 1140)))))
    (if (i32.eq (local.get $form) (i32.const 1))
      (then (local.set $r (call $derive_eth_address (i32.const 337) (i32.const 64)
                                                    (i32.const 1140)))))
    (if (i32.eq (local.get $form) (i32.const 2))
      (then (local.set $r (call $derive_eth_address (i32.const 288) (i32.const 33)
                                                    (i32.const 1140)))))
    (if (i32.eq (local.get $form) (i32.const 3))
      (then (local.set $r (call $derive_eth_address (i32.const 560) (i32.const 64)
                                                    (i32.const 1140)))))
    (if (i32.eq (local.get $r) (i32.const 20))
      (then (drop (call $storage_set (i32.const 24) (i32.const 11)
                                     (i32.const 1140) (i32.const 20)))))
    (local.get $r))

  (func (export "derive_raw") (param $ptr i32) (param $len i32) (result i32)
    (call $derive_eth_address (local.get $ptr) (local.get $len) (i32.const 1140)))
)
