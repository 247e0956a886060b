"""Alembic environment: the metadata of every package's models, on SQLite or PostgreSQL."""
from alembic import context
from sqlalchemy import engine_from_config, pool

from trainings.db import import_all_models
from trainings.models import Base

import_all_models()
target_metadata = Base.metadata
config = context.config


def run_migrations_offline():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = engine_from_config(config.get_section(config.config_ini_section, {}) or
                                {"sqlalchemy.url": config.get_main_option("sqlalchemy.url")},
                                prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.begin() as connection:
        _run(connection)


def _run(connection):
    # Batch mode lets later migrations alter tables on SQLite, which has no ALTER for constraints.
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      compare_type=True)
    context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
