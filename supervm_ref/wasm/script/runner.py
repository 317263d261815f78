"""Running one test script: the commands of a ``wast2json`` JSON file.

Like the reference interpreter's ``script/run.ml``, the runner is apart from the engine: it
drives the engine only through the embedding API (spec appendix A.1) and treats every assertion
as data. A script is a list of commands run in order against one store:

- ``module`` (optional ``name``): decode and instantiate a binary module; it becomes the
  *current* module and, when named, can be referred to later by that name;
- ``register`` (``as``, optional ``name``): make a module's exports importable under a name.
  The host module ``spectest`` (`spectest_host`) is registered from the start;
- ``action``: an ``invoke`` of an exported function (``field``, ``args``) or a ``get`` of an
  exported global, on the current or a named (``module``) module;
- ``assert_return``: the action's results match ``expected`` (`values.matches`);
- ``assert_trap`` / ``assert_exhaustion``: the action traps (for exhaustion: ``call stack
  exhausted``); ``assert_trap`` with a module file means it traps during instantiation;
- ``assert_malformed`` / ``assert_invalid`` / ``assert_unlinkable`` / ``assert_uninstantiable``:
  the module is rejected by the decoder (DecodeError), by validation (ValidationError), by
  linking (LinkError) or traps while being instantiated (Trap).

In wast2json output, text-format modules (``module_type: "text"``, ``.wat``: the
``assert_malformed`` cases of ``module quote``) are *not applicable*: neither passed nor failed.
A ``.wast`` script (`supervm_ref.wasm.text.script`, WASM-TEXT-SCRIPT-1) gives the same commands
with the module itself under ``"module"``: text is parsed, so nothing is not applicable there
(WASM-TEXT-SCRIPT-2).

Each command has an outcome (`CommandResult`): passed, failed (with a short ``cause`` for
grouping and a ``detail``) or not applicable. The runner catches every exception around each
command (a Python exception escaping the engine is a failure of that command, noted with where
it was raised) and always goes on with the next command: it never crashes.

Trap messages are compared loosely: any trap passes ``assert_trap``; when its kind's text
disagrees with the expected text, the result carries a ``note``.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from ...errors import SuperVMError
from ..errors import DecodeError, LinkError, Trap, TrapKind, ValidationError, WasmError
from ..limits import EngineLimits
from ..runtime.store import ExternVal, ModuleInst
from ..runtime.values import Value
from ..structure.types import ExternType, extern_kind
from ..text.script import ScriptModule, read_script
from .spectest_host import spectest_instance
from .values import ScriptError, format_expected, format_value, matches, parse_expected, parse_value

PASSED, FAILED, NOT_APPLICABLE = "passed", "failed", "n/a"
EXECUTION, VALIDATION = "execution", "validation"

#: The group each command kind is counted in (text-format modules are always "n/a").
GROUPS: dict[str, str] = {
    "module": EXECUTION,
    "register": EXECUTION,
    "action": EXECUTION,
    "assert_return": EXECUTION,
    "assert_trap": EXECUTION,
    "assert_exhaustion": EXECUTION,
    "assert_uninstantiable": EXECUTION,
    "assert_malformed": VALIDATION,
    "assert_invalid": VALIDATION,
    "assert_unlinkable": VALIDATION,
}


@dataclass(frozen=True, slots=True)
class CommandResult:
    """The outcome of one command. ``group`` is "execution", "validation" or "n/a";
    ``outcome`` is "passed", "failed" or "n/a"; ``cause`` is a short, stable reason for a
    failure (to group failures by), ``detail`` the specifics, ``note`` a remark on a pass
    (a trap whose text differs from the expected one)."""

    line: int
    kind: str
    group: str
    outcome: str
    cause: str = ""
    detail: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class FileResult:
    """The outcomes of all commands of one script, in order. ``name`` is the script's name
    (its folder in the suite)."""

    name: str
    commands: tuple[CommandResult, ...]


class _Failed(SuperVMError):
    """Raised inside the runner to fail the current command with a cause and a detail."""

    def __init__(self, cause: str, detail: str = "") -> None:
        super().__init__(cause)
        self.cause = cause
        self.detail = detail


@dataclass(frozen=True, slots=True)
class _Unloaded:
    """Stands for a module whose ``module`` command failed, so later commands using it fail
    with a reason that points at it."""

    line: int
    reason: str


def _where(e: BaseException) -> str:
    """Where a Python exception was raised (innermost frame), for failure details."""
    frames = traceback.extract_tb(e.__traceback__) if e.__traceback__ else []
    if not frames:
        return ""
    f = frames[-1]
    return f" (at {Path(f.filename).name}:{f.lineno} in {f.name})"


def describe_error(e: BaseException) -> tuple[str, str]:
    """A (cause, detail) pair for an exception that a command did not expect.

    The cause is the error class, with the trap kind for a trap; other engine errors
    (EmbeddingError) and Python exceptions are named as such, with where they were raised."""
    if isinstance(e, Trap):
        return f"Trap({e.trap_kind.value})", str(e)
    if isinstance(e, (DecodeError, ValidationError, LinkError)):
        return type(e).__name__, str(e)
    if isinstance(e, WasmError):
        cause = e.__cause__
        where = _where(cause) if cause is not None else _where(e)
        return f"engine error ({type(e).__name__})", f"{e}{where}"
    return f"Python exception ({type(e).__name__})", f"{e}{_where(e)}"


def _trap_note(expected_text: str, trap: Trap) -> str:
    """A note when the trap's kind text and the expected text disagree (neither is a prefix of
    the other), else ""."""
    actual = trap.trap_kind.value
    if expected_text.startswith(actual) or actual.startswith(expected_text):
        return ""
    return f"expected trap {expected_text!r}, got {actual!r}"


def _default_api() -> ModuleType:
    from .. import embedding

    return embedding


class ScriptRunner:
    """The state of one running script (reference interpreter ``script/run.ml``): the store,
    the current module, modules by script name and the registry of importable modules.

    ``api`` is the embedding API module (`supervm_ref.wasm.embedding` unless given);
    ``limits`` are the store's engine limits (the defaults unless given)."""

    def __init__(self, directory: Path, api: ModuleType | None = None,
                 limits: EngineLimits | None = None) -> None:
        self.directory = directory
        self.api = api if api is not None else _default_api()
        self.store: Any = self.api.store_init(limits)
        self.current: ModuleInst | _Unloaded | None = None
        self.named: dict[str, ModuleInst | _Unloaded] = {}
        self.registry: dict[str, ModuleInst] = {
            "spectest": spectest_instance(self.api, self.store)}

    # --- Commands -------------------------------------------------------------------------

    def run_command(self, cmd: Any) -> CommandResult:
        """Run one command and return its outcome; never raises (except on KeyboardInterrupt
        and the like)."""
        kind = cmd.get("type", "?") if isinstance(cmd, dict) else "?"
        kind = kind if isinstance(kind, str) else "?"
        line = cmd.get("line", 0) if isinstance(cmd, dict) else 0
        line = line if type(line) is int else 0
        group = GROUPS.get(kind, EXECUTION)
        if isinstance(cmd, dict) and self._is_text(cmd):
            if kind == "module":
                self._set_module(cmd, _Unloaded(line, "module in the text format"))
            return CommandResult(line, kind, NOT_APPLICABLE, NOT_APPLICABLE)
        try:
            handler = _HANDLERS.get(kind)
            if handler is None:
                raise _Failed("unsupported command", f"command type {kind!r}")
            note = handler(self, cmd)
        except _Failed as f:
            return CommandResult(line, kind, group, FAILED, f.cause, f.detail)
        except Exception as e:  # any error fails this command only
            cause, detail = describe_error(e)
            return CommandResult(line, kind, group, FAILED, cause, detail)
        return CommandResult(line, kind, group, PASSED, note=note or "")

    @staticmethod
    def _is_text(cmd: dict[str, Any]) -> bool:
        if "module" in cmd:  # a module of a .wast script: text is parsed, not skipped
            return False
        filename = cmd.get("filename")
        return cmd.get("module_type") == "text" or (
            isinstance(filename, str) and filename.endswith(".wat"))

    def _module(self, cmd: dict[str, Any]) -> None:
        """``module``: instantiate; it becomes the current module (and a named one)."""
        line = cmd.get("line", 0)
        try:
            inst = self._instantiate(self._decode(cmd))
        except _Failed as f:
            self._set_module(cmd, _Unloaded(line, f"{f.cause}: {f.detail}"))
            raise
        except Exception as e:
            cause, detail = describe_error(e)
            self._set_module(cmd, _Unloaded(line, f"{cause}: {detail}"))
            raise _Failed(cause, detail) from None
        self._set_module(cmd, inst)

    def _set_module(self, cmd: dict[str, Any], inst: ModuleInst | _Unloaded) -> None:
        self.current = inst
        name = cmd.get("name")
        if isinstance(name, str):
            self.named[name] = inst

    def _register(self, cmd: dict[str, Any]) -> None:
        """``register``: make a module importable under the name ``as``."""
        as_name = cmd.get("as")
        if not isinstance(as_name, str):
            raise _Failed("script error", "register without 'as'")
        self.registry[as_name] = self._instance(cmd.get("name"))

    def _action_command(self, cmd: dict[str, Any]) -> None:
        """``action``: perform the action; it must not trap."""
        self._action(cmd.get("action"))

    def _assert_return(self, cmd: dict[str, Any]) -> None:
        """``assert_return``: the results match the expected values and patterns."""
        raw = cmd.get("expected")
        if not isinstance(raw, list):
            raise _Failed("script error", "assert_return without 'expected'")
        try:
            expected = [parse_expected(e) for e in raw]
        except ScriptError as e:
            raise _Failed("script error", str(e)) from None
        results = self._action(cmd.get("action"))
        got = "[" + ", ".join(format_value(v) for v in results) + "]"
        want = "[" + ", ".join(format_expected(e) for e in expected) + "]"
        if len(results) != len(expected):
            raise _Failed("wrong result count", f"got {got}, expected {want}")
        if not all(matches(e, v) for e, v in zip(expected, results, strict=True)):
            raise _Failed("wrong result", f"got {got}, expected {want}")

    def _assert_trap(self, cmd: dict[str, Any]) -> str:
        """``assert_trap``: the action (or, with a file, the instantiation) traps."""
        if "filename" in cmd:
            return self._assert_uninstantiable(cmd)
        text = str(cmd.get("text", ""))
        try:
            results = self._action(cmd.get("action"))
        except Trap as t:
            return _trap_note(text, t)
        raise _Failed("no trap", f"expected trap {text!r}, got results "
                      + "[" + ", ".join(format_value(v) for v in results) + "]")

    def _assert_exhaustion(self, cmd: dict[str, Any]) -> None:
        """``assert_exhaustion``: the action traps with ``call stack exhausted``."""
        try:
            results = self._action(cmd.get("action"))
        except Trap as t:
            if t.trap_kind is not TrapKind.CALL_STACK_EXHAUSTED:
                raise _Failed(f"Trap({t.trap_kind.value})",
                              f"expected call stack exhausted, got {t}") from None
            return
        raise _Failed("no trap", "expected call stack exhausted, got results "
                      + "[" + ", ".join(format_value(v) for v in results) + "]")

    def _assert_malformed(self, cmd: dict[str, Any]) -> None:
        """``assert_malformed`` (binary): decoding raises DecodeError."""
        try:
            self._decode(cmd)
        except DecodeError:
            return
        raise _Failed("no DecodeError", f"expected malformed: {cmd.get('text', '')!r}")

    def _assert_invalid(self, cmd: dict[str, Any]) -> None:
        """``assert_invalid``: the module decodes and validation raises ValidationError."""
        try:
            module = self._decode(cmd)
        except DecodeError as e:
            raise _Failed("DecodeError instead of ValidationError",
                          f"expected invalid: {cmd.get('text', '')!r}, got {e}") from None
        try:
            self.api.module_validate(module)
        except ValidationError:
            return
        raise _Failed("no ValidationError", f"expected invalid: {cmd.get('text', '')!r}")

    def _assert_unlinkable(self, cmd: dict[str, Any]) -> None:
        """``assert_unlinkable``: resolving the imports or instantiation raises LinkError."""
        module = self._decode(cmd)
        try:
            self._instantiate(module)
        except LinkError:
            return
        raise _Failed("no LinkError", f"expected unlinkable: {cmd.get('text', '')!r}")

    def _assert_uninstantiable(self, cmd: dict[str, Any]) -> str:
        """``assert_uninstantiable``: instantiation traps (in the start function or while
        initialising tables and memories)."""
        text = str(cmd.get("text", ""))
        module = self._decode(cmd)
        try:
            self._instantiate(module)
        except Trap as t:
            return _trap_note(text, t)
        raise _Failed("no trap", f"expected instantiation to trap: {text!r}")

    # --- Modules, imports and actions -----------------------------------------------------

    def _decode(self, cmd: dict[str, Any]) -> Any:
        inline = cmd.get("module")
        if isinstance(inline, ScriptModule):  # a module of a .wast script
            return inline.load(self.api.module_decode)
        filename = cmd.get("filename")
        if not isinstance(filename, str) or Path(filename).name != filename:
            raise _Failed("script error", f"bad module file name {filename!r}")
        try:
            data = (self.directory / filename).read_bytes()
        except OSError as e:
            raise _Failed("script error", f"cannot read {filename}: {e}") from None
        return self.api.module_decode(data)

    def _instantiate(self, module: Any) -> ModuleInst:
        externvals = [self._resolve(m, n, t) for m, n, t in self.api.module_imports(module)]
        inst: ModuleInst = self.api.module_instantiate(self.store, module, externvals)
        return inst

    def _resolve(self, module_name: str, name: str, t: ExternType) -> ExternVal:
        """Resolve one import by (module, name) among the registered modules, checking only
        its kind; the engine checks the type (spec 4.5.4, import matching)."""
        inst = self.registry.get(module_name)
        if inst is None:
            raise LinkError(f"unknown import: no module registered as {module_name!r}")
        try:
            ext: ExternVal = self.api.instance_export(inst, name)
        except WasmError:
            raise LinkError(f"unknown import {module_name!r}.{name!r}") from None
        if ext.kind != extern_kind(t):
            raise LinkError(f"incompatible import type: {module_name!r}.{name!r} is a "
                            f"{ext.kind}, expected a {extern_kind(t)}")
        return ext

    def _instance(self, name: Any) -> ModuleInst:
        inst = self.current if name is None else self.named.get(name)
        if inst is None:
            raise _Failed("no such module", f"module {name!r} was never defined"
                          if name is not None else "no module defined yet")
        if isinstance(inst, _Unloaded):
            raise _Failed("earlier module failed",
                          f"module of line {inst.line} failed: {inst.reason}")
        return inst

    def _action(self, action: Any) -> list[Value]:
        """Perform an action (``invoke`` or ``get``) and return its results."""
        if not isinstance(action, dict) or not isinstance(action.get("field"), str):
            raise _Failed("script error", f"malformed action {action!r}")
        kind, field = action.get("type"), action["field"]
        if kind == "invoke":
            try:
                args = [parse_value(a) for a in action.get("args", [])]
            except ScriptError as e:
                raise _Failed("script error", str(e)) from None
        elif kind != "get":
            raise _Failed("script error", f"unsupported action {kind!r}")
        ext = self.api.instance_export(self._instance(action.get("module")), field)
        if kind == "get":
            if ext.kind != "global":
                raise _Failed("script error", f"export {field!r} is not a global")
            return [self.api.global_read(self.store, ext.addr)]
        if ext.kind != "func":
            raise _Failed("script error", f"export {field!r} is not a function")
        results: list[Value] = self.api.func_invoke(self.store, ext.addr, args)
        return results


_HANDLERS: dict[str, Any] = {
    "module": ScriptRunner._module,
    "register": ScriptRunner._register,
    "action": ScriptRunner._action_command,
    "assert_return": ScriptRunner._assert_return,
    "assert_trap": ScriptRunner._assert_trap,
    "assert_exhaustion": ScriptRunner._assert_exhaustion,
    "assert_malformed": ScriptRunner._assert_malformed,
    "assert_invalid": ScriptRunner._assert_invalid,
    "assert_unlinkable": ScriptRunner._assert_unlinkable,
    "assert_uninstantiable": ScriptRunner._assert_uninstantiable,
}


def run_script(path: Path, name: str | None = None, api: ModuleType | None = None,
               limits: EngineLimits | None = None,
               progress: Callable[[int, int], None] | None = None) -> FileResult:
    """Run the script at ``path`` and return the outcome of every command: a ``wast2json``
    JSON script (module files are looked up next to it) or a ``.wast`` text script
    (WASM-TEXT-SCRIPT-1, read by `supervm_ref.wasm.text.script.read_script`). Never raises
    (but lets KeyboardInterrupt through): an unreadable or malformed script or a failure to
    set up the store is one failed command of kind "script".
    ``progress(done, total)`` is called before each command."""
    name = name if name is not None else path.stem
    try:
        if path.suffix == ".wast":
            commands: Any = read_script(path)
        else:
            with open(path, encoding="utf-8") as f:
                commands = json.load(f)["commands"]
        if not isinstance(commands, list):
            raise ScriptError("'commands' is not a list")
        runner = ScriptRunner(path.parent, api, limits)
    except Exception as e:  # report, never crash
        cause, detail = describe_error(e)
        return FileResult(name, (CommandResult(0, "script", EXECUTION, FAILED,
                                               "script error", f"{cause}: {detail}"),))
    results = []
    for done, cmd in enumerate(commands):
        if progress:
            progress(done, len(commands))
        results.append(runner.run_command(cmd))
    return FileResult(name, tuple(results))


def find_scripts(directory: Path, names: list[str] | None = None) -> list[tuple[str, Path]]:
    """The scripts of a suite directory, sorted by name; restricted to ``names`` when given
    (unknown names are skipped; the caller checks). A directory holding ``NAME.wast`` files is
    a folder of text scripts (WASM-TEXT-SCRIPT-4); otherwise each subfolder ``NAME`` holding
    ``NAME.json`` is a wast2json script."""
    found: list[tuple[str, Path]] = []
    wast = sorted(p for p in directory.glob("*.wast") if p.is_file())
    if wast:
        return [(p.stem, p) for p in wast if names is None or p.stem in names]
    for sub in sorted(directory.iterdir(), key=lambda p: p.name):
        script = sub / f"{sub.name}.json"
        if sub.is_dir() and script.is_file() and (names is None or sub.name in names):
            found.append((sub.name, script))
    return found
