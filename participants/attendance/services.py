"""Recording attendance: who is expected in a session, one status change at a time, each one
kept in the audit trail.

Every change touches one row (one registration in one session), so two organisers marking
different people at the same moment both keep their marks. For the same row the last write
wins, and the history keeps both writes with who made them, when and how.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from trainings.i18n import collation_key
from trainings.models import Training, TrainingSession, User, utcnow
from trainings.timezones import local_date

from ..models import (
    Attendance,
    AttendanceEvent,
    AttendanceMethod,
    AttendanceStatus,
    Person,
    Registration,
    RegistrationRole,
    RegistrationStatus,
)
from ..people import person_search_conditions

# Who is on a session's sheet: everyone confirmed who takes part in the room.
ON_THE_SHEET = frozenset({RegistrationRole.participant, RegistrationRole.observer, RegistrationRole.speaker,
                          RegistrationRole.moderator, RegistrationRole.organiser})
# How long before its start a session counts as the current one at the door.
DOORS_OPEN = dt.timedelta(minutes=45)


def expected_registrations(dbsession: Session, training_id: int) -> list[Registration]:
    """The confirmed registrations expected in every session, sorted by family name."""
    registrations = dbsession.scalars(
        select(Registration)
        .where(Registration.training_id == training_id,
               Registration.status == RegistrationStatus.confirmed,
               Registration.role.in_(ON_THE_SHEET))
        .options(joinedload(Registration.person).joinedload(Person.institution))
    )
    return sorted(registrations, key=lambda registration: (
        collation_key(registration.person.family_names), collation_key(registration.person.given_names),
        registration.id))


EXPECTED = (Registration.status == RegistrationStatus.confirmed, Registration.role.in_(ON_THE_SHEET))


def expected_query(training_id: int, conditions: list = ()):
    """The registrations expected in the sessions; `conditions` on Person join it in."""
    query = select(Registration).where(Registration.training_id == training_id, *EXPECTED)
    return query.join(Person, Person.id == Registration.person_id).where(*conditions) if conditions else query


def by_family_name(query):
    """Ordered by the person's sort name, sorting the training's rows: `|| ''` keeps PostgreSQL
    from walking the whole registry's name index to find a few thousand of them."""
    return query.order_by(Person.sort_name + "", Registration.id)


def family_name_page(conditions, limit, offset):
    """The ids of one page of the registrations `conditions` select (on Registration and Person),
    in family-name order, as a common table expression to join the page's rows to: sorting a
    training's few thousand ids alone, then reading a hundred full rows, takes half the time of
    sorting full rows. `limit` and `offset` may be bound parameters."""
    return (by_family_name(select(Registration.id).join(Person, Person.id == Registration.person_id)
                           .where(*conditions))
            .limit(limit).offset(offset).cte("page").prefix_with("MATERIALIZED", dialect="postgresql"))


def expected_page(dbsession: Session, training_id: int, limit: int, offset: int = 0,
                  conditions: list = ()) -> list[Registration]:
    """A page of `expected_registrations`, sorted in SQL by `Person.sort_name`."""
    page = family_name_page((Registration.training_id == training_id, *EXPECTED, *conditions), limit, offset)
    return list(dbsession.scalars(
        by_family_name(select(Registration).join(page, page.c.id == Registration.id)
                       .join(Person, Person.id == Registration.person_id))
        .options(contains_eager(Registration.person).joinedload(Person.institution))))


def count_expected(dbsession: Session, training_id: int, conditions: list = ()) -> int:
    return dbsession.scalar(expected_query(training_id, conditions)
                            .with_only_columns(func.count(Registration.id)).order_by(None)) or 0


def session_attendances(dbsession: Session, session_id: int) -> dict[int, Attendance]:
    """The recorded attendances of a session, by registration id."""
    rows = dbsession.scalars(select(Attendance).where(Attendance.session_id == session_id)
                             .options(joinedload(Attendance.recorded_by)))
    return {attendance.registration_id: attendance for attendance in rows}


@dataclass(frozen=True)
class SheetRow:
    registration: Registration
    attendance: Attendance | None

    @property
    def status(self) -> AttendanceStatus | None:
        return None if self.attendance is None else self.attendance.status


def sheet(dbsession: Session, session: TrainingSession) -> list[SheetRow]:
    """A session's sheet: every expected person and their status (None: not yet marked)."""
    attendances = session_attendances(dbsession, session.id)
    return [SheetRow(registration, attendances.get(registration.id))
            for registration in expected_registrations(dbsession, session.training_id)]


def status_counts(rows: list[SheetRow]) -> Counter:
    """How many people have each status; the key None counts those not yet marked."""
    return Counter(row.status for row in rows)


NOT_READ = object()


def record(dbsession: Session, registration: Registration, session: TrainingSession, status: AttendanceStatus,
           method: AttendanceMethod, user: User | None, *, at: dt.datetime | None = None,
           locked=NOT_READ) -> Attendance | None:
    """Set one person's status in one session and keep the change in the audit trail.
    `locked` is the row as `locked_attendance` read it (None: no row yet), when the caller did.

    Returns the attendance, or None when it already had this status (nothing is written)."""
    if registration.training_id != session.training_id:
        raise ValueError("the registration and the session belong to different trainings")
    status, method = AttendanceStatus(status), AttendanceMethod(method)
    attendance = locked_attendance(dbsession, registration.id, session.id) if locked is NOT_READ else locked
    # The clock is read once the row is ours: a change that waited for another is later than it.
    at = at or utcnow()
    if attendance is None:
        attendance = _insert_attendance(dbsession, registration, session, status, method, user, at)
        if attendance is not None:
            return attendance
        # Someone else created the row a moment ago: change it like any existing row.
        attendance = locked_attendance(dbsession, registration.id, session.id)
    if attendance.status == status:
        return None
    attendance.previous_status, attendance.status = attendance.status, status
    attendance.method, attendance.recorded_at, attendance.recorded_by = method, at, user
    attendance.events.append(AttendanceEvent(status=status, previous_status=attendance.previous_status,
                                             method=method, recorded_at=at, recorded_by=user))
    dbsession.flush()
    return attendance


def locked_attendance(dbsession: Session, registration_id: int, session_id: int) -> Attendance | None:
    # FOR UPDATE: a concurrent change of the same row waits for this one, so its
    # previous status is the one this change wrote (SQLite serialises writers anyway).
    return dbsession.scalar(
        select(Attendance)
        .where(Attendance.registration_id == registration_id, Attendance.session_id == session_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _insert_attendance(dbsession, registration, session, status, method, user, at) -> Attendance | None:
    """The new row and its first event, or None when another request created the row first
    (INSERT … ON CONFLICT DO NOTHING: no savepoint, two statements in all)."""
    dialect_insert = postgresql_insert if dbsession.get_bind().dialect.name == "postgresql" else sqlite_insert
    attendance = dbsession.scalar(
        dialect_insert(Attendance)
        .values(registration_id=registration.id, session_id=session.id, status=status, previous_status=None,
                method=method, recorded_at=at, recorded_by_id=user.id if user else None)
        .on_conflict_do_nothing(index_elements=["registration_id", "session_id"])
        .returning(Attendance))
    if attendance is None:
        return None
    event = AttendanceEvent(attendance_id=attendance.id, status=status, previous_status=None, method=method,
                            recorded_at=at, recorded_by=user)
    dbsession.add(event)
    dbsession.flush()
    set_committed_value(attendance, "events", [event])
    return attendance


@dataclass(frozen=True)
class MarkedAll:
    """What "mark everyone present" did, enough to undo exactly that."""

    session_id: int
    count: int
    first_event_id: int | None
    last_event_id: int | None

    def as_dict(self) -> dict:
        return {"session": self.session_id, "first": self.first_event_id, "last": self.last_event_id}


class SessionNotStarted(Exception):
    """Marking everyone present before the session has begun would record attendance that did not
    happen yet, and those marks count toward certificates."""


def has_started(session: TrainingSession, now: dt.datetime | None = None) -> bool:
    return (now or utcnow()) >= session.starts_at


def mark_everyone_present(dbsession: Session, session: TrainingSession, user: User | None,
                          now: dt.datetime | None = None) -> MarkedAll:
    """Mark present everyone not yet marked; those already marked keep their status.
    Refused (SessionNotStarted, nothing written) before the session's start."""
    if not has_started(session, now):
        raise SessionNotStarted()
    event_ids = []
    for row in sheet(dbsession, session):
        if row.attendance is None:
            attendance = record(dbsession, row.registration, session, AttendanceStatus.present,
                                AttendanceMethod.manual, user)
            if attendance is not None:
                event_ids.append(attendance.events[-1].id)
    return MarkedAll(session.id, len(event_ids), min(event_ids, default=None), max(event_ids, default=None))


def undo_mark_everyone_present(dbsession: Session, session: TrainingSession, user: User | None,
                               first_event_id: int, last_event_id: int) -> tuple[int, int]:
    """Give back to "not yet marked" the rows that "mark everyone present" marked, as they were
    before it. A row somebody changed since keeps its new status (its history shows why).
    Returns (restored, kept).

    "Not yet marked" is the absence of a row, so undoing removes the row and its single event:
    what is removed is exactly what the undone action wrote, nothing older."""
    single_event = (select(AttendanceEvent.attendance_id).group_by(AttendanceEvent.attendance_id)
                    .having(func.count(AttendanceEvent.id) == 1))
    marked = select(AttendanceEvent.attendance_id).where(
        AttendanceEvent.id.between(first_event_id, last_event_id),
        AttendanceEvent.previous_status.is_(None),
        AttendanceEvent.status == AttendanceStatus.present,
        AttendanceEvent.method == AttendanceMethod.manual,
        AttendanceEvent.recorded_by_id == (user.id if user else None),
    )
    candidates = set(dbsession.scalars(
        select(Attendance.id).where(Attendance.session_id == session.id, Attendance.id.in_(marked))))
    restorable = set(dbsession.scalars(
        select(Attendance.id).where(Attendance.id.in_(candidates), Attendance.id.in_(single_event),
                                    Attendance.status == AttendanceStatus.present)
        .with_for_update()))
    if restorable:
        dbsession.execute(delete(AttendanceEvent).where(AttendanceEvent.attendance_id.in_(restorable)))
        dbsession.execute(delete(Attendance).where(Attendance.id.in_(restorable)))
        dbsession.expire_all()
    return len(restorable), len(candidates - restorable)


def record_paper_sheet(dbsession: Session, session: TrainingSession, signed_ids: set[int],
                       user: User | None) -> tuple[int, int]:
    """Record a signed paper sheet: who signed is present; who did not and has no status yet is
    absent. A status set otherwise (late, excused, a QR check-in) is never overwritten by a
    missing signature. Returns (present, absent) counts of changes."""
    present = absent = 0
    for row in sheet(dbsession, session):
        if row.registration.id in signed_ids:
            if row.status not in (AttendanceStatus.present, AttendanceStatus.late):
                record(dbsession, row.registration, session, AttendanceStatus.present, AttendanceMethod.sheet, user)
                present += 1
        elif row.status is None:
            record(dbsession, row.registration, session, AttendanceStatus.absent, AttendanceMethod.sheet, user)
            absent += 1
    return present, absent


def history(dbsession: Session, registration_id: int, session_id: int) -> list[AttendanceEvent]:
    """Every change of one person's status in one session, in the order they were applied
    (the event id: it is assigned while the row is locked, unlike a clock read by the caller)."""
    return list(dbsession.scalars(
        select(AttendanceEvent)
        .join(Attendance, Attendance.id == AttendanceEvent.attendance_id)
        .where(Attendance.registration_id == registration_id, Attendance.session_id == session_id)
        .options(joinedload(AttendanceEvent.recorded_by))
        .order_by(AttendanceEvent.id)
    ))


def arrival_status(training: Training, session: TrainingSession, now: dt.datetime) -> AttendanceStatus:
    """Present until the training's grace period after the start has passed, then late."""
    grace = dt.timedelta(minutes=training.late_after_minutes or 0)
    return AttendanceStatus.late if now > session.starts_at + grace else AttendanceStatus.present


def current_session(training: Training, now: dt.datetime) -> TrainingSession | None:
    """The session people are arriving for: the one under way (or opening its doors), else the
    next one today, else the last one today, in the training's local time."""
    sessions = [session for session in training.sessions if not session.cancelled]
    for session in sessions:
        if session.starts_at - DOORS_OPEN <= now < session.ends_at:
            return session
    today = local_date(now, training.region.timezone)
    same_day = [session for session in sessions if local_date(session.starts_at, training.region.timezone) == today]
    later = [session for session in same_day if session.starts_at > now]
    if later:
        return later[0]
    return same_day[-1] if same_day else None


def folded(text: str) -> str:
    """Without accents or case, for searching: "nunez" finds "Núñez"."""
    decomposed = unicodedata.normalize("NFD", (text or "").casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def find_expected(dbsession: Session, training_id: int, text: str, limit: int = 20) -> list[Registration]:
    """Expected people whose name, email or institution contains every word of `text`,
    whatever the accents and case."""
    words = folded(text).split()
    if not words:
        return []
    matches = []
    for registration in expected_registrations(dbsession, training_id):
        person = registration.person
        haystack = folded(" ".join([person.given_names, person.family_names, person.email or "",
                                    person.institution.name if person.institution else ""]))
        if all(word in haystack for word in words):
            matches.append(registration)
            if len(matches) >= limit:
                break
    return matches


WAITING_FOUND = 10


def find_waiting(dbsession: Session, training_id: int, text: str, limit: int = WAITING_FOUND) -> list[Registration]:
    """People waiting for a place (waitlisted or pending approval) whose name, email, document
    or institution contains every word of `text`, accents and case ignored: the door can admit
    them. In SQL on the registry's search column, in order of arrival."""
    conditions = person_search_conditions(dbsession, text)
    if not conditions:
        return []
    return list(dbsession.scalars(
        select(Registration)
        .join(Person, Person.id == Registration.person_id)
        .where(Registration.training_id == training_id,
               Registration.status.in_([RegistrationStatus.waitlisted, RegistrationStatus.pending]),
               Registration.role.in_(ON_THE_SHEET), *conditions)
        .options(joinedload(Registration.person).joinedload(Person.institution))
        .order_by(Registration.created_at, Registration.id).limit(limit)))


def matching_rows(rows: list, text: str) -> list:
    """The rows of a sheet whose person's name, email, document or institution contains every
    word of `text`, accents and case ignored."""
    words = folded(text).split()
    if not words:
        return rows

    def haystack(person):
        return folded(" ".join([person.given_names, person.family_names, person.email or "",
                                person.id_document or "", person.institution.name if person.institution else ""]))

    return [row for row in rows if all(word in haystack(row.registration.person) for word in words)]


def sessions_with_counts(dbsession: Session, training: Training,
                         expected_total: int | None = None) -> list[tuple[TrainingSession, Counter]]:
    """Each session of the training with its counts by status among the expected people,
    counted in SQL (`expected_total`, when the caller knows it, saves a query)."""
    if expected_total is None:
        expected_total = count_expected(dbsession, training.id)
    counts = {session.id: Counter() for session in training.sessions}
    # The expected people's ids gathered once and hashed (MATERIALIZED), rather than each
    # attendance row looking its registration up: half the time for a 3,000-person training.
    expected = (select(Registration.id).where(Registration.training_id == training.id, *EXPECTED)
                .cte("expected").prefix_with("MATERIALIZED", dialect="postgresql"))
    rows = dbsession.execute(
        select(Attendance.session_id, Attendance.status, func.count(Attendance.id))
        .select_from(TrainingSession).join(Attendance, Attendance.session_id == TrainingSession.id)
        .join(expected, expected.c.id == Attendance.registration_id)
        .where(TrainingSession.training_id == training.id)
        .group_by(Attendance.session_id, Attendance.status)
    )
    for session_id, status, count in rows:
        counts[session_id][status] = count
    for counter in counts.values():
        counter[None] = expected_total - sum(counter.values())
    return [(session, counts[session.id]) for session in training.sessions]


def training_with_sessions(dbsession: Session, training_id: int) -> Training | None:
    return dbsession.scalar(select(Training).where(Training.id == training_id)
                            .options(selectinload(Training.sessions), joinedload(Training.region),
                                     joinedload(Training.venue)))


def session_attendances_of(dbsession: Session, registration_id: int, session_id: int) -> Attendance | None:
    return dbsession.scalar(select(Attendance).where(Attendance.registration_id == registration_id,
                                                     Attendance.session_id == session_id))
