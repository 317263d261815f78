"""Benchmarks run by ``supervm bench`` (README, "The supervm command").

Each benchmark is a module here exposing a ``run(...)`` function that returns a report, and a
way to print it as a table or JSON: `engine` times the WebAssembly engine against pywasm.
Benchmarks measure wall-clock time; nothing they measure feeds back into engine results.
"""

from __future__ import annotations


def package_version(name: str, fallback: str = "unknown") -> str:
    """The installed version of the distribution ``name`` (only informative in reports)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return fallback

