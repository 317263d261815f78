"""Mutation testing of the conformance fixtures (spec/mutation.md, MUT-*).

The fixtures are all a backend written in another language ever runs, so they must catch
bugs on their own. This package keeps a catalogue of small deliberate bugs (`catalogue`), puts
one into the package at a time (`patch`), and measures which ones the fixtures alone detect
(`runner`, the ``supervm mutate`` command): every fixture kind is consumed on every backend
under each mutant in a subprocess (`run`), and a mutant is detected when any consume fails.
"""

from __future__ import annotations

from .catalogue import BY_ID, CATALOGUE
from .mutant import AREAS, Mutant, Survival, SurvivalReason
from .patch import Constant, MutantNotApplicable, MutationError, Source, Wrap

__all__ = ["AREAS", "BY_ID", "CATALOGUE", "Constant", "Mutant", "MutantNotApplicable",
           "MutationError", "Source", "Survival", "SurvivalReason", "Wrap"]
