"""`capacita worker`: the background work of every package, fed from the database.

Each round the worker
1. delivers the mail that is due (the outbox, `trainings.mail.deliver_pending`);
2. runs the periodic tasks that are due (`config.add_worker_task(name, callable, seconds)`);
3. runs queued jobs (`Job` rows, handled by `config.add_job_handler(kind, callable)`).

Everything it does is claimed from a row first — the outbox message, the task's `worker_task`
row, the job — with `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL and the claim committed
before the work starts, so that several workers on several machines share one database
without doing anything twice. On SQLite (development: one worker) the claim is a plain update.
Results that are files go under `app.var_dir`, which the machines share.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .mail import DeliveryReport, default_sender, deliver_pending, delivery_from_settings
from .models import Job, JobStatus, WorkerTask, utcnow

log = logging.getLogger(__name__)
MAIL_BATCH = 200
# A running job that has not reported for this long lost its worker (a machine went down):
# another worker starts it again. Handlers report progress far more often than this.
JOB_SILENT_FOR = dt.timedelta(minutes=10)


# --- what packages register ----------------------------------------------------------------

@dataclass(frozen=True)
class PeriodicTask:
    name: str
    run: Callable  # run(request), inside one transaction of the worker's request.tm
    interval: dt.timedelta


def add_worker_task(config, name: str, task: Callable, interval_seconds: float) -> None:
    """Run `task(request)` every `interval_seconds` in whichever worker claims it first; the
    call is one transaction (what it queues is committed together, or not at all)."""
    tasks = config.registry.setdefault("worker_tasks", {})

    def register():
        tasks[name] = PeriodicTask(name, config.maybe_dotted(task), dt.timedelta(seconds=interval_seconds))

    config.action(("capacita-worker-task", name), register)


def add_job_handler(config, kind: str, handler: Callable) -> None:
    """`handler(request, job: JobRun)` does the work of the `Job`s of `kind`. It is called
    outside any transaction: it opens short ones (`with request.tm:`) to read what it needs and
    reports progress with `job.report(...)`."""
    handlers = config.registry.setdefault("job_handlers", {})

    def register():
        handlers[kind] = config.maybe_dotted(handler)

    config.action(("capacita-job-handler", kind), register)


def includeme(config):
    config.add_directive("add_worker_task", add_worker_task)
    config.add_directive("add_job_handler", add_job_handler)


# --- jobs ----------------------------------------------------------------------------------

def queue_job(dbsession: Session, kind: str, parameters: dict, *, total: int = 0, user=None,
              result_name: str = "") -> Job:
    """A job for the worker, queued in the caller's transaction (a rolled-back request starts
    nothing)."""
    job = Job(kind=kind, parameters=json.dumps(parameters), total=total, status=JobStatus.queued,
              result_name=result_name, created_by_id=user.id if user is not None else None)
    dbsession.add(job)
    dbsession.flush()
    return job


def results_dir(settings: dict) -> Path:
    """Where jobs leave their files: under `app.var_dir`, shared by every machine."""
    return Path(settings.get("app.var_dir") or "var") / "exports"


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _for_update(dbsession: Session, query):
    if dbsession.get_bind().dialect.name == "postgresql":
        return query.with_for_update(skip_locked=True)
    return query


def claim_job(dbsession: Session, kinds) -> Job | None:
    """The oldest queued job of a kind this worker knows — or one whose worker went silent —
    marked running for this worker."""
    now = utcnow()
    waiting = or_(Job.status == JobStatus.queued,
                  and_(Job.status == JobStatus.running, Job.heartbeat_at < now - JOB_SILENT_FOR))
    job = dbsession.scalar(_for_update(dbsession, select(Job).where(waiting, Job.kind.in_(list(kinds)))
                                       .order_by(Job.id).limit(1)))
    if job is not None:
        if job.status == JobStatus.running:
            log.warning("job %s: its worker %s went silent; starting it again", job.id, job.worker)
        job.status, job.started_at, job.heartbeat_at, job.worker = JobStatus.running, now, now, worker_name()
    return job


class JobRun:
    """What a handler knows of its job: its id, parameters, total, and a way to report."""

    def __init__(self, request, job: Job):
        self.request = request
        self.id = job.id
        self.kind = job.kind
        self.total = job.total
        self.parameters = json.loads(job.parameters or "{}")

    def report(self, **values) -> None:
        """Write `progress`, `total`, `result_path` … on the job, committed at once (the page
        that follows it reads them)."""
        with self.request.tm:
            job = self.request.dbsession.get(Job, self.id)
            for name, value in values.items():
                setattr(job, name, value)
            job.heartbeat_at = utcnow()

    def result_path(self, suffix: str) -> Path:
        return results_dir(self.request.registry.settings) / f"job-{self.id}{suffix}"

    def stored_path(self, path: Path) -> str:
        """What `Job.result_path` keeps: the path under `app.var_dir`, so that a machine that
        mounts the shared folder elsewhere still finds the file (`result_file`)."""
        var_dir = Path(self.request.registry.settings.get("app.var_dir") or "var")
        return str(path.relative_to(var_dir)) if path.is_relative_to(var_dir) else str(path)


def result_file(settings: dict, job: Job) -> Path:
    """The file a finished job left, on this machine."""
    return Path(settings.get("app.var_dir") or "var") / job.result_path


def run_next_job(request) -> bool:
    """Claim and run one queued job; False when there was none."""
    handlers = request.registry.get("job_handlers", {})
    if not handlers:
        return False
    with request.tm:
        job = claim_job(request.dbsession, handlers)
        if job is None:
            return False
        run = JobRun(request, job)
    log.info("job %s (%s) started", run.id, run.kind)
    try:
        handlers[run.kind](request, run)
    except Exception as error:  # noqa: BLE001 - the job says it failed instead of hanging as running
        log.exception("job %s (%s) failed", run.id, run.kind)
        run.report(status=JobStatus.failed, error=f"{type(error).__name__}: {error}"[:2000], finished_at=utcnow())
        return True
    with request.tm:
        job = request.dbsession.get(Job, run.id)
        if job.status == JobStatus.running:
            job.status = JobStatus.done
        job.finished_at = job.finished_at or utcnow()
    log.info("job %s (%s) done", run.id, run.kind)
    return True


# --- periodic tasks ------------------------------------------------------------------------

def claim_task(dbsession: Session, task: PeriodicTask, now: dt.datetime) -> bool:
    """Whether this worker runs `task` now: its row is due and this worker moved it on."""
    row = dbsession.scalar(_for_update(dbsession, select(WorkerTask).where(WorkerTask.name == task.name)))
    if row is None:
        row = WorkerTask(name=task.name, next_run_at=now, last_error="")
        dbsession.add(row)
        try:
            with dbsession.begin_nested():
                dbsession.flush()
        except IntegrityError:  # another worker made it at the same moment: it is theirs
            return False
    if row.next_run_at > now:
        return False
    row.next_run_at, row.last_started_at = now + task.interval, now
    return True


def run_due_tasks(request) -> int:
    ran = 0
    for task in request.registry.get("worker_tasks", {}).values():
        with request.tm:
            if not claim_task(request.dbsession, task, utcnow()):
                continue
        ran += 1
        error = ""
        try:
            with request.tm:
                task.run(request)
        except Exception as failure:  # noqa: BLE001 - one task's failure must not stop the others
            log.exception("worker task %s failed", task.name)
            error = f"{type(failure).__name__}: {failure}"[:2000]
        with request.tm:
            row = request.dbsession.get(WorkerTask, task.name)
            row.last_finished_at, row.last_error = utcnow(), error
    return ran


# --- the loop ------------------------------------------------------------------------------

@dataclass
class RoundReport:
    mail: DeliveryReport
    jobs: int = 0
    tasks: int = 0


class Worker:
    def __init__(self, request, settings: dict | None = None):
        self.request = request
        settings = settings if settings is not None else request.registry.settings
        self.delivery = delivery_from_settings(settings)
        self.sender = default_sender(settings)
        self.stopping = threading.Event()
        self.mail_unavailable = ""

    def deliver_mail(self) -> DeliveryReport:
        report = deliver_pending(self.request.tm, self.request.dbsession, self.delivery, self.sender, MAIL_BATCH)
        if report.unavailable and not self.mail_unavailable:
            log.warning("mail delivery paused until the mail server answers: %s", report.unavailable)
        elif report.sent and self.mail_unavailable:
            log.info("the mail server answers again: delivery resumed")
        if report.unavailable or report.sent:
            self.mail_unavailable = report.unavailable
        return report

    def run_round(self) -> RoundReport:
        report = RoundReport(mail=self.deliver_mail(), tasks=run_due_tasks(self.request))
        while not self.stopping.is_set() and run_next_job(self.request):
            report.jobs += 1
            # Mail queued meanwhile (a job can take minutes) goes before the next job.
            report.mail += self.deliver_mail()
        return report

    def run_forever(self, interval: float, on_round: Callable[[RoundReport], None] | None = None) -> None:
        """Rounds until `stop()`; a full batch of mail goes on without waiting."""
        while not self.stopping.is_set():
            try:
                report = self.run_round()
            except Exception:  # noqa: BLE001 - e.g. the database restarting: try again next round
                log.exception("worker round failed")
                report = None
            if report is not None and on_round is not None:
                on_round(report)
            busy = report is not None and report.mail.sent >= MAIL_BATCH
            if not busy:
                self.stopping.wait(interval)

    def stop(self, *_signal) -> None:
        self.stopping.set()
