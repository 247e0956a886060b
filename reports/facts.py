"""Per-registration facts kept as data (`RegistrationFact`), so that a report reads one row per
registration instead of summing three attendance rows for each.

Correctness does not depend on anyone remembering to refresh them: triggers in the database
(migration 0013) mark a training stale (`StaleTraining`) in the same transaction as any change
to its sessions, attendance, registrations, certificates or registered persons — whichever code, process or bulk
statement makes it. Every report first rebuilds the facts of the stale trainings
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
from participants.models import Attendance, AttendanceStatus, Person, Registration, RegistrationStatus
from trainings.models import TrainingSession

from .models import RegistrationFact, StaleTraining

ATTENDED = (AttendanceStatus.present.value, AttendanceStatus.late.value)

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
    dbsession.execute(sa.delete(RegistrationFact).where(
        sa.or_(RegistrationFact.training_id.in_(in_trainings), RegistrationFact.registration_id.in_(moved_here))
    ).execution_options(synchronize_session=False))
    dbsession.execute(sa.insert(RegistrationFact).from_select(
        ["registration_id", "training_id", "person_id", "role", "sex", "institution_id", "home_region",
         "year_of_birth", "attended_seconds", "excused_seconds", "certificates"],
        facts_select(dbsession, Registration.training_id.in_(in_trainings)),
    ))


def facts_select(dbsession: Session, registrations_in_scope):
    """The facts of the confirmed registrations `registrations_in_scope` selects, computed from
    the attendance and certificates: the rule of `participants.attendance.rates`, counting the
    sessions of the registration's own training that are not cancelled."""
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
    return (select(Registration.id, Registration.training_id, Registration.person_id, Registration.role,
                   Person.sex, Person.institution_id, Person.home_region, Person.year_of_birth,
                   sa.cast(func.coalesce(attended.c.seconds, 0), sa.Integer),
                   sa.cast(func.coalesce(attended.c.excused, 0), sa.Integer),
                   sa.cast(func.coalesce(certificates.c.number, 0), sa.Integer))
            .join(Person, Person.id == Registration.person_id)
            .outerjoin(attended, attended.c.registration_id == Registration.id)
            .outerjoin(certificates, certificates.c.registration_id == Registration.id)
            .where(registrations_in_scope, Registration.status == RegistrationStatus.confirmed))


def refresh_task(request) -> None:
    """The worker's periodic task (registered by `reports.includeme`)."""
    refresh_facts(request.dbsession)
