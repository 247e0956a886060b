from sqlalchemy import func, select

from participants import demo
from participants.models import Registration, RegistrationRole, RegistrationStatus
from trainings import demo as schedule_demo
from trainings.models import SessionSpeaker, Training


def test_demo_fills_the_registry_and_the_lists(app_request, dbsession):
    schedule_demo.load(app_request)
    demo.load(app_request)
    seminar = dbsession.scalar(select(Training).where(Training.title == schedule_demo.ASUNCION_SEMINAR))
    statuses = dbsession.scalars(select(Registration.status).where(Registration.training_id == seminar.id)).all()
    assert statuses.count(RegistrationStatus.pending) > 20 and statuses.count(RegistrationStatus.confirmed) > 10
    roles = dbsession.scalars(select(Registration.role).where(Registration.training_id == seminar.id)).all()
    assert roles.count(RegistrationRole.speaker) == 3 and roles.count(RegistrationRole.moderator) == 1
    assert dbsession.scalar(select(func.count()).select_from(SessionSpeaker)) >= 8
    waitlisted = dbsession.scalar(select(func.count()).select_from(Registration)
                                  .where(Registration.status == RegistrationStatus.waitlisted))
    assert waitlisted > 20
    for training in dbsession.scalars(select(Training)):
        assert training.confirmed_count <= training.capacity
