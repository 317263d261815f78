"""Memory instructions (WebAssembly spec section 4.4.7).

Effective addresses are computed with unbounded Python ints, so ``ea + width`` can never wrap:
any access that reaches past the end of memory traps (rule WASM-MEM-1).
"""

from __future__ import annotations

from struct import Struct

from ...errors import Trap, TrapKind
from ...limits import PAGE_SIZE
from ...runtime.store import DataInst, MemInst, Store
from ...runtime.values import MASK32

#: Readers and writers per access width (little endian). Signed readers give sign extension.
UNSIGNED = {8: Struct("<B"), 16: Struct("<H"), 32: Struct("<I"), 64: Struct("<Q")}
SIGNED = {8: Struct("<b"), 16: Struct("<h"), 32: Struct("<i"), 64: Struct("<q")}


def _out_of_bounds(ea: int, n: int, size: int) -> Trap:
    return Trap(TrapKind.MEMORY_OUT_OF_BOUNDS, f"access of {n} bytes at {ea}, memory size {size}")


def load(stack: list[int], data: bytearray, offset: int, reader: Struct, width: int,
         wrap: int) -> None:
    """4.4.7 ``t.load memarg`` and ``t.loadN_sx memarg``: read ``width`` bytes at
    ``i + offset``; ``reader`` sign- or zero-extends, ``wrap`` reduces to the result type."""
    ea = stack[-1] + offset
    if ea + width > len(data):
        raise _out_of_bounds(ea, width, len(data))
    stack[-1] = reader.unpack_from(data, ea)[0] & wrap


def store(stack: list[int], data: bytearray, offset: int, writer: Struct, width: int,
          mask: int) -> None:
    """4.4.7 ``t.store memarg`` and ``t.storeN memarg``: write the low ``width`` bytes of the
    value at ``i + offset``."""
    c = stack.pop()
    ea = stack.pop() + offset
    if ea + width > len(data):
        raise _out_of_bounds(ea, width, len(data))
    writer.pack_into(data, ea, c & mask)


def memory_size(stack: list[int], data: bytearray) -> None:
    """4.4.7 ``memory.size``: the size in pages."""
    stack.append(len(data) // PAGE_SIZE)


def grow_memory(store_: Store, mem: MemInst, n: int) -> int:
    """4.5.3.9 growing memories, bounded by the declared maximum, the 4 GiB address space and the
    engine limit (WASM-LIMIT-3). Returns the old size in pages, or 2**32-1 (i.e. -1) on
    failure, in which case nothing changes."""
    old = len(mem.data) // PAGE_SIZE
    new = old + n
    declared = mem.type.limits.max
    if new > 65536 or (declared is not None and new > declared) \
            or new > store_.limits.max_memory_pages:
        return MASK32
    if n:
        mem.data.extend(bytes(n * PAGE_SIZE))  # in place: handlers hold the bytearray
    return old


def memory_grow(stack: list[int], store_: Store, mem: MemInst) -> None:
    """4.4.7 ``memory.grow``: push the old size, or -1 if the memory cannot grow."""
    stack[-1] = grow_memory(store_, mem, stack[-1])


def memory_fill(stack: list[int], data: bytearray) -> None:
    """4.4.7 ``memory.fill``: set ``n`` bytes at ``d`` to ``val``; trap if out of bounds
    (checked before anything is written)."""
    n = stack.pop()
    val = stack.pop()
    d = stack.pop()
    if d + n > len(data):
        raise _out_of_bounds(d, n, len(data))
    data[d:d + n] = bytes([val & 0xFF]) * n


def memory_copy(stack: list[int], data: bytearray) -> None:
    """4.4.7 ``memory.copy``: copy ``n`` bytes from ``s`` to ``d`` (overlap allowed); trap if
    either range is out of bounds."""
    n = stack.pop()
    s = stack.pop()
    d = stack.pop()
    if s + n > len(data) or d + n > len(data):
        raise _out_of_bounds(max(s, d), n, len(data))
    data[d:d + n] = data[s:s + n]


def memory_init(stack: list[int], data: bytearray, seg: DataInst) -> None:
    """4.4.7 ``memory.init x``: copy ``n`` bytes of data segment ``x`` from ``s`` to memory at
    ``d``; trap if either range is out of bounds."""
    n = stack.pop()
    s = stack.pop()
    d = stack.pop()
    if s + n > len(seg.data) or d + n > len(data):
        raise _out_of_bounds(d, n, len(data))
    data[d:d + n] = seg.data[s:s + n]


def data_drop(stack: list[int], seg: DataInst) -> None:
    """4.4.7 ``data.drop x``: the segment's bytes are no longer needed."""
    seg.data = b""
