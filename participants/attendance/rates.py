"""The attendance rule, in one place (the README states it for organisers):

- present and late count as attended;
- absent, or nothing recorded, counts as expected but not attended;
- an excused session is removed from the expected hours;
- cancelled sessions never count.

A participant's rate is attended hours over expected hours; reaching the training's threshold
(80 % by default) makes them eligible for a certificate of attendance.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Integer, and_, case, cast, func, select
from sqlalchemy.orm import Session

from trainings.models import TrainingSession

from ..models import Attendance, AttendanceStatus, Registration

ATTENDED = frozenset({AttendanceStatus.present, AttendanceStatus.late})
ZERO = dt.timedelta(0)


@dataclass(frozen=True)
class AttendanceRate:
    registration_id: int
    attended: dt.timedelta
    expected: dt.timedelta

    @property
    def rate(self) -> float | None:
        """Between 0 and 1; None when no hours are expected (every session excused or cancelled)."""
        if self.expected <= ZERO:
            return None
        return self.attended / self.expected

    @property
    def percent(self) -> float | None:
        return None if self.rate is None else round(self.rate * 100, 1)

    def reaches(self, threshold_percent: int) -> bool:
        # Compared in whole seconds, so that exactly at the threshold is never lost to rounding.
        if self.expected <= ZERO:
            return False
        return self.attended.total_seconds() * 100 >= threshold_percent * self.expected.total_seconds()


def rate_for(durations: dict[int, dt.timedelta], statuses: dict[int, AttendanceStatus],
             registration_id: int = 0) -> AttendanceRate:
    """The rate from each counted session's duration and this person's status in it."""
    attended = expected = ZERO
    for session_id, duration in durations.items():
        status = statuses.get(session_id)
        if status == AttendanceStatus.excused:
            continue
        expected += duration
        if status in ATTENDED:
            attended += duration
    return AttendanceRate(registration_id, attended, expected)


def session_durations(dbsession: Session, training_id: int) -> dict[int, dt.timedelta]:
    """The sessions that count (not cancelled) and how long each lasts."""
    rows = dbsession.execute(
        select(TrainingSession.id, TrainingSession.starts_at, TrainingSession.ends_at)
        .where(TrainingSession.training_id == training_id, TrainingSession.cancelled.is_(False))
    )
    return {session_id: ends - starts for session_id, starts, ends in rows}


def durations_of(sessions) -> dict[int, dt.timedelta]:
    """`session_durations` from sessions already loaded."""
    return {session.id: session.ends_at - session.starts_at for session in sessions if not session.cancelled}


def attendance_rates(dbsession: Session, training_id: int, registration_ids: list[int] | None = None,
                     durations: dict[int, dt.timedelta] | None = None) -> dict[int, AttendanceRate]:
    """Every registration of the training (or those of `registration_ids`, a page of a long
    list), by id, with its rate (three queries at most; `durations` from `durations_of` when
    the training's sessions are loaded already)."""
    if durations is None:
        durations = session_durations(dbsession, training_id)
    if registration_ids is None:
        registration_ids = list(dbsession.scalars(
            select(Registration.id).where(Registration.training_id == training_id)))
    statuses: dict[int, dict[int, AttendanceStatus]] = {registration_id: {} for registration_id in registration_ids}
    rows = dbsession.execute(
        select(Attendance.registration_id, Attendance.session_id, Attendance.status)
        .join(Registration, Registration.id == Attendance.registration_id)
        .where(Registration.training_id == training_id, Attendance.registration_id.in_(registration_ids))
    ) if registration_ids else []
    for registration_id, session_id, status in rows:
        statuses[registration_id][session_id] = status
    return {registration_id: rate_for(durations, by_session, registration_id)
            for registration_id, by_session in statuses.items()}


def _seconds(dialect_name: str, starts, ends):
    """Whole seconds between two instants, in SQL (SQLite keeps them as text)."""
    if dialect_name == "sqlite":
        return func.round((func.julianday(ends) - func.julianday(starts)) * 86400)
    # Cast to an integer (rounded): summing numerics over thousands of rows costs several times more.
    return cast(func.extract("epoch", ends - starts), Integer)


def attendance_seconds(dialect_name: str, training_id, *columns, only=None):
    """Every registration of the training (or those whose id is in `only`, a selectable of
    ids such as one page of them) with its attended and expected seconds (the rule above,
    summed in SQL over the training's sessions, then joined to its registrations: one row per
    registration however many sessions there are), plus `columns`; `rate_from_seconds` turns
    a row into its AttendanceRate. `dialect_name`: the database's (`dbsession.get_bind().dialect.name`);
    `training_id` may be a bound parameter, for a statement built once and run for any training."""
    dialect = dialect_name
    # Each counted session's length, computed once (MATERIALIZED: else PostgreSQL computes it again
    # for each attendance row, a third of the statement's time for a 3,000-person training).
    durations = (select(TrainingSession.id, _seconds(dialect, TrainingSession.starts_at, TrainingSession.ends_at)
                        .label("seconds"))
                 .where(TrainingSession.training_id == training_id, TrainingSession.cancelled.is_(False))
                 .cte("durations").prefix_with("MATERIALIZED", dialect="postgresql"))
    total = select(func.coalesce(func.sum(durations.c.seconds), 0)).scalar_subquery()
    attended = func.sum(case((Attendance.status.in_(ATTENDED), durations.c.seconds), else_=0))
    excused = func.sum(case((Attendance.status == AttendanceStatus.excused, durations.c.seconds), else_=0))
    if only is None:  # the whole training: every attendance row of its sessions, summed per registration
        per_registration = (select(Attendance.registration_id, attended.label("attended"), excused.label("excused"))
                            .select_from(durations).join(Attendance, Attendance.session_id == durations.c.id)
                            .group_by(Attendance.registration_id).subquery())
        attended_seconds, excused_seconds = per_registration.c.attended, per_registration.c.excused
    else:
        # A few chosen registrations: each one's own rows, read through the (registration, session)
        # index by a correlated subquery, rather than the whole training's rows filtered (PostgreSQL,
        # misjudging how many rows a session has, would choose the latter).
        def own(total_of):
            return (select(total_of).select_from(Attendance).join(durations, durations.c.id == Attendance.session_id)
                    .where(Attendance.registration_id == Registration.id).scalar_subquery())
        attended_seconds, excused_seconds = own(attended), own(excused)
    statement = select(Registration.id, *columns,
                       func.coalesce(attended_seconds, 0).label("attended_seconds"),
                       (total - func.coalesce(excused_seconds, 0)).label("expected_seconds"))
    if only is None:
        return (statement.outerjoin(per_registration, per_registration.c.registration_id == Registration.id)
                .where(Registration.training_id == training_id))
    return statement.where(Registration.training_id == training_id, Registration.id.in_(only))


def reaches_in_sql(attended_seconds, expected_seconds, threshold_percent):
    """`AttendanceRate.reaches` as a SQL condition over the columns `attendance_seconds` gives, for
    counting over a whole training at once."""
    return and_(expected_seconds > 0, attended_seconds * 100 >= threshold_percent * expected_seconds)


def rate_from_seconds(row) -> AttendanceRate:
    return AttendanceRate(row.id, dt.timedelta(seconds=float(row.attended_seconds)),
                          dt.timedelta(seconds=float(row.expected_seconds)))
