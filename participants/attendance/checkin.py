"""Checking people in at the door: a scanned code or a name found in the list becomes
"present", or "late" once the training's grace period after the session's start is over.

Scanning the same code twice is harmless (the second scan says so and writes nothing); a code
of another training, of a registration that is not confirmed, or a forged one is refused and
nothing is written.
"""
from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from sqlalchemy.orm import Session, joinedload

from trainings.i18n import _
from trainings.models import Training, TrainingSession, User, utcnow

from ..models import AttendanceMethod, AttendanceStatus, Person, Registration, RegistrationStatus
from . import services
from .qr import ShortCode, read_short_code, read_token, short_code_matches


class CheckinResult(enum.StrEnum):
    present = "present"
    late = "late"
    already = "already"
    refused = "refused"


@dataclass(frozen=True)
class Checkin:
    result: CheckinResult
    message: object  # a TranslationString
    registration: Registration | None = None

    @property
    def name(self) -> str:
        return self.registration.person.full_name if self.registration else ""

    @property
    def institution(self) -> str:
        if self.registration is None or self.registration.person.institution is None:
            return ""
        return self.registration.person.institution.name


def refused(message, registration=None) -> Checkin:
    return Checkin(CheckinResult.refused, message, registration)


def check_in_code(dbsession: Session, secret: str, training: Training, session: TrainingSession, code: str,
                  user: User | None, now: dt.datetime | None = None) -> Checkin:
    """Check in the holder of a scanned code (the QR's token) or of a typed short code."""
    short = read_short_code(code)
    if short is not None:
        return _check_in_short_code(dbsession, secret, training, session, short, user, now)
    token = read_token(secret, code)
    if token is None:
        return refused(_("This is not a valid check-in code of Capacita. Search the person by name instead."))
    if token.training_id != training.id:
        return refused(_("This code is for another training."))
    registration = dbsession.get(Registration, token.registration_id, options=[
        joinedload(Registration.person).joinedload(Person.institution)])  # shown in the answer
    if registration is None or registration.training_id != training.id:
        return refused(_("This code is for another training."))
    return check_in(dbsession, training, session, registration, user, AttendanceMethod.qr, now)


def _check_in_short_code(dbsession: Session, secret: str, training: Training, session: TrainingSession,
                         code: ShortCode, user: User | None, now: dt.datetime | None) -> Checkin:
    registration = dbsession.get(Registration, code.registration_id, options=[
        joinedload(Registration.person).joinedload(Person.institution)])  # shown in the answer
    if registration is None or not short_code_matches(secret, code, registration):
        return refused(_("Nobody has the check-in code ${code}. Check it and type it again, or search the person "
                         "by name.", mapping={"code": str(code)}))
    if registration.training_id != training.id:
        return refused(_("This code is for another training."))
    return check_in(dbsession, training, session, registration, user, AttendanceMethod.qr, now)


def check_in(dbsession: Session, training: Training, session: TrainingSession, registration: Registration,
             user: User | None, method: AttendanceMethod, now: dt.datetime | None = None) -> Checkin:
    """Check in a registration found by its code or by name."""
    now = now or utcnow()
    if session.training_id != training.id:
        return refused(_("This session belongs to another training."))
    if session.cancelled:
        return refused(_("This session is cancelled."))
    if registration.status == RegistrationStatus.cancelled:
        return refused(_("This registration is cancelled."), registration)
    if registration.status != RegistrationStatus.confirmed:
        return refused(_("This registration is not confirmed (pending or on the waiting list)."), registration)
    if registration.role not in services.ON_THE_SHEET:
        return refused(_("This person is not expected in the sessions."), registration)
    current = services.locked_attendance(dbsession, registration.id, session.id)
    if current is not None and current.status in (AttendanceStatus.present, AttendanceStatus.late):
        return Checkin(CheckinResult.already, _("Already checked in."), registration)
    status = services.arrival_status(training, session, now)
    services.record(dbsession, registration, session, status, method, user, at=now, locked=current)
    if status == AttendanceStatus.late:
        return Checkin(CheckinResult.late, _("Checked in, late."), registration)
    return Checkin(CheckinResult.present, _("Checked in."), registration)
