"""Organiser pages and the check-in read a bounded number of SQL statements, however many
people a training has: at most 8 for a page, 6 for a scan (counted as production issues them)."""
import datetime as dt
import re

import pytest

from certificates.models import CertificateKind
from participants.attendance.qr import make_token, short_code
from participants.models import Attendance, AttendanceMethod, AttendanceStatus, RegistrationStatus
from tests import factories
from trainings.models import TrainingStatus, utcnow

PAGE_LIMIT, CHECKIN_LIMIT = 8, 6


def busy_training(dbsession, people: int):
    """A published training under way: sessions, registrations, attendance, certificates."""
    now = utcnow()
    training = factories.TrainingFactory(capacity=people + 10, status=TrainingStatus.published,
                                         starts_on=now.date() - dt.timedelta(days=1),
                                         ends_on=now.date() + dt.timedelta(days=1))
    sessions = [factories.SessionFactory(training=training, day=now.date() - dt.timedelta(days=1),
                                         start=dt.time(9 + 2 * number), end=dt.time(10 + 2 * number))
                for number in range(3)]
    institution = factories.InstitutionFactory()
    registrations = []
    for number in range(people):
        registration = factories.RegistrationFactory(
            training=training, status=RegistrationStatus.confirmed,
            person=factories.PersonFactory(family_names=f"Núñez {number}", institution=institution))
        registrations.append(registration)
        for session in sessions:
            dbsession.add(Attendance(registration=registration, session=session, status=AttendanceStatus.present,
                                     method=AttendanceMethod.manual))
        if number % 2:
            factories.CertificateFactory(registration=registration, kind=CertificateKind.attendance)
    training.confirmed_count = people
    dbsession.flush()
    return training, sessions, registrations


def organiser_pages(training, session, person) -> list[str]:
    base = f"/organiser/trainings/{training.id}"
    return ["/organiser", "/organiser/trainings", "/organiser/calendar", base, f"{base}/registrations",
            f"{base}/registrations?q=nunez&status=confirmed", f"{base}/registrations?page=2", f"{base}/attendance",
            f"{base}/attendance?q=n%C3%BA%C3%B1ez", f"{base}/certificates", f"{base}/checkin",
            f"/organiser/sessions/{session.id}/attendance", "/organiser/people", "/organiser/people?q=N%C3%BA%C3%B1ez",
            "/organiser/people/duplicates", f"/organiser/people/{person.id}", "/organiser/regions",
            "/organiser/programmes"]


@pytest.mark.parametrize("people", [3, 120])
def test_organiser_pages_read_a_bounded_number_of_statements(organiser_app, dbsession, statements, people):
    training, sessions, registrations = busy_training(dbsession, people)
    counts = {}
    for path in organiser_pages(training, sessions[0], registrations[0].person):
        counts[path] = statements.count(lambda path=path: organiser_app.get(path, status=200))
    assert {path: count for path, count in counts.items() if count > PAGE_LIMIT} == {}


@pytest.mark.parametrize("code_of", [make_token, short_code], ids=["scanned token", "typed short code"])
def test_a_check_in_scan_issues_at_most_six_statements(organiser_app, dbsession, statements, app, code_of):
    now = utcnow()
    training = factories.TrainingFactory(status=TrainingStatus.published, starts_on=now.date(), ends_on=now.date())
    session = factories.SessionFactory(training=training, starts_at=now - dt.timedelta(minutes=5),
                                       ends_at=now + dt.timedelta(hours=1))
    person = factories.PersonFactory(institution=factories.InstitutionFactory())
    registration = factories.RegistrationFactory(training=training, status=RegistrationStatus.confirmed, person=person)
    dbsession.flush()
    page = organiser_app.get(f"/organiser/trainings/{training.id}/checkin")
    csrf = re.search(r'data-csrf="([^"]+)"', page.text).group(1)
    code = code_of(app.registry.settings["session.secret"], registration)

    def scan():
        return organiser_app.post_json(f"/organiser/trainings/{training.id}/checkin/scan",
                                       {"code": code, "session": session.id}, headers={"X-CSRF-Token": csrf})

    answers = []
    assert statements.count(lambda: answers.append(scan())) <= CHECKIN_LIMIT
    assert answers[0].json["result"] == "present" and answers[0].json["institution"]
    assert statements.count(lambda: answers.append(scan())) <= CHECKIN_LIMIT
    assert answers[1].json["result"] == "already"
