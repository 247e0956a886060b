"""Demonstration data for the participants package: the institutions, the speakers of the
Asunción seminar, and the shared sample lists imported into several trainings through the
import service — so that some rows are rejected as they would be, some trainings are full with
a waiting list, and the seminar (which requires approval) has registrations pending."""
from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from sqlalchemy import select

from trainings.demo import ASUNCION_SEMINAR
from trainings.models import Language, SessionSpeaker, SpeakerRole, Training, TrainingStatus

from .attendance import demo as attendance_demo
from .imports import commit, store_upload
from .institutions import find_or_create
from .models import Institution, InstitutionKind, Person, RegistrationRole, RegistrationSource, RegistrationStatus, Sex
from .registrations import approve, cancel, register

DATA = Path(__file__).parent / "demo_data"

# Invented people: any resemblance to real officials is a coincidence.
SPEAKERS = [
    # (given, family, email, sex, position, institution, country, session positions, role)
    ("Mariela", "Cevallos Andrade", "mcevallos@iom.int", Sex.female, "Oficial de Protección",
     "Organización Internacional para las Migraciones – Ecuador", "EC", (0,), SpeakerRole.speaker),
    ("Andrés Felipe", "Rincón Ospina", "arincon@iom.int", Sex.male, "Coordinador de Lucha contra la Trata",
     "Organización Internacional para las Migraciones – Colombia", "CO", (1,), SpeakerRole.speaker),
    ("Laura", "Quesada Montero", "lquesada@iom.int", Sex.female, "Especialista en Investigación",
     "Organización Internacional para las Migraciones – Costa Rica", "CR", (2, 3), SpeakerRole.speaker),
    ("Tomás", "Villagra Benítez", "tvillagra@iom.int", Sex.male, "Jefe de Misión adjunto",
     "Organización Internacional para las Migraciones – Paraguay", "PY", (0, 1, 2, 3), SpeakerRole.moderator),
]


def load(request) -> None:
    dbsession = request.dbsession
    load_institutions(dbsession)
    trainings = list(dbsession.scalars(
        select(Training).where(Training.status == TrainingStatus.published).order_by(Training.starts_on)))
    if not trainings:
        return
    seminar = next((training for training in trainings if training.title == ASUNCION_SEMINAR), None)
    if seminar is not None:
        add_speakers(request, seminar)
    es_lines = _lines(DATA / "participants-es-cp1252.csv", "cp1252")
    en_lines = _lines(DATA / "participants-en.csv", "utf-8-sig")
    today = dt.date.today()
    workshops = [training for training in trainings if training is not seminar]
    past = [training for training in workshops if training.ends_on < today]
    upcoming = [training for training in workshops if training.ends_on >= today]
    plan = [
        # (training, header + these rows, encoding of the upload): past ones with their lists,
        # the next one overbooked with a waiting list, the seminar pending approval.
        (past[0] if past else None, es_lines[0:1] + es_lines[1:60], "cp1252"),
        (past[1] if len(past) > 1 else None, es_lines[0:1] + es_lines[160:200], "cp1252"),
        (upcoming[0] if upcoming else None, es_lines[0:1] + es_lines[60:160], "cp1252"),
        (upcoming[1] if len(upcoming) > 1 else None, en_lines[0:1] + en_lines[1:80], "utf-8"),
        (seminar, en_lines[0:1] + en_lines[80:], "utf-8"),
    ]
    for training, lines, encoding in plan:
        if training is None:
            continue
        content = "\r\n".join(lines).encode(encoding, errors="replace")
        filename = f"lista-{training.region.name.lower().replace(' ', '-')}.csv"
        upload = store_upload(dbsession, training, filename, content, None)
        commit(request, upload, training, notify=False)
    if seminar is not None:
        _approve_some(request, seminar, 12)
    if upcoming:
        _cancel_some(request, upcoming[0], 2)
    dbsession.flush()
    attendance_demo.load(request)  # a workshop held last month, with every session recorded


def load_institutions(dbsession) -> None:
    with open(DATA / "institutions.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            institution, _created = find_or_create(dbsession, row["name"], row["country"], InstitutionKind(row["kind"]))
            institution.kind = InstitutionKind(row["kind"])
            institution.reviewed = True  # the programme's own list, checked by its organisers


def add_speakers(request, seminar: Training) -> None:
    dbsession = request.dbsession
    sessions = sorted(seminar.sessions, key=lambda session: (session.starts_at, session.position))
    for given, family, email, sex, position, institution_name, country, positions, role in SPEAKERS:
        institution = dbsession.scalar(select(Institution).where(Institution.name == institution_name))
        person = Person(given_names=given, family_names=family, email=email, sex=sex, position=position,
                        institution=institution, country=country, preferred_language=Language.es)
        dbsession.add(person)
        dbsession.flush()
        for index in positions:
            if index < len(sessions):
                dbsession.add(SessionSpeaker(session=sessions[index], person=person, role=role))
        register(request, seminar, person,
                 role=RegistrationRole.moderator if role == SpeakerRole.moderator else RegistrationRole.speaker,
                 source=RegistrationSource.organiser, approved=True)


def _lines(path: Path, encoding: str) -> list[str]:
    text = path.read_bytes().decode(encoding)
    return [line for line in io.StringIO(text, newline=None).read().splitlines()]


def _first(request, training: Training, status: RegistrationStatus, count: int) -> list:
    from .models import Registration

    return list(request.dbsession.scalars(
        select(Registration).where(Registration.training_id == training.id, Registration.status == status)
        .order_by(Registration.id).limit(count)))


def _approve_some(request, training: Training, count: int) -> None:
    for registration in _first(request, training, RegistrationStatus.pending, count):
        approve(request, registration)


def _cancel_some(request, training: Training, count: int) -> None:
    for registration in _first(request, training, RegistrationStatus.confirmed, count):
        cancel(request, registration)
