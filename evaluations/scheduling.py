"""Invitations when a questionnaire opens and one reminder before it closes, queued in the
outbox in each person's language. Run periodically (`capacita evaluations send-due`, or the
worker): every call queues only what is due and was never queued before — each message is
recorded in `evaluation_message`, whose unique key keeps a second run from sending it again."""
from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from participants.notifications import private_link
from participants.tokens import give_new_link
from trainings.i18n import _
from trainings.mail import queue_mail, render_mail, speaking
from trainings.models import Training, TrainingStatus, utcnow

from .answers import respondents
from .labels import PURPOSE
from .models import AnswerSet, EvaluationMessage, MessageKind, Questionnaire
from .windows import window

log = logging.getLogger(__name__)
SUBJECTS = {
    MessageKind.invitation: _("To answer: ${purpose} · ${training}"),
    MessageKind.reminder: _("Reminder, closes soon: ${purpose} · ${training}"),
}


def _candidates(dbsession: Session, now: dt.datetime) -> list[Questionnaire]:
    """Questionnaires of published trainings whose window may be open now (a follow-up opens
    up to two years after its training)."""
    recent = (now - dt.timedelta(days=800)).date()
    return dbsession.scalars(
        select(Questionnaire).join(Training, Training.id == Questionnaire.training_id)
        .where(Training.status == TrainingStatus.published, Training.ends_on >= recent)
        .options(selectinload(Questionnaire.training).selectinload(Training.sessions))
        .order_by(Questionnaire.id)
    ).all()


def _due_kind(span, now: dt.datetime) -> MessageKind:
    return MessageKind.reminder if now >= span.reminder_at else MessageKind.invitation


def queue_due_messages(dbsession: Session, request, now: dt.datetime) -> int:
    """Queue the invitations and reminders due at `now`; the number queued."""
    queued = 0
    for questionnaire in _candidates(dbsession, now):
        span = window(questionnaire)
        if span is None or not span.is_open(now):
            continue
        queued += _queue_for(dbsession, request, questionnaire, _due_kind(span, now), span, now)
    return queued


def _queue_for(dbsession: Session, request, questionnaire: Questionnaire, kind: MessageKind, span, now) -> int:
    sent = {(registration_id, sent_kind): queued_at for registration_id, sent_kind, queued_at in dbsession.execute(
        select(EvaluationMessage.registration_id, EvaluationMessage.kind, EvaluationMessage.queued_at)
        .where(EvaluationMessage.questionnaire_id == questionnaire.id))}
    answered = set(dbsession.scalars(select(AnswerSet.registration_id)
                                     .where(AnswerSet.questionnaire_id == questionnaire.id)))
    queued = 0
    for registration in respondents(dbsession, questionnaire.training_id):
        if not registration.person.email or registration.id in answered:
            continue
        invited_at = sent.get((registration.id, MessageKind.invitation))
        # Someone registered after the invitations went out gets the invitation, not a reminder of
        # it; whoever was invited when reminders were already due needs no reminder as well.
        if invited_at is None:
            kind_now = MessageKind.invitation
        elif (kind == MessageKind.reminder and invited_at < span.reminder_at
              and (registration.id, MessageKind.reminder) not in sent):
            kind_now = MessageKind.reminder
        else:
            continue
        _send(dbsession, request, questionnaire, registration, kind_now, span)
        dbsession.add(EvaluationMessage(questionnaire_id=questionnaire.id, registration_id=registration.id,
                                        kind=kind_now, queued_at=now))
        queued += 1
    dbsession.flush()
    return queued


def _send(dbsession: Session, request, questionnaire: Questionnaire, registration, kind: MessageKind, span) -> None:
    person = registration.person
    language = str(person.preferred_language or questionnaire.training.language or "es")
    token = give_new_link(dbsession, registration)
    link = private_link(request, token).rstrip("/") + f"/evaluations/{questionnaire.id}"
    values = {"person": person, "training": questionnaire.training, "questionnaire": questionnaire,
              "kind": str(kind), "link": link, "closes_at": span.closes_at, "purpose": PURPOSE[questionnaire.purpose]}
    text, html = render_mail(request, "evaluations/mail/questionnaire", values, language)
    with speaking(request, language) as localizer:
        subject = localizer.translate(_(SUBJECTS[kind], mapping={
            "purpose": localizer.translate(PURPOSE[questionnaire.purpose]),
            "training": questionnaire.training.title}))
    queue_mail(dbsession, to=person.email, subject=subject, text=text, html=html, language=language)


# The worker runs it this often: an invitation goes out at most ten minutes after its moment.
INTERVAL_SECONDS = 600


def send_due(request) -> None:
    """The worker's periodic task (one transaction)."""
    queued = queue_due_messages(request.dbsession, request, utcnow())
    if queued:
        log.info("%s questionnaire email(s) queued", queued)


def includeme(config):
    config.add_worker_task("evaluations.send_due", send_due, INTERVAL_SECONDS)
