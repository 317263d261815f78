"""The binary format (WebAssembly spec chapter 5); the entry points are
`supervm_ref.wasm.binary.module.decode_module` (bytes to a `Module`) and
`supervm_ref.wasm.binary.encode.encode_module` (a `Module` to bytes, spec/wasm.md WASM-ENC-*)."""
