"""Per-registration facts kept as data (`RegistrationFact`), so that a report reads one row per
registration instead of summing three attendance rows for each.

Correctness does not depend on anyone remembering to refresh them: triggers in the database
(migrations 0013 and 0015) mark a training stale (`StaleTraining`) in the same transaction as
any change to its sessions, attendance, registrations, certificates, registered persons or its
own region, first day and attendance threshold — whichever code, process or bulk statement
makes it. Every report first rebuilds the facts of the stale trainings
(`refresh_facts`, a few milliseconds per training), and the worker does the same every few
minutes so that reports seldom have to.

A refresh *claims* the stale trainings by deleting their rows (DELETE … RETURNING): a change
committed later marks the training stale again; one made meanwhile holds the row's lock (the
triggers upsert it), so the claim waits for it and the rebuild, a later statement, sees it.
Two reports refreshing at once do not both rebuild the same training.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certificates.models import Certificate
from participants.models import (
    Attendance,
    AttendanceStatus,
    Person,
    Registration,
    RegistrationRole,
    RegistrationStatus,
)
from trainings.models import Training, TrainingSession

from .models import RegistrationFact, StaleTraining

ATTENDED = (AttendanceStatus.present.value, AttendanceStatus.late.value)

# Speakers and moderators complete by their role, as they earn their certificate.
SPEAKING = (RegistrationRole.speaker.value, RegistrationRole.moderator.value)

# The age bands a donor asks for, by age in the training's year; the facts keep their index.
AGE_BANDS = ((None, 24, "under_25"), (25, 34, "25_34"), (35, 44, "35_44"), (45, 54, "45_54"),
             (55, 64, "55_64"), (65, None, "65_over"))

# The columns `facts_select` fills, in its order.
FACT_COLUMNS = ["registration_id", "training_id", "person_id", "role", "sex", "institution_id", "home_region",
                "year_of_birth", "attended_seconds", "excused_seconds", "certificates", "region_id", "age_band",
                "completed"]

# How often the worker rebuilds the facts of the trainings changed since (seconds).
REFRESH_INTERVAL = 300


def seconds_between(dbsession: Session, start, end):
    """Whole seconds from `start` to `end`, in the database's own arithmetic."""
    if dbsession.get_bind().dialect.name == "postgresql":
        # A 4-byte integer: PostgreSQL sums those into a bigint, but sums bigints as slow numerics.
        return sa.cast(func.extract("epoch", end - start), sa.Integer)
    return sa.cast(func.round((func.julianday(end) - func.julianday(start)) * 86400), sa.Integer)


def claim_stale_trainings(dbsession: Session) -> list[int]:
    return list(dbsession.scalars(sa.delete(StaleTraining).returning(StaleTraining.training_id)))


def refresh_facts(dbsession: Session) -> int:
    """Rebuild the facts of every stale training; returns how many trainings were rebuilt."""
    training_ids = claim_stale_trainings(dbsession)
    if training_ids:
        rebuild_facts(dbsession, training_ids)
    return len(training_ids)


def rebuild_facts(dbsession: Session, training_ids: list[int]) -> None:
    in_trainings = sa.bindparam("training_ids", training_ids, expanding=True)
    moved_here = select(Registration.id).where(Registration.training_id.in_(in_trainings))
    # Two statements, not one with OR: PostgreSQL cannot join through an OR, and once the
    # registrations of the trainings no longer fit in work_mem it re-ran that subquery for
    # every fact (2,000 trainings took over ten minutes instead of a second).
    for condition in (RegistrationFact.training_id.in_(in_trainings), RegistrationFact.registration_id.in_(moved_here)):
        dbsession.execute(sa.delete(RegistrationFact).where(condition).execution_options(synchronize_session=False))
    dbsession.execute(sa.insert(RegistrationFact).from_select(
        FACT_COLUMNS,
        facts_select(dbsession, Registration.training_id.in_(in_trainings)),
    ))


def age_band_code(year_of_birth, training_year):
    """The index in AGE_BANDS of the age reached in the training's year (None: not stated)."""
    age = training_year - year_of_birth
    whens = []
    for code, (low, high, _key) in enumerate(AGE_BANDS):
        condition = sa.and_(*([age >= low] if low is not None else []), *([age <= high] if high is not None else []))
        whens.append((condition, code))
    return sa.case((year_of_birth.is_(None), None), *whens, else_=None)


def facts_select(dbsession: Session, registrations_in_scope):
    """The facts of the confirmed registrations `registrations_in_scope` selects, computed from
    the attendance, sessions and certificates: the rule of `participants.attendance.rates`,
    counting the sessions of the registration's own training that are not cancelled."""
    duration = seconds_between(dbsession, TrainingSession.starts_at, TrainingSession.ends_at)
    attended = (select(Attendance.registration_id,
                       func.sum(sa.case((Attendance.status.in_(ATTENDED), duration), else_=0)).label("seconds"),
                       func.sum(sa.case((Attendance.status == AttendanceStatus.excused, duration),
                                        else_=0)).label("excused"))
                .join(TrainingSession, TrainingSession.id == Attendance.session_id)
                .join(Registration, sa.and_(Registration.id == Attendance.registration_id,
                                            Registration.training_id == TrainingSession.training_id))
                .where(registrations_in_scope, TrainingSession.cancelled.is_(False),
                       Attendance.status != AttendanceStatus.absent)  # an absence adds to neither sum
                .group_by(Attendance.registration_id).subquery())
    certificates = (select(Certificate.registration_id, func.count().label("number"))
                    .join(Registration, Registration.id == Certificate.registration_id)
                    .where(registrations_in_scope, Certificate.revoked_at.is_(None))
                    .group_by(Certificate.registration_id).subquery())
    trainings_in_scope = select(Registration.training_id).where(registrations_in_scope)
    delivered = (select(TrainingSession.training_id, func.sum(duration).label("seconds"))
                 .where(TrainingSession.training_id.in_(trainings_in_scope), TrainingSession.cancelled.is_(False))
                 .group_by(TrainingSession.training_id).subquery())
    attended_seconds = sa.cast(func.coalesce(attended.c.seconds, 0), sa.Integer)
    excused_seconds = sa.cast(func.coalesce(attended.c.excused, 0), sa.Integer)
    expected_seconds = func.coalesce(delivered.c.seconds, 0) - excused_seconds
    completed = sa.or_(Registration.role.in_(SPEAKING),
                       sa.and_(expected_seconds > 0,
                               attended_seconds * 100 >= Training.attendance_threshold * expected_seconds))
    training_year = sa.cast(func.extract("year", Training.starts_on), sa.Integer)
    return (select(Registration.id, Registration.training_id, Registration.person_id, Registration.role,
                   Person.sex, Person.institution_id, Person.home_region, Person.year_of_birth,
                   attended_seconds, excused_seconds,
                   sa.cast(func.coalesce(certificates.c.number, 0), sa.Integer),
                   Training.region_id, age_band_code(Person.year_of_birth, training_year),
                   sa.case((completed, True), else_=False))
            .join(Person, Person.id == Registration.person_id)
            .join(Training, Training.id == Registration.training_id)
            .outerjoin(delivered, delivered.c.training_id == Registration.training_id)
            .outerjoin(attended, attended.c.registration_id == Registration.id)
            .outerjoin(certificates, certificates.c.registration_id == Registration.id)
            .where(registrations_in_scope, Registration.status == RegistrationStatus.confirmed))


def refresh_task(request) -> None:
    """The worker's periodic task (registered by `reports.includeme`)."""
    refresh_facts(request.dbsession)
