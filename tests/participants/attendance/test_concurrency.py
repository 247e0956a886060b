"""Two organisers marking at the same moment, in two real transactions (PostgreSQL only: SQLite
serialises writers, so there is no race to lose there)."""
import datetime as dt
import secrets
import threading

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from participants.attendance import services
from participants.models import Attendance, AttendanceEvent, Institution, Person, Registration
from trainings.models import Region, Training, TrainingKind, TrainingSession, User

pytestmark = pytest.mark.postgresql


@pytest.fixture
def committed(engine):
    """A training with two confirmed people and two organisers, committed, removed afterwards."""
    suffix = secrets.token_hex(4)
    with Session(engine) as setup:
        region = Region(country="PE", name=f"Concurrencia {suffix}", city="Lima", timezone="America/Lima")
        training = Training(title="Concurrencia", kind=TrainingKind.workshop, region=region, capacity=5,
                            starts_on=dt.date(2030, 1, 8), ends_on=dt.date(2030, 1, 8))
        session = TrainingSession(training=training, title="Única",
                                  starts_at=dt.datetime(2030, 1, 8, 14, tzinfo=dt.UTC),
                                  ends_at=dt.datetime(2030, 1, 8, 16, tzinfo=dt.UTC))
        institution = Institution(name=f"Fiscalía {suffix}")
        people = [Person(given_names=name, family_names=suffix, email=f"{name.lower()}.{suffix}@mpfn.gob.pe",
                         institution=institution) for name in ("Rosa", "Inés")]
        registrations = [Registration(training=training, person=person, status="confirmed",
                                      token_hash=secrets.token_hex(32)) for person in people]
        users = [User(email=f"{name}.{suffix}@capacita.test", password_hash="x", role="organiser")
                 for name in ("ana", "luis")]
        setup.add_all([session, *registrations, *users])
        setup.commit()
        ids = {"session": session.id, "registrations": [r.id for r in registrations], "users": [u.id for u in users],
               "training": training.id, "people": [p.id for p in people], "institution": institution.id,
               "region": region.id}
    yield ids
    with Session(engine) as cleanup:
        attendance_ids = select(Attendance.id).where(Attendance.session_id == ids["session"])
        cleanup.execute(delete(AttendanceEvent).where(AttendanceEvent.attendance_id.in_(attendance_ids)))
        cleanup.execute(delete(Attendance).where(Attendance.session_id == ids["session"]))
        cleanup.execute(delete(Registration).where(Registration.id.in_(ids["registrations"])))
        cleanup.execute(delete(Person).where(Person.id.in_(ids["people"])))
        cleanup.execute(delete(Institution).where(Institution.id == ids["institution"]))
        cleanup.execute(delete(User).where(User.id.in_(ids["users"])))
        cleanup.execute(delete(TrainingSession).where(TrainingSession.id == ids["session"]))
        cleanup.execute(delete(Training).where(Training.id == ids["training"]))
        cleanup.execute(delete(Region).where(Region.id == ids["region"]))
        cleanup.commit()


def _at_once(engine, ids, marks):
    """Each (user index, registration index, status) in its own thread and transaction, all
    started together."""
    barrier = threading.Barrier(len(marks))
    errors = []

    def organiser(user_index, registration_index, status):
        try:
            with Session(engine) as dbsession:
                registration = dbsession.get(Registration, ids["registrations"][registration_index])
                session = dbsession.get(TrainingSession, ids["session"])
                user = dbsession.get(User, ids["users"][user_index])
                barrier.wait(timeout=10)
                services.record(dbsession, registration, session, status, "manual", user)
                dbsession.commit()
        except Exception as error:  # noqa: BLE001 — any failure is reported in the test's own thread
            errors.append(error)

    threads = [threading.Thread(target=organiser, args=mark) for mark in marks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []


def _statuses(engine, ids):
    with Session(engine) as dbsession:
        rows = dbsession.execute(select(Attendance.registration_id, Attendance.status)
                                 .where(Attendance.session_id == ids["session"]))
        return {registration_id: status for registration_id, status in rows}


def test_different_rows_marked_at_once_are_both_kept(engine, committed):
    _at_once(engine, committed, [(0, 0, "present"), (1, 1, "late")])
    first, second = committed["registrations"]
    assert _statuses(engine, committed) == {first: "present", second: "late"}


def test_the_same_row_marked_at_once_keeps_both_changes_in_its_history(engine, committed):
    _at_once(engine, committed, [(0, 0, "present"), (1, 0, "absent")])
    with Session(engine) as dbsession:
        history = services.history(dbsession, committed["registrations"][0], committed["session"])
        assert len(history) == 2 and history[0].previous_status is None
        assert history[1].previous_status == history[0].status  # the second saw the first
        assert _statuses(engine, committed)[committed["registrations"][0]] == history[1].status
        assert {event.recorded_by_id for event in history} == set(committed["users"])
