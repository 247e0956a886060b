"""The report's figures, aggregated in SQL.

Every figure starts from one set of rows, the *facts*: one per confirmed registration (role
participant, speaker or moderator) of a published training in scope, with the person's sex,
institution, region and age band, whether the registration *completed*, and how many valid
certificates it holds. They are kept as data (`reports.facts`, one row per registration,
rebuilt for the trainings changed since), completion included, by the rule of
`participants.attendance.rates` and `certificates.eligibility`:

- attended hours are those of sessions (not cancelled) marked present or late;
- expected hours are the training's sessions (not cancelled) minus those the person was excused;
- a participant completes when attended × 100 ≥ threshold × expected (and some hours are
  expected); a speaker or moderator completes by their role, as they earn their certificate.

An indicator may ask for another rule instead: "attended at least once" or "certificate issued".

Unique persons are counted in two steps of one statement (`_counting_statement`):

1. the facts in scope, read in person order (on PostgreSQL from the person index), grouped per
   person — registrations counted, whether any completed, certificates, their attributes, and
   *sets* of the training regions and age bands they trained in, as bit masks (`bit_or`) — and
   in the same pass per region and age band (participations and certificates);
2. those persons grouped by each attribute, and by their sets of regions and age bands.

Python then reads the persons of a region, a country (the union of its regions) or an age band
from the few distinct sets. Nothing is estimated: every figure is an exact count, and the
breakdowns come from the same rows as the totals.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from participants.models import Institution, Person
from trainings.models import Region, Training, TrainingSession, TrainingStatus

from .facts import AGE_BANDS, refresh_facts, seconds_between
from .filters import REPORTED_ROLES, ReportFilters
from .models import CompletionRule, RegistrationFact

# The breakdowns, in the order the page shows them.
DIMENSIONS = ("sex", "institution_kind", "institution", "training_region", "home_region", "country", "age_band")
AGE_KEYS = tuple(key for _low, _high, key in AGE_BANDS)


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
    query = (select(Training.id, Training.region_id, Training.confirmed_count, Region.country)
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


def _age_key(code):
    """The age band's key (`25_34`) of the code the facts keep (its index in AGE_BANDS)."""
    return sa.case(*[(code == index, key) for index, key in enumerate(AGE_KEYS)], else_=None)


def completed_by(rule: CompletionRule, fact=RegistrationFact):
    """Whether a fact counts as completed by the indicator's rule (by default the attendance
    rule, kept in the facts)."""
    return {CompletionRule.completed: fact.completed,
            CompletionRule.attended: fact.attended_seconds > 0,
            CompletionRule.certified: fact.certificates > 0}[rule]


def _kept_as_subplan(condition):
    """`condition` (an IN over a subquery), written so that PostgreSQL tests it row by row
    against a hashed list instead of joining: a join would lose the person order of the
    facts, which lets a report count unique persons as it reads them."""
    return func.coalesce(condition, False)


def fact_conditions(dbsession: Session, filters: ReportFilters, ordered: bool = False) -> list:
    """What selects the facts in scope: their training, role and the person's institution kind."""
    trainings = training_scope(dbsession, filters)
    fact = RegistrationFact
    in_scope = fact.training_id.in_(select(trainings.c.id))
    conditions = [_kept_as_subplan(in_scope) if ordered else in_scope]
    roles = [filters.role] if filters.role else list(REPORTED_ROLES)
    if filters.roles:
        roles = [role for role in roles if role in filters.roles]
    conditions.append(fact.role.in_(roles))
    kinds = [filters.institution_kind] if filters.institution_kind else []
    if filters.institution_kinds:
        kinds = [kind for kind in (kinds or filters.institution_kinds) if kind in filters.institution_kinds]
        kinds = kinds or [None]  # the indicator's kinds and the filter's have none in common
    if filters.institution_kind or filters.institution_kinds:
        of_kind = fact.institution_id.in_(select(Institution.id).where(Institution.kind.in_(kinds)))
        conditions.append(_kept_as_subplan(of_kind) if ordered else of_kind)
    return conditions


def facts_query(dbsession: Session, filters: ReportFilters):
    """One row per registration in scope (see the module's docstring), with its training's
    country and the institution's kind; the facts are first brought up to date."""
    refresh_facts(dbsession)
    fact = RegistrationFact
    completed = sa.case((completed_by(filters.completion), 1), else_=0)
    return (
        select(fact.registration_id, fact.person_id, fact.training_id, fact.role, fact.sex.label("sex"),
               Institution.kind.label("institution_kind"), fact.institution_id.label("institution"),
               fact.home_region.label("home_region"), fact.region_id.label("training_region"),
               Region.country.label("country"), _age_key(fact.age_band).label("age_band"),
               fact.attended_seconds.label("attended_seconds"), completed.label("completed"),
               fact.certificates.label("certificates"))
        .join(Region, Region.id == fact.region_id)
        .outerjoin(Institution, Institution.id == fact.institution_id)
        .where(*fact_conditions(dbsession, filters))
    )


# A report aggregates a million rows: enough memory for PostgreSQL to sort and hash them
# without spilling to disk, for this transaction only.
REPORT_WORK_MEM = "64MB"

# When the trainings in scope hold at least this share of all confirmed registrations, their
# facts are read whole in person order (a pass over the person index, about as long whatever
# the scope); below it, through the training index and hashed per person, which is quicker for
# fewer rows. Measured on the programme-scale dataset: the two cross at about 7 %.
ORDERED_FROM_SHARE = 1 / 16


# Region ids are bits of 62-bit words (1 << id), one word per 62 ids.
REGION_WORD = 62
NOT_STATED_AGE = len(AGE_BANDS)  # the age bit of persons without a year of birth


def _key(column):
    return sa.cast(column, sa.String)


def _is_postgresql(dbsession: Session) -> bool:
    return dbsession.get_bind().dialect.name == "postgresql"


def _bit(position):
    return sa.cast(sa.literal(1), sa.BigInteger).op("<<")(position)


def _bit_or(dbsession: Session, value):
    if _is_postgresql(dbsession):
        return func.bit_or(value)
    return func.sum(sa.distinct(value))  # distinct powers of two (and 0) add up to their OR


def _grouping_sets(dbsession: Session, keys: dict, aggregates: list, sets: list[tuple[str, ...]], source,
                   where=()):
    """GROUP BY GROUPING SETS on PostgreSQL (one pass for every set), the same rows from one
    GROUP BY per set elsewhere. Each row's `grouping` tells its set (`grouping_value`)."""
    columns = [expression.label(name) for name, expression in keys.items()]
    if _is_postgresql(dbsession):
        return (select(*columns, func.grouping(*keys.values()).label("grouping"), *aggregates)
                .select_from(source).where(*where)
                .group_by(func.grouping_sets(*[sa.tuple_(*[keys[name] for name in chosen]) for chosen in sets])))
    return sa.union_all(*[
        select(*[column if column.name in chosen else sa.null().label(column.name) for column in columns],
               sa.literal(grouping_value(list(keys), chosen)).label("grouping"), *aggregates)
        .select_from(source).where(*where).group_by(*[keys[name] for name in chosen])
        for chosen in sets])


def grouping_value(names: list[str], chosen: tuple[str, ...]) -> int:
    """What PostgreSQL's GROUPING(names…) answers for the rows of the set `chosen`."""
    return sum(1 << (len(names) - 1 - index) for index, name in enumerate(names) if name not in chosen)


@dataclass(frozen=True)
class _Statement:
    query: sa.Select
    region_words: int
    sets: dict[str, int]  # the second step's grouping value of each set
    per_person: int  # the first step's grouping value of the per-person rows
    per_key: int  # … and of the rows per region and age band


def _counting_statement(dbsession: Session, filters: ReportFilters, region_words: int, ordered: bool) -> _Statement:
    """The two steps of the module's docstring, as one statement."""
    fact = RegistrationFact
    done = completed_by(filters.completion)
    age_bit = _bit(func.coalesce(fact.age_band, NOT_STATED_AGE))
    region_bits = []
    for word in range(region_words):
        if region_words == 1:
            region_bits.append(_bit(fact.region_id))
        else:
            low = word * REGION_WORD
            region_bits.append(sa.case((fact.region_id.between(low, low + REGION_WORD - 1),
                                        _bit(fact.region_id - low)), else_=0))
    masks = {"ages": age_bit, **{f"regions_{word}": bit for word, bit in enumerate(region_bits)}}
    first_keys = {"person_id": fact.person_id, "region_id": fact.region_id, "age_band": fact.age_band}
    first_sets = [("person_id",), ("region_id", "age_band")]
    first = _grouping_sets(dbsession, first_keys, [
        func.count().label("participations"),
        func.max(sa.case((done, 1), else_=0)).label("completed"),
        func.sum(fact.certificates).label("certificates"),
        func.min(fact.sex).label("sex"), func.min(fact.institution_id).label("institution"),
        func.min(fact.home_region).label("home_region"),
        *[_bit_or(dbsession, bit).label(name) for name, bit in masks.items()],
        *[_bit_or(dbsession, sa.case((done, bit), else_=0)).label(f"{name}_completed") for name, bit in masks.items()],
    ], first_sets, RegistrationFact, fact_conditions(dbsession, filters, ordered)).subquery("report_first")
    mask_names = [name for name in masks] + [f"{name}_completed" for name in masks]
    second_keys = {"level": first.c.grouping, "sex": first.c.sex, "institution": first.c.institution,
                   "home_region": first.c.home_region, "region_id": first.c.region_id,
                   "age_band": first.c.age_band, **{name: first.c[name] for name in mask_names}}
    second_sets = {"totals": ("level",), "sex": ("level", "sex"), "institution": ("level", "institution"),
                   "home_region": ("level", "home_region"), "sets": ("level", *mask_names),
                   "keys": ("level", "region_id", "age_band")}
    second = _grouping_sets(dbsession, second_keys, [
        func.count().label("persons"), func.sum(first.c.participations).label("participations"),
        func.sum(first.c.completed).label("completed"), func.sum(first.c.certificates).label("certificates"),
    ], list(second_sets.values()), first).subquery("report_second")
    query = (select(second, Institution.kind.label("institution_kind"), Region.country.label("country"))
             .outerjoin(Institution, Institution.id == second.c.institution)
             .outerjoin(Region, Region.id == second.c.region_id))
    return _Statement(query, region_words,
                      {name: grouping_value(list(second_keys), chosen) for name, chosen in second_sets.items()},
                      grouping_value(list(first_keys), first_sets[0]), grouping_value(list(first_keys), first_sets[1]))


def _execute(dbsession: Session, statement: _Statement, ordered: bool) -> list:
    """Run the counting statement with enough memory to sort and hash without spilling; in
    person order, PostgreSQL is also told to read the person index (its estimates favour
    hashing a million rows, measured three times slower), for this statement only."""
    if not _is_postgresql(dbsession):
        return list(dbsession.execute(statement.query))
    settings = f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'" + ("; SET LOCAL enable_seqscan = off" if ordered else "")
    dbsession.execute(sa.text(settings))
    rows = list(dbsession.execute(statement.query))  # (a failure rolls the settings back too)
    if ordered:
        dbsession.execute(sa.text("SET LOCAL enable_seqscan TO DEFAULT"))
    return rows


class _Tally:
    """Counts per key, added up from the statement's rows."""

    def __init__(self):
        self.values = defaultdict(lambda: [0, 0, 0, 0])  # participations, persons, completed, certificates

    def add(self, key, participations=0, persons=0, completed=0, certificates=0):
        value = self.values[key]
        for index, number in enumerate((participations, persons, completed, certificates)):
            value[index] += int(number or 0)

    def rows(self) -> list[Row]:
        rows = [Row(key, Counts(*value)) for key, value in self.values.items()]
        rows.sort(key=lambda row: (-row.counts.participations, row.key is None, row.key or ""))
        return rows


def _bits(mask) -> list[int]:
    mask, found, position = int(mask or 0), [], 0
    while mask:
        if mask & 1:
            found.append(position)
        mask >>= 1
        position += 1
    return found


def _breakdowns(statement: _Statement, rows) -> tuple[Counts, dict[str, _Tally]]:
    tallies = {dimension: _Tally() for dimension in DIMENSIONS}
    totals = Counts()
    country_of: dict[int, str] = {}
    words = range(statement.region_words)
    for row in rows:
        if row.level == statement.per_key and row.grouping == statement.sets["keys"]:
            country_of[row.region_id] = row.country
            sums = {"participations": row.participations, "certificates": row.certificates}
            tallies["training_region"].add(str(row.region_id), **sums)
            tallies["country"].add(row.country, **sums)
            age_key = AGE_KEYS[row.age_band] if row.age_band is not None else None
            tallies["age_band"].add(age_key, **sums)
            continue
        if row.level != statement.per_person:
            continue
        counts = {"participations": row.participations, "persons": row.persons, "completed": row.completed,
                  "certificates": row.certificates}
        if row.grouping == statement.sets["totals"]:
            totals = Counts(*(int(counts[name] or 0) for name in MEASURES))
        elif row.grouping == statement.sets["sex"]:
            tallies["sex"].add(row.sex, **counts)
        elif row.grouping == statement.sets["institution"]:
            tallies["institution"].add(None if row.institution is None else str(row.institution), **counts)
            kind = row.institution_kind
            tallies["institution_kind"].add(None if kind is None else str(getattr(kind, "value", kind)), **counts)
        elif row.grouping == statement.sets["home_region"]:
            tallies["home_region"].add(row.home_region, **counts)
        elif row.grouping == statement.sets["sets"]:
            _add_sets(tallies, row, words)
    _add_countries(tallies, rows, statement, country_of)
    return totals, tallies


def _regions_in(row, words, completed: bool) -> list[int]:
    suffix = "_completed" if completed else ""
    return [word * REGION_WORD + bit for word in words for bit in _bits(getattr(row, f"regions_{word}{suffix}"))]


def _add_sets(tallies, row, words) -> None:
    """The persons of one set of regions and age bands count once in each of them."""
    for completed in (False, True):
        measure = {"completed" if completed else "persons": row.persons}
        for region_id in _regions_in(row, words, completed):
            tallies["training_region"].add(str(region_id), **measure)
        suffix = "_completed" if completed else ""
        for band in _bits(getattr(row, f"ages{suffix}")):
            tallies["age_band"].add(AGE_KEYS[band] if band < NOT_STATED_AGE else None, **measure)


def _add_countries(tallies, rows, statement: _Statement, country_of: dict[int, str]) -> None:
    """A person counts once in a country however many of its regions they trained in."""
    words = range(statement.region_words)
    for row in rows:
        if row.level != statement.per_person or row.grouping != statement.sets["sets"]:
            continue
        for completed in (False, True):
            countries = {country_of[region_id] for region_id in _regions_in(row, words, completed)}
            for country in countries:
                tallies["country"].add(country, **{"completed" if completed else "persons": row.persons})


def figures(dbsession: Session, filters: ReportFilters, dimensions=DIMENSIONS) -> Figures:
    """Every figure of the report, in a few statements whatever the size of the data."""
    refresh_facts(dbsession)
    schedule = schedule_figures(dbsession, filters)
    ordered = reads_in_person_order(schedule)
    region_words = (schedule.last_region or 0) // REGION_WORD + 1
    while True:
        statement = _counting_statement(dbsession, filters, region_words, ordered)
        rows = _execute(dbsession, statement, ordered)
        seen = [row.region_id for row in rows if row.level == statement.per_key and row.region_id is not None]
        if max(seen, default=0) < region_words * REGION_WORD:
            break
        # A training moved to a region created since the schedule was read: more words, again.
        region_words = max(seen) // REGION_WORD + 1
    totals, tallies = _breakdowns(statement, rows)
    breakdowns = {dimension: tallies[dimension].rows() for dimension in dimensions}
    return Figures(schedule.trainings, schedule.sessions, schedule.seconds, totals, breakdowns)


def reads_in_person_order(schedule: Schedule) -> bool:
    return schedule.registrations > 0 and schedule.registrations >= ORDERED_FROM_SHARE * schedule.all_registrations


@dataclass(frozen=True)
class Schedule:
    trainings: int  # held
    sessions: int  # not cancelled
    seconds: int  # how long those sessions last
    last_region: int | None  # the highest id of their regions (how many words the regions' bits need)
    registrations: int  # confirmed in those trainings
    all_registrations: int  # confirmed in any training


def schedule_figures(dbsession: Session, filters: ReportFilters) -> Schedule:
    """What the trainings in scope delivered, and how big the scope is, in one statement."""
    trainings = training_scope(dbsession, filters)
    duration = seconds_between(dbsession, TrainingSession.starts_at, TrainingSession.ends_at)
    delivered = (select(func.count(TrainingSession.id), func.coalesce(func.sum(duration), 0))
                 .join(trainings, trainings.c.id == TrainingSession.training_id)
                 .where(TrainingSession.cancelled.is_(False)).subquery())
    held = select(func.count(), func.max(trainings.c.region_id),
                  func.coalesce(func.sum(trainings.c.confirmed_count), 0)).select_from(trainings).subquery()
    everywhere = select(func.coalesce(func.sum(Training.confirmed_count), 0)).scalar_subquery()
    held, last_region, registrations, sessions, seconds, all_registrations = dbsession.execute(
        select(held, delivered, everywhere).select_from(held.join(delivered, sa.true()))).one()
    return Schedule(held, sessions, int(seconds), last_region, int(registrations), int(all_registrations))


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


def _evidence_key(dimension: str, key: str | None):
    """The facts whose `dimension` is `key` (None: not stated), compared on the facts' own
    columns so that a page of evidence reads them by person."""
    fact = RegistrationFact
    if dimension == "institution_kind":
        if key is None:
            return fact.institution_id.is_(None)
        return fact.institution_id.in_(select(Institution.id).where(_key(Institution.kind) == key))
    if dimension == "country":
        return fact.region_id.in_(select(Region.id).where(Region.country == key))
    column = {"sex": fact.sex, "institution": fact.institution_id, "training_region": fact.region_id,
              "home_region": fact.home_region, "age_band": _age_key(fact.age_band)}[dimension]
    return column.is_(None) if key is None else _key(column) == key


def evidence_conditions(dbsession: Session, filters: ReportFilters, dimension: str | None, key: str | None,
                        measure: str) -> list:
    """What selects the facts behind one number (after bringing them up to date)."""
    refresh_facts(dbsession)
    conditions = fact_conditions(dbsession, filters)
    if dimension:
        conditions.append(_evidence_key(dimension, key))
    if measure == "completed":
        conditions.append(completed_by(filters.completion))
    elif measure == "certificates":
        conditions.append(RegistrationFact.certificates > 0)
    return conditions


def evidence(dbsession: Session, filters: ReportFilters, dimension: str | None = None, key: str | None = None,
             measure: str = "participations", page: int = 1, per_page: int = 100) -> tuple[int, list[EvidenceRow]]:
    """The rows behind one number: registrations (or, for unique persons, persons with how
    many of their registrations count), a page at a time in the order of the persons' names,
    and how many there are in all. A page walks the persons in name order and reads each one's
    facts from the person index, so it costs the same whatever the size of the report."""
    conditions = evidence_conditions(dbsession, filters, dimension, key, measure)
    if measure == "persons":
        return _evidence_persons(dbsession, conditions, completed_by(filters.completion), page, per_page)
    fact = RegistrationFact
    total = dbsession.scalar(select(func.count()).select_from(fact).where(*conditions))
    completed = completed_by(filters.completion)
    rows = dbsession.execute(
        select(fact.registration_id, fact.person_id, Person.given_names, Person.family_names, fact.training_id,
               Training.title, Training.starts_on, fact.role, fact.attended_seconds, completed, fact.certificates)
        .join(Person, Person.id == fact.person_id).join(Training, Training.id == fact.training_id)
        .where(*conditions)
        .order_by(Person.sort_name, Person.id, Training.starts_on, fact.registration_id)
        .limit(per_page).offset((page - 1) * per_page)
    )
    return total, [EvidenceRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], int(r[8] or 0), bool(r[9]), int(r[10]))
                   for r in rows]


def _evidence_persons(dbsession, conditions, completed, page, per_page):
    fact = RegistrationFact
    total = dbsession.scalar(select(func.count(sa.distinct(fact.person_id))).where(*conditions))
    page_persons = (select(Person.id, Person.given_names, Person.family_names, Person.sort_name)
                    .where(sa.exists().where(fact.person_id == Person.id, *conditions))
                    .order_by(Person.sort_name, Person.id).limit(per_page).offset((page - 1) * per_page)).subquery()
    rows = dbsession.execute(
        select(page_persons.c.id, page_persons.c.given_names, page_persons.c.family_names,
               func.count().label("participations"), func.sum(fact.attended_seconds).label("seconds"),
               func.max(sa.case((completed, 1), else_=0)).label("completed"),
               func.sum(fact.certificates).label("certificates"))
        .join(fact, fact.person_id == page_persons.c.id).where(*conditions)
        .group_by(page_persons.c.id, page_persons.c.given_names, page_persons.c.family_names,
                  page_persons.c.sort_name)
        .order_by(page_persons.c.sort_name, page_persons.c.id)
    )
    return total, [EvidenceRow(None, r.id, r.given_names, r.family_names, None, "", None, None,
                               int(r.seconds or 0), bool(r.completed), int(r.certificates or 0), r.participations)
                   for r in rows]
