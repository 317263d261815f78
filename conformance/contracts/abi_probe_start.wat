;; abi_probe_start.wat — a contract with a start function (START_FUNCTION_NOT_ALLOWED, RT-CALL-1)
;; and otherwise valid imports and exports (conformance/fillers/engine.py).
(module
  (import "chain_api" "block_number" (func $block_number (result i64)))
  (memory (export "memory") 1)
  (func $init)
  (start $init)
  (func (export "run") (result i32) (i32.const 1))
)
