"""Execution of instructions (WebAssembly spec section 4.4): one definition per instruction.

Each module covers one group of the spec's section 4.4 and provides ``DEFINITIONS``, mapping
each mnemonic to its `Definition` (handler, binding of the immediates, stack effect; see
`supervm_ref.wasm.exec.code`):

- `numeric` (4.4.1), over the operators of `supervm_ref.wasm.exec.numerics` (4.3);
- `reference` (4.4.2);
- `parametric` (4.4.4);
- `variable` (4.4.5);
- `table` (4.4.6);
- `memory` (4.4.7);
- `control` (4.4.8-4.4.10), which also says what remains at run time of the structured
  instructions ``block``, ``loop``, ``if``, ``else`` and ``end`` that pre-decoding resolves.

`DEFINITIONS` here is their union: pre-decoding (`supervm_ref.wasm.exec.compile`) looks every
instruction up in it, and the machine (`supervm_ref.wasm.exec.machine`) only calls handlers.
"""

from __future__ import annotations

from ..code import Definition
from . import control, memory, numeric, parametric, reference, table, variable

#: Every instruction of the profile except the structured ones (`control.STRUCTURED`).
DEFINITIONS: dict[str, Definition] = {
    **numeric.DEFINITIONS,
    **reference.DEFINITIONS,
    **parametric.DEFINITIONS,
    **variable.DEFINITIONS,
    **table.DEFINITIONS,
    **memory.DEFINITIONS,
    **control.DEFINITIONS,
}
