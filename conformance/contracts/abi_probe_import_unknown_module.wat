;; abi_probe_import_unknown_module.wat — imports from a module that is not part of the host ABI
;; (UNLINKABLE, RT-CALL-1 step 2; conformance/fillers/engine.py).
(module
  (import "env" "abort" (func $abort (param i32)))
  (memory (export "memory") 1)
  (func (export "run") (result i32) (i32.const 1))
)
