"""The public verification page: only what it exists to show, 404 for unknown codes, and a
rate limit per client."""
import pytest

from certificates import services
from tests.certificates.conftest import make_past_training


@pytest.fixture
def issued(app_request, dbsession):
    past = make_past_training(dbsession)
    certificates = services.issue_eligible(app_request, past.training, notify=False)
    return past, {c.registration.person.family_names: c for c in certificates}


def test_valid_certificate_shows_name_training_dates_hours_kind(testapp, issued):
    past, certificates = issued
    certificate = certificates["García D'Angelo"]
    page = testapp.get(f"/verify/{certificate.verification_code}")
    assert "Certificado válido" in page
    assert "Tomás García D&#39;Angelo" in page.text or "Tomás García D'Angelo" in page.text
    assert past.training.title in page
    assert "Asistencia" in page
    assert ">8<" in page.text  # hours attended
    person = certificate.registration.person
    for private in (person.email, person.institution.name, person.phone or "@@", "Programa"):
        assert private not in page.text


def test_codes_are_read_however_they_are_typed(testapp, issued):
    _past, certificates = issued
    code = certificates["Mamani"].verification_code
    typed = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    response = testapp.get("/verify", params={"code": typed})
    assert response.location.endswith(f"/verify/{code}")
    assert testapp.get(f"/verify/{code.replace('-', '').lower()}").location.endswith(f"/verify/{code}")


def test_unknown_code_is_a_clear_404(testapp, issued):
    page = testapp.get("/verify/ZZZZ-ZZZZ-ZZZZ-ZZ", status=404)
    assert "No hay ningún certificado con el código ZZZZ-ZZZZ-ZZZZ-ZZ" in page
    page = testapp.get("/verify", params={"code": "nonsense"}, status=404)
    assert "No hay ningún certificado" in page


def test_a_serial_typed_for_a_code_is_explained_never_looked_up(testapp, issued):
    _past, certificates = issued
    serial = certificates["Mamani"].serial
    page = testapp.get("/verify", params={"code": f" {serial.lower()} "}, status=404)
    assert "es el número del certificado, no su código de verificación" in page.text
    assert "Mamani" not in page.text  # serials follow each other: they never reveal a holder


def test_revoked_certificate_says_so_with_the_date(testapp, app_request, issued):
    _past, certificates = issued
    certificate = certificates["Villanueva"]
    services.revoke(app_request, certificate, "Motivo interno que no se publica")
    page = testapp.get(f"/verify/{certificate.verification_code}")
    assert "fue anulado el" in page
    assert "Motivo interno" not in page


def test_lookups_are_rate_limited_per_client(testapp, issued):
    code = "ZZZZ-ZZZZ-ZZZZ-ZZ"
    for _ in range(30):
        testapp.get(f"/verify/{code}", status=404, extra_environ={"REMOTE_ADDR": "203.0.113.7"})
    page = testapp.get(f"/verify/{code}", status=429, extra_environ={"REMOTE_ADDR": "203.0.113.7"})
    assert "Demasiadas consultas" in page
    assert int(page.headers["Retry-After"]) >= 1
    testapp.get(f"/verify/{code}", status=404, extra_environ={"REMOTE_ADDR": "203.0.113.8"})  # another client


def test_the_empty_form(testapp):
    page = testapp.get("/verify")
    assert 'name="code"' in page
