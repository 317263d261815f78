"""The memory layout of the ``abi_probe`` contract (``conformance/contracts/abi_probe.wat``),
for the host-ABI fillers.

The probe exposes every ``storage_api`` and ``chain_api`` function with its raw parameters,
so a filler passes pointers and lengths itself; these constants say what lies where in the
probe's fresh memory (2 pages) at the start of every call:

========  ======  =================================================================
offset    bytes   content
========  ======  =================================================================
0         256     `BYTES`: byte ``i`` is ``i`` (any byte string 0x00..0xff as a slice)
256       26      `TEXT`: ``abcdefghijklmnopqrstuvwxyz``
512       256     `OUT`: 0xEE everywhere (a sentinel: an output buffer shows what the host
                  wrote and, past its end, that it wrote nothing more)
768       ...     zero up to `MEMORY_SIZE`
========  ======  =================================================================
"""

from __future__ import annotations

from itertools import pairwise

from ..errors import SuperVMError, shown
from ..runtime.errors import ErrorKind
from ..runtime.runtime import Runtime
from ..runtime.storage import MemoryStorage
from ..wasm import Value
from .filler import Case, Env, FillerError, Tx, contract, measure_gas

BYTES = 0
TEXT = 256
ALPHABET = b"abcdefghijklmnopqrstuvwxyz"
OUT = 512
OUT_SIZE = 256
SENTINEL = 0xEE
ZEROS = 768
MEMORY_SIZE = 2 * 65536


class ProbeError(SuperVMError, ValueError):
    """A filler asked for bytes the probe's memory does not hold."""


def text(s: bytes) -> tuple[int, int]:
    """``(ptr, len)`` of ``s``, which must be a slice of the alphabet at `TEXT`."""
    at = ALPHABET.find(s)
    if not s or at < 0:
        raise ProbeError(f"{shown(s)} is not a slice of {shown(ALPHABET)}")
    return TEXT + at, len(s)


def raw(s: bytes) -> tuple[int, int]:
    """``(ptr, len)`` of ``s``, which must be a run of consecutive byte values in `BYTES`
    (``b"\\x01\\x02\\x03"``), or empty."""
    if not s:
        return BYTES, 0
    if any(b - a != 1 for a, b in pairwise(s)):
        raise ProbeError(f"{s.hex()} is not a run of consecutive bytes")
    return BYTES + s[0], len(s)


def i32s(*xs: int) -> list[Value]:
    """The arguments of a probe export: every parameter is an i32."""
    return [Value.i32(x) for x in xs]


def initial_memory() -> bytes:
    """The probe's memory at the start of a call, as the table above describes it."""
    memory = bytearray(MEMORY_SIZE)
    memory[BYTES:BYTES + 256] = bytes(range(256))
    memory[TEXT:TEXT + len(ALPHABET)] = ALPHABET
    memory[OUT:OUT + OUT_SIZE] = bytes([SENTINEL]) * OUT_SIZE
    return bytes(memory)


def memory_at(ptr: int, length: int) -> bytes:
    """The ``length`` bytes at ``ptr`` of `initial_memory` (what a host function reads
    there)."""
    if ptr < 0 or length < 0 or ptr + length > MEMORY_SIZE:
        raise ProbeError(f"[{ptr}, {ptr + length}) is outside the probe's memory")
    return initial_memory()[ptr:ptr + length]


# --- Building cases on the probe ----------------------------------------------------------------

#: The name the probe has in every case's ``code``.
PROBE = "probe"
#: The probe's contract file (``conformance/contracts/abi_probe.wasm``).
PROBE_CONTRACT = "abi_probe"


def call(function: str, *args: int, gas_limit: int | None = None) -> Tx:
    """A transaction to the probe's export ``function``; every argument is an i32."""
    return Tx(PROBE, function, i32s(*args), gas_limit)


def case(area: str, name: str, description: str, rules: list[str], txs: list[Tx],
         storage: dict[bytes, bytes] | None = None, env: Env | None = None) -> Case:
    """A case ``<area>/<name>`` whose only contract is the probe."""
    return Case(f"{area}/{name}", description, rules, {PROBE: contract(PROBE_CONTRACT)},
                storage or {}, env or Env(), txs)


def gas_edges(area: str, name: str, what: str, rules: list[str], function: str,
              args: tuple[int, ...], storage: dict[bytes, bytes] | None = None) -> list[Case]:
    """Three cases around the gas a successful probe call costs (measured on the reference):
    a limit of exactly the cost (success), one below (OUT_OF_GAS: the whole limit is used and
    nothing is written) and zero (OUT_OF_GAS on entry). ``function`` must end with the host
    call, so that one gas short fails in the host charge (WASM-GAS-4) instead of in
    straight-line code that may run past the limit (WASM-GAS-2); `FillerError` otherwise."""
    wasm = contract(PROBE_CONTRACT)
    cost = measure_gas(wasm, function, i32s(*args), storage)
    short = Runtime(MemoryStorage(storage or {})).call(wasm, function, i32s(*args),
                                                       gas_limit=cost - 1)
    if short.error is not ErrorKind.OUT_OF_GAS:
        raise FillerError(f"{area}/{name}: {function} still succeeds one gas short; a gas "
                          "edge needs an export whose last instruction is the host call")
    rules = [*rules, "HOST-GAS-1", "HOST-GAS-2", "WASM-GAS-4", "RT-ERR-3"]
    return [
        case(area, f"{name}_gas_exact", f"{what} with a gas limit of exactly its cost ({cost})",
             rules, [call(function, *args, gas_limit=cost)], storage),
        case(area, f"{name}_gas_one_short", f"{what} with a gas limit one below its cost: "
             "OUT_OF_GAS, gas_used is the limit, nothing is written or emitted",
             rules, [call(function, *args, gas_limit=cost - 1)], storage),
        case(area, f"{name}_gas_zero", f"{what} with a gas limit of 0: OUT_OF_GAS on entry",
             rules, [call(function, *args, gas_limit=0)], storage),
    ]
