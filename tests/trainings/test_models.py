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


def test_a_training_has_ended_when_its_last_live_session_has(dbsession):
    day = dt.date(2026, 5, 4)
    training = factories.TrainingFactory(starts_on=day, ends_on=day + dt.timedelta(days=1))
    first = factories.SessionFactory(training=training, start=dt.time(9), end=dt.time(11))
    last = factories.SessionFactory(training=training, day=day + dt.timedelta(days=1), start=dt.time(9),
                                    end=dt.time(11))
    assert not training.has_ended(first.ends_at + dt.timedelta(hours=1))  # day two is still to come
    assert not training.has_ended(last.ends_at - dt.timedelta(minutes=1))
    assert training.has_ended(last.ends_at)
    last.cancelled = True  # a cancelled last session does not keep the training going
    assert training.has_ended(first.ends_at)


def test_a_training_without_sessions_has_ended_after_its_last_local_day(dbsession):
    day = dt.date(2026, 5, 4)
    training = factories.TrainingFactory(starts_on=day, ends_on=day, region__timezone="America/Asuncion")
    # 02:00 UTC on the 5th is still the 4th in Asunción (UTC-3).
    assert not training.has_ended(dt.datetime(2026, 5, 5, 2, tzinfo=dt.UTC))
    assert training.has_ended(dt.datetime(2026, 5, 5, 4, tzinfo=dt.UTC))
