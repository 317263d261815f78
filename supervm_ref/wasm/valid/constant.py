"""Constant expressions (WebAssembly spec section 3.3.10, "Constant Expressions").

An expression is *constant* if every instruction in it (apart from the final ``end``) is

- ``t.const c``,
- ``ref.null t``,
- ``ref.func x``, or
- ``global.get x`` where C.globals[x] is an *immutable* global.

Constant expressions are validated under the context C' of spec 3.4.10, in which C'.globals
holds only the *imported* globals; global initialisers, element and data segment offsets and
element initialisers all use it (the official test suite rejects a ``global.get`` of a
module-defined global in any of them with "unknown global").

As in the reference interpreter, constness is checked first (so an unknown global is reported
as such, a mutable one as "constant expression required"), then the expression is typed by the
ordinary algorithm of appendix A.3 with result type [t].
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import ValidationError
from ..structure.instructions import Instruction
from ..structure.types import ValType
from .context import Context, show_index
from .instructions import CONST_TYPES, validate_expr

#: The instructions allowed in a constant expression besides ``global.get`` (spec 3.3.10).
CONSTANT_OPS = frozenset(CONST_TYPES) | {"ref.null", "ref.func"}


def check_constant(ctx: Context, expr: Sequence[Instruction]) -> None:
    """Spec 3.3.10: every instruction of ``expr`` must be constant. ``end`` markers are left
    to the typing pass, which checks that exactly one closes the expression."""
    for instr in expr:
        if instr.op == "end" or instr.op in CONSTANT_OPS:
            continue
        if instr.op == "global.get":
            g = ctx.global_(instr.imm[0])
            if g.mutable:
                raise ValidationError(
                    "constant expression required: global.get of mutable global "
                    f"{show_index(instr.imm[0])}")
            continue
        raise ValidationError(f"constant expression required: {instr.op} is not constant")


def validate_constant_expr(ctx: Context, expr: Sequence[Instruction], t: ValType) -> None:
    """Spec 3.3.10: ``expr`` is a constant expression valid with result type [t] under
    context C (which must be the C' of spec 3.4.10). Raises ValidationError otherwise."""
    check_constant(ctx, expr)
    validate_expr(ctx, expr, (t,))
