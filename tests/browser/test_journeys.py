"""The main journeys, in order, against one live server: an organiser schedules and publishes a
training; a participant on a phone registers and opens the private link; the organiser imports a
list, marks attendance, checks someone in by name and issues certificates; admits at the door
someone from the waiting list and approves pending registrations in bulk; the participant
downloads the certificate; anyone verifies it by its code. Each step ends on what the person sees.

The tests of this module share `journey` (what one step leaves for the next) and run in order."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from tests.browser.conftest import (
    DESKTOP,
    PAGE_WEIGHT_LIMIT,
    PHONE,
    ROOT,
    TransferMeter,
    _context,
    assert_accessible,
    log_in,
    screenshot,
)

TITLE = "Taller de investigación de la trata de personas"
FIRST_DAY = dt.date.today() + dt.timedelta(days=14)
PARTICIPANT = {"given_names": "Rosa Elena", "family_names": "Quispe Mamani", "email": "rosa.quispe@mininter.gob.pe"}
CSV = ROOT / "participants" / "demo_data" / "participants-es-cp1252.csv"


@pytest.fixture(scope="module")
def journey():
    return {}


def _needs(journey, *keys):
    missing = [key for key in keys if key not in journey]
    if missing:
        pytest.skip(f"an earlier journey did not finish: {missing} missing")


def _submit(page):
    page.locator("#form button[name=submit]").click()
    page.wait_for_load_state()


def _alert_text(page) -> str:
    return " ".join(page.locator(".alert").all_inner_texts())


def test_an_organiser_schedules_and_publishes_a_training(desktop, journey):
    log_in(desktop)
    assert desktop.locator("h1").first.inner_text() == "Panel"
    assert_accessible(desktop)
    screenshot(desktop, "organiser-dashboard")

    desktop.goto("/organiser/trainings/new")
    assert_accessible(desktop)
    form = desktop.locator("#form")
    form.locator("input[name=title]").fill(TITLE)
    form.locator("select[name=region_id]").select_option(label="Lima (PE) — America/Lima")
    form.locator("input[name=starts_on]").fill(FIRST_DAY.isoformat())
    form.locator("input[name=ends_on]").fill((FIRST_DAY + dt.timedelta(days=1)).isoformat())
    form.locator("input[name=capacity]").fill("cuarenta")
    _submit(desktop)
    # Sent back with an error: the list of errors has the focus, its link leads to the field.
    assert desktop.evaluate("document.activeElement.id") == "error-summary"
    assert "Plazas" in desktop.locator("#error-summary").inner_text()
    form = desktop.locator("#form")
    form.locator("input[name=capacity]").fill("40")
    form.locator("textarea[name=description]").fill(
        "Dos jornadas sobre la identificación de víctimas y la investigación financiera de las redes de trata.")
    _submit(desktop)
    match = re.search(r"/organiser/trainings/(\d+)", desktop.url)
    assert match, f"not on the training's page after saving: {desktop.url} {_alert_text(desktop)}"
    training_id = int(match.group(1))
    # Saved as a draft, the training asks for its first session straight away.
    assert desktop.locator("h1").inner_text() == "Nueva sesión"
    assert TITLE in desktop.locator("main").inner_text()
    assert_accessible(desktop)
    sessions = [("Identificación de víctimas", FIRST_DAY, "09:00", "13:00", "another"),
                ("Investigación financiera", FIRST_DAY + dt.timedelta(days=1), "09:00", "13:00", "submit")]
    for title, day, start, end, then in sessions:
        form = desktop.locator("#form")
        form.locator("input[name=title]").fill(title)
        form.locator("input[name=day]").fill(day.isoformat())
        form.locator("input[name=start]").fill(start)
        form.locator("input[name=end]").fill(end)
        form.locator("input[name=room]").fill("Sala 3")
        if then == "another":
            desktop.get_by_role("button", name="Agregar y agregar otra").click()
        else:
            form.locator("button[name=submit]").click()
        desktop.wait_for_load_state()
        assert title in desktop.content(), _alert_text(desktop)
    assert_accessible(desktop)

    desktop.goto(f"/organiser/trainings/{training_id}")
    desktop.get_by_role("button", name="Publicar").click()
    desktop.wait_for_load_state()
    assert desktop.locator(".badge", has_text="Publicada").or_(desktop.locator(".badge", has_text="Publicado")).count()
    timetable = desktop.locator("table").all_inner_texts()
    assert any("Identificación de víctimas" in table for table in timetable)
    assert any("Investigación financiera" in table for table in timetable)
    assert_accessible(desktop)
    screenshot(desktop, "organiser-training")
    journey["training_id"] = training_id


def test_the_public_pages_on_a_desk(desktop, journey):
    _needs(journey, "training_id")
    desktop.goto("/")
    assert desktop.locator("h1").inner_text() == "Capacitaciones para funcionarios públicos"
    screenshot(desktop, "front-page")
    desktop.goto("/trainings")
    assert desktop.get_by_role("heading", name=TITLE).is_visible()
    screenshot(desktop, "listing")
    desktop.goto(f"/trainings/{journey['training_id']}")
    assert desktop.get_by_role("heading", name="Programa horario").is_visible()
    assert "Investigación financiera" in desktop.locator("main").inner_text()
    assert_accessible(desktop)
    screenshot(desktop, "training")


def test_a_participant_finds_the_training_on_a_phone_and_registers(phone, journey, live_server):
    _needs(journey, "training_id")
    phone.goto("/trainings")
    assert_accessible(phone)
    screenshot(phone, "listing-phone")
    phone.get_by_role("link", name=re.compile(TITLE)).click()
    phone.wait_for_load_state()
    assert phone.locator("h1").inner_text() == TITLE
    assert "Identificación de víctimas" in phone.content()
    assert_accessible(phone)
    screenshot(phone, "training-phone")

    phone.get_by_role("link", name="Inscribirse").first.click()
    phone.wait_for_load_state()
    assert_accessible(phone)
    screenshot(phone, "register-phone")
    form = phone.locator("#form")
    for name, value in PARTICIPANT.items():
        form.locator(f"input[name={name}]").fill(value)
    form.locator("select[name=institution]").select_option(label="Ministerio Público – Fiscalía de la Nación")
    form.locator("input[name=position]").fill("Fiscal adjunta")
    form.locator("select[name=sex]").select_option("female")
    form.locator("select[name=country]").select_option("PE")
    form.locator("input[name=consent]").check()
    _submit(phone)
    assert "/done" in phone.url, f"registration not accepted: {_alert_text(phone)}"
    assert TITLE in phone.content()
    assert_accessible(phone)
    screenshot(phone, "registered-phone")

    with live_server.engine.connect() as connection:
        bodies = connection.execute(
            text("SELECT body_text FROM outbox WHERE recipients LIKE :to ORDER BY id"),
            {"to": f"%{PARTICIPANT['email']}%"},
        ).scalars().all()
    links = [link for body in bodies for link in re.findall(r"https?://\S+(/me/[A-Za-z0-9_\-]+)", body)]
    assert links, f"no private link in the emails sent to the participant: {bodies}"
    journey["private_link"] = links[0]

    phone.goto(links[0])
    assert phone.locator("h1").inner_text() == TITLE
    # The emailed link opens the page; the place is held once the person confirms their address.
    assert "no reserva ninguna plaza" in phone.content()
    phone.get_by_role("button", name="Confirmar mi inscripción").click()
    phone.wait_for_load_state()
    assert "Confirmada" in phone.content() or "Confirmado" in phone.content()
    assert PARTICIPANT["family_names"] in phone.content()
    check_in_code = phone.get_by_role("img", name="Código QR para registrar su llegada")
    check_in_code.scroll_into_view_if_needed()
    assert check_in_code.evaluate("image => image.complete && image.naturalWidth > 0"), "the QR code did not draw"
    assert_accessible(phone)
    screenshot(phone, "private-page-phone")


def test_a_speaker_from_abroad_registers_in_english_on_a_phone(english_phone, journey, live_server):
    """The same journey for someone whose phone speaks English: every word they read is English,
    and a form sent without consent is refused next to the field, with what they typed kept."""
    _needs(journey, "training_id")
    phone = english_phone
    phone.goto("/trainings")
    assert phone.locator("h1").inner_text() == "Trainings"
    phone.get_by_role("link", name=re.compile(TITLE)).click()
    phone.wait_for_load_state()
    assert phone.get_by_role("heading", name="Timetable").is_visible()
    phone.get_by_role("link", name="Register").first.click()
    phone.wait_for_load_state()
    assert_accessible(phone)

    phone.get_by_label("Given names").fill("Matthew")
    phone.get_by_label("Family names").fill("O'Connor")
    phone.get_by_label("Email", exact=True).fill("m.oconnor@unodc.example.org")
    phone.get_by_label("Or type your institution if it is not in the list").fill("UNODC Regional Office")
    phone.get_by_label("Position", exact=True).fill("Programme officer")
    phone.get_by_label("Sex", exact=True).select_option("male")
    phone.get_by_label("Country", exact=True).select_option("IE")
    _submit(phone)
    assert "/done" not in phone.url
    errors = phone.locator("#form .invalid-feedback, #form .help-block.error, #form [id^=error]").all_inner_texts()
    assert "Your consent is needed to register." in phone.locator("#form").inner_text(), errors
    assert phone.get_by_label("Family names").input_value() == "O'Connor"
    assert_accessible(phone)

    phone.locator("input[name=consent]").check()
    _submit(phone)
    assert "/done" in phone.url, f"registration not accepted: {_alert_text(phone)}"
    assert "m.oconnor@unodc.example.org" in phone.locator("main").inner_text()
    with live_server.engine.connect() as connection:
        emails = connection.execute(
            text("SELECT subject, body_text FROM outbox WHERE recipients LIKE '%m.oconnor@%' ORDER BY id")).all()
    assert emails and all("Matthew" in body.split("\n", 1)[0] for _subject, body in emails), emails
    links = [match.group(1) for _subject, body in emails
             for match in [re.search(r"https?://\S+(/me/[A-Za-z0-9_\-]+)", body)] if match]
    assert links, f"no private link in the emails sent in English: {emails}"
    assert any("Confirm your registration" in subject for subject, _body in emails), emails
    private_link = links[0]
    phone.goto(private_link)
    assert phone.locator("h1").inner_text() == TITLE
    phone.get_by_role("button", name="Confirm my registration").click()
    phone.wait_for_load_state()
    assert "Confirmed" in phone.locator("main").inner_text()
    with live_server.engine.connect() as connection:
        bodies = connection.execute(
            text("SELECT body_text FROM outbox WHERE recipients LIKE '%m.oconnor@%' ORDER BY id")).scalars().all()
    assert any("Keep this link to yourself" in body for body in bodies), bodies
    assert_accessible(phone)


def test_the_organiser_imports_a_list_marks_attendance_checks_in_and_issues_certificates(browser, live_server, journey):
    _needs(journey, "training_id", "private_link")
    training_id = journey["training_id"]
    context = _context(browser, live_server, "es-PE", DESKTOP)
    desktop = context.new_page()
    log_in(desktop)

    desktop.goto(f"/organiser/trainings/{training_id}/import")
    assert_accessible(desktop)
    desktop.locator("input[name=file]").set_input_files(str(CSV))
    desktop.get_by_role("button", name="Vista previa").click()
    desktop.wait_for_load_state()
    assert "participants-es-cp1252.csv" in desktop.locator("h2").first.inner_text()
    assert desktop.locator("tbody tr").count() > 300
    assert_accessible(desktop)
    screenshot(desktop, "import-preview")
    desktop.locator("#notify").uncheck()
    desktop.locator("#commit button[type=submit]").click()
    desktop.wait_for_load_state()
    assert "Importadas" in _alert_text(desktop), _alert_text(desktop)

    # The attendance sheet of the first session, on the organiser's phone: one tap per person.
    desktop.goto(f"/organiser/trainings/{training_id}/attendance")
    assert_accessible(desktop)
    session_links = desktop.locator("a[href*='/organiser/sessions/'][href$='/attendance']")
    session_ids = sorted({int(re.search(r"/sessions/(\d+)/", href).group(1))
                          for href in (link.get_attribute("href") for link in session_links.all())})
    assert len(session_ids) == 2
    context.close()

    context = _context(browser, live_server, "es-PE", PHONE)
    phone = context.new_page()
    log_in(phone)
    phone.goto(f"/organiser/sessions/{session_ids[0]}/attendance")
    row = phone.locator(".attendance-sheet li", has_text=PARTICIPANT["family_names"])
    row.get_by_role("button", name="Presente").click()
    row.locator("button[value=present][aria-pressed=true]").wait_for()
    screenshot(phone, "attendance-sheet-phone")
    assert_accessible(phone)
    phone.reload()
    row = phone.locator(".attendance-sheet li", has_text=PARTICIPANT["family_names"])
    assert "Presente" in row.locator("[data-current]").inner_text()

    # The second session: the camera is not available, so the organiser searches by name.
    phone.goto(f"/organiser/trainings/{training_id}/checkin?session={session_ids[1]}")
    assert_accessible(phone)
    phone.locator("input[name=q]").fill("quispe")
    phone.get_by_role("button", name="Buscar", exact=True).click()
    phone.wait_for_load_state()
    match = phone.locator(".list-group-item", has_text=PARTICIPANT["family_names"])
    match.get_by_role("button", name="Registrar llegada", exact=True).click()
    phone.wait_for_load_state()
    assert f"{PARTICIPANT['given_names']} {PARTICIPANT['family_names']}: Llegada registrada." in _alert_text(phone)
    screenshot(phone, "checkin-phone")
    assert_accessible(phone)
    context.close()

    context = _context(browser, live_server, "es-PE", DESKTOP)
    desktop = context.new_page()
    log_in(desktop)
    desktop.goto(f"/organiser/trainings/{training_id}/checkin?session={session_ids[1]}")
    screenshot(desktop, "checkin")
    _the_training_takes_place(live_server, training_id)
    desktop.goto(f"/organiser/trainings/{training_id}/certificates")
    expect(desktop.locator("#issue-all button")).to_be_in_viewport()  # the page opens at its top
    assert_accessible(desktop)
    desktop.get_by_role("button", name="Emitir el certificado elegible").click()
    desktop.wait_for_load_state()
    assert "Se emitirá 1 certificado." in desktop.locator("main").inner_text()  # asked first, nothing sent yet
    assert_accessible(desktop)
    desktop.get_by_role("button", name="Emitir y enviar 1 certificado").click()
    desktop.wait_for_load_state()
    assert "1" in _alert_text(desktop) and "emitid" in _alert_text(desktop), _alert_text(desktop)
    desktop.get_by_placeholder("Nombre, correo, documento o institución").fill("quispe mamani")
    desktop.get_by_role("button", name="Buscar").click()  # 300 people: pages of 100, so search
    desktop.wait_for_load_state()
    assert PARTICIPANT["family_names"] in desktop.content()
    assert_accessible(desktop)
    screenshot(desktop, "certificates-tab")
    # More than 100 registrations: the tab pages them by family name, and she is further on.
    while PARTICIPANT["family_names"] not in desktop.content() and desktop.locator("a[rel=next]").count():
        desktop.locator("a[rel=next]").first.click()
        desktop.wait_for_load_state()
    assert PARTICIPANT["family_names"] in desktop.content()
    context.close()


def _the_training_takes_place(live_server, training_id):
    """Certificates are issued only after the last session: move the training's dates back by as
    long as it lies ahead, as if those weeks had passed."""
    from sqlalchemy.orm import Session

    from trainings.models import Training

    with Session(live_server.engine) as session, session.begin():
        training = session.get(Training, training_id)
        shift = dt.timedelta(days=(training.ends_on - dt.date.today()).days + 2)
        training.starts_on, training.ends_on = training.starts_on - shift, training.ends_on - shift
        for training_session in training.sessions:
            training_session.starts_at -= shift
            training_session.ends_at -= shift


def test_the_door_admits_a_waitlisted_person_and_pending_ones_are_approved_in_bulk(browser, live_server, journey):
    """The imported list filled the training: someone at the end of the waiting list comes to the
    door and is admitted over capacity from the organiser's phone; then three pending
    registrations are approved in one action, after a confirmation page."""
    _needs(journey, "training_id")
    training_id = journey["training_id"]
    with live_server.engine.begin() as connection:
        family, given = connection.execute(text(
            "SELECT p.family_names, p.given_names FROM registration r JOIN person p ON p.id = r.person_id "
            "WHERE r.training_id = :id AND r.status = 'waitlisted' ORDER BY r.created_at DESC, r.id DESC LIMIT 1"),
            {"id": training_id}).one()
        session_id = connection.execute(text("SELECT min(id) FROM session WHERE training_id = :id"),
                                        {"id": training_id}).scalar()
        pending = [row[0] for row in connection.execute(text(
            "SELECT id FROM registration WHERE training_id = :id AND status = 'waitlisted' "
            "ORDER BY created_at, id LIMIT 3"), {"id": training_id})]
        connection.execute(text("UPDATE registration SET status = 'pending' WHERE id IN (:a, :b, :c)"),
                           dict(zip("abc", pending, strict=True)))

    context = _context(browser, live_server, "es-PE", PHONE)
    phone = context.new_page()
    log_in(phone)
    phone.goto(f"/organiser/trainings/{training_id}/checkin?session={session_id}")
    phone.locator("input[name=q]").fill(f"{given} {family}")
    phone.get_by_role("button", name="Buscar", exact=True).click()
    phone.wait_for_load_state()
    assert "La capacitación está llena" in phone.content()
    waiting = phone.locator(".list-group-item", has_text=family).filter(has=phone.locator("form[action$='/admit']"))
    waiting.get_by_role("button", name="Admitir y registrar llegada").click()
    phone.wait_for_load_state()
    assert f"Se admitió a {given} {family} desde la lista de espera." in _alert_text(phone), _alert_text(phone)
    assert "su capacidad pasó de" in _alert_text(phone)
    assert_accessible(phone)
    screenshot(phone, "checkin-admit-phone")

    # The registrations tab fits the phone: rows are cards, their actions on screen.
    phone.goto(f"/organiser/trainings/{training_id}/registrations?status=pending")
    width = phone.evaluate("() => document.documentElement.clientWidth")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= width
    assert phone.get_by_role("button", name="Aprobar").first.bounding_box()["x"] < width
    screenshot(phone, "registrations-phone")
    context.close()

    context = _context(browser, live_server, "es-PE", DESKTOP)
    desktop = context.new_page()
    log_in(desktop)
    desktop.goto(f"/organiser/trainings/{training_id}/registrations?status=pending")
    desktop.get_by_label("Seleccionar todas las de esta página").check()
    desktop.locator("#bulk-action").select_option("approve")
    desktop.get_by_role("button", name="Continuar").click()
    desktop.wait_for_load_state()
    assert "Se aprobarán 3 inscripciones" in desktop.content()
    assert_accessible(desktop)
    screenshot(desktop, "bulk-approve-confirm")
    desktop.get_by_role("button", name="Aprobar 3 inscripciones").click()
    desktop.wait_for_load_state()
    assert "3 inscripciones aprobadas." in _alert_text(desktop), _alert_text(desktop)
    with live_server.engine.begin() as connection:
        assert connection.execute(text("SELECT count(*) FROM registration WHERE training_id = :id "
                                       "AND status = 'pending'"), {"id": training_id}).scalar() == 0
    context.close()


def test_the_participant_downloads_the_certificate(phone, journey):
    _needs(journey, "private_link")
    phone.goto(journey["private_link"])
    panel = phone.get_by_role("heading", name="Sus certificados")
    assert panel.is_visible()
    assert_accessible(phone)
    panel.scroll_into_view_if_needed()
    screenshot(phone, "private-page-certificate-phone")
    link = phone.get_by_role("link", name="Descargar (PDF)")
    response = phone.request.get(link.get_attribute("href"))
    assert response.ok and response.headers["content-type"].startswith("application/pdf")
    assert response.body().startswith(b"%PDF")
    verify = phone.locator("a[href*='/verify/']").first.get_attribute("href")
    journey["code"] = verify.rsplit("/", 1)[-1]


def test_anyone_verifies_the_certificate_by_its_code(english_desktop, journey):
    _needs(journey, "code")
    page = english_desktop
    page.goto("/verify")
    assert_accessible(page)
    page.get_by_label("Verification code printed on the certificate").fill(journey["code"].lower())
    page.get_by_role("button", name="Verify").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text().strip() == "✔ Valid certificate"
    assert f"{PARTICIPANT['given_names']} {PARTICIPANT['family_names']}" in page.locator("dl").inner_text()
    assert TITLE in page.locator("dl").inner_text()
    assert_accessible(page)
    screenshot(page, "verify")


def test_the_verification_page_in_spanish(desktop, journey):
    _needs(journey, "code")
    desktop.goto("/verify")
    desktop.locator("input[name=code]").fill(journey["code"])
    desktop.get_by_role("button", name="Verificar").click()
    desktop.wait_for_load_state()
    assert desktop.get_by_role("status").inner_text().strip() == "✔ Certificado válido"
    assert PARTICIPANT["family_names"] in desktop.locator("dl").inner_text()


@pytest.mark.parametrize("page_name", ["/", "/trainings", "training", "register", "private", "/verify"])
def test_public_pages_are_light_on_first_visit(browser, live_server, journey, page_name):
    paths = {"training": "/trainings/{training_id}", "register": "/register/{training_id}",
             "private": "{private_link}"}
    if page_name in paths:
        _needs(journey, "training_id", "private_link")
    path = paths.get(page_name, page_name).format(**journey)
    context = _context(browser, live_server, "es-PE", PHONE)
    page = context.new_page()
    meter = TransferMeter(page)
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(path)
    page.wait_for_load_state("networkidle")
    weight = meter.total
    static = [response for response in responses if "/static/" in response.url]
    uncached = [response.url for response in static
                if "max-age=31536000" not in (response.headers.get("cache-control") or "")]
    journey.setdefault("weights", {})[page_name] = weight
    context.close()
    print(f"\n{page_name}: {weight} bytes on first visit")
    assert weight <= PAGE_WEIGHT_LIMIT, f"{path} weighs {weight} bytes on first visit"
    assert weight > 1000  # the meter saw the page
    assert static and not uncached, f"static files without long-lived caching: {uncached}"


def test_the_organiser_reads_the_report_on_a_phone_and_opens_the_people_behind_a_number(phone, journey,
                                                                                        live_server):
    """After the certificates: on a phone, a year in one tap; every breakdown's chart fits the
    screen; a number opens the people behind it. Reports count trainings that have begun: the
    journey's training (two weeks ahead) is moved to yesterday, as if the report came later."""
    _needs(journey, "training_id")
    yesterday = dt.date.today() - dt.timedelta(days=1)
    with live_server.engine.begin() as connection:
        connection.execute(text("UPDATE training SET starts_on = :day, ends_on = :day WHERE id = :id"),
                           {"day": yesterday, "id": journey["training_id"]})
    log_in(phone)
    phone.goto("/organiser/reports")
    year = str(yesterday.year)
    phone.get_by_role("navigation", name="Elecciones rápidas").get_by_role("link", name=year, exact=True).click()
    phone.wait_for_load_state()
    assert f"from={year}-01-01" in phone.url
    persons = phone.locator("dl", has_text="Personas únicas").locator("dd").inner_text()
    assert int(persons.replace("\u202f", "").replace(".", "")) > 0
    charts = phone.locator("svg.report-chart")
    assert charts.count() >= 5
    width = phone.evaluate("() => document.documentElement.clientWidth")
    assert charts.first.bounding_box()["width"] <= width
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= width  # nothing overflows sideways
    assert_accessible(phone)
    screenshot(phone, "report-phone")
    phone.locator("dl", has_text="Personas que completaron").locator("dd a").click()
    phone.wait_for_load_state()
    assert "Personas que completaron" in phone.locator("h1").inner_text()
    assert phone.locator("tbody tr").count() >= 1
    assert_accessible(phone)


NARROW_PHONE = {**PHONE, "viewport": {"width": 360, "height": 740}}
# What overflows sideways: the page itself, or a table's scroller (whose hidden part would hold
# the actions and counts an organiser came for).
OVERFLOWING = """() => {
  const page = document.documentElement;
  const wide = [...document.querySelectorAll('.table-responsive, table')]
    .filter(element => element.scrollWidth > element.clientWidth + 1)
    .map(element => (element.className || element.tagName) + ' ' + element.scrollWidth + 'px');
  if (page.scrollWidth > page.clientWidth) {
    wide.unshift('page ' + page.scrollWidth + 'px');
    // the elements reaching past the screen's edge, to say what to fix
    const edge = page.clientWidth;
    [...document.querySelectorAll('main *')].filter(element => element.getBoundingClientRect().right > edge + 1
                                                      && !element.closest('thead'))
      .slice(-3).forEach(element => wide.push(element.outerHTML.slice(0, 120)));
  }
  return wide;
}"""


def _organiser_pages(live_server, training_id: int) -> list[str]:
    """The organiser's main pages, with the journey's training, its first session, a person
    registered in it and the list imported."""
    with live_server.engine.begin() as connection:
        def one(sql, **values):
            return connection.execute(text(sql), {"id": training_id, **values}).scalar()

        session = one("SELECT min(id) FROM session WHERE training_id = :id")
        registration = one("SELECT min(r.id) FROM registration r JOIN attendance a ON a.registration_id = r.id "
                           "WHERE r.training_id = :id")
        person = one("SELECT person_id FROM registration WHERE id = :registration", registration=registration)
        upload = one("SELECT max(id) FROM participant_import WHERE training_id = :id")
    training = f"/organiser/trainings/{training_id}"
    sessions = f"/organiser/sessions/{session}/attendance"
    return ["/organiser", "/organiser/trainings", training, f"{training}/registrations", f"{training}/attendance",
            sessions, f"{sessions}/{registration}/history", f"{training}/checkin?session={session}",
            f"{training}/certificates", f"{training}/calendar", f"{training}/evaluations",
            f"{training}/import/{upload}", "/organiser/people", f"/organiser/people/{person}",
            f"/organiser/people/{person}/transcript", "/organiser/people/duplicates", "/organiser/reports",
            "/organiser/reports/evidence?measure=persons", "/organiser/institutions", "/organiser/regions",
            "/organiser/programmes", "/organiser/calendar", "/organiser/outbox",
            "/organiser/audit", "/organiser/layouts", "/organiser/question-banks", "/organiser/accounts",
            "/organiser/organisations"]


@pytest.mark.parametrize("locale", ["es-PE", "en-GB"])
def test_every_main_organiser_page_fits_a_360_px_phone(browser, live_server, journey, locale):
    """Nothing sideways on a 360 px phone, in Spanish and English: tables are cards there."""
    _needs(journey, "training_id")
    context = _context(browser, live_server, locale, NARROW_PHONE)
    phone = context.new_page()
    log_in(phone)
    if "draft_id" not in journey:  # a draft ahead (duplicated on the phone), for the dashboard to list
        phone.goto(f"/organiser/trainings/{journey['training_id']}/duplicate")
        phone.locator("input[name=starts_on]").fill((dt.date.today() + dt.timedelta(days=30)).isoformat())
        phone.locator("#form button[type=submit]").click()
        phone.wait_for_load_state()
        match = re.search(r"/organiser/trainings/(\d+)", phone.url)
        assert match and int(match.group(1)) != journey["training_id"], _alert_text(phone)
        journey["draft_id"] = int(match.group(1))
    overflowing, failing = {}, {}
    pages = _organiser_pages(live_server, journey["training_id"]) + [f"/organiser/trainings/{journey['draft_id']}"]
    for path in pages:
        response = phone.goto(path)
        if response.status != 200:
            failing[path] = response.status
        if path == "/organiser":  # the draft ahead is listed, as a card
            assert phone.locator("table.table-cards tbody tr").count() >= 1
        wide = phone.evaluate(OVERFLOWING)
        if wide:
            overflowing[path] = wide
        if locale == "es-PE" and path.endswith("/attendance") and "/trainings/" in path:
            screenshot(phone, "attendance-summary-phone")
    # A list's preview before it is imported: hundreds of rows, each a card.
    phone.goto(f"/organiser/trainings/{journey['training_id']}/import")
    phone.locator("input[name=file]").set_input_files(str(CSV))
    phone.locator("main form button[type=submit]").first.click()
    phone.wait_for_load_state()
    assert re.search(r"/import/\d+$", phone.url) and phone.locator("tbody tr").count() > 300
    if phone.evaluate(OVERFLOWING):
        overflowing["import preview"] = phone.evaluate(OVERFLOWING)
    if locale == "es-PE":
        phone.locator("tbody tr").nth(8).scroll_into_view_if_needed()
        screenshot(phone, "import-preview-phone")
    context.close()
    assert (failing, overflowing) == ({}, {})
