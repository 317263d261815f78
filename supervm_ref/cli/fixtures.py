"""``supervm fixtures pack``: the release archive of the conformance fixtures
(spec/conformance.md, CONF-PACK-*).

Writes ``supervm-fixtures-<spec_version>.tar.gz`` (or ``--output FILE``; into a folder, under
that name): the fixtures of every registered format, the schema and an index of SHA-256 hashes,
in bytes that depend only on those files. ``supervm consume`` takes the archive as a target and
checks it against its index before running anything. Exit status 0 when written, 2 when the
fixtures cannot be packed (no repository, an invalid fixture, a file that cannot be written).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path
from typing import Any

from ..conformance.fill import SPEC_VERSION, write_atomically
from ..conformance.pack import PackError, archive_name, pack
from ..conformance.paths import RootNotFound, find_root


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def run_pack(args: argparse.Namespace) -> int:
    """CONF-PACK-1..3: pack and write the archive; see the module docstring for the exit
    status."""
    try:
        root = args.root.resolve() if args.root else find_root()
        data, index = pack(root, SPEC_VERSION)
    except (RootNotFound, PackError) as e:
        print(f"supervm fixtures pack: {e}", file=sys.stderr)
        return 2
    target: Path = args.output or Path(archive_name(SPEC_VERSION))
    if target.is_dir():
        target = target / archive_name(SPEC_VERSION)
    try:
        write_atomically(target, data)
    except OSError as e:
        print(f"supervm fixtures pack: cannot write {target}: {e.strerror or e}",
              file=sys.stderr)
        return 2
    print(f"wrote {_shown(target)}: {len(index['files'])} file(s), "
          f"{len(index['fixtures'])} fixture(s), {len(data):,} bytes, "
          f"sha256 {hashlib.sha256(data).hexdigest()}")
    return 0


def register(sub: Any) -> None:
    """Add the ``fixtures`` subcommand and its ``pack``."""
    p: argparse.ArgumentParser = sub.add_parser(
        "fixtures", help="package the conformance fixtures (fixtures pack)",
        description="Work with the conformance fixtures as a release.")
    commands = p.add_subparsers(dest="fixtures_command", metavar="ACTION")
    k = commands.add_parser(
        "pack", help="write the versioned release archive of the fixtures",
        description="Write supervm-fixtures-<spec_version>.tar.gz: conformance/fixtures/, "
                    "conformance/isolation/, spec/conformance.schema.json and index.json "
                    "(every file's sha256, every fixture's _info.hash), with fixed order, "
                    "times and owners so that packing twice gives the same bytes "
                    "(spec/conformance.md, CONF-PACK-*).")
    k.add_argument("--output", type=Path, default=None, metavar="FILE",
                   help="where to write the archive (a folder: the archive's own name "
                        "inside it; default the current directory)")
    k.add_argument("--root", type=Path, default=None, metavar="DIR",
                   help="the repository root (default: found from the current directory, "
                        "then beside the package)")
    k.set_defaults(func=run_pack)

    def usage(args: argparse.Namespace) -> int:
        p.print_help()
        return 2

    p.set_defaults(func=usage)
