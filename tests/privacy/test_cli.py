"""``supervm zk verify`` (ZK-CLI-1) and ``supervm bench zk-latency`` (ZK-BENCH-1)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from supervm_ref.bench import zk as zk_bench
from supervm_ref.cli import main
from supervm_ref.config import ConfigError
from supervm_ref.privacy import CURVE_ORDER

from ..support import REPO
from .conftest import snarkjs_dir


def run(args: list[str]) -> tuple[int, str, str]:
    done = subprocess.run([sys.executable, "-m", "supervm_ref", *args], capture_output=True,
                          text=True, cwd=REPO, timeout=300)
    return done.returncode, done.stdout, done.stderr


def paths(*names: str) -> list[str]:
    return [str(snarkjs_dir() / name) for name in names]


@pytest.mark.parametrize("backend", ["reference", "fast"])
def test_valid_proof_exits_zero(backend: str, capsys: pytest.CaptureFixture[str]) -> None:
    """ZK-CLI-1: a valid proof: exit 0 and one line starting ``valid``."""
    status = main(["zk", "verify", *paths("verification_key.json", "proof.json",
                                          "public.json"), "--backend", backend])
    out = capsys.readouterr().out
    assert status == 0 and out.startswith("valid") and out.count("\n") == 1


def test_invalid_proofs_exit_one_with_the_kind(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """ZK-CLI-1: a rejected proof: exit 1, ``invalid: <kind>: <message>``."""
    vk, proof, _ = paths("verification_key.json", "proof.json", "public.json")
    assert main(["zk", "verify", vk, proof, *paths("public_tampered.json"), "--backend",
                 "fast"]) == 1
    assert capsys.readouterr().out.startswith("invalid: zk_proof_invalid: ")
    aliased = tmp_path / "public.json"
    aliased.write_text(json.dumps([str(35 + CURVE_ORDER)]))
    assert main(["zk", "verify", vk, proof, str(aliased)]) == 1
    assert capsys.readouterr().out.startswith("invalid: zk_public_input_out_of_range: ")
    mul3_vk = paths("mul3/verification_key.json")[0]
    assert main(["zk", "verify", mul3_vk, proof, *paths("public.json")]) == 1
    assert capsys.readouterr().out.startswith("invalid: zk_public_input_count: ")


def test_unusable_input_exits_two_without_traceback(tmp_path: Path) -> None:
    """ZK-CLI-1, ZK-JSON-1: a missing file, a folder, text that is not JSON (``NaN``, an
    object naming a member twice), a file over 1 MiB: exit 2, one line on stderr, no
    traceback."""
    vk, proof, public = paths("verification_key.json", "proof.json", "public.json")
    not_json = tmp_path / "x.json"
    not_json.write_text("{not json")
    big = tmp_path / "big.json"
    big.write_text("[" + " " * (1 << 20) + "]")
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 5000 + "]" * 5000)
    nan = tmp_path / "nan.json"
    nan.write_text("[NaN]")
    twice = tmp_path / "twice.json"  # pi_a twice, the first one bogus: never last-wins
    twice.write_text(Path(proof).read_text().replace("{", '{"pi_a": ["1", "2", "1"],', 1))
    for args in ([vk, proof, str(tmp_path / "missing.json")], [vk, str(tmp_path), public],
                 [str(not_json), proof, public], [vk, proof, str(big)],
                 [vk, str(deep), public], [vk, proof, str(nan)], [vk, str(twice), public]):
        status, out, err = run(["zk", "verify", *args])
        assert status == 2, (args, out, err)
        assert "Traceback" not in err and err.startswith("supervm zk verify: ")
        assert err.count("\n") == 1, err


def test_unavailable_backend_exits_two(monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    """ZK-CLI-1, ZK-BACKEND-1: without the extra, ``--backend fast`` exits 2 naming it."""
    import importlib

    real = importlib.import_module

    def no_zksnake(name: str, *args: Any) -> Any:
        if name.startswith("zksnake"):
            raise ModuleNotFoundError(name, name=name)
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", no_zksnake)
    assert main(["zk", "verify", *paths("verification_key.json", "proof.json", "public.json"),
                 "--backend", "fast"]) == 2
    assert "supervm-ref[fast-zk]" in capsys.readouterr().err


def test_bad_backend_name_is_a_usage_error() -> None:
    """ZK-CLI-1: an unknown ``--backend`` is argparse's usage error (exit 2)."""
    status, _, err = run(["zk", "verify", "a", "b", "c", "--backend", "nope"])
    assert status == 2 and "invalid choice" in err


@pytest.mark.slow
def test_bench_zk_latency_runs(capsys: pytest.CaptureFixture[str],
                               monkeypatch: pytest.MonkeyPatch) -> None:
    """ZK-BENCH-1: a tiny run: both columns, p50/p95/avg/last, the four-pairings line; JSON
    with the window of SUPERVM_ZK_LAT_WIN."""
    monkeypatch.setenv("SUPERVM_ZK_LAT_WIN", "2")
    monkeypatch.setenv("SUPERVM_ZK_BENCH_QPS", "1000")
    assert main(["bench", "zk-latency", "--count", "1", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["window"] == 2 and report["qps"] == 1000 and report["ok"] is True
    assert [b["backend"] for b in report["backends"]] == ["reference", "fast"]
    assert all(b["valid"] == b["count"] == 1 for b in report["backends"])
    assert report["four_pairings_seconds"] > 0 and report["speedup"] > 0
    monkeypatch.delenv("SUPERVM_ZK_BENCH_QPS")
    assert main(["bench", "zk-latency", "--count", "1"]) == 0
    table = capsys.readouterr().out
    for word in ("p50", "p95", "avg", "last", "reference", "fast", "four pairing() calls",
                 "one final exponentiation"):
        assert word in table


def test_bench_without_the_extra_says_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """ZK-BENCH-1: the fast column says ``not installed (extra fast-zk)``."""
    monkeypatch.setattr(zk_bench, "zk_backend_status",
                        lambda: {"reference": None, "fast": "missing"})
    report = zk_bench.run(1)
    fast = report.backends[1]
    assert not fast.available and fast.note == "not installed (extra fast-zk)"
    assert "not installed (extra fast-zk)" in zk_bench.format_table(report)
    assert report.ok


@pytest.mark.parametrize(("env", "variable"), [
    ({"SUPERVM_ZK_BENCH_QPS": "-1"}, "SUPERVM_ZK_BENCH_QPS"),
    ({"SUPERVM_ZK_BENCH_QPS": "nan"}, "SUPERVM_ZK_BENCH_QPS"),
    ({"SUPERVM_ZK_BENCH_QPS": "fast"}, "SUPERVM_ZK_BENCH_QPS"),
    ({"SUPERVM_ZK_LAT_WIN": "0"}, "SUPERVM_ZK_LAT_WIN"),
    ({"SUPERVM_ZK_LAT_WIN": "1.5"}, "SUPERVM_ZK_LAT_WIN"),
    ({"SUPERVM_ZK_LAT_WIN": "9" * 50}, "SUPERVM_ZK_LAT_WIN"),
])
def test_bench_settings_are_checked(env: dict[str, str], variable: str) -> None:
    """ZK-BENCH-1: a bad variable is a ConfigError naming it; the defaults are 0 and 64."""
    with pytest.raises(ConfigError, match=variable):
        zk_bench.settings_from_env(env)
    assert zk_bench.settings_from_env({}) == (0.0, 64)
    assert zk_bench.nearest_rank([1.0, 2.0, 3.0, 4.0], zk_bench.P50) == 2.0
    assert zk_bench.nearest_rank([1.0, 2.0, 3.0, 4.0], zk_bench.P95) == 4.0


def test_bench_bad_variable_exits_two() -> None:
    """ZK-BENCH-1: through the command line, exit 2 with one line naming the variable."""
    done = subprocess.run([sys.executable, "-m", "supervm_ref", "bench", "zk-latency",
                           "--count", "1"], capture_output=True, text=True, cwd=REPO,
                          timeout=120, env={**__import__("os").environ,
                                            "SUPERVM_ZK_LAT_WIN": "zero"})
    assert done.returncode == 2 and "SUPERVM_ZK_LAT_WIN" in done.stderr
    assert "Traceback" not in done.stderr
