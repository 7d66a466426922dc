"""Per-service databases: SQLite files or one PostgreSQL schema per service, migrated by Alembic."""
from __future__ import annotations

import importlib
import subprocess
import sys

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from services.common import database
from services.common.processes import RUNNING_SERVICES as SERVICES_WITH_DATABASE


@pytest.mark.parametrize("service", SERVICES_WITH_DATABASE)
def test_migrations_build_exactly_the_tables_the_code_uses(database_url, service):
    engine = database.open_database(service)
    metadata = importlib.import_module(f"services.{service}.tables").metadata
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    assert diff == [], f"services/{service}/tables.py and its migrations disagree: {diff}"


def test_each_service_has_its_own_store(database_url, tmp_path):
    for service in SERVICES_WITH_DATABASE:
        database.open_database(service).dispose()
    if not database_url:
        assert (sorted(p.name for p in (tmp_path / "data").glob("*.db"))
                == [f"{s}.db" for s in sorted(SERVICES_WITH_DATABASE)])
        return
    engine = sa.create_engine(database.engine_url("identity"))
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema = ANY(:schemas)"), {"schemas": list(SERVICES_WITH_DATABASE)}).all()
    engine.dispose()
    tables = {(schema, name) for schema, name in rows}
    assert ("identity", "users") in tables and ("accounts", "accounts") in tables
    assert ("diagram", "live_blueprints") in tables and ("collector", "leases") in tables
    assert ("identity", "accounts") not in tables  # no service sees another's tables


def test_concurrent_processes_migrate_once(database_url):
    """The api and worker of a service start together; both upgrade under a lock."""
    script = "from services.common.database import open_database; open_database('diagram').dispose()"
    procs = [subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE, text=True) for _ in range(4)]
    errors = [p.communicate(timeout=60)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, errors
    head = ScriptDirectory(str(database.migrations_dir("diagram"))).get_current_head()
    engine = database.open_database("diagram")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all() == [head]
    engine.dispose()


def test_unreachable_database_is_named_without_its_password():
    url = "postgresql://cloudsketch:s3cret@127.0.0.1:1/cloudsketch"
    with pytest.raises(database.DatabaseUnavailable) as caught:
        database.check_reachable("identity", url)
    message = str(caught.value)
    assert "postgresql+psycopg://cloudsketch:***@127.0.0.1:1/cloudsketch" in message
    assert "s3cret" not in message


def test_engine_url_forms(monkeypatch, tmp_path):
    monkeypatch.setenv("CLOUDSKETCH_DATA_DIR", str(tmp_path))
    assert database.engine_url("budget", "") == f"sqlite:///{tmp_path / 'budget.db'}"
    assert database.engine_url("budget", "postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database.engine_url("budget", "postgresql://u@h/db") == "postgresql+psycopg://u@h/db"


def test_a_failed_statement_names_no_bound_parameter(database_url):
    """Errors are logged; their parameters may be password or key hashes (a NUL in a name once
    put an Argon2 hash into a log line on PostgreSQL)."""
    engine = database.open_database("identity")
    secret = "$argon2id$v=19$m=65536,t=3,p=4$c2VjcmV0LXNhbHQ"
    with pytest.raises(sa.exc.StatementError) as failed:
        with engine.begin() as conn:
            # A NUL that PostgreSQL refuses, or (SQLite) a value of the wrong type for the bind.
            conn.execute(sa.text("SELECT :hash, :bad"), {"hash": secret, "bad": "a\x00b" if database_url else object()})
    assert secret not in str(failed.value) and "hidden" in str(failed.value)
    engine.dispose()
