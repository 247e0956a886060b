"""The schedule's demonstration data: what a newcomer sees first must make sense."""
from sqlalchemy import select

from trainings import demo
from trainings.models import Training, TrainingStatus
from trainings.timezones import utc_to_local


def test_the_demo_has_published_draft_and_cancelled_trainings_in_local_time(app_request, dbsession, testapp):
    demo.load(app_request)
    trainings = list(dbsession.scalars(select(Training)))
    assert {training.status for training in trainings} == set(TrainingStatus)
    seminar = next(training for training in trainings if training.title == demo.ASUNCION_SEMINAR)
    assert utc_to_local(seminar.sessions[0].starts_at, "America/Asuncion").strftime("%H:%M") == "09:00"
    listing = testapp.get("/trainings").text
    assert "Ica" in listing and "Cancelada" in listing
    draft = next(training for training in trainings if training.status == TrainingStatus.draft)
    testapp.get(f"/trainings/{draft.id}", status=404)
