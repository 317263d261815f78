;; abi_probe_import_memory.wat — imports a host ABI name as a memory instead of a function
;; (UNLINKABLE, RT-CALL-1 step 2; conformance/fillers/engine.py).
(module
  (import "chain_api" "block_number" (memory 1))
  (func (export "run") (result i32) (i32.const 1))
)
