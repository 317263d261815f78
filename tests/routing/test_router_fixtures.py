"""The router fixture format (spec/conformance.md CONF-ROUTER-*): the committed vectors of
conformance/fixtures/adaptive_router.json, the script checks and the verdicts."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from supervm_ref.backends import load_backend
from supervm_ref.conformance.consume import consume_file, python_runner
from supervm_ref.conformance.encoding import EncodingError, fixture_hash
from supervm_ref.conformance.filler import FillerError
from supervm_ref.conformance.formats import format_named
from supervm_ref.conformance.formats.router import STEPS, RouterCase, run_router_script
from supervm_ref.conformance.schema import load_schema
from supervm_ref.routing.adaptive import AdaptiveConfigErrorKind

from ..support import REPO

FIXTURES = REPO / "conformance" / "fixtures" / "adaptive_router.json"
FORMAT = format_named("supervm_router_test")
SCHEMA = load_schema(REPO)


def _fixtures() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURES.read_text())
    return data


def test_committed_vectors_are_the_reference_answers() -> None:
    """CONF-ROUTER-1, CONF-ROUTER-2: every committed vector's post is what the reference
    router answers; they use every step op, every configuration error kind, and cite every
    ROUTE-ADAPT rule about behaviour a backend shows."""
    fixtures = _fixtures()
    ops: set[str] = set()
    kinds: set[str] = set()
    rules: set[str] = set()
    for name, fixture in fixtures.items():
        assert fixture["_info"]["fixture_format"] == "supervm_router_test", name
        assert fixture["post"] == run_router_script(fixture["config"], fixture["steps"])
        ops |= {step["op"] for step in fixture["steps"]}
        if "config_error" in fixture["post"]:
            kinds.add(fixture["post"]["config_error"]["kind"])
        rules |= set(fixture["_info"]["rules"])
    assert ops == set(STEPS)
    assert kinds == {k.value for k in AdaptiveConfigErrorKind}
    # Every rule but ROUTE-ADAPT-5 and ROUTE-ADAPT-13, which spec/adaptive.md section 3 says
    # are checked by tests only (no router vector can show them).
    adaptive = {rule for rule in rules if rule.startswith("ROUTE-ADAPT-")}
    assert adaptive == {f"ROUTE-ADAPT-{i}" for i in (1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12)}
    spec = " ".join((REPO / "spec" / "adaptive.md").read_text().split())
    assert "ROUTE-ADAPT-5 and ROUTE-ADAPT-13 are checked by tests only" in spec
    assert {"CONF-ROUTER-1", "CONF-ROUTER-2"} <= rules


def test_too_precise_vectors_beyond_28_digits() -> None:
    """ROUTE-ADAPT-2: a vector pins a ratio with a non-zero digit beyond Decimal's default 28
    digits as too precise (never rounded), and one pins long trailing zeros as exact."""
    fixtures = _fixtures()
    long = fixtures["adaptive_router/config_error_too_precise_beyond_28_digits"]
    (text,) = long["config"].values()
    assert len(text.split(".")[1]) == 31 and text.endswith("1")
    assert long["post"]["config_error"] == {"kind": "adaptive_config_too_precise",
                                            "variables": ["SUPERVM_ADAPTIVE_MIN"]}
    zeros = fixtures["adaptive_router/long_trailing_zeros_are_exact"]
    assert zeros["post"]["results"][-1]["target_ppm"] == 500_000


def _one(tmp_path: Path, fixture: dict[str, Any]) -> Path:
    fixture = copy.deepcopy(fixture)
    fixture["_info"]["hash"] = fixture_hash(fixture)
    path = tmp_path / "adaptive_router.json"
    path.write_text(json.dumps({"adaptive_router/x": fixture}))
    return path


def _problems(tmp_path: Path, fixture: dict[str, Any], backend: type[Any]) -> list[str]:
    (outcome,) = consume_file(_one(tmp_path, fixture), SCHEMA, python_runner(backend)).fixtures
    return outcome.problems


@pytest.mark.parametrize("backend", ["reference", "wasmtime"])
def test_tampered_answers_are_reported(tmp_path: Path, backend: str) -> None:
    """CONF-ROUTER-3: a changed target, a changed error kind and a results/config_error swap
    are each reported, on both backends (the router does not use the engine)."""
    factory = load_backend(backend)
    fixtures = _fixtures()
    good = fixtures["adaptive_router/seed_environment_example"]
    assert _problems(tmp_path, good, factory) == []
    bad = copy.deepcopy(good)
    bad["post"]["results"][2]["target_ppm"] += 1
    assert any(p.startswith("steps[2] (observe)") for p in _problems(tmp_path, bad, factory))
    error = copy.deepcopy(fixtures["adaptive_router/config_error_min_above_initial"])
    error["post"]["config_error"]["kind"] = "adaptive_config_malformed"
    assert any("config_error" in p for p in _problems(tmp_path, error, factory))
    swapped = copy.deepcopy(good)
    swapped["post"] = {"config_error": {"kind": "adaptive_config_malformed",
                                        "variables": ["SUPERVM_ADAPTIVE_INIT"]}}
    assert _problems(tmp_path, swapped, factory)


@pytest.mark.parametrize(("config", "steps"), [
    ({"PATH": "/bin"}, []),
    ({"SUPERVM_ADAPTIVE_INIT": 0.5}, []),
    ([], []),
    ({}, {}),
    ({}, [{"op": "route"}]),
    ({}, [{"op": "observe", "transactions": 1}]),
    ({}, [{"op": "stats", "extra": 1}]),
    ({}, ["stats"]),
])
def test_malformed_scripts_are_rejected(config: Any, steps: Any) -> None:
    """CONF-ROUTER-2: a bad config map or step is not a script: FillerError when filling,
    EncodingError when decoding an input."""
    with pytest.raises(FillerError):
        FORMAT.check_case(RouterCase("adaptive_router/x", "d", ["CONF-ROUTER-1"], config,
                                     steps))
    with pytest.raises(EncodingError):
        FORMAT.decode_input({"fixture_format": FORMAT.name, "config": config, "steps": steps})
    assert FORMAT.invalid({"config": config, "steps": steps})


def test_input_and_output_shapes() -> None:
    """CONF-ROUTER-2: the input carries no expectation; extra members are rejected; the output
    is results or config_error."""
    fixture = _fixtures()["adaptive_router/fast_slots_round_half_even"]
    given = FORMAT.backend_input(fixture)
    assert set(given) == {"fixture_format", "config", "steps"}
    with pytest.raises(EncodingError):
        FORMAT.decode_input({**given, "post": {}})
    out = FORMAT.execute(None, FORMAT.decode_input(given))  # type: ignore[arg-type]
    assert out == fixture["post"] and set(out) == {"results"}
    assert run_router_script({"SUPERVM_ADAPTIVE_X": "1"}, []) == {"config_error": {
        "kind": "adaptive_config_unknown_variable", "variables": ["SUPERVM_ADAPTIVE_X"]}}
