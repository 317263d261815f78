"""Filling: turning the fillers' cases into fixture files (spec/conformance.md,
CONF-FILL-3/4, CONF-FIX-1/2).

Each case runs on the reference runtime (`execute` with `Runtime`); what happens is recorded
as the fixture's ``post``. One file per filler: ``conformance/fixtures/<area>.json``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import shown
from ..runtime.runtime import Runtime
from .batch import BATCH_FORMAT, execute_block
from .encoding import EncodingError, fixture_hash, pretty_json
from .execute import BackendFailure, RunInput, Transaction, encode_input, execute
from .filler import Case, FillerError, filler_paths, load_filler, source_info
from .paths import FIXTURES
from .schema import fixture_file_errors, load_schema

#: CONF-FIX-2: the value of ``_info.fixture_format`` of a call fixture.
FIXTURE_FORMAT = "supervm_call_test"
#: CONF-FIX-2, CONF-BATCH-1: ``_info.fixture_format`` by the kind of case.
FIXTURE_FORMATS = {"call": FIXTURE_FORMAT, "batch": BATCH_FORMAT}
#: CONF-FIX-2: the specification version fixtures are filled from (the project's version in
#: pyproject.toml; a test keeps the two equal).
SPEC_VERSION = "0.1.0"


def run_input(case: Case) -> RunInput:
    """CONF-FILL-3: a case's input, with every transaction's gas limit made explicit."""
    txs = [Transaction(tx.to, tx.function, list(tx.args),
                       case.env.gas_limit if tx.gas_limit is None else tx.gas_limit)
           for tx in case.txs]
    return RunInput(case.env, dict(case.code), dict(case.storage), txs)


def fill_case(case: Case, filler: str) -> dict[str, Any]:
    """CONF-FILL-3, CONF-FIX-2: run ``case`` on the reference runtime and return its fixture,
    ``_info`` included (``filler`` is the filler's path relative to the repository root).
    A batch case is filled by the sequential baseline of a block (CONF-BATCH-2)."""
    if case.kind not in FIXTURE_FORMATS:
        raise FillerError(f"case {shown(case.name)}: kind must be one of "
                          f"{', '.join(FIXTURE_FORMATS)}, got {shown(case.kind)}")
    test = run_input(case)
    try:
        body = encode_input(test)
        body["post"] = execute(Runtime, test)
        if case.kind == "batch":
            body["post"] = fill_batch_post(test, body["post"])
    except (EncodingError, BackendFailure) as e:
        raise FillerError(f"case {shown(case.name)}: {e}") from e
    info = {
        "fixture_format": FIXTURE_FORMATS[case.kind],
        "spec_version": SPEC_VERSION,
        "filler": filler,
        "description": case.description,
        "rules": list(dict.fromkeys(case.rules)),
        "hash": fixture_hash(body),
        **source_info(case),
    }
    return {"_info": info, **body}


def fill_batch_post(test: RunInput, plain: dict[str, Any]) -> dict[str, Any]:
    """CONF-BATCH-2: the ``post`` of a batch case: the block run by the sequential baseline of
    spec/scheduling.md on the reference (SCHED-SEQ-1, SCHED-WASM-2). It must equal ``plain``,
    the calls run one after the other on the runtime's own storage (CONF-RUN-1): a block whose
    outcome depends on being run as a batch is not a fixture, since an external backend is
    only given the transactions. `BackendFailure` otherwise."""
    post = execute_block(Runtime, test)
    if post != plain:
        first = next((i for i, (a, b) in enumerate(zip(post["results"], plain["results"]))
                      if a != b), None)
        where = "the final storage" if first is None else f"transaction {first}"
        raise BackendFailure(f"CONF-BATCH-2: the batch baseline and plain sequential execution "
                             f"differ at {where}")
    return post


def fill_area(root: Path, path: Path) -> dict[str, Any]:
    """CONF-FIX-1: the fixture file of one filler: case name -> fixture."""
    filler = path.relative_to(root).as_posix()
    return {case.name: fill_case(case, filler) for case in load_filler(root, path)}


@dataclass
class FillReport:
    """What `fill` did: per area the number of fixtures; the files written, the files that
    differ from what filling produces (``--check``), and fixture files with no filler."""

    counts: dict[str, int] = field(default_factory=dict)
    written: list[Path] = field(default_factory=list)
    outdated: list[Path] = field(default_factory=list)
    stale: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """CONF-FILL-4: nothing outdated and nothing stale."""
        return not self.outdated and not self.stale


def write_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` so that ``target`` is, at every moment, either its old
    content or the new one: the bytes go to a temporary file in the same folder, which then
    replaces ``target`` in one rename. Raises `OSError`; the temporary file never remains."""
    temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    # Created like open(target, "wb") would create it (mode 0o666 less the umask).
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(temp, target)
    except BaseException:  # also on Ctrl-C: leave no temporary file behind
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def fill(root: Path, output: Path | None = None, areas: list[str] | None = None,
         check: bool = False,
         progress: Callable[[int, int, str], None] | None = None) -> FillReport:
    """CONF-FILL-4: fill every filler (or only ``areas``) into ``output`` (default
    ``conformance/fixtures/``). With ``check`` nothing is written; files whose text differs
    from the filled text are reported as outdated. Without an area list, ``*.json`` files in
    the output folder that no filler produces are reported as stale. Each file is written
    atomically (`write_atomically`). ``progress(done, total, area)`` is called before each
    area. Raises `FillerError`, and `OSError` when a file cannot be written."""
    out_dir = output or root / FIXTURES
    paths = filler_paths(root)
    known = {p.stem for p in paths}
    if areas:
        unknown = sorted(set(areas) - known)
        if unknown:
            raise FillerError(f"no filler for area(s) {', '.join(unknown)} "
                              f"(known: {', '.join(sorted(known))})")
        paths = [p for p in paths if p.stem in areas]
    schema = load_schema(root)
    report = FillReport()
    for done, path in enumerate(paths):
        if progress:
            progress(done, len(paths), path.stem)
        fixtures = fill_area(root, path)
        errors = fixture_file_errors(fixtures, schema)
        if errors:  # the filler produced something the format does not allow
            raise FillerError(f"{path}: fixtures do not match the schema: {errors[0]}")
        text = pretty_json(fixtures)
        target = out_dir / f"{path.stem}.json"
        report.counts[path.stem] = len(fixtures)
        if check:
            if not target.is_file() or target.read_bytes() != text.encode("utf-8"):
                report.outdated.append(target)
        else:
            out_dir.mkdir(parents=True, exist_ok=True)
            write_atomically(target, text.encode("utf-8"))
            report.written.append(target)
    if progress:
        progress(len(paths), len(paths), "")
    if not areas and out_dir.is_dir():
        report.stale = sorted(p for p in out_dir.glob("*.json") if p.stem not in known)
    return report
