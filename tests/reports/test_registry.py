"""Institutions as a registry, and what the public form and imports record for reports."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from participants.imports import commit, parse, store_upload
from participants.models import Institution, InstitutionKind, Person
from reports.institutions import institution_lines, merge_institutions, update_institution
from tests import factories
from tests.functional.test_registration import fill
from trainings.forms import FieldErrors


def test_merging_moves_people_and_their_registrations(dbsession):
    keep = factories.InstitutionFactory(name="Ministerio Público")
    typo = factories.InstitutionFactory(name="Ministerio Publico", reviewed=False)
    people = [factories.PersonFactory(institution=typo) for _ in range(3)]
    registration = factories.RegistrationFactory(person=people[0])
    assert merge_institutions(dbsession, typo, keep) == 3
    assert dbsession.get(Institution, typo.id) is None
    assert {person.institution_id for person in people} == {keep.id}
    assert dbsession.get(type(registration), registration.id).person.institution_id == keep.id
    with pytest.raises(FieldErrors):
        merge_institutions(dbsession, keep, keep)


def test_reviewing_sets_kind_country_and_refuses_a_clash(dbsession):
    factories.InstitutionFactory(name="Policía Nacional", country="PY")
    typed = factories.InstitutionFactory(name="policia nac.", kind=InstitutionKind.other, country=None, reviewed=False)
    total, lines = institution_lines(dbsession, unreviewed_only=True)
    assert [line.institution for line in lines] == [typed] and total == 1
    with pytest.raises(FieldErrors) as refused:
        update_institution(dbsession, typed, {"name": "Policía  Nacional", "kind": "police", "country": "PY",
                                              "reviewed": True})
    assert "name" in refused.value.errors
    update_institution(dbsession, typed, {"name": "Policía Nacional del Paraguay", "kind": "police",
                                          "country": "PY", "reviewed": True})
    assert (typed.kind, typed.country, typed.reviewed) == (InstitutionKind.police, "PY", True)


def test_the_public_form_offers_only_reviewed_institutions(testapp, dbsession):
    reviewed = factories.InstitutionFactory(name="Fiscalía de la Nación")
    unreviewed = factories.InstitutionFactory(name="Fiscalia Nacion (typed)", reviewed=False)
    training = factories.TrainingFactory()
    page = testapp.get(f"/register/{training.id}")
    assert "Fiscalía de la Nación" in page.text and "Fiscalia Nacion (typed)" not in page.text
    form = fill(page.forms["form"], new_institution="Defensoría del Pueblo de Tacna", home_region="Tacna",
                year_of_birth="1984")
    form.submit("submit").follow()
    person = dbsession.scalar(select(Person).where(Person.email == "pilar.rojas49@ministeriopublico.gov.py"))
    assert (person.home_region, person.year_of_birth) == ("Tacna", 1984)
    assert person.institution.reviewed is False  # typed: waits for an organiser
    # A forged choice of an unreviewed institution is refused, and nothing is written.
    page = testapp.get(f"/register/{training.id}")
    form = fill(page.forms["form"], email="otra@mp.gob.pe")
    form.fields["institution"][0].force_value(str(unreviewed.id))
    form.submit("submit", status=400)
    assert dbsession.scalar(select(Person).where(Person.email == "otra@mp.gob.pe")) is None
    assert reviewed.id != unreviewed.id


def test_a_year_of_birth_out_of_range_is_refused(testapp, dbsession):
    training, institution = factories.TrainingFactory(), factories.InstitutionFactory()
    page = testapp.get(f"/register/{training.id}")
    form = fill(page.forms["form"], institution=str(institution.id), year_of_birth="85")
    refused = form.submit("submit", status=400)
    assert "cuatro cifras" in refused.text


def test_imports_read_the_region_and_the_year_of_birth(dbsession, app_request):
    training = factories.TrainingFactory(capacity=10)
    content = ("Nombres;Apellidos;Correo;Institución;Región;Año de nacimiento\r\n"
               "Rosa;Mamani;rosa@mp.gob.pe;Fiscalía de Puno;Puno;1979\r\n"
               "Luis;Quispe;luis@mp.gob.pe;Fiscalía de Puno;  Cusco ;02/03/1990\r\n"
               "Ana;Soto;ana@mp.gob.pe;;Lima;hace mucho\r\n").encode("cp1252")
    _header, rows = parse("lista.csv", content)
    assert [row.year_of_birth for row in rows] == [1979, 1990, None]
    assert any("hace mucho" in str(warning.mapping) for warning in rows[2].warnings)
    commit(app_request, store_upload(dbsession, training, "lista.csv", content, None), training, notify=False)
    people = {person.given_names: person for person in dbsession.scalars(select(Person))}
    assert (people["Rosa"].home_region, people["Rosa"].year_of_birth) == ("Puno", 1979)
    assert people["Luis"].home_region == "Cusco"
    assert people["Rosa"].institution.reviewed is False  # found by an import: to review


def test_an_organiser_records_the_region_and_year_of_birth(organiser_app, dbsession):
    person = factories.PersonFactory(year_of_birth=None)
    factories.RegistrationFactory(person=person)  # in a training of the organiser's organisation
    form = organiser_app.get(f"/organiser/people/{person.id}/edit").forms["form"]
    assert form["year_of_birth"].value == ""
    form["home_region"] = "  Madre de   Dios "
    form["year_of_birth"] = "1991"
    page = form.submit("submit").follow()
    assert (person.home_region, person.year_of_birth) == ("Madre de Dios", 1991)
    assert "Madre de Dios" in page.text and "1991" in page.text
    form = organiser_app.get(f"/organiser/people/{person.id}/edit").forms["form"]
    form["year_of_birth"] = "1800"
    form.submit("submit", status=400)
    assert person.year_of_birth == 1991
