"""Indicators as data: presets with their definitions, and organisers' own."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select, text

from participants.models import InstitutionKind, Sex
from reports.filters import ReportFilters
from reports.indicators import indicator_texts, indicator_value, save_indicator
from reports.models import CompletionRule, Indicator, IndicatorUnit
from tests import factories
from tests.conftest import log_in
from trainings.db import migrate
from trainings.forms import FieldErrors
from trainings.models.organisations import default_organisation


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
    values = {"organisation_id": None, "name": "Jueces con certificado",
              "definition": "Jueces que tienen un certificado.", "unit": "persons", "completion": "certified",
              "roles": {"participant"}, "training_kinds": set(),
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


def test_names_are_unique_among_the_indicators_an_organisation_sees(dbsession):
    peru, paraguay = factories.OrganisationFactory(name="OIM Perú"), factories.OrganisationFactory(name="OIM Paraguay")
    ours = save_indicator(dbsession, None, _values(organisation_id=peru.id))
    theirs = save_indicator(dbsession, None, _values(organisation_id=paraguay.id))  # the same name elsewhere
    assert (ours.organisation_id, theirs.organisation_id) == (peru.id, paraguay.id)
    with pytest.raises(FieldErrors):
        save_indicator(dbsession, None, _values(organisation_id=peru.id, name="JUECES con certificado"))
    with pytest.raises(FieldErrors):  # a shared one would be seen beside both
        save_indicator(dbsession, None, _values(name="Jueces con certificado"))
    assert save_indicator(dbsession, ours, _values(organisation_id=peru.id, topic="trata")).topic == "trata"


def _organisation_with_organiser(dbsession, name):
    organisation = factories.OrganisationFactory(name=name)
    return organisation, factories.UserFactory(member_of=[(organisation, "organiser")])


def test_an_organisations_indicator_is_hidden_from_the_others(testapp, dbsession, past):
    peru, peruvian = _organisation_with_organiser(dbsession, "OIM Perú")
    paraguay, paraguayan = _organisation_with_organiser(dbsession, "OIM Paraguay")
    secret = save_indicator(dbsession, None, _values(organisation_id=peru.id, name="Fiscales de Tumbes"))
    factories.ProgrammeFactory(name="Programa de Perú", organisation=peru)
    log_in(testapp, paraguayan).follow()
    listing = testapp.get("/organiser/reports/indicators")
    assert "Personas capacitadas que completaron, por sexo" in listing.text  # presets are everybody's
    assert "Fiscales de Tumbes" not in listing.text
    report = testapp.get("/organiser/reports", {"indicator": secret.id})
    assert "Fiscales de Tumbes" not in report.text  # ignored, like any unknown filter value
    testapp.get(f"/organiser/reports/indicators/{secret.id}", status=403)
    form = testapp.get("/organiser/reports/indicators/new").forms["form"]
    assert "Programa de Perú" not in form.text
    assert [value for value, _selected, _text in form["organisation_id"].options] == [str(paraguay.id)]
    form["organisation_id"].force_value(str(peru.id))
    form["name"], form["definition"] = "Jueces", "Jueces formados."
    refused = form.submit("submit", status=400)
    assert "Elija una de sus organizaciones." in refused.text
    form["organisation_id"].force_value("")  # shared: administrators only
    assert "Elija una de sus organizaciones." in form.submit("submit", status=400).text
    assert dbsession.scalar(select(Indicator).where(Indicator.name == "Jueces")) is None
    testapp.reset()  # signed out
    log_in(testapp, peruvian).follow()
    listing = testapp.get("/organiser/reports/indicators")
    assert "Fiscales de Tumbes" in listing.text and f"/organiser/reports/indicators/{secret.id}" in listing.text


def test_administrators_share_an_indicator_that_organisers_only_read(testapp, dbsession, past):
    administrator = factories.UserFactory(role="admin")
    log_in(testapp, administrator).follow()
    form = testapp.get("/organiser/reports/indicators/new").forms["form"]
    assert form["organisation_id"].options[0][0] == ""  # "every organisation (shared)" first
    form["organisation_id"] = ""
    form["name"], form["definition"] = "Personas de todo el programa", "Todas las personas capacitadas."
    form.submit("submit").follow()
    shared = dbsession.scalar(select(Indicator).where(Indicator.name == "Personas de todo el programa"))
    assert shared.organisation_id is None
    testapp.reset()  # signed out
    organiser = factories.UserFactory(member_of=[(default_organisation(dbsession), "organiser")])
    log_in(testapp, organiser).follow()
    listing = testapp.get("/organiser/reports/indicators")
    assert "Personas de todo el programa" in listing.text
    assert f"/organiser/reports/indicators/{shared.id}" not in listing.text  # no edit button
    testapp.get(f"/organiser/reports/indicators/{shared.id}", status=403)


@pytest.mark.parametrize("organisations", [1, 2])
def test_indicators_older_than_organisations_go_to_the_only_one(tmp_path, organisations):
    engine = create_engine(f"sqlite:///{tmp_path}/before.sqlite")
    migrate(engine, "0016")
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM organisation"))
        for number in range(organisations):
            connection.execute(text("INSERT INTO organisation (name, created_at) VALUES (:name, CURRENT_TIMESTAMP)"),
                               {"name": f"OIM {number}"})
        connection.execute(text(
            "INSERT INTO report_indicator (name, definition, unit, completion, roles, training_kinds, "
            "institution_kinds, programme_ids, topic, created_at, updated_at) VALUES ('Propio', '', 'persons', "
            "'completed', '[]', '[]', '[]', '[]', '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
    migrate(engine)
    with engine.connect() as connection:
        owners = dict(connection.execute(text("SELECT name, organisation_id FROM report_indicator "
                                              "WHERE name = 'Propio' OR preset IS NOT NULL")).all())
        only = connection.execute(text("SELECT min(id) FROM organisation")).scalar_one()
    assert owners.pop("Propio") == (only if organisations == 1 else None)  # several: shared, nobody's to guess
    assert set(owners.values()) == {None}  # the presets stay everybody's
    engine.dispose()
