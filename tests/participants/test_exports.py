"""The tables organisers export: translated headers, person and registration columns, and
"Registered on" in the training's region's local time with its zone named."""
import datetime as dt

from participants.exports import people_table, registrations_table
from tests import factories


def test_registered_on_is_the_regions_local_clock_time_with_the_zone_in_the_header(dbsession, app_request):
    lima = factories.TrainingFactory(region=factories.RegionFactory(timezone="America/Lima"))
    madrid = factories.TrainingFactory(region=factories.RegionFactory(country="ES", timezone="Europe/Madrid"))
    instant = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
    for training, header, clock in ((lima, "Inscrito el (America/Lima)", dt.datetime(2026, 3, 2, 10, 0)),
                                    (madrid, "Inscrito el (Europe/Madrid)", dt.datetime(2026, 3, 2, 16, 0))):
        registration = factories.RegistrationFactory(training=training)
        registration.created_at = instant
        table = registrations_table(app_request, training, [registration])
        assert table.title == "Inscripciones" and table.header[-1] == header
        registered = table.rows[0][-1]
        assert registered.replace(tzinfo=None) == clock and registered == instant


def test_registration_rows_have_the_persons_details_then_role_status_and_source(dbsession, app_request):
    registration = factories.RegistrationFactory(person=factories.PersonFactory(
        given_names="Rosa", family_names="Paz", email=None, phone="+51 979020024", sex="male", position="Fiscal",
        id_document="12345678"), status="waitlisted", role="speaker", source="import")
    table = registrations_table(app_request, registration.training, [registration])
    assert table.header[:3] == ["Nombres", "Apellidos", "Correo electrónico"]
    assert table.rows[0][:-1] == ["Rosa", "Paz", "", "+51 979020024", "Masculino", "Fiscal",
                                  registration.person.institution.name, "PE", "12345678", "Ponente",
                                  "En lista de espera", "Importación"]


def test_the_people_table_has_the_person_columns_only(dbsession, app_request):
    person = factories.PersonFactory(given_names="Inés", family_names="Ortiz", institution=None, country=None,
                                     sex=None)
    table = people_table(app_request, [person])
    assert table.title == "Personas" and len(table.header) == 9 and table.header[-1] == "Documento de identidad"
    assert table.rows == [["Inés", "Ortiz", person.email, "", "", "", "", "", ""]]
