"""Who earns which certificate, and why — computed, never stored.

- Participants and observers (confirmed) whose attendance rate reaches the training's
  threshold earn a certificate of **attendance** (`participants.attendance.rates` is the
  rule: exactly at the threshold is enough, excused sessions leave the expected hours,
  cancelled sessions never count).
- Speakers and moderators — by their registration's role, or because they are listed on one
  of the training's sessions that was not cancelled — earn a certificate as **speaker**
  (or moderator) listing their sessions, whatever their attendance.
- A speaker registered as a participant who also reaches the threshold earns both: the
  attendance one certifies what they followed, the speaker one what they gave. Someone
  registered *as* speaker or moderator gets only the speaker certificate.
- Organisers (and anyone else) get a certificate of **participation** only when an
  organiser issues one by hand, with a reason.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, not_, or_, select
from sqlalchemy.orm import Session, aliased, contains_eager, selectinload

from participants.attendance.rates import AttendanceRate, attendance_rates, attendance_seconds, rate_from_seconds
from participants.models import Person, Registration, RegistrationRole, RegistrationStatus
from trainings.i18n import Percent, _, collation_key
from trainings.models import SessionSpeaker, SpeakerRole, Training, TrainingSession

from .models import Certificate, CertificateKind

ATTENDING_ROLES = frozenset({RegistrationRole.participant, RegistrationRole.observer})
SPEAKING_ROLES = frozenset({RegistrationRole.speaker, RegistrationRole.moderator})


@dataclass(frozen=True)
class SpokenSession:
    session_id: int
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    role: SpeakerRole


@dataclass
class Eligibility:
    registration: Registration
    rate: AttendanceRate | None
    threshold: int
    kinds: list[CertificateKind] = field(default_factory=list)
    reasons: list = field(default_factory=list)  # TranslationStrings explaining the decision
    spoken: list[SpokenSession] = field(default_factory=list)
    certificates: list[Certificate] = field(default_factory=list)

    @property
    def valid_certificates(self) -> list[Certificate]:
        return [certificate for certificate in self.certificates if certificate.revoked_at is None]

    @property
    def missing(self) -> list[CertificateKind]:
        """Kinds earned but not (validly) issued yet."""
        issued = {certificate.kind for certificate in self.valid_certificates}
        return [kind for kind in self.kinds if kind not in issued]


def spoken_sessions(dbsession: Session, training_id: int) -> dict[int, list[SpokenSession]]:
    """Person id → the sessions (not cancelled) they speak at or moderate, in time order."""
    rows = dbsession.execute(
        select(SessionSpeaker.person_id, TrainingSession.id, TrainingSession.title,
               TrainingSession.starts_at, TrainingSession.ends_at, SessionSpeaker.role)
        .join(TrainingSession, TrainingSession.id == SessionSpeaker.session_id)
        .where(TrainingSession.training_id == training_id, TrainingSession.cancelled.is_(False))
        .order_by(TrainingSession.starts_at, TrainingSession.id)
    )
    spoken: dict[int, list[SpokenSession]] = defaultdict(list)
    for person_id, session_id, title, starts_at, ends_at, role in rows:
        spoken[person_id].append(SpokenSession(session_id, title, starts_at, ends_at, role))
    return spoken


def earned_kinds(status, role, reaches_threshold: bool, speaks: bool) -> list[CertificateKind]:
    """The kinds a registration earns (the rule of the module's docstring; `decide` also says why)."""
    if status != RegistrationStatus.confirmed:
        return []
    kinds = []
    if role in SPEAKING_ROLES or speaks:
        kinds.append(CertificateKind.speaker)
    if role in ATTENDING_ROLES and reaches_threshold:
        kinds.append(CertificateKind.attendance)
    return kinds


def decide(registration: Registration, rate: AttendanceRate | None, threshold: int,
           spoken: list[SpokenSession]) -> tuple[list[CertificateKind], list]:
    """The kinds a registration earns and the reasons, from facts alone (no database)."""
    kinds = earned_kinds(registration.status, registration.role,
                         rate is not None and rate.reaches(threshold), bool(spoken))
    reasons = []
    if registration.status != RegistrationStatus.confirmed:
        return kinds, [_("The registration is not confirmed.")]
    if registration.role in SPEAKING_ROLES or spoken:
        if spoken:
            reasons.append(_("Speaks at or moderates one session.") if len(spoken) == 1 else
                           _("Speaks at or moderates ${count} sessions.", mapping={"count": len(spoken)}))
        else:
            reasons.append(_("Registered as speaker or moderator."))
    if registration.role in ATTENDING_ROLES:
        percent = rate.percent if rate is not None else None
        if rate is None or percent is None:
            reasons.append(_("No attendance hours expected (every session excused or cancelled)."))
        elif rate.reaches(threshold):
            reasons.append(_("Attended ${rate}, threshold ${threshold}.",
                             mapping={"rate": Percent(percent / 100), "threshold": Percent(threshold / 100)}))
        else:
            reasons.append(_("Attended ${rate}, below the threshold of ${threshold}.",
                             mapping={"rate": Percent(percent / 100), "threshold": Percent(threshold / 100)}))
    elif not kinds:
        reasons.append(_("Organisers receive a certificate only when issued by hand."))
    return kinds, reasons


def training_eligibility(dbsession: Session, training: Training, registrations: list[Registration] | None = None,
                         rates: dict[int, AttendanceRate] | None = None) -> list[Eligibility]:
    """Every registration of the training (cancelled ones included, as not eligible), or the
    `registrations` given (a page of them), with the kinds each earns, why, and the certificates
    it already has; a constant number of queries."""
    page = registrations is not None
    if not page:
        registrations = dbsession.scalars(
            select(Registration)
            .where(Registration.training_id == training.id)
            .options(selectinload(Registration.person))
            .order_by(Registration.id)
        ).all()
    ids = [registration.id for registration in registrations]
    if rates is None:
        rates = attendance_rates(dbsession, training.id, ids if page else None)
    spoken = spoken_sessions(dbsession, training.id)
    certificates: dict[int, list[Certificate]] = defaultdict(list)
    query = (select(Certificate).join(Registration, Registration.id == Certificate.registration_id)
             .where(Registration.training_id == training.id).order_by(Certificate.id))
    for certificate in dbsession.scalars(query.where(Certificate.registration_id.in_(ids)) if page else query):
        certificates[certificate.registration_id].append(certificate)
    result = []
    for registration in registrations:
        own_sessions = spoken.get(registration.person_id, [])
        rate = rates.get(registration.id)
        kinds, reasons = decide(registration, rate, training.attendance_threshold, own_sessions)
        result.append(Eligibility(registration, rate, training.attendance_threshold, kinds, reasons,
                                  own_sessions, certificates[registration.id]))
    if not page:
        result.sort(key=lambda item: (collation_key(item.registration.person.family_names),
                                      collation_key(item.registration.person.given_names), item.registration.id))
    return result


@dataclass
class Totals:
    """The certificates tab's figures over every registration of a training, from one
    aggregate query."""

    to_issue: int
    issued: int
    registrations: int
    # When the last session that takes place ends; None when there is none, or no registration
    # to read it from (callers then ask `Training.has_ended()`).
    last_session_end: dt.datetime | None = None


def certificate_totals(dbsession: Session, training: Training) -> Totals:
    """Certificates earned but not issued yet, and valid certificates issued, over the whole
    training: the rule of `earned_kinds` written in SQL over each registration's attended and
    expected seconds, so that one row comes back however many people the training has."""
    counted = aliased(TrainingSession)
    speaks = (select(SessionSpeaker.id).join(counted, counted.id == SessionSpeaker.session_id)
              .where(counted.training_id == training.id, counted.cancelled.is_(False),
                     SessionSpeaker.person_id == Registration.person_id).exists())
    valid = (Certificate.registration_id == Registration.id, Certificate.revoked_at.is_(None))

    def has_valid(kind):
        return select(Certificate.id).where(*valid, Certificate.kind == kind).exists()

    each = attendance_seconds(
        dbsession, training.id, Registration.status, Registration.role, speaks.label("speaks"),
        has_valid(CertificateKind.speaker).label("has_speaker"),
        has_valid(CertificateKind.attendance).label("has_attendance"),
        # Read with the figures so that the tab needs no statement of its own to know if the training is over.
        select(func.max(counted.ends_at)).where(counted.training_id == training.id, counted.cancelled.is_(False))
        .scalar_subquery().label("last_session_end")).subquery()
    confirmed = each.c.status == RegistrationStatus.confirmed
    reaches = and_(each.c.expected_seconds > 0,  # AttendanceRate.reaches, in whole seconds
                   each.c.attended_seconds * 100 >= training.attendance_threshold * each.c.expected_seconds)
    speaker_missing = and_(confirmed, or_(each.c.role.in_(list(SPEAKING_ROLES)), each.c.speaks),
                           not_(each.c.has_speaker))
    attendance_missing = and_(confirmed, each.c.role.in_(list(ATTENDING_ROLES)), reaches,
                              not_(each.c.has_attendance))
    row = dbsession.execute(select(
        func.count().label("registrations"),
        func.coalesce(func.sum(case((speaker_missing, 1), else_=0) + case((attendance_missing, 1), else_=0)), 0)
        .label("to_issue"),
        # Counted once over the training rather than once per registration.
        select(func.count()).select_from(Certificate).join(Registration, Registration.id == Certificate.registration_id)
        .where(Registration.training_id == training.id, Certificate.revoked_at.is_(None))
        .scalar_subquery().label("issued"),
        func.max(each.c.last_session_end).label("last_session_end"))).one()
    return Totals(int(row.to_issue), int(row.issued), row.registrations, row.last_session_end)


def registrations_page(dbsession: Session, training: Training, offset: int, limit: int
                       ) -> tuple[list[Registration], dict[int, AttendanceRate]]:
    """One page of the training's registrations (people by family name) with each one's
    attendance rate, in one query."""
    order = (Person.sort_name + "", Registration.id)  # `|| ''`: see participants.attendance.services.by_family_name
    page = (select(Registration.id).join(Person, Person.id == Registration.person_id)
            .where(Registration.training_id == training.id).order_by(*order).limit(limit).offset(offset)
            .cte("page"))
    rows = dbsession.execute(  # attendance summed over the page's people only
        attendance_seconds(dbsession, training.id, Registration, only=select(page.c.id))
        .join(Person, Person.id == Registration.person_id)
        .options(contains_eager(Registration.person)).order_by(*order)).all()
    return [row.Registration for row in rows], {row.id: rate_from_seconds(row) for row in rows}
