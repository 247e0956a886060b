"""Indicators as data: what a donor counts, written down beside the number."""
from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from trainings.models import Base, UTCDateTime, enum_column, utcnow

# The columns a report reads, carried in the person index so that PostgreSQL answers from it.
FACT_INCLUDED = ("training_id", "role", "completed", "attended_seconds", "certificates", "sex", "institution_id",
                 "home_region", "region_id", "age_band")


class CompletionRule(enum.StrEnum):
    completed = "completed"  # reached the training's attendance rule (speakers: by their role)
    attended = "attended"  # present or late in at least one session
    certified = "certified"  # holds a valid certificate of the training


class IndicatorUnit(enum.StrEnum):
    persons = "persons"  # unique persons who meet the rule
    institutions = "institutions"  # unique institutions with at least one such person


class Indicator(Base):
    """Which trainings, roles and institutions count, and what completing means. Presets carry a
    `preset` key: their name and definition are translated from the code; organisers' own are
    shown as written."""

    __tablename__ = "report_indicator"
    __table_args__ = (
        sa.UniqueConstraint("preset"),
        sa.CheckConstraint("length(trim(name)) > 0", name="name_present"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    preset: Mapped[str | None] = mapped_column(sa.String(40))
    # Whose indicator it is: its members see and change it. None: shared by every organisation
    # (the presets, and indicators older than organisations), changed by administrators only.
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    definition: Mapped[str] = mapped_column(sa.Text, default="")
    unit: Mapped[IndicatorUnit] = mapped_column(enum_column(IndicatorUnit, "unit"), default=IndicatorUnit.persons)
    completion: Mapped[CompletionRule] = mapped_column(
        enum_column(CompletionRule, "completion"), default=CompletionRule.completed
    )
    # Empty lists mean "any"; values are the enumerations' values and programme ids.
    roles: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    training_kinds: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    institution_kinds: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    programme_ids: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    # Words that must appear in the training's title or description (e.g. "identificación").
    topic: Mapped[str] = mapped_column(sa.String(120), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class RegistrationFact(Base):
    """What the report needs of one confirmed registration, kept as data so that a report over a
    million registrations reads one row each instead of summing their attendance and joining
    its training: the seconds attended (present or late) and excused in the training's sessions
    not cancelled, the valid certificates, whether it *completed* by the training's attendance
    rule, the training's region and the person's age band in the training's year. Rebuilt per
    training by `reports.facts.refresh_facts` whenever the database's triggers have marked the
    training stale (`StaleTraining`); which trainings are in a report's scope and the
    institution's kind are read live."""

    __tablename__ = "report_registration_fact"
    __table_args__ = (
        sa.Index("ix_report_registration_fact_training_id", "training_id"),
        # Read in person order, a report counts unique persons as it goes (a streaming group)
        # instead of hashing a million rows; on PostgreSQL from the index alone.
        sa.Index("ix_report_registration_fact_person_id", "person_id", postgresql_include=list(FACT_INCLUDED)),
    )

    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    training_id: Mapped[int] = mapped_column()
    person_id: Mapped[int] = mapped_column()
    role: Mapped[str] = mapped_column(sa.String(12))
    # The person's attributes the report breaks down by, copied so that a report reads no
    # `person` row (a change to them marks the person's trainings stale too).
    sex: Mapped[str | None] = mapped_column(sa.String(20))
    institution_id: Mapped[int | None] = mapped_column()
    home_region: Mapped[str] = mapped_column(sa.String(120), default="")
    year_of_birth: Mapped[int | None] = mapped_column(sa.SmallInteger)
    attended_seconds: Mapped[int] = mapped_column(default=0)
    excused_seconds: Mapped[int] = mapped_column(default=0)
    certificates: Mapped[int] = mapped_column(default=0)
    # The training's region, and the age band (index in `reports.figures.AGE_BANDS`; None: no
    # year of birth) at the training's year: a change to either marks the training stale.
    region_id: Mapped[int] = mapped_column()
    age_band: Mapped[int | None] = mapped_column(sa.SmallInteger)
    # Reached the training's attendance rule (threshold and sessions read at the rebuild; a
    # change to the threshold marks the training stale), or spoke: speakers complete by role.
    completed: Mapped[bool] = mapped_column(default=False)


class StaleTraining(Base):
    """A training whose registrations' facts no longer match its sessions, attendance,
    registrations or certificates. Written by database triggers (migration 0013) in the same
    transaction as the change, whichever code or process makes it; removed by the refresh."""

    __tablename__ = "report_stale_training"

    training_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
