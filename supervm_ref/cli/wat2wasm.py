"""``supervm wat2wasm FILE [-o OUT]``: the text format to the binary format (spec/runtime.md,
RT-CODE-5).

FILE is WebAssembly text (RT-CODE-4); its binary (`supervm_ref.wasm.as_module_bytes`, which
uses `supervm_ref.wasm.text.wat2wasm`) is validated and written to OUT, by default FILE with
the suffix ``.wasm``; ``-o -`` writes to standard output when it is not a terminal.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

#: The largest text read (far beyond any contract, bounded all the same).
MAX_TEXT_BYTES = 64 * 1024 * 1024


def default_output(source: Path) -> Path:
    """RT-CODE-5: FILE with its suffix replaced by ``.wasm`` (``a`` becomes ``a.wasm``)."""
    return source.with_suffix(".wasm")


def run_wat2wasm(args: argparse.Namespace) -> int:
    """Run ``supervm wat2wasm`` (RT-CODE-5)."""
    from ..conformance.fill import write_atomically
    from ..wasm import (
        TextUnavailable,
        WasmError,
        as_module_bytes,
        module_decode,
        module_validate,
        source_of_file,
        text_error_message,
    )

    source = Path(args.file)
    to_stdout = args.output == "-"
    target = None if to_stdout else Path(args.output) if args.output else default_output(source)

    def usage(message: str) -> int:
        print(f"supervm wat2wasm: {message}", file=sys.stderr)
        return 2

    try:
        with source.open("rb") as f:
            data = f.read(MAX_TEXT_BYTES + 1)
    except OSError as e:
        return usage(f"cannot read {source}: {e.strerror or e}")
    if len(data) > MAX_TEXT_BYTES:
        return usage(f"{source} is larger than {MAX_TEXT_BYTES:,} bytes")
    text = source_of_file(data)
    if not isinstance(text, str):
        return usage(f"{source} is not WebAssembly text: "
                     + ("it is already binary" if data.startswith(b"\0asm") else "not UTF-8"))
    if target is not None and target.resolve() == source.resolve():
        return usage(f"the output would replace {source}: give -o OUT")
    if to_stdout and sys.stdout.isatty():
        return usage("not writing a binary to a terminal: give -o FILE, or redirect")
    # CONVERSION, then VALIDATION
    try:
        binary = as_module_bytes(text)
    except TextUnavailable as e:
        return usage(str(e))
    except WasmError as e:
        message = text_error_message(e)
        print(f"{source}{':' if message[:1].isdigit() else ': '}{message}", file=sys.stderr)
        return 1
    try:
        module_validate(module_decode(binary))
    except WasmError as e:
        print(f"{source}: invalid module: {e}", file=sys.stderr)
        return 1
    # OUTPUT
    if target is None:
        sys.stdout.buffer.write(binary)
        return 0
    try:
        write_atomically(target, binary)
    except OSError as e:
        return usage(f"cannot write {target}: {e.strerror or e}")
    print(f"{source} -> {target} ({len(binary):,} bytes)")
    return 0


def register(sub: Any) -> None:
    """Add the ``wat2wasm`` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "wat2wasm", help="convert WebAssembly text (.wat) to a binary module (.wasm)",
        description="Parse FILE (the WebAssembly text format), encode it in the binary format "
                    "and validate it; write it to OUT, by default FILE with the suffix .wasm "
                    "(replaced atomically, only on success). -o - writes the binary to "
                    "standard output, unless that is a terminal.",
        epilog="Exit status: 0 written; 1 the text has an error (FILE:LINE:COLUMN: message) "
               "or the module is invalid; 2 usage error (FILE unreadable or already binary, "
               "OUT not writable).")
    p.add_argument("file", metavar="FILE", help="the WebAssembly text to convert")
    p.add_argument("-o", "--output", metavar="OUT", default=None,
                   help="where to write the binary (default: FILE with the suffix .wasm; - "
                        "for standard output)")
    p.set_defaults(func=run_wat2wasm)
