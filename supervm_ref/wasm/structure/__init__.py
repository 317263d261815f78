"""Structure (WebAssembly spec chapter 2): types, instructions and modules."""
