"""Demo data: the past trainings' certificates are issued, and one is revoked with a reason,
so that a newcomer can download one and verify it at once (`/verify/{code}`)."""
from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select

from trainings.models import Training, TrainingStatus

from . import services

log = logging.getLogger(__name__)
REVOKE_REASON = "Emitido por error: la persona asistió a otra edición del taller."


def load(request) -> None:
    dbsession = request.dbsession
    past = dbsession.scalars(
        select(Training).where(Training.ends_on < dt.date.today(), Training.status == TrainingStatus.published)
        .order_by(Training.ends_on, Training.id)
    ).all()
    issued = []
    for training in past:
        # No email: the demo's people are invented and their outbox would only fill up.
        issued += services.issue_eligible(request, training, notify=False)
    if not issued:
        log.info("no past training with eligible people: no demo certificates")
        return
    services.revoke(request, issued[-1], REVOKE_REASON, notify=False)
    log.info("%s demo certificates issued, one revoked", len(issued))
