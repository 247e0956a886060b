"""Registering someone at the door ("walk-in") and marking them present, in one step.

The rule: a walk-in takes a free place of the training like any participant. When the training
is full the walk-in is refused with a message — capacity is the organiser's decision (room,
budget, materials), so they raise it on the training or cancel a registration of someone who
did not come, then register the walk-in. Speakers and organisers are never walk-ins: they are
registered by the organisers beforehand.
"""
from __future__ import annotations

from trainings.forms import FieldErrors
from trainings.i18n import _
from trainings.models import Training, TrainingSession

from ..institutions import institution_named
from ..models import (
    AttendanceMethod,
    AttendanceStatus,
    Registration,
    RegistrationSource,
    RegistrationStatus,
)
from ..registrations import AlreadyRegistered, approve, register
from ..registry import PersonDetails, upsert_person
from . import services

FULL = _("The training is full. Raise its capacity or cancel the registration of someone who did not come, "
         "then register this person again.")


def register_walk_in(request, training: Training, session: TrainingSession, values: dict) -> Registration:
    """Register the person described by `values` and mark them present in `session`.
    Raises FieldErrors (nothing is written) when the training is full."""
    dbsession = request.dbsession
    country = training.region.country
    details = PersonDetails(
        given_names=values["given_names"], family_names=values["family_names"],
        email=values.get("email") or None, position=values.get("position") or "",
        institution=institution_named(dbsession, values.get("institution") or "", country), country=country,
    )
    person, _created = upsert_person(dbsession, details)
    try:
        registration, _token = register(request, training, person, source=RegistrationSource.walk_in, approved=True)
    except AlreadyRegistered as already:
        registration = already.registration
        if registration.status in (RegistrationStatus.pending, RegistrationStatus.waitlisted):
            approve(request, registration)  # takes a free place, or stays waiting when full
    if registration.status != RegistrationStatus.confirmed:
        raise FieldErrors({None: FULL})
    services.record(dbsession, registration, session, AttendanceStatus.present, AttendanceMethod.walk_in,
                    request.identity)
    return registration
