"""The report's figures, aggregated in SQL.

Every figure starts from one set of rows, the *facts*: one per confirmed registration (role
participant, speaker or moderator) of a published training in scope, with the person's sex,
institution, region and age band, whether the registration *completed*, and how many valid
certificates it holds. Completion is the rule of `participants.attendance.rates` and
`certificates.eligibility`, written as SQL so that it is counted for a million registrations
at once instead of person by person:

- attended hours are those of sessions (not cancelled) marked present or late;
- expected hours are the training's sessions (not cancelled) minus those the person was excused;
- a participant completes when attended × 100 ≥ threshold × expected (and some hours are
  expected); a speaker or moderator completes by their role, as they earn their certificate.

An indicator may ask for another rule instead: "attended at least once" or "certificate issued".

A breakdown groups the same facts by one dimension in the same statement (UNION ALL over one
common table expression, which PostgreSQL computes once), so that its totals always agree
with the report's.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certificates.models import Certificate
from participants.models import (
    Attendance,
    AttendanceStatus,
    Institution,
    Person,
    Registration,
    RegistrationRole,
    RegistrationStatus,
)
from trainings.models import Region, Training, TrainingSession, TrainingStatus

from .filters import REPORTED_ROLES, ReportFilters
from .models import CompletionRule

# The age bands a donor asks for, by age at the training's year; None is "not stated".
AGE_BANDS = ((None, 24, "under_25"), (25, 34, "25_34"), (35, 44, "35_44"), (45, 54, "45_54"),
             (55, 64, "55_64"), (65, None, "65_over"))

# The breakdowns, in the order the page shows them.
DIMENSIONS = ("sex", "institution_kind", "institution", "training_region", "home_region", "country", "age_band")

ATTENDED = (AttendanceStatus.present.value, AttendanceStatus.late.value)
SPEAKING = (RegistrationRole.speaker.value, RegistrationRole.moderator.value)


@dataclass(frozen=True)
class Counts:
    participations: int = 0
    persons: int = 0
    completed: int = 0
    certificates: int = 0


@dataclass(frozen=True)
class Row:
    key: str | None
    counts: Counts


@dataclass(frozen=True)
class Figures:
    trainings: int
    sessions: int
    seconds_delivered: int
    totals: Counts
    breakdowns: dict[str, list[Row]]

    @property
    def hours_delivered(self) -> float:
        return round(self.seconds_delivered / 3600, 1)


def seconds_between(dbsession: Session, start, end):
    """Whole seconds from `start` to `end`, in the database's own arithmetic."""
    if dbsession.get_bind().dialect.name == "postgresql":
        # A 4-byte integer: PostgreSQL sums those into a bigint, but sums bigints as slow numerics.
        return sa.cast(func.extract("epoch", end - start), sa.Integer)
    return sa.cast(func.round((func.julianday(end) - func.julianday(start)) * 86400), sa.Integer)


def training_scope(dbsession: Session, filters: ReportFilters):
    """Published trainings that have begun (nobody is trained by one still to come), whose first
    day falls in the period and that match the filters."""
    query = (select(Training.id, Training.region_id, Training.attendance_threshold, Training.starts_on,
                    Region.country)
             .join(Region, Region.id == Training.region_id)
             .where(Training.status == TrainingStatus.published, Training.starts_on <= dt.date.today()))
    if filters.organisation_ids is not None:
        query = query.where(Training.organisation_id.in_(filters.organisation_ids))
    if filters.date_from:
        query = query.where(Training.starts_on >= filters.date_from)
    if filters.date_to:
        query = query.where(Training.starts_on <= filters.date_to)
    if filters.country:
        query = query.where(Region.country == filters.country)
    if filters.region_id:
        query = query.where(Training.region_id == filters.region_id)
    if filters.programme_id:
        query = query.where(Training.programme_id == filters.programme_id)
    if filters.programme_ids:
        query = query.where(Training.programme_id.in_(filters.programme_ids))
    if filters.kind:
        query = query.where(Training.kind == filters.kind)
    if filters.training_kinds:
        query = query.where(Training.kind.in_(filters.training_kinds))
    if filters.topic:
        topic = filters.topic.lower()  # a % or _ in it is a letter, not a wildcard
        query = query.where(sa.or_(func.lower(Training.title).contains(topic, autoescape=True),
                                   func.lower(Training.description).contains(topic, autoescape=True)))
    return query.cte("report_trainings")


def _age_band(year_of_birth, training_year):
    age = training_year - year_of_birth
    whens = []
    for low, high, key in AGE_BANDS:
        condition = sa.and_(*([age >= low] if low is not None else []), *([age <= high] if high is not None else []))
        whens.append((condition, key))
    return sa.case((year_of_birth.is_(None), None), *whens, else_=None)


def facts_query(dbsession: Session, filters: ReportFilters, person_attributes: bool = True):
    """One row per registration in scope (see the module's docstring); without the person's
    attributes when they are joined later, per person (a narrower table to aggregate)."""
    trainings = training_scope(dbsession, filters)
    sessions = (select(TrainingSession.id.label("session_id"), TrainingSession.training_id,
                       seconds_between(dbsession, TrainingSession.starts_at, TrainingSession.ends_at).label("seconds"))
                .join(trainings, trainings.c.id == TrainingSession.training_id)
                .where(TrainingSession.cancelled.is_(False))
                .cte("report_sessions"))
    expected = (select(sessions.c.training_id, func.sum(sessions.c.seconds).label("seconds"))
                .group_by(sessions.c.training_id).cte("report_expected"))
    # Joined to the session table itself (not to `sessions`): PostgreSQL then hashes the few
    # thousand sessions and streams the millions of attendance rows past them.
    session_seconds = seconds_between(dbsession, TrainingSession.starts_at, TrainingSession.ends_at)
    attended = (select(Attendance.registration_id,
                       func.sum(sa.case((Attendance.status.in_(ATTENDED), session_seconds), else_=0)).label("seconds"),
                       func.sum(sa.case((Attendance.status == AttendanceStatus.excused, session_seconds),
                                        else_=0)).label("excused"))
                .join(TrainingSession, TrainingSession.id == Attendance.session_id)
                .where(TrainingSession.cancelled.is_(False), TrainingSession.training_id.in_(select(trainings.c.id)),
                       Attendance.status != AttendanceStatus.absent)  # an absence adds to neither sum
                .group_by(Attendance.registration_id).cte("report_attended"))
    certificates = (select(Certificate.registration_id, func.count().label("number"))
                    .where(Certificate.revoked_at.is_(None))
                    .group_by(Certificate.registration_id).cte("report_certificates"))
    attended_seconds = func.coalesce(attended.c.seconds, 0)
    expected_seconds = func.coalesce(expected.c.seconds, 0) - func.coalesce(attended.c.excused, 0)
    certificate_count = sa.cast(func.coalesce(certificates.c.number, 0), sa.Integer)
    completed_by_rule = {
        CompletionRule.completed: sa.or_(
            Registration.role.in_(SPEAKING),
            sa.and_(expected_seconds > 0,
                    attended_seconds * 100 >= trainings.c.attendance_threshold * expected_seconds)),
        CompletionRule.attended: attended_seconds > 0,
        CompletionRule.certified: certificate_count > 0,
    }
    completed = sa.case((completed_by_rule[filters.completion], 1), else_=0)
    training_year = sa.cast(func.extract("year", trainings.c.starts_on), sa.Integer)
    person_columns = [Person.sex.label("sex"), Institution.kind.label("institution_kind"),
                      Person.institution_id.label("institution"), Person.home_region.label("home_region")]
    query = (
        select(Registration.id.label("registration_id"), Registration.person_id, Registration.training_id,
               Registration.role, *(person_columns if person_attributes else []),
               trainings.c.region_id.label("training_region"), trainings.c.country.label("country"),
               _age_band(Person.year_of_birth, training_year).label("age_band"),
               attended_seconds.label("attended_seconds"), completed.label("completed"),
               certificate_count.label("certificates"))
        .join(trainings, trainings.c.id == Registration.training_id)
        .join(Person, Person.id == Registration.person_id)
        .outerjoin(Institution, Institution.id == Person.institution_id)
        .outerjoin(attended, attended.c.registration_id == Registration.id)
        .outerjoin(expected, expected.c.training_id == Registration.training_id)
        .outerjoin(certificates, certificates.c.registration_id == Registration.id)
        .where(Registration.status == RegistrationStatus.confirmed)
    )
    roles = [filters.role] if filters.role else list(REPORTED_ROLES)
    if filters.roles:
        roles = [role for role in roles if role in filters.roles]
    query = query.where(Registration.role.in_(roles))
    if filters.institution_kind:
        query = query.where(Institution.kind == filters.institution_kind)
    if filters.institution_kinds:
        query = query.where(Institution.kind.in_(filters.institution_kinds))
    return query


# Dimensions that belong to the person (the same in every registration of theirs) and those of
# the registration (the training's region and country; the age at the training's year).
PERSON_DIMENSIONS = ("sex", "institution_kind", "institution", "home_region")
REGISTRATION_DIMENSIONS = ("training_region", "country", "age_band")

# A report aggregates a million rows: enough memory for PostgreSQL to hash them without
# spilling to disk, for this transaction only.
REPORT_WORK_MEM = "64MB"


def _key(column):
    return sa.cast(column, sa.String)


def _sums(rows, persons):
    return (func.sum(rows.c.participations).label("participations"), persons.label("persons"),
            func.sum(rows.c.completed).label("completed"), func.sum(rows.c.certificates).label("certificates"))


def _per_person(facts, *keys):
    """One row per person (and key): the registrations counted, whether any completed, and
    the certificates — so that each breakdown counts persons with a plain count(*) instead
    of a count(DISTINCT) over every registration."""
    return (select(*keys, facts.c.person_id, func.count().label("participations"),
                   func.max(facts.c.completed).label("completed"),
                   func.sum(facts.c.certificates).label("certificates"))
            .group_by(*keys, facts.c.person_id))


def _persons_with_attributes(facts):
    """Per person, then their sex, institution (and its kind) and region: grouping a million
    registrations by an integer, then joining the attributes of far fewer persons."""
    grouped = _per_person(facts).subquery()
    return (select(grouped, Person.sex.label("sex"), Institution.kind.label("institution_kind"),
                   Person.institution_id.label("institution"), Person.home_region.label("home_region"))
            .join(Person, Person.id == grouped.c.person_id)
            .outerjoin(Institution, Institution.id == Person.institution_id))


def prepare_for_aggregation(dbsession: Session) -> None:
    if dbsession.get_bind().dialect.name == "postgresql":
        dbsession.execute(sa.text(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'"))


def figures(dbsession: Session, filters: ReportFilters, dimensions=DIMENSIONS) -> Figures:
    """Every figure of the report, in three statements whatever the size of the data."""
    prepare_for_aggregation(dbsession)
    facts = facts_query(dbsession, filters, person_attributes=False).cte("report_facts")
    persons = _persons_with_attributes(facts).cte("report_persons")
    parts = [select(sa.literal("").label("dimension"), sa.cast(sa.null(), sa.String).label("key"),
                    *_sums(persons, func.count()))]
    for dimension in dimensions:
        if dimension in PERSON_DIMENSIONS:
            rows, column = persons, persons.c[dimension]
        else:
            rows = _per_person(facts, facts.c[dimension]).subquery()
            column = rows.c[dimension]
        parts.append(select(sa.literal(dimension).label("dimension"), _key(column).label("key"),
                            *_sums(rows, func.count())).group_by(column))
    totals, breakdowns = Counts(), {dimension: [] for dimension in dimensions}
    for row in dbsession.execute(sa.union_all(*parts)):
        counts = Counts(int(row.participations or 0), row.persons, int(row.completed or 0),
                        int(row.certificates or 0))
        if row.dimension == "":
            totals = counts
        else:
            breakdowns[row.dimension].append(Row(row.key, counts))
    for rows in breakdowns.values():
        rows.sort(key=lambda row: (-row.counts.participations, row.key is None, row.key or ""))
    trainings, sessions, seconds = schedule_figures(dbsession, filters)
    return Figures(trainings, sessions, seconds, totals, breakdowns)


def schedule_figures(dbsession: Session, filters: ReportFilters) -> tuple[int, int, int]:
    """Trainings held, their sessions (not cancelled) and the seconds those sessions last."""
    trainings = training_scope(dbsession, filters)
    held = dbsession.scalar(select(func.count()).select_from(trainings))
    duration = seconds_between(dbsession, TrainingSession.starts_at, TrainingSession.ends_at)
    sessions, seconds = dbsession.execute(
        select(func.count(TrainingSession.id), func.coalesce(func.sum(duration), 0))
        .join(trainings, trainings.c.id == TrainingSession.training_id)
        .where(TrainingSession.cancelled.is_(False))
    ).one()
    return held, sessions, int(seconds)


MEASURES = ("participations", "persons", "completed", "certificates")


@dataclass(frozen=True)
class EvidenceRow:
    registration_id: int | None
    person_id: int
    given_names: str
    family_names: str
    training_id: int | None
    training_title: str
    starts_on: dt.date | None
    role: str | None
    attended_seconds: int
    completed: bool
    certificates: int
    participations: int = 1


def _evidence_facts(dbsession: Session, filters: ReportFilters, dimension: str | None, key: str | None,
                    measure: str):
    facts = facts_query(dbsession, filters).cte("report_facts")
    conditions = []
    if dimension:
        column = _key(facts.c[dimension])
        conditions.append(column.is_(None) if key is None else column == key)
    if measure == "completed":
        conditions.append(facts.c.completed == 1)
    elif measure == "certificates":
        conditions.append(facts.c.certificates > 0)
    return facts, conditions


def evidence(dbsession: Session, filters: ReportFilters, dimension: str | None = None, key: str | None = None,
             measure: str = "participations", page: int = 1, per_page: int = 100) -> tuple[int, list[EvidenceRow]]:
    """The rows behind one number: registrations (or, for unique persons, persons with how
    many of their registrations count), a page at a time, and how many there are in all."""
    facts, conditions = _evidence_facts(dbsession, filters, dimension, key, measure)
    if measure == "persons":
        return _evidence_persons(dbsession, facts, conditions, page, per_page)
    total = dbsession.scalar(select(func.count()).select_from(facts).where(*conditions))
    rows = dbsession.execute(
        select(facts.c.registration_id, facts.c.person_id, Person.given_names, Person.family_names,
               facts.c.training_id, Training.title, Training.starts_on, facts.c.role, facts.c.attended_seconds,
               facts.c.completed, facts.c.certificates)
        .join(Person, Person.id == facts.c.person_id).join(Training, Training.id == facts.c.training_id)
        .where(*conditions)
        .order_by(Person.family_names, Person.given_names, Person.id, Training.starts_on, facts.c.registration_id)
        .limit(per_page).offset((page - 1) * per_page)
    )
    return total, [EvidenceRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], int(r[8] or 0), bool(r[9]), int(r[10]))
                   for r in rows]


def _evidence_persons(dbsession, facts, conditions, page, per_page):
    grouped = (select(facts.c.person_id, func.count().label("participations"),
                      func.sum(facts.c.attended_seconds).label("seconds"),
                      func.max(facts.c.completed).label("completed"),
                      func.sum(facts.c.certificates).label("certificates"))
               .where(*conditions).group_by(facts.c.person_id).subquery())
    total = dbsession.scalar(select(func.count()).select_from(grouped))
    rows = dbsession.execute(
        select(grouped, Person.given_names, Person.family_names)
        .join(Person, Person.id == grouped.c.person_id)
        .order_by(Person.family_names, Person.given_names, Person.id)
        .limit(per_page).offset((page - 1) * per_page)
    )
    return total, [EvidenceRow(None, r.person_id, r.given_names, r.family_names, None, "", None, None,
                               int(r.seconds or 0), bool(r.completed), int(r.certificates or 0), r.participations)
                   for r in rows]
