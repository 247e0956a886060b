"""The database itself refuses bad data, on SQLite and on PostgreSQL alike."""
import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, StatementError

from tests import factories


def refuses(dbsession, statement, params):
    with pytest.raises((IntegrityError, StatementError)):
        with dbsession.begin_nested():
            dbsession.execute(sa.text(statement), params)


@pytest.fixture
def world(dbsession):
    training = factories.TrainingFactory()
    session = factories.SessionFactory(training=training)
    registration = factories.RegistrationFactory(training=training)
    return {"training": training, "session": session, "registration": registration,
            "person": registration.person, "region": training.region}


def update(table, assignment):
    return f"UPDATE {table} SET {assignment} WHERE id = :id"  # noqa: S608 - fixed test strings


@pytest.mark.parametrize("table,assignment,key", [
    ("training", "kind = 'lecture'", "training"),
    ("training", "status = 'archived'", "training"),
    ("training", "language = 'de'", "training"),
    ("training", "capacity = 0", "training"),
    ("training", "confirmed_count = capacity + 1", "training"),
    ("training", "confirmed_count = -1", "training"),
    ("training", "attendance_threshold = 101", "training"),
    ("training", "reminder_days = 31", "training"),
    ("training", "reminder_days = -1", "training"),
    ("training", "reminder_days = NULL", "training"),
    ("training", "ends_on = '2000-01-01'", "training"),
    ("training", "region_id = 999999", "training"),
    ("session", "ends_at = starts_at", "session"),
    ("session", "training_id = 999999", "session"),
    ("region", "country = 'PER'", "region"),
    ("person", "sex = 'unknown'", "person"),
    ("person", "preferred_language = 'pt'", "person"),
    ("person", "email = 'not-an-email'", "person"),
    ("person", "given_names = '  '", "person"),
    ("registration", "role = 'guest'", "registration"),
    ("registration", "status = 'maybe'", "registration"),
    ("registration", "source = 'fax'", "registration"),
])
def test_check_and_foreign_key_constraints(dbsession, world, table, assignment, key):
    refuses(dbsession, update(table, assignment), {"id": world[key].id})


def test_email_is_unique_whatever_case_and_spaces(dbsession):
    factories.PersonFactory(email="ana.perez@mpfn.gob.pe")
    with pytest.raises(IntegrityError), dbsession.begin_nested():
        factories.PersonFactory(email="  ANA.Perez@MPFN.gob.pe ")


def test_people_without_email_are_allowed(dbsession):
    factories.PersonFactory(email=None)
    factories.PersonFactory(email=None)


def test_one_registration_per_person_and_training(dbsession, world):
    with pytest.raises(IntegrityError), dbsession.begin_nested():
        factories.RegistrationFactory(training=world["training"], person=world["person"])


def test_attendance_enumerations_and_uniqueness(dbsession, world):
    insert = ("INSERT INTO attendance (registration_id, session_id, status, method, recorded_at) "
              "VALUES (:registration, :session, :status, :method, :now)")
    values = {"registration": world["registration"].id, "session": world["session"].id,
              "now": dt.datetime(2026, 1, 1, 12)}
    refuses(dbsession, insert, dict(values, status="sleeping", method="manual"))
    refuses(dbsession, insert, dict(values, status="present", method="telepathy"))
    with dbsession.begin_nested():
        dbsession.execute(sa.text(insert), dict(values, status="present", method="qr"))
    refuses(dbsession, insert, dict(values, status="late", method="manual"))


def test_certificate_constraints(dbsession, world):
    certificate = factories.CertificateFactory(registration=world["registration"])
    refuses(dbsession, update("certificate", "kind = 'diploma'"), {"id": certificate.id})
    refuses(dbsession, update("certificate", "revoked_at = CURRENT_TIMESTAMP, revoke_reason = ''"),
            {"id": certificate.id})
    with pytest.raises(IntegrityError), dbsession.begin_nested():
        factories.CertificateFactory(registration=world["registration"], serial=certificate.serial)
    with pytest.raises(IntegrityError), dbsession.begin_nested():  # a second valid one of the same kind
        factories.CertificateFactory(registration=world["registration"])


def test_user_role_and_normalised_email(dbsession):
    user = factories.UserFactory()
    refuses(dbsession, update("user_account", "role = 'superuser'"), {"id": user.id})
    refuses(dbsession, update("user_account", "email = 'Upper@Case.org'"), {"id": user.id})


def test_outbox_counts_cannot_go_negative(dbsession):
    from trainings.mail import queue_mail

    message = queue_mail(dbsession, to="a@b.org", subject="s", text="t")
    dbsession.flush()
    refuses(dbsession, update("outbox", "attempts = -1"), {"id": message.id})
    refuses(dbsession, update("outbox", "calendar_method = 'REPLY-ALL'"), {"id": message.id})
