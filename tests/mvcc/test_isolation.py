"""The isolation catalogue (conformance/isolation/*.json) and its runner (spec/mvcc.md,
MVCC-ISO-*): every anomaly is prevented on the reference store, each file is shown to detect
its anomaly on a deliberately weakened store, and malformed scripts are typed errors."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import supervm_ref.mvcc.store as store_module
from supervm_ref.mvcc import InvalidScript, MvccStore, Txn, dependency_graph, serial_replay
from supervm_ref.mvcc.script import (
    load_script,
    outcome_matches,
    parse_script,
    run_catalogue,
    run_file,
    run_script,
)

from ..support import REPO

CATALOGUE = REPO / "conformance" / "isolation"
FILES = sorted(CATALOGUE.glob("*.json"))

# The anomalies the catalogue must cover (spec/mvcc.md section 8) and, for this reference, the
# conflict each raises (transaction -> kind): the rule that prevents it.
EXPECTED_CONFLICTS: dict[str, dict[str, str]] = {
    "g0": {"T2": "WRITE_WRITE"},
    "g1a": {},
    "g1b": {},
    "g1c": {"T2": "READ_WRITE"},
    "otv": {"T2": "WRITE_WRITE"},
    "pmp": {},
    "pmp-write": {"T2": "WRITE_WRITE"},
    "p4": {"T2": "WRITE_WRITE"},
    "g-single": {},
    "g-single-dependencies": {},
    "g-single-write-predicate": {"T1": "WRITE_WRITE"},
    "g2-item": {"T2": "READ_WRITE"},
    "g2": {"T2": "PREDICATE"},
    "g2-two-edges": {"T1": "PREDICATE"},
    "read-only-anomaly": {"T2": "READ_WRITE"},
    "g2-item-absent": {"T2": "READ_WRITE"},
    "scan-own-writes": {},
    "gc-old-snapshot": {},
}


def _spec_rules() -> set[str]:
    text = (REPO / "spec" / "mvcc.md").read_text()
    return set(re.findall(r"\*\*(MVCC-[A-Z]+-\d+)[ .*(]", text))


def test_catalogue_is_complete() -> None:
    """MVCC-ISO-1: one file per anomaly of the catalogue, no other file."""
    assert sorted(p.stem for p in FILES) == sorted(EXPECTED_CONFLICTS)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_anomaly_is_prevented(path: Path) -> None:
    """MVCC-ISO-2/3: the observed outcome is allowed, every expect holds, the conflicts are
    the ones this reference's rules give, and the committed history is acyclic and replays
    serially (MVCC-SER-1)."""
    report = run_file(path)
    assert report.expectation_failures == []
    assert report.matched is not None, report.outcome
    assert report.passed
    assert report.conflicts == EXPECTED_CONFLICTS[path.stem]
    assert dependency_graph(report.history).find_cycle() is None
    replay = serial_replay(report.history)
    assert replay.mismatches == []
    assert replay.final_state == {k.encode(): v.encode()
                                  for k, v in report.outcome["final"].items()}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_file_format(path: Path) -> None:
    """MVCC-ISO-1: the format, rule ids defined in spec/mvcc.md, a cited source, and the
    file's own outcome listed first among the allowed ones (the reference's)."""
    raw = json.loads(path.read_text())
    script = parse_script(raw, path.stem)
    info = script.info
    assert info["fixture_format"] == "supervm_isolation_test"
    assert set(info["rules"]) <= _spec_rules()
    assert ("hermitage" in info["source"].lower() or "Fekete" in info["source"]
            or info["source"].startswith("spec/mvcc.md"))
    assert run_script(script).matched == 0


def test_run_catalogue_runs_every_file_in_name_order() -> None:
    """MVCC-ISO-2: the catalogue runner runs each file once, in file-name order."""
    reports = run_catalogue(CATALOGUE)
    assert [r.name for r in reports] == [p.stem for p in FILES]
    assert all(r.passed for r in reports)


# ---------------------------------------------------------------------------------------------
# Each file detects its anomaly on a weakened store


def _weaken_validation(keep: str) -> Callable[..., Any]:
    real = store_module.find_conflict

    def weak(chains: Any, start: int, writes: Any, reads: Any, prefixes: Any) -> Any:
        return real(chains, start, writes if "w" in keep else [],
                    reads if "r" in keep else [], prefixes if "p" in keep else [])
    return weak


@pytest.fixture
def weakened(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """Switch the store to a weaker protocol, for this test only."""
    def apply(mode: str) -> None:
        if mode.startswith("validate:"):
            monkeypatch.setattr(store_module, "find_conflict", _weaken_validation(mode[9:]))
        elif mode == "no-own-writes":  # reads go to the snapshot, past the txn's own writes
            def snapshot_read(self: Txn, key: bytes) -> bytes | None:
                self._read_keys.add(key)
                return self._store._value_at(key, self.start_ts)

            monkeypatch.setattr(Txn, "read", snapshot_read)
        elif mode == "latest-reads":  # read committed: every read sees the newest commit
            value_at, scan_at = MvccStore._value_at, MvccStore._scan_at
            monkeypatch.setattr(MvccStore, "_value_at",
                                lambda self, k, ts: value_at(self, k, 2**62))
            monkeypatch.setattr(MvccStore, "_scan_at",
                                lambda self, p, ts, n: scan_at(self, p, 2**62, n))
        else:  # dirty reads: reads also see other open transactions' buffered writes
            open_txns: list[Txn] = []
            begin, value_at, scan_at = MvccStore.begin, MvccStore._value_at, MvccStore._scan_at

            def dirty_begin(self: MvccStore) -> Txn:
                txn = begin(self)
                open_txns.append(txn)
                return txn

            def dirty_value(self: MvccStore, key: bytes, ts: int) -> bytes | None:
                for txn in reversed(open_txns):
                    if txn.is_active and key in dict(txn.write_set()):
                        return dict(txn.write_set())[key]
                return value_at(self, key, ts)

            def dirty_scan(self: MvccStore, prefix: bytes, ts: int, n: int) -> Any:
                merged = dict(scan_at(self, prefix, ts, 1000))
                for txn in open_txns:
                    if txn.is_active:
                        merged.update((k, v) for k, v in txn.write_set() if k.startswith(prefix))
                return sorted((k, v) for k, v in merged.items() if v is not None)[:n]

            monkeypatch.setattr(MvccStore, "begin", dirty_begin)
            monkeypatch.setattr(MvccStore, "_value_at", dirty_value)
            monkeypatch.setattr(MvccStore, "_scan_at", dirty_scan)
    yield apply


WEAKENINGS = {
    # no validation at all: lost updates, write skew, write-predicate anomalies commit
    "validate:": ["g-single-write-predicate", "g1c", "g2", "g2-item", "g2-item-absent",
                  "g2-two-edges", "p4", "pmp-write", "read-only-anomaly"],
    # plain snapshot isolation (write-write only): write skew and the read-only anomaly
    "validate:w": ["g1c", "g2", "g2-item", "g2-item-absent", "g2-two-edges",
                   "read-only-anomaly"],
    # items validated but not predicates: phantoms
    "validate:wr": ["g2", "g2-two-edges"],
    # reads of the newest commit instead of the snapshot
    "latest-reads": ["g-single", "g-single-dependencies", "g1b", "gc-old-snapshot", "pmp"],
    # reads that do not see the transaction's own writes
    "no-own-writes": ["scan-own-writes"],
    # reads of uncommitted writes
    "dirty-reads": ["g0", "g1a", "g1b", "g1c", "otv", "pmp-write"],
}


@pytest.mark.parametrize("mode", sorted(WEAKENINGS))
def test_files_detect_their_anomaly_on_a_weakened_store(
        mode: str, weakened: Callable[[str], None]) -> None:
    """MVCC-ISO-3, MVCC-COMMIT-3, MVCC-READ-1, MVCC-WRITE-1, MVCC-SCAN-2: without the rule
    that prevents it, each anomaly produces an outcome that no allowed outcome matches."""
    weakened(mode)
    failing = sorted(r.name for r in run_catalogue(CATALOGUE) if r.matched is None)
    assert failing == sorted(WEAKENINGS[mode])


def test_every_anomaly_is_detected_by_some_weakening() -> None:
    """MVCC-ISO-3: no catalogue file passes trivially: each is broken by some weakening
    (the write-write-only ones, g0 and otv, also by their expect on the reference)."""
    covered = {name for names in WEAKENINGS.values() for name in names}
    assert covered == set(EXPECTED_CONFLICTS)


def test_write_write_removal_is_caught_by_expect(weakened: Callable[[str], None]) -> None:
    """MVCC-ISO-3: without the write-write check g0 and otv stay allowed (their serial
    outcomes), but the reference's expect (T2 aborts) fails."""
    weakened("validate:rp")
    reports = {r.name: r for r in run_catalogue(CATALOGUE)}
    assert sorted(n for n, r in reports.items() if not r.passed) == ["g0", "otv"]
    assert all(r.matched is not None for r in reports.values())


# ---------------------------------------------------------------------------------------------
# The runner's verdict and the format's errors


def _g2() -> dict[str, Any]:
    raw: dict[str, Any] = json.loads((CATALOGUE / "g2-item.json").read_text())
    return raw


def test_outcome_matching() -> None:
    """MVCC-ISO-3: statuses always compared; reads and final only where the allowed outcome
    gives them."""
    observed = {"txns": {"T1": {"status": "committed", "reads": ["1"]},
                         "T2": {"status": "aborted", "reads": []}},
                "final": {"k": "1"}}
    assert outcome_matches(observed, {"txns": {"T1": {"status": "committed"},
                                               "T2": {"status": "aborted"}}})
    assert outcome_matches(observed, copy.deepcopy(observed))
    assert not outcome_matches(observed, {"txns": {"T1": {"status": "committed",
                                                          "reads": ["2"]},
                                                   "T2": {"status": "aborted"}}})
    assert not outcome_matches(observed, {"txns": {"T1": {"status": "aborted"},
                                                   "T2": {"status": "aborted"}}})
    assert not outcome_matches(observed, {"txns": {"T1": {"status": "committed"},
                                                   "T2": {"status": "aborted"}},
                                          "final": {}})
    assert not outcome_matches(observed, {"txns": {"T3": {"status": "committed"}}})


def test_a_disallowed_outcome_fails() -> None:
    """MVCC-ISO-3: a script whose allowed outcomes exclude what happens does not pass, and a
    wrong expect is reported with the step."""
    raw = _g2()
    raw["allowed_outcomes"] = raw["allowed_outcomes"][1:]
    raw["steps"][2]["expect"] = {"value": "99"}
    report = run_script(parse_script(raw, "edited"))
    assert report.matched is None and not report.passed
    assert report.expectation_failures == [
        "steps[2] (T1 read): expected value '99', observed '10'"]


def test_gc_step_reports_its_statistics() -> None:
    """MVCC-ISO-1/2, MVCC-GC-5: a gc step belongs to no transaction, runs garbage collection at
    its place in the script, and its expect is checked against the run's statistics."""
    raw = _g2()
    raw["steps"].insert(9, {"op": "gc", "expect": {"versions_cleaned": 1, "keys_removed": 0}})
    report = run_script(parse_script(raw, "with-gc"))
    assert report.expectation_failures == [
        "steps[9] (store gc): expected versions_cleaned 1, observed 0"]
    assert report.matched == 0


def _mutations() -> list[tuple[str, Callable[[dict[str, Any]], Any], str]]:
    def setp(path: list[Any], value: Any) -> Callable[[dict[str, Any]], Any]:
        def f(raw: dict[str, Any]) -> None:
            target = raw
            for p in path[:-1]:
                target = target[p]
            if value is KeyError:
                del target[path[-1]]
            else:
                target[path[-1]] = value
        return f

    return [
        ("not an object", lambda raw: [], "expected a JSON object"),
        ("extra field", setp(["extra"], 1), "unexpected fields"),
        ("no _info", setp(["_info"], KeyError), "_info"),
        ("wrong format", setp(["_info", "fixture_format"], "x"), "fixture_format"),
        ("no rules", setp(["_info", "rules"], []), "rules"),
        ("no source", setp(["_info", "source"], KeyError), "source"),
        ("bad pre", setp(["pre", "test/1"], 10), "pre"),
        ("no steps", setp(["steps"], []), "steps"),
        ("step not object", setp(["steps", 2], "read"), "steps[2]"),
        ("unknown op", setp(["steps", 2, "op"], "update"), "expected one of"),
        ("missing key", setp(["steps", 2, "key"], KeyError), "needs field 'key'"),
        ("key not text", setp(["steps", 2, "key"], 1), "steps[2].key"),
        ("field of another op", setp(["steps", 2, "prefix"], "t"), "unexpected fields"),
        ("bad limit", setp(["steps", 2], {"txn": "T1", "op": "scan", "prefix": "t",
                                           "limit": True}), "limit"),
        ("bad expect", setp(["steps", 2, "expect"], {"items": []}), "cannot expect"),
        ("bad expect value", setp(["steps", 2, "expect", "value"], 10), "expect.value"),
        ("bad status", setp(["steps", 9, "expect"], {"status": "done"}), "expect.status"),
        ("expect not object", setp(["steps", 2, "expect"], []), "expect"),
        ("begin twice", setp(["steps", 1, "txn"], "T1"), "begins twice"),
        ("op before begin", setp(["steps", 2, "txn"], "T9"), "not open"),
        ("never ends", lambda raw: raw["steps"].pop(), "never commit or abort"),
        ("op after commit", lambda raw: raw["steps"].append(
            {"txn": "T1", "op": "read", "key": "x"}), "not open"),
        ("no outcomes", setp(["allowed_outcomes"], []), "allowed_outcomes"),
        ("outcome missing a txn", lambda raw: raw["allowed_outcomes"][0]["txns"].pop("T2"),
         "an entry for each"),
        ("bad status in outcome", setp(["allowed_outcomes", 0, "txns", "T1", "status"], "ok"),
         "txns.T1"),
        ("bad reads", setp(["allowed_outcomes", 0, "txns", "T1", "reads"], [1]), "reads[0]"),
        ("reads not a list", setp(["allowed_outcomes", 0, "txns", "T1", "reads"], "1"),
         "reads"),
        ("bad final", setp(["allowed_outcomes", 0, "final"], {"k": 1}), "final"),
        ("outcome extra", setp(["allowed_outcomes", 0, "extra"], 1), "optionally"),
        ("outcome not object", setp(["allowed_outcomes", 0], 1), "allowed_outcomes[0]"),
        ("gc of a transaction", setp(["steps", 2], {"txn": "T1", "op": "gc"}),
         "belongs to the store"),
        ("gc expect negative", setp(["steps", 2], {"op": "gc",
                                                    "expect": {"versions_cleaned": -1}}),
         "expect.versions_cleaned"),
        ("gc expect a value", setp(["steps", 2], {"op": "gc", "expect": {"value": "1"}}),
         "cannot expect"),
    ]


@pytest.mark.parametrize("name,mutate,message", _mutations(), ids=[m[0] for m in _mutations()])
def test_malformed_scripts_are_typed_errors(name: str, mutate: Callable[[dict[str, Any]], Any],
                                            message: str) -> None:
    """MVCC-ISO-1: each malformed script is InvalidScript, naming where the problem is."""
    raw = _g2()
    replaced = mutate(raw)
    target = replaced if isinstance(replaced, list) else raw
    with pytest.raises(InvalidScript) as info:
        parse_script(target, "case")
    assert message in str(info.value)


def test_unreadable_files_are_typed_errors(tmp_path: Path) -> None:
    """MVCC-ISO-1: a missing file, bad JSON or bad UTF-8 is InvalidScript."""
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("{")
    bad_utf8 = tmp_path / "utf8.json"
    bad_utf8.write_bytes(b"\xff\xfe{")
    for path in (tmp_path / "missing.json", bad_json, bad_utf8):
        with pytest.raises(InvalidScript) as info:
            load_script(path)
        assert "cannot read JSON" in str(info.value)


def _surrogate_cases() -> list[tuple[str, Callable[[dict[str, Any]], None], str]]:
    lone = json.loads(r'"\ud800"')   # what a JSON "\ud800" escape decodes to

    def step_field(index: int, name: str) -> Callable[[dict[str, Any]], None]:
        return lambda raw: raw["steps"][index].__setitem__(name, lone)

    def pre_key(raw: dict[str, Any]) -> None:
        raw["pre"][lone] = "1"

    def pre_value(raw: dict[str, Any]) -> None:
        raw["pre"]["test/1"] = lone

    def final_key(raw: dict[str, Any]) -> None:
        raw["allowed_outcomes"][0]["final"][lone] = "1"

    def final_value(raw: dict[str, Any]) -> None:
        raw["allowed_outcomes"][0]["final"]["test/1"] = lone

    def scan_prefix(raw: dict[str, Any]) -> None:
        raw["steps"][2] = {"txn": "T1", "op": "scan", "prefix": lone, "limit": 5}

    return [("read key", step_field(2, "key"), "steps[2].key"),
            ("write key", step_field(6, "key"), "steps[6].key"),
            ("write value", step_field(6, "value"), "steps[6].value"),
            ("txn name", step_field(2, "txn"), "steps[2].txn"),
            ("scan prefix", scan_prefix, "steps[2].prefix"),
            ("pre key", pre_key, "case.pre"),
            ("pre value", pre_value, "case.pre"),
            ("final key", final_key, "allowed_outcomes[0].final"),
            ("final value", final_value, "allowed_outcomes[0].final")]


@pytest.mark.parametrize("name,mutate,where", _surrogate_cases(),
                         ids=[c[0] for c in _surrogate_cases()])
def test_lone_surrogates_are_invalid_scripts(name: str, mutate: Callable[[dict[str, Any]], None],
                                             where: str) -> None:
    """MVCC-ISO-1, MVCC-ERR-1 (review regression): keys, values, prefixes and names are UTF-8
    text, so a lone surrogate (a JSON "\\ud800" escape) is InvalidScript at parse time instead
    of a UnicodeEncodeError when the script runs."""
    raw = _g2()
    mutate(raw)
    with pytest.raises(InvalidScript) as info:
        parse_script(raw, "case")
    assert where in str(info.value)
    assert "UTF-8" in str(info.value)


def test_load_script_needs_a_path() -> None:
    """MVCC-ISO-1, MVCC-ERR-1 (review regression): load_script / run_catalogue given
    something that is not a str or a path raise InvalidScript, not TypeError."""
    for bad in (42, None, b"g2.json"):
        with pytest.raises(InvalidScript) as info:
            load_script(bad)  # type: ignore[arg-type]
        assert "expected a file path" in str(info.value)
    with pytest.raises(InvalidScript):
        run_catalogue(3.5)  # type: ignore[arg-type]
