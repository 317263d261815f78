"""The errors of the privacy layer (spec/privacy.md, ZK-API-1 and the table of error kinds).

Every failure of parsing or verifying a Groth16 proof is a `ZkError` whose ``kind`` is one of
the canonical kinds of `ZK_ERROR_KINDS` and whose ``rule`` is the rule id that was broken; the
kind is what fixtures, receipts and the command line report, the message is for people.
"""

from __future__ import annotations

from ..errors import SuperVMError

#: ZK-API-1: every canonical error kind and the rule that raises it, in the order of the table
#: of spec/privacy.md section 9.
ZK_ERROR_KINDS: dict[str, str] = {
    "zk_malformed_json": "ZK-JSON-1",
    "zk_input_too_large": "ZK-LIMIT-1",
    "zk_malformed_verifying_key": "ZK-VK-1",
    "zk_malformed_proof": "ZK-PROOF-1",
    "zk_malformed_public_inputs": "ZK-PUBLIC-1",
    "zk_unsupported_protocol": "ZK-JSON-3",
    "zk_unsupported_curve": "ZK-JSON-3",
    "zk_malformed_decimal": "ZK-JSON-2",
    "zk_coordinate_out_of_range": "ZK-FIELD-1",
    "zk_public_input_out_of_range": "ZK-FIELD-2",
    "zk_point_not_normalized": "ZK-POINT-1",
    "zk_point_at_infinity": "ZK-POINT-2",
    "zk_point_not_on_curve": "ZK-POINT-3",
    "zk_point_not_in_subgroup": "ZK-POINT-4",
    "zk_public_input_count": "ZK-VERIFY-2",
    "zk_proof_invalid": "ZK-VERIFY-1",
    "zk_unknown_verifying_key": "ZK-REG-1",
    "zk_verifying_key_exists": "ZK-REG-1",
    "zk_backend_unavailable": "ZK-BACKEND-1",
}


class ZkError(SuperVMError):
    """ZK-API-1: a proof, a verifying key or public inputs were rejected, or a verifier could
    not run. ``kind`` is canonical (a key of `ZK_ERROR_KINDS`), ``rule`` the rule id broken,
    and the message says what was expected and what was found, and where."""

    def __init__(self, kind: str, message: str) -> None:
        if kind not in ZK_ERROR_KINDS:  # pragma: no cover - a bug of this package
            raise ValueError(f"not a canonical zk error kind: {kind!r}")
        self.kind = kind
        self.rule = ZK_ERROR_KINDS[kind]
        self.detail = message
        super().__init__(f"{kind}: {message} ({self.rule})")
