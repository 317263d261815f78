"""``supervm bench persistence`` with tiny sizes (structure and checks only, never timing)."""

from __future__ import annotations

import json

import pytest

from supervm_ref.bench import persistence
from supervm_ref.cli import main


def test_bench_persistence_tiny(capsys: pytest.CaptureFixture[str]) -> None:
    """PERSIST-FLUSH-2, PERSIST-OPEN-1, PERSIST-AUTO-2: the benchmark flushes every key,
    reopens them all, runs both commit columns and finds the database equal to the store."""
    assert main(["bench", "persistence", "--keys", "50", "--commits", "40", "--interval",
                 "0.01", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["benchmark"] == "persistence" and data["ok"] and data["error"] is None
    assert data["keys"] == 50 and data["commits"] == 40
    assert data["bytes_flushed"] == 50 * (11 + persistence.VALUE_SIZE)
    for field in ("flush_seconds", "reopen_seconds", "commits_per_second_off",
                  "commits_per_second_on"):
        assert data[field] is not None and data[field] > 0, field
    text = persistence.format_table(persistence.run(keys=10, commits=8))
    assert "keys/s" in text and "auto-flush" in text and "error" not in text
