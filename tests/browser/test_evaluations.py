"""Evaluations in a browser: a participant answers the pre-test on a narrow phone with taps
only, and an organiser types paper answers with the keyboard only, then reads the results."""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from participants.tokens import new_token
from tests import factories
from tests.browser.conftest import PHONE, _context, assert_accessible, log_in, screenshot
from trainings.models import utcnow

NARROW_PHONE = {**PHONE, "viewport": {"width": 360, "height": 740}}


@pytest.fixture(scope="module")
def pre_test(live_server):
    """A pre-test of three questions (and a rating) for a training in ten days; two participants."""
    from evaluations import questionnaires, questions

    with Session(live_server.engine) as session:
        factories.bind(session)
        try:
            bank = questions.create_bank(session, "Conceptos básicos (navegador)", "es")
            ids = []
            for number, (text, options) in enumerate([
                ("¿Qué elementos definen la trata de personas?", ["Acción, medios y fin", "Cruzar una frontera"]),
                ("¿Es válido el consentimiento obtenido con engaño?", ["No, carece de efecto", "Sí, siempre"]),
                ("¿Quién puede ser víctima de trata?", ["Cualquier persona", "Solo personas extranjeras"]),
            ], 1):
                ids.append(questions.add_question(session, bank, {
                    "kind": "single", "text_es": text, "points": 1, "text_en": f"Question {number}",
                    "options": [{"text_es": option, "correct": index == 0} for index, option in enumerate(options)],
                }).id)
            ids.append(questions.add_question(session, bank, {
                "kind": "rating", "text_es": "¿Cuánto sabe ya del tema?", "points": 0}).id)
            starts = (utcnow() + dt.timedelta(days=10)).replace(hour=14, minute=0, second=0, microsecond=0)
            training = factories.TrainingFactory(title="Taller con evaluación", starts_on=starts.date(),
                                                 ends_on=starts.date())
            factories.SessionFactory(training=training, starts_at=starts, ends_at=starts + dt.timedelta(hours=3))
            tokens = []
            for given_names in ("Rosa Elena", "Julio"):
                token, token_hash = new_token()
                factories.RegistrationFactory(training=training, token_hash=token_hash,
                                              person=factories.PersonFactory(given_names=given_names))
                tokens.append(token)
            session.flush()
            session.refresh(training)
            pre = questionnaires.attach(session, training, {
                "purpose": "pre", "title": "Prueba de entrada", "questions": ids, "mastery_percent": 70,
                "days_open": 14, "follow_up_months": 3})
            session.commit()
            return {"id": pre.id, "training_id": training.id, "tokens": tokens}
        finally:
            factories.bind(None)


def test_a_participant_answers_the_pre_test_on_a_narrow_phone(browser, live_server, pre_test):
    context = _context(browser, live_server, "es-PE", NARROW_PHONE)
    page = context.new_page()
    try:
        token = pre_test["tokens"][0]
        page.goto(f"/me/{token}")
        page.get_by_role("link", name="Responder ahora").click()
        expect(page.get_by_role("heading", name="Prueba de entrada")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone
        assert_accessible(page)
        # Whole option labels are the tap targets.
        page.get_by_label("Acción, medios y fin").tap()
        page.get_by_label("Sí, siempre").tap()
        page.get_by_label("Cualquier persona").tap()
        page.locator("label[for$='-4']").tap()
        screenshot(page, "evaluation-phone")
        page.get_by_role("button", name="Guardar mis respuestas").tap()
        expect(page.get_by_role("status").filter(has_text="Gracias")).to_be_visible()
        expect(page.get_by_role("link", name="Cambiar mis respuestas")).to_be_visible()
    finally:
        context.close()


def test_an_organiser_types_paper_answers_with_the_keyboard(desktop, pre_test):
    page = desktop
    log_in(page)
    page.goto(f"/organiser/questionnaires/{pre_test['id']}/paper")
    assert_accessible(page)
    # Julio's row is the first empty one: his four cells, in tab order.
    julio = page.get_by_role("row").filter(has_text="Julio")
    julio.get_by_role("textbox").first.focus()
    for typed in ("A", "B", "Z", "6"):
        page.keyboard.type(typed)
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Enter in any cell submits the grid
    page.wait_for_load_state()
    expect(page.get_by_text("Escriba una letra de la A a la B.")).to_be_visible()
    expect(page.get_by_text("Dé una calificación de 1 a 5.")).to_be_visible()
    julio = page.get_by_role("row").filter(has_text="Julio")
    cells = julio.get_by_role("textbox")
    cells.nth(2).fill("b")
    cells.nth(3).fill("4")
    cells.nth(3).press("Enter")
    expect(page.get_by_role("status").filter(has_text="Se guardaron las respuestas en papel")).to_be_visible()
    page.goto(f"/organiser/trainings/{pre_test['training_id']}/evaluations/results")
    expect(page.locator("#mean-pre")).to_have_text("50")  # Rosa Elena 2 of 3 right, Julio 1 of 3
    assert_accessible(page)
    screenshot(page, "evaluation-results")
