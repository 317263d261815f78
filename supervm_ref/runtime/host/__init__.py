"""The host ABI (spec/host-abi.md): the functions a contract may import.

Each function is written once, against `HostEnv` (memory access and gas) and `CallState`
(storage, events, block context), so the reference engine and the wasmtime backend run the
very same code; only the adapter that builds the `HostEnv` differs.
"""
