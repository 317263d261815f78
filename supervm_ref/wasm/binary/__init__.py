"""The binary format (WebAssembly spec chapter 5); the entry point is
`supervm_ref.wasm.binary.module.decode_module`."""
