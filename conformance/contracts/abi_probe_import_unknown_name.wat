;; abi_probe_import_unknown_name.wat — imports a function storage_api does not have
;; (UNLINKABLE, RT-CALL-1 step 2; conformance/fillers/engine.py).
(module
  (import "storage_api" "storage_clear" (func $clear (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "run") (result i32) (i32.const 1))
)
