"""The evaluations as users meet them: an organiser builds a 10-question test from a bank,
attaches it as pre- and post-test, participants answer from their private link on a phone
(some on paper, typed in by the organiser), and the results page shows each person's gain and
the share reaching mastery."""
import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from evaluations.models import AnswerSet, Purpose, Question, Questionnaire
from participants.tokens import new_token
from tests import factories
from tests.conftest import csrf_token_of
from trainings.models import utcnow

TEN = range(1, 11)


def build_bank(app) -> int:
    page = app.get("/organiser/question-banks")
    form = page.forms["form"]
    form["name"] = "Trata de personas: conceptos"
    bank_page = form.submit("submit").follow()
    bank_id = int(re.search(r"/organiser/question-banks/(\d+)", bank_page.request.url).group(1))
    for number in TEN:
        form = app.get(f"/organiser/question-banks/{bank_id}/questions/new").forms["form"]
        form["kind"] = "single"
        form.set("text_es", f"Pregunta {number}", index=0)
        form.set("text_en", f"Question {number}" if number == 1 else "", index=0)
        for option, text in enumerate(["Correcta", "Incorrecta", "Tampoco"]):
            form.set("text_es", text, index=option + 1)
        form.set("correct", True, index=0)

        form.submit("submit").follow()
    return bank_id


def attach(app, training, purpose: str, days_open: int) -> Questionnaire:
    form = app.get(f"/organiser/trainings/{training.id}/evaluations/new").forms["form"]
    form["purpose"] = purpose
    form["title"] = f"Prueba {purpose}"
    form["days_open"] = str(days_open)
    for field in form.fields["checkbox"]:
        field.checked = True
    return form.submit("submit").follow()


def answer(app, token, questionnaire_id, right: int, *, status=302):
    """`right` first questions answered with their first (correct) option, the rest wrong."""
    page = app.get(f"/me/{token}/evaluations/{questionnaire_id}")
    form = page.forms["answers"]
    names = sorted({name for name in form.fields if name and re.fullmatch(r"q\d+", name)},
                   key=lambda name: int(name[1:]))
    for index, name in enumerate(names):
        options = [value for value in form[name].options]
        form[name] = options[0][0] if index < right else options[1][0]
    return form.submit(status=status)


@pytest.fixture
def course(dbsession):
    starts = (utcnow() + dt.timedelta(days=20)).replace(hour=14, minute=0, second=0, microsecond=0)
    training = factories.TrainingFactory(starts_on=starts.date(), ends_on=starts.date())
    session = factories.SessionFactory(training=training, starts_at=starts, ends_at=starts + dt.timedelta(hours=4))
    people = {}
    for name in ("Ana", "Beto", "Carla"):
        token, token_hash = new_token()
        registration = factories.RegistrationFactory(
            training=training, token_hash=token_hash, person=factories.PersonFactory(given_names=name))
        people[name] = (registration, token)
    dbsession.flush()
    return training, session, people


def test_build_attach_answer_type_from_paper_and_read_the_results(organiser_app, dbsession, course):
    training, session, people = course
    build_bank(organiser_app)
    assert dbsession.scalar(select(func.count()).select_from(Question)) == 10
    attach(organiser_app, training, "pre", days_open=30)
    pre = dbsession.scalar(select(Questionnaire).where(Questionnaire.purpose == Purpose.pre))
    assert len(pre.items) == 10

    # Before the training: the pre-test, from the private page, on a phone.
    ana, ana_token = people["Ana"]
    private = organiser_app.get(f"/me/{ana_token}")
    assert "Sus cuestionarios" in private and "Responder ahora" in private
    answer(organiser_app, ana_token, pre.id, 4)   # 40 %
    answer(organiser_app, people["Beto"][1], pre.id, 6)  # 60 %
    # Carla answers the pre-test on paper: typed in by the organiser.
    grid = organiser_app.get(f"/organiser/questionnaires/{pre.id}/paper")
    carla = people["Carla"][0]
    sheet = grid.forms["paper-grid"]
    cells = sorted(name for name in sheet.fields if name and name.startswith(f"r{carla.id}-"))
    for number, cell in enumerate(cells, 1):
        sheet[cell] = "A" if number <= 5 else "B"  # 5 of 10 right, in whatever order
    sheet.submit().follow()

    # The training happens; afterwards the post-test opens.
    session.starts_at -= dt.timedelta(days=21)
    session.ends_at -= dt.timedelta(days=21)
    dbsession.flush()
    attach(organiser_app, training, "post", days_open=7)
    post = dbsession.scalar(select(Questionnaire).where(Questionnaire.purpose == Purpose.post))
    answer(organiser_app, ana_token, post.id, 8)  # 80 %: gain 40, mastery
    answer(organiser_app, people["Beto"][1], post.id, 7)  # 70 %: gain 10, mastery (at the mark)
    answer(organiser_app, people["Carla"][1], post.id, 6)  # 60 %: gain 10
    # The pre-test closed with the first session: too late to change it, nothing written.
    closed = organiser_app.get(f"/me/{ana_token}/evaluations/{pre.id}")
    assert "Este cuestionario está cerrado" in closed and "answers" not in closed.forms
    organiser_app.post(f"/me/{ana_token}/evaluations/{pre.id}", {
        "csrf_token": csrf_token_of(closed), f"q{pre.items[0].question_id}": "2"}, status=409)

    results = organiser_app.get(f"/organiser/trainings/{training.id}/evaluations/results")
    assert re.search(r'id="mean-pre">\s*50', results.text)  # (40 + 60 + 50) / 3
    assert re.search(r'id="mean-post">\s*70', results.text)  # (80 + 70 + 60) / 3
    assert re.search(r'id="mean-gain">\s*20', results.text)  # (40 + 10 + 10) / 3
    assert re.search(r'id="mastery-share">\s*66,7\s*%', results.text)  # 2 of 3
    people_table = results.text[results.text.index('id="people"'):]
    assert "papel" in people_table  # Carla's pre-test came from paper
    workbook = load_workbook(io.BytesIO(organiser_app.get(
        f"/organiser/trainings/{training.id}/evaluations/results.xlsx").body))
    rows = {row[0]: row for row in workbook["Personas"].iter_rows(min_row=2, values_only=True)}
    assert rows["Ana"][5:9] == (40, 80, 40, "Sí")


def test_a_closed_questionnaire_says_so_and_writes_nothing(testapp, organiser_app, dbsession, bank_and_pre):
    pre, token = bank_and_pre
    pre.training.sessions[0].starts_at = utcnow() - dt.timedelta(hours=1)
    pre.training.sessions[0].ends_at = utcnow() + dt.timedelta(hours=1)
    dbsession.flush()
    page = testapp.get(f"/me/{token}/evaluations/{pre.id}")
    assert "Este cuestionario está cerrado" in page
    testapp.post(f"/me/{token}/evaluations/{pre.id}", {"csrf_token": csrf_token_of(page),
                                                       f"q{pre.items[0].question_id}": "1"}, status=409)
    assert dbsession.scalar(select(func.count()).select_from(AnswerSet)) == 0


@pytest.fixture
def bank_and_pre(dbsession):
    from evaluations import questionnaires
    from evaluations.questions import create_bank
    from tests.evaluations.conftest import add_single

    bank = create_bank(dbsession, "Banco", "es")
    question = add_single(dbsession, bank, 1)
    training = factories.TrainingFactory()
    factories.SessionFactory(training=training)
    token, token_hash = new_token()
    factories.RegistrationFactory(training=training, token_hash=token_hash)
    dbsession.flush()
    dbsession.refresh(training)
    pre = questionnaires.attach(dbsession, training, {"purpose": "pre", "title": "Entrada", "questions": [question.id],
                                                      "mastery_percent": 70, "days_open": 60, "follow_up_months": 3})
    return pre, token


def test_a_forged_option_is_refused_with_a_message(testapp, dbsession, bank_and_pre):
    pre, token = bank_and_pre
    page = testapp.get(f"/me/{token}/evaluations/{pre.id}")
    refused = testapp.post(f"/me/{token}/evaluations/{pre.id}", {
        "csrf_token": csrf_token_of(page), f"q{pre.items[0].question_id}": "999"}, status=400)
    assert "Esta opción no pertenece a la pregunta" in refused
    assert dbsession.scalar(select(func.count()).select_from(AnswerSet)) == 0


def test_another_trainings_link_does_not_open_the_questionnaire(testapp, dbsession, bank_and_pre):
    pre, _token = bank_and_pre
    token, token_hash = new_token()
    factories.RegistrationFactory(token_hash=token_hash)
    dbsession.flush()
    testapp.get(f"/me/{token}/evaluations/{pre.id}", status=404)
    testapp.get(f"/me/{'x' * 43}/evaluations/{pre.id}", status=404)


def test_the_paper_grid_refuses_out_of_range_cells_and_saves_nothing(organiser_app, dbsession, bank_and_pre):
    pre, _token = bank_and_pre
    grid = organiser_app.get(f"/organiser/questionnaires/{pre.id}/paper")
    [cell] = [name for name in grid.forms["paper-grid"].fields if name and name.startswith("r")]
    grid.forms["paper-grid"][cell] = "Z"
    refused = grid.forms["paper-grid"].submit(status=400)
    assert "Escriba una letra de la A a la C." in refused and 'aria-invalid="true"' in refused
    assert refused.forms["paper-grid"][cell].value == "Z"  # what was typed stays, to be corrected
    assert dbsession.scalar(select(func.count()).select_from(AnswerSet)) == 0
    refused.forms["paper-grid"][cell] = "b"
    refused.forms["paper-grid"].submit().follow()
    answer_set = dbsession.scalar(select(AnswerSet))
    assert answer_set.from_paper and answer_set.entered_by is not None and answer_set.answers[0].choices == [2]


def test_organiser_pages_need_an_organiser(testapp, dbsession, bank_and_pre):
    pre, _token = bank_and_pre
    for url in ("/organiser/question-banks", f"/organiser/trainings/{pre.training_id}/evaluations",
                f"/organiser/questionnaires/{pre.id}/paper", f"/organiser/questionnaires/{pre.id}/print",
                f"/organiser/trainings/{pre.training_id}/evaluations/results.xlsx"):
        assert testapp.get(url).status_int == 302


def test_tab_print_and_duplicating_the_training_copies_its_evaluations(organiser_app, dbsession, bank_and_pre):
    pre, _token = bank_and_pre
    training = pre.training
    tab = organiser_app.get(f"/organiser/trainings/{training.id}/evaluations")
    assert "Prueba de entrada" in tab and "Evaluaciones" in tab
    printable = organiser_app.get(f"/organiser/questionnaires/{pre.id}/print?language=en")
    assert "A. Correcta" in printable
    form = organiser_app.get(f"/organiser/trainings/{training.id}/duplicate").forms["form"]
    form["starts_on"] = (training.starts_on + dt.timedelta(days=60)).isoformat()
    form.submit("submit")
    copies = dbsession.scalars(select(Questionnaire).where(Questionnaire.training_id != training.id)).all()
    assert [(copy.purpose, [item.question_id for item in copy.items]) for copy in copies] == [
        (Purpose.pre, [pre.items[0].question_id])]


def test_copy_a_questionnaire_to_another_training(organiser_app, dbsession, bank_and_pre):
    pre, _token = bank_and_pre
    other = factories.TrainingFactory(title="Taller en Cusco")
    dbsession.flush()
    page = organiser_app.get(f"/organiser/questionnaires/{pre.id}")
    form = page.forms["copy"]
    form["training_id"] = str(other.id)
    tab = form.submit("submit").follow()
    assert "Taller en Cusco" in tab and "Prueba pre" not in tab and "Entrada" in tab
    again = page.forms["copy"]
    again["training_id"] = str(other.id)
    refused = again.submit("submit", status=400)
    assert "Esta capacitación ya tiene un cuestionario con este propósito." in refused


def test_a_questionnaire_is_copied_only_to_the_organisations_trainings(organiser_app, dbsession, bank_and_pre):
    pre, _token = bank_and_pre
    elsewhere = factories.TrainingFactory(title="Seminario de Asunción",
                                          organisation=factories.OrganisationFactory(name="OIM Paraguay"))
    dbsession.flush()
    form = organiser_app.get(f"/organiser/questionnaires/{pre.id}").forms["copy"]
    assert "Seminario de Asunción" not in form.text
    form["training_id"].force_value(str(elsewhere.id))
    refused = form.submit("submit", status=400)
    assert "Elija una capacitación." in refused.text
    assert dbsession.scalar(select(func.count()).select_from(Questionnaire)
                            .where(Questionnaire.training_id == elsewhere.id)) == 0


def test_satisfaction_from_a_phone_and_its_results_escaped(organiser_app, dbsession):
    from evaluations import questionnaires, questions
    from trainings.models import SessionSpeaker

    bank = questions.create_bank(dbsession, "Satisfacción", "es")
    comment = questions.add_question(dbsession, bank, {"kind": "text", "text_es": "Comentarios", "points": 0})
    ended = utcnow() - dt.timedelta(days=1)
    training = factories.TrainingFactory(starts_on=ended.date(), ends_on=ended.date())
    session = factories.SessionFactory(training=training, title="Marco legal", starts_at=ended - dt.timedelta(hours=3),
                                       ends_at=ended)
    speaker = factories.PersonFactory(given_names="Rosa", family_names="Vela")
    dbsession.add(SessionSpeaker(session=session, person_id=speaker.id))
    token, token_hash = new_token()
    factories.RegistrationFactory(training=training, token_hash=token_hash)
    dbsession.flush()
    dbsession.refresh(training)
    survey = questionnaires.attach(dbsession, training, {
        "purpose": "satisfaction", "title": "Encuesta", "questions": [comment.id], "mastery_percent": 70,
        "days_open": 7, "follow_up_months": 3})
    page = organiser_app.get(f"/me/{token}/evaluations/{survey.id}")
    assert "¿Qué tan útil fue cada sesión?" in page and "Rosa Vela" in page
    form = page.forms["answers"]
    form[f"s{session.id}"] = "4"
    form[f"p{speaker.id}"] = "5"
    form[f"q{comment.id}"] = "<script>alert(1)</script> Muy útil"
    form.submit().follow()
    results = organiser_app.get(f"/organiser/trainings/{training.id}/evaluations/results")
    assert "Marco legal" in results and "Rosa Vela" in results
    assert "<script>alert(1)</script>" not in results.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Muy útil" in results.text


def test_editing_an_answered_question_keeps_a_new_version(organiser_app, dbsession, bank_and_pre):
    from participants.models import Registration
    from tests.evaluations.conftest import answer_test

    pre, _token = bank_and_pre
    registration = dbsession.scalar(select(Registration).where(Registration.training_id == pre.training_id))
    answer_set = answer_test(dbsession, pre, registration, 1)
    question = pre.items[0].question
    page = organiser_app.get(f"/organiser/questions/{question.id}")
    assert "Al guardarla se crea una nueva versión" in page
    form = page.forms["form"]
    form.set("text_es", "Pregunta 1, corregida", index=0)
    saved = form.submit("submit").follow()
    assert "se guardó como versión 2" in saved
    assert [version.number for version in question.versions] == [1, 2]
    assert answer_set.answers[0].version.number == 1


def test_a_large_grid_comes_in_pages_and_saves_its_own_rows(organiser_app, dbsession, bank_and_pre):
    from evaluations.paper import ROWS_PER_PAGE

    pre, _token = bank_and_pre
    for _ in range(ROWS_PER_PAGE):
        factories.RegistrationFactory(training=pre.training)
    dbsession.flush()
    first = organiser_app.get(f"/organiser/questionnaires/{pre.id}/paper")
    assert "Página 1 de 2" in first
    second = first.click(href="page=2", index=0)
    cells = [name for name in second.forms["paper-grid"].fields if name and name.startswith("r")]
    assert len(cells) == 1
    second.forms["paper-grid"][cells[0]] = "A"
    saved = second.forms["paper-grid"].submit()
    assert saved.location.endswith("?page=2")
    assert dbsession.scalar(select(func.count()).select_from(AnswerSet)) == 1
