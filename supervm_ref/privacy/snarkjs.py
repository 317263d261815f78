"""The snarkjs JSON documents: ``verification_key.json``, ``proof.json`` and ``public.json``
(spec/privacy.md sections 2 to 4: ZK-JSON-*, ZK-LIMIT-1, ZK-VK-1, ZK-PROOF-1, ZK-PUBLIC-1,
ZK-POINT-1, ZK-POINT-2, ZK-ORDER-1).

Parsing is strict and bounded: a document is read in two phases (ZK-ORDER-1) -- first its
structure, every decimal string and every coordinate's range, member by member; then every
point's membership of its group, point by point -- and the first failure is the error. A
`VerifyingKey` or a `Proof` that exists has passed every check of its points, however it was
built: the constructors make the phase-2 checks themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import shown
from .curve import G1Point, G2Point, check_g1, check_g2
from .errors import ZkError
from .field import check_scalar, parse_coordinate, parse_decimal

#: ZK-JSON-3: the only protocol and curve accepted (snarkjs's names).
PROTOCOL = "groth16"
CURVE = "bn128"

#: ZK-LIMIT-1: the most public inputs a verifying key may take (and a ``public.json`` may
#: hold). Each costs one scalar multiplication in G1 when verifying.
MAX_PUBLIC_INPUTS = 256
#: ZK-LIMIT-1, ZK-JSON-1: the largest JSON text `load_json_text` reads (a key with
#: `MAX_PUBLIC_INPUTS` inputs, pretty-printed as snarkjs does, is about 60 KiB).
MAX_JSON_BYTES = 1 << 20


# --- Text (ZK-JSON-1) ----------------------------------------------------------------------------

def load_json_text(text: str | bytes, what: str) -> object:
    """ZK-JSON-1: decode a JSON document read from outside: text (``str`` or UTF-8 ``bytes``)
    of at most `MAX_JSON_BYTES` (else ``zk_input_too_large``), strict JSON -- no ``NaN``,
    ``Infinity`` or ``-Infinity``, no object naming a member twice -- nested at most
    ``MAX_JSON_DEPTH`` levels (else ``zk_malformed_json``, as is anything but text). ``what``
    names the document in messages."""
    from ..conformance.schema import parse_json  # the project's depth-bounded decoder

    where = what if isinstance(what, str) else "document"
    if not isinstance(text, (str, bytes, bytearray)):
        raise ZkError("zk_malformed_json",
                      f"{where}: expected JSON text (str or bytes), found {_what(text)}")
    if len(text) > MAX_JSON_BYTES:
        raise ZkError("zk_input_too_large",
                      f"{where}: expected at most {MAX_JSON_BYTES} bytes of JSON, found "
                      f"{len(text)}")
    try:
        return parse_json(text, unique_members=True)
    except ValueError as e:
        raise ZkError("zk_malformed_json", f"{where}: {e}") from None


# --- Decoding points (phase 1 of ZK-ORDER-1) ---------------------------------------------------

def _array(value: object, length: int, kind: str, where: str) -> list[object]:
    if not isinstance(value, list) or len(value) != length:
        raise ZkError(kind, f"{where}: expected an array of {length} elements, found "
                            f"{_what(value)}")
    return value


def _what(value: object) -> str:
    if isinstance(value, list):
        return f"an array of {len(value)} elements"
    if isinstance(value, dict):
        return "an object"
    return f"{type(value).__name__} {shown(value, 40)}"


def decode_g1(value: object, kind: str, where: str) -> G1Point:
    """ZK-POINT-1, ZK-POINT-2: a G1 point as snarkjs writes it, ``["x", "y", "1"]``
    (projective with z = 1), or the point at infinity ``["0", "1", "0"]``. ``kind`` is the
    structural error kind of the enclosing document. `ZkError` ``zk_point_not_normalized``
    for any other z (or an infinity with other coordinates)."""
    x_text, y_text, z_text = _array(value, 3, kind, where)
    x = parse_coordinate(x_text, f"{where}[0]")
    y = parse_coordinate(y_text, f"{where}[1]")
    z = parse_coordinate(z_text, f"{where}[2]")
    if z == 1:
        return G1Point(x, y)
    if z == 0 and (x, y) == (0, 1):
        return G1Point.at_infinity()
    raise ZkError("zk_point_not_normalized",
                  f"{where}: expected z = 1 (affine, [\"x\", \"y\", \"1\"]) or the point at "
                  f"infinity [\"0\", \"1\", \"0\"], found x = {x}, y = {y}, z = {z}")


def _fp2(value: object, kind: str, where: str) -> tuple[int, int]:
    c0, c1 = _array(value, 2, kind, where)
    return parse_coordinate(c0, f"{where}[0]"), parse_coordinate(c1, f"{where}[1]")


def decode_g2(value: object, kind: str, where: str) -> G2Point:
    """ZK-POINT-1, ZK-POINT-2: a G2 point as snarkjs writes it,
    ``[["x0", "x1"], ["y0", "y1"], ["1", "0"]]``, or the point at infinity
    ``[["0", "0"], ["1", "0"], ["0", "0"]]``; `ZkError` ``zk_point_not_normalized`` for any
    other z."""
    x_value, y_value, z_value = _array(value, 3, kind, where)
    x = _fp2(x_value, kind, f"{where}[0]")
    y = _fp2(y_value, kind, f"{where}[1]")
    z = _fp2(z_value, kind, f"{where}[2]")
    if z == (1, 0):
        return G2Point(x, y)
    if z == (0, 0) and x == (0, 0) and y == (1, 0):
        return G2Point.at_infinity()
    raise ZkError("zk_point_not_normalized",
                  f"{where}: expected z = [\"1\", \"0\"] (affine) or the point at infinity, "
                  f"found z = {list(z)}")


def _member(data: Mapping[str, object], name: str, kind: str, document: str) -> object:
    if name not in data:
        raise ZkError(kind, f"{document}: expected a member {name!r}, found none")
    return data[name]


def _protocol_and_curve(data: Mapping[str, object], kind: str, document: str) -> None:
    """ZK-JSON-3: ``protocol`` is ``"groth16"`` and ``curve`` is ``"bn128"``."""
    protocol = _member(data, "protocol", kind, document)
    if protocol != PROTOCOL:
        raise ZkError("zk_unsupported_protocol",
                      f"{document}: expected protocol {PROTOCOL!r}, found {shown(protocol, 40)}")
    curve = _member(data, "curve", kind, document)
    if curve != CURVE:
        raise ZkError("zk_unsupported_curve",
                      f"{document}: expected curve {CURVE!r}, found {shown(curve, 40)}")


# --- The verifying key (ZK-VK-1) ---------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class VerifyingKey:
    """ZK-VK-1: a Groth16 verifying key over BN254, as ``snarkjs zkey export verificationkey``
    writes it. ``ic`` has one point per public input plus one (``IC[0]``). Constructing one
    checks every point (ZK-POINT-2..4): alpha in G1, beta, gamma and delta in G2, none the
    point at infinity; the IC points in G1, where the point at infinity is allowed (snarkjs
    writes it for a public input no constraint uses)."""

    alpha_1: G1Point
    beta_2: G2Point
    gamma_2: G2Point
    delta_2: G2Point
    ic: tuple[G1Point, ...]

    def __post_init__(self) -> None:
        kind = "zk_malformed_verifying_key"
        for name, value, cls in (("vk_alpha_1", self.alpha_1, G1Point),
                                 ("vk_beta_2", self.beta_2, G2Point),
                                 ("vk_gamma_2", self.gamma_2, G2Point),
                                 ("vk_delta_2", self.delta_2, G2Point)):
            if not isinstance(value, cls):
                raise ZkError(kind, f"{name}: expected a {cls.__name__}, found "
                                    f"{type(value).__name__}")
        if not isinstance(self.ic, tuple) or not all(isinstance(p, G1Point) for p in self.ic):
            raise ZkError(kind, "IC: expected a tuple of G1Point")
        if not 1 <= len(self.ic) <= MAX_PUBLIC_INPUTS + 1:
            raise ZkError("zk_input_too_large" if self.ic else kind,
                          f"IC: expected 1 to {MAX_PUBLIC_INPUTS + 1} points, found "
                          f"{len(self.ic)}")
        # POINTS: phase 2 of ZK-ORDER-1, in document order
        check_g1(self.alpha_1, "verifying key vk_alpha_1")
        check_g2(self.beta_2, "verifying key vk_beta_2")
        check_g2(self.gamma_2, "verifying key vk_gamma_2")
        check_g2(self.delta_2, "verifying key vk_delta_2")
        for i, point in enumerate(self.ic):
            check_g1(point, f"verifying key IC[{i}]", allow_infinity=True)

    @property
    def n_public(self) -> int:
        """The number of public inputs the key takes: ``len(IC) - 1``."""
        return len(self.ic) - 1


def parse_verifying_key(data: object) -> VerifyingKey:
    """ZK-VK-1, ZK-JSON-2/3, ZK-LIMIT-1, ZK-ORDER-1: a decoded ``verification_key.json``.
    Members other than those read (``vk_alphabeta_12`` among them) are ignored and never
    trusted. `ZkError` with the kind of the first failed check."""
    kind, doc = "zk_malformed_verifying_key", "verifying key"
    if not isinstance(data, dict):
        raise ZkError(kind, f"{doc}: expected a JSON object, found {_what(data)}")
    _protocol_and_curve(data, kind, doc)
    # LIMITS: the counts before any point is read
    n_public = _member(data, "nPublic", kind, doc)
    if isinstance(n_public, bool) or not isinstance(n_public, int) or n_public < 0:
        raise ZkError(kind, f"{doc}: expected nPublic a non-negative integer, found "
                            f"{_what(n_public)}")
    ic_values = _member(data, "IC", kind, doc)
    if not isinstance(ic_values, list):
        raise ZkError(kind, f"{doc}: expected IC an array, found {_what(ic_values)}")
    if n_public > MAX_PUBLIC_INPUTS or len(ic_values) > MAX_PUBLIC_INPUTS + 1:
        raise ZkError("zk_input_too_large",
                      f"{doc}: expected at most {MAX_PUBLIC_INPUTS} public inputs, found "
                      f"nPublic = {shown(n_public, 20)} and {len(ic_values)} IC points")
    if len(ic_values) != n_public + 1:
        raise ZkError(kind, f"{doc}: expected nPublic + 1 = {n_public + 1} IC points, found "
                            f"{len(ic_values)}")
    # DECODING: phase 1 of ZK-ORDER-1, in document order
    alpha = decode_g1(_member(data, "vk_alpha_1", kind, doc), kind, f"{doc} vk_alpha_1")
    beta = decode_g2(_member(data, "vk_beta_2", kind, doc), kind, f"{doc} vk_beta_2")
    gamma = decode_g2(_member(data, "vk_gamma_2", kind, doc), kind, f"{doc} vk_gamma_2")
    delta = decode_g2(_member(data, "vk_delta_2", kind, doc), kind, f"{doc} vk_delta_2")
    ic = tuple(decode_g1(v, kind, f"{doc} IC[{i}]") for i, v in enumerate(ic_values))
    # POINTS: phase 2, made by the constructor
    return VerifyingKey(alpha, beta, gamma, delta, ic)


# --- The proof (ZK-PROOF-1) --------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Proof:
    """ZK-PROOF-1: a Groth16 proof ``(A, B, C)`` as ``snarkjs groth16 prove`` writes it
    (``pi_a``, ``pi_b``, ``pi_c``). Constructing one checks A and C in G1 and B in G2, none
    the point at infinity (ZK-POINT-2..4). Two different proofs may prove the same statement
    (ZK-VERIFY-3): nothing may be keyed on a proof."""

    a: G1Point
    b: G2Point
    c: G1Point

    def __post_init__(self) -> None:
        kind = "zk_malformed_proof"
        for name, value, cls in (("pi_a", self.a, G1Point), ("pi_b", self.b, G2Point),
                                 ("pi_c", self.c, G1Point)):
            if not isinstance(value, cls):
                raise ZkError(kind, f"{name}: expected a {cls.__name__}, found "
                                    f"{type(value).__name__}")
        # POINTS: phase 2 of ZK-ORDER-1, in document order
        check_g1(self.a, "proof pi_a")
        check_g2(self.b, "proof pi_b")
        check_g1(self.c, "proof pi_c")


def parse_proof(data: object) -> Proof:
    """ZK-PROOF-1, ZK-JSON-2/3, ZK-ORDER-1: a decoded ``proof.json``; other members are
    ignored. `ZkError` with the kind of the first failed check."""
    kind, doc = "zk_malformed_proof", "proof"
    if not isinstance(data, dict):
        raise ZkError(kind, f"{doc}: expected a JSON object, found {_what(data)}")
    _protocol_and_curve(data, kind, doc)
    a = decode_g1(_member(data, "pi_a", kind, doc), kind, f"{doc} pi_a")
    b = decode_g2(_member(data, "pi_b", kind, doc), kind, f"{doc} pi_b")
    c = decode_g1(_member(data, "pi_c", kind, doc), kind, f"{doc} pi_c")
    return Proof(a, b, c)


# --- The public inputs (ZK-PUBLIC-1) -----------------------------------------------------------

def parse_public_inputs(data: object) -> tuple[int, ...]:
    """ZK-PUBLIC-1, ZK-FIELD-2, ZK-LIMIT-1: a decoded ``public.json``: an array of at most
    `MAX_PUBLIC_INPUTS` decimal strings (ZK-JSON-2), each below r. `ZkError`
    ``zk_malformed_public_inputs``, ``zk_input_too_large``, ``zk_malformed_decimal`` or
    ``zk_public_input_out_of_range`` for the first one that is not."""
    if not isinstance(data, list):
        raise ZkError("zk_malformed_public_inputs",
                      f"public inputs: expected an array of decimal strings, found {_what(data)}")
    if len(data) > MAX_PUBLIC_INPUTS:
        raise ZkError("zk_input_too_large",
                      f"public inputs: expected at most {MAX_PUBLIC_INPUTS}, found {len(data)}")
    values: list[int] = []
    for i, text in enumerate(data):
        values.append(check_scalar(parse_decimal(text, f"public[{i}]"), f"public[{i}]"))
    return tuple(values)
