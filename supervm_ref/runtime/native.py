"""Native code under a suspendable body (spec/runtime.md, RT-BACKEND-3).

A backend whose calls run native code that keeps per-thread state while suspended inside a host
function (``Runtime.native_stack``: wasmtime keeps each OS thread's chain of active calls in
thread-local state) must not run on a stack that a scheduler may suspend and interleave with
another on the same thread -- a greenlet of Block-STM's executor (spec/scheduling.md,
SCHED-VM-1). `Runtime.call` of such a backend calls `before_native_call` first; whoever runs
suspendable stacks registers a *guard* that raises its own control signal (a
``BaseException``) when the current stack is one of them, so the body is moved to an OS thread
of its own before any native frame exists. The runtime knows nothing of schedulers.
"""

from __future__ import annotations

from collections.abc import Callable

#: RT-BACKEND-3: the registered guards, called in order before native code runs.
_GUARDS: list[Callable[[], None]] = []


def register_native_guard(guard: Callable[[], None]) -> None:
    """RT-BACKEND-3: call ``guard`` before every call of a native-stack backend (once per
    guard, whatever the number of registrations)."""
    if guard not in _GUARDS:
        _GUARDS.append(guard)


def before_native_call() -> None:
    """RT-BACKEND-3: run every guard; one raises if native code may not run here."""
    for guard in _GUARDS:
        guard()
