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
- Packages built on this one may add conditions to the attendance certificate (evaluations: a
  passed post-test) with `config.add_certificate_condition`; each condition says why in the
  explanation, met or not.
"""
from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Integer, and_, bindparam, case, func, or_, select
from sqlalchemy.orm import Session, aliased, contains_eager, selectinload

from participants.attendance.rates import (
    AttendanceRate,
    attendance_rates,
    attendance_seconds,
    rate_from_seconds,
    reaches_in_sql,
)
from participants.attendance.services import by_family_name, family_name_page
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
        """Kinds earned and never issued: what "Issue the eligible certificates" issues. A kind
        whose certificate was revoked is not issued again on its own (the revocation was a
        decision — the person attended another edition, say); an organiser re-issues it by hand."""
        issued = {certificate.kind for certificate in self.certificates}
        return [kind for kind in self.kinds if kind not in issued]

    @property
    def revoked_kinds(self) -> list[CertificateKind]:
        """Kinds earned whose certificates were all revoked: shown as such, issued only by hand."""
        valid = {certificate.kind for certificate in self.valid_certificates}
        return [kind for kind in self.kinds
                if kind not in valid and any(certificate.kind == kind for certificate in self.certificates)]


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


# `condition(dbsession, training)` gives None when it does not apply to the training, else a check
# `check(registration_id) -> (met, reason)` for each confirmed participant or observer.
Condition = Callable[[Session, Training], Callable[[int], tuple[bool, object]] | None]


def certificate_checks(request, training: Training) -> list:
    """The checks of the conditions other packages added that apply to `training` (each
    condition costs one statement or so: evaluate them once per request)."""
    conditions = request.registry.get("certificate_conditions", ())
    return [check for check in (condition(request.dbsession, training) for condition in conditions)
            if check is not None]


def apply_conditions(registration_id: int, status, role, kinds: list, reasons: list | None, checks) -> None:
    """The attendance certificate also needs every added condition met."""
    if role not in ATTENDING_ROLES or status != RegistrationStatus.confirmed:
        return
    for check in checks:
        met, reason = check(registration_id)
        if reasons is not None:
            reasons.append(reason)
        if not met and CertificateKind.attendance in kinds:
            kinds.remove(CertificateKind.attendance)


def training_eligibility(dbsession: Session, training: Training, registrations: list[Registration] | None = None,
                         rates: dict[int, AttendanceRate] | None = None, checks=()) -> list[Eligibility]:
    """Every registration of the training (cancelled ones included, as not eligible), or the
    `registrations` given (a page of them), with the kinds each earns, why, and the certificates
    it already has; a constant number of queries. `checks`: see `certificate_checks`."""
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
        apply_conditions(registration.id, registration.status, registration.role, kinds, reasons, checks)
        result.append(Eligibility(registration, rate, training.attendance_threshold, kinds, reasons,
                                  own_sessions, certificates[registration.id]))
    if not page:
        result.sort(key=lambda item: (collation_key(item.registration.person.family_names),
                                      collation_key(item.registration.person.given_names), item.registration.id))
    return result


def eligibility_page(dbsession: Session, training: Training, search_conditions, offset: int, limit: int,
                     checks=()) -> list[Eligibility]:
    """One page of the training's registrations (those matching `search_conditions`, on
    Registration and Person, if any), in family-name order, with each one's eligibility: its rate
    read with the page (the attendance of these few people summed in SQL, not the whole training's)."""
    dialect_name = dbsession.get_bind().dialect.name
    statement = (_page_statement(dialect_name, tuple(search_conditions)) if search_conditions
                 else _unsearched_page_statement(dialect_name))
    rows = dbsession.execute(statement, {"training_id": training.id, "limit": limit, "offset": offset}).all()
    rates = {row.id: rate_from_seconds(row) for row in rows}
    return training_eligibility(dbsession, training, [row.Registration for row in rows], rates, checks)


def _page_statement(dialect_name: str, search_conditions: tuple):
    training_id = bindparam("training_id", type_=Integer)
    page = family_name_page((Registration.training_id == training_id, *search_conditions),
                            bindparam("limit", type_=Integer), bindparam("offset", type_=Integer))
    return by_family_name(
        attendance_seconds(dialect_name, training_id, Registration, only=select(page.c.id))
        .join(Person, Person.id == Registration.person_id).options(contains_eager(Registration.person)))


# Built once per database kind: building and keying it costs more Python time than running it.
_unsearched_page_statement = functools.cache(lambda dialect_name: _page_statement(dialect_name, ()))


@dataclass
class Totals:
    """The certificates tab's figures over every registration of a training."""

    to_issue: int
    issued: int
    registrations: int
    # When the last session that takes place ends; None when there is none, or no registration
    # to read it from (callers then ask `Training.has_ended()`).
    last_session_end: dt.datetime | None = None


def certificate_totals(dbsession: Session, training: Training, checks=()) -> Totals:
    """Certificates earned and never issued (`Eligibility.missing`: a revoked one is not issued
    again automatically), and valid certificates issued, over the whole
    training: the rule of `earned_kinds` counted in SQL, in one statement, for thousands of
    registrations. Added conditions (`checks`) are decided in Python, so only the attendance
    certificates still to issue are read one by one, and only when the training has any."""
    statements = _totals_statements(dbsession.get_bind().dialect.name)
    values = {"training_id": training.id, "threshold": training.attendance_threshold}
    row = dbsession.execute(statements.totals, values).one()
    attendance_count = row.attendance_to_issue
    if checks and attendance_count:
        for registration_id in dbsession.scalars(statements.attendance_to_issue, values):
            kinds = [CertificateKind.attendance]
            apply_conditions(registration_id, RegistrationStatus.confirmed, RegistrationRole.participant,
                             kinds, None, checks)
            attendance_count -= not kinds
    # int(): PostgreSQL sums bigints as numerics.
    return Totals(int(row.speaker_to_issue + attendance_count), int(row.issued), row.registrations,
                  row.last_session_end if row.registrations else None)


@dataclass(frozen=True)
class _TotalsStatements:
    totals: object
    attendance_to_issue: object  # the ids of the attendance certificates earned and never issued


@functools.cache
def _totals_statements(dialect_name: str) -> _TotalsStatements:
    """Built once per database kind, with the training and its threshold as parameters: building
    and keying statements of this size costs more Python time than PostgreSQL takes to run them."""
    training_id, threshold = bindparam("training_id", type_=Integer), bindparam("threshold", type_=Integer)
    facts = _certificate_facts(dialect_name, training_id).subquery()
    confirmed = facts.c.status == RegistrationStatus.confirmed
    earns_speaker = and_(confirmed, or_(facts.c.role.in_(list(SPEAKING_ROLES)), facts.c.speaks))
    attendance_to_issue = and_(
        confirmed, facts.c.role.in_(list(ATTENDING_ROLES)), facts.c.attendance_issued == 0,
        reaches_in_sql(facts.c.attended_seconds, facts.c.expected_seconds, threshold))
    counted = aliased(TrainingSession)
    last_session_end = (select(func.max(counted.ends_at))
                        .where(counted.training_id == training_id, counted.cancelled.is_(False)).scalar_subquery())
    totals = select(
        func.count().label("registrations"),
        _count_where(and_(earns_speaker, facts.c.speaker_issued == 0)).label("speaker_to_issue"),
        _count_where(attendance_to_issue).label("attendance_to_issue"),
        func.coalesce(func.sum(facts.c.valid_certificates), 0).label("issued"),
        # Read with the figures so that the tab needs no statement of its own to know if the training is over.
        last_session_end.label("last_session_end"))
    return _TotalsStatements(totals, select(facts.c.id).where(attendance_to_issue))


def _count_where(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _certificate_facts(dialect_name: str, training_id):
    """Each registration of the training with its status, role, attended and expected seconds,
    whether it speaks at a session, whether it was ever issued a certificate of each kind (valid or
    revoked: `Eligibility.missing`) and how many valid certificates it holds: the speakers and
    certificates grouped once for the training and joined, rather than looked up for each of
    thousands of registrations."""
    counted = aliased(TrainingSession)
    speakers = (select(SessionSpeaker.person_id).join(counted, counted.id == SessionSpeaker.session_id)
                .where(counted.training_id == training_id, counted.cancelled.is_(False)).distinct().subquery())

    def one_if(kind):
        return func.max(case((Certificate.kind == kind, 1), else_=0))

    issued = (select(Certificate.registration_id,
                     func.sum(case((Certificate.revoked_at.is_(None), 1), else_=0)).label("valid"),
                     one_if(CertificateKind.speaker).label("speaker"),
                     one_if(CertificateKind.attendance).label("attendance"))
              .join(Registration, Registration.id == Certificate.registration_id)
              .where(Registration.training_id == training_id)
              .group_by(Certificate.registration_id).subquery())
    return (attendance_seconds(
        dialect_name, training_id, Registration.status, Registration.role,
        speakers.c.person_id.is_not(None).label("speaks"),
        func.coalesce(issued.c.speaker, 0).label("speaker_issued"),
        func.coalesce(issued.c.attendance, 0).label("attendance_issued"),
        func.coalesce(issued.c.valid, 0).label("valid_certificates"))
        .outerjoin(speakers, speakers.c.person_id == Registration.person_id)
        .outerjoin(issued, issued.c.registration_id == Registration.id))
