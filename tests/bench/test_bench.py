"""``supervm bench engine``: the benchmark modules and a smoke run (structure only, never
timing)."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import wasmtime

from supervm_ref.bench import engine
from supervm_ref.cli import main

from ..support import REPO

MODULES = [
    (engine.FIB_WAT, engine.FIB_WASM),
    (engine.LOOP_WAT, engine.LOOP_WASM),
    (engine.ADD_WAT, engine.ADD_WASM),
    (engine.HOSTS_WAT, engine.HOSTS_WASM),
]
HAS_PYWASM = importlib.util.find_spec("pywasm") is not None


def _leb(data: bytes, signed: bool) -> tuple[int, int]:
    """Reference LEB128 reader: (value, bytes read)."""
    result = shift = 0
    for i, byte in enumerate(data):
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            if signed and byte & 0x40:
                result -= 1 << shift
            return result, i + 1
    raise ValueError("unterminated LEB128")


def _strip_custom_sections(wasm: bytes) -> bytes:
    """The module without custom sections (wat2wasm may add a ``name`` section)."""
    out = bytearray(wasm[:8])
    pos = 8
    while pos < len(wasm):
        sid = wasm[pos]
        size, n = _leb(wasm[pos + 1:pos + 6], signed=False)
        end = pos + 1 + n + size
        if sid != 0:
            out += wasm[pos:end]
        pos = end
    return bytes(out)


@pytest.mark.parametrize("wat,wasm", MODULES, ids=["fib", "loop", "add", "hosts"])
def test_builder_matches_wat2wasm(wat: str, wasm: bytes) -> None:
    """Each module, built as a Module and encoded (WASM-ENC-1), is byte for byte what its WAT
    source compiles to."""
    assert _strip_custom_sections(bytes(wasmtime.wat2wasm(wat))) == wasm


def test_modules_compute_the_expected_values_in_wasmtime() -> None:
    """The benchmark modules mean what the workloads expect (checked by another engine)."""
    eng = wasmtime.Engine()
    store = wasmtime.Store(eng)

    def export(wasm: bytes, name: str) -> wasmtime.Func:
        inst = wasmtime.Instance(store, wasmtime.Module(eng, wasm), [])
        f = inst.exports(store)[name]
        assert isinstance(f, wasmtime.Func)
        return f

    fib, loop, calls, _ = engine.WORKLOADS
    assert export(engine.FIB_WASM, "fib")(store, 12) == fib.expected(12) == 144
    assert export(engine.LOOP_WASM, "sum")(store, 1000) == loop.expected(1000)
    add = export(engine.ADD_WASM, "add")
    assert sum(add(store, i, 1) for i in range(50)) == calls.expected(50)


def _run_cli(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        status = main(list(argv))
    return status, out.getvalue()


def test_bench_engine_quick_json() -> None:
    """The JSON report has every workload at its quick size, computed correctly."""
    status, out = _run_cli("bench", "engine", "--quick", "--json")
    assert status == 0
    report = json.loads(out)
    assert report["benchmark"] == "engine" and report["quick"] is True and report["ok"] is True
    names = [w["name"] for w in report["workloads"]]
    assert names == ["fib", "loop", "calls", "instantiate"]
    for w, spec in zip(report["workloads"], engine.WORKLOADS, strict=True):
        assert w["size"] == spec.quick_size
        assert w["ok"] is True and w["error"] is None
        assert isinstance(w["supervm_ref_seconds"], float) and w["supervm_ref_seconds"] >= 0
        if HAS_PYWASM:
            assert isinstance(w["pywasm_seconds"], float)
            assert w["ratio"] is None or w["ratio"] > 0
        else:
            assert w["pywasm_seconds"] is None and w["ratio"] is None
    assert (report["pywasm"] is not None) == HAS_PYWASM


def test_bench_engine_table() -> None:
    """The plain-text table: a header, a rule, one row per workload, all aligned."""
    status, out = _run_cli("bench", "engine", "--quick", "--no-pywasm")
    assert status == 0
    lines = out.splitlines()
    assert lines[0].split() == ["workload", "supervm-ref", "(s)", "pywasm", "(s)", "ratio"]
    assert set(lines[1]) <= {"-", " "}
    rows = lines[2:6]
    assert len({len(line) for line in lines[:6]}) == 1  # aligned: equal widths
    assert [r.split()[0] for r in rows] == ["fib(12)", "i32", "200", "20"]
    assert all(r.split()[-2:] == ["n/a", "-"] for r in rows)
    assert "pywasm not installed" in out


def test_bench_without_a_benchmark_prints_usage() -> None:
    """``supervm bench`` alone names the benchmarks and fails with status 2."""
    status, out = _run_cli("bench")
    assert status == 2 and "engine" in out


def test_bench_engine_quick_as_a_command() -> None:
    """The smoke test CI runs: ``supervm bench engine --quick`` as a process."""
    proc = subprocess.run([sys.executable, "-m", "supervm_ref", "bench", "engine", "--quick"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0].startswith("workload")
    assert "instantiations (memory + 5 host imports)" in proc.stdout


# --- bench runtime from an installed package -------------------------------------------------

def test_packaged_token_contract_is_the_conformance_one() -> None:
    """The token contract shipped in the package is byte for byte the conformance contract,
    and is the one ``bench runtime`` reads."""
    from supervm_ref.bench import runtime

    repo = REPO
    packaged = sorted((repo / "supervm_ref" / "bench" / "contracts").iterdir())
    assert [p.name for p in packaged] == ["token.wasm"]
    for path in packaged:
        assert path.read_bytes() == (repo / "conformance" / "contracts" / path.name).read_bytes()
    assert packaged[0] == runtime.TOKEN_WASM


#: Runs the command line with the wasmtime package hidden, as after a plain install.
WITHOUT_WASMTIME = ("import sys; sys.modules['wasmtime'] = None; "
                    "from supervm_ref.cli import main; sys.exit(main(sys.argv[1:]))")


def test_bench_runtime_without_wasmtime_names_the_extra(tmp_path: Path) -> None:
    """Without wasmtime, ``bench runtime`` times the reference, exits 0 and says that the
    wasmtime part was skipped and how to install it."""
    proc = subprocess.run([sys.executable, "-c", WITHOUT_WASMTIME, "bench", "runtime",
                           "--transfers", "3"], capture_output=True, text=True, cwd=tmp_path,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "wasmtime skipped" in proc.stdout
    assert "pip install 'supervm-ref[wasmtime]'" in proc.stdout
    assert proc.stdout.splitlines()[2].split()[:2] == ["reference", "3"]


@pytest.mark.slow
def test_bench_runtime_from_a_built_wheel(tmp_path: Path) -> None:
    """The newcomer's way: build the wheel, use it from another folder (here unpacked on
    PYTHONPATH, without wasmtime): ``bench runtime`` finds its contract and runs."""
    import shutil
    import zipfile

    repo = REPO
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(repo / name, source / name)
    shutil.copytree(repo / "supervm_ref", source / "supervm_ref",
                    ignore=shutil.ignore_patterns("__pycache__"))
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w",
                            str(tmp_path / "dist"), str(source)], capture_output=True,
                           text=True, timeout=600, check=False)
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = (tmp_path / "dist").glob("supervm_ref-*.whl")
    installed = tmp_path / "installed"
    with zipfile.ZipFile(wheel) as archive:
        assert "supervm_ref/bench/contracts/token.wasm" in archive.namelist()
        for name in ("SOURCE", "coin.wasm", "proof.json", "public.json",
                     "verification_key.json"):  # demos 8-10 and bench mixed-path
            assert f"supervm_ref/demos/data/{name}" in archive.namelist()
        archive.extractall(installed)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(installed)}
    env.pop("SUPERVM_PROGRESS", None)
    where = subprocess.run([sys.executable, "-c",
                            "import supervm_ref; print(supervm_ref.__file__)"],
                           capture_output=True, text=True, cwd=elsewhere, env=env, check=True)
    assert where.stdout.startswith(str(installed))
    proc = subprocess.run([sys.executable, "-c", WITHOUT_WASMTIME, "bench", "runtime", "--quick"],
                          capture_output=True, text=True, cwd=elsewhere, env=env, timeout=300,
                          check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "missing contract" not in proc.stdout and "wasmtime skipped" in proc.stdout
    mixed = subprocess.run([sys.executable, "-m", "supervm_ref", "bench", "mixed-path", "--txs",
                            "10", "--privacy-ratio", "0.1", "--zk-backend", "reference"],
                           capture_output=True, text=True, cwd=elsewhere, env=env, timeout=300,
                           check=False)
    assert mixed.returncode == 0, mixed.stdout + mixed.stderr
    assert "bench_privacy_executed_total 1" in mixed.stdout
