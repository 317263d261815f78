"""``crypto_api`` (spec/host-abi.md, spec/crypto.md): being written; see HOST-CRYPTO-*."""

from __future__ import annotations

from .env import HostFunction

FUNCTIONS: tuple[HostFunction, ...] = ()
