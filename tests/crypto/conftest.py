"""Tests of the crypto primitives and crypto_api (spec/crypto.md), Wycheproof included."""

from __future__ import annotations
