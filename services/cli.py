"""The `cloudsketch` command.

    cloudsketch up                 run every process against real AWS
    cloudsketch demo               the same against a moto server seeded with a demo estate, from a
                                   clean state each time (<data dir>/demo is emptied first)
    cloudsketch seed-demo          seed the moto server at AWS_ENDPOINT_URL and bootstrap a demo login
    cloudsketch migrate            upgrade every service's database to the newest schema
    cloudsketch admin create-user --email E --name N --role owner [--password-prompt | --password-stdin]
    cloudsketch admin create-api-key --email E --mode rw|r [--name NAME]
    cloudsketch prices refresh [--out PATH]  rebuild the budget's price catalog from the AWS Price List API
"""
from __future__ import annotations

import argparse
import logging
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

from services.common import config
from services.common.processes import RUNNING_SERVICES


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

    for service in RUNNING_SERVICES:
        try:
            check_reachable(service)
        except DatabaseUnavailable as exc:
            raise PreflightFailed(f"{exc}.\nStart PostgreSQL or fix CLOUDSKETCH_DATABASE_URL "
                                  "(leave it empty to use SQLite files).") from None


def migrate_all() -> None:
    from services.common.database import open_database

    for service in RUNNING_SERVICES:
        open_database(service).dispose()


def start_clean_demo(data_dir: Path) -> Path:
    """The demo's own data directory, `<data dir>/demo`, emptied: every demo run gets a new moto
    server with a new estate (new resource ids), so state kept from an earlier run would only
    disagree with it. The demo's users and accounts stay apart from a real installation's (SQLite
    files in this folder, whatever CLOUDSKETCH_DATABASE_URL says); nothing else is removed."""
    demo_dir = data_dir / "demo"
    if demo_dir.exists():
        shutil.rmtree(demo_dir)
    demo_dir.mkdir(parents=True)
    return demo_dir


def run_stack(with_demo: bool) -> int:
    from services.common.supervisor import StartFailed, Supervisor, moto_child, stack_groups

    if not config.internal_token():
        # One token per run, for every child (they inherit the environment): even on 127.0.0.1,
        # another local user's process cannot call the apis (docs/security.md).
        os.environ["CLOUDSKETCH_INTERNAL_TOKEN"] = secrets.token_urlsafe(32)
    supervisor = Supervisor(config.data_dir() / "logs")
    supervisor.stop_signal.install()
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


def admin(argv: list[str]) -> int:
    """identity's own admin command (services/identity/admin.py), as a process of its own."""
    return subprocess.call([sys.executable, "-m", "services.identity", "admin", *argv])


def seed_demo_command(args) -> int:
    from services.demo import seed_demo

    endpoint = args.endpoint or os.environ.get("AWS_ENDPOINT_URL", "")
    if not endpoint:
        print("cloudsketch seed-demo: set AWS_ENDPOINT_URL (or --endpoint) to the moto server", file=sys.stderr)
        return 2
    login = seed_demo(endpoint)
    print(f"demo login {login.email} / {login.password or '(unchanged: set by an earlier seed)'}\n"
          f"API key {login.api_key}")
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
    commands.add_parser("admin", help="bootstrap users and API keys (cloudsketch admin --help)", add_help=False)
    prices = commands.add_parser("prices", help="the budget's price catalog")
    refresh = prices.add_subparsers(dest="prices_command", required=True).add_parser(
        "refresh", help="rebuild the price catalog from the AWS Price List API (needs AWS credentials)")
    refresh.add_argument("--out", help="where to write it (default: the packaged catalog)")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["admin"]:
        return admin(argv[1:])
    args = build_parser().parse_args(argv)
    from services.common.logs import setup_logging

    setup_logging("cloudsketch")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # migrations report in the logs, not here
    if args.command in ("up", "demo"):
        if args.command == "demo":
            demo_dir = start_clean_demo(config.data_dir())
            print(f"cloudsketch demo: starting from a clean state in {demo_dir} "
                  "(the previous demo's users, accounts, sync state and logs are gone)", flush=True)
            os.environ["CLOUDSKETCH_DATA_DIR"] = str(demo_dir)
            os.environ["CLOUDSKETCH_DATABASE_URL"] = ""
        return run_stack(with_demo=args.command == "demo")
    if args.command == "seed-demo":
        return seed_demo_command(args)
    if args.command == "prices":  # budget's own command, as a process of its own
        return subprocess.call([sys.executable, "-m", "services.budget", "prices-refresh",
                                *(["--out", args.out] if args.out else [])])
    try:
        check_databases()  # the command is "migrate"
        migrate_all()
        return 0
    except PreflightFailed as exc:
        print(f"cloudsketch: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
