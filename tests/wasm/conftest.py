"""Tests of the WebAssembly engine (spec/wasm.md): decoding, validation, numerics, gas, limits,
the embedding API, robustness and the official suite."""

from __future__ import annotations
