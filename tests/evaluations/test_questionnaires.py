"""Attaching, changing and copying questionnaires; their windows follow the sessions."""
import datetime as dt

import pytest

from evaluations import questionnaires
from evaluations.models import Purpose
from evaluations.windows import add_months, window
from tests import factories
from trainings.forms import FieldErrors

from .conftest import answer_test, attach, make_course


def _settings(questionnaire, question_ids):
    return {"title": questionnaire.title, "questions": question_ids, "mastery_percent": 80, "days_open": 5,
            "follow_up_months": 3}


def test_one_questionnaire_per_purpose(dbsession, bank):
    course = make_course(dbsession)
    attach(dbsession, course.training, "pre", [bank.questions[0].id])
    with pytest.raises(FieldErrors) as refused:
        attach(dbsession, course.training, "pre", [bank.questions[1].id])
    assert str(refused.value.errors["purpose"]) == "This training already has a questionnaire for this purpose."


def test_a_test_needs_a_scored_question(dbsession, bank):
    from evaluations import questions

    rating = questions.add_question(dbsession, bank, {"kind": "rating", "text_es": "¿Útil?", "points": 0})
    with pytest.raises(FieldErrors):
        attach(dbsession, make_course(dbsession).training, "post", [rating.id])


def test_answered_tests_keep_their_questions_but_settings_change(dbsession, bank):
    course = make_course(dbsession)
    ids = [question.id for question in bank.questions[:3]]
    pre = attach(dbsession, course.training, "pre", ids)
    answer_test(dbsession, pre, course.people["ana"], 2)
    with pytest.raises(FieldErrors) as refused:
        questionnaires.update(dbsession, pre, _settings(pre, ids[:2]))
    assert "can no longer be added, removed or reordered" in str(refused.value.errors["questions"])
    assert [item.question_id for item in pre.items] == ids
    questionnaires.update(dbsession, pre, _settings(pre, ids))
    assert pre.mastery_percent == 80


def test_unanswered_questionnaires_change_their_questions(dbsession, bank):
    course = make_course(dbsession)
    pre = attach(dbsession, course.training, "pre", [bank.questions[0].id])
    questionnaires.update(dbsession, pre, _settings(pre, [bank.questions[2].id, bank.questions[1].id]))
    assert [item.question_id for item in pre.items] == [bank.questions[2].id, bank.questions[1].id]


def test_copy_to_another_training_without_answers(dbsession, bank):
    course, other = make_course(dbsession), factories.TrainingFactory()
    post = attach(dbsession, course.training, "post", [question.id for question in bank.questions])
    answer_test(dbsession, post, course.people["ana"], 5)
    copy = questionnaires.copy_to(dbsession, post, other)
    assert (copy.training_id, copy.purpose, copy.title) == (other.id, Purpose.post, post.title)
    assert [item.question_id for item in copy.items] == [item.question_id for item in post.items]
    assert questionnaires.answer_count(dbsession, copy) == 0


def test_windows_follow_the_sessions(dbsession, bank):
    course = make_course(dbsession)
    first, last = course.sessions
    ids = [bank.questions[0].id]
    pre = window(attach(dbsession, course.training, "pre", ids))
    post = window(attach(dbsession, course.training, "post", ids, days_open=10))
    follow_up = window(attach(dbsession, course.training, "follow_up", ids, follow_up_months=6))
    assert (pre.opens_at, pre.closes_at) == (first.starts_at - dt.timedelta(days=7), first.starts_at)
    assert (post.opens_at, post.closes_at) == (last.starts_at, last.ends_at + dt.timedelta(days=10))
    assert follow_up.opens_at == add_months(last.ends_at, 6)
    assert pre.opens_at < pre.reminder_at < pre.closes_at


def test_add_months_keeps_the_end_of_the_month():
    moment = dt.datetime(2026, 8, 31, 12, tzinfo=dt.UTC)
    assert add_months(moment, 6) == dt.datetime(2027, 2, 28, 12, tzinfo=dt.UTC)
    assert add_months(moment, 4) == dt.datetime(2026, 12, 31, 12, tzinfo=dt.UTC)
