"""``supervm demo`` (README's first command) and the demo contracts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from supervm_ref.cli import main
from supervm_ref.config import ConfigError, load_config
from supervm_ref.demos import contracts
from supervm_ref.demos.demo1_add import add

from ..support import wat


def test_demo_binaries_match_their_text() -> None:
    """The committed bytes are what wat2wasm makes of the WAT shown beside them."""
    assert wat(contracts.ADD_WAT) == contracts.ADD_WASM


def test_add_through_engine() -> None:
    """Demo 1 computes with the engine (signed i32 semantics, wrapping)."""
    assert add(7, 8) == 15
    assert add(-3, 1) == -2
    assert add(2**31 - 1, 1) == -(2**31)


def test_demo_once_prints_seed_line(capsys: object) -> None:
    """``supervm demo --once`` prints the seed node's demo 1 line and exits 0."""
    assert main(["demo", "--once"]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "Demo 1: add(7,8) => 15" in out


def test_console_entry_point() -> None:
    """``python -m supervm_ref --help`` works and lists the subcommands."""
    r = subprocess.run([sys.executable, "-m", "supervm_ref", "--help"], capture_output=True,
                       text=True, check=True)
    for command in ("demo", "spectest", "bench"):
        assert command in r.stdout


def test_demo2_matches_the_seed(capsys: object) -> None:
    """RT-CALL-4: demo 2 prints the seed's figures (1704079545, two events)."""
    assert main(["demo", "--once"]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    for line in ("Demo 2: execute_with_context results:", "Function returned: 1704079545",
                 "Block number: 12345, Timestamp: 1704067200", "Events collected: 2 events",
                 "Event 1: UserAction", "Event 2: BlockProcessed"):
        assert line in out


def test_demo_contract_binaries_match_their_text() -> None:
    """Every committed demo module is wat2wasm of its WAT."""
    assert wat(contracts.EVENTS_WAT) == contracts.EVENTS_WASM


def test_config_file(tmp_path: Path, capsys: object) -> None:
    """RT-CONFIG-1: supervm.toml in the working directory sets the demo context and limits."""
    (tmp_path / "supervm.toml").write_text(
        "[demo]\nblock_number = 1\ntimestamp = 2\n[engine]\nmax_call_depth = 10\n")
    config = load_config(cwd=tmp_path)
    assert (config.demo.block_number, config.demo.timestamp) == (1, 2)
    assert config.engine.max_call_depth == 10 and config.source == tmp_path / "supervm.toml"
    assert main(["demo", "--once", "--config", str(tmp_path / "supervm.toml")]) == 0
    assert "Function returned: 3" in capsys.readouterr().out  # type: ignore[attr-defined]


@pytest.mark.parametrize("text, fragment", [
    ("[nope]\n", "unknown section [nope]"),
    ("[engine]\nmax_depth = 3\n", "unknown key engine.max_depth"),
    ("[engine]\nmax_call_depth = 'x'\n", "engine.max_call_depth must be"),
    ("[engine]\nmax_call_depth = 0\n", "max_call_depth must be a positive int"),
    ("[demo\n", "supervm.toml"),
])
def test_bad_config_names_the_problem(tmp_path: Path, text: str, fragment: str) -> None:
    """RT-CONFIG-1: a bad file is a ConfigError naming file and key."""
    path = tmp_path / "supervm.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as e:
        load_config(path)
    assert fragment in str(e.value)
    assert main(["demo", "--once", "--config", str(path)]) == 2


def test_missing_config_file() -> None:
    """RT-CONFIG-1: an explicit path that does not exist is an error; none means defaults."""
    with pytest.raises(ConfigError):
        load_config("/nonexistent/supervm.toml")
    assert load_config(cwd=Path("/")).source is None


def test_demos_3_and_4(capsys: object) -> None:
    """HOST-CRYPTO-1/2/6 in the demos: digests equal hashlib's / pycryptodome's, and the
    address of private key 1 is the well-known 0x7E5F...5Bdf."""
    import hashlib

    from Crypto.Hash import keccak

    assert main(["demo", "--once"]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    message = b"Hello, SuperVM!"
    assert f"0x{hashlib.sha256(message).hexdigest()}" in out
    assert f"0x{keccak.new(data=message, digest_bits=256).hexdigest()}" in out
    assert "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf" in out
    assert wat(contracts.CRYPTO_WAT) == contracts.CRYPTO_WASM


@pytest.mark.parametrize("address", [
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
])
def test_eip55_checksum(address: str) -> None:
    """CRYPTO-ETH-1 (display form): EIP-55's own test vectors."""
    from supervm_ref.crypto.eth_address import to_checksum_address

    assert to_checksum_address(bytes.fromhex(address[2:])) == address


@pytest.mark.parametrize("name", ["ADD", "EVENTS", "CRYPTO"])
def test_our_text_parser_makes_the_committed_modules(name: str) -> None:
    """WASM-TEXT-API-1: our wat2wasm of each demo's WAT decodes to the committed module."""
    from supervm_ref.wasm import module_decode as decode_module
    from supervm_ref.wasm.text import wat2wasm

    text, binary = getattr(contracts, f"{name}_WAT"), getattr(contracts, f"{name}_WASM")
    assert decode_module(wat2wasm(text)) == decode_module(binary)
