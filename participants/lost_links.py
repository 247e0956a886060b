"""Sending private links again to whoever asks with an email address. The answer never says
whether the address is known; the links sent are fresh (tokens are stored hashed only)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from trainings.models import Training

from .models import Registration, RegistrationStatus
from .notifications import send_registration_mail
from .registry import find_person, normalise_email


def send_lost_links(request, email: str) -> int:
    """Queue one email per current registration of that address; returns how many."""
    person = find_person(request.dbsession, email=normalise_email(email))
    if person is None:
        return 0
    registrations = request.dbsession.scalars(
        select(Registration).join(Training)
        .where(Registration.person_id == person.id, Registration.status != RegistrationStatus.cancelled,
               Training.ends_on >= dt.date.today() - dt.timedelta(days=365))
        .order_by(Training.starts_on)
    )
    sent = 0
    for registration in registrations:
        send_registration_mail(request, registration, reason="lost_link")
        sent += 1
    return sent
