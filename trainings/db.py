"""The database: engine, sessions joined to the request's transaction, and migrations."""
from __future__ import annotations

import importlib
import os
import sqlite3

import zope.sqlalchemy
from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import engine_from_config, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

# Every package's models, by dotted name: the schedule never imports the packages built on it.
MODEL_MODULES = ("trainings.models", "participants.models", "certificates.models", "evaluations.models",
                 "reports.models")


def import_all_models() -> None:
    for name in MODEL_MODULES:
        importlib.import_module(name)


def _prepare_sqlite(engine: Engine) -> None:
    """SQLite needs foreign keys switched on, a lock timeout, and (so that SAVEPOINT works)
    transactions begun by SQLAlchemy rather than by the sqlite3 module."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 15000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        connection.exec_driver_sql("BEGIN")


def _sqlite_lock_lost(error) -> bool:
    """In WAL mode a transaction that has read and then writes, after another connection
    committed meanwhile (the worker sending mail, say), cannot wait for the lock: SQLite answers
    "database is locked" at once, whatever busy_timeout says. Run again from the start, the
    request succeeds."""
    return "database is locked" in str(error)


# zope.sqlalchemy's list of errors that make pyramid_tm and pyramid_retry run a request again (it
# holds PostgreSQL's serialization failures already).
zope.sqlalchemy.datamanager._retryable_errors.append((sqlite3.OperationalError, _sqlite_lock_lost))


def make_engine(settings: dict, prefix: str = "sqlalchemy.") -> Engine:
    url = settings[prefix + "url"]
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        os.makedirs(os.path.dirname(url.removeprefix("sqlite:///")) or ".", exist_ok=True)
    engine = engine_from_config(settings, prefix, **_connect_arguments(url))
    if engine.dialect.name == "sqlite":
        _prepare_sqlite(engine)
    return engine


# Planner settings for every connection of the application (docs/deployment.md):
# - jit: PostgreSQL compiles a query to machine code once its estimated cost passes a
#   threshold; a training's figures (thousands of rows, correlated subqueries) pass it, and
#   the compilation took 100 ms of a 200 ms page. Web requests are short: no JIT.
# - parallel workers cost more to start than they save on such requests.
# - random_page_cost: the default (4) prices an index probe as a disk seek; the working set
#   is in memory (or on SSD), and at 4 the planner fetched every Quispe of the registry
#   (13,000 rows, 70 ms) rather than look up a training's 3,000 people by key (6 ms).
POSTGRESQL_OPTIONS = "-c jit=off -c max_parallel_workers_per_gather=0 -c random_page_cost=1.1"


def _connect_arguments(url: str) -> dict:
    if url.startswith(("postgresql", "postgres")):
        return {"connect_args": {"options": POSTGRESQL_OPTIONS}}
    return {}


def make_session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine)


def session_in_transaction(session_factory, transaction_manager, request=None) -> Session:
    """A session whose commit and rollback follow `transaction_manager` (pyramid_tm's)."""
    dbsession = session_factory(info={"request": request})
    zope.sqlalchemy.register(dbsession, transaction_manager=transaction_manager)
    return dbsession


def alembic_config(url: str) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", "trainings:migrations")
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(engine_or_url, revision: str = "head") -> None:
    """Bring the schema to `revision`, on an engine or a database URL."""
    engine = engine_or_url if isinstance(engine_or_url, Engine) else make_engine({"sqlalchemy.url": engine_or_url})
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    if engine is not engine_or_url:
        engine.dispose()


def includeme(config):
    settings = config.get_settings()
    settings["tm.manager_hook"] = "pyramid_tm.explicit_manager"
    config.include("pyramid_tm")
    config.include("pyramid_retry")

    import_all_models()
    engine = settings.get("capacita.engine") or make_engine(settings)
    session_factory = make_session_factory(engine)
    config.registry["dbsession_factory"] = session_factory
    config.registry["db_engine"] = engine

    def dbsession(request) -> Session:
        # Tests hand in their own session (inside a rolled-back transaction) through the environ.
        existing = request.environ.get("app.dbsession")
        if existing is not None:
            return existing
        return session_in_transaction(session_factory, request.tm, request=request)

    config.add_request_method(dbsession, reify=True)
