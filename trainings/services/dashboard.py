"""Figures for the organisers' dashboard and its month view."""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from ..models import Training, TrainingSession, TrainingStatus
from ..scoping import unscoped

# The participants package's table, named rather than imported (trainings never imports it).
_registration = sa.table("registration", sa.column("training_id"), sa.column("status"), sa.column("role"))
# Speakers, moderators and organisers are registered too, but take no place: the dashboard
# counts people for places, as the training's confirmed count does.
ROLES_TAKING_A_PLACE = ("participant", "observer")


def trainings_by_status(dbsession: Session, scope=unscoped) -> dict[TrainingStatus, dict]:
    """For each status: how many trainings, their capacity and their confirmed places."""
    rows = dbsession.execute(scope(
        select(Training.status, func.count(), func.coalesce(func.sum(Training.capacity), 0),
               func.coalesce(func.sum(Training.confirmed_count), 0))
        .group_by(Training.status)
    )).all()
    summary = {status: {"trainings": 0, "capacity": 0, "confirmed": 0} for status in TrainingStatus}
    for status, count, capacity, confirmed in rows:
        summary[status] = {"trainings": count, "capacity": capacity, "confirmed": confirmed}
    return summary


def registration_counts(dbsession: Session, training_ids) -> dict[int, dict[str, int]]:
    """Registrations taking a place, of each training by status (pending, confirmed, waitlisted,
    cancelled)."""
    training_ids = list(training_ids)
    if not training_ids:
        return {}
    rows = dbsession.execute(
        select(_registration.c.training_id, _registration.c.status, func.count())
        .where(_registration.c.training_id.in_(training_ids), _registration.c.role.in_(ROLES_TAKING_A_PLACE))
        .group_by(_registration.c.training_id, _registration.c.status)
    ).all()
    counts: dict[int, dict[str, int]] = {training_id: {} for training_id in training_ids}
    for training_id, status, count in rows:
        counts[training_id][status] = count
    return counts


def current_trainings(dbsession: Session, today: dt.date, limit: int = 100,
                      scope=unscoped) -> dict[TrainingStatus, list[Training]]:
    """Trainings not yet over, grouped by status, soonest first."""
    trainings = dbsession.scalars(scope(
        select(Training).where(Training.ends_on >= today)
        .options(joinedload(Training.region))
        .order_by(Training.starts_on, Training.id).limit(limit)
    ))
    grouped: dict[TrainingStatus, list[Training]] = {status: [] for status in TrainingStatus}
    for training in trainings:
        grouped[training.status].append(training)
    return grouped


# A session is a slot of hours: one that started longer ago than this has ended. The bound lets
# the index on starts_at begin near now instead of at the programme's first session.
LONGEST_SESSION = dt.timedelta(days=2)


def next_sessions(dbsession: Session, now: dt.datetime, limit: int = 8, scope=unscoped) -> list[TrainingSession]:
    return list(dbsession.scalars(scope(
        select(TrainingSession).join(TrainingSession.training)
        .where(TrainingSession.starts_at >= now - LONGEST_SESSION, TrainingSession.ends_at >= now,
               TrainingSession.cancelled.is_(False),
               Training.status != TrainingStatus.cancelled)
        .options(joinedload(TrainingSession.training).joinedload(Training.region))
        .order_by(TrainingSession.starts_at).limit(limit)
    )))


@dataclass
class MonthView:
    first: dt.date
    weeks: list[list[tuple[dt.date, list[Training]]]]
    previous: str
    following: str

    @property
    def key(self) -> str:
        return f"{self.first:%Y-%m}"


def parse_month(value: str | None, today: dt.date) -> dt.date:
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        return today.replace(day=1)


def month_view(dbsession: Session, first: dt.date, scope=unscoped) -> MonthView:
    """Every training across the regions, on the days of a month's calendar grid."""
    weeks = calendar.Calendar(firstweekday=calendar.MONDAY).monthdatescalendar(first.year, first.month)
    grid_start, grid_end = weeks[0][0], weeks[-1][-1]
    trainings = list(dbsession.scalars(scope(
        select(Training).where(Training.starts_on <= grid_end, Training.ends_on >= grid_start)
        .options(joinedload(Training.region)).order_by(Training.starts_on, Training.id)
    )))
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return MonthView(
        first=first,
        weeks=[[(day, [t for t in trainings if t.starts_on <= day <= t.ends_on]) for day in week] for week in weeks],
        previous=f"{previous:%Y-%m}", following=f"{following:%Y-%m}",
    )
