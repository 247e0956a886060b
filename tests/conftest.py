"""Test fixtures: one database per run, migrated once; every test inside a transaction that is
rolled back at its end. Runs on SQLite, or on PostgreSQL when TEST_DATABASE_URL is set."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import transaction
import webtest
import zope.sqlalchemy
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from tests import factories
from trainings import make_configurator
from trainings.db import make_engine, migrate

ROOT = Path(__file__).resolve().parent.parent
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


def pytest_collection_modifyitems(config, items):
    if TEST_DATABASE_URL and TEST_DATABASE_URL.startswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set TEST_DATABASE_URL")
    for item in items:
        if "postgresql" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def var_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("var")


@pytest.fixture(scope="session")
def app_settings(var_dir) -> dict:
    return {
        "sqlalchemy.url": TEST_DATABASE_URL or f"sqlite:///{var_dir}/test.sqlite",
        "session.secret": "test-secret-not-for-production",
        "session.secure": "false",
        "jinja2.directories": str(ROOT / "templates"),
        "pyramid.default_locale_name": "es",
        "app.public_url": "http://capacita.test",
        "app.var_dir": str(var_dir),
        "app.show_errors": "true",
        "mail.file_path": str(var_dir / "mail"),
        "mail.default_sender": "Capacita <no-reply@capacita.test>",
        "throttle.storage": "memory://",
    }


@pytest.fixture(scope="session")
def engine(app_settings):
    engine = make_engine(app_settings)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:  # a clean schema for this run
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def app(app_settings, engine):
    return make_configurator(dict(app_settings, **{"capacita.engine": engine})).make_wsgi_app()


@pytest.fixture(autouse=True)
def _fresh_rate_limits(app):
    """Rate limits live in memory for the whole run; each test starts with none counted."""
    yield
    for throttle in app.registry["throttles"].values():
        throttle.limiter.storage.reset()


@pytest.fixture
def connection(engine):
    with engine.connect() as connection:
        outer = connection.begin()
        yield connection
        outer.rollback()


@pytest.fixture
def tm():
    manager = transaction.TransactionManager(explicit=True)
    manager.begin()
    manager.doom()  # nothing a test does is ever committed
    yield manager
    manager.abort()


@pytest.fixture
def dbsession(connection, tm):
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    zope.sqlalchemy.register(session, transaction_manager=tm)
    factories.bind(session)
    yield session
    factories.bind(None)
    session.close()


@pytest.fixture
def testapp(app, tm, dbsession):
    return webtest.TestApp(app, extra_environ={
        "HTTP_HOST": "capacita.test",
        "tm.active": True,
        "tm.manager": tm,
        "app.dbsession": dbsession,
    })


@pytest.fixture
def app_request(app, tm, dbsession):
    """A request of the application outside HTTP, for services that render or translate."""
    from pyramid.scripting import prepare

    env = prepare(registry=app.registry)
    request = env["request"]
    request.environ.update({"tm.active": True, "tm.manager": tm, "app.dbsession": dbsession})
    request.host = "capacita.test"
    yield request
    env["closer"]()


CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_token_of(response) -> str:
    match = CSRF_INPUT.search(response.text)
    assert match, "the page has no CSRF token"
    return match.group(1) or match.group(2)


PASSWORD = "correct horse battery"


@pytest.fixture
def organiser(dbsession):
    return factories.UserFactory(email="organiser@capacita.test", password=PASSWORD)


@pytest.fixture
def admin(dbsession):
    return factories.UserFactory(email="admin@capacita.test", password=PASSWORD, role="admin")


def log_in(testapp, user, password=PASSWORD):
    page = testapp.get("/login")
    form = page.forms["form"]
    form["email"] = user.email
    form["password"] = password
    return form.submit("submit", expect_errors=True)


@pytest.fixture
def organiser_app(testapp, organiser):
    log_in(testapp, organiser).follow()
    return testapp


@pytest.fixture
def admin_app(testapp, admin):
    log_in(testapp, admin).follow()
    return testapp


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd, strict defaults) on a free port; `stop()`/`start()` it
    to play a mail server that is down."""
    from tests.smtp import SMTPServer

    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def worker_session(connection):
    """A worker's own transaction manager and session: its commits go into savepoints of the
    test's connection, so they are still rolled back at the end of the test."""
    manager = transaction.TransactionManager(explicit=True)
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    zope.sqlalchemy.register(session, transaction_manager=manager)
    yield manager, session
    session.close()


@pytest.fixture
def worker_request(app, worker_session):
    """The request a `capacita worker` process has: the application's, with its own
    transactions (each committed at once, as the worker does)."""
    from pyramid.scripting import prepare

    manager, session = worker_session
    env = prepare(registry=app.registry)
    request = env["request"]
    request.environ.update({"tm.active": False, "tm.manager": manager, "app.dbsession": session})
    yield request
    env["closer"]()


class StatementCounter:
    """SQL statements a request issues, as production would: the tests' own savepoints are not
    counted, and `fresh()` empties the test session so that nothing is served from it."""

    IGNORED = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")

    def __init__(self, connection, dbsession):
        self.connection, self.dbsession, self.statements = connection, dbsession, []

    def _seen(self, conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(self.IGNORED):
            self.statements.append(statement)

    def count(self, call) -> int:
        self.dbsession.flush()
        self.dbsession.expunge_all()
        self.statements = []
        event.listen(self.connection, "before_cursor_execute", self._seen)
        try:
            call()
        finally:
            event.remove(self.connection, "before_cursor_execute", self._seen)
        return len(self.statements)


@pytest.fixture
def statements(connection, dbsession):
    return StatementCounter(connection, dbsession)
