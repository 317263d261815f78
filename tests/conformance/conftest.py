"""Tests of the conformance fixtures and their tools (spec/conformance.md)."""

from __future__ import annotations
