"""What account health costs: the access check every sync now starts with, and a lost account.

Starts a moto server, registers --accounts accounts in an accounts database of its own (SQLite in a
temporary directory) and times, in-process, accounts' VerifyAccountAccess check:

- of an account whose role works (AssumeRole, GetCallerIdentity, GetRole, the role's policies);
- of an account whose role was deleted (the check that ends a lost account's sync);

and counts the AWS calls each makes (through tests/helpers/aws_faults.py's proxy, which only
forwards here). moto answers in place of AWS, so the times are cloudsketch's own overhead plus
moto's, not AWS's latency (docs/architecture.md, "Measured facts").

    .venv/bin/python bench/access_check.py [--accounts 20]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)


def start_moto(port: int) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              env={**os.environ, "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=1)
            return server
        except OSError:
            time.sleep(0.1)
    raise SystemExit("moto did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=20)
    args = parser.parse_args()

    from services.common.supervisor import free_port
    from tests.helpers.aws import AWS_TEST_ENV
    from tests.helpers.aws_faults import FaultProxy

    port = free_port()
    moto = start_moto(port)
    directory = tempfile.mkdtemp(prefix="bench-access-")
    os.environ.update(AWS_TEST_ENV, CLOUDSKETCH_DATA_DIR=directory, CLOUDSKETCH_DATABASE_URL="",
                      CLOUDSKETCH_AWS_ACCOUNT_ID="")
    try:
        with FaultProxy(f"http://127.0.0.1:{port}") as proxy:
            os.environ["AWS_ENDPOINT_URL"] = proxy.url
            run(args.accounts, proxy)
    finally:
        moto.terminate()
        moto.wait(timeout=10)


def run(count: int, proxy) -> None:
    from services.accounts.domain import Accounts
    from services.accounts.verification import RoleVerifier
    from services.common.database import open_database
    from services.demo import account_client, ensure_role
    from tests.helpers.aws import collector_permissions

    accounts = Accounts(open_database("accounts"), RoleVerifier(), required_permissions=collector_permissions)
    moto = proxy.upstream
    ids = []
    for index in range(count):
        aws_account_id = f"7{index:011d}"
        role_arn = ensure_role(moto, accounts.external_id(), aws_account_id, "cloudsketch-readonly",
                               trusted_account_id="123456789012")
        ids.append((accounts.create_account(f"bench {index}", role_arn, "bench", ["us-east-1"]).id, aws_account_id))

    def timed(label: str) -> None:
        seconds, calls = [], Counter()
        for account_id, _ in ids:
            before = len(proxy.seen)
            started = time.perf_counter()
            accounts.verify_access(account_id)
            seconds.append(time.perf_counter() - started)
            calls.update(proxy.seen[before:])
        per_check = sum(calls.values()) / len(ids)
        print(f"{label}: {len(ids)} checks, p50 {statistics.median(seconds) * 1000:.1f} ms, "
              f"max {max(seconds) * 1000:.1f} ms, {per_check:.1f} AWS calls each "
              f"({', '.join(f'{a} {n // len(ids)}' for a, n in sorted(calls.items()))})")

    timed("role works")
    for _, aws_account_id in ids:
        iam = account_client("iam", moto, aws_account_id)
        for policy in iam.list_attached_role_policies(RoleName="cloudsketch-readonly")["AttachedPolicies"]:
            iam.detach_role_policy(RoleName="cloudsketch-readonly", PolicyArn=policy["PolicyArn"])
        iam.delete_role(RoleName="cloudsketch-readonly")
    timed("role deleted (becomes lost)")
    timed("role deleted (still lost)")
    print(f"states: {accounts.access_counts()}")


if __name__ == "__main__":
    main()
