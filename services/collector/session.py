"""An AWS account as the collector sees it: assumed-role credentials that refresh themselves,
one client per service and region, and every API call bounded and counted.

Credentials live in this object only (docs/architecture.md: never stored). botocore's RefreshableCredentials
assumes the role again before the credentials expire (15 minutes ahead, or at once within the
last 10), so a sync longer than the role session never signs with expired credentials; when AWS
still answers ExpiredToken (clock skew, a revoked session) the engine calls `refresh()`.
"""
from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass

import boto3
from botocore.config import Config
from botocore.credentials import RefreshableCredentials
from eventlet.semaphore import Semaphore

from services.common import aws

# AWS error codes, grouped by what the collector does about them.
ACCESS_DENIED = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError",
                           "UnauthorizedAccess", "Forbidden", "403"})
# What an AWS region that is not enabled for the account answers to valid credentials.
REGION_DISABLED = frozenset({"AuthFailure", "UnrecognizedClientException", "InvalidClientTokenId", "OptInRequired"})
THROTTLED = frozenset({"Throttling", "ThrottlingException", "ThrottledException", "RequestLimitExceeded",
                       "TooManyRequestsException", "RequestThrottled", "RequestThrottledException", "SlowDown",
                       "ProvisionedThroughputExceededException", "BandwidthLimitExceeded"})
EXPIRED = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired"})


@dataclass
class CallStats:
    """API calls a sync made: how many, and the time spent inside them (their sum over the sync's
    wall time is the effective concurrency)."""
    calls: int = 0
    busy_seconds: float = 0.0

    def record(self, seconds: float) -> None:
        self.calls += 1
        self.busy_seconds += seconds


class AccountSession:
    def __init__(self, role_arn: str, external_id: str, home_region: str, *, session_name: str = "cloudsketch",
                 account_concurrency: int = 32, service_concurrency: int = 8, assume=aws.assume_role):
        self._assume = lambda: assume(role_arn, external_id, home_region, session_name)
        self.assumed = 0
        self.credentials = RefreshableCredentials.create_from_metadata(
            metadata=self._fresh(), refresh_using=self._fresh, method="sts-assume-role")
        core = aws.botocore_session()
        core._credentials = self.credentials  # the documented way to give a session refreshable credentials
        self._session = boto3.Session(botocore_session=core)
        self._config = aws.CLIENT_CONFIG.merge(Config(max_pool_connections=service_concurrency))
        self._account_limit = Semaphore(account_concurrency)
        self._service_concurrency = service_concurrency
        self._service_limits: dict[tuple[str, str], Semaphore] = {}
        self._clients: dict[tuple[str, str], object] = {}
        self._lock = threading.Lock()
        self.stats = CallStats()

    def _fresh(self) -> dict:
        creds = self._assume()
        self.assumed += 1
        return {"access_key": creds.access_key_id, "secret_key": creds.secret_access_key,
                "token": creds.session_token, "expiry_time": creds.expiration.isoformat()}

    def refresh(self) -> None:
        """Assume the role again now (AWS said the credentials expired)."""
        with self.credentials._refresh_lock:
            self.credentials._protected_refresh(is_mandatory=True)

    def client(self, service: str, region: str):
        """The one client for `service` in `region`, its calls bounded per account and per
        service-region (AWS's rate limits are per account, region and API) and counted."""
        key = (service, region)
        with self._lock:
            if key not in self._clients:
                # boto3 reads AWS_ENDPOINT_URL by itself, but only an explicit endpoint also turns
                # endpoint discovery off: Timestream would otherwise send its calls to the cell
                # endpoint AWS's DescribeEndpoints names, past the moto server.
                client = self._session.client(service, region_name=region, config=self._config,
                                              endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None)
                limit = self._service_limits.setdefault(key, Semaphore(self._service_concurrency))
                self._bound(client, service, limit)
                self._clients[key] = client
            return self._clients[key]

    def _bound(self, client, service: str, service_limit: Semaphore) -> None:
        # Every call, paginated or not, goes through the client's _make_api_call: wrapping it on
        # the instance bounds and counts each call, including those a paginator makes.
        make_api_call = client._make_api_call
        stats, account_limit = self.stats, self._account_limit

        def bounded_call(operation_name, api_params):
            with service_limit, account_limit:  # wait for the service first: never hold an account slot idle
                started = time.perf_counter()
                try:
                    return make_api_call(operation_name, api_params)
                finally:
                    stats.record(time.perf_counter() - started)

        client._make_api_call = bounded_call
