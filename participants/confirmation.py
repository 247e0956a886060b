"""A public registration holds no place until its address is confirmed.

Anyone can type anyone's address into the public form, and bots can type thousands: so a
registration from the form starts `unverified` (no place, no waitlist position, no calendar
invitation) and one email goes out — the confirmation, whose only content chosen by whoever
filled the form is the person's own name, escaped. The person opens the link and confirms with
a button (a POST: mail scanners that open links do not confirm anything); only then do the usual
rules run (approval, a place or the waitlist) and the usual email follow. An unconfirmed
registration is dropped by the worker once `confirm_by` has passed, and with it the person if
the form had created them and they have nothing else. Organisers' registrations and imports
are confirmed already: the organiser vouches for the address."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from trainings.i18n import _
from trainings.mail import queue_mail, render_mail, speaking
from trainings.models import SessionSpeaker, utcnow

from .models import CalendarFeedToken, EarlierPrivateLink, Person, Registration, RegistrationStatus

DEFAULT_HOURS = 24
DROP_EVERY_SECONDS = 15 * 60


def confirm_hours(settings) -> int:
    """How long an unconfirmed registration waits (`registration.confirm_hours`, 24 by default)."""
    try:
        return max(int(settings.get("registration.confirm_hours", DEFAULT_HOURS)), 1)
    except (TypeError, ValueError):
        return DEFAULT_HOURS


def await_confirmation(request, registration: Registration) -> None:
    """Hold `registration` unverified until its address is confirmed (no place is taken)."""
    registration.status = RegistrationStatus.unverified
    registration.confirm_by = utcnow() + dt.timedelta(hours=confirm_hours(request.registry.settings))
    request.dbsession.flush()


def is_waiting(registration: Registration, now: dt.datetime | None = None) -> bool:
    return (registration.status == RegistrationStatus.unverified and registration.confirm_by is not None
            and registration.confirm_by > (now or utcnow()))


def send_confirmation_mail(request, registration: Registration, link: str):
    person = registration.person
    language = str(person.preferred_language or "es")
    values = {"person": person, "training": registration.training, "link": link,
              "hours": confirm_hours(request.registry.settings)}
    text, html = render_mail(request, "participants/mail/confirm_address", values, language)
    with speaking(request, language) as localizer:
        subject = localizer.translate(_("Confirm your registration: ${training}",
                                        mapping={"training": registration.training.title}))
    return queue_mail(request.dbsession, to=person.email, subject=subject, text=text, html=html, language=language)


class ConfirmationExpired(Exception):
    pass


class QuotaReached(Exception):
    """The person's institution filled its quota for the training while their address waited."""

    def __init__(self, refusal):
        super().__init__(refusal)
        self.refusal = refusal


def confirm_address(request, registration: Registration) -> bool:
    """The person confirmed their address: the registration's rules run now (pending approval,
    a place, or the waitlist) and the usual email follows. False when it was confirmed before;
    ConfirmationExpired when it waited too long; QuotaReached when others of the person's
    institution took its quota meanwhile (nothing changes: a cancellation may free it in time)."""
    from .notifications import send_registration_mail
    from .registrations import ROLES_TAKING_A_PLACE, _confirm_if_possible, institution_quota_refusal

    if registration.status != RegistrationStatus.unverified:
        return False
    if not is_waiting(registration):
        raise ConfirmationExpired(registration.id)
    refusal = institution_quota_refusal(request.dbsession, registration.training, registration.person.institution)
    if refusal is not None:
        raise QuotaReached(refusal)
    registration.confirm_by = None
    registration.created_at = utcnow()  # the waitlist counts from the confirmation
    training = registration.training
    if training.requires_approval and registration.role in ROLES_TAKING_A_PLACE:
        registration.status = RegistrationStatus.pending
        request.dbsession.flush()
    else:
        registration.status = RegistrationStatus.waitlisted
        request.dbsession.flush()
        _confirm_if_possible(request, registration)
    send_registration_mail(request, registration, reason="registered")
    return True


def drop_expired(dbsession: Session, now: dt.datetime | None = None) -> int:
    """Delete the unconfirmed registrations whose time is up, and the persons the form created
    for them who have nothing else; returns how many registrations went."""
    now = now or utcnow()
    expired = select(Registration.id).where(Registration.status == RegistrationStatus.unverified,
                                            Registration.confirm_by <= now)
    rows = dbsession.execute(select(Registration.id, Registration.person_id).where(Registration.id.in_(expired))).all()
    if not rows:
        return 0
    ids = [row.id for row in rows]
    dbsession.execute(delete(EarlierPrivateLink).where(EarlierPrivateLink.registration_id.in_(ids)))
    dbsession.execute(delete(CalendarFeedToken).where(CalendarFeedToken.registration_id.in_(ids)))
    dbsession.execute(delete(Registration).where(Registration.id.in_(ids)))
    person_ids = {row.person_id for row in rows}
    lonely = select(Person.id).where(
        Person.id.in_(person_ids),
        ~exists().where(Registration.person_id == Person.id),
        ~exists().where(SessionSpeaker.person_id == Person.id),
    )
    lonely_ids = list(dbsession.scalars(lonely))
    if lonely_ids:
        dbsession.execute(delete(CalendarFeedToken).where(CalendarFeedToken.person_id.in_(lonely_ids)))
        dbsession.execute(delete(Person).where(Person.id.in_(lonely_ids)))
    dbsession.expire_all()
    return len(ids)


def drop_expired_task(request) -> None:
    """The worker's periodic task."""
    drop_expired(request.dbsession)


def includeme(config):
    config.add_worker_task("drop_unconfirmed_registrations", drop_expired_task, DROP_EVERY_SECONDS)
