"""The accounts registry in tests: a role ARN and a verifier that accepts every role."""
from __future__ import annotations

ROLE_ARN = "arn:aws:iam::123456789012:role/cloudsketch"


class AcceptingVerifier:
    """Stands in for STS in tests whose subject is the registry (roles are verified against moto
    in tests/services/accounts/test_verification.py). Records what it was asked."""

    trusted_account_id = "111122223333"

    def __init__(self):
        self.calls = []

    def __call__(self, **kwargs):
        self.calls.append(kwargs)
        return []
