"""Two country offices share one installation: each office's members see and export only their
own trainings, the people registered in them and those registrations; administrators see all."""
import csv
import datetime as dt
import io

import pytest

from participants.models import Registration, RegistrationStatus
from tests import factories
from tests.conftest import csrf_token_of, log_in
from trainings.models import Training, TrainingStatus


@pytest.fixture
def offices(dbsession):
    peru, paraguay = factories.OrganisationFactory(name="OIM Perú"), factories.OrganisationFactory(name="OIM Paraguay")
    region = factories.RegionFactory()
    held = {"status": TrainingStatus.published, "region": region, "starts_on": dt.date.today() - dt.timedelta(days=3),
            "ends_on": dt.date.today() + dt.timedelta(days=3)}  # under way: reports count it
    lima = factories.TrainingFactory(title="Taller de Lima", organisation=peru, **held)
    asuncion = factories.TrainingFactory(title="Seminario de Asunción", organisation=paraguay, **held)
    shared = factories.PersonFactory(given_names="Rosa", family_names="Compartida")  # trained by both offices
    only_paraguay = factories.PersonFactory(given_names="Gustavo", family_names="Paraguayo")
    in_lima = factories.RegistrationFactory(training=lima, person=shared, status=RegistrationStatus.confirmed)
    factories.RegistrationFactory(training=asuncion, person=shared, status=RegistrationStatus.confirmed)
    factories.RegistrationFactory(training=asuncion, person=only_paraguay, status=RegistrationStatus.confirmed)
    dbsession.flush()
    return {"peru": peru, "paraguay": paraguay, "lima": lima, "asuncion": asuncion, "shared": shared,
            "only_paraguay": only_paraguay, "region": region, "in_lima": in_lima}


def _member_app(testapp, organisation, role="organiser"):
    user = factories.UserFactory(member_of=[(organisation, role)])
    log_in(testapp, user).follow()
    return testapp


def test_an_office_sees_only_its_trainings(testapp, offices):
    app = _member_app(testapp, offices["peru"])
    month = f"{offices['lima'].starts_on:%Y-%m}"
    for path in ("/organiser", "/organiser/trainings", f"/organiser/calendar?month={month}"):
        page = app.get(path)
        assert "Taller de Lima" in page.text and "Seminario de Asunción" not in page.text, path
    app.get(f"/organiser/trainings/{offices['asuncion'].id}", status=403)


def test_an_office_sees_only_people_registered_with_it_and_only_its_registrations(testapp, offices):
    app = _member_app(testapp, offices["peru"])
    listing = app.get("/organiser/people")
    assert "Compartida" in listing.text and "Paraguayo" not in listing.text
    assert "Paraguayo" not in app.get("/organiser/people", {"q": "paraguayo"}).text
    export = app.get("/organiser/people.csv").text
    assert "Compartida" in export and "Paraguayo" not in export
    person = app.get(f"/organiser/people/{offices['shared'].id}")
    assert "Taller de Lima" in person.text and "Seminario de Asunción" not in person.text
    transcript = app.get(f"/organiser/people/{offices['shared'].id}/transcript")
    assert "Taller de Lima" in transcript.text and "Seminario de Asunción" not in transcript.text
    app.get(f"/organiser/people/{offices['only_paraguay'].id}", status=404)
    app.get(f"/organiser/people/{offices['only_paraguay'].id}/transcript", status=404)


def test_reports_count_only_the_offices_trainings(testapp, offices):
    app = _member_app(testapp, offices["paraguay"], role="viewer")
    figures = app.get("/organiser/reports/report.json").json
    assert figures["participations"] == 2 and figures["persons"] == 2


def test_an_administrator_sees_every_office(admin_app, offices):
    trainings = admin_app.get("/organiser/trainings").text
    assert "Taller de Lima" in trainings and "Seminario de Asunción" in trainings
    people = admin_app.get("/organiser/people").text
    assert "Compartida" in people and "Paraguayo" in people
    assert admin_app.get("/organiser/reports/report.json").json["participations"] == 3


def test_a_viewer_reads_but_changes_nothing(testapp, offices):
    app = _member_app(testapp, offices["peru"], role="viewer")
    assert "Taller de Lima" in app.get(f"/organiser/trainings/{offices['lima'].id}/registrations").text
    app.get("/organiser/trainings/new", status=403)
    app.get(f"/organiser/trainings/{offices['lima'].id}/edit", status=403)


def test_forms_offer_only_the_users_organisations(testapp, dbsession, offices):
    other_programme = factories.ProgrammeFactory(name="Programa paraguayo", organisation=offices["paraguay"])
    own_programme = factories.ProgrammeFactory(name="Programa peruano", organisation=offices["peru"])
    app = _member_app(testapp, offices["peru"])
    page = app.get("/organiser/trainings/new")
    form = page.forms["form"]
    assert [value for value, _selected, _text in form["organisation_id"].options] == [str(offices["peru"].id)]
    programmes = [text for _value, _selected, text in form["programme_id"].options]
    assert "Programa peruano" in programmes and "Programa paraguayo" not in programmes
    # A forged choice of another office is refused with a message, and nothing is written.
    count = dbsession.query(Training).count()
    response = app.post("/organiser/trainings/new", {
        "csrf_token": csrf_token_of(page), "organisation_id": str(offices["paraguay"].id), "title": "Intruso",
        "kind": "workshop", "region_id": str(offices["region"].id), "starts_on": "2030-03-03",
        "ends_on": "2030-03-03", "capacity": "20", "language": "es", "attendance_threshold": "80",
        "late_after_minutes": "15"}, status=400)
    assert "Elija una de sus organizaciones" in response.text or "organisation" in response.text.lower()
    assert dbsession.query(Training).count() == count
    form["title"], form["region_id"] = "Taller nuevo", str(offices["region"].id)
    form["starts_on"] = form["ends_on"] = "2030-03-03"
    form["programme_id"] = str(own_programme.id)
    form.submit("submit").follow()
    created = dbsession.query(Training).filter_by(title="Taller nuevo").one()
    assert created.organisation_id == offices["peru"].id
    assert other_programme.id != created.programme_id


def test_registrations_move_only_into_the_offices_trainings(testapp, offices):
    factories.TrainingFactory(title="Otro taller de Lima", organisation=offices["peru"], region=offices["region"])
    app = _member_app(testapp, offices["peru"])
    targets = app.get(f"/organiser/trainings/{offices['lima'].id}/registrations/{offices['in_lima'].id}/move").text
    assert "Otro taller de Lima" in targets and "Seminario de Asunción" not in targets


def test_a_bulk_move_offers_and_takes_only_the_offices_trainings(testapp, dbsession, offices):
    factories.TrainingFactory(title="Otro taller de Lima", organisation=offices["peru"], region=offices["region"])
    app = _member_app(testapp, offices["peru"])
    token = csrf_token_of(app.get(f"/organiser/trainings/{offices['lima'].id}/registrations"))
    chosen = {"csrf_token": token, "action": "move", "registration": offices["in_lima"].id}
    page = app.post(f"/organiser/trainings/{offices['lima'].id}/registrations/bulk", chosen)
    assert "Otro taller de Lima" in page.text and "Seminario de Asunción" not in page.text
    # A target of another office typed into the form is refused, and nothing moves.
    refused = app.post(f"/organiser/trainings/{offices['lima'].id}/registrations/bulk",
                       {**chosen, "target": offices["asuncion"].id, "confirm": "1"}, status=400)
    assert "Elija la capacitación" in refused.text
    dbsession.expire_all()
    assert offices["in_lima"].status == RegistrationStatus.confirmed
    assert dbsession.query(Registration).filter_by(training_id=offices["asuncion"].id).count() == 2


def test_the_people_csv_of_an_office_has_its_people_only(testapp, offices):
    app = _member_app(testapp, offices["paraguay"])
    rows = list(csv.reader(io.StringIO(app.get("/organiser/people.csv").body.decode("utf-8-sig")), delimiter=";"))
    names = {row[1] for row in rows[1:] if row}
    assert names == {"Compartida", "Paraguayo"}
