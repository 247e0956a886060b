"""The JSON read API's documents: trainings and sessions with ISO 8601 times carrying the
offset of the region's zone, plus the zone's name."""
from __future__ import annotations

from ..models import Training, TrainingSession
from ..timezones import utc_to_local


def session_document(session: TrainingSession, zone: str) -> dict:
    return {
        "id": session.id,
        "uid": session.uid,
        "title": session.title,
        "topic": session.topic,
        "starts_at": utc_to_local(session.starts_at, zone).isoformat(),
        "ends_at": utc_to_local(session.ends_at, zone).isoformat(),
        "room": session.room,
        "cancelled": session.cancelled,
        "sequence": session.sequence,
        "speakers": [
            {"name": speaker.person.full_name, "role": str(speaker.role),
             "institution": speaker.person.institution.name if speaker.person.institution else None}
            for speaker in session.speakers
        ],
    }


def training_document(request, training: Training, with_sessions: bool = False) -> dict:
    region, venue = training.region, training.venue
    document = {
        "id": training.id,
        "url": request.route_url("training", id=training.id),
        "title": training.title,
        "kind": str(training.kind),
        "status": str(training.status),
        "description": training.description,
        "starts_on": training.starts_on.isoformat(),
        "ends_on": training.ends_on.isoformat(),
        "timezone": region.timezone,
        "region": {"id": region.id, "name": region.name, "city": region.city, "country": region.country},
        "venue": None if venue is None else {
            "id": venue.id, "name": venue.name, "address": venue.address,
            "latitude": venue.latitude, "longitude": venue.longitude,
        },
        "programme": None if training.programme is None else {
            "id": training.programme.id, "name": training.programme.name,
        },
        "language": str(training.language),
        "languages": training.languages,
        "capacity": training.capacity,
        "places_left": training.places_left,
        "registration_deadline": (training.registration_deadline.isoformat()
                                   if training.registration_deadline else None),
        "cancelled_at": training.cancelled_at.isoformat() if training.cancelled_at else None,
        "cancel_reason": training.cancel_reason or None,
    }
    if with_sessions:
        document["sessions"] = [session_document(session, region.timezone) for session in training.sessions]
    return document
