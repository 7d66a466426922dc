"""`cloudsketch admin`: bootstrap users and API keys straight in identity's database, with no
process running (for scripts and a first Owner). The cloudsketch command starts it as
`python -m services.identity admin ...`, the way it starts identity's other processes.

    cloudsketch admin create-user --email E --name N --role owner [--password-prompt | --password-stdin]
    cloudsketch admin create-api-key --email E --mode rw|r [--name NAME]

A password never goes on the command line (shell history, `ps`, /proc/<pid>/cmdline): it is
asked for on the terminal (--password-prompt, twice, not echoed) or read from the first line of
standard input (--password-stdin, for scripts: `printf %s "$PW" | cloudsketch admin ...`).
"""
from __future__ import annotations

import argparse
import getpass
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
    # allow_abbrev=False: "--password" must not be taken for "--password-stdin".
    create_user = commands.add_parser("create-user", allow_abbrev=False,
                                      description="Without a password option: a user who signs in with API keys only.")
    create_user.add_argument("--email", required=True)
    create_user.add_argument("--name", required=True)
    create_user.add_argument("--role", required=True, choices=list(ROLE_NAMES))
    source = create_user.add_mutually_exclusive_group()
    source.add_argument("--password-prompt", action="store_true",
                        help="ask for the password on the terminal (at least 12 characters)")
    source.add_argument("--password-stdin", action="store_true",
                        help="read the password from the first line of standard input (for scripts)")
    source.add_argument("--password", help=argparse.SUPPRESS)  # refused with a pointer, in read_password
    create_key = commands.add_parser("create-api-key")
    create_key.add_argument("--email", required=True)
    create_key.add_argument("--mode", required=True, choices=list(MODE_NAMES))
    create_key.add_argument("--name", default="API key")
    return parser


class PasswordError(Exception):
    pass


def read_password(args) -> str:
    """The new user's password from the terminal or stdin; "" for an API-key-only user."""
    if args.password is not None:
        raise PasswordError("--password would leave the password in shell history and the process list; "
                            "use --password-prompt or --password-stdin")
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if args.password_prompt:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != password:
            raise PasswordError("the passwords differ")
        return password
    return ""


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        password = read_password(args) if args.admin_command == "create-user" else ""
    except PasswordError as exc:
        print(f"cloudsketch admin: {exc}", file=sys.stderr)
        return 2
    setup_logging("cloudsketch")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # migrations report in the logs, not here
    identity = Identity(open_database("identity"))
    try:
        if args.admin_command == "create-user":
            user = identity.create_user(args.email, args.name, ROLE_NAMES[args.role], password)
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
