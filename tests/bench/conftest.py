"""Tests of the benchmarks (``supervm bench``)."""

from __future__ import annotations
