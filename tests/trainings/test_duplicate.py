"""Duplicating a training: same content and timetable in another region and date, each session
keeping its local clock time — across daylight saving time and zone-rule changes."""
import datetime as dt

import pytest

from tests import factories
from trainings.forms import FieldErrors
from trainings.models import SessionSpeaker, SpeakerRole, TrainingStatus
from trainings.services.duplicate import duplicate_training
from trainings.timezones import combine_local, utc_to_local


def region(zone, country="PE"):
    return factories.RegionFactory(timezone=zone, country=country)


def workshop(zone, starts_on, **kwargs):
    training = factories.TrainingFactory(region=region(zone), starts_on=starts_on,
                                         ends_on=starts_on + dt.timedelta(days=1), capacity=35,
                                         requires_approval=True, attendance_threshold=75, late_after_minutes=10,
                                         offered_languages="es en", confirmed_count=20, **kwargs)
    factories.SessionFactory(training=training, title="Marco normativo", start=dt.time(9), end=dt.time(10, 45),
                             room="Sala A")
    factories.SessionFactory(training=training, title="Identificación", start=dt.time(11), end=dt.time(13))
    factories.SessionFactory(training=training, title="Investigación", day=starts_on + dt.timedelta(days=1),
                             start=dt.time(9), end=dt.time(10, 45))
    return training


def local_times(training):
    zone = training.region.timezone
    return [(utc_to_local(s.starts_at, zone).strftime("%a %H:%M"), utc_to_local(s.ends_at, zone).strftime("%H:%M"))
            for s in training.sessions]


def test_duplicate_keeps_local_clock_time_across_a_dst_change(dbsession):
    # Madrid: 24 March 2026 is winter time (UTC+1); 7 April 2026 is summer time (UTC+2).
    source = workshop("Europe/Madrid", dt.date(2026, 3, 24))
    copy = duplicate_training(dbsession, source, region=source.region, starts_on=dt.date(2026, 4, 7))
    assert local_times(copy) == local_times(source)
    assert source.sessions[0].starts_at.hour == 8 and copy.sessions[0].starts_at.hour == 7  # in UTC
    assert copy.ends_on == dt.date(2026, 4, 8)


def test_duplicate_across_asuncion_zone_rule_change(dbsession):
    # In July 2024 Asunción kept winter time (UTC-4); since October 2024 it is UTC-3 all year.
    source = workshop("America/Asuncion", dt.date(2024, 7, 16))
    copy = duplicate_training(dbsession, source, region=source.region, starts_on=dt.date(2025, 7, 15))
    assert local_times(copy) == local_times(source)
    assert source.sessions[0].starts_at == dt.datetime(2024, 7, 16, 13, tzinfo=dt.UTC)
    assert copy.sessions[0].starts_at == dt.datetime(2025, 7, 15, 12, tzinfo=dt.UTC)


def test_duplicate_from_lima_to_asuncion_reads_the_clock_in_the_target_zone(dbsession):
    source = workshop("America/Lima", dt.date(2026, 11, 10))
    target = region("America/Asuncion", country="PY")
    copy = duplicate_training(dbsession, source, region=target, starts_on=dt.date(2026, 12, 8))
    assert [start for start, _end in local_times(copy)] == ["Tue 09:00", "Tue 11:00", "Wed 09:00"]
    assert copy.sessions[0].starts_at == combine_local(dt.date(2026, 12, 8), dt.time(9), "America/Asuncion")


def test_duplicate_copies_content_settings_and_speakers_as_a_new_draft(dbsession):
    source = workshop("America/Lima", dt.date(2026, 11, 10), status=TrainingStatus.published)
    speaker = factories.PersonFactory()
    source.sessions[0].speakers.append(SessionSpeaker(person=speaker, role=SpeakerRole.moderator))
    factories.SessionFactory(training=source, title="Suspendida", start=dt.time(15), end=dt.time(16), cancelled=True)
    dbsession.flush()
    cusco = region("America/Lima")
    venue = factories.VenueFactory(region=cusco)
    copy = duplicate_training(dbsession, source, region=cusco, starts_on=dt.date(2026, 12, 15), venue=venue,
                              title="  ")
    assert copy.id != source.id and copy.status == TrainingStatus.draft and copy.confirmed_count == 0
    assert (copy.title, copy.description, copy.kind, copy.programme_id) == \
        (source.title, source.description, source.kind, source.programme_id)
    assert (copy.capacity, copy.requires_approval, copy.attendance_threshold, copy.late_after_minutes,
            copy.offered_languages) == (35, True, 75, 10, "es en")
    assert copy.venue is venue and copy.region is cusco
    assert [s.title for s in copy.sessions] == ["Marco normativo", "Identificación", "Investigación"]
    assert {s.uid for s in copy.sessions}.isdisjoint({s.uid for s in source.sessions})
    assert all(s.sequence == 0 and not s.cancelled for s in copy.sessions)
    assert [(sp.person, sp.role) for sp in copy.sessions[0].speakers] == [(speaker, SpeakerRole.moderator)]
    assert copy.sessions[0].room == ""  # rooms belong to the old venue


def test_duplicate_keeps_rooms_at_the_same_venue_and_title_when_given(dbsession):
    source = workshop("America/Lima", dt.date(2026, 11, 10))
    copy = duplicate_training(dbsession, source, region=source.region, venue=source.venue,
                              starts_on=dt.date(2026, 11, 24), title="Segunda edición")
    assert copy.title == "Segunda edición" and copy.sessions[0].room == "Sala A"


def test_duplicate_refuses_a_venue_of_another_region(dbsession):
    source = workshop("America/Lima", dt.date(2026, 11, 10))
    with pytest.raises(FieldErrors) as caught:
        duplicate_training(dbsession, source, region=region("America/Lima"), starts_on=dt.date(2026, 12, 1),
                           venue=factories.VenueFactory())
    assert set(caught.value.errors) == {"venue_id"}


def test_duplicate_refuses_a_clock_time_that_does_not_exist_in_the_target_zone(dbsession):
    source = factories.TrainingFactory(region=region("America/Lima"), starts_on=dt.date(2026, 3, 20),
                                       ends_on=dt.date(2026, 3, 20))
    factories.SessionFactory(training=source, start=dt.time(2, 15), end=dt.time(4))
    with pytest.raises(FieldErrors) as caught:
        duplicate_training(dbsession, source, region=region("Europe/Madrid", country="ES"),
                           starts_on=dt.date(2026, 3, 29))
    assert set(caught.value.errors) == {"starts_on"}


def test_duplicate_refuses_a_speaker_who_would_be_in_two_places(dbsession):
    source = workshop("America/Lima", dt.date(2026, 11, 10))
    source.sessions[0].speakers.append(SessionSpeaker(person=factories.PersonFactory()))
    dbsession.flush()
    with pytest.raises(FieldErrors) as caught:
        duplicate_training(dbsession, source, region=region("America/Lima"), starts_on=source.starts_on)
    assert set(caught.value.errors) == {"starts_on"}
