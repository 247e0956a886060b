"""The attendance rule: present and late attend; excused leaves the expected hours; cancelled
sessions never count."""
import datetime as dt

import pytest

from participants.attendance.rates import attendance_rates, rate_for
from participants.models import Attendance, AttendanceMethod, AttendanceStatus
from tests import factories

HOUR = dt.timedelta(hours=1)


def test_present_and_late_count_absent_does_not():
    durations = {1: 2 * HOUR, 2: 2 * HOUR, 3: 2 * HOUR, 4: 2 * HOUR}
    statuses = {1: AttendanceStatus.present, 2: AttendanceStatus.late, 3: AttendanceStatus.absent}
    rate = rate_for(durations, statuses)
    assert (rate.attended, rate.expected, rate.percent) == (4 * HOUR, 8 * HOUR, 50.0)


def test_excused_sessions_leave_the_expected_hours():
    durations = {1: 2 * HOUR, 2: 2 * HOUR, 3: HOUR}
    rate = rate_for(durations, {1: AttendanceStatus.present, 2: AttendanceStatus.present,
                                3: AttendanceStatus.excused})
    assert rate.rate == 1.0


@pytest.mark.parametrize("attended_hours,reaches", [(8, True), (7.99, False), (10, True)])
def test_threshold_is_inclusive(attended_hours, reaches):
    durations = {1: dt.timedelta(hours=attended_hours), 2: dt.timedelta(hours=10 - attended_hours)}
    rate = rate_for(durations, {1: AttendanceStatus.present})
    assert rate.reaches(80) is reaches


def test_everything_excused_reaches_nothing():
    rate = rate_for({1: HOUR}, {1: AttendanceStatus.excused})
    assert rate.rate is None and not rate.reaches(0)


def test_rates_of_a_training_ignore_cancelled_sessions(dbsession):
    training = factories.TrainingFactory()
    kept = factories.SessionFactory(training=training, start=dt.time(9), end=dt.time(11))
    factories.SessionFactory(training=training, start=dt.time(12), end=dt.time(14), cancelled=True)
    present, absent = factories.RegistrationFactory.create_batch(2, training=training)
    dbsession.add(Attendance(registration=present, session=kept, status=AttendanceStatus.present,
                             method=AttendanceMethod.manual))
    dbsession.flush()
    rates = attendance_rates(dbsession, training.id)
    assert rates[present.id].rate == 1.0
    assert rates[absent.id].rate == 0.0


def test_excused_and_cancelled_sessions_together(dbsession):
    """Four sessions of 2 h: one cancelled, one excused, one present, one absent → 2 h of 4 h."""
    training = factories.TrainingFactory(attendance_threshold=50)
    present_in, excused_in, absent_in = (
        factories.SessionFactory(training=training, start=dt.time(hour), end=dt.time(hour + 2)) for hour in (8, 11, 14))
    factories.SessionFactory(training=training, start=dt.time(17), end=dt.time(19), cancelled=True)
    registration = factories.RegistrationFactory(training=training)
    for session, status in ((present_in, AttendanceStatus.late), (excused_in, AttendanceStatus.excused),
                            (absent_in, AttendanceStatus.absent)):
        dbsession.add(Attendance(registration=registration, session=session, status=status,
                                 method=AttendanceMethod.manual))
    dbsession.flush()
    rate = attendance_rates(dbsession, training.id)[registration.id]
    assert (rate.attended, rate.expected, rate.percent) == (2 * HOUR, 4 * HOUR, 50.0)
    assert rate.reaches(training.attendance_threshold) and not rate.reaches(51)
