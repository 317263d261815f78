"""Robustness (spec/wasm.md WASM-ERR-1): whatever bytes arrive, the engine answers with a
DecodeError, ValidationError, LinkError, Trap or a result, never another Python exception.

Random mutations of valid modules from the official suite go through the whole pipeline:
decode, validate, instantiate (with every import satisfied by a stub of the right type), and
invoke every exported function with default arguments under a gas limit.
"""

from __future__ import annotations

import contextlib
import json
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supervm_ref.wasm import embedding as E
from supervm_ref.wasm.errors import WasmError
from supervm_ref.wasm.runtime.store import ExternVal
from supervm_ref.wasm.runtime.values import Value, default_payload
from supervm_ref.wasm.structure.types import FuncType, GlobalType, MemType, TableType

from ..support import external_dir

SEED_FILES = ["fac", "br_table", "call_indirect", "memory", "bulk", "table_copy", "global",
              "ref_func", "loop", "block", "if", "select", "conversions", "memory_grow",
              "float_exprs", "local_tee", "binary-leb128", "elem", "data", "start"]


@cache
def seed_modules() -> list[bytes]:
    """Valid modules (those a `module` command loads) from a spread of suite files."""
    root = external_dir() / "wasm-testsuite" / "json"
    out: list[bytes] = []
    for name in SEED_FILES:
        script = json.loads((root / name / f"{name}.json").read_text())
        for cmd in script["commands"]:
            if cmd["type"] == "module":
                out.append((root / name / cmd["filename"]).read_bytes())
    assert len(out) > 40
    return out


def _stub(store: E.Store, t: object) -> ExternVal:
    """An external value of type ``t`` (a host function returning defaults, or a fresh
    table/memory/global)."""
    if isinstance(t, FuncType):
        results = [default_payload(r) for r in t.results]
        return ExternVal("func", E.func_alloc(store, t, lambda caller, *a: results))
    if isinstance(t, TableType):
        return ExternVal("table", E.table_alloc(store, t))
    if isinstance(t, MemType):
        return ExternVal("memory", E.mem_alloc(store, t))
    assert isinstance(t, GlobalType)
    return ExternVal("global", E.global_alloc(store, t, Value(t.val_type,
                                                              default_payload(t.val_type))))


def run_everything(data: bytes) -> str:
    """Drive ``data`` through the whole API; return the outcome's name. Only WasmError may
    be raised by the engine (WASM-ERR-1); anything else fails the test."""
    try:
        module = E.module_decode(data)
        E.module_validate(module)
        store = E.store_init()
        imports = [_stub(store, t) for _, _, t in E.module_imports(module)]
        inst = E.module_instantiate(store, module, imports, gas_limit=10_000)
        for name, t in E.module_exports(module):
            if isinstance(t, FuncType):
                args = [Value(p, default_payload(p)) for p in t.params]
                with contextlib.suppress(WasmError):
                    E.func_invoke_with_gas(store, E.instance_export(inst, name).addr, args,
                                           10_000)
        return "ran"
    except WasmError as e:
        return type(e).__name__


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A seed module with a few random byte flips, insertions, deletions or a truncation."""
    data = bytearray(draw(st.sampled_from(seed_modules())))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "set", "insert", "delete", "truncate"]))
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        if kind == "flip":
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif kind == "set":
            data[i] = draw(st.integers(0, 255))
        elif kind == "insert":
            data.insert(i, draw(st.integers(0, 255)))
        elif kind == "delete":
            del data[i]
        else:
            del data[i:]
    return bytes(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_modules_only_raise_wasm_errors(data: bytes) -> None:
    """WASM-ERR-1 over random mutations."""
    assert run_everything(data) in {"ran", "DecodeError", "ValidationError", "LinkError",
                                    "Trap", "EmbeddingError"}


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=64))
def test_random_bytes_are_malformed(data: bytes) -> None:
    """WASM-ERR-1: arbitrary bytes (almost never a module) give DecodeError, not a crash."""
    assert run_everything(b"\0asm\x01\0\0\0" + data) in {
        "ran", "DecodeError", "ValidationError", "LinkError", "Trap", "EmbeddingError"}


def test_every_seed_module_runs() -> None:
    """The corpus itself is valid: every seed module decodes, validates and instantiates."""
    outcomes = [run_everything(m) for m in seed_modules()]
    assert outcomes.count("ran") + outcomes.count("Trap") == len(outcomes), outcomes


def test_seed_files_exist() -> None:
    """The seed list names real suite files (so the corpus cannot silently shrink)."""
    root = external_dir() / "wasm-testsuite" / "json"
    missing = [n for n in SEED_FILES if not Path(root / n / f"{n}.json").exists()]
    assert not missing
