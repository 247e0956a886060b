"""Recording attendance: statuses, audit trail, concurrent organisers, mark-all and undo."""
import datetime as dt

import pytest

from participants.attendance import services
from participants.models import AttendanceMethod, AttendanceStatus, RegistrationRole, RegistrationStatus
from tests import factories


def test_the_sheet_lists_confirmed_people_taking_part_sorted_by_family_name(training, session, people):
    factories.RegistrationFactory(training=training, status=RegistrationStatus.cancelled)
    factories.RegistrationFactory(training=training, status=RegistrationStatus.waitlisted)
    speaker = factories.RegistrationFactory(training=training, role=RegistrationRole.speaker,
                                            person=factories.PersonFactory(family_names="Zevallos"))
    factories.RegistrationFactory(person=factories.PersonFactory(family_names="Aguirre"))  # another training
    rows = services.sheet(factories.TrainingFactory._meta.sqlalchemy_session, session)
    assert [row.registration.person.family_names for row in rows] == ["D'Angelo", "Núñez", "Ñahui", "Zevallos"]
    assert rows[-1].registration == speaker and all(row.status is None for row in rows)


@pytest.mark.parametrize("status", list(AttendanceStatus))
def test_each_status_is_recorded_with_its_event(dbsession, session, people, organiser, status):
    attendance = services.record(dbsession, people[0], session, status, AttendanceMethod.manual, organiser)
    assert attendance.status == status and attendance.previous_status is None
    [event] = attendance.events
    assert (event.status, event.previous_status, event.method, event.recorded_by) == (
        status, None, AttendanceMethod.manual, organiser)


def test_a_change_keeps_the_previous_status_and_the_same_status_writes_nothing(dbsession, session, people, organiser):
    services.record(dbsession, people[0], session, "absent", "manual", organiser)
    attendance = services.record(dbsession, people[0], session, "late", "qr", None)
    assert (attendance.status, attendance.previous_status, attendance.method) == ("late", "absent", "qr")
    assert services.record(dbsession, people[0], session, "late", "manual", organiser) is None
    history = services.history(dbsession, people[0].id, session.id)
    assert [(event.previous_status, event.status, event.method) for event in history] == [
        (None, "absent", "manual"), ("absent", "late", "qr")]


def test_a_registration_of_another_training_is_refused(dbsession, session, organiser):
    with pytest.raises(ValueError):
        services.record(dbsession, factories.RegistrationFactory(), session, "present", "manual", organiser)


def test_two_organisers_on_stale_objects_both_keep_their_marks(dbsession, session, people):
    first, second = factories.UserFactory(), factories.UserFactory()
    stale_sheet = services.sheet(dbsession, session)  # both loaded the page before anyone marked
    services.record(dbsession, stale_sheet[0].registration, session, "present", "manual", first)
    services.record(dbsession, stale_sheet[1].registration, session, "late", "manual", second)
    # The same row: the last write wins and the history keeps both.
    services.record(dbsession, stale_sheet[0].registration, session, "absent", "manual", second)
    statuses = {row.registration.id: row.status for row in services.sheet(dbsession, session)}
    assert statuses == {stale_sheet[0].registration.id: "absent", stale_sheet[1].registration.id: "late",
                        stale_sheet[2].registration.id: None}
    history = services.history(dbsession, stale_sheet[0].registration.id, session.id)
    assert [(event.recorded_by, event.status) for event in history] == [(first, "present"), (second, "absent")]


def test_mark_everyone_present_leaves_marked_rows_and_undo_restores_them(dbsession, session, people, organiser):
    services.record(dbsession, people[0], session, "excused", "manual", organiser)
    marked = services.mark_everyone_present(dbsession, session, organiser, now=session.starts_at)
    assert marked.count == 2
    assert [row.status for row in services.sheet(dbsession, session)] == ["present", "present", "excused"]
    assert services.undo_mark_everyone_present(dbsession, session, organiser, marked.first_event_id,
                                               marked.last_event_id) == (2, 0)
    assert [row.status for row in services.sheet(dbsession, session)] == [None, None, "excused"]
    assert len(services.history(dbsession, people[0].id, session.id)) == 1


def test_undo_keeps_a_row_changed_since(dbsession, session, people, organiser):
    marked = services.mark_everyone_present(dbsession, session, organiser, now=session.starts_at)
    services.record(dbsession, people[2], session, "late", "qr", None)
    restored, kept = services.undo_mark_everyone_present(dbsession, session, organiser, marked.first_event_id,
                                                         marked.last_event_id)
    assert (restored, kept) == (2, 1)
    assert {row.registration.id: row.status for row in services.sheet(dbsession, session)}[people[2].id] == "late"


def test_everyone_cannot_be_marked_present_before_the_session_starts(dbsession, session, people, organiser):
    with pytest.raises(services.SessionNotStarted):
        services.mark_everyone_present(dbsession, session, organiser, now=session.starts_at - dt.timedelta(minutes=1))
    assert [row.status for row in services.sheet(dbsession, session)] == [None, None, None]


def test_a_paper_sheet_marks_signers_present_and_never_overwrites_a_set_status(dbsession, session, people, organiser):
    services.record(dbsession, people[1], session, "excused", "manual", organiser)
    services.record(dbsession, people[2], session, "late", "qr", None)
    assert services.record_paper_sheet(dbsession, session, {people[2].id}, organiser) == (0, 1)
    statuses = {row.registration.id: (row.status, row.attendance.method) for row in services.sheet(dbsession, session)}
    assert statuses == {people[0].id: ("absent", "sheet"), people[1].id: ("excused", "manual"),
                        people[2].id: ("late", "qr")}


def test_arrival_is_late_after_the_grace_period(training, session):
    assert services.arrival_status(training, session, session.starts_at + dt.timedelta(minutes=15)) == "present"
    assert services.arrival_status(training, session, session.starts_at + dt.timedelta(minutes=16)) == "late"


def test_the_current_session_is_the_one_under_way_or_the_next_today(training):
    morning = factories.SessionFactory(training=training, start=dt.time(9), end=dt.time(11))
    noon = factories.SessionFactory(training=training, start=dt.time(12), end=dt.time(14))
    factories.SessionFactory(training=training, day=training.starts_on + dt.timedelta(days=1))
    assert services.current_session(training, morning.starts_at + dt.timedelta(minutes=30)) == morning
    assert services.current_session(training, morning.ends_at + dt.timedelta(minutes=5)) == noon
    assert services.current_session(training, noon.ends_at + dt.timedelta(hours=2)) == noon
    assert services.current_session(training, morning.starts_at - dt.timedelta(days=3)) is None


def test_search_finds_expected_people_by_name_or_institution(dbsession, training, people):
    assert services.find_expected(dbsession, training.id, "núñez") == [people[2]]
    assert services.find_expected(dbsession, training.id, "") == []
