"""Answering: one answer set per person, editable while open; bad input refused, nothing written."""
import datetime as dt

import pytest
from sqlalchemy import func, select
from webob.multidict import MultiDict

from evaluations.answers import Closed, fields_for, submit
from evaluations.models import Answer, AnswerSet

from .conftest import NOW, attach, make_course


@pytest.fixture
def course(dbsession):
    return make_course(dbsession)


@pytest.fixture
def pre(dbsession, bank, course):
    rating = _add(dbsession, bank, "rating")
    return attach(dbsession, course.training, "pre", [question.id for question in bank.questions[:3]] + [rating.id])


def _add(dbsession, bank, kind):
    from evaluations import questions

    return questions.add_question(dbsession, bank, {"kind": kind, "text_es": f"Una pregunta {kind}", "points": 0})


def _submit(dbsession, questionnaire, registration, data, now=NOW):
    fields = fields_for(dbsession, questionnaire, "es")
    return submit(dbsession, questionnaire, registration, fields, MultiDict(data).getall, now=now)


def _count(dbsession, model):
    return dbsession.scalar(select(func.count()).select_from(model))


def test_one_answer_set_per_person_replaced_by_each_submission(dbsession, bank, course, pre):
    ana = course.people["ana"]
    first = bank.questions[0].id
    saved, errors = _submit(dbsession, pre, ana, [(f"q{first}", "1")])
    assert errors == {} and saved.answers[0].choices == [1]
    saved_again, errors = _submit(dbsession, pre, ana, [(f"q{first}", "2"), (f"q{bank.questions[1].id}", "1")])
    assert saved_again.id == saved.id
    assert sorted(answer.choices[0] for answer in saved_again.answers) == [1, 2]
    assert _count(dbsession, AnswerSet) == 1


@pytest.mark.parametrize("data, message", [
    ([("q{first}", "99")], "This option is not one of the question's: choose again."),
    ([("q{first}", "1"), ("q{first}", "2")], "Choose one option only."),
    ([("q{rating}", "6")], "Give a rating from 1 to 5."),
    ([("q{rating}", "tres")], "Give a rating from 1 to 5."),
])
def test_bad_answers_are_refused_with_a_message_and_nothing_is_written(dbsession, bank, course, pre, data, message):
    ids = {"first": bank.questions[0].id, "rating": pre.items[-1].question_id}
    data = [(name.format(**ids), value) for name, value in data]
    saved, errors = _submit(dbsession, pre, course.people["ana"], data)
    assert saved is None
    assert [str(error) for error in errors.values()] == [message]
    assert _count(dbsession, AnswerSet) == 0 and _count(dbsession, Answer) == 0


def test_an_earlier_answer_is_kept_when_a_correction_is_refused(dbsession, bank, course, pre):
    first = bank.questions[0].id
    _submit(dbsession, pre, course.people["ana"], [(f"q{first}", "1")])
    saved, errors = _submit(dbsession, pre, course.people["ana"], [(f"q{first}", "7")])
    assert saved is None and errors
    kept = dbsession.scalars(select(Answer)).all()
    assert [answer.choices for answer in kept] == [[1]]


def test_nothing_answered_is_refused(dbsession, course, pre):
    saved, errors = _submit(dbsession, pre, course.people["ana"], [])
    assert saved is None and str(errors[None]) == "Answer at least one question."


def test_a_closed_questionnaire_writes_nothing(dbsession, bank, course, pre):
    starts = course.sessions[0].starts_at
    with pytest.raises(Closed) as closed:
        _submit(dbsession, pre, course.people["ana"], [(f"q{bank.questions[0].id}", "1")], now=starts)
    assert str(closed.value.message) == "This questionnaire is closed: answers are no longer accepted."
    with pytest.raises(Closed):
        _submit(dbsession, pre, course.people["ana"], [(f"q{bank.questions[0].id}", "1")],
                now=starts - dt.timedelta(days=8))
    assert _count(dbsession, AnswerSet) == 0


def test_satisfaction_rates_each_session_and_speaker(dbsession, bank, course):
    from tests import factories
    from trainings.models import SessionSpeaker

    speaker = factories.PersonFactory(given_names="Rosa", family_names="Vela")
    dbsession.add(SessionSpeaker(session=course.sessions[0], person_id=speaker.id))
    dbsession.flush()
    comment = _add(dbsession, bank, "text")
    survey = attach(dbsession, course.training, "satisfaction", [comment.id])
    fields = fields_for(dbsession, survey, "es")
    assert [(field_.group, field_.label) for field_ in fields] == [
        ("session", "Módulo 1"), ("session", "Módulo 2"), ("speaker", "Rosa Vela"), ("question", "Una pregunta text")]
    after = course.sessions[-1].ends_at + dt.timedelta(hours=1)
    saved, errors = _submit(dbsession, survey, course.people["ana"], [
        (f"s{course.sessions[0].id}", "4"), (f"p{speaker.id}", "5"), (f"q{comment.id}", "<b>Muy bien</b>")],
        now=after)
    assert errors == {}
    assert [(answer.session_id, answer.speaker_id, answer.rating, answer.text) for answer in saved.answers] == [
        (course.sessions[0].id, None, 4, ""), (None, speaker.id, 5, ""), (None, None, None, "<b>Muy bien</b>")]


def test_the_paper_grid_comes_in_pages():
    from evaluations.paper import ROWS_PER_PAGE, page_of

    people = list(range(ROWS_PER_PAGE * 2 + 1))
    first, last = page_of(people, 1), page_of(people, 3)
    assert (first.items, first.number, first.pages) == (people[:ROWS_PER_PAGE], 1, 3)
    assert (last.items, last.number) == (people[-1:], 3)
    assert page_of(people, 99).number == 3 and page_of([], 1).items == []
