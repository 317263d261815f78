;; abi_probe_big_memory.wat — declares a memory of 1025 pages, above the engine limit of 1024
;; (WASM-LIMIT-3): instantiation fails, UNLINKABLE (conformance/fillers/engine.py).
(module
  (memory (export "memory") 1025)
  (func (export "run") (result i32) (i32.const 1))
)
