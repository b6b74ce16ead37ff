"""Alembic's entry point: migrations run against the tracker's own metadata.

The caller may hand over a connection or an engine as the "connection" attribute (`tracker
init` and pytest-alembic do); otherwise $TRACKER_DATABASE_URL or the default SQLite file is used.
"""

from alembic import context
from sqlalchemy.engine import Connection

from tracker.database import engine_for
from tracker.models import metadata


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things: batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connectable = context.config.attributes.get("connection") or engine_for()
if isinstance(connectable, Connection):
    run_migrations(connectable)
else:
    with connectable.connect() as connection:
        run_migrations(connection)
        connection.commit()
