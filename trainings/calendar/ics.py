"""Building iCalendar (RFC 5545) documents from the schedule, for feeds and for invites.

Pure functions over model objects: no request, no database. Everything that depends on the
request (URLs, translated labels) is passed in, so that the same VEVENT comes out of a feed,
a download and an emailed invite — with the same UID, whatever the channel.
"""
from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from icalendar import Calendar, Event, Timezone, vCalAddress
from icalendar.prop import vText

from ..models import TrainingStatus
from ..timezones import as_zone, utc_to_local

PRODID = "-//Capacita//Capacita calendar 1.0//ES"
# Subscribers are told to refresh every six hours (RFC 7986 and the older Microsoft property).
REFRESH_INTERVAL = dt.timedelta(hours=6)


@dataclass(frozen=True)
class Labels:
    """Translated words used inside event descriptions."""

    speakers: str = "Speakers"
    more: str = "More information"


@dataclass
class Attendee:
    email: str
    name: str


@dataclass
class Organizer:
    email: str
    name: str


@dataclass
class CalendarOptions:
    name: str
    method: str = "PUBLISH"  # PUBLISH for feeds and downloads, REQUEST/CANCEL for invites
    timezone: str | None = None  # X-WR-TIMEZONE; the most used zone when None
    description: str = ""
    url: str | None = None
    labels: Labels = field(default_factory=Labels)
    training_url: Callable[[object], str | None] = lambda training: None
    organizer: Organizer | None = None
    attendee: Attendee | None = None
    # STATUS forced on every event (CANCELLED for a CANCEL, TENTATIVE for a waitlisted place).
    status: str | None = None
    stamp: dt.datetime | None = None  # DTSTAMP; each event's last change when None (deterministic feeds)
    # Added to every SEQUENCE: an invitation's revision for its attendee (a CANCEL of their
    # registration, then a new invitation, each outrank the message before).
    sequence_offset: int = 0


def is_cancelled(session) -> bool:
    return bool(session.cancelled) or session.training.status == TrainingStatus.cancelled


def effective_sequence(session) -> int:
    """The SEQUENCE calendars see: the one the schedule keeps, plus one once the session or its
    training is cancelled, so a cancellation always outranks the last invitation."""
    return (session.sequence or 0) + (1 if is_cancelled(session) else 0)


def last_change(session) -> dt.datetime:
    training = session.training
    candidates = [session.updated_at, training.updated_at, training.region.updated_at]
    if training.venue is not None:
        candidates.append(training.venue.updated_at)
    return max(value for value in candidates if value is not None)


def summary(session) -> str:
    training_title = session.training.title
    if not session.title or session.title.strip() == training_title.strip():
        return training_title
    return f"{session.title} — {training_title}"


def location(session) -> str:
    venue = session.training.venue
    parts = [session.room]
    if venue is not None:
        parts += [venue.name, venue.address]
    city = session.training.region.city
    if not (venue is not None and (venue.address or "").strip().casefold().endswith((city or "").casefold())):
        parts.append(city)  # addresses often end with their city already: say it once
    seen, kept = set(), []
    for part in (part.strip() for part in parts if part):
        if part and part.casefold() not in seen:
            seen.add(part.casefold())
            kept.append(part)
    return ", ".join(kept)


def speaker_line(speaker) -> str:
    person = speaker.person
    institution = getattr(person, "institution", None)
    return f"{person.full_name} ({institution.name})" if institution is not None else person.full_name


def description(session, labels: Labels, url: str | None) -> str:
    blocks = []
    if session.topic and session.topic.strip():
        blocks.append(session.topic.strip())
    if session.speakers:
        lines = "\n".join(f"- {speaker_line(speaker)}" for speaker in session.speakers)
        blocks.append(f"{labels.speakers}:\n{lines}")
    if url:
        blocks.append(f"{labels.more}: {url}")
    return "\n\n".join(blocks)


def session_event(session, options: CalendarOptions) -> Event:
    training = session.training
    zone = as_zone(training.region.timezone)
    url = options.training_url(training)
    event = Event()
    event.add("uid", session.uid)
    event.add("dtstamp", (options.stamp or last_change(session)).astimezone(dt.UTC))
    event.add("sequence", effective_sequence(session) + options.sequence_offset)
    # Times in the training's own zone (with TZID and a VTIMEZONE), never floating.
    event.add("dtstart", utc_to_local(session.starts_at, zone))
    event.add("dtend", utc_to_local(session.ends_at, zone))
    event.add("summary", summary(session))
    place = location(session)
    if place:
        event.add("location", place)
    venue = training.venue
    if venue is not None and venue.latitude is not None and venue.longitude is not None:
        event.add("geo", (venue.latitude, venue.longitude))
    text = description(session, options.labels, url)
    if text:
        event.add("description", text)
    if url:
        event.add("url", url)
    event.add("last-modified", last_change(session).astimezone(dt.UTC))
    status = options.status or ("CANCELLED" if is_cancelled(session) else "CONFIRMED")
    event.add("status", status)
    event.add("transp", "TRANSPARENT" if status == "CANCELLED" else "OPAQUE")
    if options.organizer is not None:
        organizer = vCalAddress(f"mailto:{options.organizer.email}")
        organizer.params["CN"] = vText(options.organizer.name)
        event.add("organizer", organizer)
    if options.attendee is not None:
        attendee = vCalAddress(f"mailto:{options.attendee.email}")
        attendee.params["CN"] = vText(options.attendee.name)
        attendee.params["CUTYPE"] = vText("INDIVIDUAL")
        attendee.params["ROLE"] = vText("REQ-PARTICIPANT")
        attendee.params["PARTSTAT"] = vText("NEEDS-ACTION")
        attendee.params["RSVP"] = vText("FALSE")
        event.add("attendee", attendee)
    return event


# Every VTIMEZONE covers these years at least, so that a zone's definition is the same in every
# feed and invite: clients that keep one definition per TZID never mix a partial one into another.
ZONE_YEARS = (2000, 2040)


@functools.lru_cache(maxsize=64)
def vtimezone(zone_name: str, first_year: int, last_year: int) -> bytes:
    """The VTIMEZONE of an IANA zone for a span of years (costly to compute, so cached).

    Past rule changes (Paraguay's in 2024) come as RDATEs; each is written as its own
    property, which RFC 5545 allows and which readers that mishandle value lists get right."""
    component = Timezone.from_tzinfo(as_zone(zone_name), tzid=zone_name, first_date=dt.date(first_year, 1, 1),
                                     last_date=dt.date(last_year, 1, 1))
    for observance in component.subcomponents:
        rdates = observance.get("RDATE")
        if rdates is None:
            continue
        instants = [period.dt for value in (rdates if isinstance(rdates, list) else [rdates]) for period in value.dts]
        del observance["RDATE"]
        for instant in instants:
            observance.add("RDATE", instant)
    return component.to_ical()


def _timezones(sessions: list) -> list[Timezone]:
    years: dict[str, list[int]] = {}
    for session in sessions:
        zone_name = session.training.region.timezone
        years.setdefault(zone_name, []).extend((session.starts_at.year, session.ends_at.year))
    return [Timezone.from_ical(vtimezone(name, min(ZONE_YEARS[0], min(span) - 1), max(ZONE_YEARS[1], max(span) + 2)))
            for name, span in sorted(years.items())]


def build_calendar(sessions: Iterable, options: CalendarOptions) -> Calendar:
    sessions = list(sessions)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", options.method)
    # Text values escaped as TEXT (RFC 5545 3.3.11): icalendar leaves properties it does not
    # know (NAME is RFC 7986's, X-WR-* are Apple's) as written, so a comma would split them.
    calendar.add("name", vText(options.name))
    calendar.add("x-wr-calname", vText(options.name))
    zone = options.timezone or _main_zone(sessions)
    if zone:
        calendar.add("x-wr-timezone", zone)
    if options.description:
        calendar.add("description", options.description)
        calendar.add("x-wr-caldesc", vText(options.description))
    if options.url:
        calendar.add("url", options.url)
    if options.method == "PUBLISH":
        calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT6H")
    for component in _timezones(sessions):
        calendar.add_component(component)
    for session in sessions:
        calendar.add_component(session_event(session, options))
    return calendar


def _main_zone(sessions: list) -> str | None:
    zones = Counter(session.training.region.timezone for session in sessions)
    return zones.most_common(1)[0][0] if zones else None


def to_bytes(calendar: Calendar) -> bytes:
    return calendar.to_ical()
