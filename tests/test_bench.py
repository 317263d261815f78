"""``supervm bench engine``: the hand-assembled modules and a smoke run (structure only, never
timing)."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import subprocess
import sys

import pytest
import wasmtime
from hypothesis import given
from hypothesis import strategies as st

from supervm_ref.bench import engine
from supervm_ref.cli import main

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
    """Each hand-assembled module is byte for byte what its WAT source compiles to."""
    assert _strip_custom_sections(bytes(wasmtime.wat2wasm(wat))) == wasm


def test_leb128_known_vectors() -> None:
    """Examples of spec 5.2.2 (and the DWARF ones)."""
    assert engine.u32(0) == b"\x00"
    assert engine.u32(127) == b"\x7f"
    assert engine.u32(128) == b"\x80\x01"
    assert engine.u32(624485) == b"\xe5\x8e\x26"
    assert engine.s32(-1) == b"\x7f"
    assert engine.s32(63) == b"\x3f"
    assert engine.s32(64) == b"\xc0\x00"
    assert engine.s32(-64) == b"\x40"
    assert engine.s32(-123456) == b"\xc0\xbb\x78"


@given(st.integers(0, 2**32 - 1), st.integers(-(2**31), 2**31 - 1))
def test_leb128_round_trips(u: int, s: int) -> None:
    """Both encoders round-trip through a reference reader and use at most 5 bytes."""
    eu, es = engine.u32(u), engine.s32(s)
    assert _leb(eu, signed=False) == (u, len(eu)) and len(eu) <= 5
    assert _leb(es, signed=True) == (s, len(es)) and len(es) <= 5


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
