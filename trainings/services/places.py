"""Regions, venues and programmes: the places and frames trainings are scheduled in."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from ..forms import FieldErrors
from ..i18n import _, collation_key
from ..models import Programme, Region, Training, Venue, is_valid_timezone
from ..scoping import editable_organisation_ids
from .schedule import revise_sessions


# Sorted in Python: a few hundred rows at most, and SQLite's (or a database's C) collation
# would put "Áncash" after "Ucayali".
def regions(dbsession: Session) -> list[Region]:
    return sorted(dbsession.scalars(select(Region)), key=lambda region: (region.country, collation_key(region.name)))


def venues(dbsession: Session, organisation_ids: frozenset[int] | None = None) -> list[Venue]:
    """Every venue, or those of the given organisations, by country, region and name (accents aside)."""
    query = select(Venue).join(Venue.region).options(joinedload(Venue.region))
    if organisation_ids is not None:
        query = query.where(Venue.organisation_id.in_(sorted(organisation_ids)))
    return sorted(dbsession.scalars(query),
                  key=lambda venue: (venue.region.country, collation_key(venue.region.name), collation_key(venue.name)))


def programmes(dbsession: Session, organisation_ids: frozenset[int] | None = None) -> list[Programme]:
    """Every programme, or those of the given organisations, by name (accents aside)."""
    query = select(Programme)
    if organisation_ids is not None:
        query = query.where(Programme.organisation_id.in_(sorted(organisation_ids)))
    return sorted(dbsession.scalars(query), key=lambda programme: collation_key(programme.name))


def region_label(region: Region) -> str:
    return f"{region.name} ({region.country}) — {region.timezone}"


def region_choices(request) -> list[tuple[str, str]]:
    return [(str(region.id), region_label(region)) for region in regions(request.dbsession)]


def venue_choices(request) -> list[tuple[str, str]]:
    return [(str(venue.id), f"{venue.name} — {venue.region.name}")
            for venue in venues(request.dbsession, editable_organisation_ids(request))]


def programme_choices(request) -> list[tuple[str, str]]:
    return [(str(programme.id), programme.name)
            for programme in programmes(request.dbsession, editable_organisation_ids(request))]


def _trainings_shown_with(dbsession: Session, criterion) -> list[Training]:
    return list(dbsession.scalars(select(Training).where(criterion).order_by(Training.id)))


def save_region(request, values: dict, region: Region | None = None) -> Region:
    """Create or edit a region. Its city and zone are in its trainings' calendar events: when
    they change, those events are revised (new SEQUENCE, updated invitations)."""
    dbsession = request.dbsession
    before = (region.city, region.timezone) if region is not None else None
    country, name = values["country"].strip().upper(), values["name"].strip()
    if not is_valid_timezone(values["timezone"]):
        raise FieldErrors({"timezone": _("Not a known IANA time zone, such as America/Lima.")})
    same = dbsession.scalar(select(Region).where(Region.country == country, func.lower(Region.name) == name.lower()))
    if same is not None and same is not region:
        raise FieldErrors({"name": _("This country already has a region with this name.")})
    region = region or Region()
    region.country, region.name, region.city = country, name, values["city"].strip()
    region.timezone = values["timezone"].strip()
    dbsession.add(region)
    dbsession.flush()
    if before is not None and (region.city, region.timezone) != before:
        for training in _trainings_shown_with(dbsession, Training.region_id == region.id):
            revise_sessions(request, training, training.sessions)
    return region


def _venue_face(venue: Venue) -> tuple:
    return venue.name, venue.address, venue.latitude, venue.longitude


def save_venue(request, values: dict, venue: Venue | None = None) -> Venue:
    """Create or edit a venue. Its name, address and position are in the calendar events of
    the trainings held there: when they change, those events are revised (new SEQUENCE,
    updated invitations)."""
    dbsession = request.dbsession
    before = _venue_face(venue) if venue is not None else None
    region = dbsession.get(Region, values["region_id"])
    if region is None:
        raise FieldErrors({"region_id": _("Choose a region.")})
    name = values["name"].strip()
    same = dbsession.scalar(select(Venue).where(Venue.region_id == region.id, func.lower(Venue.name) == name.lower()))
    if same is not None and same is not venue:
        raise FieldErrors({"name": _("This region already has a venue with this name.")})
    venue = venue or Venue()
    venue.region, venue.name, venue.address = region, name, values["address"].strip()
    venue.latitude, venue.longitude = values["latitude"], values["longitude"]
    venue.organisation_id = values.get("organisation_id") or venue.organisation_id
    dbsession.add(venue)
    dbsession.flush()
    if before is not None and _venue_face(venue) != before:
        for training in _trainings_shown_with(dbsession, Training.venue_id == venue.id):
            revise_sessions(request, training, training.sessions)
    return venue


def save_programme(dbsession: Session, values: dict, programme: Programme | None = None) -> Programme:
    name = values["name"].strip()
    if values["starts_on"] and values["ends_on"] and values["ends_on"] < values["starts_on"]:
        raise FieldErrors({"ends_on": _("The programme must end on or after the day it starts.")})
    same = dbsession.scalar(select(Programme).where(func.lower(Programme.name) == name.lower()))
    if same is not None and same is not programme:
        raise FieldErrors({"name": _("A programme with this name exists already.")})
    programme = programme or Programme()
    programme.name, programme.donor = name, values["donor"].strip()
    programme.starts_on, programme.ends_on = values["starts_on"], values["ends_on"]
    programme.description = values["description"].strip()
    programme.organisation_id = values.get("organisation_id") or programme.organisation_id
    dbsession.add(programme)
    dbsession.flush()
    return programme
