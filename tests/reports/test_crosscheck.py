"""Every figure and breakdown of the report against a count made here in Python, person by
person, from the registrations themselves and the certificates package's own attendance rule —
over people who trained in several regions, countries and years (two age bands), with and
without an institution, on both ways the report reads its facts (by training, and whole in
person order), and with region ids beyond one word of the regions' bit masks."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
from sqlalchemy import func, select, text

from certificates.eligibility import training_eligibility
from participants.models import Registration, RegistrationRole, RegistrationStatus, Sex
from reports import figures as figures_module
from reports.facts import AGE_BANDS
from reports.figures import DIMENSIONS, figures
from reports.filters import REPORTED_ROLES, ReportFilters
from reports.models import CompletionRule
from tests import factories
from tests.certificates.conftest import P, make_past_training, record
from trainings.models import Region

SPEAKING = (RegistrationRole.speaker, RegistrationRole.moderator)


def _age_key(training, person):
    if person.year_of_birth is None:
        return None
    age = training.starts_on.year - person.year_of_birth
    return next(key for low, high, key in AGE_BANDS if (low is None or age >= low) and (high is None or age <= high))


def _keys(registration) -> dict:
    person, training = registration.person, registration.training
    return {
        "sex": person.sex.value if person.sex else None,
        "institution_kind": person.institution.kind.value if person.institution else None,
        "institution": str(person.institution_id) if person.institution_id else None,
        "training_region": str(training.region_id),
        "home_region": person.home_region,
        "country": training.region.country,
        "age_band": _age_key(training, person),
    }


def counted_by_hand(dbsession, trainings, rule=CompletionRule.completed, country=None):
    """Totals and breakdowns, from each counted registration: (participations, persons,
    completed, certificates) with persons and completed as sets of person ids."""
    rows = []
    for training in trainings:
        if country and training.region.country != country:
            continue
        for row in training_eligibility(dbsession, training):
            registration = row.registration
            if registration.status != RegistrationStatus.confirmed or registration.role not in REPORTED_ROLES:
                continue
            valid = [c for c in row.certificates if c.revoked_at is None]
            completed = {CompletionRule.completed: registration.role in SPEAKING or "attendance" in row.kinds,
                         CompletionRule.attended: row.rate is not None and row.rate.attended > dt.timedelta(0),
                         CompletionRule.certified: bool(valid)}[rule]
            rows.append((registration, completed, len(valid)))

    def tally(selected):
        persons = {r.person_id for r, _done, _n in selected}
        done = {r.person_id for r, is_done, _n in selected if is_done}
        return (len(selected), len(persons), len(done), sum(n for _r, _d, n in selected))

    by = {}
    for dimension in DIMENSIONS:
        groups = defaultdict(list)
        for entry in rows:
            groups[_keys(entry[0])[dimension]].append(entry)
        by[dimension] = {key: tally(selected) for key, selected in groups.items()}
    return tally(rows), by


def as_counted(result):
    def counts(c):
        return (c.participations, c.persons, c.completed, c.certificates)
    return counts(result.totals), {dimension: {row.key: counts(row.counts) for row in rows}
                                   for dimension, rows in result.breakdowns.items()}


@pytest.fixture
def programme(dbsession):
    """Three past trainings: this month in two Peruvian regions (one with an id beyond the
    first 62), and a year earlier in Paraguay. Some people of the first also trained in the
    others — completing there — and one of them crosses an age band between the two years."""
    highest = dbsession.scalar(select(func.max(Region.id))) or 0
    far = factories.RegionFactory(id=highest + 140, country="PE", name="Región lejana")
    paraguay = factories.RegionFactory(country="PY", timezone="America/Asuncion")
    first = make_past_training(dbsession)
    second = make_past_training(dbsession, region=far)
    year_before = first.training.starts_on - dt.timedelta(days=365)
    third = make_past_training(dbsession, region=paraguay, starts_on=year_before,
                               ends_on=year_before + dt.timedelta(days=1))
    this_year = first.training.starts_on.year
    crossing = first.people["below"].person  # 35 this year, 34 the year before
    crossing.year_of_birth, crossing.home_region = this_year - 35, "Cusco"
    first.people["excused"].person.year_of_birth = this_year - 70
    first.people["excused"].person.institution = None
    first.people["at_threshold"].person.sex = Sex.male
    first.people["speaker"].person.sex = None
    for other in (second, third):
        for label in ("below", "excused", "at_threshold"):
            registration = factories.RegistrationFactory(training=other.training, person=first.people[label].person)
            record(dbsession, registration, other.sessions, [P, P, P, P, P])
    factories.CertificateFactory(registration=first.people["at_threshold"])
    factories.CertificateFactory(registration=second.people["excused_ok"])
    factories.CertificateFactory(registration=third.people["speaker"], revoked_at=dt.datetime.now(dt.UTC),
                                 revoke_reason="Error de datos")
    dbsession.flush()
    return [first.training, second.training, third.training]


@pytest.mark.parametrize("ordered", [True, False], ids=["in person order", "by training"])
@pytest.mark.parametrize("rule", list(CompletionRule))
def test_every_figure_equals_a_count_by_hand(dbsession, programme, monkeypatch, ordered, rule):
    monkeypatch.setattr(figures_module, "reads_in_person_order", lambda schedule: ordered)
    for training in programme:
        dbsession.refresh(training)
    expected = counted_by_hand(dbsession, programme, rule)
    assert as_counted(figures(dbsession, ReportFilters(completion=rule))) == expected
    assert expected[0][1] < expected[0][0]  # people counted once across trainings
    assert len(expected[1]["age_band"]) >= 3 and len(expected[1]["country"]) == 2


def test_a_country_counts_each_person_once_over_its_regions(dbsession, programme):
    expected = counted_by_hand(dbsession, programme, country="PE")
    result = figures(dbsession, ReportFilters(country="PE"))
    assert as_counted(result) == expected
    regions = expected[1]["training_region"]
    assert len(regions) == 2 and sum(persons for _p, persons, _c, _n in regions.values()) > expected[0][1]


def test_a_change_shows_in_the_next_report_and_still_equals_the_count(dbsession, programme):
    figures(dbsession, ReportFilters())
    moved = dbsession.scalar(select(Registration).where(Registration.training_id == programme[0].id,
                                                        Registration.role == RegistrationRole.participant)
                             .order_by(Registration.id))
    moved.person.sex = Sex.other
    programme[1].attendance_threshold = 100
    dbsession.flush()
    assert as_counted(figures(dbsession, ReportFilters())) == counted_by_hand(dbsession, programme)


def test_postgresql_reads_in_person_order_for_that_statement_only(dbsession, programme, monkeypatch):
    if dbsession.get_bind().dialect.name != "postgresql":
        pytest.skip("a PostgreSQL planner setting")
    monkeypatch.setattr(figures_module, "reads_in_person_order", lambda schedule: True)
    figures(dbsession, ReportFilters())
    assert dbsession.scalar(text("SHOW enable_seqscan")) == "on"  # the evidence and exports plan freely


@pytest.mark.parametrize("ordered", [True, False], ids=["in person order", "by training"])
def test_a_report_over_nothing_counts_nothing(dbsession, programme, monkeypatch, ordered):
    monkeypatch.setattr(figures_module, "reads_in_person_order", lambda schedule: ordered)
    result = figures(dbsession, ReportFilters(date_from=dt.date.today() + dt.timedelta(days=1)))
    assert as_counted(result) == ((0, 0, 0, 0), {dimension: {} for dimension in DIMENSIONS})
    assert (result.trainings, result.sessions, result.seconds_delivered) == (0, 0, 0)
