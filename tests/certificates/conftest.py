"""Fixtures of the certificates tests: a past training with attendance recorded."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from participants.models import (
    Attendance,
    AttendanceMethod,
    AttendanceStatus,
    RegistrationRole,
    RegistrationStatus,
)
from tests import factories
from trainings.db import make_engine, migrate
from trainings.models import SessionSpeaker, SpeakerRole

P, A, E = AttendanceStatus.present, AttendanceStatus.absent, AttendanceStatus.excused

@dataclass
class PastTraining:
    training: object
    sessions: list
    people: dict  # label -> registration

def record(dbsession, registration, sessions, statuses) -> None:
    for session, status in zip(sessions, statuses, strict=False):
        if status is not None:
            dbsession.add(Attendance(registration=registration, session=session, status=status,
                                     method=AttendanceMethod.manual))
    dbsession.flush()

def make_past_training(dbsession, **training_values) -> PastTraining:
    """Five two-hour sessions over two days, ended last month, threshold 80 %; one more
    session cancelled. People:
    - at_threshold: 4 of 5 attended (80 %, exactly the threshold) → attendance
    - below: 3 of 5 (60 %) → nothing
    - excused: 3 attended, 1 excused, 1 absent → 3/4 = 75 % → nothing; `excused_ok`: 4 attended, 1 excused → 100 %
    - speaker: registered as speaker, speaks at sessions 1 and 2 → speaker certificate only
    - speaking_participant: participant who moderates session 3 and attended all → both
    - organiser: registered as organiser → nothing unless issued by hand
    - cancelled: a cancelled registration that attended → nothing
    """
    start = dt.date.today().replace(day=1) - dt.timedelta(days=20)
    values = {"starts_on": start, "ends_on": start + dt.timedelta(days=1), "attendance_threshold": 80,
              "title": "Taller de investigación de la trata de personas"}
    values.update(training_values)
    training = factories.TrainingFactory(**values)
    sessions = [
        factories.SessionFactory(training=training, day=start, start=dt.time(9), end=dt.time(11), title="Marco legal"),
        factories.SessionFactory(training=training, day=start, start=dt.time(11, 30), end=dt.time(13, 30),
                                 title="Identificación de víctimas"),
        factories.SessionFactory(training=training, day=start, start=dt.time(15), end=dt.time(17),
                                 title="Investigación financiera"),
        factories.SessionFactory(training=training, day=values["ends_on"], start=dt.time(9), end=dt.time(11),
                                 title="Coordinación interinstitucional"),
        factories.SessionFactory(training=training, day=values["ends_on"], start=dt.time(11, 30),
                                 end=dt.time(13, 30), title="Casos prácticos"),
    ]
    cancelled = factories.SessionFactory(training=training, day=values["ends_on"], start=dt.time(15),
                                         end=dt.time(17), cancelled=True, title="Sesión cancelada")
    people = {}

    def person(label, role=RegistrationRole.participant, status=None, **person_values):
        registration = factories.RegistrationFactory(
            training=training, role=role, person=factories.PersonFactory(**person_values),
            **({"status": status} if status else {}))
        people[label] = registration
        return registration

    record(dbsession, person("at_threshold", given_names="Tomás", family_names="García D'Angelo"),
           sessions + [cancelled], [P, P, P, P, A, A])
    record(dbsession, person("below", given_names="Luis", family_names="Quispe"), sessions, [P, P, P, A, A])
    record(dbsession, person("excused", given_names="Ana", family_names="Benítez"), sessions, [P, P, P, E, A])
    record(dbsession, person("excused_ok", given_names="Rosa", family_names="Mamani"), sessions, [P, P, P, E, P])
    speaker = person("speaker", RegistrationRole.speaker, given_names="Carmen", family_names="Villanueva",
                     preferred_language="en")
    record(dbsession, speaker, sessions, [P, P, P, P, P])
    speaking = person("speaking_participant", given_names="Jorge", family_names="Núñez")
    record(dbsession, speaking, sessions, [P, P, P, P, P])
    person("organiser", RegistrationRole.organiser, given_names="Lucía", family_names="Torres")

    record(dbsession, person("cancelled", status=RegistrationStatus.cancelled, given_names="Pedro",
                             family_names="Rojas"), sessions, [P, P, P, P, P])
    dbsession.add_all([
        SessionSpeaker(session=sessions[0], person=speaker.person, role=SpeakerRole.speaker),
        SessionSpeaker(session=sessions[1], person=speaker.person, role=SpeakerRole.speaker),
        SessionSpeaker(session=sessions[2], person=speaking.person, role=SpeakerRole.moderator),
        SessionSpeaker(session=cancelled, person=speaking.person, role=SpeakerRole.speaker),
    ])
    dbsession.flush()
    return PastTraining(training, sessions, people)

@pytest.fixture
def past(dbsession) -> PastTraining:
    return make_past_training(dbsession)


def ini_with_a_past_training(tmp_path, settings: str = ""):
    """An ini file and its own SQLite database holding a past training (committed: for the
    command line, whose commands commit); `settings` are more lines of [app:main]."""
    url = f"sqlite:///{tmp_path}/cli.sqlite"
    path = tmp_path / "test.ini"
    path.write_text(f"""[app:main]
use = egg:capacita
sqlalchemy.url = {url}
session.secret = cli-test
app.public_url = https://capacita.example
app.var_dir = {tmp_path}
mail.file_path = {tmp_path}/mail
{settings}
""")
    engine = make_engine({"sqlalchemy.url": url})
    migrate(engine)
    with Session(engine) as session:
        factories.bind(session)
        try:
            past = make_past_training(session)
            session.commit()
            training_id = past.training.id
        finally:
            factories.bind(None)
    engine.dispose()
    return path, training_id
