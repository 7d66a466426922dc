"""The accounts registry in tests: a role ARN and a verifier that accepts every role."""
from __future__ import annotations

ROLE_ARN = "arn:aws:iam::123456789012:role/cloudsketch"


class AcceptingVerifier:
    """Stands in for STS here, where the subject is the registry; tests/services/accounts/test_verification.py
    verifies roles against moto. Records what it was asked."""

    trusted_account_id = "111122223333"

    def __init__(self):
        self.calls = []

    def __call__(self, **kwargs):
        self.calls.append(kwargs)
        return []
