"""What the public sees: the listing of trainings with its filters and pages, and one training
with its timetable. Each is loaded in a constant number of queries, whatever the number of
trainings, sessions or speakers."""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from itertools import groupby

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..models import (
    Language,
    Region,
    SessionSpeaker,
    Training,
    TrainingKind,
    TrainingSession,
    TrainingStatus,
)
from ..paging import Page
from ..resources import parse_id
from ..scoping import unscoped
from ..timezones import local_date
from . import places

PUBLIC_STATUSES = (TrainingStatus.published, TrainingStatus.cancelled)
PAGE_SIZE = 20
_MONTH = re.compile(r"^(19[0-9]{2}|2[01][0-9]{2})-(0[1-9]|1[0-2])$")  # years a calendar can page through


@dataclass
class Filters:
    """The listing's filters, read leniently from a query string: a value that makes no sense
    is ignored (and reported in `ignored`) rather than answered with an error page."""

    country: str | None = None
    region: int | None = None
    programme: int | None = None
    kind: str | None = None
    language: str | None = None
    month: str | None = None
    past: bool = False
    page: int = 1
    ignored: list[str] = field(default_factory=list)

    @classmethod
    def from_params(cls, params) -> Filters:
        filters = cls()
        country = (params.get("country") or "").strip().upper()
        if country:
            if re.fullmatch(r"[A-Z]{2}", country):
                filters.country = country
            else:
                filters.ignored.append("country")
        for name in ("region", "programme"):
            value = (params.get(name) or "").strip()
            if value:
                if parse_id(value) is not None:
                    setattr(filters, name, parse_id(value))
                else:
                    filters.ignored.append(name)
        kind = (params.get("kind") or "").strip()
        if kind:
            if kind in TrainingKind.__members__:
                filters.kind = kind
            else:
                filters.ignored.append("kind")
        language = (params.get("language") or "").strip()
        if language:
            if language in Language.__members__:  # any other value is no language a training is held in
                filters.language = language
            else:
                filters.ignored.append("language")
        month = (params.get("month") or "").strip()
        if month:
            if _MONTH.match(month):
                filters.month = month
            else:
                filters.ignored.append("month")
        when = (params.get("when") or "").strip()
        filters.past = when == "past"
        if when not in ("", "past", "upcoming"):
            filters.ignored.append("when")
        page = (params.get("page") or "1").strip()
        filters.page = parse_id(page) or 1
        if filters.page == 1 and page not in ("", "1"):
            filters.ignored.append("page")
        return filters

    def query_params(self, **changes) -> dict:
        values = {"country": self.country, "region": self.region, "programme": self.programme, "kind": self.kind,
                  "language": self.language, "month": self.month, "when": "past" if self.past else None,
                  "page": self.page if self.page > 1 else None}
        values.update(changes)
        return {key: value for key, value in values.items() if value not in (None, "")}

    def month_range(self) -> tuple[dt.date, dt.date] | None:
        if not self.month:
            return None
        year, month = (int(part) for part in self.month.split("-"))
        first = dt.date(year, month, 1)
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        return first, following - dt.timedelta(days=1)


def public_trainings_query(filters: Filters, today: dt.date):
    query = select(Training).where(Training.status.in_(PUBLIC_STATUSES))
    if filters.past:
        query = query.where(Training.ends_on < today)
    else:
        query = query.where(Training.ends_on >= today)
    if filters.region is not None:
        query = query.where(Training.region_id == filters.region)
    if filters.country:
        query = query.where(Training.region_id.in_(select(Region.id).where(Region.country == filters.country)))
    if filters.programme is not None:
        query = query.where(Training.programme_id == filters.programme)
    if filters.kind:
        query = query.where(Training.kind == filters.kind)
    if filters.language:
        # `offered_languages` is space-separated and always includes the main language.
        padded = " " + Training.offered_languages + " "
        query = query.where(or_(Training.language == filters.language,
                                padded.like(f"% {filters.language} %")))
    month = filters.month_range()
    if month:
        query = query.where(Training.starts_on <= month[1], Training.ends_on >= month[0])
    return query


def list_public_trainings(dbsession: Session, filters: Filters, today: dt.date | None = None,
                          size: int = PAGE_SIZE) -> Page:
    """One page of the public listing, in two queries: the count and the page itself."""
    today = today or dt.date.today()
    query = public_trainings_query(filters, today)
    total = dbsession.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    number = min(filters.page, max(math.ceil(total / size), 1))
    order = (Training.starts_on.desc(), Training.id.desc()) if filters.past else (Training.starts_on, Training.id)
    items = list(dbsession.scalars(
        query.options(joinedload(Training.region), joinedload(Training.venue), joinedload(Training.programme))
        .order_by(*order).limit(size).offset((number - 1) * size)
    ))
    return Page(items, number, size, total)


def filter_choices(dbsession: Session) -> dict:
    """Regions and programmes for the listing's filters (two queries)."""
    return {
        "regions": places.regions(dbsession),
        "programmes": places.programmes(dbsession),
    }


def _person_class():
    # `SessionSpeaker.person` names the participants package's Person by string; reach it
    # through the mapper so that this package never imports that one.
    return SessionSpeaker.person.property.mapper.class_


def accepts_registrations(training: Training, today: dt.date | None = None) -> bool:
    """Published, not over yet and its registration deadline (a day in its region) not past:
    the public page offers to register, and the form accepts."""
    today = today or dt.date.today()
    return (training.status == TrainingStatus.published and training.ends_on >= today
            and not training.registration_closed())


def load_training_page(dbsession: Session, training_id: int | None) -> Training | None:
    """The training with everything its page shows, in a fixed number of queries: the
    training with its region, venue and programme; its sessions; their speakers with persons
    and institutions."""
    if training_id is None:
        return None
    person = _person_class()
    return dbsession.scalars(
        select(Training).where(Training.id == training_id)
        .options(
            joinedload(Training.region), joinedload(Training.venue), joinedload(Training.programme),
            selectinload(Training.sessions).selectinload(TrainingSession.speakers)
            .joinedload(SessionSpeaker.person).joinedload(person.institution),
        )
    ).unique().first()


def is_public(training: Training) -> bool:
    return training.status in PUBLIC_STATUSES


def timetable(training: Training) -> list[tuple[dt.date, list[TrainingSession]]]:
    """Sessions grouped by their day in the training's local time, in order."""
    zone = training.region.timezone
    ordered = sorted(training.sessions, key=lambda session: (session.starts_at, session.position, session.id))
    return [(day, list(sessions)) for day, sessions in groupby(ordered, key=lambda s: local_date(s.starts_at, zone))]


def all_trainings(dbsession: Session, page: str, size: int = 50, scope=unscoped) -> Page:
    """Every training (that `scope` lets through), drafts included, newest first: the archive."""
    total = dbsession.scalar(scope(select(func.count()).select_from(Training))) or 0
    number = parse_id(page) or 1
    number = min(number, max(math.ceil(total / size), 1))
    items = list(dbsession.scalars(scope(select(Training).options(joinedload(Training.region))
                                   .order_by(Training.starts_on.desc(), Training.id.desc())
                                   .limit(size).offset((number - 1) * size))))
    return Page(items, number, size, total)
