"""What anyone sees first: the front page and the organisers' login, on a phone and a desk."""
from tests.browser.conftest import PAGE_WEIGHT_LIMIT, TransferMeter, assert_accessible, log_in, screenshot


def test_front_page_on_a_phone_is_light_accessible_and_in_spanish(phone):
    meter = TransferMeter(phone)
    phone.goto("/")
    phone.wait_for_load_state("networkidle")
    assert phone.locator("h1").inner_text() == "Capacitaciones para funcionarios públicos"
    assert meter.total <= PAGE_WEIGHT_LIMIT, f"front page weighs {meter.total} bytes"
    assert_accessible(phone)
    screenshot(phone, "front-page-phone")


def test_static_files_are_cached_long(phone):
    responses = []
    phone.on("response", lambda response: responses.append(response))
    phone.goto("/")
    phone.wait_for_load_state("networkidle")
    static = [r for r in responses if "/static/" in r.url]
    assert static and all("max-age=31536000" in (r.headers.get("cache-control") or "") for r in static)


def test_an_organiser_logs_in_and_out(desktop):
    desktop.goto("/login")
    assert_accessible(desktop)
    log_in(desktop, password="not the password")
    assert "Correo electrónico o contraseña incorrectos." in desktop.content()
    log_in(desktop)
    assert desktop.locator("h1").first.inner_text() == "Panel"
    desktop.get_by_role("button", name="Cerrar sesión").click()
    assert "Ha cerrado la sesión." in desktop.content()


def test_the_language_switcher_speaks_english(english_desktop):
    english_desktop.goto("/")
    assert english_desktop.locator("h1").inner_text() == "Trainings for public officials"
    english_desktop.get_by_role("button", name="Menu").or_(english_desktop.locator(".dropdown-toggle")).first.click()
    english_desktop.locator("a[hreflang=fr]").click()
    assert english_desktop.locator("h1").inner_text() == "Formations pour les agents publics"
