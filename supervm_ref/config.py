"""Node configuration: ``supervm.toml`` (or the seed's ``config.toml``), read with tomllib
(spec/runtime.md, RT-CONFIG-1).

Every key is optional; a missing file means all defaults. Every value of `[runtime]`,
`[engine]`, `[host]` and `[demo]` is an integer within the range `RANGES` gives for its key (a
limit is at least 1); `[routing]` holds the fields of `AdaptiveRouterConfig` (spec/adaptive.md
ROUTE-ADAPT-5): ratios are decimal numbers read exactly (TOML floats are parsed as `Decimal`),
``update_every`` an integer, and the ``SUPERVM_ADAPTIVE_*`` environment variables override the
file. Unknown sections or keys, values of the wrong type (a boolean or a float is not an
integer) and values out of range are a `ConfigError` naming the file, the key, the range
expected and the value found, raised while the file is loaded, so nothing runs on a
configuration that cannot work.

```toml
[runtime]
default_gas_limit = 10000000

[engine]            # spec/wasm.md WASM-LIMIT-* (bounds: WASM-LIMIT-10)
max_call_depth = 1024
max_value_stack = 1048576
max_memory_pages = 1024
max_table_size = 1048576
max_host_reentry = 8
max_module_bytes = 1048576
max_function_instructions = 100000

[host]              # spec/host-abi.md HOST-LIMIT-1
max_key_size = 1024
max_value_size = 65536
max_event_size = 65536
max_events = 1024
max_scan_limit = 1024

[demo]
block_number = 12345
timestamp = 1704067200

[routing]           # spec/adaptive.md ROUTE-ADAPT-1, ROUTE-ADAPT-5
initial_fast_ratio = 0.70
min_ratio = 0.10
max_ratio = 0.90
step_up = 0.05
step_down = 0.05
conflict_low = 0.05
conflict_high = 0.25
success_low = 0.80
update_every = 100
```
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .errors import ConfigError as ConfigError  # re-exported: supervm_ref.config.ConfigError
from .errors import SuperVMError, shown
from .routing.adaptive import (
    MAX_UPDATE_EVERY,
    RATIO_FIELDS,
    VARIABLES,
    AdaptiveConfigError,
    AdaptiveRouterConfig,
)
from .runtime.host.limits import MAX_HOST_LIMIT, HostLimits
from .runtime.runtime import DEFAULT_GAS_LIMIT
from .wasm import LIMIT_MAXIMA, EngineLimits

#: Files looked for, in order, in the working directory when no path is given.
DEFAULT_FILES = ("supervm.toml", "config.toml")


@dataclass(frozen=True, slots=True)
class DemoConfig:
    """The block context the demos run in (the seed's demo 2 figures)."""

    block_number: int = 12345
    timestamp: int = 1704067200


@dataclass(frozen=True, slots=True)
class RuntimeConfig:
    """Runtime defaults."""

    default_gas_limit: int = DEFAULT_GAS_LIMIT


@dataclass(frozen=True, slots=True)
class Config:
    """The whole configuration, and the file it came from (None: defaults)."""

    runtime: RuntimeConfig = field(default_factory=RuntimeConfig)
    engine: EngineLimits = field(default_factory=EngineLimits)
    host: HostLimits = field(default_factory=HostLimits)
    demo: DemoConfig = field(default_factory=DemoConfig)
    routing: AdaptiveRouterConfig = field(default_factory=AdaptiveRouterConfig)
    source: Path | None = None


_SECTIONS: dict[str, type[Any]] = {"runtime": RuntimeConfig, "engine": EngineLimits,
                                   "host": HostLimits, "demo": DemoConfig,
                                   "routing": AdaptiveRouterConfig}

_I64 = 2**63 - 1
#: RT-CONFIG-1: the values each key accepts, inclusive. Gas limits and engine and host limits
#: are at least 1 (a zero limit makes every call fail); sizes and counts fit the u32 lengths of
#: the host ABI; memory is at most 65,536 pages (4 GiB, WASM-LIMIT-3); the block context is a
#: non-negative i64 (RT-CTX-1).
RANGES: dict[str, dict[str, tuple[int, int]]] = {
    "runtime": {"default_gas_limit": (1, _I64)},
    "engine": {name: (1, maximum) for name, maximum in LIMIT_MAXIMA.items()},
    "host": {"max_key_size": (1, MAX_HOST_LIMIT), "max_value_size": (1, MAX_HOST_LIMIT),
             "max_event_size": (1, MAX_HOST_LIMIT), "max_events": (1, MAX_HOST_LIMIT),
             "max_scan_limit": (1, MAX_HOST_LIMIT)},
    "demo": {"block_number": (0, _I64), "timestamp": (0, _I64)},
}
#: ROUTE-ADAPT-5: the sections whose values are not integer ranges but the rules of their own
#: class (`[routing]`: spec/adaptive.md ROUTE-ADAPT-2/3).
OWN_RULES = ("routing",)


def _expected(low: int, high: int) -> str:
    kind = "a positive integer" if low == 1 else "an integer"
    return f"{kind} from {low:,} to {high:,}"


def _shown(value: object) -> str:
    """A TOML value in a message (a float, read as `Decimal`, as it was written)."""
    return str(value) if isinstance(value, Decimal) else shown(value)


def _routing(path: Path, table: dict[str, Any], env: Mapping[str, str]) -> AdaptiveRouterConfig:
    """ROUTE-ADAPT-5: ``[routing]``: the keys are `AdaptiveRouterConfig`'s fields, a ratio a
    TOML number (a float read exactly, or the integer 0 or 1), ``update_every`` an integer;
    then the ``SUPERVM_ADAPTIVE_*`` variables of ``env`` override the file's values."""
    for key, value in table.items():
        if key not in VARIABLES:
            raise ConfigError(f"{path}: unknown key routing.{key} (known: "
                              f"{', '.join(VARIABLES)})")
        number = (Decimal, int) if key in RATIO_FIELDS else (int,)
        if isinstance(value, bool) or not isinstance(value, number):
            what = ("a decimal number from 0 to 1" if key in RATIO_FIELDS
                    else f"an integer from 1 to {MAX_UPDATE_EVERY:,}")
            raise ConfigError(f"{path}: routing.{key} must be {what}, got {_shown(value)}")
    try:
        from_file = AdaptiveRouterConfig.from_values(table)
    except AdaptiveConfigError as e:
        raise AdaptiveConfigError(e.kind, e.fields, e.variables,
                                  f"{path}: [routing] {e}") from e
    return AdaptiveRouterConfig.from_env(env, base=from_file)


def _section(path: Path, name: str, cls: type[Any], table: Any) -> Any:
    """RT-CONFIG-1: one section, every value checked against `RANGES`."""
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [{name}] must be a table, got {shown(table)}")
    ranges = RANGES[name]
    for key, value in table.items():
        if key not in ranges:
            raise ConfigError(f"{path}: unknown key {name}.{key} (known: "
                              f"{', '.join(sorted(ranges))})")
        low, high = ranges[key]
        if type(value) is not int or not low <= value <= high:
            raise ConfigError(f"{path}: {name}.{key} must be {_expected(low, high)}, "
                              f"got {_shown(value)}")
    try:
        return cls(**table)
    except (SuperVMError, ValueError, TypeError) as e:  # a rule of the section's own class
        raise ConfigError(f"{path}: [{name}]: {e}") from e


def load_config(path: str | Path | None = None, cwd: Path | None = None,
                env: Mapping[str, str] | None = None) -> Config:
    """RT-CONFIG-1: read ``path``, or the first of `DEFAULT_FILES` in ``cwd`` that exists, or
    return the defaults. An explicit path that does not exist is an error. The router's
    configuration is then overridden by the ``SUPERVM_ADAPTIVE_*`` variables of ``env``
    (default: ``os.environ``): defaults < file < environment (ROUTE-ADAPT-5). Raises only
    `ConfigError`."""
    environment = os.environ if env is None else env
    if path is None:
        base = cwd or Path.cwd()
        found = [base / name for name in DEFAULT_FILES if (base / name).is_file()]
        if not found:
            return Config(routing=AdaptiveRouterConfig.from_env(environment))
        file = found[0]
    else:
        file = Path(path)
        if file.is_dir():
            raise ConfigError(f"{file}: is a directory, not a configuration file")
        if not file.is_file():
            raise ConfigError(f"{file}: no such configuration file")
    try:
        # Floats are read as Decimal so that a ratio is the number written (ROUTE-ADAPT-5).
        data = tomllib.loads(file.read_text(encoding="utf-8"), parse_float=Decimal)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"{file}: {e}") from e
    except RecursionError:  # tomllib parses nested arrays and tables recursively
        raise ConfigError(f"{file}: nested too deeply to be a configuration file") from None
    parts: dict[str, Any] = {}
    for name, table in data.items():
        cls = _SECTIONS.get(name)
        if cls is None:
            raise ConfigError(f"{file}: unknown section [{name}] (known: "
                              f"{', '.join(sorted(_SECTIONS))})")
        if name in OWN_RULES:
            if not isinstance(table, dict):
                raise ConfigError(f"{file}: [{name}] must be a table, got {shown(table)}")
            continue
        parts[name] = _section(file, name, cls, table)
    routing = data.get("routing", {})
    parts["routing"] = _routing(file, routing, environment)
    return Config(**parts, source=file)
