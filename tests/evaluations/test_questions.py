"""Question banks: texts in the bank's language at least, valid options, versions once answered."""
import pytest

from evaluations import questions
from evaluations.answers import fields_for
from trainings.forms import FieldErrors

from .conftest import answer_test, attach, make_course


def _values(**changes):
    values = {"kind": "single", "text_es": "¿Qué es la trata?", "points": 1,
              "options": [{"text_es": "Un delito", "correct": True}, {"text_es": "Una falta", "correct": False}]}
    return {**values, **changes}


@pytest.mark.parametrize("changes, field, message", [
    ({"text_es": "", "text_en": "What is trafficking?"}, "text_es", "Write the question in the bank's language."),
    ({"options": [{"text_es": "Uno", "correct": True}]}, "options", "A choice question needs at least two options."),
    ({"options": [{"text_es": "Uno", "correct": True}, {"text_es": "Dos", "correct": True}]}, "options",
     "Mark exactly one option as the correct one."),
    ({"kind": "multiple", "options": [{"text_es": "Uno"}, {"text_es": "Dos"}]}, "options",
     "Mark at least one option as correct."),
    ({"kind": "rating"}, "options", "Only choice questions have options."),
    ({"options": [{"text_en": "One", "correct": True}, {"text_es": "Dos"}]}, "options",
     "Write every option in the bank's language."),
])
def test_refused_questions_say_why(dbsession, changes, field, message):
    bank = questions.create_bank(dbsession, "Banco", "es")
    with pytest.raises(FieldErrors) as refused:
        questions.add_question(dbsession, bank, _values(**changes))
    assert {key: str(value) for key, value in refused.value.errors.items()} == {field: message}
    assert bank.questions == []


def test_blank_option_rows_are_ignored_and_ids_follow_the_order(dbsession):
    bank = questions.create_bank(dbsession, "Banco", "es")
    question = questions.add_question(dbsession, bank, _values(options=[
        {"text_es": "Uno", "correct": True}, {"text_es": " "}, {"text_es": "Dos", "text_fr": "Deux"}]))
    assert [(option["id"], option["texts"]) for option in question.current.options] == [
        (1, {"es": "Uno"}), (2, {"es": "Dos", "fr": "Deux"})]


def test_a_question_nobody_answered_is_edited_in_place(dbsession, bank):
    question = bank.questions[0]
    version = questions.save_question(dbsession, question, _values(text_es="Corregida"))
    assert version.number == 1 and question.current.texts == {"es": "Corregida"}


def test_an_answered_question_gets_a_new_version_and_answers_keep_theirs(dbsession, bank):
    course = make_course(dbsession)
    pre = attach(dbsession, course.training, "pre", [bank.questions[0].id])
    answered = answer_test(dbsession, pre, course.people["ana"], 1)
    question = bank.questions[0]
    old_version = question.current
    version = questions.save_question(dbsession, question, _values(text_es="Corregida"))
    assert (version.number, len(question.versions)) == (2, 2)
    assert answered.answers[0].version is old_version
    assert old_version.texts == {"es": "Pregunta 1"}
    assert fields_for(dbsession, pre, "es")[0].label == "Corregida"


def test_texts_fall_back_to_the_banks_language(dbsession, bank):
    course = make_course(dbsession)
    from .conftest import add_single

    translated = add_single(dbsession, bank, 11, english="Question eleven")
    pre = attach(dbsession, course.training, "pre", [bank.questions[0].id, translated.id])
    assert [field_.label for field_ in fields_for(dbsession, pre, "en")] == ["Pregunta 1", "Question eleven"]
    assert [field_.label for field_ in fields_for(dbsession, pre, "fr")] == ["Pregunta 1", "Pregunta 11"]


def test_bank_names_are_unique(dbsession, bank):
    with pytest.raises(FieldErrors):
        questions.create_bank(dbsession, bank.name, "fr")
