"""The reminder before a training: every confirmed person gets one email `reminder_days` before
the first session (a setting of the training, 2 days unless changed; empty: none), with the
sessions' days and times in the training's time zone, the venue, their private link and the
sessions as a calendar file, in their own language.

The worker's task `training_reminders` queues what is due every few minutes. Each reminder is
claimed by inserting its `reminder_sent` row (INSERT … ON CONFLICT DO NOTHING on the
registration and the start it announces) in the same transaction as the email: a second run, or
a second worker on PostgreSQL whose insert waits for the first one's commit, finds the row and
sends nothing. The moment is computed from the sessions at every run, so a training whose
dates move is reminded at its new moment; moved to another day after its reminder went out, it
is announced again.

Nobody is reminded of a draft, a cancelled training, or one that has started; nor people the
organisers registered or imported without emailing them (`Registration.emails_off`), nor
people who got their place after the reminder's moment (their confirmation just told them)."""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, joinedload, selectinload

from trainings.calendar import ics
from trainings.calendar.web import calendar_options
from trainings.i18n import _, format_date
from trainings.mail import queue_mail, render_mail, speaking
from trainings.models import MAX_REMINDER_DAYS, Training, TrainingStatus, utcnow

from .invites import live_sessions
from .models import Person, Registration, RegistrationStatus, ReminderSent
from .notifications import private_link
from .tokens import give_new_link

log = logging.getLogger(__name__)
# The worker looks this often: a reminder goes out at most ten minutes after its moment.
INTERVAL_SECONDS = 600
SUBJECT = _("Reminder: ${training}, ${date}")


# --- who is due ------------------------------------------------------------------------------

def _candidates(dbsession: Session, now: dt.datetime) -> list[Training]:
    """Published trainings with a reminder whose first day is near enough for it to be due."""
    today = now.date()
    return list(dbsession.scalars(
        select(Training)
        .where(Training.status == TrainingStatus.published, Training.reminder_days > 0,
               Training.starts_on <= today + dt.timedelta(days=MAX_REMINDER_DAYS + 1),
               Training.ends_on >= today - dt.timedelta(days=1))
        .options(selectinload(Training.sessions), joinedload(Training.region), joinedload(Training.venue))
        .order_by(Training.id)))


def is_due(training: Training, now: dt.datetime) -> bool:
    due_at, start = training.reminder_due_at(), training.first_start()
    return due_at is not None and due_at <= now < start


def _reached(due_at: dt.datetime) -> list:
    """Which confirmed registrations the reminder reaches: with an address, not to be left
    unemailed, confirmed before its moment."""
    return [Registration.emails_off.is_(False), Person.email.is_not(None), Person.email != "",
            or_(Registration.confirmed_at.is_(None), Registration.confirmed_at < due_at)]


def _confirmed(training: Training):
    return (select(Registration).join(Person, Person.id == Registration.person_id)
            .where(Registration.training_id == training.id, Registration.status == RegistrationStatus.confirmed))


def _sent_by_start(dbsession: Session, training: Training):
    """The reminders of `training` by the start they announced: (start, how many, last queued)."""
    return dbsession.execute(
        select(ReminderSent.starts_at, func.count(), func.max(ReminderSent.queued_at))
        .join(Registration, Registration.id == ReminderSent.registration_id)
        .where(Registration.training_id == training.id).group_by(ReminderSent.starts_at)).all()


def _same_day(training: Training, one: dt.datetime, other: dt.datetime) -> bool:
    """Whether two instants fall on the same day in the training's zone: a session moved by an
    hour needs no second reminder (the calendar update told them)."""
    return one.astimezone(training.zone).date() == other.astimezone(training.zone).date()


def _reminded_of(dbsession: Session, training: Training, start: dt.datetime) -> set[int]:
    """The registrations already reminded of the day `start` falls on."""
    starts = [announced for announced, _count, _last in _sent_by_start(dbsession, training)
              if _same_day(training, announced, start)]
    if not starts:
        return set()
    return set(dbsession.scalars(select(ReminderSent.registration_id).where(ReminderSent.starts_at.in_(starts))
                                 .join(Registration, Registration.id == ReminderSent.registration_id)
                                 .where(Registration.training_id == training.id)))


def _claim(dbsession: Session, registration: Registration, start: dt.datetime, now: dt.datetime) -> bool:
    """Record the reminder; False when another run (or worker) recorded it first."""
    dialect_insert = postgresql_insert if dbsession.get_bind().dialect.name == "postgresql" else sqlite_insert
    claimed = dbsession.scalar(
        dialect_insert(ReminderSent).values(registration_id=registration.id, starts_at=start, queued_at=now)
        .on_conflict_do_nothing(index_elements=["registration_id", "starts_at"]).returning(ReminderSent.id))
    return claimed is not None


# --- sending ---------------------------------------------------------------------------------

def queue_due_reminders(request, now: dt.datetime | None = None) -> int:
    """Queue every reminder due at `now` and never queued before; the number queued."""
    dbsession, now = request.dbsession, now or utcnow()
    queued = 0
    for training in _candidates(dbsession, now):
        if not is_due(training, now):
            continue
        start = training.first_start()
        # Ids first: once everyone is reminded, a run reads two short lists and nothing else.
        due = set(dbsession.scalars(_confirmed(training).where(*_reached(training.reminder_due_at()))
                                    .with_only_columns(Registration.id)))
        due -= _reminded_of(dbsession, training, start)
        if not due:
            continue
        for registration in dbsession.scalars(select(Registration).where(Registration.id.in_(sorted(due)))
                                              .options(joinedload(Registration.person)).order_by(Registration.id)):
            if _claim(dbsession, registration, start, now):
                send_reminder(request, registration)
                queued += 1
    dbsession.flush()
    return queued


def send_reminder(request, registration: Registration):
    """Queue one person's reminder, in their language, with the sessions attached as a calendar."""
    person, training = registration.person, registration.training
    language = str(person.preferred_language or training.language or "es")
    sessions = live_sessions(training)
    token = give_new_link(request.dbsession, registration)
    zone = training.region.timezone
    values = {"person": person, "training": training, "sessions": sessions, "zone": zone,
              "link": private_link(request, token)}
    text, html = render_mail(request, "participants/mail/reminder", values, language)
    with speaking(request, language) as localizer:
        subject = localizer.translate(_(SUBJECT, mapping={
            "training": training.title,
            "date": format_date(request, sessions[0].starts_at, zone, format="long")}))
    options = calendar_options(request, language, training.title, sequence_offset=registration.invite_revision)
    calendar = ics.build_calendar(sessions, options).to_ical()
    return queue_mail(request.dbsession, to=person.email, subject=subject[:300], text=text, html=html,
                      language=language, attachments=[("calendar.ics", "text/calendar", calendar)])


def reminders_task(request) -> None:
    """The worker's periodic task (one transaction)."""
    queued = queue_due_reminders(request)
    if queued:
        log.info("%s reminder(s) before trainings queued", queued)


# --- what the training's page says ----------------------------------------------------------

@dataclass(frozen=True)
class ReminderStatus:
    """Where a training's reminder stands: `state` is off, no_sessions, cancelled, started (none was
    sent in time), sent, or scheduled (`due_at`: when; for a draft, once published)."""
    state: str
    due_at: dt.datetime | None = None
    days: int | None = None
    sent: int = 0
    last_sent_at: dt.datetime | None = None
    recipients: int = 0  # who would get it now (scheduled)
    left_out: int = 0  # confirmed people it will not reach: no address, or not to be emailed
    due_now: bool = False  # its moment has come; the worker's next run sends it


def reminder_status(request, training: Training, now: dt.datetime | None = None) -> ReminderStatus:
    dbsession, now = request.dbsession, now or utcnow()
    if not training.reminder_days:
        return ReminderStatus("off")
    if training.status == TrainingStatus.cancelled:
        return ReminderStatus("cancelled", days=training.reminder_days)
    start, due_at = training.first_start(), training.reminder_due_at()
    if start is None:
        return ReminderStatus("no_sessions", days=training.reminder_days)
    sent = [(count, last) for announced, count, last in _sent_by_start(dbsession, training)
            if _same_day(training, announced, start)]
    if sent:
        return ReminderStatus("sent", due_at=due_at, days=training.reminder_days,
                              sent=sum(count for count, _last in sent), last_sent_at=max(last for _count, last in sent))
    if now >= start:
        return ReminderStatus("started", days=training.reminder_days)
    reaches = and_(*_reached(max(due_at, now) + dt.timedelta(seconds=1)))
    confirmed, reached = dbsession.execute(_confirmed(training).with_only_columns(
        func.count(), func.count().filter(reaches))).one()
    return ReminderStatus("scheduled", due_at=due_at, days=training.reminder_days, recipients=reached,
                          left_out=confirmed - reached, due_now=due_at <= now)


def includeme(config):
    config.add_worker_task("training_reminders", reminders_task, INTERVAL_SECONDS)
    config.add_request_method(reminder_status, "reminder_status")
    config.add_training_panel("participants/organiser/_reminder_panel.jinja2", order=10)
