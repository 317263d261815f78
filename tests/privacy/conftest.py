"""Tests of the privacy layer (spec/privacy.md, ZK-*): Groth16 over BN254 on snarkjs proofs.

Pure-Python pairings take about half a second each: the tests that compute one are few, and
those that compute several are marked ``slow``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ..support import external_dir


def snarkjs_dir() -> Path:
    """ZK-EXT-1: the snarkjs vectors; fails (never skips) when they are missing."""
    path = external_dir() / "snarkjs-groth16"
    assert (path / "verification_key.json").is_file(), \
        f"snarkjs vectors missing at {path} (set SUPERVM_EXTERNAL)"
    return path


def load(name: str) -> Any:
    """A JSON document of the snarkjs folder."""
    return json.loads((snarkjs_dir() / name).read_text())


@pytest.fixture(scope="session")
def cubic() -> tuple[Any, Any, Any]:
    """The decoded documents of x^3 + x + 5 = 35: key, proof, public."""
    return load("verification_key.json"), load("proof.json"), load("public.json")


@pytest.fixture(scope="session")
def mul3() -> dict[str, Any]:
    """mul3's key and its three proofs and public signals."""
    return {"vk": load("mul3/verification_key.json"),
            "proofs": [load(f"mul3/proof{i}.json") for i in (1, 2, 3)],
            "publics": [load(f"mul3/public{i}.json") for i in (1, 2, 3)]}
