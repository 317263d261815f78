;; abi_probe_invalid.wat — well-formed but invalid: the body leaves an i64 where the type says
;; i32 (INVALID_MODULE, RT-CALL-1 step 1; conformance/fillers/engine.py). wat2wasm does not
;; validate, so the binary exists.
(module
  (memory (export "memory") 1)
  (func (export "run") (result i32) (i64.const 1))
)
