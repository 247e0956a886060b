"""`capacita worker`: mail, jobs and periodic tasks claimed from the database, once each even
with several workers at a time."""
import datetime as dt
import threading
import time

import pytest
import transaction
import zope.sqlalchemy
from pyramid.config import Configurator
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from trainings.mail import deliver_pending, queue_mail
from trainings.models import Job, JobStatus, OutboxMessage, WorkerTask, utcnow
from trainings.worker import PeriodicTask, Worker, claim_task, queue_job, run_due_tasks, run_next_job

SENDER = "Capacita <no-reply@capacita.test>"


def test_packages_register_periodic_tasks_and_job_handlers_by_directive():
    config = Configurator(settings={})
    config.include("trainings.worker")
    config.add_worker_task("reminders", "tests.trainings.test_worker:a_task", 3600)
    config.add_job_handler("report", "tests.trainings.test_worker:a_task")
    config.commit()
    task = config.registry["worker_tasks"]["reminders"]
    assert (task.run, task.interval) == (a_task, dt.timedelta(hours=1))
    assert config.registry["job_handlers"]["report"] is a_task


def a_task(request, *args):
    request.ran.append(args)


def test_a_due_task_runs_once_per_interval(worker_request, monkeypatch):
    worker_request.ran = []
    tasks = {}  # only this test's task, not the packages' own
    monkeypatch.setitem(worker_request.registry, "worker_tasks", tasks)
    tasks["test-task"] = PeriodicTask("test-task", a_task, dt.timedelta(minutes=5))
    try:
        assert run_due_tasks(worker_request) == 1
        assert run_due_tasks(worker_request) == 0  # not due again for five minutes
        assert worker_request.ran == [()]
        with worker_request.tm:
            row = worker_request.dbsession.get(WorkerTask, "test-task")
            assert row.next_run_at > utcnow() + dt.timedelta(minutes=4)
            row.next_run_at = utcnow() - dt.timedelta(seconds=1)
        assert run_due_tasks(worker_request) == 1
    finally:
        del tasks["test-task"]


def test_a_failing_task_is_recorded_and_does_not_stop_the_round(worker_request, monkeypatch):
    def broken(request):
        raise RuntimeError("no database for evaluations")

    tasks = {}  # only this test's task, not the packages' own
    monkeypatch.setitem(worker_request.registry, "worker_tasks", tasks)
    tasks["broken"] = PeriodicTask("broken", broken, dt.timedelta(minutes=5))
    try:
        report = Worker(worker_request).run_round()
        assert report.tasks == 1
        with worker_request.tm:
            assert "no database" in worker_request.dbsession.get(WorkerTask, "broken").last_error
    finally:
        del tasks["broken"]


def test_a_job_of_an_unknown_kind_waits_for_a_worker_that_knows_it(dbsession, worker_request):
    queue_job(dbsession, "someone-elses", {})
    dbsession.flush()
    assert run_next_job(worker_request) is False


def test_claiming_a_task_moves_it_on(dbsession):
    task = PeriodicTask("claimed", a_task, dt.timedelta(seconds=60))
    now = utcnow()
    assert claim_task(dbsession, task, now) is True
    assert claim_task(dbsession, task, now) is False
    assert claim_task(dbsession, task, now + dt.timedelta(seconds=61)) is True


# --- several workers on PostgreSQL: real commits on separate connections ----------------------

def run_side_by_side(work, workers: int) -> None:
    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


class SlowDelivery:
    """Takes its time, so that the workers' rounds overlap."""

    def __init__(self, sent: list, lock: threading.Lock):
        self.sent, self.lock = sent, lock

    def send(self, email, sender, recipients):
        time.sleep(0.01)
        with self.lock:
            self.sent.append(email["Message-ID"])

    def close(self):
        pass


@pytest.mark.postgresql
def test_several_workers_never_send_a_message_twice(engine):
    count = 120
    with Session(engine) as session, session.begin():
        ids = []
        for number in range(count):
            message = queue_mail(session, to=f"p{number}@example.org", subject=f"{number}", text="hola")
            session.flush()
            ids.append(message.id)
    sent, lock = [], threading.Lock()

    def work():
        manager = transaction.TransactionManager(explicit=True)
        session = Session(engine)
        zope.sqlalchemy.register(session, transaction_manager=manager)
        try:
            while deliver_pending(manager, session, SlowDelivery(sent, lock), SENDER, limit=20).sent:
                pass
        finally:
            session.close()

    try:
        run_side_by_side(work, 4)
        assert len(sent) == count and len(set(sent)) == count
        with Session(engine) as session:
            assert session.scalars(select(OutboxMessage.attempts).where(OutboxMessage.id.in_(ids))).all() == \
                [1] * count
    finally:
        with Session(engine) as session, session.begin():
            session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(ids)))


@pytest.mark.postgresql
def test_several_workers_claim_each_job_once(engine):
    with Session(engine) as session, session.begin():
        job_ids = [queue_job(session, "test-count", {"n": number}).id for number in range(12)]
    ran, lock = [], threading.Lock()

    class Request:
        """What run_next_job needs of a worker's request."""

        def __init__(self, registry):
            self.registry = registry
            self.tm = transaction.TransactionManager(explicit=True)
            self.dbsession = Session(engine)
            zope.sqlalchemy.register(self.dbsession, transaction_manager=self.tm)

    def handler(request, job):
        time.sleep(0.01)
        with lock:
            ran.append(job.id)

    registry = {"job_handlers": {"test-count": handler}}

    def work():
        request = Request(registry)
        try:
            while run_next_job(request):
                pass
        finally:
            request.dbsession.close()

    try:
        run_side_by_side(work, 3)
        assert sorted(ran) == sorted(job_ids)
        with Session(engine) as session:
            assert set(session.scalars(select(Job.status).where(Job.id.in_(job_ids)))) == {JobStatus.done}
    finally:
        with Session(engine) as session, session.begin():
            session.execute(delete(Job).where(Job.id.in_(job_ids)))


def test_a_job_whose_worker_went_silent_is_taken_up_again(dbsession):
    from trainings.worker import JOB_SILENT_FOR, claim_job

    job = queue_job(dbsession, "report", {})
    assert claim_job(dbsession, ["report"]) is job
    assert claim_job(dbsession, ["report"]) is None  # running, and its worker reports
    job.heartbeat_at = utcnow() - JOB_SILENT_FOR - dt.timedelta(seconds=1)
    assert claim_job(dbsession, ["report"]) is job
    assert job.status == JobStatus.running and job.heartbeat_at > utcnow() - dt.timedelta(seconds=5)
