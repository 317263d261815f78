"""``supervm bench runtime``: token transfers per second on the reference `Runtime` and on the
wasmtime backend (`supervm_ref.backends.wasmtime.WasmtimeRuntime`), in one run.

The workload is the example token contract ``conformance/contracts/token.wasm``
(``mint(account i32, amount i64) -> i32``, ``transfer(from i32, to i32, amount i64) -> i32``),
shipped inside the package as ``supervm_ref/bench/contracts/token.wasm`` so that an installed
``supervm`` finds it (a test keeps the two copies identical):

1. setup (not timed): each backend gets its own `MemoryStorage`; ``mint`` gives each of
   `ACCOUNTS` accounts a large balance (this also loads and compiles the contract);
2. timed: ``n`` transfers, transfer ``i`` moving ``1 + i % 97`` from account ``i % A`` to
   account ``(7 i + 3) % A``. Each is a complete `Runtime.call` with the default gas limit: a
   fresh instance, host calls, the storage overlay and its commit.

Both backends run the same transfers, so the run also checks that they agree: every transfer
returns 0 on both, the total gas is the same, and the storages end identical (RT-BACKEND-1).
When the wasmtime package (``pip install 'supervm-ref[wasmtime]'``) is not installed, its
column is reported as unavailable, with the reason. Timings use the wall clock; nothing measured
here feeds back into results; progress is reported only between the timed loops.
"""

from __future__ import annotations

import hashlib
import json
import platform
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..backends import BACKENDS, BackendError, BackendFactory
from ..runtime.runtime import Runtime
from ..runtime.storage import MemoryStorage
from ..wasm import Value
from . import package_version

#: The token contract: package data, a copy of ``conformance/contracts/token.wasm``.
TOKEN_WASM = Path(__file__).resolve().parent / "contracts" / "token.wasm"

ACCOUNTS = 16
INITIAL_BALANCE = 10**12
FULL_TRANSFERS = 2_000
QUICK_TRANSFERS = 50


@dataclass
class BackendResult:
    """One backend's run: ``seconds`` for ``transfers`` transfers (None when it failed or is
    unavailable)."""

    name: str
    available: bool
    transfers: int = 0
    seconds: float | None = None
    transfers_per_second: float | None = None
    gas_per_transfer: float | None = None
    ok: bool = False
    error: str | None = None
    #: The storage after the run (compared between backends; not part of the report).
    final_storage: list[tuple[bytes, bytes]] = field(default_factory=list, repr=False)
    total_gas: int = 0


@dataclass
class RuntimeReport:
    """The whole ``bench runtime`` run; ``ratio`` = wasmtime rate / reference rate."""

    quick: bool
    python: str
    wasmtime: str | None
    contract: str
    contract_sha256: str
    accounts: int
    transfers: int
    backends: list[BackendResult] = field(default_factory=list)
    agree: bool | None = None
    ratio: float | None = None

    @property
    def ok(self) -> bool:
        """Every available backend ran every transfer successfully and, when both ran, they
        agree."""
        return all(b.ok for b in self.backends if b.available) and self.agree is not False


def load_wasmtime_backend() -> tuple[BackendFactory, str] | str:
    """The wasmtime backend's factory and the installed wasmtime version, or why it cannot be
    loaded (naming the extra that installs it)."""
    try:
        factory = BACKENDS["wasmtime"].load()
    except BackendError as e:
        return e.reason.removeprefix("unavailable: ")
    return factory, package_version("wasmtime")


def transfer_args(i: int) -> list[Value]:
    """The arguments of transfer ``i``."""
    return [Value.i32(i % ACCOUNTS), Value.i32((7 * i + 3) % ACCOUNTS), Value.i64(1 + i % 97)]


def run_backend(name: str, make: BackendFactory, wasm: bytes, n: int) -> BackendResult:
    """Set up the accounts on a fresh storage, then time ``n`` transfers."""
    result = BackendResult(name, available=True, transfers=n)
    storage = MemoryStorage()
    runtime = make(storage)
    try:
        for account in range(ACCOUNTS):
            r = runtime.call(wasm, "mint", [Value.i32(account), Value.i64(INITIAL_BALANCE)])
            if not r.ok or r.results != (Value.i32(0),):
                result.error = f"mint failed: {r.error} {r.message}"
                return result
        gas = 0
        start = time.perf_counter()
        for i in range(n):
            r = runtime.call(wasm, "transfer", transfer_args(i))
            if not r.ok or r.results != (Value.i32(0),):
                result.error = f"transfer {i} failed: {r.error} {r.results} {r.message}"
                return result
            gas += r.gas_used
        elapsed = time.perf_counter() - start
    except Exception as e:  # a benchmark reports failures, never hides them
        result.error = f"{type(e).__name__}: {e}"
        return result
    result.seconds = elapsed
    result.transfers_per_second = n / elapsed if elapsed > 0 else None
    result.gas_per_transfer = gas / n if n else None
    result.total_gas = gas
    result.final_storage = storage.scan(b"", 1 << 62)
    result.ok = True
    return result


def run(quick: bool = False, transfers: int | None = None, use_wasmtime: bool = True,
        progress: Callable[[int, int, str], None] | None = None) -> RuntimeReport:
    """Run the transfers on the reference and, when installed, on the wasmtime backend.
    ``progress(done, total, label)`` is called before each backend's run (never while one is
    timed)."""
    n = transfers if transfers is not None else QUICK_TRANSFERS if quick else FULL_TRANSFERS
    loaded = load_wasmtime_backend() if use_wasmtime else "not requested"
    try:
        wasm = TOKEN_WASM.read_bytes()
    except OSError:
        wasm = b""
    report = RuntimeReport(quick=quick, python=platform.python_version(),
                           wasmtime=None if isinstance(loaded, str) else loaded[1],
                           contract=str(TOKEN_WASM),
                           contract_sha256=hashlib.sha256(wasm).hexdigest(),
                           accounts=ACCOUNTS, transfers=n)
    if not wasm:
        report.backends.append(BackendResult("reference", True, n,
                                             error=f"missing contract {TOKEN_WASM}"))
        return report
    steps = 1 if isinstance(loaded, str) else 2
    if progress:
        progress(0, steps, f"reference: {n:,} token transfers")
    ref = run_backend("reference", Runtime, wasm, n)
    report.backends.append(ref)
    if isinstance(loaded, str):
        report.backends.append(BackendResult("wasmtime", available=False, error=loaded))
        return report
    if progress:
        progress(1, steps, f"wasmtime: {n:,} token transfers")
    wt = run_backend("wasmtime", loaded[0], wasm, n)
    report.backends.append(wt)
    if ref.ok and wt.ok:
        report.agree = (ref.final_storage == wt.final_storage
                        and ref.total_gas == wt.total_gas)
        if ref.transfers_per_second and wt.transfers_per_second:
            report.ratio = wt.transfers_per_second / ref.transfers_per_second
    return report


def format_table(report: RuntimeReport) -> str:
    """The report as an aligned plain-text table."""
    header = ("backend", "transfers", "seconds", "transfers/s", "gas/transfer")
    rows = [header]
    for b in report.backends:
        if not b.available:
            rows.append((b.name, "-", "unavailable", "-", "-"))
            continue
        rows.append((b.name, f"{b.transfers:,}",
                     f"{b.seconds:.3f}" if b.seconds is not None else "error",
                     f"{b.transfers_per_second:,.0f}" if b.transfers_per_second else "-",
                     f"{b.gas_per_transfer:,.1f}" if b.gas_per_transfer else "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = []
    for k, r in enumerate(rows):
        lines.append("  ".join([r[0].ljust(widths[0])]
                               + [c.rjust(widths[i + 1]) for i, c in enumerate(r[1:])]))
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.append("")
    if report.ratio is not None:
        lines.append(f"ratio wasmtime / reference: {report.ratio:.2f}x transfers per second")
    if report.agree is not None:
        lines.append("backends agree (storage and gas): " + ("yes" if report.agree else "NO"))
    mode = "quick sizes" if report.quick else "full sizes"
    lines.append(f"Python {report.python}, "
                 + (f"wasmtime {report.wasmtime}, " if report.wasmtime else "")
                 + f"{Path(report.contract).name} ({report.accounts} accounts), {mode}.")
    skipped = [b for b in report.backends if not b.available]
    for b in skipped:
        lines.append(f"{b.name} skipped (its column is unavailable): {b.error}")
    for b in report.backends:
        if b.error and b.available:
            lines.append(f"error in {b.name}: {b.error}")
    return "\n".join(lines)


def to_json(report: RuntimeReport) -> str:
    """The report as JSON (stable keys, see `RuntimeReport` and `BackendResult`)."""
    data = asdict(report)
    for b in data["backends"]:
        del b["final_storage"]
    data["benchmark"] = "runtime"
    data["ok"] = report.ok
    return json.dumps(data, indent=2, sort_keys=True)
