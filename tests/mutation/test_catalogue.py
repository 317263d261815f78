"""The mutation catalogue (spec/mutation.md, MUT-CAT-*): its coverage, and that every mutant
still applies -- its target exists and the patch changes it -- so a refactor cannot silently
turn a mutant into a no-op."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from supervm_ref.mutation import (
    AREAS,
    BY_ID,
    CATALOGUE,
    Constant,
    Mutant,
    MutantNotApplicable,
    Source,
    Wrap,
)
from supervm_ref.mutation.mutant import MUTANT_ID
from supervm_ref.mutation.patch import Patch, resolve, target_function
from supervm_ref.wasm.exec.numerics import integer

from ..support import REPO


def test_catalogue_size_and_areas() -> None:
    """MUT-CAT-1: at least 60 mutants, every area covered, unique well-formed ids."""
    assert len(CATALOGUE) >= 60
    assert len(BY_ID) == len(CATALOGUE)
    per_area = Counter(m.area for m in CATALOGUE)
    assert set(per_area) == set(AREAS), per_area
    for m in CATALOGUE:
        assert MUTANT_ID.match(m.mutant_id) and m.mutant_id.startswith(m.area + "/")
        assert m.description and m.target.startswith("supervm_ref.")


def _current(m: Mutant) -> object:
    owner, name = resolve(m.target, m.mutant_id)
    if isinstance(m.patch, Constant):
        return getattr(owner, name)
    return target_function(owner, name, m.mutant_id).__code__


@pytest.mark.parametrize("mutant", CATALOGUE, ids=lambda m: m.mutant_id)
def test_every_mutant_changes_its_target_and_restores_it(mutant: Mutant) -> None:
    """MUT-CAT-2: the target exists, installing changes it (a function's code, or the
    constant's value), and restoring puts the original back."""
    before = _current(mutant)
    installed = mutant.install()
    try:
        during = _current(mutant)
        assert during is not before and during != before
    finally:
        installed.restore()
    assert _current(mutant) is before


def test_survivors_are_explained_and_hints_name_targets() -> None:
    """MUT-CAT-3: every expected survivor says why; MUT-CAT-1: every hint names a fixture
    target (a file of conformance/fixtures by stem, a folder of conformance/) or the
    canaries."""
    fixtures = REPO / "conformance"
    targets = ({p.stem for p in (fixtures / "fixtures").glob("*.json")}
               | {p.name for p in fixtures.iterdir() if p.is_dir()} | {"canaries"})
    for m in CATALOGUE:
        if m.survives is not None:
            assert len(m.survives.explanation) > 40, m.mutant_id
        assert not m.hint or m.hint in targets, (m.mutant_id, m.hint)


def test_the_committed_report_covers_the_catalogue() -> None:
    """MUT-RUN-5: conformance/mutation-report.txt, the last measured table, has one row per
    mutant of the catalogue; its survivors are the catalogue's expected survivors and its rate
    meets the default threshold."""
    text = (REPO / "conformance" / "mutation-report.txt").read_text(encoding="utf-8")
    rows = {line.split()[0]: line.split()[1] for line in text.splitlines()
            if line and "/" in line.split()[0] and not line.startswith("#")}
    assert set(rows) == set(BY_ID)
    survivors = {mid for mid, verdict in rows.items() if verdict != "detected"}
    assert survivors == {m.mutant_id for m in CATALOGUE if m.survives is not None}
    assert (len(rows) - len(survivors)) * 100 >= 95 * len(rows)


def test_a_mutant_changes_behaviour_everywhere() -> None:
    """MUT-CAT-2: a function is changed in place, so the engine's instruction table (built
    at import) sees the mutant too."""
    from supervm_ref.wasm.exec.instructions.numeric import NUMERIC

    shl = NUMERIC["i32.shl"][1]
    assert shl(1, 32) == integer.ishl_32(1, 32) == 1
    installed = BY_ID["numerics/shl32-count-mod-64"].install()
    try:
        assert shl(1, 32) == integer.ishl_32(1, 32) == 0
    finally:
        installed.restore()
    assert shl(1, 32) == 1


def test_wrap_calls_the_original() -> None:
    """MUT-CAT-2: a Wrap receives an unchanged copy of the original."""
    calls: list[tuple[int, int]] = []

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def spy(a: int, b: int) -> int:
            calls.append((a, b))
            return int(original(a, b)) + 1
        return spy

    installed = Mutant("numerics/spy", "numerics", "a test", f"{integer.__name__}:iadd_32",
                       Wrap(make)).install()
    try:
        assert integer.iadd_32(2, 3) == 6
    finally:
        installed.restore()
    assert integer.iadd_32(2, 3) == 5 and calls == [(2, 3)]


@pytest.mark.parametrize("target,patch,problem", [
    ("supervm_ref.nowhere:f", Constant(1), "cannot import"),
    (f"{integer.__name__}:no_such_function", Constant(1), "has no"),
    (f"{integer.__name__}:iadd_32", Source("not in the source", "x"), "exactly once"),
    (f"{integer.__name__}:iadd_32", Source("& 0xFFFFFFFF", "& undefined_name"),
     "undefined names"),
    (f"{integer.__name__}:iadd_32", Source("(i1 + i2) &", "(i1 + &"), "does not compile"),
    (f"{integer.__name__}:iadd_32", Source("i1", "i1"), "changes nothing"),
    ("supervm_ref.wasm.exec.gas:FUNCTION_ENTRY_COST", Constant(1), "already"),
    ("supervm_ref.wasm.exec.gas:UNLIMITED", Source("a", "b"), "not a Python function"),
    ("no-colon", Constant(1), "not 'module:name'"),
])
def test_a_stale_mutant_is_not_applicable(target: str, patch: Patch, problem: str) -> None:
    """MUT-CAT-2: a target that is gone or a patch that no longer fits is a typed error and
    changes nothing (never a silent no-op)."""
    before = integer.iadd_32.__code__
    with pytest.raises(MutantNotApplicable, match=problem):
        Mutant("numerics/stale", "numerics", "a test", target, patch).check()
    assert integer.iadd_32.__code__ is before


def test_ids_and_areas_are_checked() -> None:
    """MUT-CAT-1: an id is '<area>/<words>' and the area is a known one."""
    with pytest.raises(MutantNotApplicable, match="an id is"):
        Mutant("Numerics/X", "numerics", "a test", f"{integer.__name__}:iadd_32",
               Source("i1", "i2")).check()
    with pytest.raises(MutantNotApplicable, match="unknown area"):
        Mutant("engine/x", "engine", "a test", f"{integer.__name__}:iadd_32",
               Source("i1", "i2")).check()
