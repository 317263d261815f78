"""Points of BN254 and the checks a point must pass before it reaches a pairing
(spec/privacy.md section 3: ZK-POINT-2, ZK-POINT-3, ZK-POINT-4).

G1 is the curve ``y^2 = x^3 + 3`` over Fp; G2 is the subgroup of order r of the sextic twist
``y^2 = x^3 + 3/(9 + i)`` over Fp2 = Fp[i]/(i^2 + 1). An element of Fp2 is a pair
``(c0, c1)`` meaning ``c0 + c1*i``, the order snarkjs writes it in. G1 has cofactor 1, so a
point on the curve is in G1; the twist has a large cofactor, so a point on it is in G2 only if
multiplying it by r gives the point at infinity -- the check py_ecc's ``pairing`` does not make.

The points are plain values here (affine coordinates, or the point at infinity); whether a
point is acceptable where it is used is decided by `check_g1` and `check_g2`, called by the
proof and the verifying key (section 4) in the order of ZK-ORDER-1.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ZkError
from .field import CURVE_ORDER, FIELD_MODULUS
from .pyecc import FQ, FQ2, Z1, Z2, b2, is_inf, multiply

#: An element of Fp2 as snarkjs writes it: ``(c0, c1)`` for ``c0 + c1*i``.
Fp2 = tuple[int, int]

#: py_ecc's projective representation of a point (x, y, z).
PyEccG1 = tuple[FQ, FQ, FQ]
PyEccG2 = tuple[FQ2, FQ2, FQ2]


def _require_fp(value: object, where: str) -> None:
    """ZK-FIELD-1: a coordinate given from Python is an ``int`` in ``[0, p)``."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < FIELD_MODULUS:
        raise ZkError("zk_coordinate_out_of_range",
                      f"{where}: expected an integer in [0, p), found {type(value).__name__}"
                      + (f" {value}" if isinstance(value, int) and value.bit_length() < 300
                         else ""))


def _require_fp2(value: object, where: str) -> None:
    if not isinstance(value, tuple) or len(value) != 2:
        raise ZkError("zk_coordinate_out_of_range",
                      f"{where}: expected a pair (c0, c1) of integers in [0, p), found "
                      f"{type(value).__name__}")
    _require_fp(value[0], f"{where}.c0")
    _require_fp(value[1], f"{where}.c1")


@dataclass(frozen=True, slots=True)
class G1Point:
    """A point of the curve over Fp in affine coordinates, or the point at infinity
    (``infinity=True``, coordinates 0). Coordinates are integers in [0, p); whether the point
    is on the curve is `check_g1`'s question."""

    x: int
    y: int
    infinity: bool = False

    def __post_init__(self) -> None:
        _require_fp(self.x, "G1 x")
        _require_fp(self.y, "G1 y")

    @classmethod
    def at_infinity(cls) -> G1Point:
        """The point at infinity (snarkjs writes it ``["0", "1", "0"]``)."""
        return cls(0, 0, infinity=True)

    def neg(self) -> G1Point:
        """``-P``: ``(x, p - y)``; the point at infinity is its own negative."""
        return self if self.infinity else G1Point(self.x, (-self.y) % FIELD_MODULUS)

    def to_py_ecc(self) -> PyEccG1:
        """py_ecc's projective form ``(x, y, 1)`` (``(1, 1, 0)`` at infinity)."""
        return Z1 if self.infinity else (FQ(self.x), FQ(self.y), FQ.one())


@dataclass(frozen=True, slots=True)
class G2Point:
    """A point of the twist over Fp2 in affine coordinates, or the point at infinity. Whether
    it is on the twist and in the subgroup of order r is `check_g2`'s question."""

    x: Fp2
    y: Fp2
    infinity: bool = False

    def __post_init__(self) -> None:
        _require_fp2(self.x, "G2 x")
        _require_fp2(self.y, "G2 y")

    @classmethod
    def at_infinity(cls) -> G2Point:
        """The point at infinity (snarkjs writes it ``[["0","0"],["1","0"],["0","0"]]``)."""
        return cls((0, 0), (0, 0), infinity=True)

    def neg(self) -> G2Point:
        """``-Q``: ``(x, -y)``."""
        if self.infinity:
            return self
        return G2Point(self.x, ((-self.y[0]) % FIELD_MODULUS, (-self.y[1]) % FIELD_MODULUS))

    def to_py_ecc(self) -> PyEccG2:
        """py_ecc's projective form ``(x, y, 1)`` over Fp2."""
        if self.infinity:
            return Z2
        return (FQ2(list(self.x)), FQ2(list(self.y)), FQ2.one())


def on_g1_curve(x: int, y: int) -> bool:
    """ZK-POINT-3: whether ``(x, y)`` satisfies ``y^2 = x^3 + 3`` in Fp."""
    return (y * y - x * x * x - 3) % FIELD_MODULUS == 0


def on_twist(x: Fp2, y: Fp2) -> bool:
    """ZK-POINT-3: whether ``(x, y)`` satisfies ``y^2 = x^3 + 3/(9 + i)`` in Fp2."""
    fx, fy = FQ2(list(x)), FQ2(list(y))
    return bool(fy * fy == fx * fx * fx + b2)


def in_g2_subgroup(point: G2Point) -> bool:
    """ZK-POINT-4: whether a point of the twist has order dividing r: ``r * Q`` is the point at
    infinity. (py_ecc's ``multiply`` recurses once per bit of r: 254 levels.)"""
    return bool(is_inf(multiply(point.to_py_ecc(), CURVE_ORDER)))


def check_g1(point: G1Point, where: str, *, allow_infinity: bool = False) -> None:
    """ZK-POINT-2, ZK-POINT-3: ``point`` may be used as a G1 argument: not the point at
    infinity (unless ``allow_infinity``, for the IC points of a verifying key) and on the
    curve; G1's cofactor is 1, so that makes it a member of G1. `ZkError`
    ``zk_point_at_infinity`` or ``zk_point_not_on_curve`` naming ``where``."""
    if point.infinity:
        if allow_infinity:
            return
        raise ZkError("zk_point_at_infinity",
                      f"{where}: expected a point of G1 other than the point at infinity, "
                      f"found the point at infinity")
    if not on_g1_curve(point.x, point.y):
        raise ZkError("zk_point_not_on_curve",
                      f"{where}: expected a point of y^2 = x^3 + 3, found ({point.x}, "
                      f"{point.y}), which is not on it")


def check_g2(point: G2Point, where: str) -> None:
    """ZK-POINT-2, ZK-POINT-3, ZK-POINT-4: ``point`` may be used as a G2 argument: not the
    point at infinity, on the twist, and in the subgroup of order r. `ZkError`
    ``zk_point_at_infinity``, ``zk_point_not_on_curve`` or ``zk_point_not_in_subgroup``."""
    if point.infinity:
        raise ZkError("zk_point_at_infinity",
                      f"{where}: expected a point of G2 other than the point at infinity, "
                      f"found the point at infinity")
    if not on_twist(point.x, point.y):
        raise ZkError("zk_point_not_on_curve",
                      f"{where}: expected a point of the twist y^2 = x^3 + 3/(9+i), found "
                      f"x = {point.x}, y = {point.y}, which is not on it")
    if not in_g2_subgroup(point):
        raise ZkError("zk_point_not_in_subgroup",
                      f"{where}: expected a point of G2 (the subgroup of order r of the twist), "
                      f"found a point of the twist whose r-multiple is not the point at "
                      f"infinity")


# --- Points of the twist outside G2 (for the vectors of ZK-POINT-4) ---------------------------

def _fp_sqrt(a: int) -> int | None:
    """A square root in Fp (p = 3 mod 4), or None when ``a`` is not a square."""
    root = pow(a, (FIELD_MODULUS + 1) // 4, FIELD_MODULUS)
    return root if root * root % FIELD_MODULUS == a % FIELD_MODULUS else None


def fp2_sqrt(a: Fp2) -> Fp2 | None:
    """A square root of ``a0 + a1*i`` in Fp2 (i^2 = -1), or None when there is none: with
    ``n = sqrt(a0^2 + a1^2)`` in Fp, ``x0 = sqrt((a0 + n)/2)`` (or ``(a0 - n)/2``) and
    ``x1 = a1 / (2 x0)``."""
    p = FIELD_MODULUS
    a0, a1 = a[0] % p, a[1] % p
    if a1 == 0:
        root = _fp_sqrt(a0)
        if root is not None:
            return (root, 0)
        root = _fp_sqrt(-a0 % p)  # a0 = -(root^2) = (root*i)^2
        return None if root is None else (0, root)
    norm = _fp_sqrt((a0 * a0 + a1 * a1) % p)
    if norm is None:
        return None
    half = pow(2, -1, p)
    for candidate in ((a0 + norm) * half % p, (a0 - norm) * half % p):
        x0 = _fp_sqrt(candidate)
        if x0 is not None and x0 != 0:
            x1 = a1 * pow(2 * x0, -1, p) % p
            return (x0, x1)
    return None  # pragma: no cover - unreachable for a square of norm a square


def twist_point_with_x(x: Fp2) -> G2Point | None:
    """The point ``(x, y)`` of the twist for the given ``x`` (one of the two ``y``), or None
    when ``x^3 + b'`` is not a square. Almost every such point is *not* in G2 (the twist's
    cofactor is about p): the vectors of ZK-POINT-4 are built with it."""
    fx = FQ2(list(x))
    rhs = fx * fx * fx + b2
    root = fp2_sqrt((int(rhs.coeffs[0]), int(rhs.coeffs[1])))
    return None if root is None else G2Point(x, root)
