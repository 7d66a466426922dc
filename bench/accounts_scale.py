"""Listing and searching AWS accounts at 10,000 accounts, through the gateway.

Starts the whole stack (bench/_stack.py), stores --accounts accounts straight into the accounts
database (registration verifies each role through STS, which is not what this measures), a tenth
of them shared with a team, and then times, over HTTP with a read-write API key:

- GET /api/aws/account as an Owner (every account) and as a User (the team's accounts only),
  whole (Cloudcraft's answer) and a page of 100 (`?limit=100`, then `&cursor=` for the next);
  identity's GetAuthorizedScope gives the caller's scope, the accounts service filters and pages
  in SQL;
- GET /api/aws/account?search=... as both (a name fragment matching a handful of accounts);
- the accounts api's own ListAccounts time (its grpc_server_handling_seconds).

    .venv/bin/python bench/accounts_scale.py                 # SQLite, 10,000 accounts
    .venv/bin/python bench/accounts_scale.py --postgres      # PostgreSQL

Targets at 10,000 accounts: a page p50 < 200 ms and search p50 < 100 ms; the whole list of
10,000 in one answer p50 < 1.5 s.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import uuid

import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _stack  # noqa: E402  (puts the repository on sys.path)

TARGET_SEARCH_MS = 100.0
TARGET_LIST_MS = 1500.0
TARGET_PAGE_MS = 200.0
PAGE = 100


def seed(count: int) -> tuple[str, str]:
    """Owner and User API keys; `count` accounts, every tenth shared with the User's team."""
    import sqlalchemy as sa

    from cloudsketch.identity.v1 import identity_pb2 as pb
    from services.accounts.tables import accounts
    from services.common.database import open_database
    from services.common.timeutil import utcnow
    from services.identity.domain import Identity

    identity = Identity(open_database("identity"))
    owner = identity.create_user("owner@bench.example", "Owner", pb.ROLE_OWNER)
    user = identity.create_user("user@bench.example", "User", pb.ROLE_USER, actor_id=owner.id)
    team = identity.create_team("Platform", False, owner.id)
    identity.add_team_member(team.id, user.id, owner.id)
    owner_key = identity.create_api_key(owner.id, "bench", pb.API_KEY_MODE_READ_WRITE)[1]
    user_key = identity.create_api_key(user.id, "bench", pb.API_KEY_MODE_READ_WRITE)[1]
    identity.engine.dispose()

    engine = open_database("accounts")
    now = utcnow()
    rows = [dict(id=str(uuid.uuid4()), name=f"account-{i:05d} {'prod' if i % 3 else 'staging'}",
                 role_arn=f"arn:aws:iam::{100000000000 + i}:role/cloudsketch", aws_account_id=str(100000000000 + i),
                 regions=["us-east-1"], creator_id=owner.id, source="manual",
                 read_access=[team.id] if i % 10 == 0 else [], write_access=[], verification_state="verified",
                 verification_message="", verified_at=now, created_at=now, updated_at=now) for i in range(count)]
    with engine.begin() as conn:
        for start in range(0, count, 1000):
            conn.execute(sa.insert(accounts), rows[start:start + 1000])
    engine.dispose()
    return owner_key, user_key


def timed_get(session: requests.Session, url: str, runs: int) -> tuple[list[float], int]:
    times, size = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        reply = session.get(url, timeout=120)
        times.append((time.perf_counter() - started) * 1000)
        reply.raise_for_status()
        size = len(reply.json()["accounts"])
    return sorted(times), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20, help="requests per measured line")
    args = parser.parse_args()

    with _stack.running_stack(postgres=args.postgres) as env:
        started = time.perf_counter()
        owner_key, user_key = seed(args.accounts)
        print(f"seeded {args.accounts:,} accounts in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        base = _stack.gateway_url(env) + "/api/aws/account"
        lines = []
        with _stack.OtherLoad() as load:
            for who, key in (("Owner", owner_key), ("User", user_key)):
                session = requests.Session()
                session.headers["Authorization"] = f"Bearer {key}"
                session.get(base, timeout=120).raise_for_status()  # warm-up
                first_page = session.get(f"{base}?limit={PAGE}", timeout=120).json()
                middle = f"{base}?limit={PAGE}&cursor={first_page['nextCursor']}" if "nextCursor" in first_page \
                    else f"{base}?limit={PAGE}"
                for what, url, target in (("list", base, TARGET_LIST_MS),
                                          ("page", f"{base}?limit={PAGE}", TARGET_PAGE_MS),
                                          ("next", middle, TARGET_PAGE_MS),
                                          ("search", base + "?search=account-0421", TARGET_SEARCH_MS)):
                    times, size = timed_get(session, url, args.runs)
                    lines.append((who, what, size, times, target))
        handling_sum, handling_count = _stack.histogram(_stack.metrics_url(env, "accounts", "api"),
                                                        "grpc_server_handling_seconds", grpc_method="ListAccounts")

    backend = "PostgreSQL" if args.postgres else "SQLite"
    print(f"\nAWS accounts at scale: {args.accounts:,} accounts, {backend}, {os.cpu_count()} cores, "
          f"{args.runs} requests per line, HTTP through the gateway")
    print(load.line())
    print(f"\n{'caller':<7} {'request':<8} {'accounts':>9} {'p50 ms':>9} {'p90 ms':>9} {'max ms':>9}  target")
    for who, what, size, times, target in lines:
        p50 = _stack.percentile(times, 50)
        print(f"{who:<7} {what:<8} {size:>9,} {p50:>9.1f} {_stack.percentile(times, 90):>9.1f} {times[-1]:>9.1f}  "
              f"p50 < {target:,.0f} ms {_stack.verdict(p50 < target)}")
    if handling_count:
        print(f"\naccounts-api ListAccounts: mean {handling_sum / handling_count * 1000:.1f} ms per call "
              f"({int(handling_count)} calls, its own handling time)")


if __name__ == "__main__":
    main()
