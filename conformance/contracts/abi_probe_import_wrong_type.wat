;; abi_probe_import_wrong_type.wat — imports storage_get with an i32 result instead of i64
;; (UNLINKABLE, RT-CALL-1 step 2; conformance/fillers/engine.py).
(module
  (import "storage_api" "storage_get" (func $get (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "run") (result i32) (i32.const 1))
)
