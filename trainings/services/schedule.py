"""The rules of a training's timetable: creating, editing, publishing, cancelling trainings and
their sessions. Rule checks are plain functions; the functions that change data raise the
schedule's events (trainings.events) for the packages built on this one, so they take `request`.

Nothing here deletes history: a training is cancelled, never deleted; a session is cancelled,
and only a draft's session that nobody attended may be deleted.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..audit import record
from ..events import PlacesAdded, SessionCancelled, SessionsChanged, TrainingCancelled, TrainingPublished
from ..forms import FieldErrors
from ..i18n import _
from ..models import (
    DEFAULT_REMINDER_DAYS,
    Base,
    Language,
    Programme,
    Region,
    SessionSpeaker,
    Training,
    TrainingSession,
    TrainingStatus,
    Venue,
    utcnow,
)
from ..timezones import NonexistentLocalTime, combine_local, local_date, utc_to_local

# Larger than any room or online event; a typo (99999999999) would otherwise overflow the column.
MAX_CAPACITY = 100_000
CAPACITY_TOO_LARGE = _("Capacity can be at most 100,000 places.")  # the number is written per language

# Tables of the participants package, named rather than imported (trainings never imports it).
_attendance = sa.table("attendance", sa.column("session_id"))
_registration = sa.table("registration", sa.column("training_id"), sa.column("status"))


# --- trainings ---------------------------------------------------------------------------------

@dataclass
class TrainingDetails:
    title: str
    kind: str
    region_id: int
    starts_on: dt.date
    ends_on: dt.date
    capacity: int
    programme_id: int | None = None
    venue_id: int | None = None
    language: str = Language.es.value
    organisation_id: int | None = None  # None: its programme's or venue's, or the default one
    offered_languages: tuple[str, ...] = ()
    requires_approval: bool = False
    attendance_threshold: int = 80
    late_after_minutes: int = 15
    description: str = ""
    registration_deadline: dt.date | None = None
    institution_quota: int | None = None
    reminder_days: int | None = DEFAULT_REMINDER_DAYS  # 0 or None: no reminder


def date_errors(starts_on: dt.date | None, ends_on: dt.date | None, registration_deadline: dt.date | None) -> dict:
    """The rules between a training's days (any of them may be missing: a form whose other
    fields are wrong still hears of these in the same round)."""
    errors = {}
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("The training must end on or after the day it starts.")
    if registration_deadline is not None and ends_on is not None and registration_deadline > ends_on:
        errors["registration_deadline"] = _("Registration must close on or before the training's last day.")
    return errors


def training_errors(dbsession: Session, details: TrainingDetails, training: Training | None = None) -> dict:
    """Why these details cannot be saved (field name → message); empty when they can."""
    errors: dict = date_errors(details.starts_on, details.ends_on, details.registration_deadline)
    if details.capacity < 1:
        errors["capacity"] = _("Capacity must be at least 1.")
    elif details.capacity > MAX_CAPACITY:
        errors["capacity"] = CAPACITY_TOO_LARGE
    elif training is not None and details.capacity < (training.confirmed_count or 0):
        errors["capacity"] = _("Capacity cannot be lower than the number of participants already confirmed (${count}).",
                               mapping={"count": training.confirmed_count})
    if dbsession.get(Region, details.region_id) is None:
        errors["region_id"] = _("Choose a region.")
    if details.venue_id is not None:
        venue = dbsession.get(Venue, details.venue_id)
        if venue is None or venue.region_id != details.region_id:
            errors["venue_id"] = _("This venue is not in the chosen region.")
    errors.update(_organisation_errors(dbsession, details))
    if training is not None and "ends_on" not in errors and "region_id" not in errors:
        zone = dbsession.get(Region, details.region_id).timezone
        if zone != training.region.timezone and training.sessions:
            # Sessions are stored as instants: another zone would silently move their clock times.
            errors["region_id"] = _("This training has sessions in ${zone}: choose a region in the same time zone, "
                                    "or duplicate the training into the other region.",
                                    mapping={"zone": training.region.timezone})
            return errors
        for session in training.sessions:
            if session.cancelled:
                continue
            if not (details.starts_on <= local_date(session.starts_at, zone)
                    and local_date(session.ends_at, zone) <= details.ends_on):
                errors["starts_on"] = _("Session “${title}” falls outside these dates: move it first.",
                                        mapping={"title": session.title})
                break
    return errors


def _organisation_errors(dbsession: Session, details: TrainingDetails) -> dict:
    """A training's programme and venue are its own organisation's."""
    errors = {}
    if details.organisation_id is None:
        return errors
    for name, model, object_id in (("programme_id", Programme, details.programme_id),
                                   ("venue_id", Venue, details.venue_id)):
        found = dbsession.get(model, object_id) if object_id is not None else None
        if found is not None and found.organisation_id != details.organisation_id:
            errors[name] = _("This belongs to another organisation than the training.")
    return errors


def _apply(dbsession: Session, training: Training, details: TrainingDetails) -> None:
    offered = [code for code in details.offered_languages if code != details.language]
    training.title = details.title.strip()
    training.kind = details.kind
    # Objects rather than ids, so that `training.region` is right for the rest of the request.
    training.region = dbsession.get(Region, details.region_id)
    training.venue = dbsession.get(Venue, details.venue_id) if details.venue_id is not None else None
    training.programme_id = details.programme_id
    if details.organisation_id is not None:
        training.organisation_id = details.organisation_id
    training.language = details.language
    training.offered_languages = " ".join([details.language, *offered])
    training.capacity = details.capacity
    training.requires_approval = details.requires_approval
    training.attendance_threshold = details.attendance_threshold
    training.late_after_minutes = details.late_after_minutes
    training.starts_on = details.starts_on
    training.ends_on = details.ends_on
    training.description = details.description.strip()
    training.registration_deadline = details.registration_deadline
    training.institution_quota = details.institution_quota
    training.reminder_days = details.reminder_days or 0


def create_training(dbsession: Session, details: TrainingDetails) -> Training:
    errors = training_errors(dbsession, details)
    if errors:
        raise FieldErrors(errors)
    training = Training(status=TrainingStatus.draft, confirmed_count=0)
    _apply(dbsession, training, details)
    dbsession.add(training)
    dbsession.flush()
    return training


def calendar_face(training: Training) -> tuple:
    """What of a training its sessions' calendar events show (SUMMARY and LOCATION): its title,
    its venue and its region's city. When it changes, every live session reads differently."""
    return training.title, training.venue_id, training.region_id


def revise_sessions(request, training: Training, sessions) -> list[TrainingSession]:
    """`sessions` now read differently in calendars: raise their SEQUENCE, so that calendar
    programs take the new version over the one they have, and tell the invitees
    (SessionsChanged). Cancelled sessions are left alone; returns the revised ones."""
    live = [session for session in sessions if not session.cancelled]
    for session in live:
        session.sequence += 1
    request.dbsession.flush()
    if live:
        request.registry.notify(SessionsChanged(request, training, live))
    return live


def update_training(request, training: Training, details: TrainingDetails) -> Training:
    dbsession = request.dbsession
    errors = training_errors(dbsession, details, training)
    if errors:
        raise FieldErrors(errors)
    before, capacity_before = calendar_face(training), training.capacity
    _apply(dbsession, training, details)
    dbsession.flush()
    if calendar_face(training) != before:
        revise_sessions(request, training, training.sessions)
    if training.capacity > capacity_before:
        request.registry.notify(PlacesAdded(request, training))
    return training


def publish_training(request, training: Training) -> None:
    if training.status == TrainingStatus.cancelled:
        raise FieldErrors({None: _("A cancelled training cannot be published.")})
    if not any(not session.cancelled for session in training.sessions):
        raise FieldErrors({None: _("Add at least one session before publishing.")})
    if training.status == TrainingStatus.published:
        return
    training.status = TrainingStatus.published
    training.published_at = utcnow()
    request.dbsession.flush()
    record(request, "training.publish", training, summary=training.title)
    request.registry.notify(TrainingPublished(request, training))


def cancel_training(request, training: Training, reason: str) -> None:
    """Marks the training cancelled; its sessions, registrations and attendance stay as they are."""
    if training.status == TrainingStatus.cancelled:
        raise FieldErrors({None: _("This training is already cancelled.")})
    training.status = TrainingStatus.cancelled
    training.cancelled_at = utcnow()
    training.cancel_reason = reason.strip()
    request.dbsession.flush()
    record(request, "training.cancel", training, summary=f"{training.title}: {training.cancel_reason}")
    request.registry.notify(TrainingCancelled(request, training))


def delete_draft(dbsession: Session, training: Training) -> None:
    """A draft was never public: deleting it (a duplicate made by mistake, a plan dropped) leaves
    nothing behind. A published training has a public history — it is cancelled instead — and a
    draft with registrations holds people's data that an organiser should move or cancel first."""
    if training.status != TrainingStatus.draft:
        raise FieldErrors({None: _("Only a draft can be deleted: cancel a published training instead.")})
    count = registration_count(dbsession, training.id)
    if count:
        raise FieldErrors({None: _("This draft has registrations (${count}): cancel or move them before deleting it.",
                                   mapping={"count": count})})
    # Rows of the later packages that only describe this draft (an uploaded list not imported, a
    # certificate layout chosen) go with it; they are found by their foreign key, since this
    # package never imports those.
    for table in reversed(Base.metadata.sorted_tables):
        for key in table.foreign_keys:
            if key.column.table.name == "training" and table.name != "session":
                dbsession.execute(sa.delete(table).where(key.parent == training.id))
    dbsession.delete(training)  # its sessions and their speakers with it (ORM cascade)
    dbsession.flush()


def registration_count(dbsession: Session, training_id: int) -> int:
    return dbsession.scalar(select(func.count()).select_from(_registration)
                            .where(_registration.c.training_id == training_id)) or 0


# --- sessions ----------------------------------------------------------------------------------

@dataclass
class SessionDetails:
    title: str
    day: dt.date
    start: dt.time
    end: dt.time
    topic: str = ""
    room: str = ""


def overlapping(query, starts_at: dt.datetime, ends_at: dt.datetime):
    return query.where(TrainingSession.starts_at < ends_at, TrainingSession.ends_at > starts_at)


def _live_sessions():
    """Sessions that still take place: neither they nor their training are cancelled."""
    return (select(TrainingSession).join(TrainingSession.training)
            .where(TrainingSession.cancelled.is_(False), Training.status != TrainingStatus.cancelled))


def room_conflict(dbsession: Session, venue_id: int | None, room: str, starts_at: dt.datetime,
                  ends_at: dt.datetime, exclude_ids=()) -> TrainingSession | None:
    """Another live session in the same room of the same venue at an overlapping time."""
    room = (room or "").strip()
    if venue_id is None or not room:
        return None
    query = overlapping(_live_sessions(), starts_at, ends_at).where(
        Training.venue_id == venue_id, func.lower(func.trim(TrainingSession.room)) == room.lower())
    if exclude_ids:
        query = query.where(TrainingSession.id.not_in(list(exclude_ids)))
    return dbsession.scalars(query.limit(1)).first()


def speaker_conflict(dbsession: Session, person_ids, starts_at: dt.datetime, ends_at: dt.datetime,
                     exclude_ids=()) -> SessionSpeaker | None:
    """A live session anywhere in the programme where one of these persons already speaks or
    moderates at an overlapping time."""
    person_ids = [person_id for person_id in person_ids if person_id is not None]
    if not person_ids:
        return None
    query = (overlapping(_live_sessions(), starts_at, ends_at)
             .join(SessionSpeaker, SessionSpeaker.session_id == TrainingSession.id)
             .where(SessionSpeaker.person_id.in_(person_ids))
             .with_only_columns(SessionSpeaker))
    if exclude_ids:
        query = query.where(TrainingSession.id.not_in(list(exclude_ids)))
    return dbsession.scalars(query.limit(1)).first()


def speaker_conflict_message(conflict: SessionSpeaker):
    session = conflict.session
    return _("${name} already speaks in “${session}” (${training}) at that time.",
             mapping={"name": conflict.person.full_name, "session": session.title,
                      "training": session.training.title})


def session_instants(training: Training, details: SessionDetails) -> tuple[dict, dt.datetime | None,
                                                                              dt.datetime | None]:
    errors: dict = {}
    zone = training.region.timezone
    starts_at = ends_at = None
    try:
        starts_at = combine_local(details.day, details.start, zone)
    except NonexistentLocalTime:
        errors["start"] = _("This time does not exist in ${zone} (the clocks move forward).",
                            mapping={"zone": zone})
    try:
        ends_at = combine_local(details.day, details.end, zone)
    except NonexistentLocalTime:
        errors["end"] = _("This time does not exist in ${zone} (the clocks move forward).", mapping={"zone": zone})
    return errors, starts_at, ends_at


def session_errors(dbsession: Session, training: Training, details: SessionDetails,
                   session: TrainingSession | None = None) -> tuple[dict, dt.datetime | None, dt.datetime | None]:
    """The rules a session's time and place must follow; returns (errors, starts_at, ends_at)."""
    errors, starts_at, ends_at = session_instants(training, details)
    if not (training.starts_on <= details.day <= training.ends_on):
        errors["day"] = _("Choose a day between ${start} and ${end}, the training's dates.",
                          mapping={"start": training.starts_on.isoformat(), "end": training.ends_on.isoformat()})
    if errors:
        return errors, starts_at, ends_at
    if ends_at <= starts_at:
        errors["end"] = _("The session must end after it starts.")
        return errors, starts_at, ends_at
    exclude = [session.id] if session is not None and session.id is not None else []
    clash = room_conflict(dbsession, training.venue_id, details.room, starts_at, ends_at, exclude)
    if clash is not None:
        errors["room"] = _("This room is already booked for “${session}” (${training}) at that time.",
                           mapping={"session": clash.title, "training": clash.training.title})
    if session is not None:
        conflict = speaker_conflict(dbsession, [speaker.person_id for speaker in session.speakers],
                                    starts_at, ends_at, exclude)
        if conflict is not None:
            errors["start"] = speaker_conflict_message(conflict)
    return errors, starts_at, ends_at


def add_session(request, training: Training, details: SessionDetails) -> TrainingSession:
    """A new session; the invitees of a published training are sent it (SessionsChanged)."""
    dbsession = request.dbsession
    if training.status == TrainingStatus.cancelled:
        raise FieldErrors({None: _("This training is cancelled: its timetable can no longer change.")})
    errors, starts_at, ends_at = session_errors(dbsession, training, details)
    if errors:
        raise FieldErrors(errors)
    position = max((session.position for session in training.sessions), default=-1) + 1
    session = TrainingSession(training=training, title=details.title.strip(), topic=details.topic.strip(),
                              room=details.room.strip(), starts_at=starts_at, ends_at=ends_at, position=position)
    dbsession.add(session)
    dbsession.flush()
    request.registry.notify(SessionsChanged(request, training, [session]))
    return session


def update_session(request, session: TrainingSession, details: SessionDetails) -> TrainingSession:
    if session.cancelled or session.training.status == TrainingStatus.cancelled:
        raise FieldErrors({None: _("A cancelled session cannot be changed.")})
    errors, starts_at, ends_at = session_errors(request.dbsession, session.training, details, session)
    if errors:
        raise FieldErrors(errors)
    # What calendars show of the event (time, place, title); the topic is description text,
    # which feeds update and the next revision carries, without emailing every invitee.
    changed = (starts_at != session.starts_at or ends_at != session.ends_at
               or details.room.strip() != session.room or details.title.strip() != session.title)
    session.title = details.title.strip()
    session.topic = details.topic.strip()
    session.room = details.room.strip()
    session.starts_at, session.ends_at = starts_at, ends_at
    if changed:
        session.sequence += 1
    request.dbsession.flush()
    if changed:
        request.registry.notify(SessionsChanged(request, session.training, [session]))
    return session


def cancel_session(request, session: TrainingSession) -> None:
    if session.cancelled:
        raise FieldErrors({None: _("This session is already cancelled.")})
    session.cancelled = True
    session.sequence += 1
    request.dbsession.flush()
    request.registry.notify(SessionCancelled(request, session))


def can_delete_session(dbsession: Session, session: TrainingSession) -> bool:
    """Only a draft's session that nobody attended leaves no history behind."""
    if session.training.status != TrainingStatus.draft:
        return False
    attended = dbsession.scalar(select(func.count()).select_from(_attendance)
                                .where(_attendance.c.session_id == session.id))
    return not attended and registration_count(dbsession, session.training_id) == 0


def deletable_sessions(dbsession: Session, training: Training) -> set[int]:
    """Ids of the training's sessions that `delete_session` accepts, in at most two queries."""
    if training.status != TrainingStatus.draft or registration_count(dbsession, training.id):
        return set()
    ids = [session.id for session in training.sessions]
    attended = set(dbsession.scalars(select(_attendance.c.session_id).where(_attendance.c.session_id.in_(ids))
                                     .distinct())) if ids else set()
    return set(ids) - attended


def delete_session(dbsession: Session, session: TrainingSession) -> None:
    if not can_delete_session(dbsession, session):
        raise FieldErrors({None: _("This session has a history: cancel it instead of deleting it.")})
    training = session.training
    training.sessions.remove(session)
    dbsession.flush()


def move_session(request, session: TrainingSession, direction: int) -> None:
    """Swaps a session with its neighbour in the timetable: each takes the other's time slot
    (the slots stay where they are; their contents move), keeping speakers free of overlaps."""
    training = session.training
    live = sorted((other for other in training.sessions if not other.cancelled),
                  key=lambda other: (other.starts_at, other.position, other.id))
    if session not in live:
        return
    index = live.index(session)
    target = index + direction
    if not 0 <= target < len(live):
        return
    other = live[target]
    if (session.starts_at, session.ends_at) == (other.starts_at, other.ends_at):
        session.position, other.position = other.position, session.position
        request.dbsession.flush()
        return
    slots = {session: (other.starts_at, other.ends_at), other: (session.starts_at, session.ends_at)}
    pair = [session.id, other.id]
    for moved, (starts_at, ends_at) in slots.items():
        conflict = speaker_conflict(request.dbsession, [s.person_id for s in moved.speakers], starts_at, ends_at,
                                    pair)
        if conflict is not None:
            raise FieldErrors({None: speaker_conflict_message(conflict)})
        clash = room_conflict(request.dbsession, training.venue_id, moved.room, starts_at, ends_at, pair)
        if clash is not None:
            raise FieldErrors({None: _("This room is already booked for “${session}” (${training}) at that time.",
                                       mapping={"session": clash.title, "training": clash.training.title})})
    for moved, (starts_at, ends_at) in slots.items():
        moved.starts_at, moved.ends_at = starts_at, ends_at
        moved.sequence += 1
    session.position, other.position = other.position, session.position
    request.dbsession.flush()
    request.registry.notify(SessionsChanged(request, training, [session, other]))


def session_local_details(session: TrainingSession) -> dict:
    """A session's fields as the form shows them, in the region's local time."""
    zone = session.training.region.timezone
    start, end = utc_to_local(session.starts_at, zone), utc_to_local(session.ends_at, zone)
    return {"title": session.title, "topic": session.topic, "room": session.room, "day": start.date(),
            "start": start.time().replace(tzinfo=None), "end": end.time().replace(tzinfo=None)}
