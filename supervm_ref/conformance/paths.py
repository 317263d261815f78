"""Where the conformance files live (spec/conformance.md, CONF-ROOT-1).

The fillers, contracts and fixtures are not part of the installed package: they sit in the
repository, under ``conformance/``, with the schema in ``spec/``. Commands find the repository
root by looking upward from the current directory, then beside the package's source.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import SuperVMError

#: Folders and files under the repository root.
CONFORMANCE = "conformance"
FILLERS = f"{CONFORMANCE}/fillers"
CONTRACTS = f"{CONFORMANCE}/contracts"
FIXTURES = f"{CONFORMANCE}/fixtures"
SCHEMA = "spec/conformance.schema.json"


class RootNotFound(SuperVMError):
    """No repository root (a folder with ``conformance/fillers``) was found."""


def _is_root(path: Path) -> bool:
    return (path / FILLERS).is_dir()


def find_root(start: Path | None = None) -> Path:
    """CONF-ROOT-1: the repository root: the first of ``start`` (default: the current
    directory) and its parents that holds ``conformance/fillers/``; failing that, the folder
    above the ``supervm_ref`` package if it holds one (a source checkout or an editable
    install run from elsewhere). Raises `RootNotFound` otherwise."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if _is_root(candidate):
            return candidate
    beside_package = Path(__file__).resolve().parents[2]
    if _is_root(beside_package):
        return beside_package
    raise RootNotFound(f"no {FILLERS}/ folder in {here}, its parents or {beside_package}; "
                       "run from the supervm-ref repository or pass --root")
