"""Points and their group checks (spec/privacy.md ZK-POINT-2..4, ZK-FIELD-1)."""

from __future__ import annotations

from typing import Any

import pytest

from supervm_ref.privacy import CURVE_ORDER, FIELD_MODULUS, G1Point, G2Point, ZkError
from supervm_ref.privacy.curve import (
    check_g1,
    check_g2,
    fp2_sqrt,
    in_g2_subgroup,
    on_g1_curve,
    on_twist,
    twist_point_with_x,
)
from supervm_ref.privacy.pyecc import G1, G2, multiply, normalize


def g1(k: int) -> G1Point:
    x, y = normalize(multiply(G1, k))
    return G1Point(int(x), int(y))


def g2(k: int) -> G2Point:
    x, y = normalize(multiply(G2, k))
    return G2Point((int(x.coeffs[0]), int(x.coeffs[1])), (int(y.coeffs[0]), int(y.coeffs[1])))


def outside_g2() -> G2Point:
    for k in range(1, 100):
        point = twist_point_with_x((k, 1))
        if point is not None and not in_g2_subgroup(point):
            return point
    raise AssertionError("no point outside G2")


def test_generators_and_multiples_pass() -> None:
    """ZK-POINT-3/4: multiples of the generators are on their curves and in their groups."""
    for k in (1, 2, 12345, CURVE_ORDER - 1):
        check_g1(g1(k), "P")
    for k in (1, 7):
        check_g2(g2(k), "Q")
    assert on_g1_curve(1, 2) and not on_g1_curve(1, 3)


def test_off_curve_points() -> None:
    """ZK-POINT-3: off y^2 = x^3 + 3 / off the twist: ``zk_point_not_on_curve``."""
    with pytest.raises(ZkError) as e:
        check_g1(G1Point(1, 3), "proof pi_a")
    assert e.value.kind == "zk_point_not_on_curve" and "proof pi_a" in str(e.value)
    q = g2(3)
    bad = G2Point(q.x, (q.y[0], (q.y[1] + 1) % FIELD_MODULUS))
    assert not on_twist(bad.x, bad.y)
    with pytest.raises(ZkError) as e:
        check_g2(bad, "Q")
    assert e.value.kind == "zk_point_not_on_curve"


def test_twist_points_outside_g2_are_rejected() -> None:
    """ZK-POINT-4: a point on the twist whose r-multiple is not infinity is
    ``zk_point_not_in_subgroup`` (py_ecc's pairing itself accepts it)."""
    from supervm_ref.privacy.pyecc import pairing

    point = outside_g2()
    assert on_twist(point.x, point.y)
    pairing(point.to_py_ecc(), G1, final_exponentiate=False)  # py_ecc raises nothing
    with pytest.raises(ZkError) as e:
        check_g2(point, "Q")
    assert e.value.kind == "zk_point_not_in_subgroup"


def test_every_g2_point_of_a_key_is_checked_in_g2(cubic: Any) -> None:
    """ZK-POINT-4, ZK-VK-1: beta, gamma and delta of a key, each in turn outside G2, whether
    the key is a document or built from Python: ``zk_point_not_in_subgroup`` naming it."""
    from dataclasses import replace

    from supervm_ref.privacy import parse_verifying_key

    point = outside_g2()
    text = [[str(point.x[0]), str(point.x[1])], [str(point.y[0]), str(point.y[1])], ["1", "0"]]
    vk = parse_verifying_key(cubic[0])
    for member, field in (("vk_beta_2", "beta_2"), ("vk_gamma_2", "gamma_2"),
                          ("vk_delta_2", "delta_2")):
        with pytest.raises(ZkError) as e:
            parse_verifying_key({**cubic[0], member: text})
        assert e.value.kind == "zk_point_not_in_subgroup" and member in str(e.value)
        with pytest.raises(ZkError) as e:
            replace(vk, **{field: point})
        assert e.value.kind == "zk_point_not_in_subgroup" and member in str(e.value)


def test_points_at_infinity() -> None:
    """ZK-POINT-2: rejected as G1 and G2 arguments, allowed where ``allow_infinity``."""
    with pytest.raises(ZkError) as e:
        check_g1(G1Point.at_infinity(), "A")
    assert e.value.kind == "zk_point_at_infinity"
    check_g1(G1Point.at_infinity(), "IC[0]", allow_infinity=True)
    with pytest.raises(ZkError) as e:
        check_g2(G2Point.at_infinity(), "B")
    assert e.value.kind == "zk_point_at_infinity"
    assert G1Point.at_infinity().neg() == G1Point.at_infinity()
    assert G2Point.at_infinity().neg() == G2Point.at_infinity()


def test_negation() -> None:
    """-P is on the curve and P + (-P) is infinity (py_ecc)."""
    from supervm_ref.privacy.pyecc import add, is_inf

    p, q = g1(5), g2(5)
    check_g1(p.neg(), "P")
    check_g2(q.neg(), "Q")
    assert is_inf(add(p.to_py_ecc(), p.neg().to_py_ecc()))
    assert is_inf(add(q.to_py_ecc(), q.neg().to_py_ecc()))


@pytest.mark.parametrize("a", [(4, 0), (0, 5), (3, 7), (FIELD_MODULUS - 1, 0), (0, 0), (1, 1)])
def test_fp2_square_roots(a: tuple[int, int]) -> None:
    """The Fp2 square root used to build twist points: when it exists, it squares back."""
    from supervm_ref.privacy.pyecc import FQ2

    root = fp2_sqrt(a)
    if root is None:
        return
    square = FQ2(list(root)) ** 2
    assert (int(square.coeffs[0]), int(square.coeffs[1])) == (a[0] % FIELD_MODULUS,
                                                                a[1] % FIELD_MODULUS)
