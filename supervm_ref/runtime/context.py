"""The block context a call runs in (spec/runtime.md, RT-CTX-1)."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InvalidArgumentError


@dataclass(frozen=True, slots=True)
class BlockContext:
    """RT-CTX-1: what ``chain_api.block_number`` and ``chain_api.timestamp`` return. Both are
    signed 64-bit integers; the timestamp is in seconds. Anything else is
    `InvalidArgumentError` (RT-API-3)."""

    block_number: int = 0
    timestamp: int = 0

    def __post_init__(self) -> None:
        for name in ("block_number", "timestamp"):
            v = getattr(self, name)
            if type(v) is not int or not -(2**63) <= v < 2**63:
                raise InvalidArgumentError(f"BlockContext.{name}",
                                           "a signed 64-bit integer", v)
