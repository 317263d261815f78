"""Differences between JSON values, one line each (spec/conformance.md, CONF-CONSUME-2).

The fixture formats compare what a backend produced with what a fixture expects through these:
values are equal only when their canonical JSON is (``1`` is neither ``1.0`` nor ``true``);
objects are compared key by key and lists item by item, and long byte strings are shortened
(with their length) in the lines that name them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .encoding import canonical_json


def show(x: Any) -> str:
    """A JSON value as a report line shows it: at most 200 characters, a long byte string
    cut to its first 16 bytes and its length."""
    text = json.dumps(x, sort_keys=True)
    if isinstance(x, str) and x.startswith("0x") and len(x) > 42:
        text = f'"{x[:34]}..." ({(len(x) - 2) // 2} bytes)'
    return text if len(text) <= 200 else text[:197] + "..."


def same(a: Any, b: Any) -> bool:
    """Exact JSON equality (``1`` is neither ``1.0`` nor ``true``)."""
    try:
        return canonical_json(a) == canonical_json(b)
    except (TypeError, ValueError):
        return False


def diff_map(where: str, expected: Mapping[str, Any], got: Mapping[str, Any]) -> list[str]:
    """Key by key, in sorted key order: changed, missing and unexpected members."""
    out = []
    for key in sorted(set(expected) | set(got)):
        if key not in got:
            out.append(f"{where}[{key}]: expected {show(expected[key])}, got absent")
        elif key not in expected:
            out.append(f"{where}[{key}]: expected absent, got {show(got[key])}")
        elif not same(expected[key], got[key]):
            out.append(f"{where}[{key}]: expected {show(expected[key])}, "
                       f"got {show(got[key])}")
    return out


def diff_list(where: str, expected: list[Any], got: list[Any]) -> list[str]:
    """The lengths, then item by item over the common length."""
    out = []
    if len(expected) != len(got):
        out.append(f"{where}: expected {len(expected)} item(s), got {len(got)}")
    for i, (e, g) in enumerate(zip(expected, got)):
        if not same(e, g):
            out.append(f"{where}[{i}]: expected {show(e)}, got {show(g)}")
    return out


def diff(where: str, expected: Any, got: Any) -> list[str]:
    """`diff_map` for two objects, `diff_list` for two lists, else one line if they differ."""
    if isinstance(expected, Mapping) and isinstance(got, Mapping):
        return diff_map(where, expected, got)
    if isinstance(expected, list) and isinstance(got, list):
        return diff_list(where, expected, got)
    return [] if same(expected, got) else [f"{where}: expected {show(expected)}, "
                                           f"got {show(got)}"]
