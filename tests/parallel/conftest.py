"""Tests of the seed's parallel execution engine (spec/scheduling.md section 13)."""

from __future__ import annotations
