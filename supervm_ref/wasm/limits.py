"""Deterministic engine limits (spec/wasm.md, rules WASM-LIMIT-*).

The WebAssembly specification leaves resource limits to the embedder (spec section A.2,
"Implementation Limitations"). A blockchain reference must fix them, so that the same call
traps at the same point on every machine. Every limit here is a count of WebAssembly entities,
never a property of the host (Python's recursion limit, available memory, word size).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import require_int

#: Size of a WebAssembly page in bytes (spec section 4.2.8).
PAGE_SIZE = 65536

DEFAULT_MAX_CALL_DEPTH = 1024
DEFAULT_MAX_VALUE_STACK = 1 << 20
DEFAULT_MAX_MEMORY_PAGES = 1024
DEFAULT_MAX_TABLE_SIZE = 1 << 20
DEFAULT_MAX_HOST_REENTRY = 8
DEFAULT_MAX_MODULE_BYTES = 1 << 20
DEFAULT_MAX_FUNCTION_INSTRUCTIONS = 100_000


#: WASM-LIMIT-10: the largest value each limit may be given. Each bounds what one call can make
#: the engine allocate (frames, value slots, pages, table elements, Python frames of nested host
#: re-entries, the bytes and instructions of a module being decoded).
LIMIT_MAXIMA: dict[str, int] = {
    "max_call_depth": 1 << 20,
    "max_value_stack": 1 << 26,
    "max_memory_pages": 65536,
    "max_table_size": (1 << 32) - 1,
    "max_host_reentry": 64,
    "max_module_bytes": 1 << 26,
    "max_function_instructions": 1 << 24,
}


@dataclass(frozen=True, slots=True)
class EngineLimits:
    """The configurable limits of one `Store`.

    - ``max_call_depth`` (WASM-LIMIT-1): the number of WebAssembly function activations (frames)
      that may be live at once. Invoking a function when that many are live traps with
      ``call stack exhausted``, the message naming this limit.
    - ``max_value_stack`` (WASM-LIMIT-2): the number of value slots all live frames may reserve
      together. A frame reserves its locals plus its function's maximum operand-stack height
      (computed when the function is pre-decoded). Exceeding it traps with ``call stack
      exhausted``, the message naming this limit.
    - ``max_memory_pages`` (WASM-LIMIT-3): no memory grows beyond this many pages;
      ``memory.grow`` past it returns -1, and a module whose memory minimum exceeds it fails
      to instantiate with a LinkError.
    - ``max_table_size`` (WASM-LIMIT-4): the same for table elements.
    - ``max_host_reentry`` (WASM-LIMIT-5): how many invocations may be nested through host
      functions that call back into WebAssembly.
    - ``max_module_bytes`` (WASM-LIMIT-8): the size of a binary module in bytes. A larger
      binary is rejected with `CodeTooLarge` before any of it is decoded.
    - ``max_function_instructions`` (WASM-LIMIT-9): the number of instructions in one function
      body, counted as the decoder reads them (every opcode, the ``else`` and ``end`` markers
      included). The decoder stops with `CodeTooLarge` when it is about to read one more.

    The code-size limits (8, 9) apply when a module is decoded, before any store is involved:
    `module_decode` takes the limits as an argument (default `EngineLimits()`). They bound the
    memory and time that decoding, validation and pre-decoding take.
    """

    max_call_depth: int = DEFAULT_MAX_CALL_DEPTH
    max_value_stack: int = DEFAULT_MAX_VALUE_STACK
    max_memory_pages: int = DEFAULT_MAX_MEMORY_PAGES
    max_table_size: int = DEFAULT_MAX_TABLE_SIZE
    max_host_reentry: int = DEFAULT_MAX_HOST_REENTRY
    max_module_bytes: int = DEFAULT_MAX_MODULE_BYTES
    max_function_instructions: int = DEFAULT_MAX_FUNCTION_INSTRUCTIONS

    def __post_init__(self) -> None:
        """WASM-LIMIT-10: every limit is an integer in [1, `LIMIT_MAXIMA`]."""
        for name, maximum in LIMIT_MAXIMA.items():
            require_int(getattr(self, name), f"EngineLimits.{name}", 1, maximum)
