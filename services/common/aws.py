"""AWS clients in one configuration, and role assumption with an External ID.

boto3 honours AWS_ENDPOINT_URL by itself (a moto server in the demo and tests). Credentials that
STS hands out live in memory only (docs/architecture.md: never stored).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import boto3
import botocore.loaders
import botocore.session
from botocore.config import Config

# Standard retry mode backs off on throttling with jitter; explicit timeouts so that a stuck
# endpoint cannot hang a sync or a verification.
CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 6}, connect_timeout=5, read_timeout=30,
                       max_pool_connections=32)
# For a person waiting on an answer (verifying a role): fewer, shorter retries.
INTERACTIVE_CONFIG = CLIENT_CONFIG.merge(Config(retries={"mode": "standard", "max_attempts": 3}, read_timeout=15))


@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: datetime

    def __repr__(self) -> str:  # never print a secret
        return f"Credentials(access_key_id={self.access_key_id[:4]}..., expiration={self.expiration})"


class _SearchPaths(list):
    """boto3.Session appends its own data folder to its loader's search paths, once per session:
    the shared loader keeps one copy instead of a list that grows with every account synced."""

    def append(self, path: str) -> None:
        if path not in self:
            super().append(path)


# One loader for the whole process. A new botocore session would otherwise read and parse every
# service's model again (megabytes of JSON for EC2): that was three quarters of a sync's CPU and
# most of its memory. The loader caches what it parsed and never changes it, so sessions (one per
# connected account, each with credentials of its own) can share it.
_SHARED_LOADER = botocore.loaders.create_loader()
_SHARED_LOADER._search_paths = _SearchPaths(_SHARED_LOADER.search_paths)


def botocore_session() -> botocore.session.Session:
    """A new botocore session (credentials of its own) over the process's shared model loader."""
    session = botocore.session.get_session()
    session.register_component("data_loader", _SHARED_LOADER)
    return session


def client(service: str, region: str, credentials: Credentials | None = None, config: Config = CLIENT_CONFIG):
    """A client for `service` in `region`: cloudsketch's own identity, or assumed credentials.
    STS clients use the region's own endpoint (regional STS), which keeps working when a
    region's global endpoint is unreachable and lets an SCP that blocks a region show as such."""
    keys = {}
    if credentials is not None:
        keys = dict(aws_access_key_id=credentials.access_key_id, aws_secret_access_key=credentials.secret_access_key,
                    aws_session_token=credentials.session_token)
    return boto3.Session(botocore_session=botocore_session()).client(service, region_name=region, config=config,
                                                                     **keys)


def assume_role(role_arn: str, external_id: str, region: str, session_name: str,
                duration_seconds: int = 3600, config: Config = CLIENT_CONFIG) -> Credentials:
    reply = client("sts", region, config=config).assume_role(RoleArn=role_arn, RoleSessionName=session_name,
                                              ExternalId=external_id, DurationSeconds=duration_seconds)
    creds = reply["Credentials"]
    return Credentials(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"], creds["Expiration"])


def own_account_id(region: str = "us-east-1") -> str:
    """The AWS account cloudsketch itself runs as (the account roles must trust)."""
    return client("sts", region).get_caller_identity()["Account"]
