"""Running the node as a user does: ``python -m supervm_ref node ...`` in a subprocess, its
output read line by line as it comes."""

from __future__ import annotations

import json
import queue
import re
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from ..support import default_sigint

SERVING = re.compile(r"serving metrics on http://127\.0\.0\.1:(\d+)/metrics")
STOPPED = re.compile(r"stopped after (\d+) rounds \(round (\d+), flush point (\d+), "
                     r"tokens (\d+)\)")


class NodeProcess:
    """A node subprocess; `lines` collects its stdout, `wait_for` waits for a line."""

    def __init__(self, data: Path, *args: str, command: str = "node") -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "supervm_ref", command, "--data", str(data), "--port", "0",
             *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            preexec_fn=default_sigint)
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.port: int | None = None

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, pattern: str | re.Pattern[str], timeout: float = 60.0) -> re.Match[str]:
        """The first line (from now on or already seen) matching ``pattern``."""
        rx = re.compile(pattern) if isinstance(pattern, str) else pattern
        for line in self.lines:
            if (m := rx.search(line)) is not None:
                return m
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no line matching {rx.pattern!r} in {timeout} s; "
                                     f"seen: {self.lines[-5:]}") from None
            if line is None:
                err = self.proc.stderr.read() if self.proc.stderr else ""
                raise AssertionError(f"the node ended before {rx.pattern!r}: {self.lines[-5:]}"
                                     f" {err}")
            self.lines.append(line)
            if (m := rx.search(line)) is not None:
                return m

    def serving_port(self) -> int:
        """The port the node serves metrics on (from its 'serving metrics' line)."""
        if self.port is None:
            self.port = int(self.wait_for(SERVING).group(1))
        return self.port

    def get(self, path: str) -> tuple[int, str, str]:
        """GET ``path`` from the node: (status, content type, body)."""
        url = f"http://127.0.0.1:{self.serving_port()}{path}"
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read().decode()

    def summary(self) -> dict[str, Any]:
        """``/summary`` as JSON."""
        data: dict[str, Any] = json.loads(self.get("/summary")[2])
        return data

    def finish(self, timeout: float = 60.0) -> tuple[int, str]:
        """Wait for the exit; (status, stderr). Remaining stdout lines go to `lines`."""
        status = self.proc.wait(timeout=timeout)
        while (line := self._queue.get(timeout=timeout)) is not None:
            self.lines.append(line)
        err = self.proc.stderr.read() if self.proc.stderr else ""
        return status, err

    def kill(self) -> None:
        """Make sure the process is gone (test clean-up)."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
