"""AWS for tests: the environment that keeps boto3 on moto, and the collector's permissions."""
from __future__ import annotations


def collector_permissions():
    """What the collector's declarations need, as accounts receives them from collector-api's
    GetRequiredPermissions (both sides' code, without the network)."""
    from services.accounts.onboarding import RequiredPermissions
    from services.collector.declarations import required_permissions

    return RequiredPermissions.from_proto(required_permissions())


# moto accepts any keys; these keep boto3 from looking for real ones.
AWS_TEST_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
