"""The ``crypto_api`` conformance area (conformance/fillers/crypto_api.py, spec/crypto.md): the
committed fixtures are a fresh fill, cover every HOST-CRYPTO-* and CRYPTO-* rule, pass on the
reference and on the wasmtime backend, and record what the spec says independently of the
reference: digests and addresses (hashlib, pycryptodome) and HOST-GAS-2's gas."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

import coincurve
import pytest
from Crypto.Hash import keccak

from supervm_ref.conformance.fill import fill
from supervm_ref.runtime.errors import ErrorKind

from ..conftest import ConsumeRun
from ..support import REPO

AREA = "crypto_api"
FIXTURE = REPO / "conformance" / "fixtures" / f"{AREA}.json"
KEY = "0x" + b"input".hex()
#: The probe's memory (conformance/contracts/abi_probe_crypto.wat): where "input" is copied.
IN = 1024


def _fixtures() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads(FIXTURE.read_text())
    return data


def _args(tx: dict[str, Any]) -> list[int]:
    return [int(a["value"]) for a in tx["args"]]


def _input(fixture: dict[str, Any]) -> bytes:
    """The bytes the probe copies to IN (the pre-state's "input"), empty if there are none."""
    value: str = fixture["pre"]["storage"].get(KEY, "0x")
    return bytes.fromhex(value[2:])


def _memory(fixture: dict[str, Any], ptr: int, length: int) -> bytes:
    """Bytes of the probe's memory at the host call: IN holds the input, the rest read here
    (zeros and the 0xEE buffer) is given by the .wat's data segments."""
    memory = bytearray(2 * 65536)
    memory[64:104] = b"\xee" * 40
    data = _input(fixture)
    memory[IN:IN + len(data)] = data
    return bytes(memory[ptr:ptr + length])


def test_area_is_filled_and_small() -> None:
    """CONF-FILL-4: ``supervm fill --check crypto_api`` finds the committed file up to date;
    it holds every fixture of the filler and stays small (the probe is in every fixture)."""
    report = fill(REPO, check=True, areas=[AREA])
    assert report.ok, (report.outdated, report.stale)
    assert report.counts[AREA] == len(_fixtures()) >= 80
    assert FIXTURE.stat().st_size < 300_000


def test_every_crypto_rule_is_covered() -> None:
    """Every HOST-CRYPTO-* and CRYPTO-* rule of spec/crypto.md is listed in some fixture's
    ``_info.rules``, and each host function has valid, invalid and trapping cases."""
    text = (REPO / "spec" / "crypto.md").read_text()
    defined = set(re.findall(r"\*\*((?:HOST-CRYPTO|CRYPTO-[A-Z]+)-[0-9]+)\b", text))
    assert len(defined) == 20
    listed = {r for f in _fixtures().values() for r in f["_info"]["rules"]}
    assert defined <= listed, sorted(defined - listed)
    outcomes: dict[str, set[str]] = {}
    for fixture in _fixtures().values():
        function = fixture["transactions"][0]["function"].removesuffix("_dump")
        result = fixture["post"]["results"][0]
        outcome = result["error"] or result["return"][0]["value"]
        outcomes.setdefault(function, set()).add(outcome)
    assert outcomes["verify_ed25519"] >= {"0", "1", "MEMORY_OUT_OF_BOUNDS", "OUT_OF_GAS"}
    assert outcomes["verify_secp256k1"] >= {"0", "1", "MEMORY_OUT_OF_BOUNDS",
                                            "HOST_LIMIT_EXCEEDED", "OUT_OF_GAS"}
    assert outcomes["verify_secp256k1_der"] >= {"0", "1", "HOST_LIMIT_EXCEEDED",
                                                "MEMORY_OUT_OF_BOUNDS"}
    assert outcomes["derive_eth_address"] >= {"20", str(2**32 - 1), "HOST_LIMIT_EXCEEDED",
                                              "MEMORY_OUT_OF_BOUNDS"}
    for hash_fn in ("sha256", "keccak256"):
        assert outcomes[hash_fn] >= {"32", "MEMORY_OUT_OF_BOUNDS", "OUT_OF_GAS"}


def test_descriptions_state_their_errors() -> None:
    """Each description names exactly the error kind its transaction ends with (none for a
    success), so a refill that changes an outcome cannot pass unnoticed."""
    kinds = {k.value for k in ErrorKind}
    for name, fixture in _fixtures().items():
        got = {r["error"] for r in fixture["post"]["results"]} - {None}
        said = set(re.findall(r"\b[A-Z][A-Z_]+[A-Z]\b", fixture["_info"]["description"]))
        assert got == said & kinds, name


@pytest.mark.parametrize("backend", ["reference", "wasmtime"])
def test_fixtures_pass(backend: str, consumed: Callable[[str], ConsumeRun]) -> None:
    """CONF-CONSUME-1, CONF-RUN-1: every crypto_api fixture passes ``supervm consume`` on the
    reference and on the wasmtime backend (RT-BACKEND-1), in the session's one consume per
    backend (tests/conftest.py)."""
    entry = consumed(backend).file(FIXTURE.name)
    assert entry["error"] is None
    assert entry["fixtures"] == len(_fixtures())
    assert entry["passed"], entry["failures"]


def _host_gas(function: str, args: list[int]) -> int:
    """HOST-GAS-2's table (spec/host-abi.md), written out here."""
    words = (args[1] + 31) // 32 if function in ("sha256", "keccak256") else 0
    return {"sha256": 60 + 12 * words, "keccak256": 30 + 6 * words,
            "verify_ed25519": 2000 + args[1] if function == "verify_ed25519" else 0,
            "verify_secp256k1": 3000, "verify_secp256k1_der": 3000,
            "derive_eth_address": 100}[function]


def test_gas_used_is_host_gas_2() -> None:
    """HOST-GAS-2, HOST-STORAGE-1, HOST-STORAGE-2, HOST-CHAIN-3, WASM-GAS-1: every successful
    call uses exactly the crypto function's gas, plus the probe's load of "input"
    (storage_get: 100 + 5 key bytes + the value's bytes; storage_read_value: 10 + the bytes
    copied), plus emit_event (50 + dump bytes) for a ``*_dump`` export, plus the probe's
    instructions: 1 for the export's entry, 1 for its call of the load and 7 in the load
    (entry, four constants, two calls), one local.get per host argument and the host call, and
    3 more (two local.get, a call) for a dump. So validity, digests and keys never change the
    gas; only sizes do."""
    checked = set()
    for name, fixture in _fixtures().items():
        tx, result = fixture["transactions"][0], fixture["post"]["results"][0]
        if result["error"] is not None:
            continue
        export, args = tx["function"], _args(tx)
        function = export.removesuffix("_dump")
        n = len(_input(fixture))
        host_args = {"verify_ed25519": 4, "verify_secp256k1": 4,
                     "verify_secp256k1_der": 5}.get(function, 3)
        expected = _host_gas(function, args) + (105 + n) + (10 + n) + 1 + 1 + 7 + host_args + 1
        if export != function:
            expected += 50 + args[3] + 3
        assert result["gas_used"] == expected, name
        checked.add(export)
    assert checked == {"sha256", "keccak256", "verify_ed25519", "verify_secp256k1",
                       "verify_secp256k1_der", "sha256_dump", "keccak256_dump",
                       "derive_eth_address_dump"}


def test_outputs_are_the_digests_and_addresses() -> None:
    """HOST-CRYPTO-1, HOST-CRYPTO-2, HOST-CRYPTO-6, CRYPTO-HASH-1, CRYPTO-HASH-2,
    CRYPTO-ETH-1: in every ``*_dump`` fixture the event is what hashlib / pycryptodome compute
    from the input in memory — the 32-byte digest or the 20-byte address (nothing for -1) —
    followed by the untouched 0xEE sentinel."""
    dumps = 0
    for name, fixture in _fixtures().items():
        tx, result = fixture["transactions"][0], fixture["post"]["results"][0]
        if not tx["function"].endswith("_dump") or result["error"] is not None:
            continue
        ptr, length, out, dump = _args(tx)
        data = _memory(fixture, ptr, length)
        function = tx["function"].removesuffix("_dump")
        if function == "sha256":
            written = hashlib.sha256(data).digest()
        elif function == "keccak256":
            written = keccak.new(digest_bits=256, data=data).digest()
        elif result["return"][0]["value"] == "20":
            point = data if length == 64 else \
                coincurve.PublicKey(data).format(compressed=False)[1:]
            written = keccak.new(digest_bits=256, data=point).digest()[12:]
        else:
            written = b""
        before = _memory(fixture, out, dump)  # the buffer at the call, before the host wrote
        expected = (written + before[len(written):])[:dump]
        assert result["events"] == ["0x" + expected.hex()], name
        dumps += 1
    assert dumps >= 20
