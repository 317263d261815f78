"""Project hygiene: lint, types, and README / CI agreement (README.md's two commands, which
.ci/run runs)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

from .support import REPO


def _tool(name: str) -> list[str]:
    exe = shutil.which(name, path=str(REPO / ".venv" / "bin")) or shutil.which(name)
    return [exe] if exe else [sys.executable, "-m", name]


def test_ruff_clean() -> None:
    """ruff finds nothing in the package and the tests."""
    r = subprocess.run([*_tool("ruff"), "check", "supervm_ref", "tests"], cwd=REPO,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_mypy_clean() -> None:
    """mypy (configured in pyproject.toml) finds no type errors in the package."""
    r = subprocess.run([sys.executable, "-m", "mypy"], cwd=REPO, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_readme_has_two_commands_and_ci_runs_the_test_one() -> None:
    """README gives the two copy-paste commands; .ci/run runs README's test command verbatim."""
    readme = (REPO / "README.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)\n```", readme, re.S)
    assert len(blocks) == 2, blocks
    run_cmd, test_cmd = blocks
    assert "supervm demo --once" in run_cmd
    assert "pytest" in test_cmd
    assert test_cmd in (REPO / ".ci" / "run").read_text()
