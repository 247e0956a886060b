"""Capacity holds under concurrent registrations: 50 registrations at once for 20 places, each
in its own connection and transaction, committed for real. The PostgreSQL run is the one
that matters (row locks on the guarded UPDATE); on SQLite, writers are serialised by the
database lock and the same test checks that nothing breaks under it."""
import datetime as dt
import threading
from types import SimpleNamespace

import pytest
from sqlalchemy import delete, select
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from participants.models import Person, Registration, RegistrationStatus
from participants.registrations import register
from trainings.models import Language, Region, Training, TrainingKind, TrainingStatus

PLACES, PEOPLE = 20, 50


class _Registry:
    def notify(self, event):
        pass


def _create_training(engine) -> int:
    with Session(engine) as session, session.begin():
        region = Region(country="PY", name="Concurrencia", city="Asunción", timezone="America/Asuncion")
        training = Training(title="Concurrencia", kind=TrainingKind.workshop, region=region, language=Language.es,
                            capacity=PLACES, status=TrainingStatus.published, starts_on=dt.date(2030, 1, 1),
                            ends_on=dt.date(2030, 1, 2))
        session.add(training)
        session.flush()
        return training.id


def _register_one(engine, training_id: int, number: int, errors: list, barrier: threading.Barrier):
    barrier.wait()
    for _attempt in range(10):
        try:
            with Session(engine) as session, session.begin():
                person = Person(given_names=f"Persona {number}", family_names="Concurrente",
                                email=f"concurrente{number}@example.org")
                session.add(person)
                session.flush()
                request = SimpleNamespace(dbsession=session, registry=_Registry())
                register(request, session.get(Training, training_id), person)
            return
        except OperationalError as error:  # serialization failure or deadlock: try again
            errors.append(error)
        except DBAPIError as error:
            errors.append(error)
            raise


@pytest.mark.postgresql
def test_fifty_concurrent_registrations_for_twenty_places(engine):
    _fifty_concurrent_registrations(engine)


def test_concurrent_registrations_on_sqlite(engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("the PostgreSQL run is the test above")
    _fifty_concurrent_registrations(engine)


def _fifty_concurrent_registrations(engine):
    training_id = _create_training(engine)
    errors: list = []
    barrier = threading.Barrier(PEOPLE)
    threads = [threading.Thread(target=_register_one, args=(engine, training_id, number, errors, barrier))
               for number in range(PEOPLE)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        with Session(engine) as session:
            statuses = list(session.scalars(select(Registration.status).where(Registration.training_id == training_id)))
            training = session.get(Training, training_id)
            assert len(statuses) == PEOPLE
            assert statuses.count(RegistrationStatus.confirmed) == PLACES
            assert statuses.count(RegistrationStatus.waitlisted) == PEOPLE - PLACES
            assert training.confirmed_count == PLACES
    finally:
        with Session(engine) as session, session.begin():
            person_ids = select(Registration.person_id).where(Registration.training_id == training_id)
            ids = list(session.scalars(person_ids))
            session.execute(delete(Registration).where(Registration.training_id == training_id))
            session.execute(delete(Person).where(Person.id.in_(ids)))
            region_id = session.get(Training, training_id).region_id
            session.execute(delete(Training).where(Training.id == training_id))
            session.execute(delete(Region).where(Region.id == region_id))


