"""The ``supervm`` command line: every subcommand is registered and documented in --help."""

from __future__ import annotations

import argparse
import json

import pytest

from supervm_ref.cli import build_parser, main


def test_help_lists_every_subcommand(capsys: object) -> None:
    """README's command table and ``supervm --help`` agree."""
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--help"])
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    for command in ("demo", "spectest", "fill", "consume", "t8n", "bench", "mutate", "zk",
                    "call", "wat2wasm"):
        assert command in out


def test_bench_parallel_quick(capsys: object) -> None:
    """SCHED-BENCH-1 through the CLI: a small table whose every cell reproduced the sequential
    result (exit status 0), as JSON."""
    assert main(["bench", "parallel", "--quick", "--block-size", "60", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)  # type: ignore[attr-defined]
    assert report["cells"] and all(cell["ok"] for cell in report["cells"])
    assert {cell["workers"] for cell in report["cells"]} == {1, 2, 4, 8, 16, 32}


def test_bench_without_benchmark_prints_usage(capsys: object) -> None:
    """``supervm bench`` alone prints its usage and exits 2."""
    assert main(["bench"]) == 2
    assert "engine" in capsys.readouterr().out  # type: ignore[attr-defined]


def test_readme_command_table_matches_the_parsers() -> None:
    """Every option README's command table shows exists on that (sub)command's parser."""
    import re

    from ..support import REPO

    readme = (REPO / "README.md").read_text()
    rows = re.findall(r"^\| `supervm ([^`]*)` \|", readme, re.M)
    assert len(rows) == 19
    parser = build_parser()
    for row in rows:
        words = row.split()
        path = [w for w in words if re.fullmatch(r"[a-z0-9][a-z0-9-]*", w)][:2]
        if path[0] not in ("bench", "fixtures", "zk"):
            path = path[:1]
        sub = parser
        for name in path:
            sub = next(a for a in sub._actions  # argparse keeps subparsers here
                       if isinstance(a, argparse._SubParsersAction)).choices[name]
        known = {s for a in sub._actions for s in a.option_strings}
        for option in re.findall(r"--[a-z-]+", row):
            assert option in known, (row, option)


@pytest.mark.parametrize("path", [[], ["demo"], ["node"], ["spectest"], ["fill"], ["consume"],
                                  ["t8n"], ["bench"], ["bench", "engine"], ["bench", "runtime"],
                                  ["bench", "parallel"], ["bench", "zk-latency"],
                                  ["bench", "mixed-path"], ["bench", "persistence"],
                                  ["bench", "metrics"], ["bench", "text"], ["zk"],
                                  ["zk", "verify"], ["mutate"], ["call"], ["wat2wasm"]])
def test_every_help_text_renders(path: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """``--help`` of every (sub)command prints its usage and exits 0."""
    with pytest.raises(SystemExit) as e:
        build_parser().parse_args([*path, "--help"])
    assert e.value.code == 0
    assert capsys.readouterr().out.startswith("usage: supervm")
