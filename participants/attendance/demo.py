"""Demonstration attendance: a workshop in Puno that took place last month, 25 officials
confirmed, and every session's attendance recorded — mostly present, some late, a few excused
or absent — by QR code at the door, by hand and from the paper sheet, with a few corrections in
the audit trail. `participants.demo.load` calls `load(request)`."""
from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

from sqlalchemy import select

from trainings.models import (
    Language,
    Region,
    Training,
    TrainingKind,
    TrainingSession,
    TrainingStatus,
    User,
    Venue,
    utcnow,
)
from trainings.timezones import combine_local

from ..institutions import institution_named
from ..models import (
    AttendanceMethod,
    AttendanceStatus,
    Registration,
    RegistrationRole,
    RegistrationSource,
    RegistrationStatus,
)
from ..registry import PersonDetails, upsert_person
from ..tokens import new_token
from . import services

PEOPLE = Path(__file__).resolve().parent.parent / "demo_data" / "participants-en.csv"
TITLE = "Taller de identificación y protección de víctimas de trata — Puno"
DESCRIPTION = (
    "Dos jornadas para fiscales, policías, personal de salud y de los gobiernos locales de Puno y Juliaca: "
    "indicadores de trata, entrevista a víctimas, derivación y medidas de protección en la frontera con Bolivia."
)
SESSIONS = [
    # (day offset, start, end, title, topic, how attendance was taken)
    (0, "09:00", "10:45", "Indicadores de trata y explotación", "Casos de la región y señales de alerta.",
     AttendanceMethod.qr),
    (0, "11:00", "13:00", "Entrevista a víctimas con enfoque de género", "Entrevista única y revictimización.",
     AttendanceMethod.manual),
    (1, "09:00", "10:45", "Derivación y protección en zona de frontera", "Coordinación con Desaguadero y Bolivia.",
     AttendanceMethod.sheet),
    (1, "11:00", "13:00", "Plan regional de acción", "Compromisos por institución.", AttendanceMethod.qr),
]
PARTICIPANTS = 25
FORMULA = ("=", "+", "-", "@")


def load(request) -> Training | None:
    dbsession = request.dbsession
    if dbsession.scalar(select(Training.id).where(Training.title == TITLE)) is not None:
        return None
    training = add_training(dbsession)
    registrations = add_participants(dbsession, training)
    record_attendance(dbsession, training, registrations)
    dbsession.flush()
    return training


def _last_month(today: dt.date) -> dt.date:
    first_of_this_month = today.replace(day=1)
    last_month = (first_of_this_month - dt.timedelta(days=1)).replace(day=1)
    return last_month + dt.timedelta(days=(1 - last_month.weekday()) % 7 + 7)  # its second Tuesday or so


def add_training(dbsession) -> Training:
    region = dbsession.scalar(select(Region).where(Region.country == "PE", Region.name == "Puno"))
    if region is None:
        region = Region(country="PE", name="Puno", city="Juliaca", timezone="America/Lima")
    venue = dbsession.scalar(select(Venue).where(Venue.region == region, Venue.name == "Auditorio de la "
                                                 "Universidad Andina")) if region.id else None
    if venue is None:
        venue = Venue(region=region, name="Auditorio de la Universidad Andina", address="Jr. Ayacucho 128, Juliaca")
    starts_on = _last_month(dt.date.today())
    training = Training(
        title=TITLE, kind=TrainingKind.workshop, region=region, venue=venue, language=Language.es,
        offered_languages="es", capacity=30, status=TrainingStatus.published, published_at=utcnow(),
        starts_on=starts_on, ends_on=starts_on + dt.timedelta(days=1), description=DESCRIPTION,
        attendance_threshold=80, late_after_minutes=15,
    )
    for position, (offset, start, end, title, topic, _method) in enumerate(SESSIONS):
        day = starts_on + dt.timedelta(days=offset)
        training.sessions.append(TrainingSession(
            title=title, topic=topic, position=position, room="Auditorio principal",
            starts_at=combine_local(day, dt.time.fromisoformat(start), region.timezone),
            ends_at=combine_local(day, dt.time.fromisoformat(end), region.timezone)))
    dbsession.add(training)
    dbsession.flush()
    return training


def _clean(value: str) -> str:
    value = " ".join((value or "").split())
    return value.title() if value.isupper() else value


def _people_rows():
    """Peruvian rows of the shared list that make a usable person (the list is messy on purpose)."""
    seen = set()
    with open(PEOPLE, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            given, family = _clean(row["Given names"]), _clean(row["Family names"])
            email = (row["Email"] or "").strip().lower()
            if (row["Country"] != "PE" or not given or not family or "<" in given + family
                    or (given + family).startswith(FORMULA) or "@" not in email or " " in email
                    or email in seen):
                continue
            seen.add(email)
            yield given, family, email, row


def add_participants(dbsession, training: Training) -> list[Registration]:
    registrations = []
    for given, family, email, row in _people_rows():
        details = PersonDetails(given_names=given, family_names=family, email=email,
                                position=_clean(row["Position"]), country="PE",
                                institution=institution_named(dbsession, row["Institution"], "PE"))
        person, _created = upsert_person(dbsession, details)
        if dbsession.scalar(select(Registration.id).where(Registration.training_id == training.id,
                                                          Registration.person_id == person.id)):
            continue
        role = RegistrationRole.speaker if len(registrations) < 2 else RegistrationRole.participant
        registered_at = dt.datetime.combine(training.starts_on - dt.timedelta(days=20 - len(registrations) // 3),
                                            dt.time(15), dt.UTC)
        registration = Registration(
            training=training, person=person, role=role, status=RegistrationStatus.confirmed,
            source=RegistrationSource.import_ if len(registrations) % 3 else RegistrationSource.web,
            token_hash=new_token()[1], consent_at=registered_at, created_at=registered_at,
            confirmed_at=registered_at)
        dbsession.add(registration)
        registrations.append(registration)
        if len(registrations) == PARTICIPANTS + 2:
            break
    # Speakers take no place; every participant took one.
    training.confirmed_count = sum(1 for registration in registrations
                                   if registration.role == RegistrationRole.participant)
    dbsession.flush()
    return registrations


def record_attendance(dbsession, training: Training, registrations: list[Registration]) -> None:
    chance = random.Random(training.starts_on.toordinal())  # the same demo every time for the same date
    organiser = dbsession.scalar(select(User).order_by(User.id).limit(1))
    for session, (*_plan, method) in zip(training.sessions, SESSIONS, strict=True):
        for registration in registrations:
            draw = chance.random()
            if draw < 0.80:
                status, minutes = AttendanceStatus.present, chance.randint(-20, 10)
            elif draw < 0.89:
                status, minutes = AttendanceStatus.late, chance.randint(16, 45)
            elif draw < 0.95:
                status, minutes = AttendanceStatus.excused, -60 * 24
            else:
                status, minutes = AttendanceStatus.absent, 120
            how = method
            if status in (AttendanceStatus.excused, AttendanceStatus.absent) or method == AttendanceMethod.sheet:
                how = AttendanceMethod.manual if method != AttendanceMethod.sheet else method
                minutes = max(minutes, 150) if method == AttendanceMethod.sheet else minutes
            at = session.starts_at + dt.timedelta(minutes=minutes)
            if how == AttendanceMethod.qr and status == AttendanceStatus.present:
                at = session.starts_at + dt.timedelta(minutes=min(minutes, 14))
            services.record(dbsession, registration, session, status, how, None if how == AttendanceMethod.qr
                            else organiser, at=at)
    # Corrections an organiser made afterwards: the audit trail shows both statuses.
    first = training.sessions[0]
    for registration in registrations[5:7]:
        attendance = services.session_attendances_of(dbsession, registration.id, first.id)
        if attendance.status == AttendanceStatus.present:
            services.record(dbsession, registration, first, AttendanceStatus.late, AttendanceMethod.manual,
                            organiser, at=first.ends_at + dt.timedelta(minutes=5))
