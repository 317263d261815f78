"""Progress display for the long ``supervm`` commands (consume, fill, spectest, bench).

The one place ``rich`` is used. Progress goes to stderr, and only when stderr is a terminal: a
command whose stderr is a file or a pipe (CI, tests, ``2>log``) prints exactly what it printed
before. ``SUPERVM_PROGRESS=1`` forces the display on and ``SUPERVM_PROGRESS=0`` off. Standard
output is never touched, so reports piped or parsed stay the same.

Library code does not import this module: it takes an optional callback, which the command
builds here:

- ``progress(done, total, label)`` (`CommandProgress.update`): ``done`` of ``total`` units are
  finished, ``label`` says what runs now;
- ``progress(label)`` (`CommandProgress.step`): one more step starts, named ``label``.

A benchmark passes ``timing=True``: the display is then redrawn only when a callback is called
(no refresh thread runs while a workload is being timed).
"""

from __future__ import annotations

import os
import sys
from types import TracebackType
from typing import Any

#: The environment variable that forces the display on (``1``) or off (``0``).
PROGRESS_ENV = "SUPERVM_PROGRESS"


def progress_wanted() -> bool:
    """Whether to show progress: `PROGRESS_ENV` if it is ``0`` or ``1``, else whether stderr is
    a terminal."""
    setting = os.environ.get(PROGRESS_ENV, "").strip()
    if setting in ("0", "1"):
        return setting == "1"
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # a replaced or closed stderr
        return False


class CommandProgress:
    """A progress bar (or, with no total, a spinner) on stderr for the duration of a ``with``
    block; inert when `progress_wanted` is false. ``total_steps`` is the number of `step`
    calls expected, for callbacks that only name what starts."""

    def __init__(self, description: str, *, total_steps: int | None = None,
                 timing: bool = False, enabled: bool | None = None) -> None:
        self.description = description
        self.enabled = progress_wanted() if enabled is None else enabled
        self.timing = timing
        self._steps_done = 0
        self._total_steps = total_steps
        self._display: Any = None
        self._task: Any = None

    def __enter__(self) -> CommandProgress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            forced = os.environ.get(PROGRESS_ENV, "").strip() == "1"
            console = Console(file=sys.stderr, force_terminal=True if forced else None)
            self._display = Progress(
                SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(),
                MofNCompleteColumn(), TextColumn("{task.fields[label]}"), TimeElapsedColumn(),
                console=console, transient=True, auto_refresh=not self.timing,
                redirect_stdout=False, redirect_stderr=False)
            self._display.start()
            self._task = self._display.add_task(self.description, total=self._total_steps,
                                                label="")
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._display is not None:
            self._display.stop()  # also on Ctrl-C: the terminal is left clean
            self._display = None

    def update(self, done: int, total: int, label: str = "") -> None:
        """The library callback ``progress(done, total, label)``."""
        if self._display is not None:
            self._display.update(self._task, completed=done, total=total, label=label)
            if self.timing:
                self._display.refresh()

    def step(self, label: str) -> None:
        """The library callback ``progress(label)``: the previous step is done, ``label``
        starts."""
        if self._display is not None:
            if self._steps_done:
                self._display.advance(self._task)
            self._steps_done += 1
            self._display.update(self._task, label=label)
            if self.timing:
                self._display.refresh()

    def log(self, line: str) -> None:
        """A line on stderr (above the bar while it is shown)."""
        if self._display is not None:
            self._display.console.print(line, markup=False, highlight=False)
        else:
            print(line, file=sys.stderr, flush=True)
