import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from participants.models import (
    Attendance,
    AttendanceMethod,
    AttendanceStatus,
    CalendarFeedToken,
    Person,
    Registration,
    RegistrationStatus,
)
from tests import factories
from tests.conftest import csrf_token_of
from trainings.models import SessionSpeaker


def test_person_history_shows_trainings_roles_attendance_and_certificates(organiser_app, dbsession):
    person = factories.PersonFactory(given_names="Dolores", family_names="<b>Quispe</b>")
    training = factories.TrainingFactory(title="Taller de Cusco")
    session = factories.SessionFactory(training=training)
    registration = factories.RegistrationFactory(training=training, person=person)
    dbsession.add(Attendance(registration=registration, session=session, status=AttendanceStatus.present,
                             method=AttendanceMethod.manual))
    factories.CertificateFactory(registration=registration, serial="PE-2026-000777")
    factories.RegistrationFactory(person=person, role="speaker", training=factories.TrainingFactory(title="Seminario"))
    dbsession.flush()
    page = organiser_app.get(f"/organiser/people/{person.id}")
    assert "Taller de Cusco" in page.text and "Seminario" in page.text and "PE-2026-000777" in page.text
    assert "100" in page.text and "&lt;b&gt;Quispe&lt;/b&gt;" in page.text and "<b>Quispe" not in page.text
    organiser_app.get("/organiser/people/999999", status=404)
    listing = organiser_app.get("/organiser/people", params={"q": "quispe"})
    assert f"/organiser/people/{person.id}" in listing.text


def test_duplicates_ignore_accents_case_and_spaces_at_the_same_institution(admin_app, dbsession):
    # People never registered in a training: only an administrator sees the whole registry.
    institution = factories.InstitutionFactory()
    a = factories.PersonFactory(given_names="José Raúl", family_names="Núñez", institution=institution)
    b = factories.PersonFactory(given_names="JOSE  RAUL", family_names="nunez", institution=institution, email=None)
    factories.PersonFactory(given_names="José Raúl", family_names="Núñez")  # another institution
    page = admin_app.get("/organiser/people/duplicates")
    assert page.text.count(f"/organiser/people/merge?keep={a.id}&amp;other={b.id}") == 1


def test_duplicates_by_identity_document_ignore_spaces_dots_dashes_case_and_leading_zeros(admin_app, dbsession):
    first = factories.PersonFactory(given_names="Rosa", family_names="Quispe", id_document="01234567", country="PE")
    second = factories.PersonFactory(given_names="Rosa Elena", family_names="Quispe Mamani",
                                     id_document="1.234.567", country="PE")
    factories.PersonFactory(id_document="1234567", country="BO")  # another country's document
    letters = factories.PersonFactory(id_document="ab-123", country="CL")
    again = factories.PersonFactory(id_document="AB 123", country="CL")
    page = admin_app.get("/organiser/people/duplicates")
    assert "Mismo documento de identidad" in page.text
    assert page.text.count(f"/organiser/people/merge?keep={first.id}&amp;other={second.id}") == 1
    assert f"/organiser/people/merge?keep={letters.id}&amp;other={again.id}" in page.text
    assert page.text.count("/organiser/people/merge?keep=") == 2


def test_a_manual_merge_is_chosen_by_search_and_previewed_before_anything_changes(admin_app, dbsession):
    keep = factories.PersonFactory(given_names="Ana", family_names="Huamán", phone="", email="ana@mp.gob.pe",
                                   country="PE")
    other = factories.PersonFactory(given_names="Ana María", family_names="Huamán Soto", phone="+51 988",
                                    email="ahuaman@gmail.com")
    factories.RegistrationFactory(person=other)
    person_page = admin_app.get(f"/organiser/people/{keep.id}")
    choose = person_page.click(href=f"/organiser/people/merge\\?keep={keep.id}$")
    search = choose.forms["merge-search"]
    search["q"] = "ahuaman"
    found = search.submit()
    assert "Ana María Huamán Soto" in found.text
    assert found.text.count("/organiser/people/merge?keep=") == 1  # not the person kept
    preview = admin_app.get("/organiser/people/merge", params={"keep": keep.id, "other": other.id})
    assert "Se conserva:" in preview.text and "Se fusiona con ella y luego se elimina:" in preview.text
    assert "1 inscripción pasa a la persona que se conserva." in preview.text
    assert "+51 988" in preview.text and "de la persona fusionada" in preview.text
    assert ">Perú<" in preview.text and ">PE<" not in preview.text  # the country by its name
    assert "Volver sin fusionar" in preview.text and "Anular" not in preview.text  # not "cancel" a merge
    assert dbsession.get(Person, other.id) is not None  # nothing changed yet
    preview.forms["merge-confirm"].submit(status=302)
    dbsession.expire_all()
    assert dbsession.get(Person, other.id) is None and keep.phone == "+51 988" and keep.email == "ana@mp.gob.pe"
    assert "Se conserva:" in choose.text


def test_merge_keeps_every_registration_and_history(organiser_app, dbsession):
    keep = factories.PersonFactory(phone="")
    other = factories.PersonFactory(phone="+51 999", id_document="12345678")
    shared = factories.TrainingFactory(capacity=5)
    only_other = factories.TrainingFactory()
    kept_registration = factories.RegistrationFactory(training=shared, person=keep,
                                                      status=RegistrationStatus.waitlisted)
    better = factories.RegistrationFactory(training=shared, person=other, status=RegistrationStatus.confirmed)
    shared.confirmed_count = 1
    moved = factories.RegistrationFactory(training=only_other, person=other)
    session = factories.SessionFactory(training=shared)
    dbsession.add(Attendance(registration=kept_registration, session=session, status=AttendanceStatus.present,
                             method=AttendanceMethod.manual))
    dbsession.add(SessionSpeaker(session=session, person=other))
    dbsession.add(CalendarFeedToken(person=other, token_hash="a" * 64))
    certificate = factories.CertificateFactory(registration=moved)
    dbsession.flush()
    other_id = other.id
    page = organiser_app.get("/organiser/people/duplicates")
    organiser_app.post("/organiser/people/merge", {"csrf_token": csrf_token_of(page), "keep": keep.id,
                                                   "other": other_id}, status=302)
    dbsession.expire_all()
    assert dbsession.get(Person, other_id) is None
    registrations = dbsession.scalars(select(Registration).where(Registration.person_id == keep.id)).all()
    assert {r.id for r in registrations} == {better.id, moved.id}
    assert better.status == RegistrationStatus.confirmed and shared.confirmed_count == 1
    # The attendance of the registration that went away joined the one kept.
    assert [a.registration_id for a in dbsession.scalars(select(Attendance))] == [better.id]
    assert dbsession.scalar(select(SessionSpeaker.person_id)) == keep.id
    assert dbsession.scalar(select(CalendarFeedToken.person_id)) == keep.id
    assert certificate.registration_id == moved.id
    assert keep.phone == "+51 999" and keep.id_document == "12345678"


def test_merge_needs_csrf_and_two_people(organiser_app, dbsession):
    person = factories.PersonFactory()
    organiser_app.post("/organiser/people/merge", {"keep": person.id, "other": person.id}, status=400)
    page = organiser_app.get("/organiser/people/duplicates")
    organiser_app.post("/organiser/people/merge", {"csrf_token": csrf_token_of(page), "keep": person.id,
                                                   "other": person.id}, status=302)
    assert dbsession.get(Person, person.id) is not None


def test_people_pages_need_an_organiser(testapp, dbsession):
    person = factories.PersonFactory()
    for path in ("/organiser/people", f"/organiser/people/{person.id}", "/organiser/people/duplicates"):
        assert testapp.get(path, status=302).location.startswith("http://capacita.test/login")


def test_people_tables_scroll_inside_the_page_on_a_phone(organiser_app, dbsession):
    # Their tables made the whole page wider than a phone's screen.
    person = factories.PersonFactory()
    factories.RegistrationFactory(person=person)
    for url in ("/organiser/people", f"/organiser/people/{person.id}"):
        page = organiser_app.get(url)
        assert page.text.count("<table") == page.text.count('<div class="table-responsive">\n<table'), url


def test_people_export_follows_the_search_and_neutralises_formulas(admin_app, dbsession):
    # People never registered in a training: only an administrator sees the whole registry.
    institution = factories.InstitutionFactory(name="Defensoría del Pueblo")
    factories.PersonFactory(given_names="Ñusta", family_names="Peña;=1+1", institution=institution,
                            email="nusta@defensoria.gob.pe", phone="+595 996578189", position="=HYPERLINK(\"http://evil.example\")")
    factories.PersonFactory(given_names="Raúl", family_names="Castillo")
    page = admin_app.get("/organiser/people", params={"q": "defensoria"})
    csv_link = page.html.find("a", href=lambda href: href and href.startswith("/organiser/people.csv"))["href"]
    assert csv_link == "/organiser/people.csv?q=defensoria"
    assert page.html.find("a", href="/organiser/people.xlsx?q=defensoria")
    response = admin_app.get(csv_link)
    assert response.content_type == "text/csv"
    assert response.content_disposition == 'attachment; filename="personas.csv"'
    rows = list(csv.reader(io.StringIO(response.body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Nombres", "Apellidos", "Correo electrónico", "Teléfono", "Sexo", "Cargo", "Institución",
                       "País", "Documento de identidad"]
    assert len(rows) == 2 and rows[1][:2] == ["Ñusta", "Peña;'=1+1"]
    assert rows[1][3] == "'+595 996578189" and rows[1][5] == "'=HYPERLINK(\"http://evil.example\")"
    workbook = admin_app.get("/organiser/people.xlsx", params={"q": "defensoria"})
    sheet = load_workbook(io.BytesIO(workbook.body)).active
    assert sheet.title == "Personas" and sheet.max_row == 2
    assert [cell.value for cell in sheet[2]][:7] == ["Ñusta", "Peña;=1+1", "nusta@defensoria.gob.pe", "+595 996578189",
                                                      "Femenino", "=HYPERLINK(\"http://evil.example\")",
                                                      "Defensoría del Pueblo"]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_people_export_without_a_search_has_everyone_beyond_the_pages_limit(admin_app, dbsession):
    # People never registered in a training: only an administrator sees the whole registry.
    from trainings.paging import LIST_PAGE_SIZE as PAGE_LIMIT

    factories.PersonFactory.create_batch(PAGE_LIMIT + 1)
    admin_app.set_cookie("_LOCALE_", "en")
    response = admin_app.get("/organiser/people.csv")
    rows = list(csv.reader(io.StringIO(response.body.decode("utf-8-sig")), delimiter=","))
    assert rows[0][:3] == ["Given names", "Family names", "Email"] and len(rows) == 1 + PAGE_LIMIT + 1
    assert response.content_disposition == 'attachment; filename="people.csv"'


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_only_organisers_export_people(testapp, dbsession, format):
    factories.PersonFactory()
    response = testapp.get(f"/organiser/people.{format}")
    assert response.status_int == 302 and "/login" in response.location


def test_an_organiser_corrects_a_persons_details(admin_app, dbsession):
    # People never registered in a training: only an administrator sees the whole registry.
    person = factories.PersonFactory(given_names="ZOË", family_names="Huamán", email="rosa.huaman@mpfn",
                                     phone="999")
    factories.PersonFactory(email="taken@example.org")
    page = admin_app.get(f"/organiser/people/{person.id}").click(href=f"/organiser/people/{person.id}/edit")
    form = page.forms["form"]
    assert form["given_names"].value == "ZOË" and form["email"].value == "rosa.huaman@mpfn"
    form["email"] = "taken@example.org"
    refused = form.submit("submit", status=400)
    assert "ya tiene este correo" in refused.text and person.email == "rosa.huaman@mpfn"
    form = refused.forms["form"]
    form["given_names"], form["email"], form["phone"] = "Zoë", " Rosa.Huaman@mpfn.gob.pe ", ""
    form.submit("submit").follow()
    assert (person.given_names, person.email, person.phone) == ("Zoë", "rosa.huaman@mpfn.gob.pe", "")


def test_editing_a_person_needs_an_organiser(testapp, dbsession):
    person = factories.PersonFactory()
    assert testapp.get(f"/organiser/people/{person.id}/edit").status_int == 302


def test_the_people_list_pages_by_family_name_accents_ignored(admin_app, dbsession, monkeypatch):
    # People never registered in a training: only an administrator sees the whole registry.
    from participants.views import people

    monkeypatch.setattr(people, "LIST_PAGE_SIZE", 2)
    for family in ("Cáceres", "Álvarez", "Benítez"):
        factories.PersonFactory(family_names=family)
    page = admin_app.get("/organiser/people")
    assert "3 personas" in page.text and "Página 1 de 2" in page.text
    assert page.text.index("Álvarez") < page.text.index("Benítez") and "Cáceres" not in page.text
    second = page.click(linkid=None, href="page=2", index=0)
    assert "Cáceres" in second.text and "Álvarez" not in second.text
    search = admin_app.get("/organiser/people", {"q": "caceres", "page": "7"})  # past the end: the last page
    assert "Cáceres" in search.text and "1 persona" in search.text


def test_the_people_list_puts_enye_after_n_as_spanish_does(admin_app, dbsession):
    for family in ("Ñahui", "Navarro", "Núñez", "Nuno", "Ortiz", "Nzinga"):
        factories.PersonFactory(given_names="Ana", family_names=family)
    text = admin_app.get("/organiser/people").text
    order = sorted(("Ñahui", "Navarro", "Núñez", "Nuno", "Ortiz", "Nzinga"), key=text.index)
    assert order == ["Navarro", "Nuno", "Núñez", "Nzinga", "Ñahui", "Ortiz"]


def test_sort_keys_of_names_with_enye_are_written_again_by_the_migration(tmp_path):
    from sqlalchemy import create_engine, text

    from trainings.db import migrate

    engine = create_engine(f"sqlite:///{tmp_path}/before.sqlite")
    migrate(engine, "0017")
    with engine.begin() as connection:
        values = {"given_names": "Ana", "family_names": "N\u0303ahui", "sort_name": "nahui ana",  # decomposed ñ
                  "phone": "", "position": "", "preferred_language": "es",
                  "created_at": "2026-01-01 00:00:00", "updated_at": "2026-01-01 00:00:00"}
        insert = text("INSERT INTO person (given_names, family_names, sort_name, phone, position, "
                      "preferred_language, created_at, updated_at) VALUES (:given_names, :family_names, "
                      ":sort_name, :phone, :position, :preferred_language, :created_at, :updated_at)")
        connection.execute(insert, values)
        connection.execute(insert, {**values, "given_names": "Luis", "family_names": "Navarro",
                                    "sort_name": "navarro luis"})
    migrate(engine)
    with engine.connect() as connection:
        keys = dict(connection.execute(text("SELECT given_names, sort_name FROM person")).all())
    assert keys == {"Ana": "nz~ahui ana", "Luis": "navarro luis"}
    engine.dispose()


def test_the_people_count_stops_at_its_cap(admin_app, dbsession, monkeypatch):
    # People never registered in a training: only an administrator sees the whole registry.
    from participants import people
    from participants.views import people as people_views

    monkeypatch.setattr(people_views, "COUNT_CAP", 2)
    monkeypatch.setattr(people_views, "LIST_PAGE_SIZE", 1)
    for family in ("Aguirre", "Benítez", "Cáceres"):
        factories.PersonFactory(family_names=family)
    page = admin_app.get("/organiser/people")
    assert "Más de 2 personas" in page.text and "Página 1 de 2" in page.text
    assert people.count_people(dbsession, "", cap=2) == 3  # cap + 1: more than the cap
    assert people.count_people(dbsession, "benitez", cap=2) == 1
