"""What the public sees coming up."""
import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ..models import Training, TrainingStatus


def next_published(dbsession: Session, limit: int, today: dt.date | None = None) -> list[Training]:
    today = today or dt.date.today()
    return list(dbsession.scalars(
        select(Training)
        .where(Training.status == TrainingStatus.published, Training.ends_on >= today)
        .options(joinedload(Training.region), joinedload(Training.venue))
        .order_by(Training.starts_on, Training.id)
        .limit(limit)
    ))
