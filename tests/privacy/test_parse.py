"""Parsing snarkjs documents (spec/privacy.md ZK-JSON-*, ZK-LIMIT-1, ZK-FIELD-*, ZK-POINT-1/2,
ZK-VK-1, ZK-PROOF-1, ZK-PUBLIC-1, ZK-ORDER-1): one test per check and kind."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from supervm_ref import SuperVMError
from supervm_ref.privacy import (
    CURVE_ORDER,
    FIELD_MODULUS,
    MAX_PUBLIC_INPUTS,
    ZK_ERROR_KINDS,
    G1Point,
    G2Point,
    ZkError,
    load_json_text,
    parse_proof,
    parse_public_inputs,
    parse_verifying_key,
)
from supervm_ref.privacy.field import MAX_DECIMAL_DIGITS, parse_coordinate, parse_decimal
from supervm_ref.privacy.snarkjs import MAX_JSON_BYTES, decode_g1, decode_g2


def kind_of(call: Any, *args: Any) -> str:
    with pytest.raises(ZkError) as e:
        call(*args)
    assert e.value.kind in ZK_ERROR_KINDS
    assert e.value.rule == ZK_ERROR_KINDS[e.value.kind]
    assert isinstance(e.value, SuperVMError)
    return e.value.kind


def test_error_kinds_table_matches_the_spec() -> None:
    """ZK-API-1: every canonical kind is in spec/privacy.md's table with its rule."""
    from ..support import REPO

    text = (REPO / "spec" / "privacy.md").read_text()
    for kind, rule in ZK_ERROR_KINDS.items():
        assert f"| `{kind}` | {rule} |" in text, kind


@pytest.mark.parametrize("text", ["0", "1", "35", "9" * MAX_DECIMAL_DIGITS])
def test_canonical_decimals_are_read(text: str) -> None:
    """ZK-JSON-2: canonical decimal strings up to the bound."""
    assert parse_decimal(text, "x") == int(text)


@pytest.mark.parametrize("text", ["+1", "-1", "0x1", " 1", "1 ", "1\n", "01", "00", "1.0",
                                  "1e3", "", "\u0661", "\uff11", "1_000", "\u0966"])
def test_non_canonical_decimals_are_rejected(text: str) -> None:
    """ZK-JSON-2: signs, hex, white space, leading zeros, fractions, exponents, underscores,
    other scripts' digits: ``zk_malformed_decimal``."""
    assert kind_of(parse_decimal, text, "x") == "zk_malformed_decimal"


@pytest.mark.parametrize("value", [1, 1.0, None, True, ["1"], {"1": 1}, b"1"])
def test_decimals_are_strings(value: object) -> None:
    """ZK-JSON-2: a JSON number (or anything not a string) is not a decimal string."""
    assert kind_of(parse_decimal, value, "x") == "zk_malformed_decimal"


def test_long_decimals_are_refused_unread() -> None:
    """ZK-LIMIT-1: longer than 78 characters: ``zk_input_too_large``, even when not digits."""
    assert kind_of(parse_decimal, "1" * (MAX_DECIMAL_DIGITS + 1), "x") == "zk_input_too_large"
    assert kind_of(parse_decimal, "x" * 10**6, "x") == "zk_input_too_large"


def test_coordinates_below_p() -> None:
    """ZK-FIELD-1: p - 1 is read; p and x + p are out of range, never reduced."""
    assert parse_coordinate(str(FIELD_MODULUS - 1), "x") == FIELD_MODULUS - 1
    assert kind_of(parse_coordinate, str(FIELD_MODULUS), "x") == "zk_coordinate_out_of_range"
    assert kind_of(parse_coordinate, str(FIELD_MODULUS + 5), "x") == \
        "zk_coordinate_out_of_range"


def test_public_inputs_below_r(cubic: Any) -> None:
    """ZK-FIELD-2, ZK-PUBLIC-1: r - 1 is read; r and s + r are out of range."""
    assert parse_public_inputs([str(CURVE_ORDER - 1), "0"]) == (CURVE_ORDER - 1, 0)
    for bad in (CURVE_ORDER, CURVE_ORDER + 35, 10**77):
        assert kind_of(parse_public_inputs, [str(bad)]) == "zk_public_input_out_of_range"


@pytest.mark.parametrize("doc", ["35", {"0": "35"}, None, 35, True])
def test_public_inputs_are_an_array(doc: object) -> None:
    """ZK-PUBLIC-1: anything but an array is ``zk_malformed_public_inputs``."""
    assert kind_of(parse_public_inputs, doc) == "zk_malformed_public_inputs"


def test_public_input_count_is_bounded() -> None:
    """ZK-LIMIT-1: at most 256 public inputs."""
    assert len(parse_public_inputs(["1"] * MAX_PUBLIC_INPUTS)) == MAX_PUBLIC_INPUTS
    assert kind_of(parse_public_inputs, ["1"] * (MAX_PUBLIC_INPUTS + 1)) == "zk_input_too_large"


def test_g1_encodings() -> None:
    """ZK-POINT-1/2: ["x","y","1"] is affine, ["0","1","0"] the point at infinity; any other z
    is not normalized; the wrong shape is the document's structural kind."""
    assert decode_g1(["1", "2", "1"], "k", "P") == G1Point(1, 2)
    assert decode_g1(["0", "1", "0"], "k", "P").infinity
    for z in ("2", "0"):
        assert kind_of(decode_g1, ["1", "2", z], "k", "P") == "zk_point_not_normalized"
    assert kind_of(decode_g1, ["0", "0", "0"], "k", "P") == "zk_point_not_normalized"
    for shape in (["1", "2"], ["1", "2", "1", "1"], "1", {"x": "1"}, None):
        assert kind_of(decode_g1, shape, "zk_malformed_proof", "P") == "zk_malformed_proof"


def test_g2_encodings() -> None:
    """ZK-POINT-1/2: [[x0,x1],[y0,y1],["1","0"]] and the point at infinity."""
    point = decode_g2([["1", "2"], ["3", "4"], ["1", "0"]], "k", "Q")
    assert point == G2Point((1, 2), (3, 4))
    assert decode_g2([["0", "0"], ["1", "0"], ["0", "0"]], "k", "Q").infinity
    for z in (["1", "1"], ["0", "1"], ["0", "0"], ["2", "0"]):
        assert kind_of(decode_g2, [["1", "2"], ["3", "4"], z], "k", "Q") == \
            "zk_point_not_normalized"
    for shape in ([["1", "2"], ["3", "4"]], [["1"], ["3", "4"], ["1", "0"]],
                  ["1", "2", "3", "4", "1", "0"]):
        assert kind_of(decode_g2, shape, "zk_malformed_verifying_key", "Q") == \
            "zk_malformed_verifying_key"


def test_verifying_key_structure(cubic: Any) -> None:
    """ZK-VK-1, ZK-JSON-3, ZK-LIMIT-1: each member's failure and its kind; unread members
    are ignored."""
    vk = cubic[0]
    key = parse_verifying_key(vk)
    assert key.n_public == 1 and len(key.ic) == 2
    assert parse_verifying_key({**vk, "vk_alphabeta_12": "garbage", "x": 1}) == key
    cases: list[tuple[Any, str]] = [
        ([], "zk_malformed_verifying_key"),
        ({k: v for k, v in vk.items() if k != "IC"}, "zk_malformed_verifying_key"),
        ({k: v for k, v in vk.items() if k != "vk_delta_2"}, "zk_malformed_verifying_key"),
        ({k: v for k, v in vk.items() if k != "protocol"}, "zk_malformed_verifying_key"),
        ({k: v for k, v in vk.items() if k != "curve"}, "zk_malformed_verifying_key"),
        ({**vk, "nPublic": 2}, "zk_malformed_verifying_key"),
        ({**vk, "nPublic": -1}, "zk_malformed_verifying_key"),
        ({**vk, "nPublic": True}, "zk_malformed_verifying_key"),
        ({**vk, "nPublic": 1.0}, "zk_malformed_verifying_key"),
        ({**vk, "IC": {}}, "zk_malformed_verifying_key"),
        ({**vk, "nPublic": 0, "IC": []}, "zk_malformed_verifying_key"),
        ({**vk, "nPublic": 10**9}, "zk_input_too_large"),
        ({**vk, "IC": vk["IC"] * 200}, "zk_input_too_large"),
        ({**vk, "protocol": "plonk"}, "zk_unsupported_protocol"),
        ({**vk, "curve": "bn254"}, "zk_unsupported_curve"),
        ({**vk, "curve": "bls12381"}, "zk_unsupported_curve"),
    ]
    for doc, kind in cases:
        assert kind_of(parse_verifying_key, doc) == kind


def test_proof_structure(cubic: Any) -> None:
    """ZK-PROOF-1, ZK-JSON-3: each member's failure; unread members are ignored."""
    proof = cubic[1]
    parsed = parse_proof(proof)
    assert parse_proof({**proof, "extra": [1]}) == parsed
    for member in ("pi_a", "pi_b", "pi_c", "protocol", "curve"):
        assert kind_of(parse_proof, {k: v for k, v in proof.items() if k != member}) == \
            "zk_malformed_proof"
    assert kind_of(parse_proof, [proof]) == "zk_malformed_proof"
    assert kind_of(parse_proof, {**proof, "protocol": "groth"}) == "zk_unsupported_protocol"
    assert kind_of(parse_proof, {**proof, "curve": "alt_bn128"}) == "zk_unsupported_curve"


def test_order_of_checks(cubic: Any) -> None:
    """ZK-ORDER-1: phase 1 (decoding) of the whole document before phase 2 (groups); protocol
    before curve; counts before points."""
    vk, proof, _ = cubic
    bad = {**proof, "pi_a": ["1", "3", "1"], "pi_c": ["1", "2", "9"]}
    assert kind_of(parse_proof, bad) == "zk_point_not_normalized"
    assert kind_of(parse_proof, {**proof, "pi_a": ["1", "3", "1"]}) == "zk_point_not_on_curve"
    assert kind_of(parse_proof, {**proof, "protocol": "x", "curve": "y"}) == \
        "zk_unsupported_protocol"
    assert kind_of(parse_verifying_key, {**vk, "nPublic": 3, "vk_alpha_1": "junk"}) == \
        "zk_malformed_verifying_key"


def test_load_json_text_bounds() -> None:
    """ZK-JSON-1: not JSON, not UTF-8, too deep: ``zk_malformed_json``; too big:
    ``zk_input_too_large``."""
    assert load_json_text('["1"]', "t") == ["1"]
    for text in ("{", b"\xff\xfe", "[" * 100 + "]" * 100, "", "NaN-ish"):
        assert kind_of(load_json_text, text, "t") == "zk_malformed_json"
    assert kind_of(load_json_text, " " * (MAX_JSON_BYTES + 1), "t") == "zk_input_too_large"


def test_load_json_text_is_strict_json() -> None:
    """ZK-JSON-1: Python's non-JSON constants ``NaN``, ``Infinity`` and ``-Infinity``, an
    object naming a member twice (at any depth), and anything but text are
    ``zk_malformed_json``: a duplicated ``pi_a`` never lets its last value win."""
    for text in ("[NaN]", '["1", Infinity]', '{"a": -Infinity}', b"[NaN]",
                 '{"pi_a": ["1", "2", "1"], "pi_a": ["1", "2", "1"]}',
                 '[{"a": {"b": 1, "b": 2}}]', '{"a": 1, "b": 2, "a": 1}'):
        assert kind_of(load_json_text, text, "t") == "zk_malformed_json", text
    with pytest.raises(ZkError, match="duplicate member 'pi_a'"):
        load_json_text('{"pi_a": 1, "pi_a": 2}', "proof")
    for junk in (None, 5, ["[]"], {"a": 1}, 1.5):
        assert kind_of(load_json_text, junk, "t") == "zk_malformed_json", junk
    assert load_json_text('{"a": {"a": 1}, "b": ["NaN", "Infinity"]}', "t") == \
        {"a": {"a": 1}, "b": ["NaN", "Infinity"]}
    assert load_json_text(bytearray(b'["1"]'), "t") == ["1"]


def test_points_from_python_check_their_coordinates() -> None:
    """ZK-FIELD-1: a point built from Python gets a ZkError for a coordinate that is not an
    int in [0, p)."""
    for bad in (-1, FIELD_MODULUS, 1.5, "1", True, None):
        assert kind_of(G1Point, bad, 2) == "zk_coordinate_out_of_range"
    for bad_pair in ((1,), (1, 2, 3), [1, 2], (1, FIELD_MODULUS), None):
        assert kind_of(G2Point, bad_pair, (1, 2)) == "zk_coordinate_out_of_range"


def test_documents_are_not_modified(cubic: Any) -> None:
    """Parsing never changes what it reads."""
    before = copy.deepcopy(cubic)
    parse_verifying_key(cubic[0])
    parse_proof(cubic[1])
    parse_public_inputs(cubic[2])
    assert before == cubic
