"""Node configuration: ``supervm.toml`` (or the seed's ``config.toml``), read with tomllib
(spec/runtime.md, RT-CONFIG-1).

Every key is optional; a missing file means all defaults. Every value is an integer within the
range `RANGES` gives for its key (a limit is at least 1). Unknown sections or keys, values of
the wrong type (a boolean or a float is not an integer) and values out of range are a
`ConfigError` naming the file, the key, the range expected and the value found, raised while
the file is loaded, so nothing runs on a configuration that cannot work.

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
```
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError as ConfigError  # re-exported: supervm_ref.config.ConfigError
from .errors import SuperVMError, shown
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
    source: Path | None = None


_SECTIONS: dict[str, type[Any]] = {"runtime": RuntimeConfig, "engine": EngineLimits,
                                   "host": HostLimits, "demo": DemoConfig}

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


def _expected(low: int, high: int) -> str:
    kind = "a positive integer" if low == 1 else "an integer"
    return f"{kind} from {low:,} to {high:,}"


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
                              f"got {shown(value)}")
    try:
        return cls(**table)
    except (SuperVMError, ValueError, TypeError) as e:  # a rule of the section's own class
        raise ConfigError(f"{path}: [{name}]: {e}") from e


def load_config(path: str | Path | None = None, cwd: Path | None = None) -> Config:
    """RT-CONFIG-1: read ``path``, or the first of `DEFAULT_FILES` in ``cwd`` that exists, or
    return the defaults. An explicit path that does not exist is an error. Raises only
    `ConfigError`."""
    if path is None:
        base = cwd or Path.cwd()
        found = [base / name for name in DEFAULT_FILES if (base / name).is_file()]
        if not found:
            return Config()
        file = found[0]
    else:
        file = Path(path)
        if file.is_dir():
            raise ConfigError(f"{file}: is a directory, not a configuration file")
        if not file.is_file():
            raise ConfigError(f"{file}: no such configuration file")
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
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
        parts[name] = _section(file, name, cls, table)
    return Config(**parts, source=file)
