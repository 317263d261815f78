"""Filling: loading the fillers and turning their cases into fixture files
(spec/conformance.md, CONF-FILL-*, CONF-FIX-1/2, CONF-FORMAT-5).

Each case is filled by the fixture format its ``kind`` names (`supervm_ref.conformance.formats`):
the format runs it on the reference and returns the fixture's body; this module adds the
``_info`` every filled fixture carries. One file per filler: ``conformance/fixtures/<area>.json``.
Filling also writes the JSON schema, which the registry of formats generates.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import multiprocessing
import os
import re
import secrets
import signal
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from ..errors import InvalidArgumentError, shown
from .encoding import EncodingError, fixture_hash, pretty_json
from .execute import BackendFailure
from .filler import FillerError, filling_root, source_info
from .formats import FixtureFormat, build_schema, filled_formats, schema_text
from .paths import FILLERS, FIXTURES, SCHEMA
from .schema import fixture_file_errors, load_schema

#: CONF-FIX-2: the specification version fixtures are filled from (the project's version in
#: pyproject.toml; a test keeps the two equal).
SPEC_VERSION = "0.1.0"

#: CONF-FILL-1: an area (a filler's file name) and a case name.
AREA = re.compile(r"[a-z][a-z0-9_]*")
CASE_NAME = re.compile(r"[a-z][a-z0-9_]*/[A-Za-z0-9_.\-]+")
RULE_ID = re.compile(r"[A-Z]+(?:-[A-Z]+)+-[0-9]+")


# --- Loading fillers --------------------------------------------------------------------------

def filler_paths(root: Path) -> list[Path]:
    """CONF-FILL-1: ``conformance/fillers/*.py`` in sorted order; files whose name starts with
    ``_`` are not fillers."""
    folder = root / FILLERS
    return sorted(p for p in folder.glob("*.py") if not p.name.startswith("_"))


def _import(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"supervm_conformance_filler_{path.stem}",
                                                  path)
    if spec is None or spec.loader is None:
        raise FillerError(f"{path}: not a Python module")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_filler(root: Path, path: Path) -> list[Any]:
    """CONF-FILL-1/2: import one filler, call its ``cases()`` and check every case."""
    area = path.stem
    if AREA.fullmatch(area) is None:
        raise FillerError(f"{path}: an area name is lower-case letters, digits and '_'")
    with filling_root(root):
        try:
            module = _import(path)
            make = getattr(module, "cases", None)
            if not callable(make):
                raise FillerError(f"{path}: no function cases()")
            cases = make()
        except FillerError:
            raise
        except Exception as e:  # a filler's own bug: report it with its origin
            raise FillerError(f"{path}: {type(e).__name__}: {e}") from e
    if not isinstance(cases, list):
        raise FillerError(f"{path}: cases() must return a list, got {type(cases).__name__}")
    seen: set[str] = set()
    for case in cases:
        check_case(case, area)
        if case.name in seen:
            raise FillerError(f"{path}: two cases are named {shown(case.name)}")
        seen.add(case.name)
    return cases


def _fail(case: Any, problem: str) -> FillerError:
    return FillerError(f"case {shown(case.name)}: {problem}")


def case_format(case: object) -> FixtureFormat:
    """CONF-FILL-2, CONF-FORMAT-1: the format that fills ``case``: the one whose case kind is
    ``case.kind`` (and whose case type ``case`` is); `FillerError` otherwise."""
    formats = filled_formats()
    types = tuple(dict.fromkeys(fmt.case_type for fmt in formats.values()
                                if fmt.case_type is not None))
    if not isinstance(case, types):
        raise FillerError(f"cases() returned {shown(case)}, not a case "
                          f"({', '.join(t.__name__ for t in types)})")
    kind = getattr(case, "kind", None)
    fmt = formats.get(kind) if isinstance(kind, str) else None
    if fmt is None:
        raise FillerError(f"case {shown(getattr(case, 'name', '?'))}: kind must be one of "
                          f"{', '.join(formats)}, got {shown(kind)}")
    if fmt.case_type is None or not isinstance(case, fmt.case_type):
        raise FillerError(f"case {shown(getattr(case, 'name', '?'))}: a case of kind "
                          f"{shown(kind)} is a {getattr(fmt.case_type, '__name__', '?')}")
    return fmt


def check_case(case: object, area: str) -> None:
    """CONF-FILL-2: a case is well formed: its kind names a filled format and it is that
    format's kind of case; its name is ``<area>/<case>``; it has a description and lists at
    least one rule id; then the format's own checks (`FixtureFormat.check_case`)."""
    fmt = case_format(case)
    name, description, rules = (getattr(case, a, None) for a in ("name", "description", "rules"))
    if not isinstance(name, str) or CASE_NAME.fullmatch(name) is None \
            or name.split("/")[0] != area:
        raise _fail(case, f"a case name is '{area}/<name>' (letters, digits, '_', '-', '.')")
    if not isinstance(description, str) or not description:
        raise _fail(case, "needs a description")
    if not isinstance(rules, list) or not rules or any(
            not isinstance(r, str) or RULE_ID.fullmatch(r) is None for r in rules):
        raise _fail(case, f"rules must be a non-empty list of rule ids, got {shown(rules)}")
    fmt.check_case(case)


# --- Filling ----------------------------------------------------------------------------------

def fill_case(case: Any, filler: str) -> dict[str, Any]:
    """CONF-FILL-3, CONF-FIX-2: fill ``case`` with its format and return its fixture,
    ``_info`` included (``filler`` is the filler's path relative to the repository root)."""
    fmt = case_format(case)
    try:
        body = fmt.fill(case)
    except (EncodingError, BackendFailure) as e:
        raise FillerError(f"case {shown(case.name)}: {e}") from e
    info = {
        "fixture_format": fmt.name,
        "spec_version": SPEC_VERSION,
        "filler": filler,
        "description": case.description,
        "rules": list(dict.fromkeys(case.rules)),
        "hash": fixture_hash(body),
        **source_info(case),
    }
    return {"_info": info, **body}


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


def _schema_file(root: Path, check: bool, report: FillReport) -> None:
    """CONF-FORMAT-5: spec/conformance.schema.json is the registry's schema: outdated (with
    ``check``) or rewritten when it differs."""
    target = root / SCHEMA
    text = schema_text().encode("utf-8")
    if target.is_file() and target.read_bytes() == text:
        return
    if check:
        report.outdated.append(target)
    else:
        write_atomically(target, text)
        report.written.append(target)


def _ignore_sigint() -> None:
    """In a worker process of ``jobs > 1``: leave Ctrl-C to the parent, which stops it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _checked_text(path: Path, fixtures: dict[str, Any]) -> str:
    """CONF-FILL-4: the text of the fixture file ``fixtures``, checked against the registry's
    schema (`FillerError` when the filler produced something its format does not allow)."""
    errors = fixture_file_errors(fixtures, build_schema())
    if errors:
        raise FillerError(f"{path}: fixtures do not match the schema: {errors[0]}")
    return pretty_json(fixtures)


@functools.cache
def _worker_cases(root: Path, path: Path) -> list[Any]:
    """In a worker process: the cases of one filler, loaded once per process."""
    return load_filler(root, path)


def _fill_job(job: tuple[Path, Path, int]) -> tuple[str, dict[str, Any]]:
    """In a worker process: case number ``i`` of the filler ``path``, filled."""
    root, path, i = job
    case = _worker_cases(root, path)[i]
    return case.name, fill_case(case, path.relative_to(root).as_posix())


def _filled(root: Path, paths: list[Path], jobs: int
            ) -> Generator[dict[str, Any], None, None]:
    """The fixture file of each filler of ``paths`` (`fill_area`), in order; with ``jobs`` > 1
    the cases of all of them are shared among that many worker processes (started fresh, as
    `consume`'s), and leaving the iterator early stops the workers."""
    if jobs <= 1:
        for path in paths:
            yield fill_area(root, path)
        return
    counts = [len(load_filler(root, path)) for path in paths]
    work = [(root, path, i) for path, n in zip(paths, counts) for i in range(n)]
    context = multiprocessing.get_context("spawn")
    with context.Pool(min(jobs, max(len(work), 1)), _ignore_sigint) as pool:
        filled = pool.imap(_fill_job, work)
        for n in counts:
            yield dict(next(filled) for _ in range(n))


def fill(root: Path, output: Path | None = None, areas: list[str] | None = None,
         check: bool = False,
         progress: Callable[[int, int, str], None] | None = None, *,
         jobs: int = 1) -> FillReport:
    """CONF-FILL-4: fill every filler (or only ``areas``) into ``output`` (default
    ``conformance/fixtures/``, and then also the schema, CONF-FORMAT-5). With ``check``
    nothing is written; files whose text differs from the filled text are reported as
    outdated. Without an area list, ``*.json`` files in the output folder that no filler
    produces are reported as stale. Each file is written atomically (`write_atomically`).
    ``progress(done, total, area)`` is called before each area. Every file is checked against
    the registry's schema. ``jobs`` > 1 fills areas in that many processes; the files are the
    same. Raises `FillerError`, `SchemaError` when the repository's schema cannot be read, and
    `OSError` when a file cannot be written."""
    if type(jobs) is not int or jobs < 1:
        raise InvalidArgumentError("jobs", "an integer of at least 1", jobs)
    out_dir = output or root / FIXTURES
    load_schema(root)  # the repository's schema must be readable (CONF-ROOT-1)
    paths = filler_paths(root)
    known = {p.stem for p in paths}
    if areas:
        unknown = sorted(set(areas) - known)
        if unknown:
            raise FillerError(f"no filler for area(s) {', '.join(unknown)} "
                              f"(known: {', '.join(sorted(known))})")
        paths = [p for p in paths if p.stem in areas]
    report = FillReport()
    if output is None:
        _schema_file(root, check, report)
    if progress and paths:
        progress(0, len(paths), paths[0].stem)
    for done, (path, fixtures) in enumerate(zip(paths, _filled(root, paths, jobs)), 1):
        if progress and done < len(paths):
            progress(done, len(paths), paths[done].stem)
        text = _checked_text(path, fixtures)
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
