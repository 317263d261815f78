"""Tests of the metrics (spec/metrics.md)."""
