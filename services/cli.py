"""The `cloudsketch` command.

    cloudsketch up                 run every process against real AWS
    cloudsketch demo               the same against a moto server seeded with a demo estate
    cloudsketch seed-demo          seed the moto server at AWS_ENDPOINT_URL and bootstrap a demo login
    cloudsketch migrate            upgrade every service's database to the newest schema
    cloudsketch admin create-user --email E --name N --role owner [--password P]
    cloudsketch admin create-api-key --email E --mode rw|r [--name NAME]
    cloudsketch prices refresh [--out PATH]  rebuild the budget's price catalog from the AWS Price List API
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import sys

from services.common import config

DATABASE_SERVICES = ("identity", "accounts", "collector", "diagram")


class PreflightFailed(Exception):
    pass


def check_broker() -> None:
    from kombu import Connection

    uri = config.amqp_uri()
    try:
        with Connection(uri, connect_timeout=3) as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
    except Exception as exc:
        raise PreflightFailed(
            f"cannot reach RabbitMQ at {config.redact_url(uri)} ({type(exc).__name__}: {exc}).\n"
            "Start it (e.g. `rabbitmq-server -detached`, or `docker compose up -d rabbitmq`) "
            "or point CLOUDSKETCH_AMQP_URI at yours.") from None


def check_databases() -> None:
    from services.common.database import DatabaseUnavailable, check_reachable

    for service in DATABASE_SERVICES:
        try:
            check_reachable(service)
        except DatabaseUnavailable as exc:
            raise PreflightFailed(f"{exc}.\nStart PostgreSQL or fix CLOUDSKETCH_DATABASE_URL "
                                  "(leave it empty to use SQLite files).") from None


def migrate_all() -> None:
    from services.common.database import open_database

    for service in DATABASE_SERVICES:
        open_database(service).dispose()


def run_stack(with_demo: bool) -> int:
    from services.common.supervisor import StartFailed, Supervisor, moto_child, stack_groups

    supervisor = Supervisor(config.data_dir() / "logs")
    signal.signal(signal.SIGTERM, supervisor.request_stop)
    signal.signal(signal.SIGINT, supervisor.request_stop)
    try:
        check_broker()
        check_databases()
        migrate_all()
        if with_demo:
            port = config.demo_moto_port()
            os.environ.update(AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}", AWS_ACCESS_KEY_ID="testing",
                              AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
            supervisor.start_group([moto_child(port)])
        for group in stack_groups():
            supervisor.start_group(group)
        url = f"http://{'localhost' if config.bind_host() in ('127.0.0.1', '0.0.0.0') else config.bind_host()}" \
              f":{config.gateway_port()}/"
        if with_demo:
            from services.demo import seed_demo

            login = seed_demo(os.environ["AWS_ENDPOINT_URL"])
            supervisor.say(f"\ncloudsketch demo is up: {url}\n"
                           f"  login    {login.email} / {login.password}\n"
                           f"  API key  {login.api_key}\n"
                           f"  try      curl -H 'Authorization: Bearer {login.api_key}' {url}api/aws/account\n"
                           "Ctrl-C stops everything.")
        else:
            supervisor.say(f"\ncloudsketch is up: {url}   (Ctrl-C stops everything)")
        code = supervisor.wait()
    except (PreflightFailed, StartFailed) as exc:
        print(f"cloudsketch: {exc}", file=sys.stderr)
        code = 2
    finally:
        supervisor.stop_all()
    return code


def admin(args) -> int:
    from services.common.database import open_database
    from services.common.errors import DomainError
    from services.identity.domain import MODE_NAMES, ROLE_NAMES, Identity

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
    return 0


def seed_demo_command(args) -> int:
    from services.demo import seed_demo

    endpoint = args.endpoint or os.environ.get("AWS_ENDPOINT_URL", "")
    if not endpoint:
        print("cloudsketch seed-demo: set AWS_ENDPOINT_URL (or --endpoint) to the moto server", file=sys.stderr)
        return 2
    login = seed_demo(endpoint)
    print(f"demo login {login.email} / {login.password}\nAPI key {login.api_key}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cloudsketch", description="Live AWS architecture diagrams, "
                                     "budgets and status.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("up", help="run every process (RabbitMQ must be running)")
    commands.add_parser("demo", help="run every process against a simulated AWS estate (moto)")
    seed = commands.add_parser("seed-demo", help="seed the moto server and create the demo login")
    seed.add_argument("--endpoint", help="moto server URL (default: AWS_ENDPOINT_URL)")
    commands.add_parser("migrate", help="upgrade every service's database schema")
    admin_parser = commands.add_parser("admin", help="bootstrap users and API keys")
    admin_commands = admin_parser.add_subparsers(dest="admin_command", required=True)
    create_user = admin_commands.add_parser("create-user")
    create_user.add_argument("--email", required=True)
    create_user.add_argument("--name", required=True)
    create_user.add_argument("--role", required=True, choices=["owner", "administrator", "user", "viewer"])
    create_user.add_argument("--password", help="at least 12 characters; omit for an API-key-only user")
    create_key = admin_commands.add_parser("create-api-key")
    create_key.add_argument("--email", required=True)
    create_key.add_argument("--mode", required=True, choices=["r", "rw"])
    create_key.add_argument("--name", default="API key")
    prices = commands.add_parser("prices", help="the budget's price catalog")
    refresh = prices.add_subparsers(dest="prices_command", required=True).add_parser(
        "refresh", help="rebuild the price catalog from the AWS Price List API (needs AWS credentials)")
    refresh.add_argument("--out", help="where to write it (default: the packaged catalog)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from services.common.logs import setup_logging

    setup_logging("cloudsketch")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # migrations report in the logs, not here
    if args.command in ("up", "demo"):
        if args.command == "demo":
            # The demo's users and accounts stay apart from a real installation's: SQLite files
            # in their own folder, whatever CLOUDSKETCH_DATABASE_URL says.
            os.environ["CLOUDSKETCH_DATA_DIR"] = str(config.data_dir() / "demo")
            os.environ["CLOUDSKETCH_DATABASE_URL"] = ""
        return run_stack(with_demo=args.command == "demo")
    if args.command == "seed-demo":
        return seed_demo_command(args)
    if args.command == "prices":
        from services.budget.refresh import refresh_command

        return refresh_command(args.out)
    try:
        if args.command == "migrate":
            check_databases()
            migrate_all()
            return 0
        return admin(args)
    except PreflightFailed as exc:
        print(f"cloudsketch: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
