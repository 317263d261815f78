"""Memory instructions (WebAssembly spec section 4.4.7).

The memory is bound when the function is pre-decoded: handlers receive the memory instance's
``data`` (a bytearray that ``memory.grow`` extends in place) or the instance itself. Effective
addresses are computed with unbounded Python ints, so ``ea + width`` can never wrap: any
access that reaches past the end of memory traps (rule WASM-MEM-1).
"""

from __future__ import annotations

from collections.abc import Callable
from struct import Struct
from typing import Any, NamedTuple

from ...errors import Trap, TrapKind, ValidationError
from ...limits import PAGE_SIZE
from ...runtime.store import DataInst, MemInst, Store
from ...runtime.values import MASK32, MASK64
from ...structure.instructions import MEMORY_ACCESS
from ...structure.types import ValType
from ..code import BindContext, Definition, Stack

#: Readers and writers per access width in bits (little endian). Signed readers sign-extend.
UNSIGNED = {8: Struct("<B"), 16: Struct("<H"), 32: Struct("<I"), 64: Struct("<Q")}
SIGNED = {8: Struct("<b"), 16: Struct("<h"), 32: Struct("<i"), 64: Struct("<q")}


class Access(NamedTuple):
    """The bound operand of a load or store: the memory's bytes, ``memarg.offset``, how to
    read or write ``width`` bytes, and the mask that wraps the value (a load: to its result
    type; a store: to the stored width)."""

    data: bytearray
    offset: int
    codec: Struct
    width: int
    mask: int


def _out_of_bounds(ea: int, n: int, size: int) -> Trap:
    return Trap(TrapKind.MEMORY_OUT_OF_BOUNDS, f"access of {n} bytes at {ea}, memory size {size}")


def load(stack: Stack, access: Access) -> None:
    """4.4.7 ``t.load memarg`` and ``t.loadN_sx memarg``: pop the address ``i``; read
    ``width`` bytes at ``ea = i + memarg.offset`` (trap if ``ea + width`` is past the end of
    memory); push them as a value of type ``t``, sign- or zero-extended."""
    data, offset, reader, width, wrap = access
    ea = stack[-1] + offset
    if ea + width > len(data):
        raise _out_of_bounds(ea, width, len(data))
    stack[-1] = reader.unpack_from(data, ea)[0] & wrap


def store(stack: Stack, access: Access) -> None:
    """4.4.7 ``t.store memarg`` and ``t.storeN memarg``: pop the value ``c``, then the address
    ``i``; write the low ``width`` bytes of ``c`` at ``ea = i + memarg.offset`` (trap if
    ``ea + width`` is past the end of memory)."""
    data, offset, writer, width, mask = access
    c = stack.pop()
    ea = stack.pop() + offset
    if ea + width > len(data):
        raise _out_of_bounds(ea, width, len(data))
    writer.pack_into(data, ea, c & mask)


def memory_size(stack: Stack, data: bytearray) -> None:
    """4.4.7 ``memory.size``: push the size of the memory in pages."""
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
        mem.data.extend(bytes(n * PAGE_SIZE))  # in place: bound operands hold the bytearray
    return old


def memory_grow(stack: Stack, operand: tuple[Store, MemInst]) -> None:
    """4.4.7 ``memory.grow``: pop ``n``; grow the memory by ``n`` pages and push the old size,
    or push -1 if it cannot grow."""
    store_, mem = operand
    stack[-1] = grow_memory(store_, mem, stack[-1])


def memory_fill(stack: Stack, data: bytearray) -> None:
    """4.4.7 ``memory.fill``: pop ``n``, the byte value ``val`` and ``d``; set ``n`` bytes at
    ``d`` to ``val``, or trap if the range is out of bounds (before anything is written)."""
    n = stack.pop()
    val = stack.pop()
    d = stack.pop()
    if d + n > len(data):
        raise _out_of_bounds(d, n, len(data))
    data[d:d + n] = bytes([val & 0xFF]) * n


def memory_copy(stack: Stack, data: bytearray) -> None:
    """4.4.7 ``memory.copy``: pop ``n``, ``s`` and ``d``; copy ``n`` bytes from ``s`` to ``d``
    (the ranges may overlap), or trap if either range is out of bounds."""
    n = stack.pop()
    s = stack.pop()
    d = stack.pop()
    if s + n > len(data) or d + n > len(data):
        raise _out_of_bounds(max(s, d), n, len(data))
    data[d:d + n] = data[s:s + n]


def memory_init(stack: Stack, operand: tuple[bytearray, DataInst]) -> None:
    """4.4.7 ``memory.init x``: pop ``n``, ``s`` and ``d``; copy ``n`` bytes of data segment
    ``x`` from ``s`` to memory at ``d``, or trap if either range is out of bounds."""
    data, seg = operand
    n = stack.pop()
    s = stack.pop()
    d = stack.pop()
    if s + n > len(seg.data) or d + n > len(data):
        raise _out_of_bounds(d, n, len(data))
    data[d:d + n] = seg.data[s:s + n]


def data_drop(stack: Stack, seg: DataInst) -> None:
    """4.4.7 ``data.drop x``: the data segment becomes empty."""
    seg.data = b""


# --- binding the immediates -------------------------------------------------------------------

def _memory(ctx: BindContext) -> MemInst:
    """Memory 0 of the module instance, ``S.mems[F.module.memaddrs[0]]``."""
    if ctx.memory is None:  # pragma: no cover - validation rejects memory instructions then
        raise ValidationError("unknown memory 0")
    return ctx.memory


def _data(ctx: BindContext, x: int) -> DataInst:
    """The data instance ``S.datas[F.module.dataaddrs[x]]``."""
    return ctx.store.datas[ctx.module.dataaddrs[x]]


def _access_binder(name: str) -> Callable[[BindContext, tuple[Any, ...]], Access]:
    """The binder of the load or store ``name`` (its type, width and signedness come from
    `MEMORY_ACCESS`); the immediate is ``memarg = (align, offset)``."""
    t, bits, signed = MEMORY_ACCESS[name]
    if name.split(".")[1].startswith("load"):
        codec = SIGNED[bits] if signed else UNSIGNED[bits]
        mask = MASK32 if t in (ValType.I32, ValType.F32) else MASK64
    else:
        codec = UNSIGNED[bits]
        mask = (1 << bits) - 1

    def bind(ctx: BindContext, imm: tuple[Any, ...]) -> Access:
        _, offset = imm
        return Access(_memory(ctx).data, offset, codec, bits // 8, mask)

    return bind


def _bind_data(ctx: BindContext, imm: tuple[Any, ...]) -> bytearray:
    return _memory(ctx).data


def _bind_grow(ctx: BindContext, imm: tuple[Any, ...]) -> tuple[Store, MemInst]:
    return ctx.store, _memory(ctx)


def _bind_init(ctx: BindContext, imm: tuple[Any, ...]) -> tuple[bytearray, DataInst]:
    return _memory(ctx).data, _data(ctx, imm[0])


def _bind_segment(ctx: BindContext, imm: tuple[Any, ...]) -> DataInst:
    return _data(ctx, imm[0])


def _definitions() -> dict[str, Definition]:
    defs = {
        "memory.size": Definition(memory_size, _bind_data, 1),
        "memory.grow": Definition(memory_grow, _bind_grow, 0),
        "memory.fill": Definition(memory_fill, _bind_data, -3),
        "memory.copy": Definition(memory_copy, _bind_data, -3),
        "memory.init": Definition(memory_init, _bind_init, -3),
        "data.drop": Definition(data_drop, _bind_segment, 0),
    }
    for name in MEMORY_ACCESS:
        if name.split(".")[1].startswith("load"):
            defs[name] = Definition(load, _access_binder(name), 0)  # pop i, push the value
        else:
            defs[name] = Definition(store, _access_binder(name), -2)  # pop i and c
    return defs


#: The definitions of the memory instructions (see `supervm_ref.wasm.exec.code`).
DEFINITIONS: dict[str, Definition] = _definitions()
