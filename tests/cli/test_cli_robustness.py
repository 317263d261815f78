"""The ``supervm`` command line on bad input: every usage error or unusable file is one clear
line on stderr and exit status 1 or 2, never a Python traceback; Ctrl-C is exit status 130;
numeric options are checked by argparse; configuration values are checked when loaded."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from supervm_ref.backends import BACKENDS, Backend, BackendError, backend_status
from supervm_ref.cli import main
from supervm_ref.cli.options import bounded_float, bounded_int, percentage
from supervm_ref.config import RANGES, Config, ConfigError, load_config
from supervm_ref.conformance.fill import write_atomically
from supervm_ref.conformance.schema import MAX_JSON_DEPTH, json_depth, parse_json

from ..support import REPO, default_sigint, external_dir

FIXTURE = REPO / "conformance" / "fixtures" / "engine.json"
COUNTER = str(REPO / "conformance" / "contracts" / "counter.wasm")
DEEP = "[" * 100_000
#: A t8n input with no transaction.
EMPTY_INPUT = (b'{"env": {"block_number": 1, "timestamp": 2, "gas_limit": 1000}, '
               b'"pre": {"code": {}, "storage": {}}, "transactions": []}')


def _env(**extra: str) -> dict[str, str]:
    """The environment of a subprocess: progress decided by the test, not by the caller."""
    env = {k: v for k, v in os.environ.items() if k != "SUPERVM_PROGRESS"}
    env.update(extra)
    return env


def _supervm(*argv: str, stdin: bytes = b"", cwd: Path | None = None,
             **env: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "supervm_ref", *argv], input=stdin,
                          capture_output=True, cwd=cwd or REPO, env=_env(**env), timeout=600,
                          check=False)
    return subprocess.CompletedProcess(proc.args, proc.returncode,
                                       proc.stdout.decode("utf-8", "replace"),
                                       proc.stderr.decode("utf-8", "replace"))


# --- A table of bad invocations ---------------------------------------------------------------

@dataclass(frozen=True)
class Bad:
    """One bad invocation: its arguments (``{tmp}`` is the scratch folder), stdin, the exit
    status expected and a fragment its stderr (or, for a failed check, stdout) must hold."""

    argv: tuple[str, ...]
    status: int
    says: str
    stdin: bytes = b""


BAD = [
    # the command line itself
    Bad((), 2, "COMMAND"),
    Bad(("nonsense",), 2, "invalid choice"),
    Bad(("bench",), 2, "BENCHMARK"),
    Bad(("bench", "nope"), 2, "invalid choice"),
    # numeric options: finite, in range
    Bad(("consume", "--timeout", "nan", "{tmp}"), 2, "--timeout: expected a finite number"),
    Bad(("consume", "--timeout", "inf", "{tmp}"), 2, "--timeout: expected a finite number"),
    Bad(("consume", "--timeout", "-1", "{tmp}"), 2, "greater than 0"),
    Bad(("consume", "--timeout", "0", "{tmp}"), 2, "greater than 0"),
    Bad(("consume", "--timeout", "1e300", "{tmp}"), 2, "at most 86,400"),
    Bad(("consume", "--timeout", "soon", "{tmp}"), 2, "got 'soon'"),
    Bad(("demo", "--interval", "-1"), 2, "--interval: expected a finite number"),
    Bad(("demo", "--interval", "nan"), 2, "--interval: expected a finite number"),
    Bad(("demo", "--interval", "inf"), 2, "--interval: expected a finite number"),
    Bad(("bench", "engine", "--repeat", "0"), 2, "--repeat: expected an integer from 1"),
    Bad(("bench", "engine", "--repeat", "-1"), 2, "--repeat: expected an integer from 1"),
    Bad(("bench", "engine", "--repeat", "1.5"), 2, "--repeat"),
    Bad(("bench", "runtime", "--transfers", "0"), 2, "--transfers"),
    Bad(("bench", "runtime", "--transfers", "9" * 5000), 2, "--transfers"),
    Bad(("bench", "parallel", "--block-size", "0"), 2, "--block-size"),
    Bad(("bench", "parallel", "--block-size", "10" + "0" * 12), 2, "--block-size"),
    Bad(("bench", "parallel", "--seed", "-1"), 2, "--seed"),
    Bad(("bench", "parallel", "--seed", "x"), 2, "--seed"),
    Bad(("spectest", "{tmp}", "--min-pass", "101"), 2, "--min-pass: expected a finite number"),
    Bad(("spectest", "{tmp}", "--min-pass", "-0.5"), 2, "from 0 to 100"),
    Bad(("spectest", "{tmp}", "--min-pass", "nan"), 2, "--min-pass"),
    Bad(("spectest", "{tmp}", "--min-pass-exec", "inf"), 2, "--min-pass-exec"),
    Bad(("spectest", "{tmp}", "--min-pass-valid", "1000"), 2, "--min-pass-valid"),
    # spectest: a path where no suite is
    Bad(("spectest", "{tmp}/empty"), 2, "no script in"),
    Bad(("spectest", "{tmp}/nojson"), 2, "no script in"),
    Bad(("spectest", "{tmp}/absent"), 2, "no such directory"),
    Bad(("spectest", "{tmp}/deep.json"), 2, "no such directory"),
    Bad(("spectest", "{tmp}/textonly"), 2, "could be run"),
    Bad(("spectest", "{tmp}/empty", "--file", "x"), 2, "no script x"),
    Bad(("spectest", "{tmp}/deepsuite"), 1, "FAIL: execution pass rate"),
    # consume: files and backends
    Bad(("consume",), 2, "give a fixture file or folder"),
    Bad(("consume", "{tmp}/deep.json"), 1, "JSON nested deeper than 64 levels"),
    Bad(("consume", "{tmp}/garbage.json"), 1, "cannot read"),
    Bad(("consume", "{tmp}/blank.json"), 1, "cannot read"),
    Bad(("consume", "{tmp}/absent.json"), 2, "does not exist"),
    Bad(("consume", "{tmp}/empty"), 2, "no *.json fixture file"),
    Bad(("consume", "--backend", "foo 'bar", "{tmp}/one.json"), 2, "No closing quotation"),
    Bad(("consume", "--backend", "", "{tmp}/one.json"), 2, "empty command"),
    Bad(("consume", "--backend", "/nonexistent/program", "{tmp}/one.json"), 1,
        "cannot run '/nonexistent/program'"),
    Bad(("consume", "--backend", f"{sys.executable} -c \"print('[' * 100000)\"",
         "{tmp}/one.json"), 1, "wrote no JSON object"),
    Bad(("consume", "--schema", "{tmp}/deep.json", "{tmp}/one.json"), 2, "cannot read the schema"),
    Bad(("consume", "--schema", "{tmp}", "{tmp}/one.json"), 2, "cannot read the schema"),
    Bad(("consume", "--schema", "{tmp}/garbage.json", "{tmp}/one.json"), 2, "cannot read"),
    Bad(("consume", "--root", "{tmp}/absent", "{tmp}/one.json"), 2, "cannot read the schema"),
    # t8n: stdin
    Bad(("t8n",), 2, "stdin is empty", b""),
    Bad(("t8n",), 2, "JSON nested deeper", DEEP.encode()),
    Bad(("t8n",), 2, "not UTF-8", bytes(range(128, 256))),
    Bad(("t8n",), 2, "bad input", b"[1, 2"),
    Bad(("t8n",), 2, "bad input", b"[1]"),
    Bad(("t8n",), 2, "bad input", b'{"env": 5, "pre": [], "transactions": 3}'),
    Bad(("t8n", "--backend", "nope"), 1, "not registered", EMPTY_INPUT),
    # fill
    Bad(("fill", "--root", "{tmp}/absent"), 2, "cannot read the schema"),
    Bad(("fill", "nosucharea"), 2, "no filler for area(s) nosucharea"),
    Bad(("fill", "--output", "{tmp}/garbage.json", "engine"), 2, "cannot write"),
    # demo and its configuration
    Bad(("demo", "--once", "--config", "{tmp}"), 2, "is a directory"),
    Bad(("demo", "--once", "--config", "{tmp}/absent.toml"), 2, "no such configuration file"),
    Bad(("demo", "--once", "--config", "{tmp}/garbage.json"), 2, "garbage.json"),
    Bad(("demo", "--once", "--config", "{tmp}/deep.toml"), 2, "nested too deeply"),
    Bad(("demo", "--once", "--config", "{tmp}/zero_gas.toml"), 2,
        "runtime.default_gas_limit must be a positive integer from 1 to"),
    Bad(("demo", "--once", "--config", "{tmp}/tiny_gas.toml"), 1, "failed with the configuration"),
    Bad(("demo", "--once", "--config", "{tmp}/tiny_key.toml"), 1, "HOST_LIMIT_EXCEEDED"),
    # --plot: checked before the bench runs
    Bad(("bench", "parallel", "--quick", "--plot", "{tmp}/absent/p.png"), 2,
        "no such directory"),
    Bad(("bench", "metrics", "--plot", "{tmp}"), 2, "it is a directory"),
    # call (RT-CLI-1..4)
    Bad(("call",), 2, "CONTRACT, FUNCTION"),
    Bad(("call", "{tmp}/absent.wasm", "f"), 2, "cannot read the contract"),
    Bad(("call", "{tmp}", "f"), 2, "cannot read the contract"),
    Bad(("call", COUNTER, "increment"), 2, "increment takes 1 argument(s) (i64), got 0"),
    Bad(("call", COUNTER, "increment", "x"), 2, "argument 1 of increment: expected an i64"),
    Bad(("call", COUNTER, "increment", "i32:1"), 2, "is an i64, got 'i32:1'"),
    Bad(("call", COUNTER, "increment", "9" * 5000), 2, "out of the i64 range"),
    Bad(("call", COUNTER, "get", "--gas", "-1"), 2, "--gas: expected an integer from 0"),
    Bad(("call", COUNTER, "get", "--gas", str(2**64)), 2, "--gas"),
    Bad(("call", COUNTER, "get", "--block", str(2**63)), 2, "--block"),
    Bad(("call", COUNTER, "get", "--timestamp", "now"), 2, "--timestamp"),
    Bad(("call", COUNTER, "get", "--state", "{tmp}/garbage.json"), 2, "garbage.json"),
    Bad(("call", COUNTER, "get", "--state", "{tmp}/deep.json"), 2, "nested deeper"),
    Bad(("call", COUNTER, "get", "--state", "{tmp}/one.json"), 2, "expected hex strings"),
    Bad(("call", COUNTER, "get", "--state", "{tmp}"), 2, "cannot read the state"),
    Bad(("call", COUNTER, "get", "--state", "{tmp}/absent/state.json"), 2,
        "cannot write the state"),
    Bad(("call", COUNTER, "get", "--state", "{tmp}/twice.json"), 2, "'AB' is the key 'ab' again"),
    Bad(("call", COUNTER, "increment", "0_"), 2, "expected an i64"),
    Bad(("call", COUNTER, "increment", " 1"), 2, "expected an i64"),
    Bad(("call", COUNTER, "increment", "-1e5"), 2, "argument 1 of increment: expected an i64"),
    Bad(("call", COUNTER, "increment", "-0x8000000000000001"), 2, "out of the i64 range"),
    Bad(("call", COUNTER, "increment", "-inf", "--gas"), 2, "--gas: expected one argument"),
    Bad(("call", "{tmp}/bits.wat", "f64bits", "0x1p99999999999"), 2, "beyond the f64 range"),
    Bad(("call", "{tmp}/bits.wat", "f32bits", "-0x1p5000"), 2, "beyond the f32 range"),
    Bad(("call", "{tmp}/bits.wat", "f32bits", "infinity"), 2, "expected an f32"),
    Bad(("call", "{tmp}/bits.wat", "f64bits", "-nan:0x0"), 2, "NaN payload"),
    Bad(("call", COUNTER, "nope"), 1, "NO_SUCH_FUNCTION"),
    Bad(("call", "{tmp}/garbage.json", "f"), 1, "MALFORMED_MODULE"),
    # an empty file is the empty text, which is the empty module (WASM-TEXT-MOD-1)
    Bad(("call", "{tmp}/blank.json", "f"), 1, "NO_SUCH_FUNCTION"),
    # wat2wasm (RT-CODE-5)
    Bad(("wat2wasm",), 2, "FILE"),
    Bad(("wat2wasm", "{tmp}/absent.wat"), 2, "cannot read"),
    Bad(("wat2wasm", "{tmp}"), 2, "cannot read"),
    Bad(("wat2wasm", COUNTER), 2, "it is already binary"),
    Bad(("wat2wasm", "{tmp}/garbage.json"), 2, "not UTF-8"),
    Bad(("wat2wasm", "{tmp}/blank.json", "-o", "{tmp}/blank.json"), 2, "would replace"),
]


def _scratch(tmp: Path) -> None:
    """The files the table refers to."""
    (tmp / "empty").mkdir()
    (tmp / "nojson" / "sub").mkdir(parents=True)
    (tmp / "deep.json").write_text(DEEP)
    (tmp / "deep.toml").write_text("a = " + DEEP)
    (tmp / "garbage.json").write_bytes(bytes(range(256)) * 4)
    (tmp / "blank.json").write_text("")
    (tmp / "twice.json").write_text('{"ab": "01", "AB": "02"}')
    (tmp / "bits.wat").write_text(
        '(module (func (export "f32bits") (param f32) (result i32) local.get 0 '
        'i32.reinterpret_f32) (func (export "f64bits") (param f64) (result i64) local.get 0 '
        'i64.reinterpret_f64))')
    (tmp / "deepsuite" / "d").mkdir(parents=True)
    (tmp / "deepsuite" / "d" / "d.json").write_text(DEEP)
    (tmp / "textonly" / "t").mkdir(parents=True)
    (tmp / "textonly" / "t" / "t.json").write_text(json.dumps({"commands": [
        {"type": "module", "line": 1, "filename": "t.0.wat", "module_type": "text"}]}))
    fixtures = json.loads(FIXTURE.read_text())
    name = sorted(fixtures)[0]
    (tmp / "one.json").write_text(json.dumps({name: fixtures[name]}))
    (tmp / "zero_gas.toml").write_text("[runtime]\ndefault_gas_limit = 0\n")
    (tmp / "tiny_gas.toml").write_text("[runtime]\ndefault_gas_limit = 1\n")
    (tmp / "tiny_key.toml").write_text("[host]\nmax_key_size = 1\n")


@pytest.fixture(scope="session")  # xdist may interleave files: build once
def bad_runs(tmp_path_factory: pytest.TempPathFactory
             ) -> dict[int, subprocess.CompletedProcess[str]]:
    """Every invocation of `BAD`, run as a process (several at a time)."""
    tmp = tmp_path_factory.mktemp("bad")
    _scratch(tmp)

    def run(case: Bad) -> subprocess.CompletedProcess[str]:
        return _supervm(*(a.replace("{tmp}", str(tmp)) for a in case.argv), stdin=case.stdin)

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(enumerate(pool.map(run, BAD)))


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(BAD)),
                         ids=[" ".join(c.argv)[:60] or "(none)" for c in BAD])
def test_bad_invocation(index: int, bad_runs: dict[int, subprocess.CompletedProcess[str]]
                        ) -> None:
    """No traceback; the expected status; a message that says what is wrong."""
    case, proc = BAD[index], bad_runs[index]
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == case.status, (proc.returncode, proc.stderr, proc.stdout[-500:])
    assert case.says in proc.stderr + proc.stdout, (proc.stderr, proc.stdout[-500:])


def test_usage_errors_are_one_line(bad_runs: dict[int, subprocess.CompletedProcess[str]]
                                   ) -> None:
    """A command's own usage errors (not argparse's usage text) are exactly one line."""
    for index, case in enumerate(BAD):
        proc = bad_runs[index]
        if case.status == 2 and proc.stderr.startswith("supervm"):
            assert len(proc.stderr.strip().splitlines()) == 1, (case.argv, proc.stderr)


# --- Shared option types ----------------------------------------------------------------------

@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "NaN", "1e400", "-1", "0", "x", ""])
def test_positive_seconds_refuse(text: str) -> None:
    """A float option rejects non-finite values and values outside its range."""
    with pytest.raises(argparse.ArgumentTypeError, match="finite number"):
        bounded_float(0.0, 100.0, low_open=True)(text)


def test_float_and_int_bounds_are_inclusive() -> None:
    """The bounds given are accepted, their neighbours not."""
    assert bounded_float(0.0, 100.0)("0") == 0.0 and percentage("100") == 100.0
    assert bounded_float(0.0, 1.0, low_open=True)("1e-9") == 1e-9
    with pytest.raises(argparse.ArgumentTypeError):
        percentage("100.0001")
    parse = bounded_int(1, 10)
    assert parse("1") == 1 and parse("10") == 10
    for text in ("0", "11", "1.0", "0x5", "1e3", "9" * 5000):
        with pytest.raises(argparse.ArgumentTypeError, match="expected an integer from 1 to 10"):
            parse(text)


# --- JSON from outside ------------------------------------------------------------------------

def test_parse_json_bounds_depth() -> None:
    """Documents nested beyond MAX_JSON_DEPTH are refused with a ValueError, whether or not
    the decoder itself could read them."""
    ok = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert json_depth(parse_json(ok)) == MAX_JSON_DEPTH
    for text in ("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1), DEEP,
                 '{"a": ' * 70 + "1" + "}" * 70):
        with pytest.raises(ValueError, match="nested deeper"):
            parse_json(text)
    with pytest.raises(ValueError, match="not UTF-8"):
        parse_json(b"\xff\xfe")
    assert json_depth(1) == 0 and json_depth({"a": [1, {}]}) == 3


def test_parse_json_refuses_non_json_constants() -> None:
    """JSON read from outside is JSON: Python's ``NaN``, ``Infinity`` and ``-Infinity`` are
    refused with a ValueError; duplicate member names only with ``unique_members`` (the
    privacy documents ask for it, ZK-JSON-1); anything but text is refused."""
    for text in ("NaN", "[NaN]", '{"a": Infinity}', "[-Infinity]", b"[1, NaN]"):
        with pytest.raises(ValueError, match=r"not JSON: .* is not a JSON value"):
            parse_json(text)
    assert parse_json('["NaN", "Infinity", -1.5]') == ["NaN", "Infinity", -1.5]
    assert parse_json('{"a": 1, "a": 2}') == {"a": 2}
    with pytest.raises(ValueError, match="duplicate member 'a'"):
        parse_json('[{"b": {"a": 1, "a": 2}}]', unique_members=True)
    assert parse_json('{"a": {"a": 1}}', unique_members=True) == {"a": {"a": 1}}
    for junk in (None, 1, ["[]"]):
        with pytest.raises(ValueError, match="not JSON text"):
            parse_json(junk)  # type: ignore[arg-type]


def test_consume_and_t8n_in_process_on_deep_json(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The regression in process: a FAIL line and exit 1 for consume, exit 2 for t8n."""
    deep = tmp_path / "deep.json"
    deep.write_text(DEEP)
    assert main(["consume", str(deep)]) == 1
    assert "FAIL" in capsys.readouterr().out

    class Stdin:
        buffer = __import__("io").BytesIO(DEEP.encode())

    monkeypatch.setattr(sys, "stdin", Stdin)
    assert main(["t8n"]) == 2
    assert "nested deeper" in capsys.readouterr().err


# --- Configuration ----------------------------------------------------------------------------

def test_every_config_key_has_a_range() -> None:
    """RANGES covers exactly the fields of every section, and each default lies inside."""
    import dataclasses

    config = Config()
    for section, ranges in RANGES.items():
        value = getattr(config, section)
        assert set(ranges) == {f.name for f in dataclasses.fields(value)}, section
        for key, (low, high) in ranges.items():
            assert low <= getattr(value, key) <= high, (section, key)


@pytest.mark.parametrize("section, key", [(s, k) for s, keys in RANGES.items() for k in keys])
def test_config_value_checks(tmp_path: Path, section: str, key: str) -> None:
    """Every key: below range, above range, bool, float, string and table are each a
    ConfigError naming file, key, range and value; both bounds load."""
    low, high = RANGES[section][key]
    path = tmp_path / "supervm.toml"
    for bad in (str(low - 1), str(min(high + 1, 2**63 - 1)) if high < 2**63 - 1 else None,
                "true", "1.0", '"5"', "{ a = 1 }", "[1]"):
        if bad is None:
            continue
        path.write_text(f"[{section}]\n{key} = {bad}\n")
        with pytest.raises(ConfigError) as e:
            load_config(path)
        message = str(e.value)
        assert str(path) in message and f"{section}.{key} must be" in message
        assert f"{low:,} to {high:,}" in message and "got" in message
        assert "\n" not in message
    for good in (low, high):
        path.write_text(f"[{section}]\n{key} = {good}\n")
        assert getattr(getattr(load_config(path), section), key) == good


def test_config_error_anywhere_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """A ConfigError raised by any command ends as one line on stderr and status 2."""
    import supervm_ref.cli.demo as demo_cli

    def broken(args: argparse.Namespace) -> int:
        raise ConfigError("x.toml: runtime.default_gas_limit must be ..., got 0")

    monkeypatch.setattr(demo_cli, "run_demos", broken)  # bound when main builds the parser
    assert main(["demo", "--once"]) == 2
    err = capsys.readouterr().err
    assert err == "supervm: x.toml: runtime.default_gas_limit must be ..., got 0\n"


# --- Backends and their extras ----------------------------------------------------------------

def test_missing_extra_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A backend whose dependency is missing names the extra and the pip command; a backend
    module that is itself missing is reported as such."""
    (tmp_path / "phantom_backend_module.py").write_text("import phantom_dependency_xyz\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    backend = Backend("phantom", "needs a package that is not there",
                      "phantom_backend_module", "Factory", extra="phantom")
    with pytest.raises(BackendError) as e:
        backend.load()
    assert "pip install 'supervm-ref[phantom]'" in str(e.value)
    assert "'phantom_dependency_xyz' package is not installed" in str(e.value)
    absent = Backend("absent", "no module", "absent_backend_module_xyz", "F", extra="phantom")
    with pytest.raises(BackendError, match="ModuleNotFoundError") as e:
        absent.load()
    assert "pip install" not in str(e.value)


def test_wasmtime_backend_declares_its_extra() -> None:
    """The registry says which extra installs the wasmtime backend."""
    assert BACKENDS["wasmtime"].extra == "wasmtime"
    assert BACKENDS["reference"].extra is None
    assert backend_status()["reference"] is None


#: Runs the command line with the wasmtime package hidden, as after a plain install.
_WITHOUT_WASMTIME = ("import sys; sys.modules['wasmtime'] = None; "
                     "from supervm_ref.cli import main; sys.exit(main(sys.argv[1:]))")


def _without_wasmtime(*argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", _WITHOUT_WASMTIME, *argv], input=stdin,
                          capture_output=True, text=True, cwd=REPO, env=_env(), timeout=600,
                          check=False)


def test_without_wasmtime_the_extra_is_named() -> None:
    """``--backend wasmtime`` and ``--list-backends`` without the package name the extra."""
    hint = "pip install 'supervm-ref[wasmtime]'"
    listed = _without_wasmtime("consume", "--list-backends")
    assert listed.returncode == 0 and "reference: available" in listed.stdout
    assert "wasmtime: unavailable" in listed.stdout and hint in listed.stdout
    used = _without_wasmtime("consume", "--backend", "wasmtime", str(FIXTURE))
    assert used.returncode == 2 and hint in used.stderr and "Traceback" not in used.stderr
    t8n = _without_wasmtime("t8n", "--backend", "wasmtime", stdin=EMPTY_INPUT.decode())
    assert t8n.returncode == 1 and hint in t8n.stderr


# --- Writing files ----------------------------------------------------------------------------

def test_write_atomically_replaces_whole_files(tmp_path: Path) -> None:
    """The target is written in full, keeps the usual permissions, and no temporary file
    remains."""
    target = tmp_path / "area.json"
    target.write_text("old")
    write_atomically(target, b"new content")
    assert target.read_bytes() == b"new content"
    assert [p.name for p in tmp_path.iterdir()] == ["area.json"]
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_write_interrupted_leaves_the_old_file(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C between writing and renaming leaves the old file and no temporary file."""
    target = tmp_path / "area.json"
    target.write_text("old")

    def interrupted(src: object, dst: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomically(target, b"new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["area.json"]


# --- Ctrl-C -----------------------------------------------------------------------------------

@dataclass
class Interrupted:
    """What an interrupted command printed, and its exit status."""

    status: int
    stdout: str
    stderr: str


def _interrupt(argv: list[str], *markers: str, on_stdout: bool = False) -> Interrupted:
    """Start ``supervm argv`` with progress forced on (its redraws show how far the command
    got), wait until one of ``markers`` appears on stderr (or stdout), then send SIGINT."""
    proc = subprocess.Popen([sys.executable, "-m", "supervm_ref", *argv], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=_env(SUPERVM_PROGRESS="1", COLUMNS="200"),
                            preexec_fn=default_sigint)
    assert proc.stderr is not None and proc.stdout is not None
    watched = proc.stdout if on_stdout else proc.stderr
    seen = b""
    try:
        while not any(m.encode() in seen for m in markers):
            chunk = os.read(watched.fileno(), 4096)
            assert chunk, f"{argv} ended before printing {markers}: {seen[-500:]!r}"
            seen += chunk
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if on_stdout:
        out = seen + out
    else:
        err = seen + err
    return Interrupted(proc.returncode, out.decode("utf-8", "replace"),
                       err.decode("utf-8", "replace"))


def _assert_interrupted(result: Interrupted) -> None:
    assert result.status == 130, (result.status, result.stderr[-1000:])
    assert "Traceback" not in result.stderr, result.stderr
    assert "supervm: interrupted" in result.stderr


def test_ctrl_c_consume() -> None:
    """Ctrl-C while fixtures are consumed: status 130, one line, no report."""
    result = _interrupt(["consume", "conformance/fixtures"], "consume")
    _assert_interrupted(result)
    assert "consumed" not in result.stdout


def test_ctrl_c_spectest(suite_dir: Path) -> None:
    """Ctrl-C while the official suite runs."""
    _assert_interrupted(_interrupt(["spectest", str(suite_dir)], "spectest"))


def test_ctrl_c_fill_leaves_whole_files(tmp_path: Path) -> None:
    """Ctrl-C while filling, once at least two areas are written (the bar shows ``k/N``
    after k files): every file in the output folder is a complete fixture file (the same bytes
    as the committed one) and no temporary file is left."""
    areas = len(list((REPO / "conformance" / "fillers").glob("[!_]*.py")))
    result = _interrupt(["fill", "--output", str(tmp_path)],
                        *(f"{k}/{areas}" for k in range(2, areas)))
    _assert_interrupted(result)
    committed = REPO / "conformance" / "fixtures"
    written = sorted(tmp_path.iterdir())
    assert len(written) >= 2
    for path in written:
        assert not path.name.startswith("."), path
        assert path.read_bytes() == (committed / path.name).read_bytes()


@pytest.mark.parametrize("argv", [["engine"], ["runtime", "--transfers", "1000000"],
                                  ["parallel"]], ids=lambda a: a[0])
def test_ctrl_c_bench(argv: list[str]) -> None:
    """Ctrl-C during a benchmark (at sizes that run for minutes)."""
    _assert_interrupted(_interrupt(["bench", *argv], f"bench {argv[0]}"))


def test_ctrl_c_demo() -> None:
    """Ctrl-C while the demos repeat: status 130 (no longer 0), after the first round."""
    result = _interrupt(["demo", "--interval", "60"], "Demo 7", on_stdout=True)
    _assert_interrupted(result)
    assert "Demo 1: add(7,8) => 15" in result.stdout


# --- Progress ---------------------------------------------------------------------------------

def _run_with_pty_stderr(argv: list[str]) -> tuple[int, str, bytes]:
    """Run ``supervm argv`` with stderr on a pseudo-terminal: (status, stdout, stderr)."""
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "supervm_ref", *argv], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=slave, env=_env(COLUMNS="160"))
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.stdout is not None
    out = proc.stdout.read().decode()
    proc.stdout.close()
    return proc.wait(), out, b"".join(chunks)


@pytest.mark.parametrize("argv, description", [
    (["consume", "conformance/fixtures/engine.json"], b"consume"),
    (["fill", "--check", "engine"], b"fill --check"),
    (["bench", "engine", "--quick", "--no-pywasm"], b"bench engine"),
    (["bench", "runtime", "--transfers", "3"], b"bench runtime"),
    (["bench", "parallel", "--quick", "--block-size", "20"], b"bench parallel"),
    (["spectest", str(external_dir() / "wasm-testsuite" / "json"), "--file", "address"],
     b"spectest"),
])
@pytest.mark.slow
def test_progress_on_a_terminal_only(argv: list[str], description: bytes) -> None:
    """On a terminal, stderr shows the progress display; on a pipe, stderr stays empty; stdout
    is the same either way (apart from timings)."""
    status, out, err = _run_with_pty_stderr(argv)
    assert status == 0, err[-2000:]
    assert description in err and b"\x1b[" in err  # drawn with terminal control codes
    plain = _supervm(*argv)
    assert plain.returncode == 0 and plain.stderr == ""
    if argv[0] != "bench":
        assert out == plain.stdout
    else:
        assert out.splitlines()[0] == plain.stdout.splitlines()[0]


def test_progress_env_turns_it_off() -> None:
    """SUPERVM_PROGRESS=0 keeps a terminal's stderr free of the display."""
    import pty

    master, slave = pty.openpty()
    proc = subprocess.run([sys.executable, "-m", "supervm_ref", "fill", "--check", "engine"],
                          cwd=REPO, stdout=subprocess.PIPE, stderr=slave,
                          env=_env(SUPERVM_PROGRESS="0"), timeout=600, check=False)
    os.close(slave)
    os.set_blocking(master, False)
    try:
        err = os.read(master, 65536)
    except (BlockingIOError, OSError):
        err = b""
    os.close(master)
    assert proc.returncode == 0 and b"fill --check" not in err and b"\x1b[" not in err


@pytest.fixture
def _no_progress_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("SUPERVM_PROGRESS", raising=False)
    yield


@pytest.mark.usefixtures("_no_progress_env")
def test_progress_helper_is_inert_off_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    """Without a terminal the helper draws nothing; its log lines still reach stderr."""
    from supervm_ref.cli.progress import CommandProgress, progress_wanted

    assert progress_wanted() is False  # pytest captures stderr: not a terminal
    with CommandProgress("x", total_steps=2) as progress:
        assert not progress.enabled
        progress.update(1, 2, "a")
        progress.step("b")
        progress.log("a line")
    assert capsys.readouterr().err == "a line\n"



def test_closed_stdout_is_quiet() -> None:
    """A reader that goes away (``supervm consume ... | head``) ends the run without a
    traceback and with status 1."""
    proc = subprocess.Popen([sys.executable, "-m", "supervm_ref", "consume", str(FIXTURE)],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env())
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # before the report is written
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=600) == 1
    assert "Traceback" not in err and "BrokenPipe" not in err, err
