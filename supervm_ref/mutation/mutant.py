"""What a mutant is (spec/mutation.md, MUT-CAT-1..3).

A `Mutant` is one small deliberate bug, kept as data: a stable ``mutant_id``, the ``area`` of
the package it breaks, what it does (``description``), where (``target``, ``"module:name"``)
and how (``patch``, see `supervm_ref.mutation.patch`). ``hint`` names the fixture target that
most likely detects it (a fixture file's stem, or a folder's name), so a run can stop early.
A mutant the fixtures cannot detect carries its `Survival`: why, in one of three categories.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from .patch import Installed, MutantNotApplicable, Patch, install

#: MUT-CAT-1: the areas of the package a mutant may break, in the order reports list them.
AREAS: tuple[str, ...] = ("numerics", "control", "gas", "host", "atomicity", "crypto", "mvcc",
                          "blockstm", "parallel", "objects", "routing", "zk", "router",
                          "persistence", "metrics", "text", "consumer")

#: MUT-CAT-1: a mutant id: lower-case words joined by ``-``, prefixed by its area and ``/``.
MUTANT_ID = re.compile(r"^[a-z]+/[a-z0-9]+(?:-[a-z0-9]+)*$")


class SurvivalReason(StrEnum):
    """MUT-CAT-3: why the fixtures cannot detect a mutant."""

    #: No observable difference at all: the mutant computes the same outcomes.
    EQUIVALENT = "equivalent"
    #: The difference is one the specification does not bind (statistics, or a point where
    #: the backends may differ, RT-BACKEND-2), so no fixture may pin it.
    NOT_BOUND = "not-bound"


@dataclass(frozen=True, slots=True)
class Survival:
    """MUT-CAT-3: the explanation of a mutant the fixtures are not expected to detect."""

    reason: SurvivalReason
    explanation: str


@dataclass(frozen=True, slots=True)
class Mutant:
    """MUT-CAT-1: one deliberate bug (see the module docstring)."""

    mutant_id: str
    area: str
    description: str
    target: str
    patch: Patch
    hint: str = ""
    survives: Survival | None = None

    def install(self) -> Installed:
        """MUT-CAT-2: put the bug into the running interpreter."""
        return install(self.mutant_id, self.target, self.patch)

    def check(self) -> None:
        """MUT-CAT-2: install and restore at once; `MutantNotApplicable` if the target is
        gone or the patch would change nothing."""
        if not MUTANT_ID.match(self.mutant_id) or not self.mutant_id.startswith(
                self.area + "/"):
            raise MutantNotApplicable(self.mutant_id, "an id is '<area>/<words-with-dashes>'")
        if self.area not in AREAS:
            raise MutantNotApplicable(self.mutant_id, f"unknown area {self.area!r}")
        self.install().restore()
