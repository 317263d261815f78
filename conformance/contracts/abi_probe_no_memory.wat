;; abi_probe_no_memory.wat — a contract whose memory is exported as "mem", not "memory": host
;; functions see no memory (RT-CALL-2), so only empty ranges at address 0 are in bounds
;; (conformance/fillers/engine.py).
;;   get_empty() -> i64     storage_get(0, 0): the empty key
;;   get_one() -> i64       storage_get(0, 1): MEMORY_OUT_OF_BOUNDS, though "mem" holds "k" at 0
(module
  (import "storage_api" "storage_get" (func $get (param i32 i32) (result i64)))
  (memory (export "mem") 1)
  (data (i32.const 0) "k")
  (func (export "get_empty") (result i64) (call $get (i32.const 0) (i32.const 0)))
  (func (export "get_one") (result i64) (call $get (i32.const 0) (i32.const 1)))
)
