"""``supervm zk verify VK.json PROOF.json PUBLIC.json [--backend reference|fast]``: verify a
snarkjs Groth16 proof (spec/privacy.md ZK-CLI-1).

The three files are read as JSON (ZK-JSON-1) and judged by the pipeline of the conformance
vectors (`supervm_ref.privacy.verify_documents`, ZK-ORDER-1). Exit status 0 and ``valid`` for a
valid proof; 1 and ``invalid: <kind>: <message>`` for a rejected one; 2 for a file that cannot
be read, is not JSON or is larger than 1 MiB, or a backend that is not available -- one line
on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..privacy import ZK_BACKENDS, ZkError, load_json_text, verify_documents

#: ZK-CLI-1: kinds of the verification that mean it could not run at all (exit status 2).
UNUSABLE = frozenset({"zk_backend_unavailable"})
#: The largest file read (ZK-JSON-1's bound plus one byte, so a larger one is reported).
MAX_FILE_BYTES = (1 << 20) + 1


def _read(path: Path, what: str) -> object:
    """The decoded JSON of ``path``; `ZkError` for text that is not JSON; `OSError` when the
    file cannot be read."""
    with path.open("rb") as f:
        data = f.read(MAX_FILE_BYTES)
    return load_json_text(data, f"{what} {path}")


def run_verify(args: argparse.Namespace) -> int:
    """ZK-CLI-1: verify and report; see the module docstring for the exit status."""
    documents: list[object] = []
    for path, what in ((args.vk, "verifying key"), (args.proof, "proof"),
                       (args.public, "public inputs")):
        try:
            documents.append(_read(path, what))
        except OSError as e:
            print(f"supervm zk verify: cannot read the {what} {path}: {e.strerror or e}",
                  file=sys.stderr)
            return 2
        except ZkError as e:  # not JSON, or larger than ZK-JSON-1 allows: unusable
            print(f"supervm zk verify: {e.kind}: {e.detail}", file=sys.stderr)
            return 2
    try:
        verify_documents(*documents, backend=args.backend)
    except ZkError as e:
        if e.kind in UNUSABLE:
            print(f"supervm zk verify: {e.kind}: {e.detail}", file=sys.stderr)
            return 2
        print(f"invalid: {e.kind}: {e.detail}")
        return 1
    print(f"valid: the proof verifies under the key (backend {args.backend})")
    return 0


def register(sub: Any) -> None:
    """Add the ``zk`` subcommand and its ``verify``."""
    p: argparse.ArgumentParser = sub.add_parser(
        "zk", help="Groth16 proofs over BN254 (zk verify)",
        description="Work with Groth16 proofs as snarkjs writes them (spec/privacy.md).")
    actions = p.add_subparsers(dest="zk_command", metavar="ACTION")
    v = actions.add_parser(
        "verify", help="verify a snarkjs proof against a verifying key and public inputs",
        description="Verify PROOF.json for PUBLIC.json under VK.json (snarkjs's "
                    "verification_key.json, proof.json and public.json, Groth16 on bn128). "
                    "Exit status 0 valid, 1 invalid (the canonical kind and the reason), 2 a "
                    "file that cannot be read or is not JSON, or an unavailable backend.",
        epilog="Backends: " + "; ".join(f"{b.name}: {b.description}"
                                       + (f" (pip install 'supervm-ref[{b.extra}]')"
                                          if b.extra else "")
                                       for b in ZK_BACKENDS.values()))
    v.add_argument("vk", type=Path, metavar="VK.json", help="the verifying key")
    v.add_argument("proof", type=Path, metavar="PROOF.json", help="the proof")
    v.add_argument("public", type=Path, metavar="PUBLIC.json", help="the public inputs")
    v.add_argument("--backend", choices=sorted(ZK_BACKENDS), default="reference",
                   help="the verifier backend (default reference)")
    v.set_defaults(func=run_verify)

    def usage(args: argparse.Namespace) -> int:
        p.print_help()
        return 2

    p.set_defaults(func=usage)
