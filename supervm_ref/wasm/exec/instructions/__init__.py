"""Execution of instructions (WebAssembly spec section 4.4), one file per instruction family.

Numeric instructions are sequenced by the machine over `supervm_ref.wasm.exec.numerics`; the
families here need more than their operands (a memory, a table, segments, the store).
Every handler has the shape ``handler(stack, *operands)``: it pops its operands from ``stack``,
pushes its results, and raises `Trap` where the spec says the instruction traps.
"""
