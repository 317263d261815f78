"""Tests of the metrics package (spec/metrics.md, METRIC-*)."""

from __future__ import annotations
