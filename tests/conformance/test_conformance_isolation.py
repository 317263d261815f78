"""Isolation step scripts through `supervm consume` (spec/conformance.md CONF-ISOLATION-1)."""

from __future__ import annotations

import json
from pathlib import Path

from supervm_ref.cli import main
from supervm_ref.conformance.consume import consume_file

from ..support import REPO

ISOLATION = REPO / "conformance" / "isolation"


def test_catalogue_passes_through_consume(capsys: object) -> None:
    """CONF-ISOLATION-1: every isolation script is one passing fixture of `supervm consume`."""
    files = sorted(ISOLATION.glob("*.json"))
    assert len(files) >= 14
    assert main(["consume", str(ISOLATION)]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert f"{len(files)} passed, 0 failed" in out


def test_a_disallowed_outcome_fails(tmp_path: Path) -> None:
    """CONF-ISOLATION-1: a script whose allowed outcomes exclude what the store does (here:
    write skew must commit both) is reported as failing, with the observed outcome."""
    script = json.loads((ISOLATION / "g2-item.json").read_text())
    script["allowed_outcomes"] = [
        {"txns": {"T1": {"status": "committed"}, "T2": {"status": "committed"}}}]
    for step in script["steps"]:
        step.pop("expect", None)
    path = tmp_path / "g2-item.json"
    path.write_text(json.dumps(script))
    outcome = consume_file(path, {}, runner=lambda _: {})
    assert not outcome.passed
    assert "not one of the allowed outcomes" in outcome.fixtures[0].problems[0]


def test_a_broken_expectation_fails(tmp_path: Path) -> None:
    """CONF-ISOLATION-1: a step expectation that does not hold is a problem of the fixture."""
    script = json.loads((ISOLATION / "g2-item.json").read_text())
    for step in script["steps"]:
        if step["op"] == "read":
            step["expect"] = {"value": "999"}
            break
    path = tmp_path / "g2-item.json"
    path.write_text(json.dumps(script))
    outcome = consume_file(path, {}, runner=lambda _: {})
    assert not outcome.passed and any(p.startswith("step:") for p in outcome.fixtures[0].problems)
