"""Step scripts for the seed's parallel execution engine (spec/scheduling.md, PAR-SCRIPT-*).

A script is data: an initial state and a list of steps, each one call of the engine's API --
`ConflictDetector` (record read/write sets; conflicts, dependencies, batches),
`StateManager` and `ParallelScheduler` (operations made of small *actions*, snapshots,
retries, statistics), `execute_in_batches`, and `WorkStealingScheduler` (tasks, priorities,
execution and error reporting). `run_script` runs one on a fresh engine and returns one
*observation* per step: what the call returned, or ``{"error": KIND}`` with the canonical
`ParallelErrorKind` when it raised. Everything an observation holds is normative (the spec
says so rule by rule); what depends on thread timing (which worker ran a task, steals with
several workers) is never observed.

Keys, values and events are UTF-8 text, as in the MVCC isolation scripts (MVCC-ISO-1), so a
script reads like the scenario it describes. Scripts are the input of the
``supervm_scheduler_test`` fixtures (spec/conformance.md): a backend in any language runs the
steps on its own engine and must report the same observations.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import SuperVMError, shown
from ..runtime.storage import MemoryStorage, Storage
from .batch_execution import execute_in_batches
from .conflict import ConflictDetector, ReadWriteSet
from .errors import ConflictError, ParallelError, RetriesExhausted, TxError, as_tx_error
from .scheduler import ParallelScheduler
from .state_manager import StateManager
from .work_stealing import Task, WorkStealingScheduler


class InvalidSchedulerScript(SuperVMError):
    """PAR-SCRIPT-1: a step script that does not follow the format; ``where`` locates the
    problem (e.g. ``steps[3].actions[1]``)."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where


def _need(cond: bool, where: str, problem: str) -> None:
    if not cond:
        raise InvalidSchedulerScript(where, problem)


def _text(value: Any, where: str) -> bytes:
    """PAR-SCRIPT-1: a key, value or event: UTF-8 text, used as its bytes."""
    _need(isinstance(value, str), where, f"expected a string, found {shown(value)}")
    try:
        return str(value).encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidSchedulerScript(where, "expected UTF-8 text, found a lone surrogate") \
            from None


def _texts(value: Any, where: str) -> list[bytes]:
    _need(isinstance(value, list), where, f"expected a list of strings, found {shown(value)}")
    return [_text(v, f"{where}[{i}]") for i, v in enumerate(value)]


def _list(value: Any, where: str, what: str = "a list") -> list[Any]:
    _need(isinstance(value, list), where, f"expected {what}, found {shown(value)}")
    return list(value)


def _int(value: Any, where: str) -> int:
    _need(not isinstance(value, bool) and isinstance(value, int), where,
          f"expected an integer, found {shown(value)}")
    return int(value)


def _ints(value: Any, where: str) -> list[int]:
    _need(isinstance(value, list), where, f"expected a list of integers, found {shown(value)}")
    return [_int(v, f"{where}[{i}]") for i, v in enumerate(value)]


def _show(data: bytes) -> str:
    return data.decode("utf-8")


def _state(storage: MemoryStorage) -> dict[str, str]:
    return {_show(k): _show(v) for k, v in storage.items()}


def _error(exc: ParallelError) -> dict[str, Any]:
    """PAR-SCRIPT-2: the observation of a call that raised: its canonical kind, and for
    `RetriesExhausted` the number of attempts."""
    out: dict[str, Any] = {"error": exc.kind.value}
    if isinstance(exc, RetriesExhausted):
        out["attempts"] = exc.attempts
    return out


# --- Operations: what an operation of the scheduler does, as data --------------------------

#: PAR-SCRIPT-3: the actions an operation is made of, and their arguments.
ACTIONS = ("read", "set", "delete", "emit", "snapshot", "commit", "rollback", "fail",
           "conflict_until", "nested")
FAIL_KINDS = ("TX_FAILED", "CONFLICT", "OTHER")


#: PAR-SCRIPT-3: how many arguments each action takes.
ACTION_ARITY = {"read": 1, "set": 2, "delete": 1, "emit": 1, "snapshot": 0, "commit": 0,
                "rollback": 0, "fail": 1, "conflict_until": 1, "nested": 1}


def check_actions(actions: Any, where: str) -> list[Any]:
    """PAR-SCRIPT-1, PAR-SCRIPT-3: ``actions`` is a list of known actions with the right number
    of arguments (nested ones too), checked before the operation runs."""
    checked = _list(actions, where, "a list of actions")
    for i, action in enumerate(checked):
        at = f"{where}[{i}]"
        _need(isinstance(action, list) and bool(action) and action[0] in ACTIONS, at,
              f"expected [name, ...] with name one of {', '.join(ACTIONS)}, "
              f"found {shown(action)}")
        _need(len(action) - 1 == ACTION_ARITY[action[0]], at,
              f"{action[0]} takes {ACTION_ARITY[action[0]]} argument(s)")
        if action[0] == "fail":
            _need(action[1] in FAIL_KINDS, at, f"fail takes one of {', '.join(FAIL_KINDS)}")
        if action[0] == "nested":
            check_actions(action[1], f"{at}[1]")
    return checked


@dataclass
class _Operation:
    """An operation of the scheduler built from actions (checked when it is made);
    ``attempts`` counts its runs."""

    script: Script
    actions: Any
    where: str
    attempts: int = 0

    def __post_init__(self) -> None:
        self.actions = check_actions(self.actions, self.where)

    def __call__(self, manager: StateManager) -> list[Any]:
        self.attempts += 1
        return self.script.run_actions(manager, self.actions, self.where, self.attempts)


class Script:
    """PAR-SCRIPT-1: one run of a step script on a fresh engine: a `ParallelScheduler` over a
    `StateManager` holding ``pre``, a `ConflictDetector`, and a `WorkStealingScheduler` made by
    the step ``ws_new``."""

    def __init__(self, pre: Mapping[str, str]) -> None:
        _need(isinstance(pre, Mapping), "pre", "expected an object of strings")
        state = {_text(k, "pre key"): _text(v, f"pre[{k!r}]") for k, v in pre.items()}
        self.manager = StateManager(state)
        self.scheduler = ParallelScheduler(self.manager)
        self.detector = ConflictDetector()
        self.work_stealing: WorkStealingScheduler | None = None

    # PAR-SCRIPT-3 ------------------------------------------------------------------------------

    def run_actions(self, manager: StateManager, actions: list[Any], where: str,
                    attempt: int) -> list[Any]:
        """PAR-SCRIPT-3: run ``actions`` on ``manager``; the operation's value is the list of
        what its ``read`` and ``nested`` actions gave, in order."""
        _need(isinstance(actions, list), where, "expected a list of actions")
        value: list[Any] = []
        storage, events = manager.get_storage(), manager.get_events()
        for i, action in enumerate(actions):
            at = f"{where}[{i}]"
            _need(isinstance(action, list) and bool(action) and action[0] in ACTIONS, at,
                  f"expected [name, ...] with name one of {', '.join(ACTIONS)}, "
                  f"found {shown(action)}")
            name, args = action[0], action[1:]
            if name == "read":
                _need(len(args) == 1, at, "read takes a key")
                found = storage.get(_text(args[0], at))
                value.append(None if found is None else _show(found))
            elif name == "set":
                _need(len(args) == 2, at, "set takes a key and a value")
                storage.set(_text(args[0], at), _text(args[1], at))
            elif name == "delete":
                _need(len(args) == 1, at, "delete takes a key")
                storage.delete(_text(args[0], at))
            elif name == "emit":
                _need(len(args) == 1, at, "emit takes an event")
                events.append(_text(args[0], at))
            elif name in ("snapshot", "commit", "rollback"):
                _need(not args, at, f"{name} takes nothing")
                {"snapshot": manager.create_snapshot, "commit": manager.commit,
                 "rollback": manager.rollback}[name]()
            elif name == "fail":
                _need(len(args) == 1 and args[0] in FAIL_KINDS, at,
                      f"fail takes one of {', '.join(FAIL_KINDS)}")
                if args[0] == "CONFLICT":
                    raise ConflictError("the operation conflicts")
                if args[0] == "TX_FAILED":
                    raise TxError("the operation fails")
                raise RuntimeError("the operation raises")
            elif name == "conflict_until":
                _need(len(args) == 1, at, "conflict_until takes an attempt number")
                if attempt <= _int(args[0], at):
                    raise ConflictError(f"conflict on attempt {attempt}")
            else:  # nested: an operation of its own, with its own snapshot (PAR-SCHED-5)
                _need(len(args) == 1, at, "nested takes a list of actions")
                nested = _Operation(self, args[0], f"{at}[1]")  # checked already
                try:
                    value.append({"value": self.scheduler.execute_with_snapshot(nested)})
                except ParallelError as e:
                    value.append(_error(e))
        return value

    # The steps (PAR-SCRIPT-4) ------------------------------------------------------------------

    def step(self, raw: Any, where: str) -> Any:
        """PAR-SCRIPT-4: run one step; its observation."""
        _need(isinstance(raw, dict) and isinstance(raw.get("op"), str), where,
              "expected an object with an \"op\"")
        op = raw["op"]
        handler = STEPS.get(op)
        _need(handler is not None, f"{where}.op",
              f"expected one of {', '.join(STEPS)}, found {shown(op)}")
        try:
            return handler(self, raw, where)  # type: ignore[misc]
        except ParallelError as e:
            return _error(e)

    def _rw_set(self, raw: Any, where: str) -> ReadWriteSet:
        _need(isinstance(raw, dict), where, "expected a read/write set object")
        extra = set(raw) - {"reads", "writes", "read_prefixes"}
        _need(not extra, where, f"unexpected fields {sorted(extra)}")
        return ReadWriteSet(_texts(raw.get("reads", []), f"{where}.reads"),
                            _texts(raw.get("writes", []), f"{where}.writes"),
                            _texts(raw.get("read_prefixes", []), f"{where}.read_prefixes"))

    def record(self, raw: dict[str, Any], where: str) -> None:
        """PAR-DEP-3: ``{"op": "record", "tx": N, "reads": [...], "writes": [...],
        "read_prefixes": [...]}``."""
        fields = {k: v for k, v in raw.items() if k in ("reads", "writes", "read_prefixes")}
        self.detector.record(_int(raw.get("tx"), f"{where}.tx"), self._rw_set(fields, where))

    def conflicts(self, raw: dict[str, Any], where: str) -> list[dict[str, Any]]:
        """PAR-RW-2, PAR-DEP-3: every conflicting pair of ``order``, each with the keys of
        each kind present, sorted."""
        found = self.detector.find_conflicts(_ints(raw.get("order"), f"{where}.order"))
        return [{"earlier": c.earlier, "later": c.later,
                 **{kind.value: sorted(_show(k) for k in keys) for kind, keys in c.kinds}}
                for c in found]

    def dependencies(self, raw: dict[str, Any], where: str) -> list[list[Any]]:
        """PAR-DEP-1, PAR-DEP-3: ``[[tx, [dependencies in order added]], ...]`` in block
        order."""
        order = _ints(raw.get("order"), f"{where}.order")
        graph = self.detector.build_dependency_graph(order)
        return [[tx, graph.get_dependencies(tx)] for tx in order]

    def batches(self, raw: dict[str, Any], where: str) -> list[list[int]]:
        """PAR-BATCH-1: the parallel batches of ``order``."""
        return self.detector.parallel_batches(_ints(raw.get("order"), f"{where}.order"))

    def has_conflict(self, raw: dict[str, Any], where: str) -> bool:
        """PAR-DEP-3: ``has_conflict(a, b)``."""
        return self.detector.has_conflict(_int(raw.get("a"), f"{where}.a"),
                                          _int(raw.get("b"), f"{where}.b"))

    def ready(self, raw: dict[str, Any], where: str) -> list[int]:
        """PAR-DEP-2: the transactions of ``order`` ready once ``completed`` have run."""
        order = _ints(raw.get("order"), f"{where}.order")
        completed = _ints(raw.get("completed", []), f"{where}.completed")
        return self.detector.build_dependency_graph(order).get_ready_transactions(order,
                                                                                 completed)

    def execute_with_snapshot(self, raw: dict[str, Any], where: str) -> dict[str, Any]:
        """PAR-SCHED-1/2: the operation of ``actions``; ``{"value": [...]}``."""
        operation = _Operation(self, raw.get("actions"), f"{where}.actions")
        return {"value": self.scheduler.execute_with_snapshot(operation)}

    def execute_with_retry(self, raw: dict[str, Any], where: str) -> dict[str, Any]:
        """PAR-SCHED-3: the operation of ``actions`` with ``max_retries``; the value and how
        many times it ran."""
        operation = _Operation(self, raw.get("actions"), f"{where}.actions")
        retries = _int(raw.get("max_retries"), f"{where}.max_retries")
        value = self.scheduler.execute_with_retry(operation, retries)
        return {"value": value, "attempts": operation.attempts}

    def execute_batch(self, raw: dict[str, Any], where: str) -> dict[str, Any]:
        """PAR-SCHED-6: the operations of ``operations`` (a list of action lists) in one
        batch; ``{"value": [[...], ...]}``."""
        ops = _list(raw.get("operations"), f"{where}.operations", "a list of action lists")
        operations = [_Operation(self, actions, f"{where}.operations[{i}]")
                      for i, actions in enumerate(ops)]
        return {"value": self.scheduler.execute_batch(operations)}

    def manager_actions(self, raw: dict[str, Any], where: str) -> dict[str, Any]:
        """PAR-SNAP-1..4: ``actions`` run on the state manager itself, not atomically (what
        they did before a failure stays); a failure is observed like an operation's
        (PAR-SCHED-2)."""
        actions = check_actions(raw.get("actions"), f"{where}.actions")
        try:
            return {"value": self.run_actions(self.manager, actions, f"{where}.actions", 1)}
        except (InvalidSchedulerScript, ParallelError):
            raise
        except Exception as e:
            return _error(as_tx_error(e))

    def batch_write(self, raw: dict[str, Any], where: str) -> int:
        """PAR-SNAP-5: ``batch_write(pairs)``; how many."""
        pairs = _list(raw.get("pairs"), f"{where}.pairs")
        _need(all(isinstance(p, list) and len(p) == 2 for p in pairs),
              f"{where}.pairs", "expected a list of [key, value] pairs")
        return self.manager.batch_write([(_text(k, where), _text(v, where)) for k, v in pairs])

    def batch_read(self, raw: dict[str, Any], where: str) -> list[list[str]]:
        """PAR-SNAP-5: ``batch_read(keys)``."""
        found = self.manager.batch_read(_texts(raw.get("keys"), f"{where}.keys"))
        return [[_show(k), _show(v)] for k, v in found]

    def batch_delete(self, raw: dict[str, Any], where: str) -> int:
        """PAR-SNAP-5: ``batch_delete(keys)``; how many were present."""
        return self.manager.batch_delete(_texts(raw.get("keys"), f"{where}.keys"))

    def state(self, raw: dict[str, Any], where: str) -> dict[str, Any]:
        """PAR-SNAP-1: the live storage, the events and the snapshot depth."""
        return {"storage": _state(self.manager.get_storage()),
                "events": [_show(e) for e in self.manager.get_events()],
                "depth": self.manager.snapshot_depth()}

    def stats(self, raw: dict[str, Any], where: str) -> dict[str, int]:
        """PAR-SCHED-4: the scheduler's counts."""
        s = self.scheduler.get_stats()
        return {"successful_txs": s.successful_txs, "failed_txs": s.failed_txs,
                "rollback_count": s.rollback_count, "retry_count": s.retry_count,
                "conflict_count": s.conflict_count}

    def reset_stats(self, raw: dict[str, Any], where: str) -> None:
        """PAR-SCHED-4: ``reset_stats()``."""
        self.scheduler.reset_stats()

    def batches_run(self, raw: dict[str, Any], where: str) -> dict[str, Any]:
        """PAR-BATCH-3/4: ``execute_in_batches`` on a storage holding ``pre`` with ``order``,
        each transaction of ``txs`` (``{"tx": N, "declared": {...}, "actions": [...]}``)
        declaring its set and doing its actions (``read``, ``scan``, ``set``, ``delete``,
        ``add`` (a decimal counter), ``copy``, ``fail``); ``workers`` threads. The batches,
        every outcome in block order (``[tx, batch, error kind or null]``) and the final
        storage."""
        storage = MemoryStorage({_text(k, f"{where}.pre"): _text(v, f"{where}.pre")
                                 for k, v in _object(raw.get("pre", {}), f"{where}.pre")})
        txs = _list(raw.get("txs"), f"{where}.txs")
        declared: dict[int, ReadWriteSet] = {}
        programs: dict[int, list[Any]] = {}
        for i, tx in enumerate(txs):
            at = f"{where}.txs[{i}]"
            _need(isinstance(tx, dict), at, "expected an object")
            tx_id = _int(tx.get("tx"), f"{at}.tx")
            declared[tx_id] = self._rw_set(tx.get("declared", {}), f"{at}.declared")
            actions = _list(tx.get("actions"), f"{at}.actions")
            _need(all(isinstance(a, list) and bool(a) and a[0] in TX_ACTIONS for a in actions),
                f"{at}.actions", f"expected a list of [name, ...] with names "
                             f"{', '.join(TX_ACTIONS)}")
            programs[tx_id] = actions

        def execute(tx_id: int, view: Storage) -> None:
            _run_tx(view, programs.get(tx_id, []), f"{where}.txs[{tx_id}]")

        result = execute_in_batches(storage, _ints(raw.get("order"), f"{where}.order"),
                                    declared, execute, _int(raw.get("workers", 1),
                                                            f"{where}.workers"))
        return {"batches": [list(b) for b in result.batches],
                "outcomes": [[o.tx_id, o.batch, None if o.error is None else o.error.kind.value]
                             for o in result.outcomes],
                "storage": _state(storage)}

    def ws_new(self, raw: dict[str, Any], where: str) -> None:
        """PAR-WS-1: a new `WorkStealingScheduler(workers)`."""
        self.work_stealing = WorkStealingScheduler(_int(raw.get("workers"), f"{where}.workers"))

    def _ws(self, where: str) -> WorkStealingScheduler:
        scheduler = self.work_stealing
        if scheduler is None:
            raise InvalidSchedulerScript(where, "no ws_new step before")
        return scheduler

    def ws_submit(self, raw: dict[str, Any], where: str) -> None:
        """PAR-WS-1/2: ``submit_tasks([Task(tx, priority), ...])``, all or nothing."""
        tasks = _list(raw.get("tasks"), f"{where}.tasks")
        _need(all(isinstance(t, list) and len(t) == 2 for t in tasks),
              f"{where}.tasks", "expected a list of [tx, priority] pairs")
        scheduler = self._ws(where)
        scheduler.submit_tasks([Task(tx, priority) for tx, priority in tasks])

    def ws_pending(self, raw: dict[str, Any], where: str) -> list[list[int]]:
        """PAR-WS-2: the pending tasks in scheduling order, ``[[tx, priority], ...]``."""
        return [[t.tx_id, t.priority] for t in self._ws(where).pending()]

    def ws_execute(self, raw: dict[str, Any], where: str) -> dict[str, Any]:
        """PAR-WS-3/4/5: ``execute_all`` with an executor that fails the tasks of ``fail``
        (``[[tx, kind], ...]``, the kind ``TX_FAILED``, ``CONFLICT`` or ``OTHER``). Every
        outcome in scheduling order (``[tx, error kind or null]``) and the run's counts; with
        one worker also the execution order and the steals (none), which are
        timing-independent only then. With ``turns`` (PAR-WS-6) the run is
        `execute_turns`, and every task's ``[tx, worker, stolen]`` in start order and the
        steals are observed too, whatever the number of workers."""
        failing = _list(raw.get("fail", []), f"{where}.fail")
        _need(all(isinstance(f, list) and len(f) == 2 and f[1] in FAIL_KINDS for f in failing),
            f"{where}.fail", f"expected [[tx, kind], ...] with kinds {', '.join(FAIL_KINDS)}")
        kinds = {_int(tx, f"{where}.fail"): kind for tx, kind in failing}

        def executor(tx_id: int) -> None:
            kind = kinds.get(tx_id)
            if kind == "CONFLICT":
                raise ConflictError(f"task {tx_id} conflicts")
            if kind == "TX_FAILED":
                raise TxError(f"task {tx_id} fails")
            if kind == "OTHER":
                raise RuntimeError(f"task {tx_id} raises")

        scheduler = self._ws(where)
        if "turns" in raw:
            turns = _ints(raw.get("turns"), f"{where}.turns")
            result = scheduler.execute_turns(turns, executor)
            return {"outcomes": [[o.tx_id, None if o.error is None else o.error.kind.value]
                                 for o in result.outcomes],
                    "successful_txs": result.stats.successful_txs,
                    "failed_txs": result.stats.failed_txs,
                    "runs": [[o.tx_id, o.worker, o.stolen]
                             for o in sorted(result.outcomes, key=lambda o: o.sequence)],
                    "steals": result.stats.steals}
        result = scheduler.execute_all(executor)
        out: dict[str, Any] = {
            "outcomes": [[o.tx_id, None if o.error is None else o.error.kind.value]
                         for o in result.outcomes],
            "successful_txs": result.stats.successful_txs,
            "failed_txs": result.stats.failed_txs}
        if scheduler.num_workers == 1:
            out["order"] = result.execution_order()
            out["steals"] = result.stats.steals
        return out


    def ws_stats(self, raw: dict[str, Any], where: str) -> dict[str, int]:
        """PAR-WS-5: ``get_stats()`` summed over the runs; the steals only with one worker."""
        scheduler = self._ws(where)
        stats = scheduler.get_stats()
        out = {"successful_txs": stats.successful_txs, "failed_txs": stats.failed_txs}
        if scheduler.num_workers == 1:
            out["steals"] = stats.steals
        return out


def _object(value: Any, where: str) -> list[tuple[str, Any]]:
    _need(isinstance(value, dict), where, f"expected an object, found {shown(value)}")
    return list(value.items())


#: PAR-SCRIPT-5: the actions of a transaction of ``execute_in_batches``.
TX_ACTIONS = ("read", "scan", "set", "delete", "add", "copy", "fail")


def _run_tx(view: Storage, actions: list[Any], where: str) -> None:
    """PAR-SCRIPT-5: a transaction of ``execute_in_batches`` doing ``actions`` on its view."""
    for i, action in enumerate(actions):
        at = f"{where}.actions[{i}]"
        _need(isinstance(action, list) and bool(action), at, "expected [name, ...]")
        name, args = action[0], action[1:]
        if name == "read":
            view.get(_text(args[0], at))
        elif name == "scan":
            view.scan(_text(args[0], at), _int(args[1], at))
        elif name == "set":
            view.set(_text(args[0], at), _text(args[1], at))
        elif name == "delete":
            view.delete(_text(args[0], at))
        elif name == "add":  # a decimal counter: read, add, write
            key = _text(args[0], at)
            current = view.get(key)
            view.set(key, str(int(current or b"0") + _int(args[1], at)).encode())
        elif name == "copy":  # read one key, write its value (if any) to another
            found = view.get(_text(args[0], at))
            if found is not None:
                view.set(_text(args[1], at), found)
        elif name == "fail":
            raise TxError("the transaction fails")
        else:
            raise InvalidSchedulerScript(at, f"unknown transaction action {shown(name)}")


#: PAR-SCRIPT-4: the steps, by ``op``.
STEPS: dict[str, Callable[[Script, dict[str, Any], str], Any]] = {
    "record": Script.record,
    "conflicts": Script.conflicts,
    "dependencies": Script.dependencies,
    "batches": Script.batches,
    "has_conflict": Script.has_conflict,
    "ready": Script.ready,
    "execute_with_snapshot": Script.execute_with_snapshot,
    "execute_with_retry": Script.execute_with_retry,
    "execute_batch": Script.execute_batch,
    "manager": Script.manager_actions,
    "batch_write": Script.batch_write,
    "batch_read": Script.batch_read,
    "batch_delete": Script.batch_delete,
    "state": Script.state,
    "stats": Script.stats,
    "reset_stats": Script.reset_stats,
    "execute_in_batches": Script.batches_run,
    "ws_new": Script.ws_new,
    "ws_submit": Script.ws_submit,
    "ws_pending": Script.ws_pending,
    "ws_execute": Script.ws_execute,
    "ws_stats": Script.ws_stats,
}


def run_script(pre: Mapping[str, str], steps: Sequence[Any]) -> list[Any]:
    """PAR-SCRIPT-2: run ``steps`` on a fresh engine over ``pre``; one observation per step.
    A malformed script raises `InvalidSchedulerScript`; the engine's own errors are
    observations."""
    script = Script(pre)
    return [script.step(raw, f"steps[{i}]") for i, raw in enumerate(_list(steps, "steps"))]
