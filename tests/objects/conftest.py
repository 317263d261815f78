"""Tests of the object model (spec/objects.md)."""

from __future__ import annotations
