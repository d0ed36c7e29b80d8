"""Alembic environment: the service passes its engine in `config.attributes["engine"]`."""

from __future__ import annotations

from alembic import context

from service.store.db import metadata

config = context.config
engine = config.attributes.get("engine")
if engine is None:  # `alembic` command line: the URL comes from alembic.ini or -x url=...
    import sqlalchemy as sa

    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("alembic: pass -x url=DATABASE_URL")
    engine = sa.create_engine(url)

with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
