"""Node configuration: ``supervm.toml`` (or the seed's ``config.toml``), read with tomllib
(spec/runtime.md, RT-CONFIG-1).

Every key is optional; a missing file means all defaults. Unknown sections or keys, and values
of the wrong type, are a `ConfigError` naming the file, the key and what was expected.

```toml
[runtime]
default_gas_limit = 10000000

[engine]            # spec/wasm.md WASM-LIMIT-*
max_call_depth = 1024
max_value_stack = 1048576
max_memory_pages = 1024
max_table_size = 1048576
max_host_reentry = 8

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

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .runtime.host.limits import HostLimits
from .runtime.runtime import DEFAULT_GAS_LIMIT
from .wasm.limits import EngineLimits

#: Files looked for, in order, in the working directory when no path is given.
DEFAULT_FILES = ("supervm.toml", "config.toml")


class ConfigError(Exception):
    """A configuration file that cannot be used, with the reason."""


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


def _section(path: Path, name: str, cls: type[Any], table: Any) -> Any:
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [{name}] must be a table")
    known = {f.name for f in dataclasses.fields(cls)}
    for key, value in table.items():
        if key not in known:
            raise ConfigError(f"{path}: unknown key {name}.{key} (known: {sorted(known)})")
        if type(value) is not int or value < 0:
            raise ConfigError(f"{path}: {name}.{key} must be a non-negative integer, "
                              f"got {value!r}")
    try:
        return cls(**table)
    except (ValueError, TypeError) as e:
        raise ConfigError(f"{path}: [{name}]: {e}") from e


def load_config(path: str | Path | None = None, cwd: Path | None = None) -> Config:
    """RT-CONFIG-1: read ``path``, or the first of `DEFAULT_FILES` in ``cwd`` that exists, or
    return the defaults. An explicit path that does not exist is an error."""
    if path is None:
        base = cwd or Path.cwd()
        found = [base / name for name in DEFAULT_FILES if (base / name).is_file()]
        if not found:
            return Config()
        file = found[0]
    else:
        file = Path(path)
        if not file.is_file():
            raise ConfigError(f"{file}: no such configuration file")
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"{file}: {e}") from e
    parts: dict[str, Any] = {}
    for name, table in data.items():
        cls = _SECTIONS.get(name)
        if cls is None:
            raise ConfigError(f"{file}: unknown section [{name}] (known: {sorted(_SECTIONS)})")
        parts[name] = _section(file, name, cls, table)
    return Config(**parts, source=file)
