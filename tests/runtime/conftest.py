"""Tests of the runtime (spec/runtime.md, spec/host-abi.md): calls, storage, the host ABI."""

from __future__ import annotations
