import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.exc import StatementError

from tests import factories
from trainings.models import Region, TrainingSession


def test_naive_datetimes_are_refused(dbsession):
    training = factories.TrainingFactory()
    session = TrainingSession(training=training, title="x", starts_at=dt.datetime(2026, 5, 1, 9),
                              ends_at=dt.datetime(2026, 5, 1, 10))
    dbsession.add(session)
    with pytest.raises(StatementError, match="naive datetime"), dbsession.begin_nested():
        dbsession.flush()


def test_instants_come_back_in_utc(dbsession):
    starts = dt.datetime(2026, 3, 1, 9, tzinfo=ZoneInfo("America/Asuncion"))
    session = factories.SessionFactory(starts_at=starts, ends_at=starts + dt.timedelta(hours=2))
    dbsession.expire_all()
    reloaded = dbsession.get(TrainingSession, session.id)
    assert reloaded.starts_at.tzinfo == dt.UTC
    assert reloaded.starts_at == starts


def test_a_region_needs_a_real_iana_zone():
    with pytest.raises(ValueError, match="time zone"):
        Region(country="PE", name="Lima", city="Lima", timezone="Peru/Nowhere")
    with pytest.raises(ValueError):
        Region(country="PE", name="Lima", city="Lima", timezone="")


def test_places_left_never_negative(dbsession):
    training = factories.TrainingFactory(capacity=10, confirmed_count=10)
    assert training.places_left == 0
