"""The person registry, registrations, attendance and imports."""
from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from trainings.models import Base, Language, Training, TrainingSession, User, UTCDateTime, enum_column, utcnow

from .text import document_key, person_name_key, person_search_text, person_sort_name


class InstitutionKind(enum.StrEnum):
    prosecution = "prosecution"
    police = "police"
    judiciary = "judiciary"
    government = "government"
    local_government = "local_government"
    ombudsman = "ombudsman"
    ngo = "ngo"
    international = "international"
    academia = "academia"
    other = "other"


class Institution(Base):
    __tablename__ = "institution"
    __table_args__ = (
        sa.UniqueConstraint("country", "name"),
        sa.CheckConstraint("country IS NULL OR length(country) = 2", name="country_code"),
        sa.CheckConstraint("length(trim(name)) > 0", name="name_present"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(250))
    kind: Mapped[InstitutionKind] = mapped_column(
        enum_column(InstitutionKind, "kind"), default=InstitutionKind.other
    )
    country: Mapped[str | None] = mapped_column(sa.String(2))
    # Institutions typed on the public form or met in an import wait for an organiser to check
    # their name, kind and country; until then the public form does not offer them to others.
    reviewed: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Sex(enum.StrEnum):
    female = "female"
    male = "male"
    other = "other"
    undisclosed = "undisclosed"


def _search_default(context) -> str:
    values = context.get_current_parameters()
    return person_search_text(values.get("given_names"), values.get("family_names"), values.get("email"),
                              values.get("id_document"))


def _sort_name_default(context) -> str:
    values = context.get_current_parameters()
    return person_sort_name(values.get("given_names"), values.get("family_names"))


def _document_key_default(context) -> str:
    return document_key(context.get_current_parameters().get("id_document"))


def _name_key_default(context) -> str:
    values = context.get_current_parameters()
    return person_name_key(values.get("given_names"), values.get("family_names"))


class Person(Base):
    """One official or speaker, across every training they ever take part in."""

    __tablename__ = "person"
    __table_args__ = (
        # One person per address, whatever its case or surrounding spaces.
        sa.Index("uq_person_email_normalised", sa.text("lower(trim(email))"), unique=True),
        sa.UniqueConstraint("country", "id_document"),
        sa.CheckConstraint("email IS NULL OR email LIKE '%_@_%'", name="email_shape"),
        sa.CheckConstraint("length(trim(given_names)) > 0", name="given_names_present"),
        sa.CheckConstraint("length(trim(family_names)) > 0", name="family_names_present"),
        sa.CheckConstraint("country IS NULL OR length(country) = 2", name="country_code"),
        sa.CheckConstraint("year_of_birth IS NULL OR (year_of_birth >= 1900 AND year_of_birth <= 2100)",
                           name="year_of_birth_range"),
        sa.Index("ix_person_name_key", "name_key", "institution_id"),
        sa.Index("ix_person_sort_name", "sort_name", "id"),
        sa.Index("ix_person_document_key", "document_key", "country"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    given_names: Mapped[str] = mapped_column(sa.String(150))
    family_names: Mapped[str] = mapped_column(sa.String(150))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str] = mapped_column(sa.String(50), default="")
    sex: Mapped[Sex | None] = mapped_column(enum_column(Sex, "sex"))
    position: Mapped[str] = mapped_column(sa.String(200), default="")
    institution_id: Mapped[int | None] = mapped_column(sa.ForeignKey("institution.id"), index=True)
    country: Mapped[str | None] = mapped_column(sa.String(2))
    # Where the person works (a donor disaggregates by it), as written on their list or form.
    home_region: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    year_of_birth: Mapped[int | None] = mapped_column(sa.SmallInteger)
    preferred_language: Mapped[Language] = mapped_column(
        enum_column(Language, "preferred_language"), default=Language.es
    )
    id_document: Mapped[str | None] = mapped_column(sa.String(40))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # When the person's personal data was erased (participants/privacy.py); their registrations,
    # attendance and certificates stay, for the totals and for verification.
    anonymised_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Derived from the fields above (accent-free, lower-case) so that the registry is searched
    # and its duplicates found in SQL: PostgreSQL indexes search_text with trigrams (migration
    # 0006). Written on every insert and update, by the defaults below and `_derive_search_columns`.
    search_text: Mapped[str] = mapped_column(sa.String(700), server_default="", default=_search_default)
    name_key: Mapped[str] = mapped_column(sa.String(300), server_default="", default=_name_key_default)
    sort_name: Mapped[str] = mapped_column(sa.String(300), server_default="", default=_sort_name_default)
    # The identity document compared between people (see text.document_key): imports and the
    # duplicates review match "01234567" with "1234567" and "12.345.678" with "12345678".
    document_key: Mapped[str] = mapped_column(sa.String(40), server_default="", default=_document_key_default)

    institution: Mapped[Institution | None] = relationship()
    registrations: Mapped[list[Registration]] = relationship(back_populates="person")

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_names}".strip()


@event.listens_for(Person, "before_insert")
@event.listens_for(Person, "before_update")
def _derive_search_columns(_mapper, _connection, person: Person) -> None:
    person.search_text = person_search_text(person.given_names, person.family_names, person.email,
                                            person.id_document)
    person.name_key = person_name_key(person.given_names, person.family_names)
    person.sort_name = person_sort_name(person.given_names, person.family_names)
    person.document_key = document_key(person.id_document)


class RegistrationRole(enum.StrEnum):
    participant = "participant"
    speaker = "speaker"
    moderator = "moderator"
    organiser = "organiser"
    observer = "observer"


class RegistrationStatus(enum.StrEnum):
    # A public registration whose email address is not confirmed yet: it holds no place and
    # is dropped when `confirm_by` passes (participants/confirmation.py).
    unverified = "unverified"
    pending = "pending"
    confirmed = "confirmed"
    waitlisted = "waitlisted"
    cancelled = "cancelled"


class RegistrationSource(enum.StrEnum):
    web = "web"
    import_ = "import"
    organiser = "organiser"
    walk_in = "walk_in"


class Registration(Base):
    __tablename__ = "registration"
    __table_args__ = (
        sa.UniqueConstraint("training_id", "person_id"),
        sa.UniqueConstraint("token_hash"),
        sa.Index("ix_registration_training_status", "training_id", "status", "created_at"),
        # Places and statuses counted per training from the index alone (the dashboard).
        sa.Index("ix_registration_training_counts", "training_id", "status", "role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(sa.ForeignKey("training.id"))
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    role: Mapped[RegistrationRole] = mapped_column(
        enum_column(RegistrationRole, "role"), default=RegistrationRole.participant
    )
    status: Mapped[RegistrationStatus] = mapped_column(
        enum_column(RegistrationStatus, "status"), default=RegistrationStatus.pending
    )
    source: Mapped[RegistrationSource] = mapped_column(
        enum_column(RegistrationSource, "source"), default=RegistrationSource.web
    )
    # SHA-256 of the private link's token; the token itself is only ever in the email.
    token_hash: Mapped[str] = mapped_column(sa.String(64))
    consent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Until when an unverified registration waits for its address to be confirmed.
    confirm_by: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    # The organiser registered or imported this person without emailing them: nothing automatic
    # (the reminder before the training) is sent to them either.
    emails_off: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    # Added to the SEQUENCE of the invitations sent to this person (participants/invites.py):
    # odd after their registration's CANCEL, even again at the next invitation, so that each
    # outranks the one before in their calendar.
    invite_revision: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")

    training: Mapped[Training] = relationship()
    person: Mapped[Person] = relationship(back_populates="registrations")
    attendances: Mapped[list[Attendance]] = relationship(back_populates="registration")


class AttendanceStatus(enum.StrEnum):
    present = "present"
    late = "late"
    excused = "excused"
    absent = "absent"


class AttendanceMethod(enum.StrEnum):
    manual = "manual"
    qr = "qr"
    sheet = "sheet"
    walk_in = "walk_in"


class Attendance(Base):
    """The current status of one registration in one session; its history is in AttendanceEvent."""

    __tablename__ = "attendance"
    __table_args__ = (sa.UniqueConstraint("registration_id", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("registration.id"))
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("session.id"), index=True)
    status: Mapped[AttendanceStatus] = mapped_column(enum_column(AttendanceStatus, "status"))
    previous_status: Mapped[AttendanceStatus | None] = mapped_column(
        enum_column(AttendanceStatus, "previous_status")
    )
    method: Mapped[AttendanceMethod] = mapped_column(enum_column(AttendanceMethod, "method"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    registration: Mapped[Registration] = relationship(back_populates="attendances")
    session: Mapped[TrainingSession] = relationship()
    recorded_by: Mapped[User | None] = relationship()
    events: Mapped[list[AttendanceEvent]] = relationship(
        back_populates="attendance", order_by="AttendanceEvent.id", cascade="all, delete-orphan"
    )


class AttendanceEvent(Base):
    """Every change of an attendance status: the audit trail, never rewritten."""

    __tablename__ = "attendance_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    attendance_id: Mapped[int] = mapped_column(sa.ForeignKey("attendance.id"), index=True)
    status: Mapped[AttendanceStatus] = mapped_column(enum_column(AttendanceStatus, "status"))
    previous_status: Mapped[AttendanceStatus | None] = mapped_column(
        enum_column(AttendanceStatus, "previous_status")
    )
    method: Mapped[AttendanceMethod] = mapped_column(enum_column(AttendanceMethod, "method"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    attendance: Mapped[Attendance] = relationship(back_populates="events")
    recorded_by: Mapped[User | None] = relationship()


class ParticipantImport(Base):
    """An uploaded participant list between its preview and its commit."""

    __tablename__ = "participant_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(sa.ForeignKey("training.id"), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    filename: Mapped[str] = mapped_column(sa.String(255))
    content: Mapped[bytes] = deferred(mapped_column(sa.LargeBinary))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    committed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    rejected_report: Mapped[str] = mapped_column(sa.Text, default="")  # CSV of rejected rows


class CalendarFeedToken(Base):
    """A private, revocable, read-only address for a calendar feed (stored hashed): the person's
    own feed of every training, or, with `registration_id`, one registration's sessions. It opens
    the feed and nothing else; the private link is never put in a calendar address."""

    __tablename__ = "calendar_feed_token"
    __table_args__ = (sa.UniqueConstraint("token_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    registration_id: Mapped[int | None] = mapped_column(sa.ForeignKey("registration.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship()


class EarlierPrivateLink(Base):
    """A private link sent before the registration's current one. It keeps working: anyone can
    ask for a person's link again (the form cannot tell who asks), and that must never break the
    link the person uses, nor the calendar they subscribed to with it."""

    __tablename__ = "earlier_private_link"
    __table_args__ = (sa.UniqueConstraint("token_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("registration.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64))
    replaced_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReminderSent(Base):
    """The reminder before a training, queued once for a registration and the first session's
    start it announced (the unique key is the claim: two workers never queue it twice). When the
    training moves to another day, the new day is announced by a reminder of its own."""

    __tablename__ = "reminder_sent"
    __table_args__ = (sa.UniqueConstraint("registration_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("registration.id", ondelete="CASCADE"))
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    queued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
