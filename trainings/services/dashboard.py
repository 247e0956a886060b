"""Figures for the organisers' dashboard."""
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Training, TrainingStatus


def trainings_by_status(dbsession: Session) -> dict[TrainingStatus, dict]:
    """For each status: how many trainings, their capacity and their confirmed places."""
    rows = dbsession.execute(
        select(Training.status, func.count(), func.coalesce(func.sum(Training.capacity), 0),
               func.coalesce(func.sum(Training.confirmed_count), 0))
        .group_by(Training.status)
    ).all()
    summary = {status: {"trainings": 0, "capacity": 0, "confirmed": 0} for status in TrainingStatus}
    for status, count, capacity, confirmed in rows:
        summary[status] = {"trainings": count, "capacity": capacity, "confirmed": confirmed}
    return summary
