"""Invitations when a questionnaire opens, one reminder before it closes, never twice."""
import datetime as dt

import pytest
from sqlalchemy import select

from evaluations.models import EvaluationMessage, MessageKind
from evaluations.scheduling import queue_due_messages
from participants.models import RegistrationStatus
from tests import factories
from trainings.models import Language, OutboxMessage

from .conftest import answer_test, attach, make_course


@pytest.fixture
def course(dbsession, bank):
    course = make_course(dbsession)
    course.people["eva"].person.preferred_language = Language.en
    course.people["dario"].person.email = None
    course.people["carla"].status = RegistrationStatus.cancelled
    factories.RegistrationFactory(training=course.training, role="speaker")
    course.pre = attach(dbsession, course.training, "pre", [question.id for question in bank.questions])
    dbsession.flush()
    return course


def _outbox(dbsession):
    return dbsession.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_invitations_once_in_each_persons_language(dbsession, app_request, course):
    opens = course.sessions[0].starts_at - dt.timedelta(days=7)
    assert queue_due_messages(dbsession, app_request, opens - dt.timedelta(minutes=1)) == 0
    assert queue_due_messages(dbsession, app_request, opens + dt.timedelta(hours=1)) == 3  # ana, beto, eva
    assert queue_due_messages(dbsession, app_request, opens + dt.timedelta(hours=2)) == 0
    mails = {message.recipients: message for message in _outbox(dbsession)}
    assert set(mails) == {course.people[name].person.email for name in ("ana", "beto", "eva")}
    eva = mails[course.people["eva"].person.email]
    assert eva.subject.startswith("To answer: Pre-test · ") and eva.language == "en"
    ana = mails[course.people["ana"].person.email]
    assert ana.subject.startswith("Por responder: Prueba de entrada · ")
    assert f"/evaluations/{course.pre.id}" in ana.body_text


def test_one_reminder_to_who_has_not_answered(dbsession, app_request, course):
    closes = course.sessions[0].starts_at
    queue_due_messages(dbsession, app_request, closes - dt.timedelta(days=6))
    answer_test(dbsession, course.pre, course.people["ana"], 3)
    reminder_time = closes - dt.timedelta(days=1)
    assert queue_due_messages(dbsession, app_request, reminder_time) == 2  # beto, eva
    assert queue_due_messages(dbsession, app_request, reminder_time + dt.timedelta(hours=3)) == 0
    assert queue_due_messages(dbsession, app_request, closes + dt.timedelta(minutes=1)) == 0
    kinds = dbsession.scalars(select(EvaluationMessage.kind).order_by(EvaluationMessage.id)).all()
    assert kinds.count(MessageKind.invitation) == 3 and kinds.count(MessageKind.reminder) == 2


def test_someone_registered_late_gets_the_invitation_not_a_reminder(dbsession, app_request, course):
    closes = course.sessions[0].starts_at
    queue_due_messages(dbsession, app_request, closes - dt.timedelta(days=6))
    late = factories.RegistrationFactory(training=course.training)
    dbsession.flush()
    queue_due_messages(dbsession, app_request, closes - dt.timedelta(hours=5))
    kinds = dbsession.scalars(select(EvaluationMessage.kind).where(EvaluationMessage.registration_id == late.id)).all()
    assert kinds == [MessageKind.invitation]


def test_the_worker_runs_it_every_ten_minutes(app):
    from evaluations.scheduling import INTERVAL_SECONDS, send_due

    task = app.registry["worker_tasks"]["evaluations.send_due"]
    assert task.run is send_due and task.interval == dt.timedelta(seconds=INTERVAL_SECONDS)
