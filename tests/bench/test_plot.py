"""``--plot FILE.png`` of the benches with series (supervm_ref.bench.plot): bench parallel
(SCHED-BENCH-1: speedup against workers, the critical-path bound dashed) and bench metrics
(METRIC-BENCH-2: commits per second per round); matplotlib is the extra ``plot``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from supervm_ref.bench.plot import INSTALL_HINT, PNG_SIGNATURE, PlotUnavailable, require_matplotlib
from supervm_ref.cli import main

from ..support import REPO

#: The command line with matplotlib hidden, as after an install without the extra.
_WITHOUT_MATPLOTLIB = ("import sys; sys.modules['matplotlib'] = None; "
                       "from supervm_ref.cli import main; sys.exit(main(sys.argv[1:]))")


def _is_png(path: Path) -> bool:
    data = path.read_bytes()
    return data.startswith(PNG_SIGNATURE) and len(data) > len(PNG_SIGNATURE)


def test_parallel_plot_is_a_png(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """SCHED-BENCH-1: bench parallel --plot writes a PNG (Agg, no display) besides the table,
    and says where on stderr."""
    chart = tmp_path / "speedup.png"
    assert main(["bench", "parallel", "--quick", "--block-size", "60", "--plot",
                 str(chart)]) == 0
    assert _is_png(chart)
    captured = capsys.readouterr()
    assert "speedup" in captured.out and f"chart written to {chart}" in captured.err
    assert [p.name for p in tmp_path.iterdir()] == ["speedup.png"]


def test_metrics_plot_is_a_png(tmp_path: Path) -> None:
    """METRIC-BENCH-2: bench metrics --plot writes a PNG of the rounds."""
    chart = tmp_path / "metrics.png"
    assert main(["bench", "metrics", "--txns", "200", "--rounds", "2", "--plot",
                 str(chart)]) == 0
    assert _is_png(chart)


def test_without_matplotlib_the_extra_is_named(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """Without matplotlib, --plot is one line naming the extra, exit 2, before the bench runs
    (no table printed); without --plot the bench does not need it."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(PlotUnavailable, match=r"supervm-ref\[plot\]"):
        require_matplotlib()
    assert main(["bench", "parallel", "--quick", "--plot", str(tmp_path / "x.png")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (f"supervm bench parallel: --plot needs matplotlib, which is not "
                            f"installed: {INSTALL_HINT}\n")
    assert main(["bench", "metrics", "--txns", "50", "--rounds", "1"]) == 0
    assert not (tmp_path / "x.png").exists()


@pytest.mark.slow
def test_without_matplotlib_as_a_process(tmp_path: Path) -> None:
    """The same as a process: no traceback, exit 2, the pip command."""
    run = subprocess.run([sys.executable, "-c", _WITHOUT_MATPLOTLIB, "bench", "metrics",
                          "--plot", str(tmp_path / "m.png")], capture_output=True, text=True,
                         cwd=REPO, timeout=300, check=False)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert INSTALL_HINT in run.stderr and run.stdout == ""
