"""The MVCC store on RocksDB as step scripts, ``supervm_persistence_test`` (spec/conformance.md
section 17, CONF-PERSIST-*; spec/persistence.md, PERSIST-*).

A persistence fixture is a script of steps on one MVCC store and one fresh database --
commits, snapshots, flushes, prunes, reopening, GC, history reads -- and what the reference
answers after each (CONF-PERSIST-2). After every flush, prune and reopen the answer holds the
EXACT contents of the database's three column families (hex key -> hex value): the on-disk
encoding of PERSIST-DB-4 is the contract, so an implementation in another language checks its
layout against the vectors alone.

- a backend is given ``{fixture_format, steps}`` and answers ``{"results": [...]}``;
- the fixture passes when the answer equals the recorded one, as JSON;
- in process the steps run on the reference store whatever the execution backend: persistence
  does not use the WebAssembly engine.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from ...backends import BackendFactory
from ...errors import shown
from ...mvcc import MvccStore, Txn
from ...persistence import COLUMN_FAMILIES, PersistenceError, RocksDBStorage, read_history_at
from ..compare import diff
from ..encoding import EncodingError, check_integer, decode_bytes, encode_bytes
from ..filler import FillerError
from .base import FixtureFormat

#: CONF-PERSIST-1: the members of a persistence fixture besides ``_info``.
MEMBERS = ("steps", "post")
#: CONF-PERSIST-2: each step's op and the members it has besides ``op``.
STEPS: dict[str, tuple[str, ...]] = {
    "commit": ("writes",),
    "begin_snapshot": ("name",),
    "end_snapshot": ("name",),
    "flush": (),
    "prune": ("keep_versions",),
    "reopen": (),
    "new_store": (),
    "gc": (),
    "read_history": ("key", "ts"),
}


class InvalidPersistenceScript(EncodingError):
    """CONF-PERSIST-2: steps that are not a persistence script."""


@dataclass(frozen=True)
class PersistenceCase:
    """CONF-PERSIST-1: a filler case of this format: ``steps``, whose answers `fill`
    records."""

    name: str
    description: str
    rules: list[str]
    steps: list[dict[str, Any]] = field(default_factory=list)
    kind: str = "persistence"


def check_script(steps: Any) -> None:
    """CONF-PERSIST-2: a list of steps, each with a known ``op`` and exactly its members:
    ``writes`` maps hex keys to hex values or null, ``name`` is a string, ``keep_versions``
    and ``ts`` are integers (any: a bad one is an observed error), ``key`` is hex; a snapshot
    name is begun once and ended only while open."""
    if not isinstance(steps, list):
        raise InvalidPersistenceScript(f"steps must be a list, got {shown(steps)}")
    open_names: set[str] = set()
    for i, step in enumerate(steps):
        if not isinstance(step, dict) or step.get("op") not in STEPS:
            raise InvalidPersistenceScript(f"steps[{i}]: expected an object whose op is one "
                                           f"of {', '.join(STEPS)}, got {shown(step)}")
        op = step["op"]
        members = {"op", *STEPS[op]}
        if set(step) != members:
            raise InvalidPersistenceScript(f"steps[{i}] ({op}): expected the members "
                                           f"{sorted(members)}, got {sorted(step)}")
        try:
            if op == "commit":
                writes = step["writes"]
                if not isinstance(writes, dict) or not writes:
                    raise EncodingError(f"writes: expected a non-empty object, got "
                                        f"{shown(writes)}")
                for k, v in writes.items():
                    decode_bytes(k, "writes key")
                    if v is not None:
                        decode_bytes(v, "writes value")
            elif op in ("begin_snapshot", "end_snapshot"):
                name = step["name"]
                if not isinstance(name, str) or not name:
                    raise EncodingError(f"name: expected a string, got {shown(name)}")
                if op == "begin_snapshot" and name in open_names:
                    raise EncodingError(f"snapshot {name!r} is already open")
                if op == "end_snapshot" and name not in open_names:
                    raise EncodingError(f"snapshot {name!r} is not open")
                (open_names.add if op == "begin_snapshot" else open_names.discard)(name)
            elif op in ("reopen", "new_store"):
                open_names.clear()  # the store's snapshots end with it
            elif op == "prune":
                check_integer(step["keep_versions"], "keep_versions")
            elif op == "read_history":
                decode_bytes(step["key"], "key")
                check_integer(step["ts"], "ts")
        except EncodingError as e:
            raise InvalidPersistenceScript(f"steps[{i}] ({op}): {e}") from e


def database_contents(db: RocksDBStorage) -> dict[str, dict[str, str]]:
    """CONF-PERSIST-2, PERSIST-DB-4: every column family, hex key -> hex value."""
    return {cf: {encode_bytes(k): encode_bytes(v) for k, v in db.column_family_items(cf)}
            for cf in COLUMN_FAMILIES}


class _Script:
    """The state of one run: the store, the database and the open snapshots."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = RocksDBStorage(path)
        self.store = MvccStore()
        self.snapshots: dict[str, Txn] = {}

    def step(self, step: dict[str, Any]) -> dict[str, Any]:
        """CONF-PERSIST-2: one step's answer."""
        op = step["op"]
        try:
            return self._step(op, step)
        except PersistenceError as e:
            out: dict[str, Any] = {"error": e.kind.value}
            if op in ("flush", "prune"):
                out["db"] = database_contents(self.db)  # unchanged: all or nothing
            return out

    def _step(self, op: str, step: dict[str, Any]) -> dict[str, Any]:
        store = self.store
        if op == "commit":
            txn = store.begin()
            for k, v in step["writes"].items():
                if v is None:
                    txn.delete(decode_bytes(k))
                else:
                    txn.write(decode_bytes(k), decode_bytes(v))
            return {"commit_ts": txn.commit()}
        if op == "begin_snapshot":
            txn = self.snapshots[step["name"]] = store.begin()
            return {"start_ts": txn.start_ts}
        if op == "end_snapshot":
            self.snapshots.pop(step["name"]).abort()
            return {}
        if op == "flush":
            stats = store.flush_to_storage(self.db)
            return {"stats": {"flush_count": stats.flush_count,
                              "keys_flushed": stats.keys_flushed,
                              "bytes_flushed": stats.bytes_flushed},
                    "db": database_contents(self.db)}
        if op == "prune":
            versions, keys = store.prune_old_versions(self.db, step["keep_versions"])
            return {"pruned_versions": versions, "pruned_keys": keys,
                    "db": database_contents(self.db)}
        if op == "gc":
            run = store.gc_now()
            return {"versions_cleaned": run.versions_cleaned, "keys_removed": run.keys_removed}
        if op == "read_history":
            value = read_history_at(self.db, decode_bytes(step["key"]), step["ts"])
            return {"value": None if value is None else encode_bytes(value)}
        self.snapshots.clear()
        if op == "new_store":
            self.store = MvccStore()
            return {}
        # reopen: close the database, open it again and rebuild the store from it
        self.db.close()
        self.db = RocksDBStorage(self.path)
        self.store = MvccStore.open(self.db)
        return {"flush_point": self.store.flush_point(),
                "state": {encode_bytes(k): encode_bytes(v)
                          for k, v in self.store.snapshot_items()},
                "db": database_contents(self.db)}


def run_persistence_script(steps: list[dict[str, Any]]) -> dict[str, Any]:
    """CONF-PERSIST-2: ``{"results": [...]}``, one answer per step, on a fresh store and a
    fresh database in a temporary directory (removed afterwards)."""
    check_script(steps)
    with tempfile.TemporaryDirectory(prefix="supervm-persist-") as tmp:
        script = _Script(Path(tmp) / "db")
        try:
            return {"results": [script.step(step) for step in steps]}
        finally:
            script.db.close()


class PersistenceFormat(FixtureFormat):
    """CONF-PERSIST-*: step scripts of the MVCC store on RocksDB and the exact database."""

    name: ClassVar[str] = "supervm_persistence_test"
    description: ClassVar[str] = ("the MVCC store on RocksDB: the answer to each step of a "
                                  "script of commits, snapshots, flushes, prunes, reopening, "
                                  "GC and history reads, with the exact bytes of every column "
                                  "family after each flush, prune and reopen")
    spec_section: ClassVar[str] = ("spec/conformance.md section 17 (CONF-PERSIST-*), "
                                   "spec/persistence.md PERSIST-*")
    input_definition: ClassVar[str] = "persistence_input"
    output_definition: ClassVar[str] = "persistence_output"
    output_name: ClassVar[str] = "a list of answers"
    case_kind: ClassVar[str | None] = "persistence"
    case_type: ClassVar[type | None] = PersistenceCase

    def schema_defs(self) -> dict[str, Any]:
        """CONF-PERSIST-1/2: a fixture, an input and an output."""
        steps = {"type": "array", "items": {
            "type": "object", "required": ["op"],
            "properties": {"op": {"enum": list(STEPS)}}}}
        column = {"type": "object", "propertyNames": {"$ref": "#/$defs/hex"},
                  "additionalProperties": {"$ref": "#/$defs/hex"}}
        database = {"type": "object", "required": list(COLUMN_FAMILIES),
                    "additionalProperties": False,
                    "properties": {cf: column for cf in COLUMN_FAMILIES}}
        output = {
            "description": "CONF-PERSIST-2: one answer per step.",
            "type": "object", "required": ["results"], "additionalProperties": False,
            "properties": {"results": {"type": "array", "items": {
                "type": "object",
                "properties": {"db": database, "error": {"type": "string"}}}}},
        }
        return {
            self.name: {
                "description": "CONF-PERSIST-1: steps and every answer.",
                "type": "object",
                "required": ["_info", *MEMBERS],
                "additionalProperties": False,
                "properties": {"_info": {"$ref": "#/$defs/info"}, "steps": steps,
                               "post": {"$ref": f"#/$defs/{self.output_definition}"}},
            },
            self.input_definition: {
                "description": "CONF-PERSIST-2: what a backend is given.",
                "type": "object", "required": ["fixture_format", "steps"],
                "additionalProperties": False,
                "properties": {"fixture_format": {"const": self.name}, "steps": steps},
            },
            self.output_definition: output,
        }

    # --- Filling ------------------------------------------------------------------------------

    def check_case(self, case: PersistenceCase) -> None:
        """CONF-FILL-2, CONF-PERSIST-2: the steps are a script."""
        try:
            check_script(case.steps)
        except InvalidPersistenceScript as e:
            raise FillerError(f"case {shown(case.name)}: {e}") from e

    def fill(self, case: PersistenceCase) -> dict[str, Any]:
        """CONF-PERSIST-1: the script and the reference's answers."""
        return {"steps": list(case.steps), "post": run_persistence_script(case.steps)}

    # --- Checking -----------------------------------------------------------------------------

    def invalid(self, fixture: dict[str, Any]) -> list[str]:
        """CONF-PERSIST-2: a fixture whose steps are not a script is not run."""
        try:
            check_script(fixture["steps"])
        except InvalidPersistenceScript as e:
            return [f"script: {e}"]
        return []

    def backend_input(self, fixture: dict[str, Any]) -> dict[str, Any]:
        """CONF-PERSIST-2: ``{fixture_format, steps}``."""
        return {"fixture_format": self.name, "steps": fixture["steps"]}

    def compare(self, fixture: dict[str, Any], got: Any) -> list[str]:
        """CONF-PERSIST-3: step by step every difference, column family by column family."""
        wanted, observed = fixture["post"]["results"], got["results"]
        problems: list[str] = []
        if len(wanted) != len(observed):
            problems.append(f"results: expected {len(wanted)} answer(s), got {len(observed)}")
        for i, (e, g) in enumerate(zip(wanted, observed)):
            where = f"steps[{i}] ({fixture['steps'][i]['op']})"
            if isinstance(e, dict) and isinstance(g, dict) and "db" in e and "db" in g:
                for cf in COLUMN_FAMILIES:
                    problems += diff(f"{where} {cf}", e["db"].get(cf), g["db"].get(cf))
                e = {k: v for k, v in e.items() if k != "db"}
                g = {k: v for k, v in g.items() if k != "db"}
            problems += diff(where, e, g)
        return problems

    # --- Running ------------------------------------------------------------------------------

    def decode_input(self, test: dict[str, Any]) -> list[Any]:
        """CONF-PERSIST-2: ``steps``; `EncodingError` for anything else."""
        extra = sorted(set(test) - {"fixture_format", "steps"})
        if extra:
            raise EncodingError(f"input: unexpected members {extra}")
        steps = test.get("steps")
        try:
            check_script(steps)
        except InvalidPersistenceScript as e:
            raise EncodingError(f"input: {e}") from e
        return steps  # type: ignore[return-value]

    def execute(self, factory: BackendFactory, decoded: list[Any]) -> dict[str, Any]:
        """CONF-PERSIST-2: the steps on a fresh reference store and database (``factory``, an
        execution backend, plays no part: persistence does not use the WebAssembly engine)."""
        return run_persistence_script(decoded)
