"""Who computes the pairing product: the verifier backends (spec/privacy.md section 7,
ZK-BACKEND-1/2).

- ``reference``: py_ecc, pure Python (`verifier.reference_pairing_check`), always there;
- ``fast``: zksnake's compiled BN254 (Rust, arkworks; MIT licence), installed by the extra
  ``fast-zk``; it computes the same product as a multi-pairing.

Both run after every check of `verify_groth16`, so the library only ever sees points that are
on their curve and in their group and scalars below r; they must agree on every vector
(ZK-BACKEND-1). A backend that is not installed is a `ZkError` ``zk_backend_unavailable``
naming the extra that installs it, in the manner of the execution backends'
(`supervm_ref.backends`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import shown
from .errors import ZkError
from .snarkjs import Proof, VerifyingKey
from .verifier import reference_pairing_check

#: ZK-BACKEND-1: ``check(vk, proof, public) -> bool``, the pairing equation on checked input.
PairingCheck = Callable[[VerifyingKey, Proof, Sequence[int]], bool]


@dataclass(frozen=True, slots=True)
class ZkBackend:
    """ZK-BACKEND-1: a registered verifier backend: its name, a description, the module it
    needs (None: nothing beyond the package's dependencies) and the extra that installs it."""

    name: str
    description: str
    module: str | None
    extra: str | None


#: ZK-BACKEND-1: the verifier backends, by name.
ZK_BACKENDS: dict[str, ZkBackend] = {
    "reference": ZkBackend("reference", "py_ecc, pure Python: four Miller loops, one final "
                                        "exponentiation", None, None),
    "fast": ZkBackend("fast", "zksnake's compiled BN254 (arkworks) multi-pairing",
                      "zksnake._algebra", "fast-zk"),
}


def _import_fast() -> Any:
    """The compiled BN254 module of zksnake; `ZkError` naming the extra when it is absent."""
    try:
        module = importlib.import_module("zksnake._algebra")
        return module.ec_bn254
    except ImportError as e:
        raise ZkError("zk_backend_unavailable",
                      "backend 'fast': the zksnake package is not installed; install it with: "
                      "pip install 'supervm-ref[fast-zk]'") from e
    except Exception as e:  # a broken installation
        raise ZkError("zk_backend_unavailable",
                      f"backend 'fast': zksnake cannot be loaded: {type(e).__name__}: {e}") from e


_FAST_ONE: list[Any] = []  # the identity of GT, computed once


def fast_pairing_check(vk: VerifyingKey, proof: Proof, public: Sequence[int]) -> bool:
    """ZK-BACKEND-1, ZK-VERIFY-1: the same product as the reference, computed by zksnake's
    ``multi_pairing`` (one final exponentiation); vk_x with its scalar multiplications. A
    panic of the library (pyo3 raises ``PanicException``, a ``BaseException``) becomes
    ``zk_backend_unavailable``: it cannot happen on checked points."""
    bn = _import_fast()

    def g1(point: Any) -> Any:
        return bn.PointG1.identity() if point.infinity else bn.PointG1(point.x, point.y)

    def g2(point: Any) -> Any:
        return bn.PointG2(point.x[0], point.x[1], point.y[0], point.y[1])

    try:
        vk_x = g1(vk.ic[0])
        for scalar, point in zip(public, vk.ic[1:]):
            if scalar and not point.infinity:
                vk_x = vk_x + g1(point) * scalar
        product = bn.multi_pairing([g1(proof.a.neg()), g1(vk.alpha_1), vk_x, g1(proof.c)],
                                   [g2(proof.b), g2(vk.beta_2), g2(vk.gamma_2),
                                    g2(vk.delta_2)])
        if not _FAST_ONE:
            _FAST_ONE.append(bn.pairing(bn.PointG1.identity(), bn.g2()))
        return bool(product == _FAST_ONE[0])
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:  # pyo3's PanicException is a BaseException
        raise ZkError("zk_backend_unavailable",
                      f"backend 'fast': zksnake failed: {type(e).__name__}: {e}") from None


_CHECKS: dict[str, PairingCheck] = {"reference": reference_pairing_check,
                                    "fast": fast_pairing_check}


def zk_backend(name: object) -> PairingCheck:
    """ZK-BACKEND-1: the pairing check of the backend ``name``; `ZkError`
    ``zk_backend_unavailable`` when it is not registered or its extra is not installed."""
    # an exact str: a subclass's own __hash__ or __eq__ never runs (ZK-API-1)
    key = str.__str__(name) if isinstance(name, str) else None
    if key is None or key not in ZK_BACKENDS:
        raise ZkError("zk_backend_unavailable",
                      f"expected a verifier backend among {', '.join(ZK_BACKENDS)}, found "
                      f"{shown(name, 60)}")
    if ZK_BACKENDS[key].module is not None:
        _import_fast()
    return _CHECKS[key]


def zk_backend_status() -> dict[str, str | None]:
    """ZK-BACKEND-1: every verifier backend with None when it loads, else the reason."""
    status: dict[str, str | None] = {}
    for name in ZK_BACKENDS:
        try:
            zk_backend(name)
            status[name] = None
        except ZkError as e:
            status[name] = e.detail
    return status
