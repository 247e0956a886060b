"""What the outbox holds, for the administrators' outbox page and the dashboard's warning:
counts by state, how long the oldest message has waited, the messages given up, and retrying
them. Never bodies: they hold private links."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from ..models import OutboxMessage, OutboxState

# A running worker delivers within seconds; waiting longer means it is not running (or the
# mail server does not answer).
LATE_AFTER = dt.timedelta(minutes=10)
PENDING = (OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None))
FAILED = (OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_not(None))


@dataclass(frozen=True)
class OutboxSummary:
    pending: int
    failed: int
    delivered: int
    oldest_pending_at: dt.datetime | None
    last_delivered_at: dt.datetime | None

    def waiting_for(self, now: dt.datetime) -> dt.timedelta | None:
        return now - self.oldest_pending_at if self.oldest_pending_at is not None else None

    def is_late(self, now: dt.datetime) -> bool:
        waited = self.waiting_for(now)
        return waited is not None and waited > LATE_AFTER


def summary(dbsession: Session) -> OutboxSummary:
    state = case((OutboxMessage.sent_at.is_not(None), OutboxState.delivered.value),
                 (OutboxMessage.failed_at.is_not(None), OutboxState.failed.value),
                 else_=OutboxState.pending.value)
    counts = dict(dbsession.execute(select(state, func.count()).group_by(state)).all())
    return OutboxSummary(
        pending=counts.get(OutboxState.pending.value, 0), failed=counts.get(OutboxState.failed.value, 0),
        delivered=counts.get(OutboxState.delivered.value, 0),
        oldest_pending_at=oldest_pending_at(dbsession),
        last_delivered_at=dbsession.scalar(select(func.max(OutboxMessage.sent_at))),
    )


def oldest_pending_at(dbsession: Session) -> dt.datetime | None:
    return dbsession.scalar(select(func.min(OutboxMessage.created_at)).where(*PENDING))


def mail_is_late(dbsession: Session, now: dt.datetime) -> bool:
    """The dashboard's warning: a message has waited more than LATE_AFTER."""
    oldest = oldest_pending_at(dbsession)
    return oldest is not None and now - oldest > LATE_AFTER


def failed_messages(dbsession: Session, limit: int = 200) -> list[OutboxMessage]:
    return list(dbsession.scalars(select(OutboxMessage).where(*FAILED)
                                  .order_by(OutboxMessage.failed_at.desc()).limit(limit)))


def pending_messages(dbsession: Session, limit: int = 50) -> list[OutboxMessage]:
    """The oldest waiting messages, with the error of their last attempt if any."""
    return list(dbsession.scalars(select(OutboxMessage).where(*PENDING).order_by(OutboxMessage.id).limit(limit)))


def retry_failed(dbsession: Session, now: dt.datetime, message_id: int | None = None) -> int:
    """Put failed messages back in the queue, due now, with their attempts counted afresh;
    their last error stays visible until they are delivered. Returns how many."""
    query = update(OutboxMessage).where(*FAILED)
    if message_id is not None:
        query = query.where(OutboxMessage.id == message_id)
    result = dbsession.execute(query.values(failed_at=None, attempts=0, next_attempt_at=now)
                               .execution_options(synchronize_session=False))
    return result.rowcount
