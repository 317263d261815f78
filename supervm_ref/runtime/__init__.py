"""The SuperVM runtime (spec/runtime.md): contracts run against a key-value state.

`Runtime(storage)` executes WebAssembly contracts with the host ABI (spec/host-abi.md):
``storage_api``, ``chain_api`` and ``crypto_api``. Every call is atomic.
"""
