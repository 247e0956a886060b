"""The signed check-in code and what the door does with it."""
import datetime as dt

from sqlalchemy import select

from participants.attendance.checkin import check_in_code
from participants.attendance.qr import make_token, read_short_code, read_token, short_code
from participants.models import Attendance, AttendanceStatus, RegistrationStatus
from tests import factories

SECRET = "a-secret"


def attendances(dbsession):
    return len(dbsession.scalars(select(Attendance)).all())


def test_the_token_is_signed_and_names_registration_and_training(people):
    token = make_token(SECRET, people[0])
    code = read_token(SECRET, token)
    assert (code.registration_id, code.training_id) == (people[0].id, people[0].training_id)
    assert read_token("another-secret", token) is None
    assert read_token(SECRET, token[:-2] + ("AA" if not token.endswith("AA") else "BB")) is None
    assert read_token(SECRET, str(people[0].id)) is None and read_token(SECRET, "") is None


def test_a_valid_code_checks_in_present_then_late_after_the_grace(dbsession, training, session, people, organiser):
    on_time = session.starts_at + dt.timedelta(minutes=10)
    result = check_in_code(dbsession, SECRET, training, session, make_token(SECRET, people[0]), organiser, on_time)
    assert (result.result, result.name) == ("present", people[0].person.full_name)
    late = session.starts_at + dt.timedelta(minutes=20)
    result = check_in_code(dbsession, SECRET, training, session, make_token(SECRET, people[1]), organiser, late)
    assert result.result == "late"


def test_scanning_twice_is_harmless(dbsession, training, session, people, organiser):
    token = make_token(SECRET, people[0])
    check_in_code(dbsession, SECRET, training, session, token, organiser)
    result = check_in_code(dbsession, SECRET, training, session, token, organiser)
    assert result.result == "already"
    [attendance] = people[0].attendances
    assert len(attendance.events) == 1


def test_an_excused_person_who_comes_after_all_is_checked_in(dbsession, training, session, people, organiser):
    from participants.attendance.services import record

    record(dbsession, people[0], session, "excused", "manual", organiser)
    result = check_in_code(dbsession, SECRET, training, session, make_token(SECRET, people[0]), organiser,
                           session.starts_at)
    assert result.result == "present" and people[0].attendances[0].previous_status == AttendanceStatus.excused


def test_refusals_write_nothing(dbsession, training, session, people, organiser):
    other = factories.RegistrationFactory()
    cancelled = factories.RegistrationFactory(training=training, status=RegistrationStatus.cancelled)
    waiting = factories.RegistrationFactory(training=training, status=RegistrationStatus.waitlisted)
    cases = {
        "another training": make_token(SECRET, other),
        "forged": make_token("guessed-secret", people[0]),
        "tampered": make_token(SECRET, people[0])[:-3] + "xyz",
        "a bare id": str(people[0].id),
        "cancelled": make_token(SECRET, cancelled),
        "waitlisted": make_token(SECRET, waiting),
    }
    messages = {}
    for case, code in cases.items():
        result = check_in_code(dbsession, SECRET, training, session, code, organiser)
        assert result.result == "refused", case
        messages[case] = str(result.message)
    assert "another training" in messages["another training"]
    assert "cancelled" in messages["cancelled"] and "not confirmed" in messages["waitlisted"]
    assert attendances(dbsession) == 0


def test_a_cancelled_session_refuses_check_in(dbsession, training, people, organiser):
    cancelled = factories.SessionFactory(training=training, cancelled=True)
    result = check_in_code(dbsession, SECRET, training, cancelled, make_token(SECRET, people[0]), organiser)
    assert result.result == "refused" and attendances(dbsession) == 0


def test_a_short_code_checks_in_however_it_is_typed(dbsession, training, session, people, organiser):
    code = short_code(SECRET, people[0])
    number, check = code.split("-")
    assert number == str(people[0].id) and len(check) == 4
    typed = f" {number} {check.lower()} "
    result = check_in_code(dbsession, SECRET, training, session, typed, organiser, session.starts_at)
    assert (result.result, result.name) == ("present", people[0].person.full_name)
    [attendance] = people[0].attendances
    assert attendance.method == "qr"


def test_a_short_code_with_a_typo_or_of_another_training_is_refused(dbsession, training, session, people,
                                                                    organiser):
    other = factories.RegistrationFactory()
    dbsession.flush()
    number, check = short_code(SECRET, people[0]).split("-")
    typo = f"{number}-{check[:3]}{'X' if check[3] != 'X' else 'Y'}"
    result = check_in_code(dbsession, SECRET, training, session, typo, organiser)
    assert result.result == "refused" and "Nobody has the check-in code" in str(result.message)
    assert result.message.mapping["code"] == typo
    result = check_in_code(dbsession, SECRET, training, session, short_code(SECRET, other), organiser)
    assert result.result == "refused" and "another training" in str(result.message)
    result = check_in_code(dbsession, SECRET, training, session, short_code("guessed-secret", people[0]), organiser)
    assert result.result == "refused"
    result = check_in_code(dbsession, SECRET, training, session, "999999-ABCD", organiser)
    assert result.result == "refused" and "Nobody has the check-in code" in str(result.message)
    assert attendances(dbsession) == 0


def test_read_short_code_takes_look_alike_letters_and_refuses_other_shapes():
    assert read_short_code("12-0OIL") == read_short_code("12 0011")
    assert read_short_code("12-0OIL").registration_id == 12
    assert read_short_code("12") is None and read_short_code("ABCD") is None and read_short_code("12-ABC") is None
    assert read_short_code("１２-ABCD") is None  # full-width digits are not ours
    assert read_short_code("1" * 200) is None
