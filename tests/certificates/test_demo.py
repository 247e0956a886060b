"""The demo issues the past trainings' certificates and revokes one."""
from sqlalchemy import select

from certificates import demo
from certificates.models import Certificate
from tests import factories

from .conftest import make_past_training


def test_demo_without_past_trainings_does_nothing(app_request, dbsession):
    factories.TrainingFactory()  # upcoming
    demo.load(app_request)
    assert dbsession.scalars(select(Certificate)).all() == []


def test_demo_issues_past_certificates_and_revokes_one(app_request, dbsession):
    make_past_training(dbsession)
    demo.load(app_request)
    certificates = dbsession.scalars(select(Certificate)).all()
    assert len(certificates) == 5
    revoked = [certificate for certificate in certificates if certificate.revoked_at]
    assert len(revoked) == 1 and revoked[0].revoke_reason == demo.REVOKE_REASON


def test_demo_after_the_schedule_demo(app_request, dbsession):
    from trainings import demo as schedule_demo

    schedule_demo.load(app_request)
    demo.load(app_request)  # past trainings without attendance: nothing earned, nothing fails


def test_the_whole_demo_gives_no_certificate_to_a_name_typed_as_markup(app_request, dbsession):
    """The shared lists hold `<script>alert(1)</script>` as a family name, to show that pages
    escape it; such a row is a test of the import, not an official who attended."""
    from participants import demo as participants_demo
    from participants.models import Person
    from trainings import demo as schedule_demo
    from trainings.models import OutboxMessage

    schedule_demo.load(app_request)
    participants_demo.load(app_request)
    demo.load(app_request)
    assert dbsession.scalar(select(Person.id).where(Person.family_names.contains("<script>"))) is not None
    holders = [certificate.holder_name for certificate in dbsession.scalars(select(Certificate))]
    assert len(holders) > 10
    assert not [name for name in holders if "<" in name or ">" in name or name.startswith(("=", "+", "@"))]
    assert dbsession.scalars(select(OutboxMessage).where(OutboxMessage.subject.contains("anulado"))).all() == []
