"""Filler ``zk``: Groth16 verdicts on snarkjs documents (spec/privacy.md ZK-*; the format:
spec/conformance.md CONF-ZK-*).

The judges come from outside: the verifying keys and proofs that snarkjs 0.7.6 produced for
two circuits (``snarkjs-groth16/`` of ``$SUPERVM_EXTERNAL``, default ``shared/external``
beside the repository): ``x^3 + x + 5 = 35`` (one public input) and ``mul3`` (two). Every
proof snarkjs accepts must be valid; every variant derived below -- a public input changed or
aliased modulo r, points negated, swapped, moved off their curve or out of G2, coordinates out
of range, wrong counts, malformed strings -- must be rejected with its canonical kind, which
the reference fills and the rules cited predict.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from supervm_ref.conformance.filler import FillerError, current_root
from supervm_ref.conformance.formats.zk import ZkCase
from supervm_ref.conformance.suite import find_snarkjs
from supervm_ref.privacy import CURVE_ORDER, FIELD_MODULUS, MAX_PUBLIC_INPUTS
from supervm_ref.privacy.curve import in_g2_subgroup, twist_point_with_x

AREA = "zk"
#: Every vector goes through the whole pipeline (ZK-ORDER-1): backend, registry, parsing.
COMMON = ["ZK-API-1", "ZK-ORDER-1", "ZK-REG-1", "ZK-BACKEND-1", "ZK-EXT-1", "CONF-ZK-1",
          "CONF-ZK-2", "CONF-ZK-3"]
#: The vectors whose verdict comes from the pairing equation.
PAIRING = [*COMMON, "ZK-VERIFY-1", "ZK-JSON-1", "ZK-JSON-2", "ZK-JSON-3", "ZK-VK-1",
           "ZK-PROOF-1", "ZK-PUBLIC-1", "ZK-POINT-1", "ZK-POINT-3", "ZK-POINT-4",
           "ZK-BACKEND-2"]


def external() -> Path:
    """ZK-EXT-1: the external snarkjs proofs (`find_snarkjs`: ``$SUPERVM_EXTERNAL``, else
    ``shared/external`` beside the repository root or the package's checkout)."""
    return find_snarkjs(current_root())


def load(name: str) -> Any:
    """A JSON document of the external folder."""
    return json.loads((external() / name).read_text(encoding="utf-8"))


def case(name: str, description: str, rules: list[str], vk: Any, proof: Any, public: Any
         ) -> ZkCase:
    """A case of this area."""
    return ZkCase(f"{AREA}/{name}", description, rules, vk, proof, public)


def changed(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    """A deep copy of ``document`` with the member at ``path`` replaced by ``value``."""
    out = copy.deepcopy(document)
    target = out
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return out


def removed(document: dict[str, Any], member: str) -> dict[str, Any]:
    """A copy of ``document`` without ``member``."""
    return {k: v for k, v in document.items() if k != member}


def neg_g1(point: list[str]) -> list[str]:
    """``-P`` of a snarkjs G1 point."""
    return [point[0], str((-int(point[1])) % FIELD_MODULUS), point[2]]


def neg_g2(point: list[list[str]]) -> list[list[str]]:
    """``-Q`` of a snarkjs G2 point."""
    return [point[0], [str((-int(c)) % FIELD_MODULUS) for c in point[1]], point[2]]


def outside_g2() -> list[list[str]]:
    """ZK-POINT-4: a point of the twist that is not in G2: the first x = (k, 1) whose
    ``x^3 + b'`` is a square gives a point on the twist; its r-multiple is not the point at
    infinity."""
    for k in range(1, 100):
        point = twist_point_with_x((k, 1))
        if point is not None and not in_g2_subgroup(point):
            return [[str(point.x[0]), str(point.x[1])], [str(point.y[0]), str(point.y[1])],
                    ["1", "0"]]
    raise FillerError("no point of the twist outside G2 found")  # pragma: no cover


def valid_cases() -> list[ZkCase]:
    """ZK-VERIFY-1/3, ZK-FIELD-2, ZK-VK-1: what snarkjs accepts, the malleated proofs and the
    members a verifying key may carry unread."""
    vk, proof, public = load("verification_key.json"), load("proof.json"), load("public.json")
    mvk = load("mul3/verification_key.json")
    cases = [case("cubic_valid", "snarkjs's proof of x^3 + x + 5 = 35: valid", PAIRING,
                  vk, proof, public)]
    for i, what in ((1, "a=3, b=11, c=123456789"), (2, "a=b=c=1"),
                    (3, "a=r-1: the public product wraps modulo r to r - 10")):
        rules = [*PAIRING, "ZK-FIELD-2"] if i == 3 else PAIRING
        cases.append(case(f"mul3_proof{i}_valid", f"snarkjs's mul3 proof {i} ({what}): valid",
                          rules, mvk, load(f"mul3/proof{i}.json"), load(f"mul3/public{i}.json")))
    malleated = {**proof, "pi_a": neg_g1(proof["pi_a"]), "pi_b": neg_g2(proof["pi_b"])}
    cases.append(case("cubic_malleated_valid", "(-A, -B, C) of a valid proof is a different "
                      "valid proof of the same statement: Groth16 proofs are malleable",
                      [*PAIRING, "ZK-VERIFY-3"], vk, malleated, public))
    p1 = load("mul3/proof1.json")
    cases.append(case("mul3_malleated_valid", "(-A, -B, C) of mul3 proof 1: valid",
                      [*PAIRING, "ZK-VERIFY-3"], mvk,
                      {**p1, "pi_a": neg_g1(p1["pi_a"]), "pi_b": neg_g2(p1["pi_b"])},
                      load("mul3/public1.json")))
    cases.append(case("vk_unread_members_ignored",
                      "vk_alphabeta_12 changed and an unknown member added: neither is read, "
                      "the proof is valid", PAIRING,
                      {**changed(vk, ("vk_alphabeta_12", 0, 0, 0), "5"), "extra": [1, 2]},
                      {**proof, "note": "members beyond pi_a, pi_b, pi_c are ignored"},
                      public))
    return cases


def pairing_cases() -> list[ZkCase]:
    """ZK-VERIFY-1: well-formed statements the equation rejects (``zk_proof_invalid``)."""
    vk, proof, public = load("verification_key.json"), load("proof.json"), load("public.json")
    mvk, p1, pub1 = (load("mul3/verification_key.json"), load("mul3/proof1.json"),
                     load("mul3/public1.json"))
    a, b, c = proof["pi_a"], proof["pi_b"], proof["pi_c"]
    rules = PAIRING
    return [
        case("cubic_public_tampered", "the source's tampered public signal 36: invalid", rules,
             vk, proof, load("public_tampered.json")),
        case("cubic_public_zero", "public input 0: invalid", rules, vk, proof, ["0"]),
        case("mul3_public_swapped", "mul3 proof 1 with its public signals in the other order",
             rules, mvk, p1, [pub1[1], pub1[0]]),
        case("mul3_public_plus_one", "mul3 proof 1 with the product + 1", rules, mvk, p1,
             [str(int(pub1[0]) + 1), pub1[1]]),
        case("mul3_proof_of_other_statement", "mul3 proof 1 against proof 2's public signals",
             rules, mvk, p1, load("mul3/public2.json")),
        case("cubic_neg_a_only", "-A alone", rules, vk, {**proof, "pi_a": neg_g1(a)}, public),
        case("cubic_neg_b_only", "-B alone", rules, vk, {**proof, "pi_b": neg_g2(b)}, public),
        case("cubic_neg_c", "-C", rules, vk, {**proof, "pi_c": neg_g1(c)}, public),
        case("cubic_neg_a_b_c", "(-A, -B, -C)", rules, vk,
             {**proof, "pi_a": neg_g1(a), "pi_b": neg_g2(b), "pi_c": neg_g1(c)}, public),
        case("cubic_a_c_swapped", "A and C swapped", rules, vk,
             {**proof, "pi_a": c, "pi_c": a}, public),
        case("cubic_a_generator", "A replaced by the generator (1, 2) of G1", rules, vk,
             {**proof, "pi_a": ["1", "2", "1"]}, public),
        case("cubic_proof_under_mul3_key", "the cubic proof under mul3's key with mul3's "
             "public signals", rules, mvk, proof, pub1),
        case("vk_gamma_delta_swapped", "the key with gamma and delta swapped", rules,
             {**vk, "vk_gamma_2": vk["vk_delta_2"], "vk_delta_2": vk["vk_gamma_2"]}, proof,
             public),
        case("vk_ic_at_infinity", "IC[0] the point at infinity [\"0\",\"1\",\"0\"] is "
             "accepted in a key (snarkjs writes it for an unused input); this proof is then "
             "invalid", [*rules, "ZK-POINT-2"], changed(vk, ("IC", 0), ["0", "1", "0"]),
             proof, public),
    ]


def range_cases() -> list[ZkCase]:
    """ZK-FIELD-1/2, ZK-LIMIT-1, ZK-VERIFY-2: values out of their field, and counts."""
    vk, proof, public = load("verification_key.json"), load("proof.json"), load("public.json")
    mvk, p3 = load("mul3/verification_key.json"), load("mul3/proof3.json")
    pub3 = load("mul3/public3.json")
    rule_r = [*COMMON, "ZK-FIELD-2", "ZK-PUBLIC-1"]
    rule_p = [*COMMON, "ZK-FIELD-1", "ZK-PROOF-1"]
    x_a = int(proof["pi_a"][0])
    return [
        case("public_aliased_plus_r", "35 + r: the same value modulo r, rejected, not reduced",
             rule_r, vk, proof, [str(35 + CURVE_ORDER)]),
        case("public_equal_r", "r itself", rule_r, vk, proof, [str(CURVE_ORDER)]),
        case("mul3_public_r_minus_one_plus_r", "proof 3's product r - 10 written as 2r - 10",
             rule_r, mvk, p3, [str(int(pub3[0]) + CURVE_ORDER), pub3[1]]),
        case("public_78_digits", "a 78-digit input: read, out of range", rule_r, vk, proof,
             ["1" + "0" * 77]),
        case("public_79_digits", "a 79-digit input: refused unread", [*rule_r, "ZK-LIMIT-1"],
             vk, proof, ["1" + "0" * 78]),
        case("public_too_many", f"{MAX_PUBLIC_INPUTS + 1} public inputs",
             [*rule_r, "ZK-LIMIT-1"], vk, proof, ["1"] * (MAX_PUBLIC_INPUTS + 1)),
        case("public_count_zero", "no public input for a key that takes one",
             [*COMMON, "ZK-VERIFY-2"], vk, proof, []),
        case("public_count_two", "two public inputs for a key that takes one",
             [*COMMON, "ZK-VERIFY-2"], vk, proof, ["35", "0"]),
        case("mul3_public_count_one", "one public input for a key that takes two",
             [*COMMON, "ZK-VERIFY-2"], mvk, p3, [pub3[0]]),
        case("coordinate_equal_p", "A's x = p", rule_p, vk,
             changed(proof, ("pi_a", 0), str(FIELD_MODULUS)), public),
        case("coordinate_aliased_plus_p", "A's x + p: the same element of Fp, rejected",
             rule_p, vk, changed(proof, ("pi_a", 0), str(x_a + FIELD_MODULUS)), public),
        case("coordinate_g2_c1_equal_p", "B's y.c1 = p", rule_p, vk,
             changed(proof, ("pi_b", 1, 1), str(FIELD_MODULUS)), public),
        case("vk_coordinate_out_of_range", "the key's delta x.c0 + p",
             [*COMMON, "ZK-FIELD-1", "ZK-VK-1"],
             changed(vk, ("vk_delta_2", 0, 0),
                     str(int(vk["vk_delta_2"][0][0]) + FIELD_MODULUS)), proof, public),
        case("vk_npublic_too_large", "nPublic above the limit", [*COMMON, "ZK-LIMIT-1"],
             {**vk, "nPublic": MAX_PUBLIC_INPUTS + 1}, proof, public),
        case("vk_npublic_mismatch", "nPublic 2 with two IC points", [*COMMON, "ZK-VK-1"],
             {**vk, "nPublic": 2}, proof, public),
    ]


def point_cases() -> list[ZkCase]:
    """ZK-POINT-1..4: points off their curve, outside G2, at infinity, not normalized."""
    vk, proof, public = load("verification_key.json"), load("proof.json"), load("public.json")
    y_a = int(proof["pi_a"][1])
    bad_g2 = outside_g2()
    curve = [*COMMON, "ZK-POINT-3"]
    sub = [*COMMON, "ZK-POINT-4"]
    inf = [*COMMON, "ZK-POINT-2"]
    norm = [*COMMON, "ZK-POINT-1"]
    return [
        case("a_off_curve", "A's y + 1: not on y^2 = x^3 + 3", curve, vk,
             changed(proof, ("pi_a", 1), str(y_a + 1)), public),
        case("c_off_curve", "C = (1, 3)", curve, vk, {**proof, "pi_c": ["1", "3", "1"]},
             public),
        case("b_off_twist", "B's y.c0 + 1: not on the twist", curve, vk,
             changed(proof, ("pi_b", 1, 0), str(int(proof["pi_b"][1][0]) + 1)), public),
        case("vk_alpha_off_curve", "the key's alpha = (0, 0)", curve,
             {**vk, "vk_alpha_1": ["0", "0", "1"]}, proof, public),
        case("vk_ic_off_curve", "the key's IC[1] = (1, 1)", curve,
             changed(vk, ("IC", 1), ["1", "1", "1"]), proof, public),
        case("b_outside_g2", "B a point of the twist whose r-multiple is not infinity "
             "(py_ecc's pairing alone would accept it)", sub, vk, {**proof, "pi_b": bad_g2},
             public),
        case("vk_beta_outside_g2", "the key's beta outside G2", sub,
             {**vk, "vk_beta_2": bad_g2}, proof, public),
        case("vk_gamma_outside_g2", "the key's gamma outside G2 (every G2 point of the key "
             "is checked, not only those B meets)", sub, {**vk, "vk_gamma_2": bad_g2}, proof,
             public),
        case("vk_delta_outside_g2", "the key's delta outside G2", sub,
             {**vk, "vk_delta_2": bad_g2}, proof, public),
        case("a_at_infinity", "A the point at infinity [\"0\",\"1\",\"0\"]", inf, vk,
             {**proof, "pi_a": ["0", "1", "0"]}, public),
        case("b_at_infinity", "B the point at infinity", inf, vk,
             {**proof, "pi_b": [["0", "0"], ["1", "0"], ["0", "0"]]}, public),
        case("c_at_infinity", "C the point at infinity", inf, vk,
             {**proof, "pi_c": ["0", "1", "0"]}, public),
        case("vk_gamma_at_infinity", "the key's gamma the point at infinity", inf,
             {**vk, "vk_gamma_2": [["0", "0"], ["1", "0"], ["0", "0"]]}, proof, public),
        case("a_z_two", "A with z = 2", norm, vk, changed(proof, ("pi_a", 2), "2"), public),
        case("a_z_zero_not_canonical", "A with z = 0 and other coordinates than (0, 1)", norm,
             vk, changed(proof, ("pi_a", 2), "0"), public),
        case("b_z_not_one", "B with z = [\"1\", \"1\"]", norm, vk,
             changed(proof, ("pi_b", 2), ["1", "1"]), public),
        case("vk_ic_z_zero", "the key's IC[1] with z = 0", norm, changed(vk, ("IC", 1, 2), "0"),
             proof, public),
    ]


def syntax_cases() -> list[ZkCase]:
    """ZK-JSON-2/3, ZK-VK-1, ZK-PROOF-1, ZK-PUBLIC-1, ZK-ORDER-1: malformed documents."""
    vk, proof, public = load("verification_key.json"), load("proof.json"), load("public.json")
    dec = [*COMMON, "ZK-JSON-2"]
    cases = [case(f"public_{label}", f"public input {text!r}: not a canonical decimal", dec,
                  vk, proof, [text])
             for label, text in (("plus_sign", "+35"), ("minus_sign", "-1"), ("hex", "0x23"),
                                 ("leading_space", " 35"), ("trailing_newline", "35\n"),
                                 ("leading_zero", "035"), ("exponent", "3.5e1"),
                                 ("empty", ""), ("arabic_indic_digits", "\u0663\u0665"),
                                 ("fullwidth_digits", "\uff13\uff15"))]
    cases += [
        case("public_json_number", "public input 35 as a JSON number, not a string", dec, vk,
             proof, [35]),
        case("coordinate_hex", "A's x in hex", dec, vk,
             changed(proof, ("pi_a", 0), hex(int(proof["pi_a"][0]))), public),
        case("coordinate_number", "A's z as the JSON number 1", dec, vk,
             changed(proof, ("pi_a", 2), 1), public),
        case("coordinate_too_long", "A's x with 100 digits", [*COMMON, "ZK-LIMIT-1"], vk,
             changed(proof, ("pi_a", 0), "9" * 100), public),
        case("public_not_array", "public.json an object", [*COMMON, "ZK-PUBLIC-1"], vk, proof,
             {"0": "35"}),
        case("public_string", "public.json the string \"35\"", [*COMMON, "ZK-PUBLIC-1"], vk,
             proof, "35"),
        case("proof_not_object", "proof.json an array", [*COMMON, "ZK-PROOF-1"], vk, [1, 2],
             public),
        case("proof_missing_pi_c", "no pi_c", [*COMMON, "ZK-PROOF-1"], vk,
             removed(proof, "pi_c"), public),
        case("proof_pi_a_two_elements", "pi_a [x, y] without z", [*COMMON, "ZK-PROOF-1"], vk,
             {**proof, "pi_a": proof["pi_a"][:2]}, public),
        case("proof_pi_b_flat", "pi_b as six strings", [*COMMON, "ZK-PROOF-1"], vk,
             {**proof, "pi_b": [c for pair in proof["pi_b"] for c in pair]}, public),
        case("vk_not_object", "verification_key.json an empty array", [*COMMON, "ZK-VK-1"],
             [], proof, public),
        case("vk_missing_ic", "no IC", [*COMMON, "ZK-VK-1"], removed(vk, "IC"), proof, public),
        case("vk_npublic_string", "nPublic \"1\"", [*COMMON, "ZK-VK-1"],
             {**vk, "nPublic": "1"}, proof, public),
        case("proof_protocol_plonk", "proof protocol plonk", [*COMMON, "ZK-JSON-3"], vk,
             {**proof, "protocol": "plonk"}, public),
        case("vk_protocol_missing", "key without protocol", [*COMMON, "ZK-JSON-3", "ZK-VK-1"],
             removed(vk, "protocol"), proof, public),
        case("vk_curve_bls12381", "key on bls12381", [*COMMON, "ZK-JSON-3"],
             {**vk, "curve": "bls12381"}, proof, public),
        case("proof_curve_bn254_name", "proof curve \"bn254\": only snarkjs's name bn128",
             [*COMMON, "ZK-JSON-3"], vk, {**proof, "curve": "bn254"}, public),
        case("order_decimal_before_curve", "A off its curve and C's x malformed: decoding "
             "(phase 1) comes before group checks (phase 2)", [*COMMON, "ZK-JSON-2"], vk,
             {**proof, "pi_a": ["1", "3", "1"], "pi_c": ["+1", "2", "1"]}, public),
        case("order_key_before_proof", "a key off its curve and a malformed proof: the key is "
             "judged first", [*COMMON, "ZK-POINT-3"], {**vk, "vk_alpha_1": ["1", "3", "1"]},
             [1], public),
        case("order_proof_before_public", "a proof at infinity and a malformed public input: "
             "the proof is judged first", [*COMMON, "ZK-POINT-2"], vk,
             {**proof, "pi_c": ["0", "1", "0"]}, ["-1"]),
        case("order_count_before_range", "out-of-range inputs are rejected before the count "
             "is compared", [*COMMON, "ZK-FIELD-2"], vk, proof,
             ["35", str(CURVE_ORDER)]),
    ]
    return cases


def cases() -> list[ZkCase]:
    """CONF-FILL-1: every zk case."""
    return [*valid_cases(), *pairing_cases(), *range_cases(), *point_cases(), *syntax_cases()]
