"""Integer operations (WebAssembly spec section 4.3.2).

Each spec operator ``iop_N`` is a Python function ``iop_32`` / ``iop_64`` over payloads: unsigned
ints in ``[0, 2**N)``. Results are payloads of the same width, except that comparisons and
``ieqz`` return the i32 payload 1 or 0 (spec 4.3.1 ``bool``; always an ``int``, never a Python
``bool``).

The interpreter calls these once per instruction, so each is written out for both widths with
its constants inline rather than built from shared helpers. Signed readings use the identity
``signed_N(i) = i - 2**N * [i >= 2**(N-1)]``; signed comparisons flip the sign bit, which maps
two's complement order onto unsigned order.

Only ``idiv_s``, ``idiv_u``, ``irem_s`` and ``irem_u`` can trap: a zero divisor is a
`TrapKind.INTEGER_DIVIDE_BY_ZERO` trap, and ``idiv_s`` of ``-2**(N-1)`` by ``-1`` (whose result
``2**(N-1)`` is not representable) a `TrapKind.INTEGER_OVERFLOW` trap. ``irem_s`` of the same
operands is 0 and does not trap.
"""

from __future__ import annotations

from ...errors import Trap, TrapKind

# ---------------------------------------------------------------------------------------------
# Arithmetic: iadd, isub, imul (spec 4.3.2)


def iadd_32(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``iadd_32``: ``(i1 + i2) mod 2**32``."""
    return (i1 + i2) & 0xFFFFFFFF


def iadd_64(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``iadd_64``: ``(i1 + i2) mod 2**64``."""
    return (i1 + i2) & 0xFFFFFFFFFFFFFFFF


def isub_32(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``isub_32``: ``(i1 - i2 + 2**32) mod 2**32``."""
    return (i1 - i2) & 0xFFFFFFFF


def isub_64(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``isub_64``: ``(i1 - i2 + 2**64) mod 2**64``."""
    return (i1 - i2) & 0xFFFFFFFFFFFFFFFF


def imul_32(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``imul_32``: ``(i1 * i2) mod 2**32``."""
    return (i1 * i2) & 0xFFFFFFFF


def imul_64(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``imul_64``: ``(i1 * i2) mod 2**64``."""
    return (i1 * i2) & 0xFFFFFFFFFFFFFFFF


# ---------------------------------------------------------------------------------------------
# Division and remainder: idiv_u, idiv_s, irem_u, irem_s (spec 4.3.2)


def _divide_by_zero() -> Trap:
    return Trap(TrapKind.INTEGER_DIVIDE_BY_ZERO)


def idiv_u_32(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``idiv_u_32``: ``trunc(i1 / i2)``; traps if ``i2`` is 0."""
    if i2 == 0:
        raise _divide_by_zero()
    return i1 // i2


def idiv_u_64(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``idiv_u_64``: ``trunc(i1 / i2)``; traps if ``i2`` is 0."""
    if i2 == 0:
        raise _divide_by_zero()
    return i1 // i2


def _div_s(j1: int, j2: int) -> int:
    """Signed quotient rounded toward zero (spec 4.3.2 ``trunc``) of two nonzero-divisor ints."""
    q = abs(j1) // abs(j2)
    return -q if (j1 < 0) != (j2 < 0) else q


def _rem_s(j1: int, j2: int) -> int:
    """Signed remainder with the sign of the dividend (spec 4.3.2 ``irem_s``)."""
    r = abs(j1) % abs(j2)
    return -r if j1 < 0 else r


def idiv_s_32(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``idiv_s_32``: ``trunc(signed(i1) / signed(i2))``; traps if ``i2`` is 0 or the
    quotient is ``2**31`` (``-2**31 / -1``)."""
    if i2 == 0:
        raise _divide_by_zero()
    if i1 == 0x80000000 and i2 == 0xFFFFFFFF:
        raise Trap(TrapKind.INTEGER_OVERFLOW, "i32.div_s of -2**31 by -1")
    j1 = i1 - ((i1 & 0x80000000) << 1)
    j2 = i2 - ((i2 & 0x80000000) << 1)
    return _div_s(j1, j2) & 0xFFFFFFFF


def idiv_s_64(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``idiv_s_64``: ``trunc(signed(i1) / signed(i2))``; traps if ``i2`` is 0 or the
    quotient is ``2**63`` (``-2**63 / -1``)."""
    if i2 == 0:
        raise _divide_by_zero()
    if i1 == 0x8000000000000000 and i2 == 0xFFFFFFFFFFFFFFFF:
        raise Trap(TrapKind.INTEGER_OVERFLOW, "i64.div_s of -2**63 by -1")
    j1 = i1 - ((i1 & 0x8000000000000000) << 1)
    j2 = i2 - ((i2 & 0x8000000000000000) << 1)
    return _div_s(j1, j2) & 0xFFFFFFFFFFFFFFFF


def irem_u_32(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``irem_u_32``: ``i1 - i2 * trunc(i1 / i2)``; traps if ``i2`` is 0."""
    if i2 == 0:
        raise _divide_by_zero()
    return i1 % i2


def irem_u_64(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``irem_u_64``: ``i1 - i2 * trunc(i1 / i2)``; traps if ``i2`` is 0."""
    if i2 == 0:
        raise _divide_by_zero()
    return i1 % i2


def irem_s_32(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``irem_s_32``: ``j1 - j2 * trunc(j1 / j2)`` of the signed readings (the sign
    of the dividend); traps only if ``i2`` is 0, so ``-2**31 rem -1`` is 0."""
    if i2 == 0:
        raise _divide_by_zero()
    j1 = i1 - ((i1 & 0x80000000) << 1)
    j2 = i2 - ((i2 & 0x80000000) << 1)
    return _rem_s(j1, j2) & 0xFFFFFFFF


def irem_s_64(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``irem_s_64``: ``j1 - j2 * trunc(j1 / j2)`` of the signed readings (the sign
    of the dividend); traps only if ``i2`` is 0, so ``-2**63 rem -1`` is 0."""
    if i2 == 0:
        raise _divide_by_zero()
    j1 = i1 - ((i1 & 0x8000000000000000) << 1)
    j2 = i2 - ((i2 & 0x8000000000000000) << 1)
    return _rem_s(j1, j2) & 0xFFFFFFFFFFFFFFFF


# ---------------------------------------------------------------------------------------------
# Bitwise: iand, ior, ixor (spec 4.3.2)


def iand(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``iand_N`` (any N): bitwise conjunction."""
    return i1 & i2


def ior(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``ior_N`` (any N): bitwise disjunction."""
    return i1 | i2


def ixor(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``ixor_N`` (any N): bitwise exclusive disjunction."""
    return i1 ^ i2


# ---------------------------------------------------------------------------------------------
# Shifts and rotations: ishl, ishr_u, ishr_s, irotl, irotr (spec 4.3.2); counts are mod N


def ishl_32(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``ishl_32``: ``i1`` shifted left by ``i2 mod 32`` bits, modulo ``2**32``."""
    return (i1 << (i2 & 31)) & 0xFFFFFFFF


def ishl_64(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``ishl_64``: ``i1`` shifted left by ``i2 mod 64`` bits, modulo ``2**64``."""
    return (i1 << (i2 & 63)) & 0xFFFFFFFFFFFFFFFF


def ishr_u_32(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``ishr_u_32``: ``i1`` shifted right by ``i2 mod 32`` bits, filling with 0."""
    return i1 >> (i2 & 31)


def ishr_u_64(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``ishr_u_64``: ``i1`` shifted right by ``i2 mod 64`` bits, filling with 0."""
    return i1 >> (i2 & 63)


def ishr_s_32(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``ishr_s_32``: ``i1`` shifted right by ``i2 mod 32`` bits, filling with the
    sign bit."""
    return ((i1 - ((i1 & 0x80000000) << 1)) >> (i2 & 31)) & 0xFFFFFFFF


def ishr_s_64(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``ishr_s_64``: ``i1`` shifted right by ``i2 mod 64`` bits, filling with the
    sign bit."""
    return ((i1 - ((i1 & 0x8000000000000000) << 1)) >> (i2 & 63)) & 0xFFFFFFFFFFFFFFFF


def irotl_32(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``irotl_32``: ``i1`` rotated left by ``i2 mod 32`` bits."""
    k = i2 & 31
    return ((i1 << k) | (i1 >> (32 - k))) & 0xFFFFFFFF


def irotl_64(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``irotl_64``: ``i1`` rotated left by ``i2 mod 64`` bits."""
    k = i2 & 63
    return ((i1 << k) | (i1 >> (64 - k))) & 0xFFFFFFFFFFFFFFFF


def irotr_32(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``irotr_32``: ``i1`` rotated right by ``i2 mod 32`` bits."""
    k = i2 & 31
    return ((i1 >> k) | (i1 << (32 - k))) & 0xFFFFFFFF


def irotr_64(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``irotr_64``: ``i1`` rotated right by ``i2 mod 64`` bits."""
    k = i2 & 63
    return ((i1 >> k) | (i1 << (64 - k))) & 0xFFFFFFFFFFFFFFFF


# ---------------------------------------------------------------------------------------------
# Bit counting: iclz, ictz, ipopcnt (spec 4.3.2)


def iclz_32(i: int) -> int:
    """Spec 4.3.2 ``iclz_32``: the number of leading zero bits (32 for 0)."""
    return 32 - i.bit_length()


def iclz_64(i: int) -> int:
    """Spec 4.3.2 ``iclz_64``: the number of leading zero bits (64 for 0)."""
    return 64 - i.bit_length()


def ictz_32(i: int) -> int:
    """Spec 4.3.2 ``ictz_32``: the number of trailing zero bits (32 for 0)."""
    return (i & -i).bit_length() - 1 if i else 32


def ictz_64(i: int) -> int:
    """Spec 4.3.2 ``ictz_64``: the number of trailing zero bits (64 for 0)."""
    return (i & -i).bit_length() - 1 if i else 64


def ipopcnt(i: int) -> int:
    """Spec 4.3.2 ``ipopcnt_N`` (any N): the number of one bits."""
    return i.bit_count()


# ---------------------------------------------------------------------------------------------
# Tests and comparisons: ieqz, ieq, ine, ilt, igt, ile, ige (spec 4.3.2); results are 1 or 0


def ieqz(i: int) -> int:
    """Spec 4.3.2 ``ieqz_N`` (any N): 1 if ``i`` is zero, else 0."""
    return 0 if i else 1


def ieq(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``ieq_N`` (any N): 1 if ``i1 = i2``, else 0."""
    return 1 if i1 == i2 else 0


def ine(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``ine_N`` (any N): 1 if ``i1 != i2``, else 0."""
    return 1 if i1 != i2 else 0


def ilt_u(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``ilt_u_N`` (any N): 1 if ``i1 < i2`` unsigned, else 0."""
    return 1 if i1 < i2 else 0


def igt_u(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``igt_u_N`` (any N): 1 if ``i1 > i2`` unsigned, else 0."""
    return 1 if i1 > i2 else 0


def ile_u(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``ile_u_N`` (any N): 1 if ``i1 <= i2`` unsigned, else 0."""
    return 1 if i1 <= i2 else 0


def ige_u(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``ige_u_N`` (any N): 1 if ``i1 >= i2`` unsigned, else 0."""
    return 1 if i1 >= i2 else 0


def ilt_s_32(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``ilt_s_32``: 1 if ``signed(i1) < signed(i2)``, else 0."""
    return 1 if (i1 ^ 0x80000000) < (i2 ^ 0x80000000) else 0


def ilt_s_64(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``ilt_s_64``: 1 if ``signed(i1) < signed(i2)``, else 0."""
    return 1 if (i1 ^ 0x8000000000000000) < (i2 ^ 0x8000000000000000) else 0


def igt_s_32(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``igt_s_32``: 1 if ``signed(i1) > signed(i2)``, else 0."""
    return 1 if (i1 ^ 0x80000000) > (i2 ^ 0x80000000) else 0


def igt_s_64(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``igt_s_64``: 1 if ``signed(i1) > signed(i2)``, else 0."""
    return 1 if (i1 ^ 0x8000000000000000) > (i2 ^ 0x8000000000000000) else 0


def ile_s_32(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``ile_s_32``: 1 if ``signed(i1) <= signed(i2)``, else 0."""
    return 1 if (i1 ^ 0x80000000) <= (i2 ^ 0x80000000) else 0


def ile_s_64(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``ile_s_64``: 1 if ``signed(i1) <= signed(i2)``, else 0."""
    return 1 if (i1 ^ 0x8000000000000000) <= (i2 ^ 0x8000000000000000) else 0


def ige_s_32(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``ige_s_32``: 1 if ``signed(i1) >= signed(i2)``, else 0."""
    return 1 if (i1 ^ 0x80000000) >= (i2 ^ 0x80000000) else 0


def ige_s_64(i1: int, i2: int) -> int:
    """Spec 4.3.2 ``ige_s_64``: 1 if ``signed(i1) >= signed(i2)``, else 0."""
    return 1 if (i1 ^ 0x8000000000000000) >= (i2 ^ 0x8000000000000000) else 0


# ---------------------------------------------------------------------------------------------
# Sign extension: iextendM_s (spec 4.3.2 ``iextendM_s_N``)


def iextend8_s_32(i: int) -> int:
    """Spec 4.3.2 ``iextend8_s_32``: the low 8 bits of ``i`` sign-extended to 32 bits."""
    return ((i & 0xFF) - ((i & 0x80) << 1)) & 0xFFFFFFFF


def iextend16_s_32(i: int) -> int:
    """Spec 4.3.2 ``iextend16_s_32``: the low 16 bits of ``i`` sign-extended to 32 bits."""
    return ((i & 0xFFFF) - ((i & 0x8000) << 1)) & 0xFFFFFFFF


def iextend8_s_64(i: int) -> int:
    """Spec 4.3.2 ``iextend8_s_64``: the low 8 bits of ``i`` sign-extended to 64 bits."""
    return ((i & 0xFF) - ((i & 0x80) << 1)) & 0xFFFFFFFFFFFFFFFF


def iextend16_s_64(i: int) -> int:
    """Spec 4.3.2 ``iextend16_s_64``: the low 16 bits of ``i`` sign-extended to 64 bits."""
    return ((i & 0xFFFF) - ((i & 0x8000) << 1)) & 0xFFFFFFFFFFFFFFFF


def iextend32_s_64(i: int) -> int:
    """Spec 4.3.2 ``iextend32_s_64``: the low 32 bits of ``i`` sign-extended to 64 bits."""
    return ((i & 0xFFFFFFFF) - ((i & 0x80000000) << 1)) & 0xFFFFFFFFFFFFFFFF
