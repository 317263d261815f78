"""Typed errors of the metrics package (spec/metrics.md, METRIC-ERR-1).

Every failure of `supervm_ref.metrics`'s public API is a `MetricsError` (a `SuperVMError`) with
a stable ``kind``; a bad argument is `InvalidMetricInput`, which is also an
`InvalidArgumentError` (RT-API-3).
"""

from __future__ import annotations

from ..errors import ConfigError, InvalidArgumentError, SuperVMError


class MetricsError(SuperVMError):
    """METRIC-ERR-1: the base of every error the metrics package raises."""

    kind = "metrics_error"


class InvalidMetricInput(MetricsError, InvalidArgumentError):
    """METRIC-ERR-1: an argument of the wrong type or out of range (a negative, NaN or
    non-numeric latency, a bool, a bad window size, a clock that returns no number); nothing
    was recorded. ``argument``, ``expected`` and ``found`` as in `InvalidArgumentError`."""

    kind = "metrics_invalid_input"


class MetricsServerError(MetricsError):
    """METRIC-HTTP-3: the metrics HTTP server cannot start (the port is in use, the host
    cannot be bound); ``port`` and ``host`` name what was asked."""

    kind = "metrics_server"

    def __init__(self, host: str, port: int, reason: str) -> None:
        self.host = host
        self.port = port
        super().__init__(f"cannot serve metrics on {host}:{port}: {reason}")


class MetricsNameClash(MetricsError):
    """METRIC-PROM-4: two sources of one combined exposition export the same metric name."""

    kind = "metrics_name_clash"


class MetricsConfigError(MetricsError, ConfigError):
    """METRIC-ZK-3: an environment variable of the metrics (``SUPERVM_ZK_LAT_WIN``) whose text
    is not a usable value; ``variable`` names it, ``text`` is what it held."""

    kind = "metrics_config"

    def __init__(self, variable: str, expected: str, text: str) -> None:
        self.variable = variable
        self.text = text
        super().__init__(f"{variable}: expected {expected}, found {text!r}")
