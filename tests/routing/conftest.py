"""Tests of the adaptive router (spec/adaptive.md, ROUTE-ADAPT-*) and its [routing]
configuration."""

from __future__ import annotations
