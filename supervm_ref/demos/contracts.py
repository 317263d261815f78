"""WebAssembly modules used by the demos, as binary with their text form beside them.

The reference has no text-format parser; each module is committed as the bytes ``wat2wasm``
produces for the WAT shown, and ``tests/test_demo.py`` checks the two agree.
"""

from __future__ import annotations

#: (module (func (export "add") (param i32 i32) (result i32)
#:   local.get 0 local.get 1 i32.add))
ADD_WAT = ('(module (func (export "add") (param i32 i32) (result i32) '
           'local.get 0 local.get 1 i32.add))')
ADD_WASM = bytes.fromhex(
    "0061736d0100000001070160027f7f017f030201000707010361646400000a09010700200020016a0b")
