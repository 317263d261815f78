"""``supervm mutate`` (spec/mutation.md, MUT-RUN-*, MUT-CANARY-1) on a few mutants and small
targets: a quick smoke run, the baseline check, the canaries, the order of the steps, usage
errors and Ctrl-C. The full run over the whole catalogue is a command, not a test."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from supervm_ref.cli import main
from supervm_ref.mutation import BY_ID, Constant, Mutant
from supervm_ref.mutation.canary import write_canaries
from supervm_ref.mutation.run import EXIT_NOT_APPLICABLE
from supervm_ref.mutation.run import main as run_main
from supervm_ref.mutation.runner import Step, default_targets, plan

from ..support import REPO, default_sigint

pytestmark = pytest.mark.slow

ISOLATION = REPO / "conformance" / "isolation"
STORAGE = REPO / "conformance" / "fixtures" / "storage_api.json"


def test_smoke_three_mutants_detected(capsys: pytest.CaptureFixture[str]) -> None:
    """MUT-RUN-1..4: three mutants of three areas, each detected by the fixtures alone, in
    subprocesses, after a baseline that passes; the JSON report names the detecting step."""
    status = main(["mutate", "mvcc/no-read-validation", "host/delete-always-present",
                   "consumer/gas-not-compared", "--backend", "reference",
                   "--target", str(ISOLATION), "--target", str(STORAGE), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert status == 0, report
    assert report["ok"] and report["rate"] == 100.0
    assert report["summary"] == {"mutants": 3, "detected": 3, "survived": 0, "unexplained": 0,
                                 "errors": 0}
    by = {m["id"]: m["detected_by"] for m in report["mutants"]}
    assert by["mvcc/no-read-validation"]["target"] == "isolation/"
    assert by["host/delete-always-present"]["target"] == "storage_api.json"
    assert any(f.startswith("storage_api/delete")
               for f in by["host/delete-always-present"]["fixtures"])
    assert all(".json: " in f for f in by["mvcc/no-read-validation"]["fixtures"])
    assert by["consumer/gas-not-compared"]["target"] == "canaries/"
    assert by["consumer/gas-not-compared"]["fixtures"] == ["gas_used"]
    assert {b["step"] for b in report["baseline"]} == {
        "isolation/@reference", "storage_api.json@reference", "canaries/@reference"}


def test_survivor_text_report_and_threshold(capsys: pytest.CaptureFixture[str]) -> None:
    """MUT-RUN-4, MUT-CAT-3: a mutant the chosen targets cannot see survives; its catalogue
    explanation (or UNEXPLAINED) is printed, and the exit status follows the threshold."""
    argv = ["mutate", "control/depth-limit-off-by-one", "--backend", "reference", "--target",
            str(ISOLATION / "g0.json")]
    assert main([*argv, "--min-detection", "0"]) == 0
    out = capsys.readouterr().out
    assert "control/depth-limit-off-by-one" in out and "SURVIVED" in out
    assert "[not-bound]" in out
    assert "detected 0 of 1 mutant(s) by the fixtures alone: 0.0% (threshold 0%)" in out
    assert main(argv) == 1


def test_baseline_must_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """MUT-RUN-3: a fixture that fails without any mutant stops the run (exit status 2):
    otherwise every mutant would look detected."""
    broken = tmp_path / "g0.json"
    raw = json.loads((ISOLATION / "g0.json").read_text())
    raw["allowed_outcomes"] = raw["allowed_outcomes"][1:]
    raw["steps"][-1]["expect"] = {"status": "committed"}
    broken.write_text(json.dumps(raw))
    assert main(["mutate", "mvcc/no-write-validation", "--backend", "reference",
                 "--target", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "unmutated code does not pass" in err and "g0.json@reference" in err


def test_canaries_all_fail_unmutated(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                     ) -> None:
    """MUT-CANARY-1: one canary per compared member, each a valid copy of a committed fixture
    with that member wrong (hash recomputed), and consume fails every one of them."""
    files = write_canaries(default_targets(REPO), tmp_path)
    assert sorted(p.stem for p in files) == sorted(
        ["error", "return", "events", "gas_used", "writes", "results", "storage", "hash",
         "schema", "isolation-expect", "isolation-final"])
    assert main(["consume", "--json", str(tmp_path)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert not any(f["passed"] for f in report["files"])
    problems = {Path(f["path"]).stem: " ".join(p for x in f["failures"] for p in x["problems"])
                for f in report["files"]}
    assert "gas_used: expected" in problems["gas_used"]
    assert "_info.hash" in problems["hash"]
    assert "schema" in problems["schema"]


def test_plan_order() -> None:
    """MUT-RUN-2: the hinted target first (first backend first), then the others backend by
    backend, quickest first, the canaries last -- or first for a mutant hinting them."""
    a, b, c = Path("a.json"), Path("b.json"), Path("c.json")
    canary = Step(Path("/tmp/x"), "reference", canary=True)
    steps = [Step(t, be) for be in ("reference", "wasmtime") for t in (a, b, c)] + [canary]
    seconds = {Step(a, "reference"): 3.0, Step(b, "reference"): 2.0,
               Step(c, "reference"): 1.0, Step(b, "wasmtime"): 9.0}
    hinted = Mutant("numerics/x", "numerics", "a test", "m:f", Constant(0), hint="a")
    order = plan(hinted, steps, seconds, ["reference", "wasmtime"])
    assert [s.label for s in order] == [
        "a.json@reference", "a.json@wasmtime", "c.json@reference", "b.json@reference",
        "c.json@wasmtime", "b.json@wasmtime", "canaries/@reference"]
    assert plan(BY_ID["consumer/gas-not-compared"], steps, seconds,
                ["reference", "wasmtime"])[0] is canary


def test_run_module_refuses_a_mutant_it_cannot_install(capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    """MUT-RUN-2: the subprocess entry point exits with its own status (3) for an unknown or
    inapplicable mutant, never running the command as if it were detected."""
    assert run_main(["no/such-mutant", "consume", str(ISOLATION)]) == EXIT_NOT_APPLICABLE
    assert "no mutant 'no/such-mutant'" in capsys.readouterr().err
    assert run_main([]) == 2
    assert run_main(["none", "consume", "--list-backends"]) == 0


@pytest.mark.parametrize("argv,message", [
    (["mutate", "no/such"], "no mutant matches"),
    (["mutate", "--backend", "no-such-backend"], "unknown backend"),
    (["mutate", "--target", "no/such/path"], "does not exist"),
    (["mutate", "--root", "/", "gas/drop-charged"], "no conformance/ folder"),
])
def test_usage_errors(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
                      ) -> None:
    """MUT-RUN-4: a usage error is one line on stderr and exit status 2."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_list(capsys: pytest.CaptureFixture[str]) -> None:
    """MUT-RUN-4: --list prints the selected mutants (an area, as JSON) and runs nothing."""
    assert main(["mutate", "--list", "--area", "gas", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed and all(m["area"] == "gas" for m in listed)
    assert main(["mutate", "--list", "crypto/*"]) == 0
    assert "crypto/keccak-is-sha3" in capsys.readouterr().out


def _mutation_processes(parent: int | None = None) -> set[int]:
    """The processes of this machine running a mutant's subprocess (only the children of
    ``parent`` when given: other tests may run mutations at the same time)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if b"supervm_ref.mutation.run" in cmdline and parent in (None, ppid):
                found.add(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir() or shutil.which("true") is None,
                    reason="needs /proc to see the subprocesses")
def test_ctrl_c_ends_the_run_and_its_subprocesses() -> None:
    """MUT-RUN-4: Ctrl-C is exit status 130 with one line and no traceback, and the run's
    subprocesses are ended."""
    env = {**os.environ, "SUPERVM_PROGRESS": "0"}
    proc = subprocess.Popen([sys.executable, "-m", "supervm_ref", "mutate", "--backend",
                             "reference", "-j", "2"], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=default_sigint)
    deadline = time.monotonic() + 30
    while not _mutation_processes(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _mutation_processes(proc.pid), "no subprocess started"
    ours = _mutation_processes(proc.pid)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err[-1000:]
    assert b"supervm: interrupted" in err and b"Traceback" not in err
    assert out == b""
    time.sleep(0.2)
    assert not ours & _mutation_processes()
