"""Conformance fixtures: fill them from the reference, consume them with any backend
(spec/conformance.md, CONF-*).

Modelled on Ethereum's execution-spec-tests: fillers (Python, in ``conformance/fillers/``)
describe cases; `supervm fill` runs them on the reference runtime and writes JSON fixtures that
carry an ``_info`` with a hash; `supervm consume` runs the fixtures on another backend, in
process or through the JSON protocol of `supervm t8n`, and reports every difference. Every kind
of fixture is a format of the registry `formats` (CONF-FORMAT-*), on which all of it dispatches.

- `formats`: the registry of fixture formats (`call`, `batch`, `isolation`) and the schema
  built from it;
- `filler`: the filler API (`Case`, `Tx`, `Env`, `contract`);
- `encoding`: the JSON forms of bytes, integers, values and results; the fixture hash;
- `execute`: running a call fixture's transactions on a backend;
- `fill`: fillers -> cases -> fixture files; `consume`: fixture files -> pass/fail reports;
- `compare`: differences between JSON values, one line each;
- `pack`: the release archive of the fixtures and its index;
- `schema`: the subset of JSON Schema that checks spec/conformance.schema.json;
- `probe`: the memory layout of the ``abi_probe`` contracts the host-ABI fillers use;
- `suite`: call cases derived from the official WebAssembly suite's scripts;
- `paths`: where the repository's ``conformance/`` and ``spec/`` folders are.
"""

from __future__ import annotations

from ..wasm import Value
from .filler import Case, Env, FillerError, Tx, contract, measure_gas

__all__ = ["Case", "Env", "FillerError", "Tx", "Value", "contract", "measure_gas"]
