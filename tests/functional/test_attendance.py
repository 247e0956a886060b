"""Organiser attendance pages: the sheet, one-tap marking, mark-all and undo, two organisers at
once, paper sheets, the sign-in sheet PDF, the summary and its exports, the history."""
import csv
import datetime as dt
import io
import unicodedata

import pytest
import webtest
from openpyxl import load_workbook
from pypdf import PdfReader

from participants.attendance import services
from participants.attendance.summary import people_summary
from tests import factories
from tests.certificates.test_pdf import fonts_drawing
from tests.conftest import csrf_token_of, log_in
from trainings.models import utcnow


@pytest.fixture
def training(dbsession):
    return factories.TrainingFactory(title="Taller <b>regional</b> de Cusco", capacity=10)


@pytest.fixture
def session(training):
    return factories.SessionFactory(training=training, title="Identificación de víctimas", room="Sala 2")


@pytest.fixture
def people(training):
    names = [("Ñahui", "Rosa"), ("D'Angelo", "Marco"), ("Núñez", "Inés")]
    return [factories.RegistrationFactory(training=training, person=factories.PersonFactory(
        family_names=family, given_names=given)) for family, given in names]


def mark(app, session, registration, status, page=None):
    page = page or app.get(f"/organiser/sessions/{session.id}/attendance")
    return app.post(f"/organiser/sessions/{session.id}/attendance/mark",
                    {"csrf_token": csrf_token_of(page), "registration": registration.id, "status": status})


@pytest.mark.parametrize("path", ["/organiser/trainings/{t}/attendance", "/organiser/sessions/{s}/attendance",
                                  "/organiser/trainings/{t}/checkin", "/organiser/sessions/{s}/sheet.pdf",
                                  "/organiser/trainings/{t}/attendance.csv", "/organiser/trainings/{t}/walk-in"])
def test_anonymous_visitors_are_sent_to_log_in(testapp, training, session, path):
    response = testapp.get(path.format(t=training.id, s=session.id))
    assert response.status_int == 302 and "/login" in response.location


def test_unknown_ids_are_not_found(organiser_app):
    organiser_app.get("/organiser/sessions/999999/attendance", status=404)
    organiser_app.get("/organiser/trainings/999999/attendance", status=404)


def test_the_sheet_shows_everyone_sorted_with_one_tap_statuses(organiser_app, session, people):
    page = organiser_app.get(f"/organiser/sessions/{session.id}/attendance")
    text = page.text
    assert text.index("D&#39;Angelo") < text.index("Núñez") < text.index("Ñahui")
    assert "Taller &lt;b&gt;regional&lt;/b&gt;" in text and "<b>regional</b>" not in text
    assert text.count('name="status" value="present"') == 3 and "Aún sin marcar" in text


def test_marking_without_javascript_redirects_back_to_the_row(organiser_app, session, people, dbsession):
    response = mark(organiser_app, session, people[0], "late")
    assert response.status_int == 302 and response.location.endswith(f"#r{people[0].id}")
    assert services.sheet(dbsession, session)[2].status == "late"


def test_marking_with_fetch_answers_json(organiser_app, session, people):
    page = organiser_app.get(f"/organiser/sessions/{session.id}/attendance")
    response = organiser_app.post(f"/organiser/sessions/{session.id}/attendance/mark",
                                  {"registration": people[1].id, "status": "excused"},
                                  headers={"X-CSRF-Token": csrf_token_of(page), "X-Requested-With": "fetch"})
    assert response.json == {"registration": people[1].id, "status": "excused", "label": "Justificado",
                             "changed": True}


def test_marking_refuses_a_person_of_another_training_and_a_missing_csrf(organiser_app, session, people):
    page = organiser_app.get(f"/organiser/sessions/{session.id}/attendance")
    outsider = factories.RegistrationFactory()
    organiser_app.post(f"/organiser/sessions/{session.id}/attendance/mark",
                       {"csrf_token": csrf_token_of(page), "registration": outsider.id, "status": "present"},
                       status=400)
    organiser_app.post(f"/organiser/sessions/{session.id}/attendance/mark",
                       {"registration": people[0].id, "status": "present"}, status=400)


def test_two_organisers_marking_at_once_both_keep_their_marks(app, tm, dbsession, organiser, session, people):
    colleague = factories.UserFactory(email="colega@capacita.test")
    environ = {"HTTP_HOST": "capacita.test", "tm.active": True, "tm.manager": tm, "app.dbsession": dbsession}
    first, second = webtest.TestApp(app, extra_environ=environ), webtest.TestApp(app, extra_environ=environ)
    log_in(first, organiser)
    log_in(second, colleague)
    first_page = first.get(f"/organiser/sessions/{session.id}/attendance")
    second_page = second.get(f"/organiser/sessions/{session.id}/attendance")  # both pages show nobody marked
    mark(first, session, people[0], "present", first_page)
    mark(second, session, people[1], "late", second_page)
    mark(second, session, people[0], "absent", second_page)  # the same row: the last write wins
    statuses = {row.registration.id: row.status for row in services.sheet(dbsession, session)}
    assert statuses == {people[0].id: "absent", people[1].id: "late", people[2].id: None}
    history = first.get(f"/organiser/sessions/{session.id}/attendance/{people[0].id}/history").text
    assert history.index(organiser.name) < history.index(colleague.name)


def started(session):
    """The session began an hour ago (sessions of the fixtures are a month ahead)."""
    session.starts_at = utcnow() - dt.timedelta(hours=1)
    session.ends_at = utcnow() + dt.timedelta(hours=1)
    return session


def test_mark_everyone_present_and_undo(organiser_app, session, people, dbsession):
    started(session)
    mark(organiser_app, session, people[0], "excused")
    page = organiser_app.get(f"/organiser/sessions/{session.id}/attendance")
    form = page.html.find("form", action=f"/organiser/sessions/{session.id}/attendance/all")
    assert form["data-confirm"].strip()  # one tap marks dozens: asked first
    page = organiser_app.post(f"/organiser/sessions/{session.id}/attendance/all",
                              {"csrf_token": csrf_token_of(page)}).follow()
    assert "2 personas marcadas como presentes" in page.text
    assert [row.status for row in services.sheet(dbsession, session)] == ["present", "present", "excused"]
    page = organiser_app.post(f"/organiser/sessions/{session.id}/attendance/undo",
                              {"csrf_token": csrf_token_of(page)}).follow()
    assert [row.status for row in services.sheet(dbsession, session)] == [None, None, "excused"]
    assert "Deshacer" not in page.text  # nothing left to undo


def test_everyone_is_not_marked_present_in_a_session_still_to_come(organiser_app, session, people, dbsession):
    organiser_app.set_cookie("_LOCALE_", "en")
    page = organiser_app.get(f"/organiser/sessions/{session.id}/attendance")
    assert page.html.find("form", action=f"/organiser/sessions/{session.id}/attendance/all") is None
    assert "once the session has started" in page.html.find(id="mark-all-later").text
    page = organiser_app.post(f"/organiser/sessions/{session.id}/attendance/all",
                              {"csrf_token": csrf_token_of(page)}).follow()
    assert "This session has not started yet" in page.text
    assert [row.status for row in services.sheet(dbsession, session)] == [None, None, None]
    mark(organiser_app, session, people[0], "present")  # one by one stays possible, as before
    statuses = {row.registration.id: row.status for row in services.sheet(dbsession, session)}
    assert statuses == {people[0].id: "present", people[1].id: None, people[2].id: None}


def test_recording_a_paper_sheet(organiser_app, session, people, dbsession):
    page = organiser_app.get(f"/organiser/sessions/{session.id}/attendance?mode=paper")
    form = page.forms["paper"]
    for field in form.fields["signed"]:
        field.checked = field._value == str(people[0].id)
    form.submit().follow()
    statuses = {row.registration.id: (row.status, row.attendance.method) for row in services.sheet(dbsession, session)}
    assert statuses[people[0].id] == ("present", "sheet") and statuses[people[1].id] == ("absent", "sheet")


def test_the_sign_in_sheet_pdf_has_extractable_accented_names(organiser_app, session, people):
    people[2].person.given_names = "<i>Inés</i>"
    response = organiser_app.get(f"/organiser/sessions/{session.id}/sheet.pdf")
    assert response.content_type == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.body)).pages)
    for expected in ("Núñez", "Ñahui", "D'Angelo", "<i>Inés</i>", "Identificación de víctimas",
                     "Taller <b>regional</b> de Cusco", "Sala 2", "America/Lima", "Firma", "Página 1"):
        assert expected in text, expected
    assert text.index("D'Angelo") < text.index("Núñez") < text.index("Ñahui")
    assert "13" in text  # numbered blank rows for walk-ins follow the three expected people


def test_the_sign_in_sheet_prints_names_in_any_script(organiser_app, training, session):
    for family, given in (("王", "秀英"), ("الزهراء", "فاطمة"), ("Παπαδοπούλου", "Ελένη")):
        factories.RegistrationFactory(training=training, person=factories.PersonFactory(
            family_names=family, given_names=given))
    pdf = organiser_app.get(f"/organiser/sessions/{session.id}/sheet.pdf").body
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "STSong-Light" in fonts_drawing(pdf)  # the Chinese name, in a font that has it
    assert "王" in text and "秀英" in text and "Ελένη" in text and "\ufffd" not in text
    # Arabic is drawn shaped (joined letter forms), which read back as the name's letters.
    assert any(0xFE70 <= ord(char) <= 0xFEFC for char in text)
    assert "فاطمة" in unicodedata.normalize("NFKC", text)


def test_summary_counts_and_rates(organiser_app, training, session, people, dbsession, organiser):
    second = factories.SessionFactory(training=training, start=dt.time(12), end=dt.time(14))
    for registration in people:
        services.record(dbsession, registration, session, "present", "manual", organiser)
    services.record(dbsession, people[0], second, "absent", "manual", organiser)
    services.record(dbsession, people[1], second, "excused", "manual", organiser)
    page = organiser_app.get(f"/organiser/trainings/{training.id}/attendance")
    assert "Asistencia" in page.text and "Hoja de firmas (PDF)" in page.text
    rows = {row.registration.id: row for row in people_summary(dbsession, training)}
    assert (rows[people[0].id].rate.percent, rows[people[0].id].eligible) == (50.0, False)
    assert (rows[people[1].id].rate.percent, rows[people[1].id].eligible) == (100.0, True)


def test_exports_neutralise_formulas(organiser_app, training, session, people):
    people[0].person.given_names = "=HYPERLINK(\"http://evil\")"
    people[1].person.family_names = "+D'Angelo"
    people[2].person.email = "ines;=1+1@mpfn.gob.pe"
    response = organiser_app.get(f"/organiser/trainings/{training.id}/attendance.csv")
    assert response.content_type == "text/csv" and response.content_disposition.startswith("attachment;")
    text = response.body.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    # Ten columns about the person, then one per session (here one).
    assert rows[0][0] == "Apellidos" and rows[0][2] == "Sexo" and all(len(row) == 11 for row in rows)
    cells = [cell for row in rows for cell in row]
    assert "'=HYPERLINK(\"http://evil\")" in cells and "'+D'Angelo" in cells and "ines;'=1+1@mpfn.gob.pe" in cells
    pieces = [piece.strip('" ') for line in text.splitlines() for separator in ",;" for piece in line.split(separator)]
    assert not any(piece.startswith(("=", "+", "-", "@")) for piece in pieces)
    workbook = load_workbook(io.BytesIO(organiser_app.get(f"/organiser/trainings/{training.id}/attendance.xlsx").body))
    values = [cell.value for row in workbook.active.iter_rows() for cell in row]
    assert "=HYPERLINK(\"http://evil\")" in values and "+D'Angelo" in values
    assert not any(isinstance(value, str) and value.startswith("'") for value in values)
    assert all(cell.data_type != "f" for row in workbook.active.iter_rows() for cell in row)


def test_exports_write_hours_and_rates_as_numbers(organiser_app, training, session, people, dbsession, organiser):
    second = factories.SessionFactory(training=training, start=dt.time(12), end=dt.time(13, 45))
    for registration in people[:2]:
        services.record(dbsession, registration, session, "present", "manual", organiser)
    services.record(dbsession, people[0], second, "late", "manual", organiser)
    services.record(dbsession, people[1], second, "absent", "manual", organiser)
    rows = list(csv.reader(io.StringIO(organiser_app.get(
        f"/organiser/trainings/{training.id}/attendance.csv").body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][6:10] == ["Horas asistidas", "Horas previstas", "Porcentaje (%)", "Cumple"]
    assert [header.split(" (")[0] for header in rows[0][10:]] == [session.title, second.title]
    by_name = {row[0]: row[6:] for row in rows[1:]}
    assert by_name["Ñahui"] == ["3,75", "3,75", "100", "Sí", "Presente", "Tardanza"]
    assert by_name["D'Angelo"] == ["2", "3,75", "53,3", "No", "Presente", "Ausente"]
    assert by_name["Núñez"] == ["0", "3,75", "0", "No", "Aún sin marcar", "Aún sin marcar"]
    organiser_app.set_cookie("_LOCALE_", "en")
    english = organiser_app.get(f"/organiser/trainings/{training.id}/attendance.csv").body.decode("utf-8-sig")
    assert '"Ñahui","Rosa","' in english and '"3.75","3.75","100","Yes","Present","Late"' in english
    sheet = load_workbook(io.BytesIO(organiser_app.get(
        f"/organiser/trainings/{training.id}/attendance.xlsx").body)).active
    values = {row[0].value: [cell.value for cell in row[6:10]] for row in sheet.iter_rows(min_row=2)}
    assert values["Ñahui"] == [3.75, 3.75, 100, "Yes"] and values["D'Angelo"] == [2, 3.75, 53.3, "No"]


def test_the_tab_is_shown(organiser_app, training, session):
    page = organiser_app.get(f"/organiser/sessions/{session.id}/attendance")
    assert f'href="/organiser/trainings/{training.id}/attendance"' in page.text


def test_the_sheet_is_searched_on_the_server_and_marking_keeps_the_search(organiser_app, session, people):
    page = organiser_app.get(f"/organiser/sessions/{session.id}/attendance", params={"q": "nunez ines"})
    assert page.text.count('name="status" value="present"') == 1 and "Núñez" in page.text
    assert "D&#39;Angelo" not in page.text and "1 persona encontrada" in page.text
    form = next(form for form in page.forms.values() if form.action.endswith("/attendance/mark"))
    response = form.submit("status", value="present")
    assert f"q=nunez+ines#r{people[2].id}" in response.location
    nobody = organiser_app.get(f"/organiser/sessions/{session.id}/attendance", params={"q": "zzz"})
    assert "No se encontró a nadie." in nobody.text and 'value="present"' not in nobody.text


def test_a_long_sheet_is_paged_by_a_hundred(organiser_app, training, session, dbsession):
    for number in range(101):
        factories.RegistrationFactory(training=training, person=factories.PersonFactory(
            family_names=f"Apaza {number:03}", given_names="Luis"))
    first = organiser_app.get(f"/organiser/sessions/{session.id}/attendance")
    assert first.text.count('name="status" value="present"') == 100 and "Apaza 099" in first.text
    second = organiser_app.get(f"/organiser/sessions/{session.id}/attendance", params={"page": 2})
    assert second.text.count('name="status" value="present"') == 1 and "Apaza 100" in second.text
