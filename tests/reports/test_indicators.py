"""Indicators as data: presets with their definitions, and organisers' own."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from participants.models import InstitutionKind, Sex
from reports.filters import ReportFilters
from reports.indicators import indicator_texts, indicator_value, save_indicator
from reports.models import CompletionRule, Indicator, IndicatorUnit
from tests import factories
from trainings.forms import FieldErrors


def preset(dbsession, key) -> Indicator:
    return dbsession.scalar(select(Indicator).where(Indicator.preset == key))


def test_presets_ship_with_translated_definitions(dbsession, app_request):
    indicator = preset(dbsession, "people_completed_by_sex")
    name, definition = indicator_texts(app_request, indicator)
    assert name == "Personas capacitadas que completaron, por sexo" and "umbral" in definition


def test_people_completed_by_sex_counts_unique_persons(dbsession, past):
    second = factories.TrainingFactory(starts_on=past.training.starts_on, ends_on=past.training.ends_on)
    factories.RegistrationFactory(training=second, person=past.people["at_threshold"].person)
    value = indicator_value(dbsession, ReportFilters(), preset(dbsession, "people_completed_by_sex"))
    # Participants only (the registered speaker is left out), each person once.
    assert value.value == 3 and value.by_sex == {Sex.female.value: 3}


def test_first_responders_on_victim_identification(dbsession, past):
    # Completed participants: at_threshold, excused_ok, speaking_participant (all prosecutors by default).
    past.people["excused_ok"].person.institution = factories.InstitutionFactory(kind=InstitutionKind.ngo)
    past.training.description = "Identificación de víctimas de trata"
    dbsession.flush()
    first_responders = preset(dbsession, "first_responders_victim_identification")
    assert indicator_value(dbsession, ReportFilters(), first_responders).value == 2
    past.training.description = "Marco legal"
    dbsession.flush()
    assert indicator_value(dbsession, ReportFilters(), first_responders).value == 0


def test_unique_institutions_reached(dbsession, past):
    shared = factories.InstitutionFactory()
    for label in ("at_threshold", "below"):
        past.people[label].person.institution = shared
    dbsession.flush()
    attended = {label for label in past.people if label not in ("organiser", "cancelled")}
    value = indicator_value(dbsession, ReportFilters(), preset(dbsession, "institutions_reached"))
    assert value.value == len(attended) - 1


def _values(**changes):
    values = {"name": "Jueces con certificado", "definition": "Jueces que tienen un certificado.",
              "unit": "persons", "completion": "certified", "roles": {"participant"}, "training_kinds": set(),
              "institution_kinds": {"judiciary"}, "programmes": set(), "topic": ""}
    values.update(changes)
    return values


def test_an_organisers_indicator_counts_by_its_own_rule(dbsession, past):
    judge = factories.InstitutionFactory(kind=InstitutionKind.judiciary)
    past.people["below"].person.institution = judge
    dbsession.flush()
    indicator = save_indicator(dbsession, None, _values())
    assert (indicator.unit, indicator.completion) == (IndicatorUnit.persons, CompletionRule.certified)
    assert indicator_value(dbsession, ReportFilters(), indicator).value == 0
    factories.CertificateFactory(registration=past.people["below"], kind="participation")
    assert indicator_value(dbsession, ReportFilters(), indicator).value == 1
    with pytest.raises(FieldErrors):
        save_indicator(dbsession, None, _values(name="jueces con  certificado"))
    with pytest.raises(FieldErrors):
        save_indicator(dbsession, preset(dbsession, "institutions_reached"), _values(name="Otro"))


def test_the_indicator_form_and_its_number_beside_its_definition(organiser_app, dbsession, past):
    page = organiser_app.get("/organiser/reports/indicators")
    assert "Personas capacitadas que completaron, por sexo" in page.text and "umbral" in page.text
    form = organiser_app.get("/organiser/reports/indicators/new").forms["form"]
    form["name"] = "Ponentes"
    form["definition"] = "Ponentes y moderadores que dieron al menos una sesión."
    form["unit"] = "persons"
    form["completion"] = "completed"
    form.get("checkbox", index=1).checked = True  # the roles come first: participant, speaker, moderator
    report = form.submit("submit").follow()
    assert "Ponentes y moderadores que dieron al menos una sesión." in report.text
    assert 'display-6 mb-0">1</p>' in report.text  # the one registered speaker
    assert "Personas únicas" in report.text
    refused = organiser_app.get("/organiser/reports/indicators/new").forms["form"]
    refused["name"] = ""
    assert refused.submit("submit", status=400).status_int == 400


def test_the_report_page_reads_the_same_value_from_its_figures(dbsession, past):
    from reports.figures import figures

    past.people["below"].person.institution = past.people["at_threshold"].person.institution
    factories.CertificateFactory(registration=past.people["below"], kind="participation")
    past.training.description = "Identificación de víctimas de trata"
    dbsession.flush()
    for indicator in dbsession.scalars(select(Indicator)):
        filters = ReportFilters().with_indicator(indicator)
        counted = indicator_value(dbsession, ReportFilters(), indicator)
        assert indicator_value(dbsession, filters, indicator, figures(dbsession, filters)) == counted
        assert counted.value > 0, indicator.preset
