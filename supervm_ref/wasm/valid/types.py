"""Validation of types (WebAssembly spec section 3.2).

Function types (spec 3.2.3) and global types (3.2.6) are always valid; block types (3.2.2)
are checked where they occur (`instructions.block_type`). What remains are the range conditions
on limits (3.2.1), of table types (3.2.4) and of memory types (3.2.5).
"""

from __future__ import annotations

from ..errors import ValidationError
from ..structure.types import Limits, MemType, TableType

#: Memories hold at most 2^16 pages of 64 KiB, i.e. 4 GiB (spec 3.2.5).
MAX_MEMORY_PAGES = 1 << 16

#: Tables hold at most 2^32 - 1 elements (spec 3.2.4).
MAX_TABLE_SIZE = (1 << 32) - 1


def validate_limits(limits: Limits, k: int, range_message: str) -> None:
    """Limits (spec 3.2.1): ``min`` and ``max`` (if present) must not exceed ``k``, and ``max``
    must not be smaller than ``min``."""
    if limits.min > k:
        raise ValidationError(range_message)
    if limits.max is not None:
        if limits.max > k:
            raise ValidationError(range_message)
        if limits.min > limits.max:
            raise ValidationError("size minimum must not be greater than maximum")


def validate_tabletype(tt: TableType) -> None:
    """Table types (spec 3.2.4): limits within 2^32 - 1 elements."""
    validate_limits(tt.limits, MAX_TABLE_SIZE, "table size must be at most 2^32-1")


def validate_memtype(mt: MemType) -> None:
    """Memory types (spec 3.2.5): limits within 2^16 pages."""
    validate_limits(mt.limits, MAX_MEMORY_PAGES,
                    "memory size must be at most 65536 pages (4GiB)")
