"""The migrations build exactly the schema the models describe."""
import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from trainings.models import Base

# Alembic cannot compare expression indexes (SQLite cannot reflect them; PostgreSQL reflects them
# rewritten), so they are checked by name below rather than by definition.
EXPRESSION_INDEXES = {"uq_person_email_normalised"}
# Indexes only PostgreSQL has (the registry's trigram search), created by migration 0006 alone.
POSTGRESQL_ONLY_INDEXES = {"ix_person_search_text_trgm"}


def _concerns_expression_index(difference) -> bool:
    return difference[0] in {"add_index", "remove_index"} and difference[1].name in (
        EXPRESSION_INDEXES | POSTGRESQL_ONLY_INDEXES)


def test_models_and_migrations_agree(connection):
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        differences = compare_metadata(context, Base.metadata)
    assert [d for d in differences if not _concerns_expression_index(d)] == []


def test_expression_indexes_exist(connection):
    if connection.dialect.name == "sqlite":
        names = {row[0] for row in connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'")}
    else:
        names = {index["name"] for index in inspect(connection).get_indexes("person")}
    assert EXPRESSION_INDEXES <= names


def test_postgresql_searches_the_registry_by_trigrams(connection):
    if connection.dialect.name != "postgresql":
        return
    assert POSTGRESQL_ONLY_INDEXES <= {index["name"] for index in inspect(connection).get_indexes("person")}
