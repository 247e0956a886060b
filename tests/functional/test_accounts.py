"""Organisers log in and out; bad attempts get clear, translated answers and write nothing."""
from sqlalchemy import select

from tests.conftest import PASSWORD, csrf_token_of, log_in
from trainings.models import User


def test_login_then_logout(testapp, organiser):
    response = log_in(testapp, organiser)
    assert response.status_int == 302 and response.location.endswith("/organiser")
    dashboard = response.follow()
    assert "Panel" in dashboard.text  # Spanish by default
    assert organiser.last_login_at is not None
    token = csrf_token_of(dashboard)
    home = testapp.post("/logout", {"csrf_token": token}).follow()
    assert "Ha cerrado la sesión" in home.text
    assert testapp.get("/organiser").status_int == 302


def test_session_cookie_is_httponly_and_samesite(testapp, organiser):
    response = log_in(testapp, organiser)
    cookie = [value for name, value in response.headerlist if name == "Set-Cookie" and "capacita_session" in value][0]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_returns_to_the_page_asked_for_but_never_elsewhere(testapp, organiser):
    page = testapp.get("/login?next=https://evil.example/")
    form = page.forms["form"]
    form["email"], form["password"] = organiser.email, PASSWORD
    assert form.submit("submit").location.endswith("/organiser")


def test_wrong_password_is_refused_and_writes_nothing(testapp, organiser):
    response = log_in(testapp, organiser, password="wrong password!")
    assert response.status_int == 400
    assert "Correo electrónico o contraseña incorrectos." in response.text
    assert organiser.last_login_at is None
    assert testapp.get("/organiser").status_int == 302


def test_unknown_email_gets_the_same_answer(testapp, dbsession):
    page = testapp.get("/login")
    form = page.forms["form"]
    form["email"], form["password"] = "nobody@capacita.test", "whatever123"
    assert "Correo electrónico o contraseña incorrectos." in form.submit("submit", status=400).text


def test_failed_logins_are_throttled(testapp, organiser):
    for _attempt in range(5):
        log_in(testapp, organiser, password="wrong password!")
    response = log_in(testapp, organiser)  # even the right password waits now
    assert response.status_int == 400
    assert "Demasiados intentos fallidos" in response.text


def test_missing_csrf_token_is_refused_with_a_translated_page(testapp, organiser, dbsession):
    response = testapp.post("/login", {"email": organiser.email, "password": PASSWORD}, status=400)
    assert "Este formulario ha caducado" in response.text
    assert organiser.last_login_at is None
    english = testapp.post("/login", {"email": organiser.email, "password": PASSWORD},
                           headers={"Accept-Language": "en"}, status=400)
    assert "This form has expired" in english.text


def test_logout_needs_the_csrf_token(organiser_app):
    organiser_app.post("/logout", {}, status=400)
    assert organiser_app.get("/organiser").status_int == 200


def test_anonymous_visitor_of_an_organiser_page_is_asked_to_log_in(testapp):
    response = testapp.get("/organiser", status=302)
    assert "/login?next=%2Forganiser" in response.location
    assert "Inicie sesión para continuar." in response.follow().text


def test_inactive_accounts_cannot_log_in(testapp, organiser, dbsession):
    organiser.active = False
    dbsession.flush()
    assert log_in(testapp, organiser).status_int == 400


def test_user_emails_are_stored_normalised(dbsession):
    from trainings.accounts import create_user

    create_user(dbsession, "  Ana@Example.ORG ", "a long enough password")
    assert dbsession.scalar(select(User.email)) == "ana@example.org"


def test_the_organiser_menu_collapses_until_it_fits_beside_the_brand(testapp, organiser):
    # Seven organiser entries overflowed the page between 768 and 1200 px; with the set-once pages
    # under one menu the organiser's five fit from the lg breakpoint; the public menu (two) from md.
    assert "navbar-expand-md" in testapp.get("/trainings").text
    log_in(testapp, organiser)
    assert "navbar-expand-lg" in testapp.get("/organiser").text


def _setup_menu(page) -> list[str] | None:
    toggle = page.html.find("a", class_="dropdown-toggle", string="Configuración")
    if toggle is None:
        return None
    return [link.get_text(strip=True) for link in toggle.find_next_sibling("ul").find_all("a")]


def test_things_set_once_sit_under_one_setup_menu_shown_to_those_allowed(testapp, organiser, admin):
    assert _setup_menu(testapp.get("/")) is None
    log_in(testapp, organiser)
    assert _setup_menu(testapp.get("/organiser")) == ["Regiones y sedes", "Programas", "Instituciones",
                                                      "Diseños de certificado", "Bancos de preguntas"]
    testapp.post("/logout", {"csrf_token": csrf_token_of(testapp.get("/organiser"))})
    log_in(testapp, admin)
    regions = testapp.get("/organiser/regions")
    assert _setup_menu(regions) == ["Regiones y sedes", "Programas", "Instituciones", "Diseños de certificado",
                                    "Bancos de preguntas", "Cuentas", "Organizaciones", "Bandeja de salida",
                                    "Registro de auditoría"]
    assert regions.html.find("a", class_="dropdown-item active")["aria-current"] == "page"


def test_every_answer_forbids_framing_sniffing_and_leaking_private_addresses(testapp):
    for path in ("/", "/trainings", "/static/app/capacita.css", "/nowhere"):
        headers = testapp.get(path, status="*").headers
        assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["Referrer-Policy"] == "same-origin"


def test_a_copied_session_cookie_stops_working_at_logout(testapp, organiser):
    log_in(testapp, organiser)
    stolen = testapp.cookies["capacita_session"]
    dashboard = testapp.get("/organiser")
    testapp.post("/logout", {"csrf_token": csrf_token_of(dashboard)})
    testapp.set_cookie("capacita_session", stolen)
    assert testapp.get("/organiser").status_int == 302  # back to the login page
