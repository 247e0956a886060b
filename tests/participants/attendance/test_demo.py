"""The demo's past workshop has every session's attendance recorded, in a realistic mix."""
from collections import Counter

from sqlalchemy import select

from participants.attendance import demo, services
from participants.attendance.summary import people_summary
from trainings.models import Training


def test_the_demo_adds_a_past_training_with_attendance(app_request, dbsession):
    training = demo.load(app_request)
    assert training is not None and demo.load(app_request) is None  # loading twice adds nothing
    assert training.status == "published" and len(training.sessions) == 4
    assert dbsession.scalar(select(Training).where(Training.id == training.id)).ends_on < training.created_at.date()
    statuses, methods = Counter(), Counter()
    for session in training.sessions:
        rows = services.sheet(dbsession, session)
        assert len(rows) == 27 and all(row.attendance is not None for row in rows)
        statuses.update(row.status for row in rows)
        methods.update(row.attendance.method for row in rows)
    assert statuses["present"] > statuses["late"] > 0 and statuses["excused"] > 0 and statuses["absent"] > 0
    assert statuses["present"] > 0.6 * sum(statuses.values())
    assert {"qr", "manual", "sheet"} <= set(methods)
    assert any(item.eligible for item in people_summary(dbsession, training))
