"""py_ecc's BN254, imported without its side effect on the interpreter (spec/privacy.md
ZK-API-1).

Importing ``py_ecc`` raises Python's recursion limit to 100,000 for the whole process. That
would take away the bound the rest of the package relies on -- a JSON document nested
thousands of levels deep is refused because the decoder hits the limit (spec/conformance.md,
``MAX_JSON_DEPTH``), not because the C stack overflows -- so the limit is put back at once.
The verifier needs no more: py_ecc's deepest recursion here is ``multiply`` by a scalar below
r, 254 levels, and its FQ12 powers are iterative. Every module of the package imports py_ecc
through this one.
"""

from __future__ import annotations

import sys

_LIMIT = sys.getrecursionlimit()
try:
    from py_ecc.fields import optimized_bn128_FQ as FQ
    from py_ecc.fields import optimized_bn128_FQ2 as FQ2
    from py_ecc.fields import optimized_bn128_FQ12 as FQ12
    from py_ecc.optimized_bn128 import (
        G1,
        G2,
        Z1,
        Z2,
        add,
        b2,
        final_exponentiate,
        is_inf,
        multiply,
        normalize,
        pairing,
    )
finally:
    sys.setrecursionlimit(_LIMIT)

__all__ = ["FQ", "FQ2", "FQ12", "G1", "G2", "Z1", "Z2", "add", "b2", "final_exponentiate",
           "is_inf", "multiply", "normalize", "pairing"]
