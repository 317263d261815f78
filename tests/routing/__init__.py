"""Tests of routing (spec/routing.md, spec/adaptive.md)."""

from __future__ import annotations
