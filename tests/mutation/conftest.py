"""Tests of the mutation catalogue and ``supervm mutate`` (spec/mutation.md)."""

from __future__ import annotations
