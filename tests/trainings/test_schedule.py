"""The timetable's rules, without HTTP: every validation refuses with a message on the right
field and writes nothing; edits raise SEQUENCE and the schedule's events."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from tests import factories
from trainings.events import SessionCancelled, SessionsChanged, TrainingCancelled, TrainingPublished
from trainings.forms import FieldErrors
from trainings.models import SessionSpeaker, SpeakerRole, TrainingSession, TrainingStatus
from trainings.services import schedule
from trainings.timezones import combine_local

DAY = dt.date(2026, 11, 10)


def details(**changes):
    values = {"title": "Identificación de víctimas", "day": DAY, "start": dt.time(9), "end": dt.time(10, 30),
              "room": "Sala 1"}
    values.update(changes)
    return schedule.SessionDetails(**values)


def training_details(region, **changes):
    values = {"title": "Taller regional", "kind": "workshop", "region_id": region.id, "starts_on": DAY,
              "ends_on": DAY + dt.timedelta(days=1), "capacity": 30}
    values.update(changes)
    return schedule.TrainingDetails(**values)


@pytest.fixture
def training(dbsession):
    return factories.TrainingFactory(starts_on=DAY, ends_on=DAY + dt.timedelta(days=1),
                                     status=TrainingStatus.draft)


def refusal(call) -> dict:
    with pytest.raises(FieldErrors) as caught:
        call()
    return caught.value.errors


def session_count(dbsession) -> int:
    return dbsession.scalar(select(func.count()).select_from(TrainingSession))


# --- trainings ---------------------------------------------------------------------------------

def test_a_training_is_created_as_a_draft_with_its_main_language_offered(dbsession):
    region = factories.RegionFactory()
    training = schedule.create_training(dbsession, training_details(region, language="es",
                                                                    offered_languages=("en", "es")))
    assert training.status == TrainingStatus.draft and training.confirmed_count == 0
    assert training.offered_languages == "es en"


def test_a_training_must_end_on_or_after_it_starts(dbsession):
    region = factories.RegionFactory()
    errors = refusal(lambda: schedule.create_training(
        dbsession, training_details(region, ends_on=DAY - dt.timedelta(days=1))))
    assert set(errors) == {"ends_on"}


def test_capacity_is_at_least_one(dbsession):
    region = factories.RegionFactory()
    assert set(refusal(lambda: schedule.create_training(dbsession, training_details(region, capacity=0)))) == \
        {"capacity"}


def test_capacity_never_drops_below_the_confirmed_participants(app_request, dbsession, training):
    training.confirmed_count = 12
    errors = refusal(lambda: schedule.update_training(
        app_request, training, training_details(training.region, capacity=11)))
    assert "capacity" in errors
    schedule.update_training(app_request, training, training_details(training.region, capacity=12))
    assert training.capacity == 12


def test_the_venue_must_be_in_the_training_region(dbsession):
    region = factories.RegionFactory()
    elsewhere = factories.VenueFactory()
    errors = refusal(lambda: schedule.create_training(dbsession, training_details(region, venue_id=elsewhere.id)))
    assert set(errors) == {"venue_id"}


def test_new_dates_may_not_leave_sessions_outside(app_request, dbsession, training):
    factories.SessionFactory(training=training, day=DAY + dt.timedelta(days=1))
    errors = refusal(lambda: schedule.update_training(
        app_request, training, training_details(training.region, ends_on=DAY)))
    assert "starts_on" in errors


def test_a_new_venue_raises_the_sequence_of_live_sessions(app_request, dbsession, training, events):
    live = factories.SessionFactory(training=training)
    cancelled = factories.SessionFactory(training=training, cancelled=True, sequence=1)
    venue = factories.VenueFactory(region=training.region)
    schedule.update_training(app_request, training, training_details(training.region, venue_id=venue.id))
    assert (live.sequence, cancelled.sequence) == (1, 1) and training.venue is venue
    assert isinstance(events[-1], SessionsChanged) and events[-1].sessions == [live]


def test_a_new_title_or_region_raises_the_sequence_and_other_details_do_not(app_request, dbsession, training,
                                                                          events):
    session = factories.SessionFactory(training=training)
    region, venue_id = training.region, training.venue_id
    schedule.update_training(app_request, training, training_details(region, title=training.title,
                                                                     venue_id=venue_id, capacity=31,
                                                                     description="Más detalles"))
    changes = [event for event in events if isinstance(event, SessionsChanged)]
    assert session.sequence == 0 and changes == []  # calendars show none of these (more places do not)
    schedule.update_training(app_request, training, training_details(region, title="Taller: nuevo nombre",
                                                                     venue_id=venue_id))
    assert session.sequence == 1
    assert isinstance(events[-1], SessionsChanged) and events[-1].sessions == [session]
    other_city = factories.RegionFactory(timezone=region.timezone, city="Arequipa")
    schedule.update_training(app_request, training, training_details(other_city, title="Taller: nuevo nombre"))
    assert session.sequence == 2 and len([event for event in events if isinstance(event, SessionsChanged)]) == 2


def test_the_region_may_not_change_time_zone_under_existing_sessions(app_request, dbsession, training):
    factories.SessionFactory(training=training)
    asuncion = factories.RegionFactory(country="PY", timezone="America/Asuncion")
    assert set(refusal(lambda: schedule.update_training(app_request, training, training_details(asuncion)))) == \
        {"region_id"}
    same_zone = factories.RegionFactory(timezone=training.region.timezone)
    schedule.update_training(app_request, training, training_details(same_zone))
    assert training.region_id == same_zone.id


def test_publishing_needs_a_session_and_notifies(app_request, dbsession, training, events):
    assert None in refusal(lambda: schedule.publish_training(app_request, training))
    factories.SessionFactory(training=training)
    schedule.publish_training(app_request, training)
    assert training.status == TrainingStatus.published and training.published_at is not None
    assert [type(event) for event in events] == [TrainingPublished]


def test_cancelling_keeps_sessions_and_registrations(app_request, dbsession, training, events):
    session = factories.SessionFactory(training=training)
    registration = factories.RegistrationFactory(training=training)
    schedule.cancel_training(app_request, training, "  Paro regional de transportes  ")
    dbsession.expire_all()
    assert training.status == TrainingStatus.cancelled and training.cancelled_at is not None
    assert training.cancel_reason == "Paro regional de transportes"
    assert session.cancelled is False and registration.training is training
    assert [type(event) for event in events] == [TrainingCancelled]
    assert None in refusal(lambda: schedule.cancel_training(app_request, training, ""))


# --- sessions ----------------------------------------------------------------------------------

def test_a_session_is_entered_in_the_region_local_time(app_request, dbsession):
    training = factories.TrainingFactory(region=factories.RegionFactory(timezone="America/Asuncion"),
                                         starts_on=DAY, ends_on=DAY)
    session = schedule.add_session(app_request, training, details())
    assert session.starts_at == dt.datetime(2026, 11, 10, 12, tzinfo=dt.UTC)  # UTC-3 all year


def test_a_new_session_is_announced(app_request, dbsession, training, events):
    session = schedule.add_session(app_request, training, details())
    assert session.sequence == 0
    assert [type(event) for event in events] == [SessionsChanged] and events[0].sessions == [session]


def test_a_session_must_end_after_it_starts(app_request, dbsession, training):
    assert set(refusal(lambda: schedule.add_session(app_request, training, details(end=dt.time(9))))) == {"end"}
    assert session_count(dbsession) == 0


def test_a_session_must_fall_within_the_training_dates(app_request, dbsession, training):
    errors = refusal(lambda: schedule.add_session(app_request, training, details(day=DAY + dt.timedelta(days=2))))
    assert set(errors) == {"day"}


def test_a_nonexistent_local_time_is_refused_on_its_field(app_request, dbsession):
    madrid = factories.RegionFactory(country="ES", timezone="Europe/Madrid")
    day = dt.date(2026, 3, 29)  # clocks jump from 02:00 to 03:00
    training = factories.TrainingFactory(region=madrid, starts_on=day, ends_on=day)
    errors = refusal(lambda: schedule.add_session(app_request, training, details(day=day, start=dt.time(2, 30),
                                                                               end=dt.time(4))))
    assert set(errors) == {"start"}


def test_a_room_cannot_be_double_booked_at_a_venue(app_request, dbsession, training):
    factories.SessionFactory(training=training, room="Sala 1", start=dt.time(10), end=dt.time(12))
    other = factories.TrainingFactory(region=training.region, venue=training.venue, starts_on=DAY, ends_on=DAY)
    errors = refusal(lambda: schedule.add_session(app_request, other, details(room=" sala 1 ")))
    assert set(errors) == {"room"}
    # Another room, or the same room once the other session ends, is fine.
    schedule.add_session(app_request, other, details(room="Sala 2"))
    schedule.add_session(app_request, other, details(room="Sala 1", start=dt.time(12), end=dt.time(13)))


def test_a_cancelled_session_frees_its_room(app_request, dbsession, training):
    factories.SessionFactory(training=training, room="Sala 1", cancelled=True)
    schedule.add_session(app_request, training, details())


def test_a_speaker_cannot_be_in_two_overlapping_sessions_anywhere(app_request, dbsession, training):
    person = factories.PersonFactory()
    elsewhere = factories.SessionFactory(training__starts_on=DAY, start=dt.time(8), end=dt.time(10),
                                         training__region=factories.RegionFactory(timezone="America/Lima"))
    elsewhere.speakers.append(SessionSpeaker(person=person))
    session = factories.SessionFactory(training=training, start=dt.time(11), end=dt.time(12), room="")
    session.speakers.append(SessionSpeaker(person=person, role=SpeakerRole.moderator))
    dbsession.flush()
    errors = refusal(lambda: schedule.update_session(app_request, session, details(room="", start=dt.time(9))))
    assert set(errors) == {"start"}
    assert person.full_name in app_request.localizer.translate(errors["start"])
    dbsession.refresh(session)
    assert session.sequence == 0


def test_editing_time_place_or_title_raises_the_sequence_and_notifies(app_request, dbsession, training, events):
    session = factories.SessionFactory(training=training, room="Sala 1")
    schedule.update_session(app_request, session, details(title=session.title, end=dt.time(11), topic="Nuevo"))
    assert session.sequence == 0 and events == []  # only the topic changed
    schedule.update_session(app_request, session, details(title=session.title, start=dt.time(9, 30)))
    assert session.sequence == 1
    assert isinstance(events[-1], SessionsChanged) and events[-1].sessions == [session]
    schedule.update_session(app_request, session, details(title="Otro título", start=dt.time(9, 30)))
    assert session.sequence == 2
    schedule.update_session(app_request, session, details(title="Otro título", start=dt.time(9, 30), room="Sala 2"))
    assert session.sequence == 3 and len(events) == 3


def test_cancelling_a_session_raises_its_sequence_and_notifies(app_request, dbsession, training, events):
    session = factories.SessionFactory(training=training)
    schedule.cancel_session(app_request, session)
    assert session.cancelled and session.sequence == 1
    assert [type(event) for event in events] == [SessionCancelled]
    assert None in refusal(lambda: schedule.update_session(app_request, session, details()))


def test_only_a_draft_session_without_history_may_be_deleted(dbsession, training):
    session = factories.SessionFactory(training=training)
    assert schedule.deletable_sessions(dbsession, training) == {session.id}
    schedule.delete_session(dbsession, session)
    assert session_count(dbsession) == 0
    published = factories.SessionFactory(training__status=TrainingStatus.published)
    assert None in refusal(lambda: schedule.delete_session(dbsession, published))
    with_registration = factories.SessionFactory(training=training)
    factories.RegistrationFactory(training=training)
    assert not schedule.can_delete_session(dbsession, with_registration)
    assert schedule.deletable_sessions(dbsession, training) == set()


def test_moving_a_session_swaps_time_slots(app_request, dbsession, training, events):
    first = factories.SessionFactory(training=training, title="A", start=dt.time(9), end=dt.time(10))
    second = factories.SessionFactory(training=training, title="B", start=dt.time(10), end=dt.time(11))
    first_slot = (first.starts_at, first.ends_at)
    schedule.move_session(app_request, second, -1)
    assert (second.starts_at, second.ends_at) == first_slot
    assert first.starts_at == combine_local(DAY, dt.time(10), training.region.timezone)
    assert first.sequence == second.sequence == 1
    assert isinstance(events[-1], SessionsChanged) and set(events[-1].sessions) == {first, second}


def test_a_registration_deadline_after_the_last_day_is_refused_and_a_quota_is_kept(dbsession):
    region = factories.RegionFactory()
    errors = schedule.training_errors(dbsession, training_details(
        region, registration_deadline=DAY + dt.timedelta(days=2)))
    assert set(errors) == {"registration_deadline"}
    training = schedule.create_training(dbsession, training_details(
        region, registration_deadline=DAY - dt.timedelta(days=3), institution_quota=2))
    assert (training.registration_deadline, training.institution_quota) == (DAY - dt.timedelta(days=3), 2)


def test_the_public_page_offers_to_register_under_the_title_on_a_phone(testapp, dbsession):
    training = factories.TrainingFactory(starts_on=dt.date.today() + dt.timedelta(days=5),
                                         ends_on=dt.date.today() + dt.timedelta(days=5))
    for hour in (9, 11, 14, 16):
        factories.SessionFactory(training=training, start=dt.time(hour), end=dt.time(hour + 1))
    text = testapp.get(f"/trainings/{training.id}").text
    top = text.index('id="register-top"')
    assert top < text.index("Programa horario") and text.index(f"/register/{training.id}", top) < text.index(
        "Programa horario")
    assert 'class="d-lg-none mb-3" id="register-top"' in text  # the desktop has it in the side column
