"""Alembic environment: libcat runs migrations in-process on the connection it hands over."""

from alembic import context

from libcat.catalog.models import Base, included_on_postgresql

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    include_object=included_on_postgresql if connection.dialect.name == "postgresql" else None,
)
with context.begin_transaction():
    context.run_migrations()
