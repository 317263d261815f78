"""``supervm bench zk-latency``: the latency of verifying a Groth16 proof, on the reference
verifier and the fast one side by side (spec/privacy.md ZK-BENCH-1).

The workload is snarkjs's proof of ``x^3 + x + 5 = 35`` from ``snarkjs-groth16/`` of
``$SUPERVM_EXTERNAL`` (default ``shared/external`` beside the repository): its documents are
parsed once (not timed), then each backend verifies it ``count`` times with `verify_groth16`
(timed: public-input checks and the pairing product; the key's and proof's point checks were
made when they were parsed). Each latency enters a sliding window of the last
``SUPERVM_ZK_LAT_WIN`` (default 64); the report gives its p50, p95 (nearest rank), average
and last value. ``SUPERVM_ZK_BENCH_QPS`` paces the verifications at that many per second
(0, the default: back to back).

The same run times the equation the naive way -- four py_ecc ``pairing()`` calls, each with
its own final exponentiation -- against the reference's four Miller loops and one final
exponentiation (ZK-VERIFY-1), so the speed-up is measured rather than claimed.
"""

from __future__ import annotations

import json
import math
import os
import platform
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..config import ConfigError
from ..metrics import ZkLatencyRecorder
from ..metrics.routing import P50, P95
from ..metrics.window import nearest_rank
from ..privacy import (
    Proof,
    VerifyingKey,
    ZkError,
    load_json_text,
    parse_proof,
    parse_public_inputs,
    parse_verifying_key,
    verify_groth16,
    zk_backend_status,
)
from ..privacy.pyecc import FQ12, pairing
from ..privacy.verifier import reference_pairing_check, vk_x_py_ecc
from . import package_version

QPS_ENV = "SUPERVM_ZK_BENCH_QPS"
WINDOW_ENV = "SUPERVM_ZK_LAT_WIN"
DEFAULT_WINDOW = 64
MAX_WINDOW = 1_000_000
MAX_QPS = 1_000_000.0
DEFAULT_COUNT = 20
#: How many times the four-pairings comparison runs (each run costs about a second).
PAIRING_RUNS = 3
#: Said in the fast column when the extra is not installed.
NOT_INSTALLED = "not installed (extra fast-zk)"


def settings_from_env(env: Mapping[str, str] | None = None) -> tuple[float, int]:
    """ZK-BENCH-1: ``(qps, window)`` from `QPS_ENV` (a finite number in [0, 10^6], default 0)
    and `WINDOW_ENV` (an integer in [1, 10^6], default 64); `ConfigError` naming the
    variable otherwise."""
    env = os.environ if env is None else env
    qps_text = env.get(QPS_ENV, "0").strip() or "0"
    try:
        qps = float(qps_text)
    except ValueError:
        qps = math.nan
    if not math.isfinite(qps) or not 0 <= qps <= MAX_QPS:
        raise ConfigError(f"{QPS_ENV}: expected a number of queries per second from 0 to "
                          f"{MAX_QPS:,.0f} (0: as fast as possible), found {qps_text[:40]!r}")
    window_text = env.get(WINDOW_ENV, str(DEFAULT_WINDOW)).strip() or str(DEFAULT_WINDOW)
    if not window_text.isascii() or not window_text.isdigit() or len(window_text) > 7 \
            or not 1 <= int(window_text) <= MAX_WINDOW:
        raise ConfigError(f"{WINDOW_ENV}: expected a window size from 1 to {MAX_WINDOW:,}, "
                          f"found {window_text[:40]!r}")
    return qps, int(window_text)


def workload_folder(env: Mapping[str, str] | None = None) -> Path:
    """ZK-EXT-1: ``$SUPERVM_EXTERNAL/snarkjs-groth16``, else ``shared/external`` beside the
    repository holding this package."""
    env = os.environ if env is None else env
    base = env.get("SUPERVM_EXTERNAL")
    root = Path(base) if base else Path(__file__).resolve().parents[3] / "shared" / "external"
    return root / "snarkjs-groth16"


def load_workload(folder: Path) -> tuple[VerifyingKey, Proof, tuple[int, ...]]:
    """The verifying key, proof and public inputs of ``folder``; `ConfigError` when they
    cannot be read (a missing folder names ``SUPERVM_EXTERNAL``)."""
    documents = []
    for name in ("verification_key.json", "proof.json", "public.json"):
        path = folder / name
        try:
            documents.append(load_json_text(path.read_bytes(), name))
        except OSError as e:
            raise ConfigError(f"cannot read the workload {path}: {e.strerror or e}; set "
                              f"SUPERVM_EXTERNAL to the folder holding snarkjs-groth16/") from e
        except ZkError as e:
            raise ConfigError(f"the workload {path} is unusable: {e}") from e
    try:
        return (parse_verifying_key(documents[0]), parse_proof(documents[1]),
                parse_public_inputs(documents[2]))
    except ZkError as e:
        raise ConfigError(f"the workload in {folder} is unusable: {e}") from e


@dataclass
class LatencyStats:
    """One verifier's latencies in seconds over the window (None when it did not run)."""

    backend: str
    available: bool
    note: str = ""
    count: int = 0
    valid: int = 0
    p50: float | None = None
    p95: float | None = None
    avg: float | None = None
    last: float | None = None


@dataclass
class ZkLatencyReport:
    """The whole ``bench zk-latency`` run."""

    python: str
    py_ecc: str
    zksnake: str | None
    count: int
    qps: float
    window: int
    backends: list[LatencyStats] = field(default_factory=list)
    four_pairings_seconds: float | None = None
    one_final_exp_seconds: float | None = None
    speedup: float | None = None
    pairing_agree: bool = False

    @property
    def ok(self) -> bool:
        """Every verification on every available backend found the proof valid, and the two
        ways of evaluating the equation agree."""
        return self.pairing_agree and all(b.valid == b.count for b in self.backends
                                          if b.available)


def four_pairings_check(vk: VerifyingKey, proof: Proof, public: tuple[int, ...]) -> bool:
    """The equation as four full py_ecc ``pairing()`` calls (four final exponentiations):
    ``e(A, B) == e(alpha, beta) e(vk_x, gamma) e(C, delta)``. Only for comparison."""
    left = pairing(proof.b.to_py_ecc(), proof.a.to_py_ecc())
    right = (pairing(vk.beta_2.to_py_ecc(), vk.alpha_1.to_py_ecc())
             * pairing(vk.gamma_2.to_py_ecc(), vk_x_py_ecc(vk, public))
             * pairing(vk.delta_2.to_py_ecc(), proof.c.to_py_ecc()))
    return bool(left == right) and left != FQ12.one()


def _measure(backend: str, count: int, qps: float, window: int, vk: VerifyingKey,
             proof: Proof, public: tuple[int, ...], tick: Callable[[], None],
             recorder: ZkLatencyRecorder | None) -> LatencyStats:
    stats = LatencyStats(backend, True)
    latencies: deque[float] = deque(maxlen=window)
    start = time.perf_counter()
    for i in range(count):
        if qps > 0:  # pacing: the i-th verification starts no earlier than start + i / qps
            delay = start + i / qps - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        began = time.perf_counter()
        try:
            verify_groth16(vk, proof, public, backend=backend)
            stats.valid += 1
        except ZkError as e:
            stats.note = e.kind
        latencies.append(time.perf_counter() - began)
        if recorder is not None:
            recorder.record(latencies[-1] * 1000)
        stats.count += 1
        tick()
    ordered = sorted(latencies)
    # METRIC-QUANT-1's nearest rank, the one the served vm_privacy_zk_verify_* use
    stats.p50, stats.p95 = nearest_rank(ordered, P50), nearest_rank(ordered, P95)
    stats.avg, stats.last = sum(ordered) / len(ordered), latencies[-1]
    return stats


def run(count: int = DEFAULT_COUNT, *, env: Mapping[str, str] | None = None,
        progress: Callable[[int, int, str], None] | None = None,
        recorder: ZkLatencyRecorder | None = None) -> ZkLatencyReport:
    """ZK-BENCH-1: time ``count`` verifications per available backend and the four-pairings
    comparison; `ConfigError` for a bad environment variable or a missing workload.
    METRIC-ZK-1: ``recorder`` receives every timed verification as it happens, the backends
    one after the other (``supervm bench zk-latency --serve-metrics`` serves it)."""
    qps, window = settings_from_env(env)
    vk, proof, public = load_workload(workload_folder(env))
    status = zk_backend_status()
    report = ZkLatencyReport(platform.python_version(), package_version("py_ecc"),
                             package_version("zksnake", "") or None, count, qps, window)

    runs = max(1, min(count, PAIRING_RUNS))
    total = count * sum(1 for name in ("reference", "fast") if status[name] is None) + runs
    done = [0]

    def tick(label: str) -> Callable[[], None]:
        def advance() -> None:
            done[0] += 1
            if progress is not None:
                progress(done[0], total, label)
        return advance

    for name in ("reference", "fast"):
        if status[name] is not None:
            report.backends.append(LatencyStats(name, False, NOT_INSTALLED if name == "fast"
                                                else str(status[name])))
            continue
        report.backends.append(_measure(name, count, qps, window, vk, proof, public,
                                        tick(f"zk-latency {name}"), recorder))
    four = one = 0.0
    agree = True
    for _ in range(runs):
        began = time.perf_counter()
        naive = four_pairings_check(vk, proof, public)
        four += time.perf_counter() - began
        began = time.perf_counter()
        product = reference_pairing_check(vk, proof, public)
        one += time.perf_counter() - began
        agree = agree and naive and product
        tick("zk-latency four pairings")()
    report.four_pairings_seconds, report.one_final_exp_seconds = four / runs, one / runs
    report.speedup = report.four_pairings_seconds / report.one_final_exp_seconds
    report.pairing_agree = agree
    return report


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:,.2f}"


def format_table(report: ZkLatencyReport) -> str:
    """The report as an aligned plain-text table, milliseconds."""
    names = [b.backend for b in report.backends]
    rows = [("latency (ms)", *names)]
    for label, attr in (("p50", "p50"), ("p95", "p95"), ("avg", "avg"), ("last", "last")):
        rows.append((label, *[_ms(getattr(b, attr)) if b.available else b.note
                              for b in report.backends]))
    rows.append(("valid", *[f"{b.valid}/{b.count}" if b.available else "-"
                            for b in report.backends]))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [f"zk-latency: {report.count} verification(s) per backend of snarkjs's proof "
             f"(x^3 + x + 5 = 35), window {report.window}, "
             f"{'as fast as possible' if report.qps == 0 else f'{report.qps:g} per second'}"]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.append(f"pairing equation, py_ecc: four pairing() calls "
                 f"{_ms(report.four_pairings_seconds)} ms, four Miller loops + one final "
                 f"exponentiation {_ms(report.one_final_exp_seconds)} ms: speed-up "
                 f"{report.speedup or 0:.2f}x"
                 f"{'' if report.pairing_agree else ' (THE TWO DISAGREE)'}")
    lines.append(f"python {report.python}, py_ecc {report.py_ecc}, zksnake "
                 f"{report.zksnake or NOT_INSTALLED}")
    return "\n".join(lines)


def to_json(report: ZkLatencyReport) -> str:
    """The report as JSON (seconds; stable keys, see `ZkLatencyReport`)."""
    data = asdict(report)
    data["benchmark"] = "zk-latency"
    data["ok"] = report.ok
    return json.dumps(data, indent=2, sort_keys=True)
