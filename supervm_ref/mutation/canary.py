"""Canaries: fixtures that must fail (spec/mutation.md, MUT-CANARY-1).

A consumer that compares too little passes every correct fixture on a correct backend, so the
fixtures alone cannot catch it. A canary is a copy of a committed fixture with exactly one
compared member made wrong -- and its ``_info.hash`` computed again, so only that member
differs -- which ``supervm consume`` must report as failed. Canaries are derived from the
committed fixtures when a mutation run starts, written to a temporary folder and never
committed, so they follow the fixture format wherever it goes.

One canary per member a consumer compares (CONF-CONSUME-2): each result field, the number of
results and the final storage; one with only the hash wrong (CONF-FIX-3), one the schema
rejects (CONF-SCHEMA-1); and, for the isolation scripts (CONF-ISOLATION-1), one with a wrong
step expectation and one whose allowed outcomes all have another final state.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..conformance.encoding import fixture_hash, pretty_json
from .patch import MutationError

#: The call and batch fixture formats (CONF-FIX-2, CONF-BATCH-1).
_CALL_FORMATS = ("supervm_call_test", "supervm_batch_test")
#: The isolation script format (CONF-ISOLATION-1).
_ISOLATION_FORMAT = "supervm_isolation_test"

Fixture = dict[str, Any]


class NoCanarySource(MutationError):
    """MUT-CANARY-1: the fixtures hold nothing to derive a canary from (``what`` says which
    kind of fixture was looked for)."""

    def __init__(self, what: str) -> None:
        super().__init__(f"no {what} to derive the canaries from")
        self.what = what


def _json_files(targets: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for t in targets:
        out += sorted(p for p in t.rglob("*.json") if p.is_file()) if t.is_dir() else [t]
    return out


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _rich_result(fixture: Fixture) -> int | None:
    """The index of a successful transaction that returned values, emitted events and wrote,
    so that every result field can be made wrong."""
    for i, r in enumerate(fixture["post"]["results"]):
        if r["error"] is None and r["return"] and r["events"] and r["writes"]:
            return i
    return None


def call_source(targets: Iterable[Path]) -> tuple[str, Fixture, int]:
    """The first call fixture (file and name order) with a transaction that has every result
    field to tamper with: (name, fixture, index of that transaction)."""
    for path in _json_files(targets):
        data = _read(path)
        if not isinstance(data, dict) or "_info" in data:
            continue
        for name in sorted(data):
            fixture = data[name]
            if fixture.get("_info", {}).get("fixture_format") != _CALL_FORMATS[0]:
                continue
            index = _rich_result(fixture)
            if index is not None:
                return name, fixture, index
    raise NoCanarySource("call fixture with a transaction that returns, emits and writes")


def isolation_source(targets: Iterable[Path]) -> Fixture:
    """The first isolation script with a read or scan expectation and an allowed outcome
    that states a final state."""
    for path in _json_files(targets):
        data = _read(path)
        if not isinstance(data, dict) or data.get("_info", {}).get(
                "fixture_format") != _ISOLATION_FORMAT:
            continue
        expects = [s for s in data.get("steps", []) if {"value", "items"} & set(
            s.get("expect", {}))]
        finals = [o for o in data.get("allowed_outcomes", []) if "final" in o]
        if expects and finals:
            return data
    raise NoCanarySource("isolation script with a read expectation and a final state")


def _rehash(fixture: Fixture) -> Fixture:
    fixture["_info"]["hash"] = fixture_hash(fixture)
    return fixture


def _absent_key(keys: Iterable[str]) -> str:
    """A hex key that is not among ``keys``."""
    taken = set(keys)
    n = 0
    while f"0x{n:04x}ca" in taken:
        n += 1
    return f"0x{n:04x}ca"


def call_canaries(fixture: Fixture, i: int) -> dict[str, Fixture]:
    """MUT-CANARY-1: one wrong copy of ``fixture`` per compared member, transaction ``i``'s
    result being the one changed."""

    def tampered(change: Callable[[Fixture, dict[str, Any]], None], rehash: bool = True
                 ) -> Fixture:
        f = copy.deepcopy(fixture)
        change(f, f["post"]["results"][i])
        return _rehash(f) if rehash else f

    def other_value(r: dict[str, Any]) -> None:
        value = r["return"][0]
        value["value"] = "1" if value["value"] == "0" else "0"

    return {
        "error": tampered(lambda f, r: r.update(error="UNREACHABLE")),
        "return": tampered(lambda f, r: other_value(r)),
        "events": tampered(lambda f, r: r["events"].append("0x00")),
        "gas_used": tampered(lambda f, r: r.update(gas_used=r["gas_used"] + 1)),
        "writes": tampered(lambda f, r: r["writes"].update({_absent_key(r["writes"]): "0x00"})),
        "results": tampered(lambda f, r: f["post"]["results"].pop()),
        "storage": tampered(lambda f, r: f["post"]["storage"].update(
            {_absent_key(f["post"]["storage"]): "0x00"})),
        "hash": tampered(lambda f, r: f["_info"].update(
            hash="sha256:" + "0" * 64 if f["_info"]["hash"] != "sha256:" + "0" * 64
            else "sha256:" + "1" * 64), rehash=False),
        "schema": tampered(lambda f, r: r.update(extra=0)),
    }


def isolation_canaries(script: Fixture) -> dict[str, Fixture]:
    """MUT-CANARY-1: a wrong step expectation; allowed outcomes with another final state."""
    expect = copy.deepcopy(script)
    step = next(s for s in expect["steps"] if {"value", "items"} & set(s.get("expect", {})))
    if "value" in step["expect"]:
        step["expect"]["value"] = "canary" if step["expect"]["value"] != "canary" else "x"
    else:
        step["expect"]["items"] = [*step["expect"]["items"], ["canary/", "canary"]]
    final = copy.deepcopy(script)
    for outcome in final["allowed_outcomes"]:
        if "final" in outcome:
            outcome["final"] = {**outcome["final"], "canary/": "canary"}
    return {"isolation-expect": expect, "isolation-final": final}


def write_canaries(targets: Iterable[Path], folder: Path) -> list[Path]:
    """MUT-CANARY-1: derive every canary from ``targets`` (fixture files and folders) and
    write them into ``folder``, one file each (``<member>.json``); returns the files.
    `NoCanarySource` when the fixtures hold no suitable source."""
    targets = list(targets)
    name, fixture, index = call_source(targets)
    files: list[Path] = []
    for member, canary in call_canaries(fixture, index).items():
        path = folder / f"{member}.json"
        path.write_text(pretty_json({name: canary}), encoding="utf-8")
        files.append(path)
    for member, script in isolation_canaries(isolation_source(targets)).items():
        path = folder / f"{member}.json"
        path.write_text(pretty_json(script), encoding="utf-8")
        files.append(path)
    return files
