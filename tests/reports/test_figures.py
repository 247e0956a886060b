"""The report's figures against counts made by hand and by the per-person rules."""
from __future__ import annotations

import datetime as dt

import pytest

from certificates.eligibility import training_eligibility
from participants.models import InstitutionKind, RegistrationRole, Sex
from participants.text import person_sort_name
from reports.figures import evidence, figures
from reports.filters import InvalidFilters, ReportFilters, parse_filters
from reports.models import CompletionRule
from tests import factories

COUNTED = {"at_threshold", "below", "excused", "excused_ok", "speaker", "speaking_participant"}


def test_completion_matches_the_attendance_rule_person_by_person(dbsession, past):
    result = figures(dbsession, ReportFilters())
    # Per person, with the certificates package's own rule: attendance earned, or speaking by role.
    expected = {row.registration.person_id for row in training_eligibility(dbsession, past.training)
                if row.registration.role in (RegistrationRole.participant, RegistrationRole.speaker)
                and (row.registration.role == RegistrationRole.speaker or "attendance" in row.kinds)}
    assert expected == {past.people[label].person_id for label in ("at_threshold", "excused_ok", "speaker",
                                                                   "speaking_participant")}
    assert result.totals.completed == len(expected)
    assert result.totals.participations == len(COUNTED)  # organiser and cancelled left out
    assert result.totals.persons == len(COUNTED)
    assert result.trainings == 1
    assert result.sessions == 5  # the cancelled one is not delivered
    assert result.seconds_delivered == 5 * 2 * 3600


def test_unique_persons_and_sums_over_sex(dbsession, past):
    person = past.people["below"].person
    second = factories.TrainingFactory(starts_on=past.training.starts_on, ends_on=past.training.ends_on)
    factories.RegistrationFactory(training=second, person=person)
    factories.RegistrationFactory(training=second, person=factories.PersonFactory(sex=Sex.male, year_of_birth=1980))
    factories.RegistrationFactory(training=second, person=factories.PersonFactory(sex=None))
    result = figures(dbsession, ReportFilters())
    assert result.totals.participations == len(COUNTED) + 3
    assert result.totals.persons == len(COUNTED) + 2
    assert result.totals.persons <= result.totals.participations
    for dimension in ("sex", "institution_kind", "institution", "home_region", "age_band"):
        rows = result.breakdowns[dimension]
        assert sum(row.counts.persons for row in rows) == result.totals.persons, dimension
        assert sum(row.counts.participations for row in rows) == result.totals.participations, dimension
        assert sum(row.counts.completed for row in rows) == result.totals.completed, dimension
    by_sex = {row.key: row.counts for row in result.breakdowns["sex"]}
    assert by_sex["male"].persons == 1 and by_sex[None].persons == 1
    age = {row.key: row.counts.persons for row in result.breakdowns["age_band"]}
    assert age["45_54"] == 1 or age.get("35_44") == 1  # 1980 and the training's year


def test_certificates_count_only_valid_ones(dbsession, past):
    factories.CertificateFactory(registration=past.people["at_threshold"])
    factories.CertificateFactory(registration=past.people["excused_ok"], revoked_at=dt.datetime.now(dt.UTC),
                                 revoke_reason="error")
    assert figures(dbsession, ReportFilters()).totals.certificates == 1
    rule = figures(dbsession, ReportFilters(completion=CompletionRule.certified))
    assert rule.totals.completed == 1


def test_filters_narrow_the_figures(dbsession, past):
    police = factories.InstitutionFactory(kind=InstitutionKind.police)
    later = past.training.ends_on + dt.timedelta(days=1)
    other_country = factories.TrainingFactory(region=factories.RegionFactory(country="PY", timezone="America/Asuncion"),
                                              starts_on=later, ends_on=later)
    factories.RegistrationFactory(training=other_country, person=factories.PersonFactory(institution=police))
    assert figures(dbsession, ReportFilters(country="PY")).totals.participations == 1
    assert figures(dbsession, ReportFilters(country="PE")).totals.participations == len(COUNTED)
    assert figures(dbsession, ReportFilters(institution_kind=InstitutionKind.police)).totals.persons == 1
    assert figures(dbsession, ReportFilters(role=RegistrationRole.speaker)).totals.persons == 1
    assert figures(dbsession, ReportFilters(date_from=later)).totals.persons == 1  # only the PY one, the day after


def test_trainings_still_to_come_train_nobody_yet(dbsession, past):
    upcoming = factories.TrainingFactory(starts_on=dt.date.today() + dt.timedelta(days=3))
    factories.SessionFactory(training=upcoming)
    factories.RegistrationFactory(training=upcoming)
    result = figures(dbsession, ReportFilters())
    assert (result.trainings, result.totals.participations) == (1, len(COUNTED))


def test_evidence_lists_the_rows_behind_a_number(dbsession, past):
    total, rows = evidence(dbsession, ReportFilters(), "sex", "female", "completed")
    assert total == 4 and {row.family_names for row in rows} >= {"García D'Angelo", "Mamani"}
    total, rows = evidence(dbsession, ReportFilters(), measure="persons", per_page=2, page=2)
    assert total == len(COUNTED) and len(rows) == 2


def test_bad_filters_are_refused_each_with_a_message(dbsession, past):
    with pytest.raises(InvalidFilters) as refused:
        parse_filters(dbsession, {"from": "2026-13-01", "country": "ZZ", "role": "organiser", "programme": "99999"})
    assert set(refused.value.errors) == {"from", "country", "role", "programme"}
    with pytest.raises(InvalidFilters) as refused:
        parse_filters(dbsession, {"from": "2026-05-01", "to": "2026-04-01"})
    assert set(refused.value.errors) == {"to"}
    assert parse_filters(dbsession, {"country": "pe", "role": "speaker"}).country == "PE"


def test_the_figures_take_the_same_few_statements_however_much_data(dbsession, connection, past):
    from sqlalchemy import event

    def statements() -> int:
        seen = []

        def record(conn, cursor, statement, *args):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE")):
                seen.append(statement)

        event.listen(connection, "before_cursor_execute", record)
        try:
            figures(dbsession, ReportFilters())
        finally:
            event.remove(connection, "before_cursor_execute", record)
        return len(seen)

    before = statements()
    for _number in range(5):
        training = factories.TrainingFactory(starts_on=past.training.starts_on, ends_on=past.training.ends_on)
        factories.SessionFactory(training=training)
        for _person in range(4):
            factories.RegistrationFactory(training=training)
    # claiming the stale trainings, rebuilding their facts (two deletes, an insert), what the
    # trainings delivered, (PostgreSQL: the memory the next one may use,) the figures — however
    # many trainings changed
    assert statements() == before <= 7
    assert statements() == before - 3  # nothing changed since: nothing to rebuild


def test_evidence_lists_persons_by_name_accents_and_case_ignored(dbsession, past):
    for label, family in (("at_threshold", "Zárate"), ("below", "Álvarez"), ("excused", "alvarado")):
        person = past.people[label].person
        person.family_names = family
        person.sort_name = person_sort_name(person.given_names, family)
    dbsession.flush()
    _total, rows = evidence(dbsession, ReportFilters(), measure="participations")
    names = [row.family_names for row in rows if row.family_names in ("Zárate", "Álvarez", "alvarado")]
    assert names == ["alvarado", "Álvarez", "Zárate"]
    _total, rows = evidence(dbsession, ReportFilters(), measure="persons")
    assert [row.family_names for row in rows][:2] == ["alvarado", "Álvarez"]


def test_institutions_sharing_a_name_are_told_apart_by_country(app_request, dbsession):
    from reports.breakdowns import label_keys

    peru = factories.InstitutionFactory(name="Ministerio del Interior", country="PE")
    paraguay = factories.InstitutionFactory(name="Ministerio del Interior", country="PY")
    alone = factories.InstitutionFactory(name="Fiscalía de la Nación", country="PE")
    names = label_keys(app_request, "institution", [str(peru.id), str(paraguay.id), str(alone.id)])
    assert names[str(peru.id)] == "Ministerio del Interior (Perú)"
    assert names[str(paraguay.id)] == "Ministerio del Interior (Paraguay)"
    assert names[str(alone.id)] == "Fiscalía de la Nación"
