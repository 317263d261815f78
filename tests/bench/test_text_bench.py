"""``supervm bench text`` (spec/wasm-text.md WASM-TEXT-BENCH-1) on two scripts of the suite."""

from __future__ import annotations

import json

import pytest

from supervm_ref.bench import text
from supervm_ref.cli import main

from ..support import REPO


def test_bench_text_times_parse_and_both_runs(capsys: pytest.CaptureFixture[str]) -> None:
    """WASM-TEXT-BENCH-1: parse, run json and run wast, with their command counts; the .wast
    run passes the json run's commands and its text-malformed ones."""
    assert main(["bench", "text", "--file", "address", "nop", "--json"]) in (0, 1)
    report = json.loads(capsys.readouterr().out)
    assert report["benchmark"] == "text" and report["scripts"] == 2
    assert report["modules"] > 0 and report["json_failed"] == report["wast_failed"] == 0
    assert report["wast_passed"] >= report["json_passed"] > 0
    assert report["share"] == pytest.approx(report["parse_seconds"] / report["json_seconds"])


def test_bench_text_table_names_the_target() -> None:
    """WASM-TEXT-BENCH-1: the table says where the share stands against one third."""
    report = text.run(REPO, ["nop"])
    table = text.format_table(report)
    assert "parse / run json" in table and "1/3 target" in table
    assert report.json_failed == 0
