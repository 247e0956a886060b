"""Emails about registrations, queued in the outbox in the same transaction as the change.

Private-link tokens are stored only as hashes, so an email sent after registering (promotion
from the waitlist, approval, a lost link, a move) cannot repeat the old link: it carries a
fresh token; the earlier links keep working (their hashes are kept, `EarlierPrivateLink`).
"""
from __future__ import annotations

from sqlalchemy import select

from trainings.events import TrainingCancelled
from trainings.i18n import _
from trainings.mail import queue_mail, render_mail, speaking

from .models import Registration, RegistrationStatus
from .tokens import give_new_link

SUBJECTS = {
    "registered": _("Your registration: ${training}"),
    "promoted": _("A place is yours: ${training}"),
    "approved": _("Your registration was approved: ${training}"),
    "lost_link": _("Your private link: ${training}"),
    "moved": _("Your registration was moved: ${training}"),
    "organiser": _("You are registered: ${training}"),
    "new_link": _("Your new private link: ${training}"),
    "training_cancelled": _("Training cancelled: ${training}"),
}
# On registering, the subject says where the person stands when they have no place yet.
SUBJECTS_WITHOUT_A_PLACE = {
    RegistrationStatus.waitlisted: _("You are on the waiting list: ${training}"),
    RegistrationStatus.pending: _("Your registration awaits approval: ${training}"),
}


def subject_for(registration: Registration, reason: str):
    if reason in ("registered", "organiser") and registration.status in SUBJECTS_WITHOUT_A_PLACE:
        return SUBJECTS_WITHOUT_A_PLACE[registration.status]
    return SUBJECTS[reason]


def private_link(request, token: str) -> str:
    """The link in emails: on the site's public address (`app.public_url`) when it is set, so that
    emails queued from the command line or behind a proxy point to the right place."""
    public_url = (request.registry.settings.get("app.public_url") or "").rstrip("/")
    if public_url:
        return public_url + request.route_path("my_registration", token=token)
    return request.route_url("my_registration", token=token)


def send_registration_mail(request, registration: Registration, token: str | None = None,
                           reason: str = "registered"):
    """Queue the email telling the person the status of `registration` with their private link;
    without a `token`, a fresh one is issued. Nothing is sent to people without an email."""
    person = registration.person
    if not person.email:
        return None
    if token is None:
        token = give_new_link(request.dbsession, registration)
        request.dbsession.flush()
    language = str(person.preferred_language or "es")
    values = {"registration": registration, "person": person, "training": registration.training,
              "link": private_link(request, token), "reason": reason}
    text, html = render_mail(request, "participants/mail/registration", values, language)
    with speaking(request, language) as localizer:
        subject = localizer.translate(_(subject_for(registration, reason),
                                        mapping={"training": registration.training.title}))
    return queue_mail(request.dbsession, to=person.email, subject=subject, text=text, html=html, language=language)


def on_training_cancelled(event: TrainingCancelled) -> None:
    """People still waiting (waitlisted or pending approval) had no calendar invitation to
    withdraw: they are told by email that the training will not take place. (Confirmed people
    get the calendar cancellations of participants/invites.py.)"""
    request = event.request
    waiting = request.dbsession.scalars(
        select(Registration)
        .where(Registration.training_id == event.training.id,
               Registration.status.in_([RegistrationStatus.waitlisted, RegistrationStatus.pending]))
        .order_by(Registration.id))
    for registration in waiting:
        send_registration_mail(request, registration, reason="training_cancelled")


def includeme(config):
    config.add_subscriber(on_training_cancelled, TrainingCancelled)
