"""Tests of the ``supervm`` command line (README.md)."""

from __future__ import annotations
