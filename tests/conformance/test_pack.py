"""``supervm fixtures pack`` and consuming its archive (spec/conformance.md, CONF-PACK-*): the
same bytes every time, an index of every file's SHA-256 and every fixture's hash, and an
archive checked against its index before anything runs."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest

from supervm_ref.cli import main
from supervm_ref.conformance.encoding import fixture_hash, pretty_json
from supervm_ref.conformance.fill import SPEC_VERSION
from supervm_ref.conformance.formats import FORMATS
from supervm_ref.conformance.pack import PackError, archive_name, pack, read_archive

from ..support import REPO

TOP = f"supervm-fixtures-{SPEC_VERSION}"


@pytest.fixture(scope="session")
def packed() -> tuple[bytes, dict[str, Any]]:
    """The archive of the committed fixtures and its index."""
    return pack(REPO, SPEC_VERSION)


def _members(archive: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        return {i.name: tar.extractfile(i).read()  # type: ignore[union-attr]
                for i in tar.getmembers()}


def _tar(members: dict[str, bytes]) -> bytes:
    """A .tar.gz of ``members`` (path -> bytes), in their order."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as gz, \
            tarfile.open(fileobj=gz, mode="w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_archive_name_layout_and_index(packed: tuple[bytes, dict[str, Any]]) -> None:
    """CONF-PACK-1, CONF-PACK-2: one top folder; the index, then every fixture file of every
    format's folder and the schema; the index lists each file's SHA-256 and size and each
    fixture's ``_info.hash`` (null for the isolation scripts)."""
    archive, index = packed
    assert archive_name(SPEC_VERSION) == f"supervm-fixtures-{SPEC_VERSION}.tar.gz"
    members = _members(archive)
    expected = sorted(
        [p.relative_to(REPO).as_posix() for folder in {fmt.folder for fmt in FORMATS}
         for p in (REPO / folder).rglob("*.json")]
        + ["spec/conformance.schema.json"])
    assert {"conformance/fixtures/batch.json", "conformance/isolation/g0.json"} <= set(expected)
    assert list(members) == [f"{TOP}/index.json", *(f"{TOP}/{p}" for p in expected)]
    assert json.loads(members[f"{TOP}/index.json"]) == index
    assert members[f"{TOP}/index.json"] == pretty_json(index).encode()
    assert index["index_format"] == "supervm_fixtures_index"
    assert index["spec_version"] == SPEC_VERSION
    assert index["fixture_formats"] == [fmt.name for fmt in FORMATS]
    assert [f["path"] for f in index["files"]] == expected
    for entry in index["files"]:
        data = (REPO / entry["path"]).read_bytes()
        assert members[f"{TOP}/{entry['path']}"] == data
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["size"] == len(data)
        assert entry["role"] == ("schema" if entry["path"].startswith("spec/") else "fixtures")
    listed = {(f["file"], f["name"]): f for f in index["fixtures"]}
    count = 0
    for path in expected[:-1]:
        data = json.loads((REPO / path).read_text())
        fixtures = {Path(path).stem: data} if "_info" in data else data
        for name, fixture in fixtures.items():
            entry = listed[(path, name)]
            assert entry["fixture_format"] == fixture["_info"]["fixture_format"]
            assert entry["hash"] == fixture["_info"].get("hash")
            assert entry["hash"] is None or entry["hash"] == fixture_hash(fixture)
            count += 1
    assert count == len(index["fixtures"]) >= 350


def test_packing_twice_gives_the_same_bytes(packed: tuple[bytes, dict[str, Any]]) -> None:
    """CONF-PACK-3: the same bytes again; ustar members with time 0, owner 0, no names, mode
    0644; a gzip header with neither a name nor a time."""
    archive, _ = packed
    assert pack(REPO, SPEC_VERSION)[0] == archive
    assert archive[:4] == b"\x1f\x8b\x08\x00"  # gzip, deflate, no FNAME flag
    assert archive[4:8] == b"\0\0\0\0"  # MTIME 0
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        for info in tar.getmembers():
            assert info.isfile() and info.mtime == 0 and info.mode == 0o644
            assert (info.uid, info.gid, info.uname, info.gname) == (0, 0, "", "")
    with gzip.open(io.BytesIO(archive)) as raw:
        assert raw.read(512)[257:263] == b"ustar\0"


def test_pack_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                      capsys: pytest.CaptureFixture[str],
                      packed: tuple[bytes, dict[str, Any]]) -> None:
    """CONF-PACK-1: ``supervm fixtures pack`` writes the archive under its name in the current
    folder, at ``--output FILE``, or under its name in ``--output DIR``; it exits 2 without
    a repository or when the file cannot be written."""
    archive, index = packed
    monkeypatch.chdir(tmp_path)
    assert main(["fixtures", "pack", "--root", str(REPO)]) == 0
    out = capsys.readouterr().out
    assert (tmp_path / archive_name(SPEC_VERSION)).read_bytes() == archive
    assert out.startswith(f"wrote {archive_name(SPEC_VERSION)}: {len(index['files'])} file(s), "
                          f"{len(index['fixtures'])} fixture(s), {len(archive):,} bytes")
    assert hashlib.sha256(archive).hexdigest() in out
    assert main(["fixtures", "pack", "--root", str(REPO), "--output", "x.tgz"]) == 0
    assert (tmp_path / "x.tgz").read_bytes() == archive
    (tmp_path / "out").mkdir()
    assert main(["fixtures", "pack", "--root", str(REPO), "--output", "out"]) == 0
    assert (tmp_path / "out" / archive_name(SPEC_VERSION)).read_bytes() == archive
    capsys.readouterr()
    assert main(["fixtures", "pack", "--root", str(REPO), "--output", "absent/x.tgz"]) == 2
    assert "cannot write absent/x.tgz" in capsys.readouterr().err
    assert main(["fixtures", "pack", "--root", str(tmp_path / "none")]) == 2
    assert "supervm fixtures pack:" in capsys.readouterr().err


def test_pack_refuses_a_bad_fixture(tmp_path: Path) -> None:
    """CONF-PACK-1: a fixture whose hash does not verify, or a file that is not a fixture
    file, is not packed."""
    (tmp_path / "conformance" / "fixtures").mkdir(parents=True)
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "conformance.schema.json").write_text("{}")
    engine = json.loads((REPO / "conformance" / "fixtures" / "engine.json").read_text())
    name = sorted(engine)[0]
    engine[name]["post"]["results"][0]["gas_used"] += 1
    target = tmp_path / "conformance" / "fixtures" / "engine.json"
    target.write_text(json.dumps({name: engine[name]}))
    with pytest.raises(PackError, match=r"_info\.hash does not match"):
        pack(tmp_path, SPEC_VERSION)
    target.write_text("[1]")
    with pytest.raises(PackError, match="not a valid fixture file"):
        pack(tmp_path, SPEC_VERSION)


def test_consuming_an_archive(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                              packed: tuple[bytes, dict[str, Any]]) -> None:
    """CONF-PACK-4, CONF-CONSUME-6: ``supervm consume ARCHIVE`` checks its index, then runs
    the selected fixtures, reporting each file as ``ARCHIVE:PATH``."""
    archive, _ = packed
    path = tmp_path / archive_name(SPEC_VERSION)
    path.write_bytes(archive)
    status = main(["consume", "--area", "engine", "--area", "g0", str(path)])
    out = capsys.readouterr().out
    engine = len(json.loads((REPO / "conformance" / "fixtures" / "engine.json").read_text()))
    assert status == 0
    assert f"PASS  {path}:conformance/fixtures/engine.json  ({engine} fixtures)" in out
    assert f"PASS  {path}:conformance/isolation/g0.json  (1 fixtures)" in out


def _tampered(archive: bytes, change: Any) -> bytes:
    members = _members(archive)
    change(members)
    return _tar(members)


def _index_of(members: dict[str, bytes]) -> dict[str, Any]:
    index: dict[str, Any] = json.loads(members[f"{TOP}/index.json"])
    return index


def _set_index(members: dict[str, bytes], index: dict[str, Any]) -> None:
    members[f"{TOP}/index.json"] = json.dumps(index).encode()


def test_an_archive_that_does_not_match_its_index(packed: tuple[bytes, dict[str, Any]]
                                                  ) -> None:
    """CONF-PACK-4: changed bytes, a missing or unlisted file, a fixture hash the index does
    not list each fail their file (whatever the selection), before anything runs; an archive
    that cannot be read, or has no index, fails as one file."""
    archive, index = packed
    engine = f"{TOP}/conformance/fixtures/engine.json"

    def changed_bytes(m: dict[str, bytes]) -> None:
        m[engine] = m[engine].replace(b'"gas_used": 4', b'"gas_used": 5', 1)

    def fixture_hash_not_listed(m: dict[str, bytes]) -> None:
        index = _index_of(m)
        entry = next(f for f in index["fixtures"] if f["file"].endswith("engine.json"))
        entry["hash"] = "sha256:" + "0" * 64
        _set_index(m, index)

    def missing(m: dict[str, bytes]) -> None:
        del m[engine]

    def unlisted(m: dict[str, bytes]) -> None:
        m[f"{TOP}/conformance/fixtures/extra.json"] = b"{}"

    cases = {"changed bytes": (changed_bytes, "conformance/fixtures/engine.json",
                               "differs from the index's"),
             "hash": (fixture_hash_not_listed, "conformance/fixtures/engine.json",
                      "differs from the index's sha256:000"),
             "missing": (missing, "conformance/fixtures/engine.json",
                         "listed, but not in the archive"),
             "unlisted": (unlisted, "conformance/fixtures/extra.json", "is not listed")}
    for what, (change, where, says) in cases.items():
        sources = read_archive(_tampered(archive, change), Path("a.tgz"))
        bad = [s for s in sources if s.error is not None]
        assert [(s.path.as_posix(), s.archive) for s in bad] == [(where, Path("a.tgz"))], what
        assert bad[0].error is not None and says in bad[0].error, (what, bad[0].error)
        files = sum(f["role"] == "fixtures" for f in index["files"])
        assert len(sources) == files + (what == "unlisted"), what
    for what, data, says in [
            ("no index", _tampered(archive, lambda m: m.pop(f"{TOP}/index.json")),
             "archive: no index.json"),
            ("not a tar", gzip.compress(b"garbage"), "archive: not a readable .tar.gz"),
            ("two folders", _tar({"a/x.json": b"{}", "b/y.json": b"{}"}),
             "expected one top folder"),
            ("escaping", _tar({"a/index.json": b"{}", "a/../x.json": b"{}"}),
             "is not a file of the archive's folder"),
            ("bad index", _tampered(archive, lambda m: _set_index(m, {"files": 1})),
             "index_format must be")]:
        (source,) = read_archive(data, Path("a.tgz"))
        assert source.path == Path("a.tgz") and source.error is not None, what
        assert says in source.error, (what, source.error)


def test_consume_reports_a_damaged_archive(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str],
                                           packed: tuple[bytes, dict[str, Any]]) -> None:
    """CONF-PACK-4, CONF-CONSUME-2: a damaged file fails (exit 1) even outside the selection;
    the selected files still run."""
    archive, _ = packed
    engine = f"{TOP}/conformance/fixtures/engine.json"

    def damage(m: dict[str, bytes]) -> None:
        m[engine] = m[engine].replace(b'"gas_used": 4', b'"gas_used": 5', 1)

    path = tmp_path / "damaged.tar.gz"
    path.write_bytes(_tampered(archive, damage))
    status = main(["consume", "--area", "g1b", str(path)])
    out = capsys.readouterr().out
    assert status == 1
    assert f"FAIL  {path}:conformance/fixtures/engine.json: archive index: sha256" in out
    assert f"PASS  {path}:conformance/isolation/g1b.json  (1 fixtures)" in out
