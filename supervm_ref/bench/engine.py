"""``supervm bench engine``: time the WebAssembly engine, and pywasm on the same work.

Four workloads, each a small module run through the public embedding API
(`supervm_ref.wasm.embedding`, spec appendix A.1):

- ``fib``: ``fib(25)``, naive recursion on i32 (about 250 000 calls);
- ``loop``: a loop of 10^6 iterations adding i32s in locals;
- ``calls``: 10^4 invocations of an exported ``add`` through ``func_invoke``;
- ``instantiate``: 1 000 instantiations of a module with a memory and five host imports.

``--quick`` shrinks every size (for CI smoke tests). When pywasm is importable (the ``bench``
extra) the same binaries run on pywasm in the same process and the table shows the ratio
``pywasm seconds / supervm-ref seconds`` (above 1: supervm-ref is faster).

Each module is written here as a `Module` (spec chapter 2) and turned into bytes by the
engine's encoder (`encode_module`, spec/wasm.md WASM-ENC-*); the WAT source of each module is
kept beside it (``*_WAT``) and ``tests/bench/test_bench.py`` checks that ``wasmtime.wat2wasm``
of that source gives the same bytes. Timings use the wall clock; nothing measured here feeds
back into the engine.
"""

from __future__ import annotations

import io
import json
import platform
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any

from .. import wasm as E
from ..wasm import (
    MASK32,
    Export,
    ExportDesc,
    ExternVal,
    Func,
    FuncType,
    Import,
    ImportDesc,
    Instruction,
    Limits,
    Mem,
    MemType,
    Module,
    ValType,
    Value,
    encode_module,
)
from . import package_version

# --- building modules (spec chapter 2) ----------------------------------------------------------

I32 = ValType.I32


def ins(op: str, *imm: int | ValType | None) -> Instruction:
    """One instruction: its mnemonic and immediates (`supervm_ref.wasm.structure`)."""
    return Instruction(op, imm)


def func(type_idx: int, *body: Instruction, locals_: tuple[ValType, ...] = ()) -> Func:
    """A function of type ``type_idx`` whose body is ``body`` then ``end``."""
    return Func(type_idx, locals_, (*body, ins("end")))


def export_func(name: str, funcidx: int) -> Export:
    """An export of function ``funcidx``."""
    return Export(name, ExportDesc("func", funcidx))


def import_func(module: str, name: str, typeidx: int) -> Import:
    """An import of a function of type ``typeidx``."""
    return Import(module, name, ImportDesc("func", typeidx))


# --- the benchmark modules ----------------------------------------------------------------------

FIB_WAT = """
(module
  (type (func (param i32) (result i32)))
  (func (type 0)
    local.get 0 i32.const 2 i32.lt_u
    if (result i32)
      local.get 0
    else
      local.get 0 i32.const 1 i32.sub call 0
      local.get 0 i32.const 2 i32.sub call 0
      i32.add
    end)
  (export "fib" (func 0)))
"""
FIB_WASM = encode_module(Module(
    types=(FuncType((I32,), (I32,)),),
    funcs=(func(0,
                ins("local.get", 0), ins("i32.const", 2), ins("i32.lt_u"),
                ins("if", I32),
                ins("local.get", 0),
                ins("else"),
                ins("local.get", 0), ins("i32.const", 1), ins("i32.sub"), ins("call", 0),
                ins("local.get", 0), ins("i32.const", 2), ins("i32.sub"), ins("call", 0),
                ins("i32.add"),
                ins("end")),),
    exports=(export_func("fib", 0),),
))

LOOP_WAT = """
(module
  (type (func (param i32) (result i32)))
  (func (type 0) (local i32 i32)
    block
      local.get 0 i32.eqz br_if 0
      loop
        local.get 2 local.get 1 i32.add local.set 2
        local.get 1 i32.const 1 i32.add local.tee 1
        local.get 0 i32.lt_u br_if 0
      end
    end
    local.get 2)
  (export "sum" (func 0)))
"""
LOOP_WASM = encode_module(Module(
    types=(FuncType((I32,), (I32,)),),
    funcs=(func(0,
                ins("block", None),
                ins("local.get", 0), ins("i32.eqz"), ins("br_if", 0),
                ins("loop", None),
                ins("local.get", 2), ins("local.get", 1), ins("i32.add"), ins("local.set", 2),
                ins("local.get", 1), ins("i32.const", 1), ins("i32.add"), ins("local.tee", 1),
                ins("local.get", 0), ins("i32.lt_u"), ins("br_if", 0),
                ins("end"),
                ins("end"),
                ins("local.get", 2),
                locals_=(I32, I32)),),
    exports=(export_func("sum", 0),),
))

ADD_WAT = """
(module
  (type (func (param i32 i32) (result i32)))
  (func (type 0) local.get 0 local.get 1 i32.add)
  (export "add" (func 0)))
"""
ADD_WASM = encode_module(Module(
    types=(FuncType((I32, I32), (I32,)),),
    funcs=(func(0, ins("local.get", 0), ins("local.get", 1), ins("i32.add")),),
    exports=(export_func("add", 0),),
))

HOSTS_WAT = """
(module
  (type (func (param i32) (result i32)))
  (type (func (param i32 i32)))
  (type (func (result i32)))
  (import "env" "h0" (func (type 0)))
  (import "env" "h1" (func (type 0)))
  (import "env" "h2" (func (type 1)))
  (import "env" "h3" (func (type 1)))
  (import "env" "h4" (func (type 2)))
  (func (type 2)
    call 4 call 0 call 1
    i32.const 0 i32.const 1 call 2
    i32.const 2 i32.const 3 call 3)
  (memory 1)
  (export "memory" (memory 0))
  (export "run" (func 5)))
"""
#: Host import types of HOSTS_WASM: (params, results) for h0..h4.
HOST_SIGNATURES: tuple[tuple[tuple[ValType, ...], tuple[ValType, ...]], ...] = (
    ((ValType.I32,), (ValType.I32,)), ((ValType.I32,), (ValType.I32,)),
    ((ValType.I32, ValType.I32), ()), ((ValType.I32, ValType.I32), ()),
    ((), (ValType.I32,)),
)
HOSTS_WASM = encode_module(Module(
    types=(FuncType((I32,), (I32,)), FuncType((I32, I32), ()), FuncType((), (I32,))),
    imports=(import_func("env", "h0", 0), import_func("env", "h1", 0),
             import_func("env", "h2", 1), import_func("env", "h3", 1),
             import_func("env", "h4", 2)),
    funcs=(func(2,
                ins("call", 4), ins("call", 0), ins("call", 1),
                ins("i32.const", 0), ins("i32.const", 1), ins("call", 2),
                ins("i32.const", 2), ins("i32.const", 3), ins("call", 3)),),
    mems=(Mem(MemType(Limits(1))),),
    exports=(Export("memory", ExportDesc("memory", 0)), export_func("run", 5)),
))

# --- workloads ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Workload:
    """One timed workload: its sizes, and how to describe and check it."""

    name: str
    full_size: int
    quick_size: int
    describe: Callable[[int], str]
    expected: Callable[[int], int]


def _fib(n: int) -> int:
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


WORKLOADS = (
    Workload("fib", 25, 12, lambda n: f"fib({n}) recursive, i32", _fib),
    Workload("loop", 1_000_000, 10_000, lambda n: f"i32 add loop, {n:,} iterations",
             lambda n: (n * (n - 1) // 2) & MASK32),
    Workload("calls", 10_000, 200, lambda n: f"{n:,} calls of add via func_invoke",
             lambda n: (n * (n - 1) // 2 + n) & MASK32),
    Workload("instantiate", 1_000, 20,
             lambda n: f"{n:,} instantiations (memory + 5 host imports)", lambda n: n),
)


def _supervm_run(workload: str, n: int) -> int:
    """Run one workload on supervm-ref; returns the value checked against ``expected``."""
    store = E.store_init()
    if workload == "fib":
        inst = E.module_instantiate(store, E.module_decode(FIB_WASM), [])
        addr = E.instance_export(inst, "fib").addr
        return _payload(E.func_invoke(store, addr, [Value.i32(n)])[0])
    if workload == "loop":
        inst = E.module_instantiate(store, E.module_decode(LOOP_WASM), [])
        addr = E.instance_export(inst, "sum").addr
        return _payload(E.func_invoke(store, addr, [Value.i32(n)])[0])
    if workload == "calls":
        inst = E.module_instantiate(store, E.module_decode(ADD_WASM), [])
        addr = E.instance_export(inst, "add").addr
        total = 0
        one = Value.i32(1)
        for i in range(n):
            total += _payload(E.func_invoke(store, addr, [Value.i32(i), one])[0])
        return total & MASK32
    mod = E.module_decode(HOSTS_WASM)
    imports = [ExternVal("func", E.func_alloc(store, FuncType(params, results), _host(results)))
               for params, results in HOST_SIGNATURES]
    count = 0
    for _ in range(n):
        inst = E.module_instantiate(store, mod, imports)
        count += E.instance_export(inst, "run").kind == "func"
    return count


def _host(results: tuple[ValType, ...]) -> Callable[..., list[int]]:
    def hostfunc(caller: Any, *args: int) -> list[int]:
        return [0] * len(results)
    return hostfunc


def _payload(v: Value) -> int:
    return v.payload if isinstance(v.payload, int) else -1


def _pywasm_run(pywasm: Any, workload: str, n: int) -> int:
    """The same workload on pywasm (its API: ``Runtime``, ``ModuleDesc``, ``Machine``)."""
    core = pywasm.core
    rt = core.Runtime()

    def load(data: bytes) -> Any:
        return core.ModuleDesc.from_reader(io.BytesIO(data))

    def export_addr(inst: Any, field_: str) -> int:
        return int(next(e for e in inst.exps if e.name == field_).data.data)

    def call1(addr: int, args: list[Any]) -> int:
        return int(rt.machine.invocate(addr, args)[0].into_u32())

    if workload == "fib":
        inst = rt.instance(load(FIB_WASM))
        return call1(export_addr(inst, "fib"), [core.ValInst.from_i32(n)])
    if workload == "loop":
        inst = rt.instance(load(LOOP_WASM))
        return call1(export_addr(inst, "sum"), [core.ValInst.from_i32(n)])
    if workload == "calls":
        inst = rt.instance(load(ADD_WASM))
        addr = export_addr(inst, "add")
        total = 0
        for i in range(n):
            total += call1(addr, [core.ValInst.from_i32(i), core.ValInst.from_i32(1)])
        return total & MASK32
    mod = load(HOSTS_WASM)
    vt = {ValType.I32: core.ValType.i32()}
    rt.imports["env"] = {
        f"h{i}": rt.allocate_func_host(
            core.FuncType([vt[t] for t in params], [vt[t] for t in results]),
            _pywasm_host(len(results)))
        for i, (params, results) in enumerate(HOST_SIGNATURES)
    }
    count = 0
    for _ in range(n):
        inst = rt.instance(mod)
        count += any(e.name == "run" for e in inst.exps)
    return count


def _pywasm_host(nresults: int) -> Callable[[Any, list[Any]], list[int]]:
    def hostfunc(machine: Any, args: list[Any]) -> list[int]:
        return [0] * nresults
    return hostfunc


# --- running and reporting ------------------------------------------------------------------------


@dataclass
class WorkloadResult:
    """The measurement of one workload (seconds are the best of the repeats)."""

    name: str
    description: str
    size: int
    supervm_ref_seconds: float | None
    pywasm_seconds: float | None
    ratio: float | None
    ok: bool
    error: str | None = None


@dataclass
class EngineReport:
    """The whole ``bench engine`` run."""

    quick: bool
    repeat: int
    python: str
    pywasm: str | None
    workloads: list[WorkloadResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when supervm-ref computed the expected value for every workload."""
        return all(w.ok for w in self.workloads)


def _time(fn: Callable[[], int], expected: int,
          repeat: int) -> tuple[float | None, bool, str | None]:
    """Best wall-clock time of ``repeat`` runs, whether every run returned ``expected``, and
    the error message if one raised."""
    best: float | None = None
    ok = True
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            value = fn()
        except Exception as e:  # a benchmark reports failures, never hides them
            return None, False, f"{type(e).__name__}: {e}"
        elapsed = time.perf_counter() - start
        ok = ok and value == expected
        best = elapsed if best is None else min(best, elapsed)
    return best, ok, None if ok else "wrong result"


def load_pywasm() -> tuple[Any, str] | None:
    """pywasm and its installed version, or None when it is not importable."""
    try:
        import pywasm  # optional dependency (the bench extra)
    except ImportError:
        return None
    return pywasm, package_version("pywasm", str(getattr(pywasm, "version", "unknown")))


def run(quick: bool = False, repeat: int = 1, use_pywasm: bool = True,
        progress: Callable[[str], None] | None = None) -> EngineReport:
    """Run every workload on supervm-ref and, when available, on pywasm."""
    loaded = load_pywasm() if use_pywasm else None
    report = EngineReport(quick=quick, repeat=repeat, python=platform.python_version(),
                          pywasm=loaded[1] if loaded else None)
    for w in WORKLOADS:
        n = w.quick_size if quick else w.full_size
        if progress:
            progress(f"{w.name}: {w.describe(n)}")
        expected = w.expected(n)
        ours, ok, error = _time(partial(_supervm_run, w.name, n), expected, repeat)
        theirs: float | None = None
        if loaded is not None:
            theirs, their_ok, their_error = _time(partial(_pywasm_run, loaded[0], w.name, n),
                                                  expected, repeat)
            if not their_ok:
                theirs = None
                error = error or f"pywasm: {their_error}"
        ratio = theirs / ours if ours and theirs else None
        report.workloads.append(WorkloadResult(w.name, w.describe(n), n, ours, theirs, ratio,
                                               ok, error))
    return report


def format_table(report: EngineReport) -> str:
    """The report as an aligned plain-text table."""
    header = ("workload", "supervm-ref (s)", "pywasm (s)", "ratio")
    rows = [header]
    for w in report.workloads:
        rows.append((w.description,
                     _seconds(w.supervm_ref_seconds),
                     _seconds(w.pywasm_seconds) if report.pywasm else "n/a",
                     f"{w.ratio:.2f}x" if w.ratio is not None else "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = []
    for k, r in enumerate(rows):
        lines.append("  ".join([r[0].ljust(widths[0])]
                               + [c.rjust(widths[i + 1]) for i, c in enumerate(r[1:])]))
        if k == 0:
            lines.append("  ".join("-" * wd for wd in widths))
    mode = "quick sizes" if report.quick else "full sizes"
    pw = f"pywasm {report.pywasm}" if report.pywasm else "pywasm not installed"
    lines.append("")
    lines.append(f"Python {report.python}, {pw}, {mode}, best of {report.repeat}. "
                 "ratio = pywasm seconds / supervm-ref seconds (above 1: supervm-ref is faster).")
    for w in report.workloads:
        if w.error:
            lines.append(f"error in {w.name}: {w.error}")
    return "\n".join(lines)


def _seconds(s: float | None) -> str:
    return "error" if s is None else f"{s:.3f}"


def to_json(report: EngineReport) -> str:
    """The report as JSON (stable keys, see `WorkloadResult`)."""
    data = asdict(report)
    data["benchmark"] = "engine"
    data["ok"] = report.ok
    return json.dumps(data, indent=2, sort_keys=True)
