"""One revision number for everything the calendar feeds print.

The long feeds (all trainings, a region, a programme) would otherwise need an aggregate over
every session to know whether they changed, on every poll. Instead each flush that changes
what a feed prints — a training, session, region, venue, programme, a speaker or a speaker's
name — raises this one row's revision; a poll reads it by primary key. Registrations never
raise it: they change only a training's place count, which no feed prints.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from .base import Base, UTCDateTime, utcnow
from .schedule import Programme, Region, SessionSpeaker, Training, TrainingSession, Venue

# Columns a training changes without changing any feed: the places taken, and the stamp itself.
TRAINING_COUNTERS = frozenset({"confirmed_count", "updated_at"})
SCHEDULE = (Training, TrainingSession, Region, Venue, Programme, SessionSpeaker)


class ScheduleRevision(Base):
    __tablename__ = "schedule_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision: Mapped[int] = mapped_column(sa.Integer)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


def _changed_columns(instance) -> set[str]:
    state = inspect(instance)
    return {attribute.key for attribute in state.mapper.column_attrs
            if state.attrs[attribute.key].history.has_changes()}


def _speaker_classes():
    person = SessionSpeaker.person.property.mapper.class_
    return person, person.institution.property.mapper.class_


def _is_speaker(dbsession: Session, person_id: int | None) -> bool:
    with dbsession.no_autoflush:
        return person_id is not None and dbsession.scalar(
            select(SessionSpeaker.id).where(SessionSpeaker.person_id == person_id).limit(1)) is not None


def changes_feeds(dbsession: Session) -> bool:
    """Whether the pending flush changes anything a calendar feed prints."""
    person, institution = _speaker_classes()
    for instance in (*dbsession.new, *dbsession.deleted):
        if isinstance(instance, SCHEDULE):
            return True
    for instance in dbsession.dirty:
        if isinstance(instance, SCHEDULE):
            changed = _changed_columns(instance)
            if changed - (TRAINING_COUNTERS if isinstance(instance, Training) else {"updated_at"}):
                return True
        elif isinstance(instance, institution) and "name" in _changed_columns(instance):
            return True
        elif (isinstance(instance, person) and _changed_columns(instance) & {"given_names", "family_names",
                                                                              "institution_id"}
              and _is_speaker(dbsession, instance.id)):
            return True
    return False


def raise_revision(dbsession: Session) -> None:
    """A new revision, stamped at least a second after the previous one: Last-Modified has
    whole seconds, and two changes within one second must still be two versions to a client
    that asks with If-Modified-Since. (Schedule changes are rare: two statements each.)"""
    table = ScheduleRevision.__table__
    now = utcnow()
    previous = dbsession.execute(select(table.c.changed_at).where(table.c.id == 1).with_for_update()).scalar()
    if previous is None:
        dbsession.execute(table.insert().values(id=1, revision=1, changed_at=now))
        return
    stamp = max(now, previous.replace(microsecond=0) + dt.timedelta(seconds=1))
    dbsession.execute(update(table).where(table.c.id == 1).values(revision=table.c.revision + 1, changed_at=stamp))


@event.listens_for(Session, "before_flush")
def _raise_revision_when_feeds_change(dbsession: Session, _flush_context, _instances) -> None:
    if changes_feeds(dbsession):
        raise_revision(dbsession)
