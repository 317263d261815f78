"""The SuperVM WebAssembly engine (spec/wasm.md).

Layout mirrors the WebAssembly specification: ``structure`` (chapter 2), ``valid`` (3),
``exec`` and ``runtime`` (4), ``binary`` (5), ``embedding`` (appendix A.1), and ``script`` (the
test-script runner, apart from the engine as in the reference interpreter).
"""

from .embedding import (
    EmbeddingError,
    func_alloc,
    func_invoke,
    func_invoke_with_gas,
    func_type,
    global_alloc,
    global_read,
    global_type,
    global_write,
    instance_export,
    mem_alloc,
    mem_grow,
    mem_read,
    mem_size,
    mem_type,
    mem_write,
    module_decode,
    module_exports,
    module_imports,
    module_instantiate,
    module_validate,
    store_init,
    table_alloc,
    table_grow,
    table_read,
    table_size,
    table_type,
    table_write,
)
from .errors import (
    CodeTooLarge,
    DecodeError,
    LinkError,
    Trap,
    TrapKind,
    ValidationError,
    WasmError,
)
from .limits import EngineLimits
from .runtime.host import Caller
from .runtime.store import ExternVal, ModuleInst, Store
from .runtime.values import ExternRef, Value
from .structure.types import FuncType, GlobalType, Limits, MemType, TableType, ValType

__all__ = [
    "Caller", "CodeTooLarge", "DecodeError", "EmbeddingError", "EngineLimits", "ExternRef",
    "ExternVal", "FuncType", "GlobalType", "Limits", "LinkError", "MemType", "ModuleInst", "Store",
    "TableType", "Trap", "TrapKind", "ValType", "ValidationError", "Value", "WasmError",
    "func_alloc", "func_invoke", "func_invoke_with_gas", "func_type", "global_alloc",
    "global_read", "global_type", "global_write", "instance_export", "mem_alloc", "mem_grow",
    "mem_read", "mem_size", "mem_type", "mem_write", "module_decode", "module_exports",
    "module_imports", "module_instantiate", "module_validate", "store_init", "table_alloc",
    "table_grow", "table_read", "table_size", "table_type", "table_write",
]
