"""`cloudsketch admin`: bootstrap users and API keys straight in identity's database, with no
process running (for scripts and a first Owner). The cloudsketch command starts it as
`python -m services.identity admin ...`, the way it starts identity's other processes.

    cloudsketch admin create-user --email E --name N --role owner [--password P]
    cloudsketch admin create-api-key --email E --mode rw|r [--name NAME]
"""
from __future__ import annotations

import argparse
import logging
import sys

from services.common.database import open_database
from services.common.errors import DomainError
from services.common.logs import setup_logging
from services.identity.domain import MODE_NAMES, Identity
from services.identity.permissions import ROLE_NAMES


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cloudsketch admin", description="Bootstrap users and API keys.")
    commands = parser.add_subparsers(dest="admin_command", required=True)
    create_user = commands.add_parser("create-user")
    create_user.add_argument("--email", required=True)
    create_user.add_argument("--name", required=True)
    create_user.add_argument("--role", required=True, choices=list(ROLE_NAMES))
    create_user.add_argument("--password", help="at least 12 characters; omit for an API-key-only user")
    create_key = commands.add_parser("create-api-key")
    create_key.add_argument("--email", required=True)
    create_key.add_argument("--mode", required=True, choices=list(MODE_NAMES))
    create_key.add_argument("--name", default="API key")
    return parser


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    setup_logging("cloudsketch")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # migrations report in the logs, not here
    identity = Identity(open_database("identity"))
    try:
        if args.admin_command == "create-user":
            user = identity.create_user(args.email, args.name, ROLE_NAMES[args.role], args.password or "")
            print(f"created {args.role} {user.email} (id {user.id})", file=sys.stderr)
        else:
            user = identity.find_user_by_email(args.email)
            _, secret = identity.create_api_key(user.id, args.name, MODE_NAMES[args.mode])
            print(secret)  # only the key on stdout, so scripts can capture it
    except DomainError as exc:
        print(f"cloudsketch admin: {exc}", file=sys.stderr)
        return 1
    finally:
        identity.engine.dispose()
    return 0
