"""The report's figures, aggregated in SQL.

Every figure starts from one set of rows, the *facts*: one per confirmed registration (role
participant, speaker or moderator) of a published training in scope, with the person's sex,
institution, region and age band, whether the registration *completed*, and how many valid
certificates it holds. Completion is the rule of `participants.attendance.rates` and
`certificates.eligibility`, written as SQL so that it is counted for a million registrations
at once instead of person by person, from the per-registration facts kept as data
(`reports.facts`: attended and excused seconds, valid certificates):

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

from participants.models import (
    Institution,
    Person,
    RegistrationRole,
)
from trainings.models import Region, Training, TrainingSession, TrainingStatus

from .facts import refresh_facts, seconds_between
from .filters import REPORTED_ROLES, ReportFilters
from .models import CompletionRule, RegistrationFact

# The age bands a donor asks for, by age at the training's year; None is "not stated".
AGE_BANDS = ((None, 24, "under_25"), (25, 34, "25_34"), (35, 44, "35_44"), (45, 54, "45_54"),
             (55, 64, "55_64"), (65, None, "65_over"))

# The breakdowns, in the order the page shows them.
DIMENSIONS = ("sex", "institution_kind", "institution", "training_region", "home_region", "country", "age_band")

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
    # A subquery, not a CTE: PostgreSQL then hashes these few thousand rows and streams the
    # million facts past them (a materialised CTE led it to hash the facts instead).
    return query.subquery("report_trainings")


def _age_band(year_of_birth, training_year):
    age = training_year - year_of_birth
    whens = []
    for low, high, key in AGE_BANDS:
        condition = sa.and_(*([age >= low] if low is not None else []), *([age <= high] if high is not None else []))
        whens.append((condition, key))
    return sa.case((year_of_birth.is_(None), None), *whens, else_=None)


def facts_query(dbsession: Session, filters: ReportFilters, institution_kind: bool = True):
    """One row per registration in scope (see the module's docstring); without the institution's
    kind when it is joined later, per person (fewer rows to join). The attended and excused
    seconds, the certificates and the person's attributes are read from the facts kept as
    data, first brought up to date (`reports.facts`)."""
    refresh_facts(dbsession)
    trainings = training_scope(dbsession, filters)
    expected = (select(TrainingSession.training_id,
                       func.sum(seconds_between(dbsession, TrainingSession.starts_at, TrainingSession.ends_at))
                       .label("seconds"))
                .join(trainings, trainings.c.id == TrainingSession.training_id)
                .where(TrainingSession.cancelled.is_(False))
                .group_by(TrainingSession.training_id).cte("report_expected"))
    fact = RegistrationFact
    attended_seconds = fact.attended_seconds
    expected_seconds = func.coalesce(expected.c.seconds, 0) - fact.excused_seconds
    certificate_count = fact.certificates
    completed_by_rule = {
        CompletionRule.completed: sa.or_(
            fact.role.in_(SPEAKING),
            sa.and_(expected_seconds > 0,
                    attended_seconds * 100 >= trainings.c.attendance_threshold * expected_seconds)),
        CompletionRule.attended: attended_seconds > 0,
        CompletionRule.certified: certificate_count > 0,
    }
    completed = sa.case((completed_by_rule[filters.completion], 1), else_=0)
    training_year = sa.cast(func.extract("year", trainings.c.starts_on), sa.Integer)
    query = (
        select(fact.registration_id, fact.person_id, fact.training_id, fact.role, fact.sex.label("sex"),
               *([Institution.kind.label("institution_kind")] if institution_kind else []),
               fact.institution_id.label("institution"), fact.home_region.label("home_region"),
               trainings.c.region_id.label("training_region"), trainings.c.country.label("country"),
               _age_band(fact.year_of_birth, training_year).label("age_band"),
               attended_seconds.label("attended_seconds"), completed.label("completed"),
               certificate_count.label("certificates"))
        .join(trainings, trainings.c.id == fact.training_id)
        .outerjoin(expected, expected.c.training_id == fact.training_id)
    )
    if institution_kind or filters.institution_kind or filters.institution_kinds:
        query = query.outerjoin(Institution, Institution.id == fact.institution_id)
    roles = [filters.role] if filters.role else list(REPORTED_ROLES)
    if filters.roles:
        roles = [role for role in roles if role in filters.roles]
    query = query.where(fact.role.in_(roles))
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
    """Per person: the registrations counted, whether any completed, the certificates, and
    their sex, institution (and its kind) and region — the same in each of their rows."""
    attributes = (facts.c.sex, facts.c.institution, facts.c.home_region)
    grouped = _per_person(facts, *attributes).subquery()
    return (select(grouped, Institution.kind.label("institution_kind"))
            .outerjoin(Institution, Institution.id == grouped.c.institution))


def prepare_for_aggregation(dbsession: Session) -> None:
    if dbsession.get_bind().dialect.name == "postgresql":
        dbsession.execute(sa.text(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'"))


def figures(dbsession: Session, filters: ReportFilters, dimensions=DIMENSIONS) -> Figures:
    """Every figure of the report, in three statements whatever the size of the data."""
    prepare_for_aggregation(dbsession)
    facts = facts_query(dbsession, filters, institution_kind=False).cte("report_facts")
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
