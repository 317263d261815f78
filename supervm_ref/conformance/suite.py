"""Call fixtures derived from the official WebAssembly test suite (spec/conformance.md,
CONF-SUITE-1..6).

The suite's scripts (``wast2json`` output, read as in `supervm_ref.wasm.script`) are sequences
of modules and commands on them. Every module a contract can be (CONF-SUITE-2) becomes one
call fixture whose transactions are the script's ``assert_return``, ``assert_trap``,
``assert_exhaustion`` and ``action`` commands on that module, each a call of the exported
function with the command's arguments (CONF-SUITE-3). Filling records what the reference
runtime does -- results bit for bit, the error kind, the gas -- so a backend is checked on the
suite's edge cases with SuperVM's gas and error kinds, not only on the script's semantics.

Deriving cross-checks the engine against the suite (CONF-SUITE-4): each transaction is a fresh
call of `Runtime.call` whose outcome must satisfy the command's assertion; on a module with
state, every command also runs on the script's own instance (state carried from command to
command, as a script runner does), whose outcome must satisfy it too. A call starts from a
fresh instance, so a command that the script runs on an instance its earlier commands changed
may legitimately have another outcome as a call: such a command is left out (state-dependent).
Any other disagreement raises `SuiteMismatch`.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import wasm as E
from ..runtime.errors import ErrorKind, PreExecutionFailure, error_kind_of_trap
from ..runtime.runtime import CallResult, Runtime
from ..runtime.storage import MemoryStorage
from ..wasm import ModuleInst, Store, Trap, TrapKind, Value, WasmError
from ..wasm.script.values import (
    Either,
    Expected,
    NanPattern,
    NonNullRef,
    ScriptError,
    format_expected,
    format_value,
    matches,
    parse_expected,
    parse_value,
)
from .filler import Case, Env, FillerError, Tx
from .formats.call import PRINTABLE

#: CONF-SUITE-1: the environment variable naming the folder that holds ``wasm-testsuite/``.
EXTERNAL_ENV = "SUPERVM_EXTERNAL"
#: CONF-SUITE-1: the suite's folder inside the external folder.
SUITE_FOLDER = "wasm-testsuite"

#: CONF-SUITE-3: the script commands that become transactions.
CALL_COMMANDS = ("assert_return", "assert_trap", "assert_exhaustion", "action")


class SuiteMismatch(FillerError):
    """CONF-SUITE-4: the engine or the runtime disagrees with an assertion of the suite (a
    finding, never papered over). The message names the script line, what the suite expects
    and what happened."""


# --- Finding the suite -------------------------------------------------------------------------


def external_candidates(root: Path, folder: str) -> list[Path]:
    """CONF-SUITE-1: where an external ``folder`` (data we did not write) is looked for, in
    order: ``$SUPERVM_EXTERNAL``, else ``shared/external`` beside the repository root, then
    beside the checkout holding this package (a copy of the repository elsewhere still finds
    the data of its checkout)."""
    env = os.environ.get(EXTERNAL_ENV)
    if env:
        return [Path(env) / folder]
    beside_package = Path(__file__).resolve().parents[2].parent
    return list(dict.fromkeys([root.resolve().parent / "shared" / "external" / folder,
                               beside_package / "shared" / "external" / folder]))


def suite_candidates(root: Path) -> list[Path]:
    """CONF-SUITE-1: where the suite is looked for (`external_candidates`)."""
    return external_candidates(root, SUITE_FOLDER)


def find_snarkjs(root: Path) -> Path:
    """ZK-EXT-1: the folder of snarkjs proofs (``snarkjs-groth16``), looked for as the suite
    is; `FillerError` naming the places looked at when there is none."""
    candidates = external_candidates(root, "snarkjs-groth16")
    for folder in candidates:
        if (folder / "verification_key.json").is_file():
            return folder
    raise FillerError(f"the snarkjs vectors are not at {', '.join(map(str, candidates))}; "
                      f"set {EXTERNAL_ENV}")


def find_suite(root: Path) -> Path:
    """CONF-SUITE-1: the suite's folder (with ``json/`` and ``wast/``); `FillerError` naming
    the places looked at when there is none."""
    candidates = suite_candidates(root)
    for path in candidates:
        if (path / "json").is_dir() and (path / "wast").is_dir():
            return path
    raise FillerError(f"the official WebAssembly suite is not at {', '.join(map(str, candidates))}"
                      f" (a folder with json/ and wast/); set {EXTERNAL_ENV}")


def suite_version(suite: Path) -> str:
    """CONF-SUITE-1: the first line of the suite's ``SOURCE`` file, which names the upstream
    commit (``WebAssembly/testsuite commit 3a04b2c (...)``); `FillerError` when unreadable."""
    try:
        return (suite / "SOURCE").read_text(encoding="utf-8").splitlines()[0].strip()
    except (OSError, UnicodeDecodeError, IndexError) as e:
        raise FillerError(f"cannot read the suite's version from {suite / 'SOURCE'}: {e}") from e


def check_suite_version(suite: Path, expected: str) -> None:
    """CONF-SUITE-1: fixtures are derived from one version of the suite; `FillerError` when
    the suite's ``SOURCE`` does not start with ``expected``."""
    version = suite_version(suite)
    if not version.startswith(expected):
        raise FillerError(f"the fixtures are derived from {expected}; the suite at {suite} is "
                          f"{version!r}")


# --- Reading a script --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SuiteCommand:
    """CONF-SUITE-3: one command of a script that invokes a function of a module. ``kind`` is
    one of `CALL_COMMANDS`; ``expected`` the results an ``assert_return`` expects (None for the
    other kinds); ``trap`` the error kind the trap text of an ``assert_trap`` or
    ``assert_exhaustion`` names. ``unfit`` says why no transaction can carry the command ("" if
    one can); ``invokes`` is False for an action that reads a global instead of calling."""

    line: int
    kind: str
    function: str
    args: tuple[Value, ...]
    expected: tuple[Expected, ...] | None = None
    trap: ErrorKind | None = None
    unfit: str = ""
    invokes: bool = True


@dataclass(frozen=True, slots=True)
class SuiteModule:
    """A binary module of a script and the commands that invoke it, in script order.
    ``script`` is the ``.wast`` file name, ``line`` the line of the ``module`` command,
    ``filename`` its ``.wasm`` file. ``registered`` is the line of the first ``register``
    command that makes the module's exports importable by the script's other modules (0 if
    none): from there on, their instantiation and calls may change it."""

    script: str
    line: int
    filename: str
    wasm: bytes
    commands: tuple[SuiteCommand, ...]
    registered: int = 0

    @property
    def source(self) -> str:
        """CONF-SUITE-5: ``"<script>:<line>"`` of the module."""
        return f"{self.script}:{self.line}"


def trap_error_kind(text: str) -> ErrorKind:
    """CONF-SUITE-4: the error kind a trap text of the suite names (RT-ERR-1): the trap kind
    whose message (spec/wasm.md WASM-ERR-5) is the text or a prefix of it (the suite words
    some traps with a suffix, e.g. ``uninitialized element 2``). `ScriptError` otherwise."""
    for kind in TrapKind:
        if text == kind.value or text.startswith(kind.value + " "):
            return ErrorKind[kind.name]
    raise ScriptError(f"no trap kind has the text {text!r}")


def _has_fixture_form(value: Value | Expected) -> bool:
    """CONF-ENC-3: numbers and null references have a fixture form; non-null references and
    the results patterns that stand for them do not."""
    if isinstance(value, Either):
        return all(_has_fixture_form(a) for a in value.alternatives)
    if isinstance(value, NonNullRef):
        return False
    if isinstance(value, NanPattern):
        return True
    return value.type.is_num or value.payload is None


def _command(cmd: dict[str, Any]) -> SuiteCommand:
    """A script command of one of `CALL_COMMANDS` as a `SuiteCommand` (`ScriptError` if it is
    not well formed)."""
    action = cmd.get("action")
    if not isinstance(action, dict) or not isinstance(action.get("field"), str):
        raise ScriptError(f"malformed action {action!r}")
    line, kind, field_name = cmd["line"], cmd["type"], action["field"]
    if action.get("type") != "invoke":
        return SuiteCommand(line, kind, field_name, (), unfit="reads a global, not a call",
                            invokes=False)
    args = tuple(parse_value(a) for a in action.get("args", []))
    expected = (tuple(parse_expected(e) for e in cmd.get("expected", []))
                if kind == "assert_return" else None)
    trap = None
    if kind == "assert_trap":
        trap = trap_error_kind(str(cmd.get("text", "")))
    elif kind == "assert_exhaustion":
        trap = ErrorKind.CALL_STACK_EXHAUSTED
    unfit = ""
    if not all(_has_fixture_form(v) for v in (*args, *(expected or ()))):
        unfit = "a non-null reference has no fixture form (CONF-ENC-3)"
    elif PRINTABLE.fullmatch(field_name) is None:
        unfit = "a function name that is not printable ASCII has no fixture form (CONF-FIX-3)"
    return SuiteCommand(line, kind, field_name, args, expected, trap, unfit)


def read_script(path: Path) -> list[SuiteModule]:
    """CONF-SUITE-2/3: the binary modules of the ``wast2json`` script at ``path`` (module files
    next to it), each with the commands of `CALL_COMMANDS` that invoke it: the current module,
    or the named one an action gives. Commands on modules in the text format, and every other
    kind of command (``assert_invalid``, ``register``, ...), are not read. `ScriptError` for a
    script this cannot read."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        commands = data["commands"]
        script = Path(str(data["source_filename"])).name
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ScriptError(f"{path}: not a wast2json script ({type(e).__name__}: {e})") from e
    modules: list[tuple[dict[str, Any], list[SuiteCommand]]] = []
    current: int | None = None
    named: dict[str, int | None] = {}
    registered: dict[int, int] = {}
    for cmd in commands:
        kind = cmd.get("type")
        if kind == "register":
            name = cmd.get("name")
            target = current if name is None else named.get(name)
            if target is not None:
                registered.setdefault(target, cmd["line"])
        elif kind == "module":
            binary = cmd.get("module_type", "binary") == "binary" \
                and str(cmd.get("filename", "")).endswith(".wasm")
            current = len(modules) if binary else None
            if binary:
                modules.append((cmd, []))
            if isinstance(cmd.get("name"), str):
                named[cmd["name"]] = current
        elif kind in CALL_COMMANDS:
            action = cmd.get("action")
            target_name = action.get("module") if isinstance(action, dict) else None
            target = current if target_name is None else named.get(target_name)
            if target is not None:
                try:
                    modules[target][1].append(_command(cmd))
                except ScriptError as e:
                    raise ScriptError(f"{script}:{cmd.get('line')}: {e}") from e
    out: list[SuiteModule] = []
    for i, (cmd, calls) in enumerate(modules):
        filename = str(cmd["filename"])
        try:
            wasm = (path.parent / filename).read_bytes()
        except OSError as e:
            raise ScriptError(f"{script}:{cmd['line']}: cannot read {filename}: {e}") from e
        out.append(SuiteModule(script, cmd["line"], filename, wasm, tuple(calls),
                               registered.get(i, 0)))
    return out


# --- Checking an outcome against the suite -----------------------------------------------------


def _shown_results(values: Sequence[Value]) -> str:
    return "[" + ", ".join(format_value(v) for v in values) + "]"


def invocation(command: SuiteCommand) -> str:
    """``function(arg, ...)`` of ``command``, for messages."""
    return f"{command.function}({', '.join(format_value(a) for a in command.args)})"


def expectation(command: SuiteCommand) -> str:
    """What the suite expects of ``command``, for messages."""
    if command.trap is not None:
        return command.trap.value
    if command.expected is None:
        return "no trap"
    return "[" + ", ".join(format_expected(e) for e in command.expected) + "]"


def disagreement(command: SuiteCommand, error: ErrorKind | None,
                 results: Sequence[Value]) -> str:
    """CONF-SUITE-4: "" when an outcome (an error kind, or None and the results) satisfies the
    command's assertion, else what differs: ``assert_return`` needs success and results
    matching the expected values and NaN patterns (`supervm_ref.wasm.script.values.matches`);
    ``assert_trap`` and ``assert_exhaustion`` need the error kind their text names; an
    ``action`` needs success."""
    got = error.value if error is not None else _shown_results(results)
    if command.trap is not None:
        return "" if error is command.trap else f"expected {command.trap.value}, got {got}"
    if error is not None:
        return f"expected {expectation(command)}, got {got}"
    expected = command.expected
    if expected is not None and (len(expected) != len(results) or not all(
            matches(e, v) for e, v in zip(expected, results, strict=True))):
        return f"expected {expectation(command)}, got {got}"
    return ""


# --- The script's own instance -----------------------------------------------------------------


def _state(store: Store, inst: ModuleInst) -> tuple[Any, ...]:
    """Everything of an instance that a function can change: memories, tables, mutable
    globals, element and data segments (dropped ones are empty)."""
    return (tuple(bytes(store.mems[a].data) for a in inst.memaddrs),
            tuple(tuple(store.tables[a].elem) for a in inst.tableaddrs),
            tuple(store.globals[a].value for a in inst.globaladdrs
                  if store.globals[a].type.mutable),
            tuple(tuple(store.elems[a].elem) for a in inst.elemaddrs),
            tuple(store.datas[a].data for a in inst.dataaddrs))


class ScriptInstance:
    """A module instantiated once, on which commands run in script order as the suite's
    runner runs them: with no gas limit, each seeing what the earlier ones left. `changed`
    tells whether the instance still is as instantiated; `has_state` whether it has anything
    a function could change at all."""

    def __init__(self, wasm: bytes) -> None:
        self.store = E.store_init()
        self.instance = E.module_instantiate(self.store, E.module_decode(wasm), [])
        self._initial = _state(self.store, self.instance)
        self.has_state = any(self._initial)

    def changed(self) -> bool:
        """Whether a command changed the instance's state since it was instantiated."""
        return self.has_state and _state(self.store, self.instance) != self._initial

    def run(self, command: SuiteCommand) -> tuple[ErrorKind | None, list[Value]]:
        """Invoke ``command``'s function; the outcome as a call reports it: an error kind (a
        trap), or None and the results. `ScriptError` if the engine cannot invoke it."""
        try:
            addr = E.instance_export(self.instance, command.function).addr
            return None, E.func_invoke(self.store, addr, list(command.args))
        except Trap as t:
            return error_kind_of_trap(t), []
        except WasmError as e:  # no such export, arguments of the wrong type
            raise ScriptError(f"the engine cannot invoke {command.function!r}: {e}") from e


# --- Deriving transactions ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DerivedModule:
    """CONF-SUITE-3: the commands of a module kept as transactions, with their outcome on the
    reference runtime, and the commands left out with the reason (CONF-SUITE-6)."""

    module: SuiteModule
    kept: list[tuple[SuiteCommand, CallResult]] = field(default_factory=list)
    left_out: list[tuple[SuiteCommand, str]] = field(default_factory=list)


def contract_problem(wasm: bytes) -> str:
    """CONF-SUITE-2: "" when ``wasm`` is a contract that needs nothing but the call (RT-CALL-1
    steps 1-2 accept it -- it decodes and validates within the engine limits and has no start
    function -- and it imports nothing), else why not."""
    try:
        prepared = Runtime(MemoryStorage()).prepare(wasm)
    except PreExecutionFailure as f:
        return f"{f.error.value}: {f}"
    if prepared.imports:  # a script has no host ABI to give it
        return "it imports host functions"
    return ""


#: Chooses the commands that become transactions (CONF-SUITE-6): True to keep.
Selector = Callable[[SuiteCommand], bool]


def derive(module: SuiteModule, gas_limit: int, select: Selector | None = None
           ) -> DerivedModule:
    """CONF-SUITE-3/4: derive the transactions of ``module``: each selected command that a
    call can carry runs as a call on a fresh `Runtime` with ``gas_limit`` and is kept when its
    outcome satisfies the command's assertion. On a module with state, every command also
    runs, in order, on the script's instance (`ScriptInstance`); without state, that run would
    only repeat the call (and a command not taken changes nothing). Raises `SuiteMismatch`
    when the script instance's outcome does not satisfy a command's assertion, or the call's
    does not although the script instance was unchanged before the command; a call that
    disagrees after the instance was changed is left out as state-dependent. The module must
    be a contract (`contract_problem`)."""
    problem = contract_problem(module.wasm)
    if problem:
        raise FillerError(f"{module.source}: not a contract: {problem}")
    script = ScriptInstance(module.wasm)
    runtime = Runtime(MemoryStorage())
    derived = DerivedModule(module)
    for command in module.commands:
        where = f"{module.script}:{command.line}"
        if not command.invokes:
            derived.left_out.append((command, command.unfit))
            continue
        if module.registered and command.line > module.registered:
            derived.left_out.append((command, f"shared: registered for import by other "
                                              f"modules at line {module.registered}"))
            continue
        taken = not command.unfit and (select is None or select(command))
        changed = script.changed()
        if script.has_state:
            _check_on_script(script, command, where)
        if not taken:
            derived.left_out.append((command, command.unfit or "not selected"))
            continue
        result = runtime.call(module.wasm, command.function, list(command.args),
                              gas_limit=gas_limit)
        differs = disagreement(command, result.error, result.results)
        if not differs:
            derived.kept.append((command, result))
        elif changed:
            derived.left_out.append((command, f"state-dependent: the script's instance was "
                                              f"changed by earlier commands ({differs} as a "
                                              f"fresh call)"))
        else:
            if not script.has_state:  # the engine's own outcome, to say which one disagrees
                _check_on_script(script, command, where)
            raise SuiteMismatch(f"{where}: the runtime disagrees with the suite on "
                                f"{invocation(command)}: {differs}"
                                f"{' (' + result.message + ')' if result.message else ''}")
    return derived


def _check_on_script(script: ScriptInstance, command: SuiteCommand, where: str) -> None:
    """CONF-SUITE-4 step 1: run ``command`` on the script's instance; `SuiteMismatch` unless
    its outcome satisfies the assertion."""
    try:
        error, results = script.run(command)
    except ScriptError as e:
        raise SuiteMismatch(f"{where}: {e}") from e
    differs = disagreement(command, error, results)
    if differs:
        raise SuiteMismatch(f"{where}: the engine disagrees with the suite on "
                            f"{invocation(command)}: {differs}")


# --- Cases -------------------------------------------------------------------------------------

#: CONF-SUITE-3: the name of the contract in a derived fixture's ``pre.code``.
CONTRACT = "module"


def case_name(area: str, module: SuiteModule) -> str:
    """CONF-SUITE-5: ``"<area>/<script>-<line>"``, the script without ``.wast``."""
    return f"{area}/{module.script.removesuffix('.wast')}-{module.line}"


def suite_case(area: str, derived: DerivedModule, rules: list[str], topic: str,
               version: str, env: Env) -> Case:
    """CONF-SUITE-3/5: the call case of a derived module: one transaction per kept command,
    in script order, each with its command's source; the case's source is the module's. The
    description names the module, the suite's version, the topic and how many commands were
    kept and left out (CONF-SUITE-6)."""
    module = derived.module
    left = Counter(reason.split(":")[0] for _, reason in derived.left_out)
    left_text = ", ".join(f"{n} {reason}" for reason, n in sorted(left.items()))
    description = (f"{module.source} ({module.filename}) of the official WebAssembly suite "
                   f"({version}): {topic}; {len(derived.kept)} of {len(module.commands)} "
                   f"commands on the module as calls"
                   + (f" (left out: {left_text})" if left_text else ""))
    txs = [Tx(CONTRACT, command.function, list(command.args),
              source=f"{module.script}:{command.line}") for command, _ in derived.kept]
    return Case(case_name(area, module), description, rules, {CONTRACT: module.wasm},
                env=env, txs=txs, source=module.source)


# --- Selection ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SuiteScript:
    """CONF-SUITE-6: a script of the suite (its folder name under ``json/``) and what to take
    from it: ``select`` chooses commands (None: all); ``gas_limit`` is every transaction's;
    ``topic`` and ``rules`` go into each case's description and rules."""

    name: str
    topic: str
    rules: list[str]
    select: Selector | None = None
    gas_limit: int = 1_000_000


def corner_pairs(corners: set[int]) -> Selector:
    """CONF-SUITE-6: keep every command with fewer than two arguments, and a command with two
    or more only when every argument's bit pattern is one of ``corners``."""
    def select(command: SuiteCommand) -> bool:
        return len(command.args) < 2 or all(a.payload in corners for a in command.args)
    return select


def suite_cases(area: str, scripts: Sequence[SuiteScript], suite: Path, version: str
                ) -> list[Case]:
    """CONF-SUITE-2..6: one case per module of ``scripts`` that some command invokes, in
    script order; each such module must be a contract, and a module none of whose commands is
    kept gives no case. ``version`` is the suite's, as `check_suite_version` requires it."""
    out: list[Case] = []
    for script in scripts:
        for module in read_script(suite / "json" / script.name / f"{script.name}.json"):
            if not module.commands:
                continue
            derived = derive(module, script.gas_limit, script.select)
            if derived.kept:
                out.append(suite_case(area, derived, script.rules, script.topic, version,
                                      Env(gas_limit=script.gas_limit)))
    return out
