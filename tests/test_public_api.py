"""The public API (spec/runtime.md RT-API-*, RT-GAS-3; spec/host-abi.md HOST-LIMIT-2): the
names a Python user imports from ``supervm_ref``, one root for every error, typed errors for
wrong arguments, and bounded limits."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import supervm_ref
from supervm_ref import (
    MAX_GAS_LIMIT,
    BlockContext,
    CallResult,
    ErrorKind,
    ExecutionError,
    HostLimits,
    InvalidArgumentError,
    MemoryStorage,
    MvccScheduler,
    Runtime,
    SuperVMError,
    Value,
    WorkStealingScheduler,
)

from .support import REPO, wat

ADD = wat('(module (func (export "add") (param i32 i32) (result i32)'
          ' local.get 0 local.get 1 i32.add)'
          ' (func (export "ctx") (result i64) i64.const 7))')

#: Values of every shape a careless caller might pass.
JUNK: list[object] = [None, 0, -1, 2**64, 2**70, 1.5, float("nan"), True, "", "add", b"",
                      b"\x00asm", [], [1], (Value.i32(1),), {}, object(), Value.i64(1)]


def test_seed_names_import_from_the_package() -> None:
    """RT-API-1: the seed's names and the main results and errors import from supervm_ref; every
    name in __all__ exists, and the README's example runs as written."""
    for name in ("Runtime", "MemoryStorage", "BlockContext", "Value", "MvccStore", "MvccScheduler",
                 "StateManager", "ParallelScheduler", "WorkStealingScheduler", "Task",
                 "ConflictDetector", "ExecutionStats", "Storage", "CallResult", "ErrorKind",
                 "Transaction", "execute_sequential", "contract_transaction",
                 # spec/persistence.md PERSIST-DB-1, PERSIST-AUTO-1, PERSIST-ERR-1
                 "RocksDBStorage", "AutoFlushConfig", "AutoFlushStatus", "PersistenceError",
                 "PersistenceErrorKind", "create_checkpoint", "list_checkpoints",
                 "restore_checkpoint", "read_history_at"):
        assert name in supervm_ref.__all__, name
    for name in supervm_ref.__all__:
        assert getattr(supervm_ref, name) is not None, name
    assert supervm_ref.__version__
    readme = (REPO / "README.md").read_text()
    example = readme.split("```python\n", 1)[1].split("```", 1)[0]
    done = subprocess.run([sys.executable, "-c", example], capture_output=True, text=True,
                          cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "add(7, 8) = 15" in done.stdout


def test_every_error_is_a_supervm_error() -> None:
    """RT-API-2: every exception class the package defines derives from SuperVMError (the
    engine's, the runtime's, the stores', the schedulers', the configuration's, the
    conformance tools')."""
    classes: list[str] = []
    for path in sorted((REPO / "supervm_ref").rglob("*.py")):
        tree = ast.parse(path.read_text())
        module = ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(
            ".__init__")
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                classes.append(f"{module}:{node.name}")
    errors = []
    for qualified in classes:
        module, name = qualified.split(":")
        try:
            obj = getattr(__import__(module, fromlist=[name]), name)
        except ModuleNotFoundError:  # an optional backend's dependency
            continue
        if isinstance(obj, type) and issubclass(obj, BaseException):
            errors.append(obj)
    assert len(errors) > 20
    # Control signals are BaseExceptions on purpose (RT-CALL-5, SCHED-VM-3).
    strays = [e for e in errors if not issubclass(e, SuperVMError)
              and issubclass(e, Exception)]
    assert strays == [], strays


@pytest.mark.parametrize("wasm", [None, 3, [0], 1.5])
def test_call_with_code_of_the_wrong_type_is_bad_arguments(wasm: object) -> None:
    """RT-CALL-1 step 3, RT-API-3: code that is neither bytes nor text (a str, RT-CODE-1) is
    BAD_ARGUMENTS with no gas."""
    r = Runtime(MemoryStorage()).call(wasm, "add", [Value.i32(1), Value.i32(2)])  # type: ignore[arg-type]
    assert r.error is ErrorKind.BAD_ARGUMENTS and r.gas_used == 0
    assert "bytes" in r.message


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([*JUNK, ADD]), st.sampled_from([*JUNK, "add", "ctx"]),
       st.sampled_from([*JUNK, [Value.i32(1), Value.i32(2)], ()]),
       st.sampled_from([*JUNK, BlockContext(1, 2)]), st.sampled_from([*JUNK, 1000]),
       st.sampled_from([None, MemoryStorage(), 3, "s"]))
def test_call_never_raises(wasm: Any, function: Any, args: Any, context: Any, gas: Any,
                           storage: Any) -> None:
    """RT-ERR-1, RT-API-3: whatever ``call`` is given, it returns a CallResult; a wrong type is
    BAD_ARGUMENTS (or NO_SUCH_FUNCTION for an unknown name) with no gas used."""
    result = Runtime(MemoryStorage()).call(wasm, function, args, context=context,
                                           gas_limit=gas, storage=storage)
    assert isinstance(result, CallResult)
    if result.error is not None and result.error.before_execution:
        assert result.gas_used == 0


@pytest.mark.parametrize("a", ["x", None, 1.0, True, 2**32, -(2**31) - 1])
def test_execute_add_rejects_bad_integers(a: object) -> None:
    """RT-CALL-4, RT-API-3: execute_add takes integers in [-2**31, 2**32 - 1]; anything else is
    ExecutionError(BAD_ARGUMENTS), never a TypeError."""
    runtime = Runtime(MemoryStorage())
    with pytest.raises(ExecutionError) as info:
        runtime.execute_add(ADD, a, 1)  # type: ignore[arg-type]
    assert info.value.error is ErrorKind.BAD_ARGUMENTS
    assert runtime.execute_add(ADD, 2**32 - 1, -(2**31)) == 2**31 - 1


@pytest.mark.parametrize(("block", "timestamp"), [(2**64, 0), (0, 2**63), ("1", 0), (0, None)])
def test_execute_with_context_rejects_bad_context(block: object, timestamp: object) -> None:
    """RT-CTX-1, RT-API-3: a block number or timestamp outside i64 is
    ExecutionError(BAD_ARGUMENTS)."""
    with pytest.raises(ExecutionError) as info:
        Runtime(MemoryStorage()).execute_with_context(ADD, "ctx", block, timestamp)  # type: ignore[arg-type]
    assert info.value.error is ErrorKind.BAD_ARGUMENTS


def test_gas_limits_are_bounded() -> None:
    """RT-GAS-3: a call's gas limit is in [0, 2**64 - 1]; beyond, or not an int, the call is
    BAD_ARGUMENTS with no gas; a runtime's default limit is in [1, 2**64 - 1]."""
    runtime = Runtime(MemoryStorage())
    args = [Value.i32(1), Value.i32(2)]
    assert runtime.call(ADD, "add", args, gas_limit=MAX_GAS_LIMIT).ok
    assert runtime.call(ADD, "add", args, gas_limit=0).error is ErrorKind.OUT_OF_GAS
    for bad in (MAX_GAS_LIMIT + 1, -1, 1.0, "5", True):
        r = runtime.call(ADD, "add", args, gas_limit=bad)  # type: ignore[arg-type]
        assert r.error is ErrorKind.BAD_ARGUMENTS and r.gas_used == 0
    for bad_default in (0, -1, MAX_GAS_LIMIT + 1, None, 10.0):
        with pytest.raises(InvalidArgumentError):
            Runtime(MemoryStorage(), default_gas_limit=bad_default)  # type: ignore[arg-type]
    assert Runtime(MemoryStorage(), default_gas_limit=MAX_GAS_LIMIT).call(ADD, "add", args).ok


def test_runtime_constructor_checks_its_arguments() -> None:
    """RT-API-3, RT-API-4: Runtime rejects a storage without the protocol, limits of the wrong
    type and a module cache outside [0, 4096]; a cache of 0 keeps nothing and still works."""
    for bad in (None, {}, "storage", 3):
        with pytest.raises(InvalidArgumentError):
            Runtime(bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError):
        Runtime(MemoryStorage(), engine_limits={"max_call_depth": 3})  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError):
        Runtime(MemoryStorage(), host_limits=5)  # type: ignore[arg-type]
    for bad_cache in (-1, 4097, 10**9, "1"):
        with pytest.raises(InvalidArgumentError):
            Runtime(MemoryStorage(), module_cache_size=bad_cache)  # type: ignore[arg-type]
    uncached = Runtime(MemoryStorage(), module_cache_size=0)
    assert uncached.execute_add(ADD, 2, 3) == 5
    assert uncached.prepare(ADD) is not uncached.prepare(ADD)


@pytest.mark.parametrize("field", ["max_key_size", "max_value_size", "max_event_size",
                                   "max_events", "max_scan_limit"])
def test_host_limits_are_bounded(field: str) -> None:
    """HOST-LIMIT-2: each HostLimits field is an integer in [1, 2**31 - 1]."""
    assert getattr(HostLimits(**{field: 2**31 - 1}), field) == 2**31 - 1
    for bad in (0, -1, 2**31, "4", None, True):
        with pytest.raises(InvalidArgumentError):
            HostLimits(**{field: bad})


def test_scheduler_worker_counts_are_bounded() -> None:
    """RT-API-4, SCHED-API-1: MvccScheduler and WorkStealingScheduler take 1 to 1,024 workers;
    10**5 workers is a typed error at once, not minutes of thread start-up."""
    assert MvccScheduler(workers=1024).workers == 1024
    for bad in (0, 1025, 10**5, -3, "4", 2.0):
        with pytest.raises(SuperVMError):
            MvccScheduler(workers=bad)  # type: ignore[arg-type]
        with pytest.raises(SuperVMError):
            WorkStealingScheduler(bad)  # type: ignore[arg-type]


def test_package_code_outside_the_engine_uses_its_public_interface() -> None:
    """RT-API-1, WASM-API-1: outside supervm_ref/wasm/, the package imports the engine only
    through ``supervm_ref.wasm`` (its public interface) -- or the test-script runner
    ``supervm_ref.wasm.script`` and the text format ``supervm_ref.wasm.text`` (its number
    syntax, its ``.wast`` reader), front ends that stand apart from the engine."""
    offenders = []
    package = REPO / "supervm_ref"
    for path in sorted(package.rglob("*.py")):
        if path.is_relative_to(package / "wasm"):
            continue
        depth = len(path.relative_to(package).parts)  # 1 for supervm_ref/x.py
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ImportFrom):
                continue
            name = node.module or ""
            if node.level:  # resolve a relative import against the package root
                if node.level != depth:
                    continue
            elif name.startswith("supervm_ref."):
                name = name.removeprefix("supervm_ref.")
            else:
                continue
            if name.startswith("wasm.") and not name.startswith(("wasm.script", "wasm.text")):
                offenders.append(f"{path.relative_to(REPO)}: {node.module}")
    assert offenders == []


def _module_path(name: str) -> Path:
    return REPO / Path(*name.split("."))


@pytest.mark.parametrize(("make", "bad"), [
    (Value.i32, "x"), (Value.i32, None), (Value.i32, 1.0), (Value.i32, True),
    (Value.i64, b"1"), (Value.f32, "1.0"), (Value.f32, 1e300), (Value.f64, None),
    (Value.f64, 10**400), (Value.f32_bits, 1.5), (Value.f64_bits, "0"), (Value.funcref, -1),
    (Value.funcref, "f"),
])
def test_value_constructors_check_their_argument(make: Any, bad: object) -> None:
    """RT-API-3: Value's constructors take ints (floats for f32/f64, within range) and raise
    InvalidArgumentError otherwise, never a TypeError or OverflowError."""
    with pytest.raises(InvalidArgumentError):
        make(bad)
    with pytest.raises(InvalidArgumentError):
        Value.f32(1.0).as_signed()
    with pytest.raises(InvalidArgumentError):
        Value.i32(1).as_float()
    assert Value.i32(-1).payload == 2**32 - 1 and Value.f64(1).as_float() == 1.0


def test_huge_integers_get_typed_errors() -> None:
    """RT-API-2, RT-API-3: an integer too long for Python to print (over 4,300 digits) still
    gets the typed error, whose message describes it instead of printing it."""
    huge = 10**5000
    r = Runtime(MemoryStorage()).call(ADD, "add", [Value.i32(1), Value.i32(2)], gas_limit=huge)
    assert r.error is ErrorKind.BAD_ARGUMENTS and "bits" in r.message
    for make in (lambda: MvccScheduler(workers=huge), lambda: HostLimits(max_events=huge),
                 lambda: BlockContext(huge, 0), lambda: WorkStealingScheduler(huge)):
        with pytest.raises(SuperVMError) as info:
            make()  # type: ignore[no-untyped-call]
        assert "bits" in str(info.value)
    with pytest.raises(ExecutionError):
        Runtime(MemoryStorage()).execute_add(ADD, huge, 1)


def test_load_backend_checks_the_name() -> None:
    """RT-API-3, CONF-BACKEND-2: a backend name that is not a str is a BackendError."""
    for bad in (["reference"], None, 3):
        with pytest.raises(supervm_ref.BackendError):
            supervm_ref.load_backend(bad)  # type: ignore[arg-type]


def test_prepared_contract_cache_is_safe_across_threads() -> None:
    """RT-ERR-1, RT-CALL-4: calls of several contracts from several threads on one runtime with
    a one-entry cache never raise and always give the contract's own result."""
    import threading

    modules = [wat(f'(module (func (export "f") (result i32) i32.const {i}))') for i in range(3)]
    runtime = Runtime(MemoryStorage(), module_cache_size=1)
    wrong: list[object] = []
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)

    def worker(n: int) -> None:
        for i in range(600):
            try:
                r = runtime.call(modules[(i + n) % 3], "f")
                if r.results != (Value.i32((i + n) % 3),):
                    wrong.append(r)
            except BaseException as e:  # the regression: a KeyError escaping call
                wrong.append(e)

    try:
        threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(switch)
    assert wrong == []
