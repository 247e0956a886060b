"""Acting on many registrations of one training at once (the registrations tab): approve,
cancel, move or email the ones the organiser ticked, or stop or resume the reminder before the
training for them (`Registration.emails_off`), after a confirmation page that says how many and
who. All or nothing: when one of them cannot take the action, nothing is done and the
organiser is told who and why; a failure in the middle rolls back the whole batch (savepoint)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from trainings.audit import record
from trainings.i18n import _
from trainings.mail import queue_mail, render_mail, speaking
from trainings.models import Training, TrainingStatus
from trainings.paging import LIST_PAGE_SIZE
from trainings.resources import parse_id

from .models import Person, Registration, RegistrationStatus
from .notifications import private_link, send_registration_mail
from .registrations import ACTIVE, AlreadyRegistered, CannotMove, approve, cancel, move
from .tokens import give_new_link

ACTIONS = ("approve", "cancel", "move", "email", "reminder_off", "reminder_on")
MAX_SELECTED = LIST_PAGE_SIZE  # what one page of the tab can tick
SUBJECT_MAX, BODY_MAX = 200, 5000


class BulkRefused(Exception):
    def __init__(self, problems: list):
        super().__init__(problems)
        self.problems = problems  # (registration, reason) pairs, or (None, reason)


@dataclass
class Message:
    subject: str
    body: str


def selected(dbsession: Session, training: Training, values) -> list[Registration]:
    """The registrations of `training` among the ids ticked (others are ignored), by name."""
    ids = {parse_id(str(value)) for value in values} - {None}
    if not ids:
        return []
    return list(dbsession.scalars(
        select(Registration).join(Person, Person.id == Registration.person_id)
        .where(Registration.training_id == training.id, Registration.id.in_(sorted(ids)[:MAX_SELECTED]))
        .options(joinedload(Registration.person).joinedload(Person.institution))
        .order_by(Person.sort_name, Registration.id)))


def with_status(dbsession: Session, training: Training, status: str) -> list[Registration]:
    """Every registration of `training` with `status` (a message to all confirmed people, a
    reminder to those still waiting), by name."""
    if status not in {str(value) for value in RegistrationStatus}:
        return []
    return list(dbsession.scalars(
        select(Registration).join(Person, Person.id == Registration.person_id)
        .where(Registration.training_id == training.id, Registration.status == status)
        .options(joinedload(Registration.person).joinedload(Person.institution))
        .order_by(Person.sort_name, Registration.id)))


def problems_with(action: str, registrations: list[Registration], target: Training | None = None,
                  message: Message | None = None) -> list:
    """Why the action cannot be done to the registrations chosen: empty when it can."""
    if action not in ACTIONS:
        return [(None, _("Choose what to do with the registrations ticked."))]
    if not registrations:
        return [(None, _("Tick at least one registration."))]
    problems = []
    if action == "move" and (target is None or target.id == registrations[0].training_id
                             or target.status == TrainingStatus.cancelled):
        problems.append((None, _("Choose the training to move these registrations to.")))
    if action == "email" and (message is None or not message.subject.strip() or not message.body.strip()):
        problems.append((None, _("Write the subject and the message.")))
    if action == "email" and message is not None and (len(message.subject) > SUBJECT_MAX
                                                      or len(message.body) > BODY_MAX):
        problems.append((None, _("The subject or the message is too long.")))
    for registration in registrations:
        reason = _problem(action, registration, target)
        if reason is not None:
            problems.append((registration, reason))
    return problems


def _problem(action: str, registration: Registration, _target: Training | None):
    if action == "approve" and registration.status != RegistrationStatus.pending:
        return _("Only pending registrations can be approved.")
    if action in ("cancel", "move") and registration.status not in ACTIVE:
        return _("This registration is cancelled.")
    if action == "email" and not registration.person.email:
        return _("No email address.")
    return None


def apply(request, action: str, registrations: list[Registration], target: Training | None = None,
          message: Message | None = None) -> int:
    """Do `action` to every registration, all or nothing; returns how many."""
    problems = problems_with(action, registrations, target, message)
    if problems:
        raise BulkRefused(problems)
    with request.dbsession.begin_nested():
        for registration in registrations:
            if action == "approve":
                approve(request, registration)
            elif action == "cancel":
                cancel(request, registration)
            elif action == "move":
                _move(request, registration, target)
            elif action in ("reminder_off", "reminder_on"):
                registration.emails_off = action == "reminder_off"
            else:
                send_message(request, registration, message)
        record(request, f"registrations.{action}", registrations[0].training, summary=_who(registrations, target))
        request.dbsession.flush()
    return len(registrations)


def _who(registrations: list[Registration], target: Training | None) -> str:
    """The audit entry's summary: how many, to where, and who (names are the same in every language)."""
    names = ", ".join(registration.person.full_name for registration in registrations)
    return f"{len(registrations)}{f' → {target.title}' if target is not None else ''}: {names}"


def _move(request, registration: Registration, target: Training) -> None:
    try:
        moved, token = move(request, registration, target)
    except AlreadyRegistered as error:
        raise BulkRefused([(registration, _("Already registered for that training."))]) from error
    except CannotMove as error:
        raise BulkRefused([(None, _("Choose the training to move these registrations to."))]) from error
    send_registration_mail(request, moved, token, reason="moved")


def send_message(request, registration: Registration, message: Message):
    """Queue the organisers' message to one person, in that person's language (the greeting,
    the training and the link around the text the organisers wrote, which is escaped)."""
    person = registration.person
    language = str(person.preferred_language or "es")
    token = give_new_link(request.dbsession, registration)
    values = {"person": person, "training": registration.training, "body": message.body.strip(),
              "link": private_link(request, token)}
    text, html = render_mail(request, "participants/mail/message", values, language)
    with speaking(request, language) as localizer:
        subject = localizer.translate(_("${subject} — ${training}", mapping={
            "subject": " ".join(message.subject.split()), "training": registration.training.title}))
    return queue_mail(request.dbsession, to=person.email, subject=subject[:300], text=text, html=html,
                      language=language)
