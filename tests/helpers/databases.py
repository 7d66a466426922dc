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
