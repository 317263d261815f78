"""Every normative rule of spec/ is backed by a test (STYLE.md: "A rule with no fixture or test
is a bug"), and every rule id cited in the code or tests exists in spec/."""

from __future__ import annotations

import re

from .support import REPO

RULE_DEF = re.compile(r"\*\*([A-Z]+(?:-[A-Z]+)+-\d+)[ .*(]")
RULE_REF = re.compile(r"\b([A-Z]+(?:-[A-Z]+)+-\d+)\b")


def _defined() -> set[str]:
    ids: set[str] = set()
    for path in (REPO / "spec").glob("*.md"):
        ids.update(RULE_DEF.findall(path.read_text()))
    return ids


def _ids_in(text: str) -> set[str]:
    """Rule ids in a text; ``WASM-GAS-2/3`` style lists count for each number."""
    ids = set(RULE_REF.findall(text))
    for prefix, numbers in re.findall(r"\b([A-Z]+(?:-[A-Z]+)+)-(\d+(?:/\d+)+)\b", text):
        ids.update(f"{prefix}-{n}" for n in numbers.split("/"))
    return ids


def _cited(folder: str, suffixes: tuple[str, ...] = (".py",)) -> set[str]:
    """Rule ids cited in the files of a folder."""
    ids: set[str] = set()
    for path in (REPO / folder).rglob("*"):
        if path.suffix in suffixes:
            ids |= _ids_in(path.read_text())
    return ids


def test_spec_defines_rules() -> None:
    """spec/wasm.md defines its rule families."""
    ids = _defined()
    for family in ("WASM-PROFILE-1", "WASM-ERR-1", "WASM-API-1", "WASM-LIMIT-1", "WASM-GAS-1",
                   "WASM-FLOAT-1", "WASM-MEM-1", "WASM-HOST-1", "WASM-LINK-1"):
        assert family in ids


def test_every_rule_has_a_test() -> None:
    """Each rule id defined in spec/ is cited by at least one test."""
    missing = sorted(_defined() - _cited("tests"))
    assert not missing, f"rules without a test: {missing}"


def test_every_cited_rule_exists() -> None:
    """No test, code, filler, fixture, isolation script or spec text cites a rule id, under
    any prefix, that spec/ does not define (a typo in an id would otherwise go unnoticed)."""
    cited = (_cited("tests") | _cited("supervm_ref") | _cited("conformance", (".py", ".json"))
             | _cited("spec", (".md",)))
    unknown = sorted(cited - _defined())
    assert not unknown, f"cited but not defined: {unknown}"
    assert {r.split("-")[0] for r in cited} >= {"WASM", "RT", "HOST", "CRYPTO", "CONF",
                                                "MVCC", "SCHED", "PAR"}
