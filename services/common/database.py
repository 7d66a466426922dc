"""The one way to open a service's database, migrated to its newest schema.

- CLOUDSKETCH_DATABASE_URL empty: SQLite, one file per service under CLOUDSKETCH_DATA_DIR.
- CLOUDSKETCH_DATABASE_URL=postgresql://...: that database, with one schema per service (named
  after the service), so services share a server but never each other's tables.

Each service keeps Alembic migrations in services/<service>/migrations/. Every process that opens
the database upgrades it to head first, under a lock, so the api and worker of one service (or
several replicas) can start together.
"""
from __future__ import annotations

import _socket
import contextlib
import fcntl
import logging
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy.engine import Engine

from services.common import config

log = logging.getLogger(__name__)

SERVICES_DIR = Path(__file__).resolve().parent.parent


class DatabaseUnavailable(Exception):
    """The database cannot be reached; the message names the (redacted) URL tried."""


def engine_url(service: str, database_url: str | None = None) -> str:
    url = config.database_url() if database_url is None else database_url
    if not url:
        directory = config.data_dir()
        directory.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{directory / f'{service}.db'}"
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain):]
    return url


def create_engine(service: str, database_url: str | None = None) -> Engine:
    """The service's engine. Bound parameters never appear in its errors (hide_parameters): a
    failed statement's message is logged, and its parameters may be password hashes, API key
    hashes or an External ID."""
    url = engine_url(service, database_url)
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30}, hide_parameters=True)

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _):
            # WAL lets the api read while the worker writes; foreign keys are off by default.
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
        return engine
    # No pool_pre_ping: its round trip was a third of AuthenticateApiKey's database time. Instead, a
    # check on checkout that costs no round trip, and pool_recycle below the idle timeouts of cloud
    # NATs and load balancers (Azure 4 min, AWS 350 s), which drop idle connections silently.
    engine = sa.create_engine(
        url, pool_size=10, max_overflow=10, pool_recycle=240, hide_parameters=True,
        connect_args={"options": f"-csearch_path={service}", "connect_timeout": 5},
    )
    sa.event.listen(engine, "checkout", _drop_if_closed_by_server)
    return engine


def _drop_if_closed_by_server(dbapi_conn, connection_record, connection_proxy) -> None:
    """Replaces a pooled PostgreSQL connection that the server has closed (restart, failover,
    pg_terminate_backend, idle_session_timeout) before it is used; the pool then connects anew.
    The server says goodbye (an error message, then end of stream), so a non-blocking peek at the
    socket tells without a round trip: an idle connection in good health has nothing to read."""
    if dbapi_conn.closed:
        raise sa.exc.DisconnectionError("connection closed")
    # The C-level socket, which eventlet does not patch: never yields in a worker either. It wraps
    # the connection's descriptor without owning it; detach() hands it back unclosed.
    sock = _socket.socket(fileno=dbapi_conn.fileno())
    try:
        waiting = sock.recv(1, _socket.MSG_PEEK | _socket.MSG_DONTWAIT)
    except BlockingIOError:
        return  # nothing to read: alive
    except OSError as exc:
        raise sa.exc.DisconnectionError(f"connection broken: {exc}") from exc
    finally:
        sock.detach()
    raise sa.exc.DisconnectionError("the server sent a message to an idle connection (its goodbye)"
                                    if waiting else "connection closed by the server")


def check_reachable(service: str, database_url: str | None = None) -> None:
    url = engine_url(service, database_url)
    engine = create_engine(service, database_url)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as exc:
        raise DatabaseUnavailable(
            f"cannot reach the database at {config.redact_url(url)}: {str(exc).splitlines()[0]}") from exc
    finally:
        engine.dispose()


def migrations_dir(service: str) -> Path:
    return SERVICES_DIR / service / "migrations"


@contextlib.contextmanager
def _migration_lock(engine: Engine, service: str):
    """Serialises migrations of one service across processes."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            # The lock first: CREATE SCHEMA IF NOT EXISTS is not safe against itself (two processes
            # can both find no schema, and the second fails on the catalogue's unique index).
            conn.execute(sa.text("SELECT pg_advisory_lock(hashtext(:key))"), {"key": f"cloudsketch.migrate.{service}"})
            conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{service}"'))
            conn.commit()
            try:
                yield
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(hashtext(:key))"),
                             {"key": f"cloudsketch.migrate.{service}"})
                conn.commit()
    else:
        if not engine.url.database:
            raise ValueError(f"no database file to lock in {engine.url}")
        lock_path = Path(engine.url.database + ".migrate.lock")
        with open(lock_path, "w") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)


def migrate(engine: Engine, service: str) -> None:
    """Upgrade the service's schema to the newest migration."""
    alembic_cfg = AlembicConfig()
    alembic_cfg.set_main_option("script_location", str(migrations_dir(service)))
    with _migration_lock(engine, service):
        with engine.begin() as conn:
            alembic_cfg.attributes["connection"] = conn
            command.upgrade(alembic_cfg, "head")


def open_database(service: str, database_url: str | None = None) -> Engine:
    """An engine for the service's database, reachable and migrated."""
    check_reachable(service, database_url)
    engine = create_engine(service, database_url)
    migrate(engine, service)
    return engine


def read_connection(engine: Engine):
    """A connection for single-statement reads (and idempotent one-row writes) on hot paths: on
    PostgreSQL in autocommit, which saves the BEGIN and COMMIT round trips of a transaction."""
    if engine.dialect.name == "postgresql":
        return engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    return engine.connect()


def insert_if_absent(conn, table: sa.Table, **values):
    """INSERT that does nothing when the primary or a unique key already exists (PostgreSQL and
    SQLite: ON CONFLICT DO NOTHING), for idempotent event handlers and first-use defaults."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert
        return postgresql_insert(table).values(**values).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert
    return sqlite_insert(table).values(**values).on_conflict_do_nothing()


def run_migrations_online() -> None:
    """Body of every service's migrations/env.py: run on the connection migrate() passes in."""
    from alembic import context

    connection = context.config.attributes["connection"]
    context.configure(connection=connection, target_metadata=None, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def lock_table_for_writes(conn, table: sa.Table) -> None:
    """Serialises this transaction against every other transaction that writes `table`, until it
    commits; readers go on. For check-then-write rules that no constraint can express ("no user
    yet", "at least one Owner"). Call it first in the transaction.

    PostgreSQL: LOCK TABLE ... IN SHARE ROW EXCLUSIVE MODE (conflicts with itself and with the
    ROW EXCLUSIVE lock that INSERT, UPDATE and DELETE take). SQLite: a write that changes nothing
    as the transaction's first statement takes the database's write lock at once (what BEGIN
    IMMEDIATE does), waiting for it as long as the busy timeout allows; reads made after it see
    every commit before it."""
    name = conn.dialect.identifier_preparer.format_table(table)
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text(f"LOCK TABLE {name} IN SHARE ROW EXCLUSIVE MODE"))
    else:
        conn.execute(sa.text(f"UPDATE {name} SET rowid = rowid WHERE 0"))
