"""Gas of the host functions (spec/host-abi.md, table "Gas"; rule HOST-GAS-2).

Every host function charges ``BASE + PER_BYTE * bytes`` where the bytes are those it moves
between memory, storage and events. Hash functions charge per 32-byte word like the EVM's
precompiles. The constants live here only; each host function adds them up itself, in its
``# GAS`` step, and charges the sum through `HostEnv.charge` (HOST-GAS-1).
"""

from __future__ import annotations

STORAGE_GET_BASE = 100          # + key bytes + value bytes
STORAGE_READ_VALUE_BASE = 10    # + bytes copied
STORAGE_SET_BASE = 200          # + key bytes + value bytes
STORAGE_DELETE_BASE = 100       # + key bytes
STORAGE_SCAN_BASE = 100         # + prefix bytes + SCAN_PER_ENTRY per entry + encoded bytes
STORAGE_SCAN_PER_ENTRY = 10
CHAIN_READ = 1                  # block_number, timestamp, events_len
EMIT_EVENT_BASE = 50            # + event bytes
READ_EVENT_BASE = 10            # + bytes copied
PER_BYTE = 1

SHA256_BASE = 60                # + SHA256_PER_WORD per 32-byte word of input
SHA256_PER_WORD = 12
KECCAK256_BASE = 30             # + KECCAK256_PER_WORD per 32-byte word of input
KECCAK256_PER_WORD = 6
VERIFY_ED25519_BASE = 2000      # + message bytes
VERIFY_SECP256K1 = 3000
DERIVE_ETH_ADDRESS = 100


def words(n: int) -> int:
    """The number of 32-byte words covering ``n`` bytes."""
    return (n + 31) // 32
