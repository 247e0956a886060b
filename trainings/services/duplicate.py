"""Duplicating a training into another region and start date: most workshops are the same
programme repeated across the country, so this is what organisers do most."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from ..forms import FieldErrors
from ..i18n import _
from ..models import Region, SessionSpeaker, Training, TrainingSession, TrainingStatus, Venue
from ..timezones import NonexistentLocalTime, shift_keeping_local_time
from .schedule import room_conflict, speaker_conflict, speaker_conflict_message


def duplicate_training(dbsession: Session, source: Training, *, region: Region, starts_on: dt.date,
                       title: str | None = None, venue: Venue | None = None) -> Training:
    """A new draft copying `source`'s content, settings, timetable and speakers. Every session
    moves by the same number of days and keeps its local clock time, read in the target
    region's zone: a 09:00 session in Lima becomes a 09:00 session in Asunción, whatever the
    offsets or daylight saving time of either zone on either date."""
    if venue is not None and venue.region_id != region.id:
        raise FieldErrors({"venue_id": _("This venue is not in the chosen region.")})
    if venue is not None and venue.organisation_id != source.organisation_id:
        raise FieldErrors({"venue_id": _("This belongs to another organisation than the training.")})
    days = (starts_on - source.starts_on).days
    copy = Training(
        title=(title or "").strip() or source.title, description=source.description, kind=source.kind,
        programme_id=source.programme_id, organisation_id=source.organisation_id,
        region=region, venue=venue, language=source.language,
        offered_languages=source.offered_languages, capacity=source.capacity, confirmed_count=0,
        requires_approval=source.requires_approval, attendance_threshold=source.attendance_threshold,
        late_after_minutes=source.late_after_minutes, reminder_days=source.reminder_days,
        status=TrainingStatus.draft,
        starts_on=starts_on, ends_on=source.ends_on + dt.timedelta(days=days),
    )
    same_venue = venue is not None and venue.id == source.venue_id
    for original in source.sessions:
        if original.cancelled:
            continue
        try:
            starts_at = shift_keeping_local_time(original.starts_at, source.zone, days, to_zone=region.zone)
            ends_at = shift_keeping_local_time(original.ends_at, source.zone, days, to_zone=region.zone)
        except NonexistentLocalTime:
            raise FieldErrors({"starts_on": _(
                "Session “${title}” would start at a time that does not exist in ${zone} on that day "
                "(the clocks move forward). Choose another date.",
                mapping={"title": original.title, "zone": region.timezone})}) from None
        room = original.room if same_venue else ""
        clash = room_conflict(dbsession, venue.id if venue else None, room, starts_at, ends_at)
        if clash is not None:
            raise FieldErrors({"starts_on": _(
                "Room “${room}” is already booked for “${session}” (${training}) at that time.",
                mapping={"room": room, "session": clash.title, "training": clash.training.title})})
        person_ids = [speaker.person_id for speaker in original.speakers]
        conflict = speaker_conflict(dbsession, person_ids, starts_at, ends_at)
        if conflict is not None:
            raise FieldErrors({"starts_on": speaker_conflict_message(conflict)})
        copy.sessions.append(TrainingSession(
            title=original.title, topic=original.topic, room=room, position=original.position,
            starts_at=starts_at, ends_at=ends_at,
            speakers=[SessionSpeaker(person_id=speaker.person_id, role=speaker.role) for speaker in original.speakers],
        ))
    dbsession.add(copy)
    dbsession.flush()
    return copy
