"""Fixtures of the evaluations tests: a bank of ten one-point questions and a training whose
sessions are placed relative to a fixed moment, so that each window is open when a test says."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from evaluations import questionnaires, questions
from evaluations.answers import Value, fields_for, save_answers
from evaluations.models import QuestionKind
from tests import factories

NOW = dt.datetime(2026, 6, 10, 15, 0, tzinfo=dt.UTC)
# Every question's first option is the correct one.
CORRECT, WRONG = 1, 2


def add_single(dbsession, bank, number: int, points: int = 1, english: str = ""):
    return questions.add_question(dbsession, bank, {
        "kind": "single", "text_es": f"Pregunta {number}", "text_en": english, "points": points,
        "options": [{"text_es": "Correcta", "correct": True}, {"text_es": "Incorrecta", "correct": False},
                    {"text_es": "Tampoco", "correct": False}]})


@pytest.fixture
def bank(dbsession):
    bank = questions.create_bank(dbsession, "Trata: conceptos", "es")
    for number in range(1, 11):
        add_single(dbsession, bank, number)
    return bank


@dataclass
class Course:
    training: object
    sessions: list
    people: dict  # label -> registration


def make_course(dbsession, starts_at: dt.datetime = NOW + dt.timedelta(days=3)) -> Course:
    """Two sessions on two days from `starts_at`; five confirmed participants, a speaker."""
    training = factories.TrainingFactory(starts_on=starts_at.date(), ends_on=starts_at.date() + dt.timedelta(days=1))
    sessions = [factories.SessionFactory(training=training, starts_at=starts_at + dt.timedelta(days=day),
                                         ends_at=starts_at + dt.timedelta(days=day, hours=3), title=f"Módulo {day + 1}")
                for day in range(2)]
    police = factories.InstitutionFactory(kind="police")
    people = {}
    for label, sex, institution in (("ana", "female", None), ("beto", "male", police), ("carla", "female", None),
                                    ("dario", "male", police), ("eva", "female", None)):
        values = {"given_names": label.capitalize(), "family_names": f"Apellido {label}", "sex": sex}
        if institution is not None:
            values["institution"] = institution
        people[label] = factories.RegistrationFactory(training=training, person=factories.PersonFactory(**values))
    dbsession.flush()
    dbsession.refresh(training)
    return Course(training, sessions, people)


def attach(dbsession, training, purpose: str, question_ids, **settings):
    values = {"purpose": purpose, "title": f"Prueba {purpose}", "questions": list(question_ids),
              "mastery_percent": 70, "days_open": 7, "follow_up_months": 3, **settings}
    return questionnaires.attach(dbsession, training, values)


def answer_test(dbsession, questionnaire, registration, right: int, *, entered_by=None):
    """`right` of the questions answered correctly (the first ones), the others wrong."""
    fields = fields_for(dbsession, questionnaire, "es")
    values = {field_.key: Value(choices=[CORRECT if index < right else WRONG]) for index, field_ in enumerate(fields)
              if field_.kind in (QuestionKind.single, QuestionKind.multiple)}
    return save_answers(dbsession, questionnaire, registration, fields, values, now=NOW, entered_by=entered_by)
