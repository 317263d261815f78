"""The two fields of BN254 and the decimal strings that carry their elements in snarkjs JSON
(spec/privacy.md section 2: ZK-JSON-2, ZK-LIMIT-1, ZK-FIELD-1, ZK-FIELD-2).

snarkjs writes every number as a string of decimal digits. Reading one is a three-step
check -- syntax, length, range -- so a hostile string is rejected before Python converts it to
an integer (which would be quadratic in its length) and no value is ever reduced modulo the
field: an input ``x + r`` is rejected, not read as ``x``.
"""

from __future__ import annotations

import re

from ..errors import shown
from .errors import ZkError

#: ZK-FIELD-1: p, the modulus of the base field Fp of BN254 (coordinates of points).
FIELD_MODULUS = 21888242871839275222246405745257275088696311157297823662689037894645226208583
#: ZK-FIELD-2: r, the order of the groups G1 and G2 and the modulus of the scalar field Fr
#: (public inputs).
CURVE_ORDER = 21888242871839275222246405745257275088548364400416034343698204186575808495617

#: ZK-LIMIT-1: the longest decimal string read. p and r have 77 digits, so a canonical
#: string of 78 digits is already out of range (and reported so); a longer one is refused
#: unread.
MAX_DECIMAL_DIGITS = 78

#: ZK-JSON-2: a canonical decimal: ``0``, or a non-zero digit followed by digits. No sign, no
#: leading zero, no white space, no ``0x``, no fraction or exponent. ASCII digits only
#: (``re.ASCII``: Python's ``\d`` would accept other scripts' digits).
_DECIMAL = re.compile(r"0|[1-9][0-9]*", re.ASCII)


def parse_decimal(value: object, where: str) -> int:
    """ZK-JSON-2, ZK-LIMIT-1: the integer a snarkjs decimal string denotes. ``where`` names
    the value in messages (``"proof pi_a[0]"``). `ZkError` ``zk_malformed_decimal`` when
    ``value`` is not a string or not a canonical decimal, ``zk_input_too_large`` when it is
    longer than `MAX_DECIMAL_DIGITS`; the range is the caller's to check."""
    if not isinstance(value, str):
        raise ZkError("zk_malformed_decimal",
                      f"{where}: expected a string of decimal digits, found "
                      f"{type(value).__name__}")
    # LIMITS: before the syntax check, so no regular expression runs over a long string
    if len(value) > MAX_DECIMAL_DIGITS:
        raise ZkError("zk_input_too_large",
                      f"{where}: expected at most {MAX_DECIMAL_DIGITS} decimal digits, found a "
                      f"string of {len(value)} characters")
    if _DECIMAL.fullmatch(value) is None:
        raise ZkError("zk_malformed_decimal",
                      f"{where}: expected a canonical decimal (digits 0-9, no sign, no leading "
                      f"zero, no space), found {shown(value, 90)}")
    return int(value)


def parse_coordinate(value: object, where: str) -> int:
    """ZK-FIELD-1: a coordinate of a point, an element of Fp: a decimal string (ZK-JSON-2)
    whose value is below `FIELD_MODULUS`; `ZkError` ``zk_coordinate_out_of_range``
    otherwise."""
    number = parse_decimal(value, where)
    if number >= FIELD_MODULUS:
        raise ZkError("zk_coordinate_out_of_range",
                      f"{where}: expected a coordinate below the field modulus p, found "
                      f"{number} (p + {number - FIELD_MODULUS})")
    return number


def check_scalar(value: object, where: str) -> int:
    """ZK-FIELD-2: a public input, an element of Fr: an ``int`` (not a ``bool``) in
    ``[0, r)``. `ZkError` ``zk_public_input_out_of_range`` for an integer outside it (never
    reduced modulo r), ``zk_malformed_public_inputs`` for anything that is not an integer."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ZkError("zk_malformed_public_inputs",
                      f"{where}: expected an integer, found {type(value).__name__}")
    if not 0 <= value < CURVE_ORDER:
        found = (f"an integer of {value.bit_length()} bits" if value.bit_length() > 300
                 else f"{value} (r + {value - CURVE_ORDER})" if value >= CURVE_ORDER
                 else str(value))
        raise ZkError("zk_public_input_out_of_range",
                      f"{where}: expected an integer in [0, r), r = {CURVE_ORDER}, found "
                      f"{found}; inputs are never reduced modulo r")
    return value
