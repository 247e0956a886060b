"""The demo's pre/post test with answers, and `capacita evaluations send-due` on a database of
its own (the command commits)."""
import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evaluations import demo
from evaluations.models import AnswerSet, EvaluationMessage, Purpose, QuestionBank
from evaluations.results import training_results
from tests import factories
from tests.certificates.conftest import ini_with_a_past_training
from trainings.cli import main
from trainings.db import make_engine
from trainings.models import OutboxMessage, utcnow

from .conftest import attach


def test_demo_answers_the_most_recent_past_trainings_tests(app_request, dbsession):
    training = factories.TrainingFactory(starts_on=dt.date.today() - dt.timedelta(days=10),
                                         ends_on=dt.date.today() - dt.timedelta(days=9))
    factories.SessionFactory(training=training)
    for _ in range(8):
        factories.RegistrationFactory(training=training)
    dbsession.flush()
    dbsession.refresh(training)
    demo.load(app_request)
    results = training_results(dbsession, training, "es")
    assert results.overall.paired == 8
    assert results.overall.post_mean > results.overall.pre_mean
    assert set(results.items) == {Purpose.pre, Purpose.post} and len(results.items[Purpose.post]) == 10
    assert dbsession.scalar(select(func.count()).select_from(AnswerSet).where(AnswerSet.from_paper)) == 6  # 2 × 3


def test_demo_without_past_trainings_keeps_only_the_bank(app_request, dbsession):
    factories.TrainingFactory()
    demo.load(app_request)
    assert dbsession.scalar(select(func.count()).select_from(QuestionBank)) == 1
    assert dbsession.scalar(select(func.count()).select_from(AnswerSet)) == 0


def test_send_due_queues_once(tmp_path, capsys):
    ini, _past_training = ini_with_a_past_training(tmp_path)
    engine = make_engine({"sqlalchemy.url": f"sqlite:///{tmp_path}/cli.sqlite"})
    with Session(engine) as session:
        factories.bind(session)
        try:
            from evaluations import questions

            from .conftest import add_single

            bank = questions.create_bank(session, "Banco", "es")
            question = add_single(session, bank, 1)
            starts = utcnow() + dt.timedelta(days=2)
            training = factories.TrainingFactory(starts_on=starts.date(), ends_on=starts.date())
            factories.SessionFactory(training=training, starts_at=starts, ends_at=starts + dt.timedelta(hours=2))
            factories.RegistrationFactory(training=training)
            session.flush()
            session.refresh(training)
            attach(session, training, "pre", [question.id])
            session.commit()
        finally:
            factories.bind(None)
    assert main(["-c", str(ini), "evaluations", "send-due"]) == 0
    assert main(["-c", str(ini), "evaluations", "send-due"]) == 0
    assert capsys.readouterr().out.splitlines() == ["1 questionnaire email(s) queued",
                                                    "0 questionnaire email(s) queued"]
    with Session(engine) as session:
        [mail] = session.scalars(select(OutboxMessage)).all()
        assert "https://capacita.example/me/" in mail.body_text and "/evaluations/" in mail.body_text
        assert session.scalar(select(func.count()).select_from(EvaluationMessage)) == 1
    engine.dispose()
