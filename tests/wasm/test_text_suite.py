"""The text format against the official suite (spec/wasm-text.md): every module of the
``.wast`` scripts that wast2json encoded parses to the module its ``.wasm`` decodes to (round
trip), and the ``.wast`` folder runs with every command passing and the same per-file counts
as the wast2json run, text-format malformed cases included."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import time
from pathlib import Path
from typing import Any

import pytest

from supervm_ref.cli import main
from supervm_ref.wasm.binary.module import decode_module
from supervm_ref.wasm.errors import WasmError
from supervm_ref.wasm.structure.instructions import Instruction
from supervm_ref.wasm.structure.module import Func, Module
from supervm_ref.wasm.text import TextError
from supervm_ref.wasm.text.lexer import tokenize
from supervm_ref.wasm.text.script import ScriptModule, read_script

pytestmark = pytest.mark.slow


@pytest.fixture
def wast_dir(suite_dir: Path) -> Path:
    path = suite_dir.parent / "wast"
    assert path.is_dir(), f"external suite missing at {path}"
    return path


def _wabt_normal(module: Module) -> Module:
    """The module as wabt encodes it, where wabt and the spec text differ (spec/wasm-text.md
    section 9): a block type ``(type x)`` of type [] -> [] or [] -> [t] is the short block
    type, and ``select (result)`` is the untyped select."""
    def instr(i: Instruction) -> Instruction:
        if i.op in ("block", "loop", "if") and isinstance(i.imm[0], int) \
                and i.imm[0] < len(module.types):
            ft = module.types[i.imm[0]]
            if not ft.params and len(ft.results) <= 1:
                return Instruction(i.op, (ft.results[0] if ft.results else None,))
        if i.op == "select" and i.imm == ((),):
            return Instruction("select", ())
        return i

    funcs = tuple(Func(f.type_idx, f.locals, tuple(instr(i) for i in f.body))
                  for f in module.funcs)
    return dataclasses.replace(module, funcs=funcs)


def test_round_trip_against_wast2json(wast_dir: Path, suite_dir: Path) -> None:
    """Round trip (WASM-TEXT-MOD-1/2/3/4, WASM-TEXT-INSTR-1/2/3/4, WASM-TEXT-TYPEUSE-1): for
    every module command that wast2json encoded to a binary, parsing the text gives the module
    the engine decodes from that binary."""
    compared = equal = 0
    differ: list[str] = []
    for wast in sorted(wast_dir.glob("*.wast")):
        commands = read_script(wast)
        by_line: dict[int, ScriptModule] = {}
        for c in commands:
            if "module" in c:
                by_line[c["line"]] = by_line[c["module"].line] = c["module"]
        folder = suite_dir / wast.stem
        script = json.loads((folder / f"{wast.stem}.json").read_text())
        for jc in script["commands"]:
            filename = jc.get("filename", "")
            if not filename.endswith(".wasm"):
                continue
            mod = by_line.get(jc["line"])
            assert mod is not None, f"{wast.name}:{jc['line']}: no module at that line"
            if mod.form == "binary":
                continue  # the same bytes on both sides
            try:
                want = decode_module((folder / filename).read_bytes())
            except WasmError:
                continue  # a binary the engine rejects (assert_malformed of its encoding)
            got = mod.load(decode_module)
            compared += 1
            if _wabt_normal(got) == want:
                equal += 1
            else:
                differ.append(f"{wast.name}:{jc['line']}")
    assert compared > 2500
    assert not differ, differ
    assert equal == compared


def _run_cli(directory: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any],
                                                                           float]:
    start = time.perf_counter()
    status = main(["spectest", str(directory), "--json"])
    elapsed = time.perf_counter() - start
    return status, json.loads(capsys.readouterr().out), elapsed


def test_wast_folder_runs_like_wast2json(wast_dir: Path, suite_dir: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """WASM-TEXT-SCRIPT-1/2/3/4: ``supervm spectest`` on the .wast folder: every command
    passes, none is not applicable, and per file the counts equal the wast2json run's, the
    text-format malformed commands (n/a there) being exactly the extra validation passes."""
    status, wast_run, wast_time = _run_cli(wast_dir, capsys)
    status_json, json_run, json_time = _run_cli(suite_dir, capsys)
    assert status == 0 and status_json == 0
    totals = wast_run["totals"]["groups"]
    assert totals["n/a"] == 0
    assert totals["execution"]["failed"] == 0 and totals["validation"]["failed"] == 0
    assert wast_run["failures"] == []
    assert set(wast_run["files"]) == set(json_run["files"]) and len(wast_run["files"]) == 90
    for name, j in json_run["files"].items():
        w = wast_run["files"][name]["groups"]
        jg = j["groups"]
        assert w["execution"]["passed"] == jg["execution"]["passed"], name
        assert w["validation"]["passed"] == jg["validation"]["passed"] + jg["n/a"], name
    assert totals["validation"]["passed"] == (json_run["totals"]["groups"]["validation"]
                                              ["passed"] + json_run["totals"]["groups"]["n/a"])
    print(f"\n.wast run {wast_time:.2f} s, wast2json run {json_time:.2f} s")


def test_parse_time_of_the_folder(wast_dir: Path) -> None:
    """WASM-TEXT-SCRIPT-1: every script of the .wast folder reads, and every module in it (the
    quoted ones included) parses or is a typed error. (Its time beside the suite run is a
    benchmark's, ``supervm bench text``, WASM-TEXT-BENCH-1.)"""
    start = time.perf_counter()
    modules = 0
    for wast in sorted(wast_dir.glob("*.wast")):
        for c in read_script(wast):
            mod = c.get("module")
            if isinstance(mod, ScriptModule) and mod.form != "binary":
                with contextlib.suppress(WasmError):
                    mod.load(decode_module)
                modules += 1
    elapsed = time.perf_counter() - start
    print(f"\nparsed {modules} modules of {wast_dir} in {elapsed:.2f} s")
    assert modules > 3000


def test_lexer_handles_every_script(wast_dir: Path) -> None:
    """WASM-TEXT-LEX-1/2/3: every script of the suite tokenizes."""
    for wast in sorted(wast_dir.glob("*.wast")):
        tokenize(wast.read_bytes().decode("utf-8", "surrogateescape"), wast.name)


def test_command_stream_equals_wast2json(wast_dir: Path, suite_dir: Path) -> None:
    """WASM-TEXT-SCRIPT-1: a .wast script gives the command stream wast2json wrote: the same
    commands, kinds, lines, names, actions and expected values, in the same order."""
    keys = ("type", "line", "name", "as", "action", "expected", "text")
    for wast in sorted(wast_dir.glob("*.wast")):
        mine = read_script(wast)
        theirs = json.loads((suite_dir / wast.stem / f"{wast.stem}.json").read_text())
        assert len(mine) == len(theirs["commands"]), wast.name
        for m, t in zip(mine, theirs["commands"], strict=True):
            for key in keys:
                if key == "expected" and m["type"] != "assert_return":
                    continue  # wast2json lists the result types of traps; the runner ignores them
                assert m.get(key) == t.get(key), (wast.name, t["line"], key)


def test_malformed_text_reports_the_suites_reason(wast_dir: Path) -> None:
    """WASM-TEXT-ERR-1, WASM-TEXT-LEX-2, WASM-TEXT-INSTR-1: every text ``assert_malformed`` of
    the suite is a TextError whose reason contains the text the suite expects (``unknown
    operator`` for reserved tokens and unknown words, ``unexpected token`` for tokens of the
    grammar out of place, ``constant out of range``, ``malformed UTF-8 encoding``, ...)."""
    checked = 0
    wrong: list[str] = []
    for wast in sorted(wast_dir.glob("*.wast")):
        for c in read_script(wast):
            if c["type"] != "assert_malformed" or c["module"].form == "binary":
                continue
            checked += 1
            try:
                c["module"].load(decode_module)
            except TextError as e:
                if c["text"] not in e.reason:
                    wrong.append(f"{wast.name}:{c['line']}: expected {c['text']!r}, got {e}")
            else:
                wrong.append(f"{wast.name}:{c['line']}: accepted")
    assert checked == 567
    assert not wrong, wrong
