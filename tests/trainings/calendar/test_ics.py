"""The iCalendar builder, read back with vobject (an independent parser) and with
recurring-ical-events: UIDs, SEQUENCE, time zones, escaping, VTIMEZONE, statuses."""
import datetime as dt

import recurring_ical_events
from icalendar import Calendar

from tests import factories
from trainings.calendar import ics
from trainings.models import SpeakerRole, TrainingStatus

from .conftest import events, parse

UTC = dt.UTC


def _build(sessions, **kw):
    options = ics.CalendarOptions(name=kw.pop("name", "Capacita — Región Ñuble"), **kw)
    return ics.build_calendar(sessions, options).to_ical()


def _session_in(zone, country, day, **kw):
    region = factories.RegionFactory(timezone=zone, country=country)
    training = factories.TrainingFactory(region=region, starts_on=day, ends_on=day)
    return factories.SessionFactory(training=training, start=dt.time(9), end=dt.time(11), **kw)


def test_lima_and_asuncion_give_the_right_utc_instants_across_paraguays_rule_change(dbsession):
    lima = _session_in("America/Lima", "PE", dt.date(2025, 7, 15))
    asuncion_before = _session_in("America/Asuncion", "PY", dt.date(2024, 7, 15))
    asuncion_after = _session_in("America/Asuncion", "PY", dt.date(2025, 7, 15))
    asuncion_summer = _session_in("America/Asuncion", "PY", dt.date(2024, 1, 15))
    body = _build([lima, asuncion_before, asuncion_after, asuncion_summer])

    calendar = parse(body)
    starts = {event.uid.value: event.dtstart.value for event in events(calendar)}
    assert all(value.tzinfo is not None for value in starts.values()), "no floating times"
    assert starts[lima.uid].astimezone(UTC) == dt.datetime(2025, 7, 15, 14, tzinfo=UTC)
    assert starts[asuncion_before.uid].astimezone(UTC) == dt.datetime(2024, 7, 15, 13, tzinfo=UTC)
    assert starts[asuncion_after.uid].astimezone(UTC) == dt.datetime(2025, 7, 15, 12, tzinfo=UTC)
    assert starts[asuncion_summer.uid].astimezone(UTC) == dt.datetime(2024, 1, 15, 12, tzinfo=UTC)
    assert sorted(tz.tzid.value for tz in calendar.vtimezone_list) == ["America/Asuncion", "America/Lima"]
    text = body.decode()
    assert "DTSTART;TZID=America/Asuncion:20250715T090000" in text
    assert "DTSTART;TZID=America/Lima:20250715T090000" in text

    # The second reader agrees on the instants.
    occurrences = recurring_ical_events.of(Calendar.from_ical(body)).between(dt.date(2024, 1, 1), dt.date(2026, 1, 1))
    by_uid = {str(event["UID"]): event["DTSTART"].dt.astimezone(UTC) for event in occurrences}
    assert by_uid[asuncion_after.uid] == dt.datetime(2025, 7, 15, 12, tzinfo=UTC)


def test_text_is_escaped_folded_and_accents_intact(dbsession):
    institution = factories.InstitutionFactory(name="Ministerio Público, Fiscalía de la Nación")
    speaker = factories.PersonFactory(given_names="José Ñuñez", family_names="Peña; Ávila", institution=institution)
    session = factories.SessionFactory(
        title="Apertura, marco legal; día 1", topic="Trata de personas:\nidentificación, asistencia; y más " * 4,
        room="Sala «Túpac Amaru», 2.º piso")
    dbsession.add(factories.schedule.SessionSpeaker(session=session, person=speaker, role=SpeakerRole.speaker))
    dbsession.flush()
    body = _build([session])

    assert all(len(line) <= 75 for line in body.split(b"\r\n")), "lines are folded at 75 octets"
    assert b"Apertura\\, marco legal\\; d\xc3\xada 1" in body
    event = events(parse(body))[0]
    assert event.summary.value == f"Apertura, marco legal; día 1 — {session.training.title}"
    assert "Trata de personas:\nidentificación, asistencia; y más" in event.description.value
    assert "José Ñuñez Peña; Ávila (Ministerio Público, Fiscalía de la Nación)" in event.description.value
    assert event.location.value.startswith("Sala «Túpac Amaru», 2.º piso, ")
    assert parse(body).x_wr_calname.value == "Capacita — Región Ñuble"


def test_event_properties_for_subscribers(dbsession):
    venue = factories.VenueFactory(name="Hotel Los Delfines", address="Los Eucaliptos 555", latitude=-12.0977,
                                   longitude=-77.0365)
    training = factories.TrainingFactory(region=venue.region, venue=venue)
    session = factories.SessionFactory(training=training)
    body = _build([session], training_url=lambda training: f"https://capacita.example/trainings/{training.id}")
    calendar = parse(body)
    event = events(calendar)[0]
    assert calendar.method.value == "PUBLISH"
    assert calendar.prodid.value == ics.PRODID
    assert event.uid.value == session.uid
    assert event.sequence.value == "0"
    assert event.status.value == "CONFIRMED"
    assert event.dtstamp.value.tzinfo is not None
    assert event.last_modified.value.tzinfo is not None
    assert event.geo.value == "-12.0977;-77.0365"
    assert event.url.value == f"https://capacita.example/trainings/{training.id}"
    assert "Hotel Los Delfines, Los Eucaliptos 555" in event.location.value
    text = body.decode()
    for line in ("REFRESH-INTERVAL;VALUE=DURATION:PT6H", "X-PUBLISHED-TTL:PT6H", "CALSCALE:GREGORIAN",
                 "X-WR-TIMEZONE:America/Lima", "NAME:Capacita", "VERSION:2.0"):
        assert line in text


def test_cancelled_sessions_stay_with_status_cancelled_and_a_higher_sequence(dbsession):
    session = factories.SessionFactory(sequence=2)
    other = factories.SessionFactory(training=session.training, start=dt.time(14), end=dt.time(16))
    before = {event.uid.value: event for event in events(parse(_build([session, other])))}
    session.cancelled = True
    after = {event.uid.value: event for event in events(parse(_build([session, other])))}
    assert set(before) == set(after) == {session.uid, other.uid}
    assert after[session.uid].status.value == "CANCELLED"
    assert int(after[session.uid].sequence.value) == 3 > int(before[session.uid].sequence.value)
    assert after[other.uid].status.value == "CONFIRMED"

    session.training.status = TrainingStatus.cancelled
    statuses = {event.uid.value: event.status.value for event in events(parse(_build([session, other])))}
    assert statuses == {session.uid: "CANCELLED", other.uid: "CANCELLED"}


def test_invites_carry_organizer_and_attendee(dbsession):
    session = factories.SessionFactory()
    body = _build([session], method="REQUEST", organizer=ics.Organizer("no-reply@capacita.test", "Programa Ñ"),
                  attendee=ics.Attendee("ana@mpfn.gob.pe", "Ana Peña"))
    calendar = parse(body)
    event = events(calendar)[0]
    assert calendar.method.value == "REQUEST"
    assert event.organizer.value == "mailto:no-reply@capacita.test"
    assert event.organizer.params["CN"] == ["Programa Ñ"]
    assert event.attendee.value == "mailto:ana@mpfn.gob.pe"
    assert event.attendee.params["PARTSTAT"] == ["NEEDS-ACTION"]
    assert event.attendee.params["ROLE"] == ["REQ-PARTICIPANT"]
    assert event.attendee.params["RSVP"] == ["FALSE"]
    assert "REFRESH-INTERVAL" not in body.decode()


def test_location_names_the_city_once_when_the_address_ends_with_it(dbsession):
    venue = factories.VenueFactory(name="Auditorio del Gobierno Regional", address="Jr. Raymondi 220, Pucallpa")
    venue.region.city = "Pucallpa"
    session = factories.SessionFactory(training=factories.TrainingFactory(region=venue.region, venue=venue))
    assert ics.location(session).count("Pucallpa") == 1
    venue.address = "Jr. Raymondi 220"
    assert ics.location(session).endswith("Jr. Raymondi 220, Pucallpa")


def test_the_calendars_name_is_escaped_as_text(dbsession):
    body = _build([factories.SessionFactory()], name="Taller, Lima; 2026 \\ fase 2",
                  description="Fiscales, jueces; policías")
    assert b"NAME:Taller\\, Lima\\; 2026 \\\\ fase 2\r\n" in body
    assert b"X-WR-CALNAME:Taller\\, Lima\\; 2026 \\\\ fase 2\r\n" in body
    assert b"X-WR-CALDESC:Fiscales\\, jueces\\; polic" in body
    assert parse(body).x_wr_calname.value == "Taller, Lima; 2026 \\ fase 2"
