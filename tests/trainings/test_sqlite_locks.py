"""SQLite, as `make run` uses it: a request that loses the write lock to another process is run
again instead of answering 500."""
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from zope.sqlalchemy.datamanager import SessionDataManager

from trainings.db import make_engine


def test_a_write_after_another_connections_commit_is_retried(tmp_path):
    engine = make_engine({"sqlalchemy.url": f"sqlite:///{tmp_path}/locks.sqlite"})
    with engine.begin() as setup:
        setup.execute(text("CREATE TABLE counter (value INTEGER)"))
        setup.execute(text("INSERT INTO counter VALUES (0)"))
    request, worker = engine.connect(), engine.connect()
    try:
        request.begin()
        request.execute(text("SELECT value FROM counter")).scalar_one()  # a request reads…
        with worker.begin():  # …the worker writes and commits meanwhile…
            worker.execute(text("UPDATE counter SET value = 1"))
        with pytest.raises(OperationalError) as lost:  # …and the request cannot write any more
            request.execute(text("UPDATE counter SET value = 2"))
        assert "database is locked" in str(lost.value)
        assert SessionDataManager.should_retry(None, lost.value)  # pyramid_retry runs it again
    finally:
        request.close()
        worker.close()
        engine.dispose()


def test_other_sqlite_errors_are_not_retried(tmp_path):
    engine = make_engine({"sqlalchemy.url": f"sqlite:///{tmp_path}/other.sqlite"})
    with engine.connect() as connection, pytest.raises(OperationalError) as missing:
        connection.execute(text("SELECT * FROM nowhere"))
    assert not SessionDataManager.should_retry(None, missing.value)
    engine.dispose()
