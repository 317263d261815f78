"""The verifying-key registry (spec/privacy.md section 6, ZK-REG-1): the keys a SuperVM
accepts proofs under, by id."""

from __future__ import annotations

import re

from ..errors import InvalidArgumentError
from .errors import ZkError
from .snarkjs import VerifyingKey

#: ZK-REG-1: a key id: 1 to 64 characters of letters, digits, ``_``, ``-``, ``.`` and ``:``.
VK_ID = re.compile(r"[A-Za-z0-9_.:\-]{1,64}", re.ASCII)


def _check_id(vk_id: object) -> str:
    if not isinstance(vk_id, str) or VK_ID.fullmatch(vk_id) is None:
        raise InvalidArgumentError("vk_id", "1 to 64 characters of A-Z a-z 0-9 _ . : -", vk_id)
    return vk_id


class VerifyingKeyRegistry:
    """ZK-REG-1: verifying keys by id. A key is registered once: registering the same id
    again with an equal key changes nothing, with a different key is ``zk_verifying_key_exists``
    (a key under an id never changes, so a proof checked under it stays checked). Looking up
    an id never registered is ``zk_unknown_verifying_key``."""

    def __init__(self) -> None:
        self._keys: dict[str, VerifyingKey] = {}

    def register(self, vk_id: str, vk: VerifyingKey) -> None:
        """ZK-REG-1: register ``vk`` (a checked `VerifyingKey`, from `parse_verifying_key`)
        under ``vk_id``."""
        _check_id(vk_id)
        if not isinstance(vk, VerifyingKey):
            raise ZkError("zk_malformed_verifying_key",
                          f"register {vk_id!r}: expected a VerifyingKey, found "
                          f"{type(vk).__name__}")
        known = self._keys.get(vk_id)
        if known is None:
            self._keys[vk_id] = vk
        elif known != vk:
            raise ZkError("zk_verifying_key_exists",
                          f"register {vk_id!r}: expected an id not yet registered (or the same "
                          f"key again), found another key registered under it")

    def get(self, vk_id: str) -> VerifyingKey:
        """ZK-REG-1: the key registered under ``vk_id``; ``zk_unknown_verifying_key``
        otherwise."""
        _check_id(vk_id)
        try:
            return self._keys[vk_id]
        except KeyError:
            raise ZkError("zk_unknown_verifying_key",
                          f"expected a registered verifying key id, found {vk_id!r} "
                          f"(registered: {len(self._keys)})") from None

    def __contains__(self, vk_id: object) -> bool:
        return isinstance(vk_id, str) and vk_id in self._keys

    def __len__(self) -> int:
        return len(self._keys)

    def ids(self) -> tuple[str, ...]:
        """The registered ids, sorted."""
        return tuple(sorted(self._keys))
