"""Build the example contracts of conformance/contracts/ (a development tool, not the spec).

The committed ``.wasm`` files are what this script makes of their sources (the fixtures embed
the binaries, so a backend needs no text parser). Usage, from the checkout::

    .venv/bin/python conformance/contracts/build.py           # rebuild every .wasm in place
    .venv/bin/python conformance/contracts/build.py --check   # exit 1 if one is out of date

* ``<name>.wat`` -> ``<name>.wasm`` with the reference's own text format,
  `supervm_ref.wasm.text.wat2wasm` (spec/wasm-text.md; no custom sections). The tests check
  that each is structurally the module wasmtime's ``wat2wasm`` makes of the same source.
* ``c/<name>.c`` -> ``<name>.wasm`` with clang 14 and wasm-ld, the exact command
  `clang_command` returns (also in README.md). ``--strip-all`` drops the name and producers
  sections, so the output depends only on the source and the compiler version
  (`CLANG_VERSION`), not on paths. Without clang 14 the C contracts are left as committed and
  reported; ``--check`` then checks only the WAT contracts.

Both steps are deterministic: building twice gives identical bytes.
``tests/conformance/test_contracts.py`` uses `build_wat`, `build_c` and `clang_version` to
check the committed binaries.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

#: This folder: the sources and the committed binaries.
HERE = Path(__file__).resolve().parent

#: The clang release the committed C binaries were built with (Debian clang 14.0.6).
CLANG_VERSION = "14.0.6"

#: The C contracts: binary name -> source, relative to `HERE`.
C_CONTRACTS: dict[str, str] = {"token_c": "c/token_c.c"}

def clang_command(source: str, output: str) -> list[str]:
    """The exact command that compiles a C contract (run in `HERE`, ``source`` relative).

    ``-mcpu=mvp`` pins the instruction set (newer clangs enable more by default); ``--no-entry``
    and ``export_name`` attributes in the source give a module with no start function whose
    only exports are the memory and the named functions; undefined symbols are link errors
    (no ``--allow-undefined`` / ``--import-undefined``), so every import is one declared with
    ``import_module`` / ``import_name``.
    """
    return ["clang", "--target=wasm32", "-mcpu=mvp", "-O2", "-nostdlib", "-ffreestanding",
            "-fno-builtin", "-Wl,--no-entry", "-Wl,--strip-all", "-Wl,-z,stack-size=8192",
            "-o", output, source]


def wat_sources() -> list[Path]:
    """Every ``*.wat`` of this folder that this script builds, sorted by name."""
    return sorted(HERE.glob("*.wat"))


def build_wat(path: Path) -> bytes:
    """The binary the reference's ``wat2wasm`` makes of a WAT file (WASM-TEXT-API-1)."""
    sys.path.insert(0, str(HERE.parent.parent))  # the checkout's package, when run as a script
    from supervm_ref.wasm.text import wat2wasm

    return wat2wasm(path.read_text(encoding="utf-8"))


def clang_version() -> str | None:
    """The version of ``clang`` on the PATH (e.g. ``14.0.6``), or None if there is none."""
    exe = shutil.which("clang")
    if exe is None:
        return None
    out = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout
    found = re.search(r"clang version (\d+\.\d+\.\d+)", out)
    return found.group(1) if found else None


def build_c(name: str) -> bytes:
    """The binary the pinned clang command makes of the C contract ``name``."""
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / f"{name}.wasm"
        subprocess.run(clang_command(C_CONTRACTS[name], str(output)), cwd=HERE, check=True)
        return output.read_bytes()


def targets(with_c: bool) -> dict[Path, bytes]:
    """Every binary this script produces: path -> bytes (C contracts only if ``with_c``)."""
    out = {p.with_suffix(".wasm"): build_wat(p) for p in wat_sources()}
    if with_c:
        out.update({HERE / f"{name}.wasm": build_c(name) for name in sorted(C_CONTRACTS)})
    return out


def main(argv: list[str] | None = None) -> int:
    """Rebuild (or with ``--check`` verify) the committed binaries; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a committed .wasm differs")
    args = parser.parse_args(argv)
    version = clang_version()
    with_c = version == CLANG_VERSION
    if not with_c:
        print(f"clang {CLANG_VERSION} not found (found {version}): "
              f"C contracts left as committed: {', '.join(sorted(C_CONTRACTS))}")
    stale = []
    for path, data in targets(with_c).items():
        old = path.read_bytes() if path.exists() else None
        if old == data:
            continue
        stale.append(path.name)
        if not args.check:
            path.write_bytes(data)
    verb = "out of date" if args.check else "rebuilt"
    print(f"{verb}: {', '.join(stale)}" if stale else "all contracts up to date")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
