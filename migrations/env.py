"""Alembic's entry point: migrations run against the tracker's own metadata.

The caller may hand over a connection or an engine as the "connection" attribute (`tracker
init` and pytest-alembic do); otherwise $TRACKER_DATABASE_URL or the default SQLite file is used.
"""

from alembic import context
from sqlalchemy.engine import Connection

from tracker.database import engine_for
from tracker.errors import TrackerError
from tracker.models import metadata


def run_migrations(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # SQLite cannot ALTER most things, so batch mode rebuilds a table (copy, drop, rename),
        # and dropping a table that others refer to fails while foreign keys are enforced.
        # They are switched off for the migration (outside a transaction, or the pragma does
        # nothing) and checked after it.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        # The driver begins a transaction only before a data change, so a step that fails
        # would leave the schema changes made before it: begin one now, so that a migration
        # (and a refused downgrade) is all or nothing.
        connection.exec_driver_sql("BEGIN")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=sqlite,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    if sqlite:
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise TrackerError(f"the migration left {len(broken)} broken references: {broken[:5]}")


connectable = context.config.attributes.get("connection") or engine_for()
if isinstance(connectable, Connection):
    run_migrations(connectable)
else:
    with connectable.connect() as connection:
        try:
            run_migrations(connection)
            connection.commit()
        finally:
            if connection.dialect.name == "sqlite":
                # Its foreign keys are off: close it rather than return it to the pool.
                connection.invalidate()
