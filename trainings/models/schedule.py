"""The schedule: where trainings happen, what they are, and their sessions and speakers."""
from __future__ import annotations

import datetime as dt
import enum
import uuid
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from .base import Base, Language, UTCDateTime, enum_column, utcnow
from .organisations import Organisation


def is_valid_timezone(name: str | None) -> bool:
    if not name or name not in available_timezones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


class Region(Base):
    """A region of a country; every training happens in one, and its IANA zone sets local time."""

    __tablename__ = "region"
    __table_args__ = (
        sa.UniqueConstraint("country", "name"),
        sa.CheckConstraint("length(country) = 2", name="country_code"),
        sa.CheckConstraint("length(timezone) > 0", name="timezone_present"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(sa.String(2))
    name: Mapped[str] = mapped_column(sa.String(120))
    city: Mapped[str] = mapped_column(sa.String(120))
    timezone: Mapped[str] = mapped_column(sa.String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    venues: Mapped[list[Venue]] = relationship(back_populates="region", order_by="Venue.name")

    @validates("timezone")
    def _validate_timezone(self, key, value):
        if not is_valid_timezone(value):
            raise ValueError(f"unknown IANA time zone: {value!r}")
        return value

    @validates("country")
    def _validate_country(self, key, value):
        return value.strip().upper() if value else value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Venue(Base):
    __tablename__ = "venue"
    __table_args__ = (
        sa.UniqueConstraint("region_id", "name"),
        sa.CheckConstraint("latitude IS NULL OR (latitude >= -90 AND latitude <= 90)", name="latitude_range"),
        sa.CheckConstraint(
            "longitude IS NULL OR (longitude >= -180 AND longitude <= 180)", name="longitude_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("region.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    latitude: Mapped[float | None] = mapped_column(sa.Float)
    longitude: Mapped[float | None] = mapped_column(sa.Float)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    region: Mapped[Region] = relationship(back_populates="venues")
    organisation: Mapped[Organisation] = relationship()


class Programme(Base):
    """A donor-funded programme that groups trainings, e.g. a counter-trafficking project."""

    __tablename__ = "programme"
    __table_args__ = (
        sa.UniqueConstraint("name"),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="period_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    donor: Mapped[str] = mapped_column(sa.String(200), default="")
    starts_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    ends_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    trainings: Mapped[list[Training]] = relationship(back_populates="programme")
    organisation: Mapped[Organisation] = relationship()


class TrainingKind(enum.StrEnum):
    seminar = "seminar"
    workshop = "workshop"
    course = "course"
    conference = "conference"
    other = "other"


class TrainingStatus(enum.StrEnum):
    draft = "draft"
    published = "published"
    cancelled = "cancelled"


MAX_REMINDER_DAYS = 30
REMINDER_DAYS_CHECK = f"reminder_days >= 0 AND reminder_days <= {MAX_REMINDER_DAYS}"
DEFAULT_REMINDER_DAYS = 2


class Training(Base):
    __tablename__ = "training"
    __table_args__ = (
        sa.CheckConstraint("capacity >= 1", name="capacity_positive"),
        sa.CheckConstraint("confirmed_count >= 0 AND confirmed_count <= capacity", name="within_capacity"),
        sa.CheckConstraint(
            "attendance_threshold >= 0 AND attendance_threshold <= 100", name="threshold_percent"
        ),
        sa.CheckConstraint("late_after_minutes >= 0", name="late_after_positive"),
        sa.CheckConstraint("ends_on >= starts_on", name="dates_order"),
        sa.CheckConstraint("institution_quota IS NULL OR institution_quota > 0", name="institution_quota_positive"),
        sa.CheckConstraint(REMINDER_DAYS_CHECK, name="reminder_days_range"),
        sa.Index("ix_training_status_starts_on", "status", "starts_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    kind: Mapped[TrainingKind] = mapped_column(enum_column(TrainingKind, "kind"))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    programme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("programme.id"), index=True)
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("region.id"), index=True)
    venue_id: Mapped[int | None] = mapped_column(sa.ForeignKey("venue.id"), index=True)
    language: Mapped[Language] = mapped_column(enum_column(Language, "language"), default=Language.es)
    # Space-separated languages the training offers (certificates, emails); always includes `language`.
    offered_languages: Mapped[str] = mapped_column(sa.String(20), default="es")
    capacity: Mapped[int] = mapped_column(sa.Integer)
    # Confirmed participants, kept by the registration service with a guarded UPDATE so that
    # capacity holds under concurrent registrations; the CHECK above is the last line of defence.
    confirmed_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    requires_approval: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    attendance_threshold: Mapped[int] = mapped_column(sa.Integer, default=80)
    late_after_minutes: Mapped[int] = mapped_column(sa.Integer, default=15)
    status: Mapped[TrainingStatus] = mapped_column(
        enum_column(TrainingStatus, "status"), default=TrainingStatus.draft
    )
    starts_on: Mapped[dt.date] = mapped_column(sa.Date)
    ends_on: Mapped[dt.date] = mapped_column(sa.Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str] = mapped_column(sa.Text, default="")
    # Last day (in the training's region) on which the public may register; organisers still can.
    registration_deadline: Mapped[dt.date | None] = mapped_column(sa.Date)
    # At most this many active registrations per institution through the public form.
    institution_quota: Mapped[int | None] = mapped_column(sa.Integer)
    # Confirmed people are reminded by email this many days before the first session (the
    # worker's `training_reminders` task, participants/reminders.py); 0: no reminder.
    reminder_days: Mapped[int] = mapped_column(sa.Integer, default=DEFAULT_REMINDER_DAYS,
                                               server_default=str(DEFAULT_REMINDER_DAYS))

    programme: Mapped[Programme | None] = relationship(back_populates="trainings")
    organisation: Mapped[Organisation] = relationship()
    region: Mapped[Region] = relationship()
    venue: Mapped[Venue | None] = relationship()
    sessions: Mapped[list[TrainingSession]] = relationship(
        back_populates="training",
        order_by="(TrainingSession.starts_at, TrainingSession.position, TrainingSession.id)",
        cascade="all, delete-orphan",
    )

    @property
    def places_left(self) -> int:
        return max(self.capacity - (self.confirmed_count or 0), 0)

    @property
    def zone(self):
        return self.region.zone

    @property
    def languages(self) -> list[str]:
        offered = [code for code in (self.offered_languages or "").split() if code]
        return offered or [str(self.language)]

    def registration_closed(self, now: dt.datetime | None = None) -> bool:
        """Whether the registration deadline (a day in the training's region) is past."""
        if self.registration_deadline is None:
            return False
        return (now or utcnow()).astimezone(self.zone).date() > self.registration_deadline

    def first_start(self) -> dt.datetime | None:
        """When its first session that takes place starts (None without such sessions)."""
        return min((session.starts_at for session in self.sessions if not session.cancelled), default=None)

    def reminder_due_at(self) -> dt.datetime | None:
        """When the reminder before the training is due: `reminder_days` before its first session
        (None without a reminder or without sessions). Computed, so that it follows the dates."""
        start = self.first_start()
        if not self.reminder_days or start is None:
            return None
        return start - dt.timedelta(days=self.reminder_days)

    def has_ended(self, now: dt.datetime | None = None) -> bool:
        """Whether the training is over: its last session that takes place has ended (without
        such sessions, its last day is past in its region)."""
        now = now or utcnow()
        live = [session.ends_at for session in self.sessions if not session.cancelled]
        if live:
            return max(live) <= now
        return self.ends_on < now.astimezone(self.zone).date()


class TrainingSession(Base):
    """One slot of a training's timetable. Named so as not to be confused with a db session."""

    __tablename__ = "session"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("sequence >= 0", name="sequence_positive"),
        sa.UniqueConstraint("uid"),
        sa.Index("ix_session_starts_at", "starts_at"),
        sa.Index("ix_session_ends_at", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(sa.ForeignKey("training.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    topic: Mapped[str] = mapped_column(sa.Text, default="")
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    room: Mapped[str] = mapped_column(sa.String(120), default="")
    position: Mapped[int] = mapped_column(sa.Integer, default=0)
    cancelled: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    # The iCalendar SEQUENCE: raised whenever time, place or title changes so clients update.
    sequence: Mapped[int] = mapped_column(sa.Integer, default=0)
    # The iCalendar UID: chosen once, never changes, survives edits and duplication targets.
    uid: Mapped[str] = mapped_column(sa.String(80), default=lambda: f"{uuid.uuid4()}@capacita")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    training: Mapped[Training] = relationship(back_populates="sessions")
    speakers: Mapped[list[SessionSpeaker]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="SessionSpeaker.id"
    )

    @property
    def duration(self) -> dt.timedelta:
        return self.ends_at - self.starts_at


class SpeakerRole(enum.StrEnum):
    speaker = "speaker"
    moderator = "moderator"


class SessionSpeaker(Base):
    """A person speaking at or moderating a session. `Person` belongs to the participants
    package; it is named here by string so that this package never imports that one."""

    __tablename__ = "session_speaker"
    __table_args__ = (sa.UniqueConstraint("session_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("session.id"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    role: Mapped[SpeakerRole] = mapped_column(enum_column(SpeakerRole, "role"), default=SpeakerRole.speaker)

    session: Mapped[TrainingSession] = relationship(back_populates="speakers")
    person = relationship("Person")
