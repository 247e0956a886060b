"""Check-in at the door: the scan endpoint, the search-by-name fallback, walk-ins, and the
participant's own QR code and badge."""
import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from participants.attendance import services
from participants.attendance.qr import make_token, read_token, short_code
from participants.models import Attendance, Registration, RegistrationSource, RegistrationStatus
from participants.tokens import new_token
from tests import factories
from tests.certificates.test_pdf import fonts_drawing
from tests.conftest import csrf_token_of

SECRET = "test-secret-not-for-production"


@pytest.fixture
def training(dbsession):
    return factories.TrainingFactory(capacity=3, late_after_minutes=15)


@pytest.fixture
def session(training):
    return factories.SessionFactory(training=training)


@pytest.fixture
def people(training):
    return [factories.RegistrationFactory(training=training, person=factories.PersonFactory(
        family_names=family, given_names=given)) for family, given in (("Quispe Mamani", "Rosa"), ("Núñez", "Inés"))]


def scan(app, training, session, code, page=None):
    page = page or app.get(f"/organiser/trainings/{training.id}/checkin?session={session.id}")
    return app.post_json(f"/organiser/trainings/{training.id}/checkin/scan", {"code": code, "session": session.id},
                         headers={"X-CSRF-Token": csrf_token_of(page)}, expect_errors=True)


def test_the_check_in_page_offers_camera_and_search(organiser_app, training, session):
    page = organiser_app.get(f"/organiser/trainings/{training.id}/checkin")
    assert "checkin/checkin.js" in page.text and "Buscar por nombre" in page.text
    assert f'data-session="{session.id}"' in page.text
    script = re.search(r'src="(/static/app/checkin/checkin.js[^"]*)"', page.text).group(1)
    assert organiser_app.get(script).status_int == 200
    vendor = organiser_app.get("/static/app/checkin/vendor/qr-scanner.min.js")
    assert vendor.status_int == 200 and "cdn" not in page.text.lower()


def test_a_scan_checks_in_and_a_second_scan_is_harmless(organiser_app, training, session, people, dbsession):
    page = organiser_app.get(f"/organiser/trainings/{training.id}/checkin?session={session.id}")
    answer = scan(organiser_app, training, session, make_token(SECRET, people[0]), page).json
    assert answer["result"] in ("present", "late") and answer["name"] == "Rosa Quispe Mamani"
    assert answer["institution"] == people[0].person.institution.name
    again = scan(organiser_app, training, session, make_token(SECRET, people[0]), page).json
    assert (again["result"], again["message"]) == ("already", "Ya registró su asistencia.")
    assert len(dbsession.scalars(select(Attendance)).all()) == 1


def test_refused_scans_say_why_and_write_nothing(organiser_app, training, session, people, dbsession):
    other = factories.RegistrationFactory()
    cancelled = factories.RegistrationFactory(training=training, status=RegistrationStatus.cancelled)
    expected = {
        make_token(SECRET, other): "Este código es de otra capacitación.",
        make_token(SECRET, cancelled): "Esta inscripción está cancelada.",
        make_token(SECRET, people[0])[:-4] + "AAAA": "Este no es un código de registro válido",
        str(people[0].id): "Este no es un código de registro válido",
    }
    for code, message in expected.items():
        answer = scan(organiser_app, training, session, code).json
        assert answer["result"] == "refused" and message in answer["message"]
    assert dbsession.scalars(select(Attendance)).all() == []


def test_the_scan_needs_the_csrf_header(organiser_app, training, session, people):
    organiser_app.post_json(f"/organiser/trainings/{training.id}/checkin/scan",
                            {"code": make_token(SECRET, people[0]), "session": session.id}, status=400)


def test_anonymous_scans_are_refused(testapp, training, session, people):
    response = testapp.post_json(f"/organiser/trainings/{training.id}/checkin/scan",
                                 {"code": make_token(SECRET, people[0]), "session": session.id}, expect_errors=True)
    assert response.status_int in (302, 400, 403)


def test_search_by_name_then_check_in(organiser_app, training, session, people, dbsession):
    page = organiser_app.get(f"/organiser/trainings/{training.id}/checkin?session={session.id}&q=perez")
    assert "Ninguna persona esperada" in page.text
    page = organiser_app.get(f"/organiser/trainings/{training.id}/checkin?session={session.id}&q=nunez")
    form = next(form for form in page.forms.values() if "registration" in form.fields)
    page = form.submit().follow()
    assert "Inés Núñez" in page.text
    [attendance] = dbsession.scalars(select(Attendance)).all()
    assert (attendance.registration, attendance.method) == (people[1], "manual")


def test_a_walk_in_is_registered_and_marked_present(organiser_app, training, session, people, dbsession):
    page = organiser_app.get(f"/organiser/trainings/{training.id}/walk-in?session={session.id}")
    form = page.forms["form"]
    form["given_names"], form["family_names"] = "  Juan Carlos ", "Huamán <script>"
    form["institution"], form["email"] = "Policía Nacional del Perú", "jc.huaman@policia.gob.pe"
    form.submit("submit").follow()
    registration = dbsession.scalar(select(Registration).where(Registration.source == RegistrationSource.walk_in))
    assert registration.status == RegistrationStatus.confirmed and registration.person.given_names == "Juan Carlos"
    assert registration.person.institution.name == "Policía Nacional del Perú"
    [row] = [row for row in services.sheet(dbsession, session) if row.registration == registration]
    assert (row.status, row.attendance.method) == ("present", "walk_in")
    sheet = organiser_app.get(f"/organiser/sessions/{session.id}/attendance").text
    assert "Huamán &lt;script&gt;" in sheet and "Huamán <script>" not in sheet


def test_a_walk_in_is_refused_when_the_training_is_full(organiser_app, training, session, people, dbsession):
    factories.RegistrationFactory(training=training)
    training.confirmed_count = training.capacity
    dbsession.flush()
    page = organiser_app.get(f"/organiser/trainings/{training.id}/walk-in?session={session.id}")
    form = page.forms["form"]
    form["given_names"], form["family_names"], form["institution"] = "Ana", "Torres", "Defensoría del Pueblo"
    response = form.submit("submit", status=400)
    assert "La capacitación está llena" in response.text


def test_the_private_page_qr_code_and_badge(testapp, training, people, dbsession):
    token, token_hash = new_token()
    people[1].token_hash = token_hash
    dbsession.flush()
    svg = testapp.get(f"/me/{token}/qr.svg")
    assert svg.content_type == "image/svg+xml" and svg.text.startswith("<svg")
    # Served as an image source, the file must declare its namespace or browsers show a broken image.
    assert 'xmlns="http://www.w3.org/2000/svg"' in svg.text
    badge = testapp.get(f"/me/{token}/badge.pdf")
    text = PdfReader(io.BytesIO(badge.body)).pages[0].extract_text()
    assert "Inés Núñez" in text and training.title in text
    testapp.get("/me/not-a-token/qr.svg", status=404)
    # A name in another script prints in a font that has it (as on certificates).
    people[1].person.given_names, people[1].person.family_names = "秀英", "王"
    dbsession.flush()
    badge = testapp.get(f"/me/{token}/badge.pdf").body
    assert "王" in PdfReader(io.BytesIO(badge)).pages[0].extract_text()
    assert "STSong-Light" in fonts_drawing(badge)
    people[1].status = RegistrationStatus.cancelled
    dbsession.flush()
    testapp.get(f"/me/{token}/badge.pdf", status=404)


def test_the_token_in_the_qr_is_signed(people):
    assert read_token(SECRET, make_token(SECRET, people[0])).registration_id == people[0].id


def test_late_after_the_grace_through_the_service(dbsession, training, session, people, organiser):
    from participants.attendance.checkin import check_in_code

    late = check_in_code(dbsession, SECRET, training, session, make_token(SECRET, people[0]), organiser,
                         session.starts_at + dt.timedelta(minutes=16))
    assert late.result == "late"


def test_a_waitlisted_person_at_the_door_is_found_admitted_over_capacity_and_present(
        organiser_app, training, session, people, dbsession):
    training.confirmed_count = training.capacity  # full
    first_waiting = factories.RegistrationFactory(training=training, status=RegistrationStatus.waitlisted)
    at_the_door = factories.RegistrationFactory(
        training=training, status=RegistrationStatus.waitlisted,
        person=factories.PersonFactory(given_names="Teófilo", family_names="Condori", id_document="01234567"))
    dbsession.flush()
    page = organiser_app.get(f"/organiser/trainings/{training.id}/checkin",
                             params={"session": session.id, "q": "teofilo condori"})
    assert "Ninguna persona esperada" in page.text and "Condori" in page.text
    assert "La capacitación está llena (3 de 3)" in page.text
    admit = next(form for form in page.forms.values() if form.action.endswith("/checkin/admit"))
    page = admit.submit().follow()
    assert "Se admitió a Teófilo Condori desde la lista de espera." in page.text
    assert "su capacidad pasó de 3 a 4" in page.text
    dbsession.expire_all()
    assert at_the_door.status == RegistrationStatus.confirmed and training.capacity == 4
    assert training.confirmed_count == 4
    assert first_waiting.status == RegistrationStatus.waitlisted  # nobody else moved
    [attendance] = dbsession.scalars(select(Attendance)).all()
    assert (attendance.registration, attendance.status) == (at_the_door, "present")
    # Found by document too; a second admission is refused and writes nothing.
    page = organiser_app.get(f"/organiser/trainings/{training.id}/checkin",
                             params={"session": session.id, "q": "1234567"})
    assert "/checkin/admit" not in page.text


def test_a_place_left_is_taken_without_raising_capacity(organiser_app, training, session, dbsession):
    waiting = factories.RegistrationFactory(training=training, status=RegistrationStatus.pending)
    page = organiser_app.get(f"/organiser/trainings/{training.id}/checkin",
                             params={"session": session.id, "q": waiting.person.family_names})
    assert "está llena" not in page.text
    admit = next(form for form in page.forms.values() if form.action.endswith("/checkin/admit"))
    page = admit.submit().follow()
    assert "su capacidad pasó" not in page.text
    assert waiting.status == RegistrationStatus.confirmed and training.capacity == 3 and training.confirmed_count == 1


def test_a_typed_code_checks_in_without_javascript(organiser_app, training, session, people, dbsession):
    page = organiser_app.get(f"/organiser/trainings/{training.id}/checkin", params={"session": session.id})
    form = page.forms["typed-code"]
    form["code"] = "  " + make_token(SECRET, people[0]) + "\n"
    page = form.submit().follow()
    assert "Rosa Quispe Mamani: Llegada registrada." in page.text
    [attendance] = dbsession.scalars(select(Attendance)).all()
    assert (attendance.registration, attendance.method) == (people[0], "qr")
    form = page.forms["typed-code"]
    form["code"] = "not a code"
    page = form.submit().follow()
    assert "Este no es un código de registro válido de Capacita." in page.text
    assert len(dbsession.scalars(select(Attendance)).all()) == 1


def test_the_short_code_is_printed_under_the_qr_code_on_the_private_page_and_badge(testapp, training, people,
                                                                                   dbsession):
    token, people[1].token_hash = new_token()
    dbsession.flush()
    code = short_code(SECRET, people[1])
    page = testapp.get(f"/me/{token}")
    assert page.html.find(id="checkin-short-code").text == code
    badge = testapp.get(f"/me/{token}/badge.pdf")
    assert code in PdfReader(io.BytesIO(badge.body)).pages[0].extract_text()


def test_a_typed_short_code_checks_in_and_gives_the_focus_back_to_the_field(organiser_app, training, session,
                                                                          people, dbsession):
    organiser_app.set_cookie("_LOCALE_", "en")
    page = organiser_app.get(f"/organiser/trainings/{training.id}/checkin", params={"session": session.id})
    assert "autofocus" not in page.forms["typed-code"].html.decode()  # a phone's keyboard stays closed at first
    form = page.forms["typed-code"]
    form["code"] = short_code(SECRET, people[0]).lower()
    page = form.submit().follow()
    assert "Rosa Quispe Mamani: Checked in." in page.text
    assert page.html.find(id="code").has_attr("autofocus")
    [attendance] = dbsession.scalars(select(Attendance)).all()
    assert (attendance.registration, attendance.method) == (people[0], "qr")
    form = page.forms["typed-code"]
    form["code"] = "99999-ABCD"
    page = form.submit().follow()
    assert "Nobody has the check-in code 99999-ABCD." in page.text
    assert page.html.find(id="code").has_attr("autofocus")
    assert len(dbsession.scalars(select(Attendance)).all()) == 1


def test_a_short_code_of_another_training_never_checks_in_there(organiser_app, training, session, people,
                                                               dbsession):
    organiser_app.set_cookie("_LOCALE_", "en")
    other = factories.RegistrationFactory()  # another training, which this organiser may also manage
    dbsession.flush()
    answer = scan(organiser_app, training, session, short_code(SECRET, other)).json
    assert (answer["result"], answer["message"]) == ("refused", "This code is for another training.")
    assert dbsession.scalars(select(Attendance)).all() == []
