"""Calendar feeds: which sessions each feed holds, its version stamp, and its cached body.

A feed is polled far more often than it changes. Its version is computed with ONE aggregate
query over every row its text depends on (sessions, trainings, regions, venues, programmes,
speakers and their institutions, plus the feed's own subject); the ETag and Last-Modified come
from it, so a poll that finds nothing new is answered 304 before anything is built, and a
body is generated only once per version (then served from `BodyCache`).
"""
from __future__ import annotations

import datetime as dt
import enum
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..models import (
    Programme,
    Region,
    ScheduleRevision,
    SessionSpeaker,
    Training,
    TrainingSession,
    TrainingStatus,
    UTCDateTime,
    Venue,
    utcnow,
)
from ..models.revision import raise_revision
from . import ics
from .cache import BodyCache

# Bump when the generated text changes shape, so that cached copies and ETags are renewed.
FORMAT_VERSION = "1"
PUBLIC_STATUSES = (TrainingStatus.published, TrainingStatus.cancelled)
# The region and "all trainings" feeds keep a year of past sessions, then let them go.
PAST_WINDOW = dt.timedelta(days=365)


@dataclass(frozen=True)
class Feed:
    """What one feed holds. `criteria` filter TrainingSession joined to Training; `subject` is a
    scalar subquery giving the feed's own object's last change, NULL when that object does not
    exist or is not public (then the feed is 404, found out by the same single query);
    `extra_stamp` are scalar subqueries for other rows its text depends on.

    Feeds of one `kind` share their SQL, which is built once: what differs between two feeds
    of a kind (an id, the start of the window) goes in `params`, through bind parameters."""

    kind: str
    key: str
    criteria: tuple
    params: dict = field(default_factory=dict)
    subject: object | None = None
    extra_stamp: tuple = ()
    # Public feeds are versioned by the schedule's one revision row (a primary-key read) rather
    # than by an aggregate over their sessions (thousands in the long ones): see
    # trainings.models.revision. A change anywhere renews every public feed's tag, which costs a
    # rebuild of what is asked for next; a registration changes none of them.
    by_revision: bool = False


FEED_ID = sa.bindparam("feed_id", type_=sa.Integer)
WINDOW_START = sa.bindparam("window_start", type_=UTCDateTime)


class FeedNotFound(LookupError):
    """The feed's subject does not exist, or is not public."""


@dataclass(frozen=True)
class FeedVersion:
    etag: str
    last_modified: dt.datetime | None


@dataclass
class FeedDocument:
    """What a feed view returns; the `ics` renderer writes it out with its caching headers."""

    body: bytes
    version: FeedVersion
    filename: str
    private: bool = False


@dataclass
class Rendering:
    """How the events of a feed are written: in which language, with which links."""

    options: Callable[[], ics.CalendarOptions]
    language: str
    public_url: str
    extra_key: tuple = field(default_factory=tuple)


def public_criteria() -> tuple:
    return _PUBLIC


def window_start(now: dt.datetime | None = None) -> dt.datetime:
    """The start of the past kept in the long-running feeds, at day precision so that the
    feed's version changes once a day at most because of it."""
    now = now or utcnow()
    return (now - PAST_WINDOW).replace(hour=0, minute=0, second=0, microsecond=0)


_PUBLIC = (Training.status.in_(PUBLIC_STATUSES),)
_SESSION = (TrainingSession.id == FEED_ID, *_PUBLIC)
_SESSION_SUBJECT = (select(TrainingSession.updated_at).join(Training, TrainingSession.training_id == Training.id)
                    .where(*_SESSION).scalar_subquery())
_TRAINING = (Training.id == FEED_ID, *_PUBLIC)
_TRAINING_SUBJECT = select(Training.updated_at).where(*_TRAINING).scalar_subquery()
_REGION = (Training.region_id == FEED_ID, TrainingSession.ends_at >= WINDOW_START, *_PUBLIC)
_REGION_SUBJECT = select(Region.updated_at).where(Region.id == FEED_ID).scalar_subquery()
_PROGRAMME = (Training.programme_id == FEED_ID, *_PUBLIC)
_PROGRAMME_SUBJECT = select(Programme.updated_at).where(Programme.id == FEED_ID).scalar_subquery()
_ALL = (TrainingSession.ends_at >= WINDOW_START, *_PUBLIC)


def session_feed(session_id: int) -> Feed:
    return Feed("session", f"session:{session_id}", _SESSION, {"feed_id": session_id}, subject=_SESSION_SUBJECT,
                by_revision=True)


def training_feed(training_id: int) -> Feed:
    return Feed("training", f"training:{training_id}", _TRAINING, {"feed_id": training_id},
                subject=_TRAINING_SUBJECT, by_revision=True)


def region_feed(region_id: int, now: dt.datetime | None = None) -> Feed:
    start = window_start(now)
    return Feed("region", f"region:{region_id}:{start:%Y%m%d}", _REGION,
                {"feed_id": region_id, "window_start": start}, subject=_REGION_SUBJECT, by_revision=True)


def programme_feed(programme_id: int) -> Feed:
    return Feed("programme", f"programme:{programme_id}", _PROGRAMME, {"feed_id": programme_id},
                subject=_PROGRAMME_SUBJECT, by_revision=True)


def all_feed(now: dt.datetime | None = None) -> Feed:
    start = window_start(now)
    return Feed("all", f"all:{start:%Y%m%d}", _ALL, {"window_start": start}, by_revision=True)


def _speaker_entities():
    """Person and Institution belong to the participants package; they are reached through the
    relationship named by string, so that this package never imports that one."""
    person = SessionSpeaker.person.property.mapper.class_
    institution = person.institution.property.mapper.class_
    return person, institution


_STAMP_QUERIES: dict[str, sa.Select] = {}


def _stamp_query(feed: Feed) -> sa.Select:
    query = _STAMP_QUERIES.get(feed.kind)
    if query is None:
        query = _STAMP_QUERIES[feed.kind] = _build_stamp_query(feed)
    return query


def _build_stamp_query(feed: Feed) -> sa.Select:
    subject = [] if feed.subject is None else [feed.subject.label("subject")]
    if feed.by_revision:
        return select(ScheduleRevision.revision, ScheduleRevision.changed_at, *subject).where(ScheduleRevision.id == 1)
    person, institution = _speaker_entities()
    schedule = (
        select(
            func.count(TrainingSession.id).label("sessions"),
            func.coalesce(func.sum(TrainingSession.id), 0).label("session_ids"),
            func.coalesce(func.sum(TrainingSession.sequence), 0).label("sequences"),
            func.max(TrainingSession.updated_at).label("session_changed"),
            func.max(Training.updated_at).label("training_changed"),
            func.max(Region.updated_at).label("region_changed"),
            func.max(Venue.updated_at).label("venue_changed"),
            func.max(Programme.updated_at).label("programme_changed"),
        )
        .select_from(TrainingSession)
        .join(Training, TrainingSession.training_id == Training.id)
        .join(Region, Training.region_id == Region.id)
        .outerjoin(Venue, Training.venue_id == Venue.id)
        .outerjoin(Programme, Training.programme_id == Programme.id)
        .where(*feed.criteria)
        .subquery()
    )
    speakers = (
        select(
            func.count(SessionSpeaker.id).label("speakers"),
            func.coalesce(func.sum(SessionSpeaker.id), 0).label("speaker_ids"),
            func.max(person.updated_at).label("person_changed"),
            func.max(institution.updated_at).label("institution_changed"),
        )
        .select_from(SessionSpeaker)
        .join(TrainingSession, SessionSpeaker.session_id == TrainingSession.id)
        .join(Training, TrainingSession.training_id == Training.id)
        .join(person, SessionSpeaker.person_id == person.id)
        .outerjoin(institution, person.institution_id == institution.id)
        .where(*feed.criteria)
        .subquery()
    )
    extras = [expression.label(f"extra_{index}") for index, expression in enumerate(feed.extra_stamp)]
    return select(schedule, speakers, *subject, *extras).select_from(schedule).join(speakers, sa.true())


def _as_instant(value) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, str) and not isinstance(value, enum.Enum):  # a timestamp SQLite gave back as text
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return None


def feed_version(dbsession: Session, feed: Feed, rendering_key: tuple = ()) -> FeedVersion:
    """The feed's version from one aggregate query: a strong ETag and a Last-Modified.
    Raises FeedNotFound when the feed's subject is missing or not public."""
    row = dbsession.execute(_stamp_query(feed), feed.params).one_or_none()
    if row is None:  # no revision row: a database filled without the migrations' first row
        raise_revision(dbsession)
        row = dbsession.execute(_stamp_query(feed), feed.params).one()
    if feed.subject is not None and row.subject is None:
        raise FeedNotFound(feed.key)
    instants = [instant for instant in map(_as_instant, row) if instant is not None]
    stamp = "|".join(str(value) for value in (FORMAT_VERSION, feed.key, *rendering_key, *row))
    etag = hashlib.sha256(stamp.encode("utf-8")).hexdigest()[:32]
    last_modified = max(instants).replace(microsecond=0) if instants else None
    return FeedVersion(etag=etag, last_modified=last_modified)


def feed_sessions(dbsession: Session, feed: Feed) -> Sequence[TrainingSession]:
    person, _ = _speaker_entities()
    return dbsession.scalars(
        select(TrainingSession)
        .join(Training, TrainingSession.training_id == Training.id)
        .where(*feed.criteria)
        .options(
            joinedload(TrainingSession.training).joinedload(Training.region),
            joinedload(TrainingSession.training).joinedload(Training.venue),
            joinedload(TrainingSession.training).joinedload(Training.programme),
            selectinload(TrainingSession.speakers).joinedload(SessionSpeaker.person).joinedload(person.institution),
        )
        .order_by(TrainingSession.starts_at, TrainingSession.id),
        feed.params,
    ).unique().all()


def feed_document(dbsession: Session, feed: Feed, rendering: Rendering, cache: BodyCache, *,
                  filename: str, private: bool = False,
                  version: FeedVersion | None = None) -> FeedDocument:
    """The feed's body: from the cache when this version was built before, else built now."""
    version = version or feed_version(dbsession, feed, rendering_key(rendering))
    cache_key = (feed.key, version.etag)
    body = cache.get(cache_key)
    if body is None:
        sessions = feed_sessions(dbsession, feed)
        body = ics.to_bytes(ics.build_calendar(sessions, rendering.options()))
        cache.put(cache_key, body)
    return FeedDocument(body=body, version=version, filename=filename, private=private)


def rendering_key(rendering: Rendering) -> tuple:
    return (rendering.language, rendering.public_url, *rendering.extra_key)
