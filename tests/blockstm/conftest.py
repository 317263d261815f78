"""Tests of Block-STM (spec/scheduling.md sections 1-12)."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest


@pytest.fixture(scope="module")
def preemptive() -> Iterator[None]:
    """Make CPython switch threads very often, so that workers really interleave."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(old)
