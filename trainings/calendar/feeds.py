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

from ..models import Programme, Region, SessionSpeaker, Training, TrainingSession, TrainingStatus, Venue, utcnow
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
    `extra_stamp` are scalar subqueries for other rows its text depends on."""

    key: str
    criteria: tuple
    subject: object | None = None
    extra_stamp: tuple = ()


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
    return (Training.status.in_(PUBLIC_STATUSES),)


def window_start(now: dt.datetime | None = None) -> dt.datetime:
    """The start of the past kept in the long-running feeds, at day precision so that the
    feed's version changes once a day at most because of it."""
    now = now or utcnow()
    return (now - PAST_WINDOW).replace(hour=0, minute=0, second=0, microsecond=0)


def session_feed(session_id: int) -> Feed:
    public_session = (select(TrainingSession.updated_at).join(Training, TrainingSession.training_id == Training.id)
                      .where(TrainingSession.id == session_id, *public_criteria()))
    return Feed(f"session:{session_id}", (TrainingSession.id == session_id, *public_criteria()),
                subject=public_session.scalar_subquery())


def training_feed(training_id: int) -> Feed:
    public_training = select(Training.updated_at).where(Training.id == training_id, *public_criteria())
    return Feed(f"training:{training_id}", (Training.id == training_id, *public_criteria()),
                subject=public_training.scalar_subquery())


def region_feed(region_id: int, now: dt.datetime | None = None) -> Feed:
    start = window_start(now)
    return Feed(f"region:{region_id}:{start:%Y%m%d}",
                (Training.region_id == region_id, TrainingSession.ends_at >= start, *public_criteria()),
                subject=select(Region.updated_at).where(Region.id == region_id).scalar_subquery())


def programme_feed(programme_id: int) -> Feed:
    return Feed(f"programme:{programme_id}", (Training.programme_id == programme_id, *public_criteria()),
                subject=select(Programme.updated_at).where(Programme.id == programme_id).scalar_subquery())


def all_feed(now: dt.datetime | None = None) -> Feed:
    start = window_start(now)
    return Feed(f"all:{start:%Y%m%d}", (TrainingSession.ends_at >= start, *public_criteria()))


def _speaker_entities():
    """Person and Institution belong to the participants package; they are reached through the
    relationship named by string, so that this package never imports that one."""
    person = SessionSpeaker.person.property.mapper.class_
    institution = person.institution.property.mapper.class_
    return person, institution


def _stamp_query(feed: Feed) -> sa.Select:
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
    subject = [] if feed.subject is None else [feed.subject.label("subject")]
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
    row = dbsession.execute(_stamp_query(feed)).one()
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
        .order_by(TrainingSession.starts_at, TrainingSession.id)
    ).unique().all()


def feed_document(dbsession: Session, feed: Feed, rendering: Rendering, cache: BodyCache, *,
                  filename: str, private: bool = False,
                  version: FeedVersion | None = None) -> FeedDocument:
    """The feed's body: from the cache when this version was built before, else built now."""
    rendering_key = (rendering.language, rendering.public_url, *rendering.extra_key)
    version = version or feed_version(dbsession, feed, rendering_key)
    cache_key = (feed.key, version.etag)
    body = cache.get(cache_key)
    if body is None:
        sessions = feed_sessions(dbsession, feed)
        body = ics.to_bytes(ics.build_calendar(sessions, rendering.options()))
        cache.put(cache_key, body)
    return FeedDocument(body=body, version=version, filename=filename, private=private)


def rendering_key(rendering: Rendering) -> tuple:
    return (rendering.language, rendering.public_url, *rendering.extra_key)
