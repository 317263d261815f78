"""The pre-decoded form of a function body that the machine executes.

The WebAssembly specification executes instructions directly, finding the continuation of a
branch by looking for the matching ``end``. Pre-decoding does that search once: structured
control (``block``, ``loop``, ``if``, ``else``, ``end``) is replaced by jumps to precomputed
positions, and each branch carries the operand-stack height and arity of its target label, so
executing ``br l`` is "keep the top ``arity`` values, cut the stack to ``height``, jump". The
issue allows exactly this (pre-decoding and precomputed branch targets; no generated source).

A compiled instruction is a tuple whose first element is one of the machine opcodes below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..runtime.values import Payload

# Machine opcodes (the operands that follow in the tuple are listed beside each).
CHARGE = 0          # n                    charge a straight-line run of n gas (WASM-GAS-1)
GAS_CHECK = 1       #                      checkpoint at a loop header (WASM-GAS-2)
UNREACHABLE = 2     #                      trap
JUMP = 3            # target
BR = 4              # target height arity  keep arity values, cut to height, jump
BR_IF = 5           # target height arity  pop c; if c != 0: as BR
BR_IF_JUMP = 6      # target               pop c; if c != 0: jump (no unwinding needed)
BR_TABLE = 7        # branches default     pop i; branches[i] or default, each (t, h, a)
IF = 8              # else_target          pop c; if c == 0: jump
RETURN = 9          # arity
CALL = 10           # funcinst
CALL_INDIRECT = 11  # tableinst functype
DROP = 12
SELECT = 13
LOCAL_GET = 14      # index
LOCAL_SET = 15      # index
LOCAL_TEE = 16      # index
GLOBAL_GET = 17     # globalinst
GLOBAL_SET = 18     # globalinst
CONST = 19          # payload
UNOP = 20           # fn               stack[-1] = fn(stack[-1])
BINOP = 21          # fn               b = pop; stack[-1] = fn(stack[-1], b)
EXEC = 22           # fn *operands      fn(stack, *operands): memory, table, reference ops
I32_ADD = 23        #                   the hottest numeric instructions, executed inline
I32_SUB = 24
I32_LT_S = 25
I32_EQZ = 26
I32_NE = 27
I32_AND = 28

OPCODE_NAMES = {v: k for k, v in dict(globals()).items()
                if k.isupper() and isinstance(v, int) and k != "OPCODE_NAMES"}


@dataclass(eq=False, slots=True)
class CompiledFunc:
    """A pre-decoded function body.

    - ``code``: the machine instructions;
    - ``num_params``: how many locals the arguments fill;
    - ``local_init``: the initial values of the declared (non-parameter) locals;
    - ``frame_size``: value slots the frame reserves (locals + maximum operand-stack height),
      counted against WASM-LIMIT-2;
    - ``arity``: number of results;
    - ``refund``: for each machine instruction, the gas of the instructions after it in the
      same straight-line run, given back when it traps (WASM-GAS-3);
    - ``module``: the module instance the function belongs to (the caller seen by host calls).
    """

    code: list[tuple[Any, ...]]
    num_params: int
    local_init: list[Payload]
    frame_size: int
    arity: int
    refund: list[int]
    module: Any
