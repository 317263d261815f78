"""A transaction body suspended at each outside access (spec/scheduling.md, SCHED-VM-1).

Block-STM runs a body once per incarnation, yet every read of the multi-version memory must be a
step of its own, so that other workers can act between two reads (SCHED-WORKER-2). A body is an
ordinary Python function -- a contract call runs inside the WebAssembly engine, several frames
below the read -- so it cannot ``yield``. It therefore runs as a *coroutine* on a stack of its
own: when it asks for an outside access, the coroutine suspends and hands the request to the
worker; the worker performs it as one step and resumes the body with the answer. Nothing in the
body or the engine knows about this.

Two ways to give a body its own stack, with one interface (`BodyCoroutine`):

- `GreenletCoroutine` (the default): a greenlet on the worker's own thread; switching costs
  well under a microsecond.
- `ThreadCoroutine`: a thread of its own, handing control back and forth so that only one of
  the two runs at a time (deterministic). For bodies that run native code keeping per-thread
  state across a suspension -- wasmtime's activation records are per OS thread, so two wasmtime
  calls suspended on one thread and resumed out of order corrupt it. A transaction asks for it
  with ``Transaction(own_thread=True)`` (SCHED-TXN-4); `contract_transaction` does so for a
  runtime whose ``native_stack`` is true.

An abandoned execution (it met an ESTIMATE, SCHED-VM-2) is unwound by raising
`ExecutionAbandoned` -- a ``BaseException``, so a body's ``except Exception`` does not catch it
-- at the suspended access; any further access it makes while unwinding (a read in a
``finally:`` block) raises it again at once.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from greenlet import error as greenlet_error
from greenlet import greenlet

from ..runtime.native import register_native_guard
from .errors import InvariantViolated

#: ``ask(request) -> answer``: what a body's view calls for an outside access.
Ask = Callable[[Any], Any]
#: The function a coroutine runs: given ``ask``, it runs the body and returns its outcome.
BodyRun = Callable[[Ask], Any]


class ExecutionAbandoned(BaseException):
    """Control signal raised inside a suspended body whose execution is abandoned (SCHED-VM-2).
    A ``BaseException``, so that a body's ``except Exception`` lets it through."""


@dataclass(frozen=True)
class Finished:
    """The body returned: ``outcome`` is what the run function returned."""

    outcome: Any


@dataclass(frozen=True)
class Raise:
    """An answer that makes the suspended access raise ``exception`` inside the body."""

    exception: BaseException


class BodyCoroutine(Protocol):
    """SCHED-VM-1: a body run suspended at each outside access. `start` and `send` return the
    next request (whatever the body passed to ``ask``) or `Finished`; a ``BaseException`` that
    is not an ``Exception`` raised by the body propagates out of them."""

    def start(self) -> Any:
        """Run the body until its first outside access, or its end."""
        ...

    def send(self, answer: Any) -> Any:
        """Resume the body with ``answer`` (a `Raise` makes the access raise)."""
        ...

    def abandon(self) -> None:
        """Unwind a suspended body (`ExecutionAbandoned`) and wait until it has ended."""
        ...


def _answer(value: Any) -> Any:
    """What ``ask`` returns for an answer: the value, or the `Raise`'d exception raised."""
    if isinstance(value, Raise):
        raise value.exception
    return value


#: How many idle executor greenlets a thread keeps for reuse.
MAX_IDLE_EXECUTORS = 64


class _Ended:
    """What an executor greenlet reports when a body ended without an outcome to use."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


#: The body unwound after `ExecutionAbandoned`.
ABANDONED = _Ended("ABANDONED")
#: The body met native code that may not run on a greenlet (RT-BACKEND-3): run it again on a
#: thread of its own.
NEEDS_OWN_THREAD = _Ended("NEEDS_OWN_THREAD")

_executors = threading.local()


def _executor_main(coroutine: GreenletCoroutine) -> None:
    """The loop of an executor greenlet: run one body, report how it ended to the greenlet
    that started it (its parent), wait for the next body. Creating a greenlet costs several
    times more than switching to one, so executors are reused (a named optimisation)."""
    me = greenlet.getcurrent()
    while True:
        me.supervm_coroutine = coroutine  # what `_guard_native_code` looks for
        message: object
        try:
            message = Finished(coroutine._run(coroutine._ask))
        except ExecutionAbandoned:
            message = ABANDONED
        except NeedsOwnThread:
            message = NEEDS_OWN_THREAD
        except BaseException as e:  # handed to the caller, never lost
            message = Raise(e)
        me.supervm_coroutine = None
        if coroutine.needs_own_thread:  # even if the body swallowed the signal
            message = NEEDS_OWN_THREAD
        parent = me.parent
        if parent is None:  # pragma: no cover - an executor always has a parent
            return
        coroutine = parent.switch(message)


class NeedsOwnThread(BaseException):
    """Control signal (RT-BACKEND-3): native code that keeps per-thread state is about to run
    on an executor greenlet; the body is unwound and run again on an OS thread of its own."""


def _guard_native_code() -> None:
    """RT-BACKEND-3's guard for Block-STM: raise `NeedsOwnThread` when the current stack is an
    executor greenlet running a body (anything else may run native code)."""
    coroutine = getattr(greenlet.getcurrent(), "supervm_coroutine", None)
    if coroutine is not None:
        coroutine.needs_own_thread = True
        raise NeedsOwnThread()


register_native_guard(_guard_native_code)


def _idle_executors() -> list[greenlet]:
    idle: list[greenlet] | None = getattr(_executors, "idle", None)
    if idle is None:
        idle = _executors.idle = []
    return idle


class GreenletCoroutine:
    """`BodyCoroutine` on an executor greenlet of the thread that starts it; when the body has
    ended, the executor goes back to the thread's pool. An access suspends the greenlet that
    makes it (the body's, or a greenlet nested in the body, like an inner batch's worker) and
    hands the request to the greenlet that started or last resumed the body; the answer
    resumes the greenlet that asked."""

    def __init__(self, run: BodyRun) -> None:
        self._run = run
        self._glet: greenlet | None = None
        self._caller: greenlet | None = None   # the greenlet that started or resumed the body
        self._waiting: greenlet | None = None  # the greenlet suspended in `_ask`
        self._abandoned = False
        self.needs_own_thread = False
        self.finished = False

    def _ask(self, request: Any) -> Any:
        if self._abandoned:
            raise ExecutionAbandoned()
        if self.needs_own_thread:
            raise NeedsOwnThread()
        caller = self._caller
        if caller is None:  # pragma: no cover - set by start and send
            raise ExecutionAbandoned()
        self._waiting = greenlet.getcurrent()
        return _answer(caller.switch(request))

    def _release(self) -> None:
        """The body has ended: the executor is idle again."""
        self.finished = True
        glet, self._glet = self._glet, None
        idle = _idle_executors()
        if glet is not None and not glet.dead and len(idle) < MAX_IDLE_EXECUTORS:
            idle.append(glet)

    def _settle(self, result: Any) -> Any:
        if isinstance(result, Finished) or result is NEEDS_OWN_THREAD:
            self._release()
        elif isinstance(result, Raise):
            self._release()
            raise result.exception
        elif result is ABANDONED:  # a body nested in an abandoned one: unwind that one too
            self._release()
            raise ExecutionAbandoned()
        return result

    def start(self) -> Any:
        """`BodyCoroutine.start`."""
        idle = _idle_executors()
        glet = idle.pop() if idle else greenlet(_executor_main)
        self._caller = glet.parent = greenlet.getcurrent()
        self._glet = self._waiting = glet
        return self._settle(glet.switch(self))

    def send(self, answer: Any) -> Any:
        """`BodyCoroutine.send`."""
        waiting = self._waiting
        if waiting is None or self.finished:
            raise InvariantViolated("send to a body coroutine that is not suspended")
        self._caller = greenlet.getcurrent()
        if self._glet is not None:
            self._glet.parent = self._caller
        return self._settle(waiting.switch(answer))

    def abandon(self) -> None:
        """`BodyCoroutine.abandon`."""
        self._abandoned = True
        waiting = self._waiting
        if waiting is None or self.finished or waiting.dead:
            self.finished = True
            return
        try:
            waiting.throw(ExecutionAbandoned())
        except greenlet_error:
            # From another thread than the executor's (a worker generator collected
            # elsewhere) it cannot be resumed: it is unwound when its own thread ends.
            self.finished = True
            self._glet = None
            return
        self._release()


class ThreadCoroutine:
    """`BodyCoroutine` on a thread of its own. The two sides hand control over through two
    semaphores, so exactly one of them runs at any time."""

    def __init__(self, run: BodyRun) -> None:
        self._run = run
        self._to_body = threading.Semaphore(0)
        self._to_caller = threading.Semaphore(0)
        self._inbox: Any = None      # caller -> body: an answer
        self._outbox: Any = None     # body -> caller: a request, Finished, or Raise(error)
        self._abandoned = False
        self._thread: threading.Thread | None = None
        self.finished = False

    def _main(self) -> None:
        self._to_body.acquire()
        try:
            self._outbox = Finished(self._run(self._ask))
        except BaseException as e:  # handed to the caller, never lost
            self._outbox = Raise(e)
        self._to_caller.release()

    def _ask(self, request: Any) -> Any:
        if self._abandoned:
            raise ExecutionAbandoned()
        self._outbox = request
        self._to_caller.release()
        self._to_body.acquire()
        return _answer(self._inbox)

    def _switch(self) -> Any:
        self._to_body.release()
        self._to_caller.acquire()
        out = self._outbox
        if isinstance(out, Finished | Raise):
            self.finished = True
            if self._thread is not None:
                self._thread.join()
        if isinstance(out, Raise):
            raise out.exception
        return out

    def start(self) -> Any:
        """`BodyCoroutine.start`."""
        self._thread = threading.Thread(target=self._main, name="blockstm-body", daemon=True)
        self._thread.start()
        return self._switch()

    def send(self, answer: Any) -> Any:
        """`BodyCoroutine.send`."""
        if self._thread is None or self.finished:
            raise InvariantViolated("send to a body coroutine that is not suspended")
        self._inbox = answer
        return self._switch()

    def abandon(self) -> None:
        """`BodyCoroutine.abandon`."""
        self._abandoned = True
        if self._thread is None or self.finished:
            self.finished = True
            return
        self._inbox = Raise(ExecutionAbandoned())
        with contextlib.suppress(ExecutionAbandoned):
            self._switch()


def body_coroutine(run: BodyRun, own_thread: bool) -> BodyCoroutine:
    """SCHED-VM-1: the coroutine a body runs in (`ThreadCoroutine` when ``own_thread``)."""
    return ThreadCoroutine(run) if own_thread else GreenletCoroutine(run)
