"""Reading a running stack's databases directly."""
from __future__ import annotations

import sqlalchemy as sa


def stored_rows(env: dict, service: str, table: str, column: str, value: str) -> int:
    """Rows of a service's own table that name `value`, read straight from its database."""
    url = env["CLOUDSKETCH_DATABASE_URL"]
    if url:
        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1),
                                  connect_args={"options": f"-csearch_path={service}"})
    else:
        engine = sa.create_engine(f"sqlite:///{env['CLOUDSKETCH_DATA_DIR']}/{service}.db")
    with engine.connect() as conn:
        count = conn.execute(sa.text(f"SELECT count(*) FROM {table} WHERE {column} = :v"), {"v": value}).scalar()
    engine.dispose()
    return count


def every_stored_text(env: dict):
    """(where, text) for every row of every table of every service's database (SQLite files or
    PostgreSQL schemas), each row as text: for tests that prove something is stored nowhere."""
    from services.common.config import SERVICES
    url = env["CLOUDSKETCH_DATABASE_URL"]
    for service in SERVICES:
        if url:
            engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
            tables = [(service, name) for name in sa.inspect(engine).get_table_names(schema=service)]
        else:
            path = f"{env['CLOUDSKETCH_DATA_DIR']}/{service}.db"
            engine = sa.create_engine(f"sqlite:///{path}")
            tables = [(None, name) for name in sa.inspect(engine).get_table_names()]
        with engine.connect() as conn:
            for schema, name in tables:
                table = sa.Table(name, sa.MetaData(), schema=schema, autoload_with=conn)
                for row in conn.execute(sa.select(table)):
                    yield f"{service}.{name}", " ".join(str(value) for value in row)
        engine.dispose()
