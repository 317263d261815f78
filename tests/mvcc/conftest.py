"""Tests of the MVCC store (spec/mvcc.md) and its isolation catalogue."""

from __future__ import annotations
