"""Tests of the second backend on wasmtime (spec/runtime.md RT-BACKEND-*)."""

from __future__ import annotations
