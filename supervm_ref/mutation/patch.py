"""Putting one deliberate bug into the package (spec/mutation.md, MUT-CAT-2).

A mutant names its *target* as ``"module:Qualified.name"`` (a module-level function or
constant, a method or class attribute) and says how to change it:

- `Source`: an edit of the target function's source text -- ``old`` (which must occur exactly
  once) becomes ``new`` -- compiled again in the function's own module;
- `Wrap`: the target function replaced by ``make(original)``, a small function written in the
  catalogue that may call a copy of the original;
- `Constant`: the target attribute set to another value.

A function is changed *in place*: its ``__code__`` is replaced, so every reference to the
function object sees the bug -- the dispatch tables built at import time (the engine's
instruction definitions), names imported with ``from x import f``, bound methods. A constant
is set on its module or class only, so a constant copied into another module by ``from x
import NAME`` is targeted where it is used.

`install` returns an `Installed` handle whose `Installed.restore` undoes the change; `check`
installs and restores, so a target that a refactor renamed or rewrote is reported at once
(`MutantNotApplicable`) instead of silently leaving the code unchanged.
"""

from __future__ import annotations
import __future__

import builtins
import dis
import importlib
import inspect
import textwrap
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import SuperVMError


class MutationError(SuperVMError):
    """MUT-CAT-2, MUT-RUN-*: an error of the mutation tool (never of the code under test)."""


class MutantNotApplicable(MutationError):
    """MUT-CAT-2: a mutant cannot be installed: its target is missing, is not what the patch
    needs, or the patch would not change it. ``mutant_id`` names the mutant."""

    def __init__(self, mutant_id: str, problem: str) -> None:
        super().__init__(f"mutant {mutant_id}: {problem}")
        self.mutant_id = mutant_id


@dataclass(frozen=True, slots=True)
class Source:
    """Edit the target function's source: the one occurrence of ``old`` becomes ``new``."""

    old: str
    new: str


@dataclass(frozen=True, slots=True)
class Wrap:
    """Replace the target function by ``make(original)``; ``original`` is an unchanged copy."""

    make: Callable[[Callable[..., Any]], Callable[..., Any]]


@dataclass(frozen=True, slots=True)
class Constant:
    """Set the target attribute (a module constant or class attribute) to ``value``."""

    value: object


Patch = Source | Wrap | Constant


@dataclass(slots=True)
class Installed:
    """A mutant in effect; `restore` puts the original back (once)."""

    undo: Callable[[], None]
    restored: bool = False

    def restore(self) -> None:
        """Undo the change."""
        if not self.restored:
            self.undo()
            self.restored = True


def resolve(target: str, mutant_id: str = "?") -> tuple[Any, str]:
    """The object holding the target (its module, or the class of a method) and the
    attribute's name; `MutantNotApplicable` when either does not exist."""
    module_name, sep, qualname = target.partition(":")
    if not sep or not module_name or not qualname:
        raise MutantNotApplicable(mutant_id, f"target {target!r} is not 'module:name'")
    try:
        owner: Any = importlib.import_module(module_name)
    except ImportError as e:
        raise MutantNotApplicable(mutant_id, f"cannot import {module_name}: {e}") from None
    *path, name = qualname.split(".")
    for part in path:
        if not hasattr(owner, part):
            raise MutantNotApplicable(mutant_id, f"{module_name} has no {'.'.join(path)}")
        owner = getattr(owner, part)
    if not hasattr(owner, name):
        raise MutantNotApplicable(mutant_id, f"{module_name} has no {qualname}")
    return owner, name


def target_function(owner: Any, name: str, mutant_id: str = "?") -> types.FunctionType:
    """The plain function behind the attribute (unwrapping a static or class method and a
    property's getter); `MutantNotApplicable` if it is not a Python function."""
    raw = inspect.getattr_static(owner, name)
    if isinstance(raw, staticmethod | classmethod):
        raw = raw.__func__
    elif isinstance(raw, property):
        raw = raw.fget
    if not isinstance(raw, types.FunctionType):
        raise MutantNotApplicable(mutant_id, f"{name} is a {type(raw).__name__}, not a "
                                             "Python function")
    return raw


_ANNOTATIONS = __future__.annotations.compiler_flag


def _definition_source(func: types.FunctionType) -> tuple[str, int]:
    """The ``def`` of ``func`` as the file has it (indented as there), without its
    decorators, and its first line number."""
    lines, first = inspect.getsourcelines(func)
    start = next(i for i, line in enumerate(lines)
                 if line.lstrip().startswith(("def ", "async def ")))
    return "".join(lines[start:]), first + start


def mutated_code(func: types.FunctionType, owner: Any, patch: Source,
                 mutant_id: str = "?") -> types.CodeType:
    """The code of ``func`` with ``patch`` applied to its source as the file has it (so
    ``old`` and ``new`` are written with the file's indentation): the edited definition
    compiled in a copy of the function's module namespace (inside a class of the same name
    for a method, so private names are mangled alike)."""
    try:
        source, first_line = _definition_source(func)
    except (OSError, TypeError, StopIteration) as e:
        raise MutantNotApplicable(mutant_id, f"no source for {func.__qualname__}: {e}"
                                  ) from None
    found = source.count(patch.old)
    if found != 1:
        raise MutantNotApplicable(mutant_id, f"{func.__qualname__}: expected {patch.old!r} "
                                             f"exactly once in its source, found it {found} "
                                             "time(s)")
    edited = textwrap.dedent(source.replace(patch.old, patch.new))
    in_class = inspect.isclass(owner)
    if in_class:
        edited = f"class {owner.__name__}:\n" + textwrap.indent(edited, "    ")
        first_line -= 1
    padded = "\n" * max(first_line - 1, 0) + edited  # tracebacks show the real line numbers
    filename = inspect.getsourcefile(func) or "<mutant>"
    try:
        code = compile(padded, filename, "exec", flags=_ANNOTATIONS, dont_inherit=True)
    except SyntaxError as e:
        raise MutantNotApplicable(mutant_id, f"the edited source does not compile: {e}"
                                  ) from None
    namespace = dict(func.__globals__)
    exec(code, namespace)
    if in_class:
        new = target_function(namespace[owner.__name__], func.__name__, mutant_id)
    else:
        new = namespace[func.__name__]
    if new.__code__.co_freevars != func.__code__.co_freevars:
        raise MutantNotApplicable(mutant_id, f"{func.__qualname__}: the edited function "
                                             "closes over other variables")
    unknown = sorted(n for n in _globals_used(new.__code__)
                     if n not in func.__globals__ and not hasattr(builtins, n))
    if unknown:  # the mutant would fail with NameError, not with the bug it describes
        raise MutantNotApplicable(mutant_id, f"{func.__qualname__}: the edited source uses "
                                             f"undefined names {unknown}")
    return new.__code__


def _globals_used(code: types.CodeType) -> set[str]:
    """The global names ``code`` (and the code nested in it) loads."""
    names = {i.argval for i in dis.get_instructions(code)
             if i.opname in ("LOAD_GLOBAL", "LOAD_NAME")}
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _globals_used(const)
    return names


def _install_code(func: types.FunctionType, code: types.CodeType) -> Installed:
    original = func.__code__

    def undo() -> None:
        func.__code__ = original

    func.__code__ = code
    return Installed(undo)


def _install_wrap(func: types.FunctionType, patch: Wrap, mutant_id: str) -> Installed:
    """Route every call of ``func`` to ``patch.make(copy of func)`` through a trampoline
    stored in the function's module namespace."""
    if func.__closure__:
        raise MutantNotApplicable(mutant_id, f"{func.__qualname__} is a closure; use Source")
    copy = types.FunctionType(func.__code__, func.__globals__, func.__name__,
                              func.__defaults__, func.__closure__)
    copy.__kwdefaults__ = func.__kwdefaults__
    replacement = patch.make(copy)
    slot = f"_supervm_mutant_{id(func):x}"
    namespace: dict[str, Any] = {}
    exec(f"def trampoline(*args, **kwargs):\n    return {slot}(*args, **kwargs)\n", namespace)
    func.__globals__[slot] = replacement
    installed = _install_code(func, namespace["trampoline"].__code__)
    undo_code = installed.undo

    def undo() -> None:
        undo_code()
        func.__globals__.pop(slot, None)

    return Installed(undo)


def install(mutant_id: str, target: str, patch: Patch) -> Installed:
    """MUT-CAT-2: put the mutant into the running interpreter; `MutantNotApplicable` when it
    cannot be (nothing is changed then)."""
    owner, name = resolve(target, mutant_id)
    if isinstance(patch, Constant):
        before = getattr(owner, name)
        if type(before) is type(patch.value) and before == patch.value:
            raise MutantNotApplicable(mutant_id, f"{target} is already {patch.value!r}")
        setattr(owner, name, patch.value)
        return Installed(lambda: setattr(owner, name, before))
    func = target_function(owner, name, mutant_id)
    if isinstance(patch, Wrap):
        return _install_wrap(func, patch, mutant_id)
    if patch.old == patch.new:
        raise MutantNotApplicable(mutant_id, "the edit changes nothing")
    return _install_code(func, mutated_code(func, owner, patch, mutant_id))
