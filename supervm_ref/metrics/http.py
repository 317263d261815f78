"""`MetricsServer`: the metrics over HTTP (spec/metrics.md, METRIC-HTTP-*), like the seed's
``metrics_http_demo``: ``GET /metrics`` is the Prometheus text of every source in one
exposition, ``GET /summary`` a JSON summary; anything else is 404.

The server is `http.server.ThreadingHTTPServer` with daemon threads, on 127.0.0.1 by default.
A request never prints a traceback: the handler's log goes to the ``supervm_ref.metrics``
logger, and a failure while building a response is answered with 500 (METRIC-HTTP-4).
"""

from __future__ import annotations

import errno
import json
import logging
import math
import threading
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from ..errors import require_int
from .errors import InvalidMetricInput, MetricsServerError
from .prometheus import combined_registry

LOG = logging.getLogger("supervm_ref.metrics")
# METRIC-HTTP-4: a library's logger has a handler of its own, so that without a logging
# configuration of the application its records go nowhere -- not to logging's last-resort
# handler, which prints warnings on stderr.
LOG.addHandler(logging.NullHandler())

#: A summary: a callable returning a JSON-serializable object.
Summary = Callable[[], Any]


def summary_of(sources: Sequence[Any]) -> dict[str, Any]:
    """METRIC-HTTP-2: the default ``/summary``: the sections of every source that has
    ``summary_sections()`` (``mvcc`` for a `MetricsCollector`, ``routing`` and ``zk`` for a
    `SuperVM`, ``bench`` for a `BenchMetrics`), merged in the order given; a section given by
    two sources is `InvalidMetricInput`."""
    out: dict[str, Any] = {}
    for i, source in enumerate(sources):
        sections = getattr(source, "summary_sections", None)
        if not callable(sections):
            continue
        for name, value in sections().items():
            if name in out:
                raise InvalidMetricInput(f"sources[{i}]", f"no second {name!r} section", source)
            out[name] = value
    return out


def finite_json(value: Any) -> Any:
    """METRIC-HTTP-2: ``value`` with every float that is not finite (an infinite or NaN
    average, rate or TPS) replaced by None, in dicts, lists and tuples at any depth, so that
    ``/summary`` is always JSON (``null``; JSON has no ``Infinity`` or ``NaN``). Anything else
    is returned as it is."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite_json(v) for v in value]
    return value


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        try:
            if path == "/metrics":
                body = generate_latest(self.server.owner.registry)
                self._send(200, CONTENT_TYPE_LATEST, body)
            elif path == "/summary":
                body = json.dumps(finite_json(self.server.owner.summary()), sort_keys=True,
                                  allow_nan=False).encode()
                self._send(200, "application/json", body)
            else:
                self._send(404, "text/plain; charset=utf-8", b"not found\n")
        except Exception as e:  # METRIC-HTTP-4: a failing source is a 500, not a traceback
            LOG.warning("metrics request %s failed: %s: %s", path, type(e).__name__, e)
            self._send(500, "text/plain; charset=utf-8", b"internal error\n")

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the client went away
            pass

    def log_message(self, format: str, *args: Any) -> None:
        LOG.debug("%s " + format, self.address_string(), *args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], owner: MetricsServer) -> None:
        self.owner = owner
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """METRIC-HTTP-4: no traceback on stderr."""
        LOG.debug("metrics connection from %s failed", client_address, exc_info=True)


class MetricsServer:
    """METRIC-HTTP-1: serve ``registries`` (metric sources: `MetricsCollector`, `SuperVM`,
    `BenchMetrics`, prometheus-client ``CollectorRegistry``; the process-wide collector when
    None) on ``host``:``port`` (port 0: an ephemeral port, see `port` after `start`).
    ``summary``: the ``/summary`` callable (`summary_of` the sources when None)."""

    def __init__(self, *, port: int = 8080, host: str = "127.0.0.1",
                 registries: Sequence[Any] | None = None,
                 summary: Summary | None = None) -> None:
        self._port = require_int(port, "port", 0, 65535)
        if not isinstance(host, str) or not host:
            raise InvalidMetricInput("host", "a host name or address", host)
        if registries is None:
            from .collector import MetricsCollector
            registries = [MetricsCollector.global_()]
        if isinstance(registries, str | bytes) or not isinstance(registries, Sequence):
            raise InvalidMetricInput("registries", "a sequence of metric sources", registries)
        if summary is not None and not callable(summary):
            raise InvalidMetricInput("summary", "a callable or None", summary)
        self.host = host
        self.sources = list(registries)
        self.registry = combined_registry(*self.sources)
        self._summary = summary
        if summary is None:
            summary_of(self.sources)  # METRIC-HTTP-2: a clash of sections is an error now
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def port(self) -> int:
        """METRIC-HTTP-1: the bound port once started (the port asked for before)."""
        return self._port

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://{self.host}:{self._port}"

    def summary(self) -> Any:
        """METRIC-HTTP-2: the ``/summary`` object."""
        return self._summary() if self._summary is not None else summary_of(self.sources)

    def start(self) -> MetricsServer:
        """METRIC-HTTP-3: bind and serve in a daemon thread; a port in use (or a host that
        cannot be bound) is `MetricsServerError` naming them. Starting a running server does
        nothing."""
        with self._lock:
            if self._server is not None:
                return self
            try:
                server = _Server((self.host, self._port), self)
            except OSError as e:
                reason = ("the port is in use" if e.errno == errno.EADDRINUSE
                          else f"{type(e).__name__}: {e}")
                raise MetricsServerError(self.host, self._port, reason) from e
            self._server = server
            self._port = int(server.server_address[1])
            self._thread = threading.Thread(target=server.serve_forever,
                                            name=f"metrics-{self._port}", daemon=True)
            self._thread.start()
            return self

    def stop(self) -> None:
        """METRIC-HTTP-3: stop serving and close the socket; idempotent."""
        with self._lock:
            server, thread = self._server, self._thread
            self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join()

    @property
    def running(self) -> bool:
        """Whether the server is serving."""
        return self._server is not None

    def __enter__(self) -> MetricsServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
