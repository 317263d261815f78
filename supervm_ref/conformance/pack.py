"""Release archives of the fixtures (spec/conformance.md, CONF-PACK-*).

`pack` puts the committed fixtures of every registered format (``conformance/fixtures/``,
``conformance/isolation/``), the schema and an index into one ``.tar.gz`` whose bytes depend
only on those files: members in a fixed order, with fixed times, owners and modes, and a gzip
header without a name or a time. The index lists every file with its SHA-256 and every fixture
with its ``_info.hash``, so that `read_archive` -- what `supervm consume` does with an archive
-- can check the archive before anything runs.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import SuperVMError, shown
from . import formats
from .encoding import fixture_hash, pretty_json
from .formats import build_schema, format_named
from .paths import SCHEMA
from .schema import errors_against, parse_json

#: CONF-PACK-1: the first bytes of a gzip stream: how `supervm consume` recognises an archive.
GZIP_MAGIC = b"\x1f\x8b"
#: CONF-PACK-2: the index's name (beside the archive's folders) and its format.
INDEX = "index.json"
INDEX_FORMAT = "supervm_fixtures_index"
#: CONF-PACK-4: bounds on what is read from an archive.
MAX_MEMBERS = 10_000
MAX_ARCHIVE_BYTES = 256 * 2**20


class PackError(SuperVMError):
    """The fixtures cannot be packed: a file is unreadable, invalid, or its hash is wrong."""


@dataclass(frozen=True)
class FixtureSource:
    """A fixture file to consume: a file on disk (``data`` None), or bytes read elsewhere --
    standard input, or a member of the release archive ``archive`` (then ``path`` is its
    path inside the archive). ``error``: why it cannot be used (an archive member that does
    not match the index)."""

    path: Path
    data: bytes | None = None
    archive: Path | None = None
    error: str | None = None


def archive_name(spec_version: str) -> str:
    """CONF-PACK-1: ``supervm-fixtures-<spec_version>.tar.gz``."""
    return f"supervm-fixtures-{spec_version}.tar.gz"


def _top(spec_version: str) -> str:
    return f"supervm-fixtures-{spec_version}"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _fixtures_of(data: Any, path: str) -> list[tuple[str, dict[str, Any]]]:
    """CONF-FORMAT-2: the (name, fixture) pairs of a decoded fixture file."""
    if isinstance(data, dict) and "_info" in data:
        return [(PurePosixPath(path).stem, data)]
    return sorted(data.items()) if isinstance(data, dict) else []


# --- Packing ----------------------------------------------------------------------------------

def packed_files(root: Path) -> list[str]:
    """CONF-PACK-1: the files an archive holds, relative to ``root``: every ``*.json`` below
    the folder of each registered format (a format may have none yet), and the schema, in
    sorted order."""
    files = {SCHEMA}
    for folder in sorted({fmt.folder for fmt in formats.FORMATS}):
        files |= {p.relative_to(root).as_posix() for p in (root / folder).rglob("*.json")
                  if p.is_file()}
    return sorted(files)


def build_index(root: Path, spec_version: str) -> tuple[dict[str, Any], dict[str, bytes]]:
    """CONF-PACK-2: the index and the bytes of every packed file. Every fixture file must be
    valid against the registry's schema and every filled fixture's ``_info.hash`` must verify;
    `PackError` otherwise."""
    schema = build_schema()
    contents: dict[str, bytes] = {}
    files: list[dict[str, Any]] = []
    fixtures: list[dict[str, Any]] = []
    for rel in packed_files(root):
        try:
            data = (root / rel).read_bytes()
        except OSError as e:
            raise PackError(f"cannot read {rel}: {e.strerror or e}") from e
        contents[rel] = data
        role = "schema" if rel == SCHEMA else "fixtures"
        files.append({"path": rel, "role": role, "sha256": _sha256(data), "size": len(data)})
        if role == "schema":
            continue
        try:
            decoded = parse_json(data)
        except ValueError as e:
            raise PackError(f"{rel}: {e}") from e
        problems = errors_against(decoded, schema)
        if problems:
            raise PackError(f"{rel}: not a valid fixture file: {problems[0]}")
        for name, fixture in _fixtures_of(decoded, rel):
            fmt = format_named(fixture["_info"]["fixture_format"])
            recorded = fixture["_info"].get("hash") if fmt.filled else None
            if recorded is not None and recorded != fixture_hash(fixture):
                raise PackError(f"{rel}: {name}: _info.hash does not match the fixture "
                                "(run 'supervm fill')")
            fixtures.append({"name": name, "file": rel, "fixture_format": fmt.name,
                             "hash": recorded})
    index = {"index_format": INDEX_FORMAT, "spec_version": spec_version,
             "fixture_formats": [fmt.name for fmt in formats.FORMATS], "files": files,
             "fixtures": fixtures}
    return index, contents


def pack(root: Path, spec_version: str) -> tuple[bytes, dict[str, Any]]:
    """CONF-PACK-1..3: the release archive of ``root``'s fixtures, and its index: under one
    folder ``supervm-fixtures-<spec_version>/``, the index first, then every packed file in
    sorted order; modification times 0, owner and group 0 without names, mode 0644; gzip
    level 9 with neither a file name nor a time in its header. `PackError` as
    `build_index`."""
    index, contents = build_index(root, spec_version)
    members = [(INDEX, pretty_json(index).encode("utf-8")), *sorted(contents.items())]
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for rel, data in members:
            info = tarfile.TarInfo(f"{_top(spec_version)}/{rel}")
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue(), index


# --- Reading ----------------------------------------------------------------------------------

class ArchiveError(SuperVMError):
    """An archive cannot be read, or its index is missing or malformed."""


def _members(data: bytes) -> dict[str, bytes]:
    """The regular files of a ``.tar.gz``, by their path below its single top folder."""
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            infos = tar.getmembers()
            if len(infos) > MAX_MEMBERS:
                raise ArchiveError(f"more than {MAX_MEMBERS} members")
            if sum(i.size for i in infos) > MAX_ARCHIVE_BYTES:
                raise ArchiveError(f"more than {MAX_ARCHIVE_BYTES} bytes of files")
            tops = {PurePosixPath(i.name).parts[0] for i in infos if i.name}
            if len(tops) != 1:
                raise ArchiveError(f"expected one top folder, found {sorted(tops)[:5]}")
            files: dict[str, bytes] = {}
            for info in infos:
                parts = PurePosixPath(info.name).parts[1:]
                if info.isdir():
                    continue
                if not info.isfile() or not parts or ".." in parts:
                    raise ArchiveError(f"member {shown(info.name)} is not a file of the "
                                       "archive's folder")
                stream = tar.extractfile(info)
                if stream is None:  # pragma: no cover - isfile() members always have one
                    raise ArchiveError(f"member {shown(info.name)} has no content")
                files["/".join(parts)] = stream.read()
            return files
    except (tarfile.TarError, EOFError, OSError, zlib.error) as e:
        raise ArchiveError(f"not a readable .tar.gz: {e}") from e


def _index(files: dict[str, bytes]) -> dict[str, Any]:
    """CONF-PACK-2: the decoded index, its structure checked."""
    if INDEX not in files:
        raise ArchiveError(f"no {INDEX}")
    try:
        index = parse_json(files[INDEX])
    except ValueError as e:
        raise ArchiveError(f"{INDEX}: {e}") from e

    def entries(key: str, fields: tuple[str, ...]) -> list[dict[str, Any]]:
        value = index.get(key) if isinstance(index, dict) else None
        if not isinstance(value, list) or not all(
                isinstance(e, dict) and all(f in e for f in fields) for e in value):
            raise ArchiveError(f"{INDEX}: {key} must be a list of objects with {fields}")
        return value

    if not isinstance(index, dict) or index.get("index_format") != INDEX_FORMAT:
        raise ArchiveError(f"{INDEX}: index_format must be {INDEX_FORMAT!r}")
    entries("files", ("path", "role", "sha256"))
    entries("fixtures", ("name", "file", "hash"))
    return index


def _file_problem(rel: str, data: bytes, listed: list[dict[str, Any]]) -> str | None:
    """CONF-PACK-4: why a fixture file does not match its index entries (None if it does)."""
    try:
        decoded = parse_json(data)
    except ValueError:
        return None  # the file's sha256 matched: consuming it reports that it is unreadable
    actual = {name: (_info(fixture).get("hash") if isinstance(fixture, dict) else None)
              for name, fixture in _fixtures_of(decoded, rel)}
    expected = {e["name"]: e["hash"] for e in listed}
    if set(actual) != set(expected):
        return (f"archive index: the fixtures of {rel} are not those the index lists "
                f"({len(actual)} in the file, {len(expected)} listed)")
    for name, recorded in sorted(expected.items()):
        if actual[name] != recorded:
            return (f"archive index: {name}: _info.hash {actual[name]} differs from the "
                    f"index's {recorded}")
    return None


def _info(fixture: dict[str, Any]) -> dict[str, Any]:
    info = fixture.get("_info")
    return info if isinstance(info, dict) else {}


def read_archive(data: bytes, label: Path) -> list[FixtureSource]:
    """CONF-PACK-4: the fixture files of a release archive (``label`` names it), checked
    against its index before anything is run: a listed file that is missing or whose SHA-256
    differs, a file the index does not list, or a fixture whose ``_info.hash`` is not the
    index's becomes a source with an ``error``. An archive that cannot be read, or has no
    usable index, is one source with an error."""
    try:
        files = _members(data)
        index = _index(files)
    except ArchiveError as e:
        return [FixtureSource(label, error=f"archive: {e}")]
    listed_fixtures: dict[str, list[dict[str, Any]]] = {}
    for entry in index["fixtures"]:
        listed_fixtures.setdefault(str(entry["file"]), []).append(entry)
    sources: list[FixtureSource] = []
    listed = {str(e["path"]): e for e in index["files"]}
    for rel in sorted(set(files) - {INDEX} - set(listed)):
        sources.append(FixtureSource(Path(rel), archive=label,
                                     error="archive index: this file is not listed"))
    for rel, entry in sorted(listed.items()):
        content = files.get(rel)
        if content is None:
            error: str | None = "archive index: listed, but not in the archive"
        elif _sha256(content) != entry["sha256"]:
            error = (f"archive index: sha256 {_sha256(content)} differs from the index's "
                     f"{entry['sha256']}")
        elif entry["role"] == "fixtures":
            error = _file_problem(rel, content, listed_fixtures.get(rel, []))
        else:
            continue  # the schema, intact: not a fixture file
        sources.append(FixtureSource(Path(rel), None if error else content, label, error))
    return sorted(sources, key=lambda s: s.path.as_posix())
