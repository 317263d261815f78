"""Charts of the benchmarks that produce series (``supervm bench ... --plot FILE.png``).

``bench parallel``: speedup against virtual workers, one line per account count, each with its
critical-path bound dashed in the same colour (SCHED-BENCH-1). ``bench metrics``: commits per
second of every round with metrics recording off and on (METRIC-BENCH-2).

matplotlib is the optional extra ``plot`` (``pip install 'supervm-ref[plot]'``); without it
`require_matplotlib` raises `PlotUnavailable`, which names the extra. Charts are drawn on a
`Figure` of their own with the Agg canvas (no GUI, no global backend switched), and the PNG is
written atomically.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ..errors import SuperVMError

#: The extra that installs matplotlib, and the command that installs it.
PLOT_EXTRA = "plot"
INSTALL_HINT = f"pip install 'supervm-ref[{PLOT_EXTRA}]'"
#: The first bytes of every PNG file.
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class PlotUnavailable(SuperVMError):
    """--plot was asked for but matplotlib is not installed (the extra ``plot``)."""

    def __init__(self) -> None:
        super().__init__(f"--plot needs matplotlib, which is not installed: {INSTALL_HINT}")


def require_matplotlib() -> None:
    """Raise `PlotUnavailable` unless matplotlib can be imported (checked before a bench runs,
    so a long run never ends without its chart)."""
    try:
        import matplotlib  # noqa: F401 - imported for the check
    except ImportError as e:
        raise PlotUnavailable from e


def _figure(title: str) -> tuple[Any, Any]:
    """A new figure with one set of axes, drawn by the Agg canvas."""
    require_matplotlib()
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as e:  # installed but unusable
        raise PlotUnavailable from e
    figure = Figure(figsize=(8, 5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    axes.set_title(title)
    axes.grid(True, alpha=0.3)
    return figure, axes


def _save(figure: Any, path: Path) -> None:
    """Write the figure as PNG to ``path``, replaced atomically. Raises `OSError`."""
    from ..conformance.fill import write_atomically

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    write_atomically(path, buffer.getvalue())


def plot_parallel(report: Any, path: Path) -> None:
    """SCHED-BENCH-1: speedup over sequential against virtual workers (log 2 axis), one line
    per account count, its critical-path bound dashed in the same colour, and the ideal
    speedup (= workers) dotted."""
    figure, axes = _figure(f"Block-STM, {report.block_size:,} p2p transfers per block "
                           f"(seed {report.seed})")
    accounts = sorted({c.accounts for c in report.cells})
    workers = sorted({c.workers for c in report.cells})
    for k, n in enumerate(accounts):
        cells = sorted((c for c in report.cells if c.accounts == n), key=lambda c: c.workers)
        colour = f"C{k % 10}"
        axes.plot([c.workers for c in cells], [c.speedup for c in cells], marker="o",
                  color=colour, label=f"{n:,} accounts")
        axes.plot([c.workers for c in cells], [c.bound for c in cells], linestyle="--",
                  color=colour, alpha=0.7)
    if workers:
        axes.plot(workers, workers, linestyle=":", color="grey", label="workers (ideal)")
        axes.set_xscale("log", base=2)
        axes.set_xticks(workers, [str(w) for w in workers])
    axes.plot([], [], linestyle="--", color="black", label="critical-path bound")
    axes.set_xlabel("virtual workers")
    axes.set_ylabel("speedup over sequential")
    axes.legend(fontsize="small")
    _save(figure, path)


def plot_metrics(report: Any, path: Path) -> None:
    """METRIC-BENCH-2: commits per second of each round, metrics recording off and on."""
    figure, axes = _figure(f"MVCC commits, {report.txns:,} per round: metrics off and on "
                           f"(overhead {report.overhead_percent:.1f}%)")
    for label, seconds in (("recording off", report.off_seconds),
                           ("recording on", report.on_seconds)):
        rounds = list(range(1, len(seconds) + 1))
        axes.plot(rounds, [report.txns / s if s > 0 else 0.0 for s in seconds], marker="o",
                  label=label)
    axes.set_xlabel("round")
    axes.set_ylabel("commits per second")
    axes.set_ylim(bottom=0)
    axes.legend(fontsize="small")
    _save(figure, path)


#: The benchmarks with a chart, by name.
PLOTS = {"parallel": plot_parallel, "metrics": plot_metrics}
