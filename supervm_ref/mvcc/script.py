"""The step-script runner of the isolation catalogue (spec/mvcc.md, MVCC-ISO-*).

An isolation test (conformance/isolation/<id>.json) is data: an initial state, a list of steps
that interleave named transactions, and the outcomes that show the anomaly did not happen.
This runner — apart from the store, like the WebAssembly reference interpreter's script runner —
loads a file (`load_script`, which checks the format and raises `InvalidScript`), runs it on a
fresh `MvccStore` (`run_script`) and says whether the observed outcome is one of the allowed
ones (`ScriptReport.passed`).

Keys, values and prefixes in a script are UTF-8 text (MVCC-ISO-1).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import shown
from .errors import InvalidScript, TxnConflict
from .history import History
from .store import MvccStore
from .txn import Txn

FIXTURE_FORMAT = "supervm_isolation_test"
OPS = ("begin", "read", "write", "delete", "scan", "commit", "abort", "gc")
# The fields each op takes besides "txn", "op" and "expect" (MVCC-ISO-1).
_OP_FIELDS: dict[str, tuple[str, ...]] = {
    "begin": (), "read": ("key",), "write": ("key", "value"), "delete": ("key",),
    "scan": ("prefix", "limit"), "commit": (), "abort": (), "gc": (),
}
# What an op's "expect" may state.
_EXPECT_FIELDS: dict[str, tuple[str, ...]] = {
    "read": ("value",), "scan": ("items",), "commit": ("status",),
    "gc": ("versions_cleaned", "keys_removed"),
}
#: MVCC-ISO-1: the op that belongs to the store, not to a transaction (it has no "txn").
STORE_OPS = ("gc",)
STATUSES = ("committed", "aborted")


# -------------------------------------------------------------------------------------------------
# The format


@dataclass(frozen=True)
class Step:
    """One step of a script: ``op`` by transaction ``txn`` (MVCC-ISO-1); ``txn`` is empty for
    a store op (`STORE_OPS`)."""

    index: int
    txn: str
    op: str
    key: str | None = None
    value: str | None = None
    prefix: str | None = None
    limit: int | None = None
    expect: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class IsolationScript:
    """A checked isolation test (MVCC-ISO-1)."""

    name: str
    info: dict[str, Any]
    pre: dict[str, str]
    steps: tuple[Step, ...]
    allowed_outcomes: tuple[dict[str, Any], ...]

    @property
    def txn_names(self) -> list[str]:
        """The transactions, in the order they begin."""
        return [s.txn for s in self.steps if s.op == "begin"]


def _need(cond: bool, where: str, problem: str) -> None:
    if not cond:
        raise InvalidScript(where, problem)


def _is_utf8(obj: Any) -> bool:
    """MVCC-ISO-1: ``obj`` is text that UTF-8 can encode (a str without lone surrogates,
    which JSON's ``\\ud800`` escapes can produce)."""
    if not isinstance(obj, str):
        return False
    try:
        obj.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _text(obj: Any, where: str) -> str:
    _need(isinstance(obj, str), where, f"expected a string, found {type(obj).__name__}")
    _need(_is_utf8(obj), where, "expected UTF-8 text, found a lone surrogate")
    return str(obj)


def _utf8_object(obj: Any) -> bool:
    """An object whose keys and values are all UTF-8 text (``pre``, ``final``)."""
    return isinstance(obj, dict) and all(_is_utf8(k) and _is_utf8(v) for k, v in obj.items())


def _is_items(obj: Any) -> bool:
    return isinstance(obj, list) and all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p) for p in obj)


def _check_read_result(obj: Any, where: str) -> None:
    _need(obj is None or isinstance(obj, str) or _is_items(obj), where,
          "a read result is a string, null, or a list of [key, value] pairs")


def _parse_step(index: int, raw: Any) -> Step:
    where = f"steps[{index}]"
    _need(isinstance(raw, dict), where, "expected an object")
    op = _text(raw.get("op"), f"{where}.op")
    _need(op in OPS, f"{where}.op", f"expected one of {', '.join(OPS)}, found {shown(op)}")
    if op in STORE_OPS:
        _need("txn" not in raw, where, f"op {shown(op)} belongs to the store: no \"txn\"")
        txn = ""
    else:
        txn = _text(raw.get("txn"), f"{where}.txn")
    allowed = {"txn", "op", "expect", *_OP_FIELDS[op]}
    extra = sorted(set(raw) - allowed)
    _need(not extra, where, f"unexpected fields {extra} for op {shown(op)}")
    for name in _OP_FIELDS[op]:
        _need(name in raw, where, f"op {shown(op)} needs field {shown(name)}")
    limit = raw.get("limit")
    if op == "scan":
        _need(isinstance(limit, int) and not isinstance(limit, bool), f"{where}.limit",
              "expected an integer")
    expect = raw.get("expect", {})
    _need(isinstance(expect, dict), f"{where}.expect", "expected an object")
    bad = sorted(set(expect) - set(_EXPECT_FIELDS.get(op, ())))
    _need(not bad, f"{where}.expect", f"op {shown(op)} cannot expect {bad}")
    if "value" in expect:
        _need(expect["value"] is None or isinstance(expect["value"], str),
              f"{where}.expect.value", "expected a string or null")
    if "items" in expect:
        _need(_is_items(expect["items"]), f"{where}.expect.items",
              "expected a list of [key, value] pairs")
    if "status" in expect:
        _need(expect["status"] in STATUSES, f"{where}.expect.status",
              f"expected one of {STATUSES}")
    for name in ("versions_cleaned", "keys_removed"):
        if name in expect:
            count = expect[name]
            _need(isinstance(count, int) and not isinstance(count, bool) and count >= 0,
                  f"{where}.expect.{name}", "expected an integer >= 0")
    return Step(index, txn, op,
                key=_text(raw["key"], f"{where}.key") if "key" in raw else None,
                value=_text(raw["value"], f"{where}.value") if "value" in raw else None,
                prefix=_text(raw["prefix"], f"{where}.prefix") if "prefix" in raw else None,
                limit=limit if op == "scan" else None, expect=dict(expect))


def _check_lifecycle(steps: list[Step]) -> None:
    """MVCC-ISO-1: each transaction begins once, before its other steps, and its last step is
    its commit or abort."""
    state: dict[str, str] = {}
    for s in steps:
        where = f"steps[{s.index}]"
        if s.op in STORE_OPS:
            continue
        if s.op == "begin":
            _need(s.txn not in state, where, f"transaction {shown(s.txn)} begins twice")
            state[s.txn] = "open"
            continue
        _need(state.get(s.txn) == "open", where,
              f"transaction {shown(s.txn)} is not open here (begin it first; nothing follows its "
              "commit or abort)")
        if s.op in ("commit", "abort"):
            state[s.txn] = "ended"
    unended = sorted(t for t, st in state.items() if st == "open")
    _need(not unended, "steps", f"transactions never commit or abort: {unended}")


def _check_outcome(raw: Any, names: list[str], where: str) -> dict[str, Any]:
    _need(isinstance(raw, dict), where, "expected an object")
    _need(set(raw) <= {"txns", "final"} and "txns" in raw, where,
          "an outcome has \"txns\" and optionally \"final\"")
    txns = raw["txns"]
    _need(isinstance(txns, dict) and sorted(txns) == sorted(names), f"{where}.txns",
          f"expected an entry for each of {sorted(names)}")
    for name, entry in txns.items():
        w = f"{where}.txns.{name}"
        _need(isinstance(entry, dict) and set(entry) <= {"status", "reads"}
              and entry.get("status") in STATUSES, w,
              "expected {\"status\": \"committed\"|\"aborted\", optional \"reads\": [...]}")
        if "reads" in entry:
            _need(isinstance(entry["reads"], list), f"{w}.reads", "expected a list")
            for i, r in enumerate(entry["reads"]):
                _check_read_result(r, f"{w}.reads[{i}]")
    if "final" in raw:
        final = raw["final"]
        _need(_utf8_object(final), f"{where}.final", "expected an object of UTF-8 strings")
    return dict(raw)


def parse_script(raw: Any, name: str = "<script>") -> IsolationScript:
    """MVCC-ISO-1: check a decoded JSON isolation test; `InvalidScript` when malformed."""
    _need(isinstance(raw, dict), name, "expected a JSON object")
    extra = sorted(set(raw) - {"_info", "pre", "steps", "allowed_outcomes"})
    _need(not extra, name, f"unexpected fields {extra}")
    info = raw.get("_info")
    _need(isinstance(info, dict), f"{name}._info", "expected an object")
    _need(info.get("fixture_format") == FIXTURE_FORMAT, f"{name}._info.fixture_format",
          f"expected {shown(FIXTURE_FORMAT)}")
    for f in ("description", "source"):
        _text(info.get(f), f"{name}._info.{f}")
    rules = info.get("rules")
    _need(isinstance(rules, list) and bool(rules) and all(isinstance(r, str) for r in rules),
          f"{name}._info.rules", "expected a non-empty list of rule ids")
    pre = raw.get("pre", {})
    _need(_utf8_object(pre), f"{name}.pre", "expected an object of UTF-8 strings")
    steps_raw = raw.get("steps")
    _need(isinstance(steps_raw, list) and bool(steps_raw), f"{name}.steps",
          "expected a non-empty list")
    steps = [_parse_step(i, s) for i, s in enumerate(steps_raw)]
    _check_lifecycle(steps)
    names = [s.txn for s in steps if s.op == "begin"]
    outcomes = raw.get("allowed_outcomes")
    _need(isinstance(outcomes, list) and bool(outcomes), f"{name}.allowed_outcomes",
          "expected a non-empty list")
    checked = tuple(_check_outcome(o, names, f"{name}.allowed_outcomes[{i}]")
                    for i, o in enumerate(outcomes))
    return IsolationScript(name, dict(info), dict(pre), tuple(steps), checked)


def _path(path: object) -> Path:
    """MVCC-ISO-1: ``path`` as a `Path`; anything but a str or a str path is
    `InvalidScript`."""
    if not isinstance(path, str | os.PathLike):
        raise InvalidScript(repr(path)[:60], f"expected a file path, found {type(path).__name__}")
    try:
        return Path(path)
    except TypeError as e:  # a PathLike whose __fspath__ is not a str
        raise InvalidScript(repr(path)[:60], f"expected a file path: {e}") from e


def load_script(path: str | Path) -> IsolationScript:
    """MVCC-ISO-1: read and check an isolation test file; ``path`` not a str or path is
    `InvalidScript`."""
    p = _path(path)
    try:
        raw = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InvalidScript(str(p), f"cannot read JSON: {e}") from e
    return parse_script(raw, p.stem)


# -------------------------------------------------------------------------------------------------
# Running


@dataclass
class ScriptReport:
    """What running a script observed (MVCC-ISO-2) and whether it is allowed (MVCC-ISO-3)."""

    name: str
    outcome: dict[str, Any]
    conflicts: dict[str, str]  # txn -> conflict kind, for those a commit aborted
    expectation_failures: list[str]
    matched: int | None  # index of the allowed outcome observed, None if none
    history: History  # the committed transactions, set-up included (MVCC-HIST-1)

    @property
    def passed(self) -> bool:
        """MVCC-ISO-3: the outcome is allowed and every step's expectation held."""
        return self.matched is not None and not self.expectation_failures


def _decode(value: bytes | None) -> str | None:
    return None if value is None else value.decode("utf-8")


def _enc(text: str | None) -> bytes:
    return (text or "").encode("utf-8")


def _gc_step(store: MvccStore) -> dict[str, Any]:
    """MVCC-ISO-2: a ``gc`` step: garbage collection now (MVCC-GC-2); observes the run's
    statistics (MVCC-GC-5)."""
    stats = store.gc_now()
    return {"versions_cleaned": stats.versions_cleaned, "keys_removed": stats.keys_removed}


def _txn_step(txn: Txn, step: Step, status: dict[str, str], reads: dict[str, list[Any]],
              conflicts: dict[str, str]) -> dict[str, Any]:
    """MVCC-ISO-2: one step of a transaction; what it observed (a read's value, a scan's
    items, a commit's status)."""
    observed: dict[str, Any] = {}
    try:
        if step.op == "read":
            observed["value"] = _decode(txn.read(_enc(step.key)))
            reads[step.txn].append(observed["value"])
        elif step.op == "scan":
            items = txn.scan(_enc(step.prefix), step.limit or 0)
            observed["items"] = [[_decode(k), _decode(v)] for k, v in items]
            reads[step.txn].append(observed["items"])
        elif step.op == "write":
            txn.write(_enc(step.key), _enc(step.value))
        elif step.op == "delete":
            txn.delete(_enc(step.key))
        elif step.op == "commit":
            txn.commit()
            status[step.txn] = observed["status"] = "committed"
        else:
            txn.abort()
            status[step.txn] = "aborted"
    except TxnConflict as conflict:
        status[step.txn] = observed["status"] = "aborted"
        conflicts[step.txn] = conflict.kind.value
    return observed


def run_script(script: IsolationScript) -> ScriptReport:
    """MVCC-ISO-2: run ``script`` on a fresh store.

    The ``pre`` entries are written and committed by a set-up transaction first. Steps then run
    in order; a read or scan appends its result to its transaction's ``reads``; a commit that
    raises `TxnConflict` marks the transaction aborted (conflicts arise only at commit,
    MVCC-COMMIT-3, and nothing follows a commit in a script); a ``gc`` step runs the store's
    garbage collection (MVCC-GC-2) and observes its statistics (MVCC-GC-5). The outcome is
    each transaction's status and reads, the final committed state and, when the script has
    ``gc`` steps, their statistics in step order (``gc``).
    """
    store = MvccStore(history=History())
    if script.pre:
        setup = store.begin()
        for key, value in sorted(script.pre.items()):
            setup.write(_enc(key), _enc(value))
        setup.commit()

    txns: dict[str, Txn] = {}
    status: dict[str, str] = {}
    reads: dict[str, list[Any]] = {}
    conflicts: dict[str, str] = {}
    failures: list[str] = []
    collections: list[dict[str, Any]] = []

    for step in script.steps:
        if step.op == "begin":
            txns[step.txn] = store.begin()
            status[step.txn] = "active"
            reads[step.txn] = []
            continue
        if step.op in STORE_OPS:
            observed = _gc_step(store)
            collections.append(observed)
        else:
            observed = _txn_step(txns[step.txn], step, status, reads, conflicts)
        for name, want in step.expect.items():
            if observed.get(name, "<not observed>") != want:
                who = step.txn or "store"
                failures.append(f"steps[{step.index}] ({who} {step.op}): expected {name} "
                                f"{shown(want)}, observed {observed.get(name, '<none>')!r}")

    outcome: dict[str, Any] = {
        "txns": {n: {"status": status[n], "reads": reads[n]} for n in script.txn_names},
        "final": {_decode(k): _decode(v) for k, v in store.snapshot_items()},
    }
    if collections:
        outcome["gc"] = collections
    matched = next((i for i, allowed in enumerate(script.allowed_outcomes)
                    if outcome_matches(outcome, allowed)), None)
    return ScriptReport(script.name, outcome, conflicts, failures, matched,
                        store.history or History())


def outcome_matches(observed: dict[str, Any], allowed: dict[str, Any]) -> bool:
    """MVCC-ISO-3: ``observed`` is ``allowed`` when every transaction has the allowed status,
    the allowed reads where the allowed outcome lists them, and the final state is the allowed
    one where it is given."""
    for name, want in allowed["txns"].items():
        got = observed["txns"].get(name)
        if got is None or got["status"] != want["status"]:
            return False
        if "reads" in want and got["reads"] != want["reads"]:
            return False
    return "final" not in allowed or observed["final"] == allowed["final"]


def run_file(path: str | Path) -> ScriptReport:
    """MVCC-ISO-2: load and run one isolation test file."""
    return run_script(load_script(path))


def run_catalogue(folder: str | Path) -> list[ScriptReport]:
    """MVCC-ISO-2: run every ``*.json`` of ``folder``, in file-name order."""
    return [run_file(p) for p in sorted(_path(folder).glob("*.json"))]
