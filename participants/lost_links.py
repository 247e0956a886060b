"""Sending private links again to whoever asks with an email address. The answer never says
whether the address is known; the links sent are fresh (tokens are stored hashed only), and
the links sent before keep working (their hashes are kept: `EarlierPrivateLink`)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from trainings.models import Training

from .models import Registration, RegistrationStatus
from .notifications import send_registration_mail
from .registry import find_person, normalise_email
from .tokens import hash_token


def lost_link_key(email: str) -> str:
    """The rate-limit key of an address asked for: its hash, so that the limiter's store
    (shared, perhaps Redis) holds no addresses."""
    return hash_token(normalise_email(email))


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
