"""``supervm call``: one call of a contract, for a person exploring it (spec/runtime.md,
RT-CLI-1..4).

``supervm call CONTRACT FUNCTION [ARG…] [--state FILE] [--block N] [--timestamp T] [--gas N]
[--json]`` reads CONTRACT (binary or text, told apart by its first bytes: RT-CODE-4), calls
FUNCTION with the ARGs typed by the function's parameters (RT-CLI-2) through `Runtime.call`, and
prints the results, the events, the storage writes, the gas and, on failure, the error kind
(RT-CLI-3). ``--state FILE`` is a JSON object of hex key to hex value: the storage before the
call, replaced by the storage after it when the call succeeds, so calls chain (RT-CLI-4).
Options may also follow FUNCTION: there a word starting with ``--`` is an option and any other
word, ``-inf`` or ``-1e5`` included, is an ARG (`split_words`).

Exit status: 0 the call succeeded, 1 it failed (its error kind is printed), 2 a usage error or
an unusable file (nothing was called).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import SuperVMError
from .options import bounded_int

#: RT-GAS-3: the largest gas limit of a call.
MAX_GAS = 2**64 - 1
#: RT-CTX-1: the block number and timestamp are signed 64-bit integers.
I64_MIN, I64_MAX = -(2**63), 2**63 - 1
#: The largest contract or state file read (far beyond any contract, bounded all the same).
MAX_FILE_BYTES = 64 * 1024 * 1024
#: RT-CLI-2: the numeric parameter types an argument can have.
NUMERIC_TYPES = ("i32", "i64", "f32", "f64")

_HEX = re.compile(r"(0x)?([0-9a-fA-F]{2})*")


class CallUsageError(SuperVMError):
    """A bad command line or unusable file of ``supervm call``: one line on stderr, exit
    status 2, nothing called."""


@dataclass(frozen=True)
class Argument:
    """One ARG as written: an optional type prefix and the value text."""

    type: str | None
    text: str


def split_argument(word: str) -> Argument:
    """RT-CLI-2: ``TYPE:VALUE`` (TYPE one of i32, i64, f32, f64) or a bare ``VALUE``."""
    prefix, colon, rest = word.partition(":")
    if colon and prefix in NUMERIC_TYPES:
        return Argument(prefix, rest)
    return Argument(None, word)


def parse_value(type_name: str, text: str) -> Any:
    """RT-CLI-2: the `Value` of type ``type_name`` written as ``text``, in the text format's
    number syntax and rounding (the `supervm_ref.wasm.text.values` parsers).

    Integers (WASM-TEXT-NUM-1): decimal or ``0x`` hexadecimal with an optional sign and ``_``
    only between two digits, in [-2**(N-1), 2**N - 1] (signed or unsigned). Floats
    (WASM-TEXT-NUM-2): a decimal or hexadecimal (``0x1.8p1``) number, ``inf``, ``nan`` or
    ``nan:0xPAYLOAD`` with an optional sign, rounded exactly to the nearest value of the type
    (ties to even); a finite number that rounds to infinity is refused."""
    from ..wasm import Value
    from ..wasm.text.values import F32_FORMAT, F64_FORMAT, parse_float, parse_iN

    bits = int(type_name[1:])
    shown = text if len(text) <= 40 else text[:37] + "..."
    if type_name[0] == "i":
        try:
            pattern = parse_iN(text, bits)
        except ValueError:
            raise CallUsageError(f"{shown} is out of the {type_name} range "
                                 f"[-2**{bits - 1}, 2**{bits} - 1]") from None
        if pattern is None:
            raise CallUsageError(f"expected an {type_name} (a decimal or 0x integer), "
                                 f"got {shown!r}")
        return Value.i32(pattern) if bits == 32 else Value.i64(pattern)
    fmt = F32_FORMAT if bits == 32 else F64_FORMAT
    is_nan_payload = text.lstrip("+-").startswith("nan:")
    try:
        pattern = parse_float(text, fmt)
    except ValueError:
        if is_nan_payload:
            raise CallUsageError(f"the NaN payload of {shown!r} must be from 1 to "
                                 f"2**{fmt[0]} - 1") from None
        raise CallUsageError(f"{shown} is beyond the {type_name} range") from None
    if pattern is None:
        if is_nan_payload:
            raise CallUsageError(f"expected a NaN payload in hexadecimal (nan:0x...), "
                                 f"got {shown!r}")
        raise CallUsageError(f"expected an {type_name} (a number, inf or nan), got {shown!r}")
    return Value.f32_bits(pattern) if bits == 32 else Value.f64_bits(pattern)


def typed_arguments(words: list[str], function: str, params: tuple[Any, ...]) -> list[Any]:
    """RT-CLI-2: the ARGs as `Value`s of the function's parameter types: as many as it has
    parameters, a ``TYPE:`` prefix equal to its parameter's type."""
    if len(words) != len(params):
        raise CallUsageError(f"{function} takes {len(params)} argument(s) "
                         f"({', '.join(str(p) for p in params) or 'none'}), got {len(words)}")
    out = []
    for k, (word, param) in enumerate(zip(words, params, strict=True)):
        arg = split_argument(word)
        name = str(param)
        if name not in NUMERIC_TYPES:
            raise CallUsageError(f"{function}'s parameter {k + 1} is a {name}: only numbers can be "
                             f"given on the command line")
        if arg.type is not None and arg.type != name:
            raise CallUsageError(f"argument {k + 1} of {function} is an {name}, got {word!r}")
        try:
            out.append(parse_value(name, arg.text))
        except CallUsageError as e:
            raise CallUsageError(f"argument {k + 1} of {function}: {e}") from None
    return out


# --- The state file: RT-CLI-4 -------------------------------------------------------------------

def load_state(path: Path) -> dict[bytes, bytes]:
    """RT-CLI-4: a JSON object of hex key to hex value (``0x`` optional); a file that does not
    exist is the empty state. A key given twice, even spelled differently (``ab``, ``AB``,
    ``0xab``), is a usage error rather than one spelling silently winning."""
    from ..conformance.schema import parse_json

    if not path.exists():
        return {}
    try:
        data = _read(path, "the state")
        document = parse_json(data, unique_members=True)
    except ValueError as e:
        raise CallUsageError(f"{path}: {e}") from None
    if not isinstance(document, dict):
        raise CallUsageError(f"{path}: expected a JSON object of hex key to hex value")
    state: dict[bytes, bytes] = {}
    spelling: dict[bytes, str] = {}
    for key, value in document.items():
        if not isinstance(value, str) or not _HEX.fullmatch(key) or not _HEX.fullmatch(value):
            raise CallUsageError(f"{path}: expected hex strings, got {key[:40]!r}: "
                             f"{str(value)[:40]!r}")
        name = bytes.fromhex(key.removeprefix("0x"))
        if name in spelling:
            raise CallUsageError(f"{path}: the key {key[:40]!r} is the key "
                                 f"{spelling[name][:40]!r} again (keys are compared as bytes)")
        spelling[name] = key
        state[name] = bytes.fromhex(value.removeprefix("0x"))
    return state


def state_json(state: dict[bytes, bytes]) -> bytes:
    """RT-CLI-4: the state as its file holds it: keys sorted, lowercase hex, one per line."""
    return (json.dumps({k.hex(): v.hex() for k, v in sorted(state.items())}, indent=1)
            + "\n").encode()


def _read(path: Path, what: str) -> bytes:
    try:
        with path.open("rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        raise CallUsageError(f"cannot read {what} {path}: {e.strerror or e}") from None
    if len(data) > MAX_FILE_BYTES:
        raise CallUsageError(f"{path} is larger than {MAX_FILE_BYTES:,} bytes")
    return data


# --- Printing: RT-CLI-3 -------------------------------------------------------------------------

def show_value(value: Any) -> str:
    """A result: ``i32:-1``; ``f64:1.5 (0x3ff8000000000000)`` (the bits, exact for NaNs)."""
    name = str(value.type)
    if name in ("i32", "i64"):
        return f"{name}:{value.as_signed()}"
    if name in ("f32", "f64"):
        width = 8 if name == "f32" else 16
        return f"{name}:{value.as_float()!r} (0x{value.payload:0{width}x})"
    return str(value)


def _json_value(value: Any) -> dict[str, Any]:
    name = str(value.type)
    if name in ("i32", "i64"):
        return {"type": name, "value": value.as_signed()}
    if name in ("f32", "f64"):
        number = value.as_float()
        return {"type": name, "value": number if math.isfinite(number) else str(number),
                "bits": f"0x{value.payload:0{8 if name == 'f32' else 16}x}"}
    return {"type": name, "value": str(value)}


def printable(data: bytes) -> str | None:
    """An event's bytes as text when they are UTF-8 with no control character, else None."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text or any(ord(c) < 32 or 127 <= ord(c) < 160 for c in text):
        return None
    return text


def format_outcome(function: str, args: list[str], result: Any, limit: int) -> str:
    """RT-CLI-3: the call's outcome as lines of text (``args`` as shown by `show_value`)."""
    lines = [f"call {function}({', '.join(args)})"]
    if result.error is not None:
        lines.append(f"error: {result.error.value}: {result.message}")
    else:
        lines.append("results: " + (", ".join(show_value(v) for v in result.results)
                                    or "none"))
        lines.append(f"events: {len(result.events)}")
        for k, event in enumerate(result.events):
            text = printable(event)
            lines.append(f"  {k}: 0x{event.hex()}" + (f"  {json.dumps(text)}" if text else ""))
        lines.append(f"writes: {len(result.writes)}")
        for key, value in result.writes.items():
            shown = "deleted" if value is None else f"0x{value.hex()}"
            lines.append(f"  0x{key.hex()} = {shown}")
    lines.append(f"gas: {result.gas_used:,} used of {limit:,}")
    return "\n".join(lines)


def outcome_json(function: str, args: list[Any], result: Any, limit: int) -> str:
    """RT-CLI-3: the call's outcome as a JSON object."""
    return json.dumps({
        "function": function,
        "args": [_json_value(a) for a in args],
        "ok": result.error is None,
        "error": None if result.error is None else result.error.value,
        "message": result.message,
        "results": [_json_value(v) for v in result.results],
        "events": [{"hex": e.hex(), "text": printable(e)} for e in result.events],
        "writes": {k.hex(): None if v is None else v.hex() for k, v in result.writes.items()},
        "gas_used": result.gas_used,
        "gas_limit": limit,
    }, indent=2)


# --- The command ----------------------------------------------------------------------------

def run_call(args: argparse.Namespace) -> int:
    """Run ``supervm call``: RT-CLI-1..4."""
    try:
        return _call(args)
    except CallUsageError as e:
        print(f"supervm call: {e}", file=sys.stderr)
        return 2


def _call(args: argparse.Namespace) -> int:
    from ..conformance.fill import write_atomically
    from ..runtime.context import BlockContext
    from ..runtime.errors import PreExecutionFailure
    from ..runtime.runtime import Runtime
    from ..runtime.storage import MemoryStorage
    from ..wasm import FuncType, source_of_file

    contract = Path(args.contract)
    code = source_of_file(_read(contract, "the contract"))
    state_path = Path(args.state) if args.state else None
    state = load_state(state_path) if state_path else {}
    storage = MemoryStorage(state)
    runtime = Runtime(storage)
    limit = runtime.default_gas_limit if args.gas is None else args.gas
    # RT-CLI-2: the arguments take the function's parameter types; a contract that cannot be
    # loaded, or has no such function, is the call's own failure (exit status 1).
    values: list[Any] = []
    try:
        exports = runtime.prepare(code).exports
    except PreExecutionFailure:
        exports = {}
    export = exports.get(args.function)
    if isinstance(export, FuncType):
        values = typed_arguments(list(args.args), args.function, tuple(export.params))
    result = runtime.call(code, args.function, values,
                          context=BlockContext(args.block, args.timestamp), gas_limit=limit)
    if args.json:
        print(outcome_json(args.function, values, result, limit))
    else:
        shown = [show_value(v) for v in values] if values else list(args.args)
        print(format_outcome(args.function, shown, result, limit))
        functions = [f"{name}({', '.join(map(str, t.params))})"
                     + (f" -> {', '.join(map(str, t.results))}" if t.results else "")
                     for name, t in exports.items() if isinstance(t, FuncType)]
        if export is None and functions:
            print("exported functions: " + ", ".join(functions))
    if result.error is not None:
        return 1
    if state_path is not None:  # RT-CLI-4: only after a successful call
        for key, value in result.writes.items():
            if value is None:
                state.pop(key, None)
            else:
                state[key] = value
        try:
            write_atomically(state_path, state_json(state))
        except OSError as e:
            raise CallUsageError(f"cannot write the state {state_path}: "
                                 f"{e.strerror or e}") from None
    return 0


#: RT-CLI-1: the options of ``supervm call`` that take a value (the next word or ``=VALUE``)
#: and those that do not; after FUNCTION only these (and unique prefixes of them) are options.
VALUE_OPTIONS = ("--state", "--block", "--timestamp", "--gas")
FLAG_OPTIONS = ("--json", "--help")


def split_words(words: list[str]) -> tuple[list[str], list[str]]:
    """RT-CLI-1: the words after FUNCTION as (option words, ARGs). A word starting with ``--``
    is an option (with the next word as its value when it takes one) and ``-h`` is the help
    option; every other word is an ARG, so ``-1``, ``-inf``, ``-1e5`` and ``-nan:0x1`` are
    ARGs. After a ``--`` word every word is an ARG."""
    options: list[str] = []
    arguments: list[str] = []
    k = 0
    while k < len(words):
        word = words[k]
        k += 1
        if word == "--":
            arguments += words[k:]
            break
        if word == "-h":
            options.append(word)
        elif word.startswith("--"):
            options.append(word)
            if _takes_value(word) and k < len(words):
                options.append(words[k])
                k += 1
        else:
            arguments.append(word)
    return options, arguments


def _takes_value(word: str) -> bool:
    """Whether the option word ``--NAME`` (no ``=VALUE``) is an option taking a value, named
    in full or by a unique prefix as argparse allows."""
    if "=" in word:
        return False
    named = [o for o in VALUE_OPTIONS + FLAG_OPTIONS if o == word] or [
        o for o in VALUE_OPTIONS + FLAG_OPTIONS if o.startswith(word)]
    return len(named) == 1 and named[0] in VALUE_OPTIONS


class _ArgumentWords(argparse.Action):
    """The words after FUNCTION (``nargs=REMAINDER``): the options among them are parsed by
    the ``call`` parser itself, the others are the ARGs (`split_words`)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: str | Sequence[Any] | None, option_string: str | None = None) -> None:
        options, arguments = split_words([str(v) for v in values or ()])
        if options:  # the positionals again after "--", so that only the options are new
            parser.parse_args([*options, "--", namespace.contract, namespace.function],
                              namespace)
        setattr(namespace, self.dest, arguments)


def register(sub: Any) -> None:
    """Add the ``call`` subcommand (RT-CLI-1): options go before CONTRACT, between CONTRACT and
    FUNCTION, or after FUNCTION among the ARGs (`split_words`)."""
    p: argparse.ArgumentParser = sub.add_parser(
        "call", help="call one function of a contract (.wasm or .wat) and show what it did",
        usage="%(prog)s [-h] [--state FILE] [--block N] [--timestamp T] [--gas N] [--json] "
              "CONTRACT FUNCTION [ARG ...]",
        description="Call FUNCTION of CONTRACT (the binary format, or the text format: a file "
                    "not starting with \\0asm is read as UTF-8 text) on the reference runtime "
                    "and print its results, events (hex, and text when printable), storage "
                    "writes, gas used and, on failure, the error kind. ARGs take the "
                    "function's parameter types and the text format's number syntax: 7, -1, "
                    "0xff, 1_000, 1.5, -1e5, inf, -inf, nan, nan:0x200000, or with a type "
                    "prefix that must match it: i32:7, i64:-1, f32:1.5, f64:0x1.8p1. Options "
                    "may come before CONTRACT, between CONTRACT and FUNCTION, or after "
                    "FUNCTION: there a word starting with -- is an option and every other "
                    "word (-1, -inf, -nan:0x1 included) is an ARG; after a -- word, every "
                    "word is an ARG. --state FILE (a JSON object of hex key to hex value; "
                    "absent = empty) is the storage before the call and is replaced by the "
                    "storage after a successful call, so calls chain.",
        epilog="Exit status: 0 the call succeeded, 1 it failed (its error kind is printed), 2 "
               "usage error or unusable file.")
    p.add_argument("contract", metavar="CONTRACT", help="the contract: .wasm or .wat")
    p.add_argument("function", metavar="FUNCTION", help="the exported function to call")
    words = p.add_argument("args", metavar="ARG", nargs=argparse.REMAINDER,
                           action=_ArgumentWords,
                           help="the arguments (numbers; optionally i32:, i64:, f32:, f64:)")
    words.required = False  # argparse makes a REMAINDER positional required; ARGs are optional
    p.add_argument("--state", metavar="FILE", default=None,
                   help="JSON storage (hex key -> hex value) read before and written after a "
                        "successful call; created when absent")
    p.add_argument("--block", type=bounded_int(I64_MIN, I64_MAX), default=0, metavar="N",
                   help="the block number chain_api.block_number returns (default 0)")
    p.add_argument("--timestamp", type=bounded_int(I64_MIN, I64_MAX), default=0, metavar="T",
                   help="the timestamp chain_api.timestamp returns, seconds (default 0)")
    p.add_argument("--gas", type=bounded_int(0, MAX_GAS), default=None, metavar="N",
                   help="the gas limit, 0 to 2**64 - 1 (default 10,000,000)")
    p.add_argument("--json", action="store_true", help="print the outcome as JSON")
    p.set_defaults(func=run_call)
